package privytest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/privy-go/privy-go/gen"
)

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	const workers, each = 8, 15
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			ctx := context.Background()
			for i := range each {
				email := fmt.Sprintf("w%d-%d@example.com", w, i)
				if _, err := e.client.CreateContactWithResponse(ctx, gen.CreateContactRequest{Email: &email}); err != nil {
					t.Error(err)
				}
				if _, err := e.client.UpdateContactWithResponse(ctx, gen.UpdateContactRequest{Email: &email, Tags: &gen.Tags{"x"}}); err != nil {
					t.Error(err)
				}
				if _, err := e.client.ListContactsWithResponse(ctx, &gen.ListContactsParams{PerPage: ptr(100)}); err != nil {
					t.Error(err)
				}
				_ = e.srv.Contacts()
				_ = e.srv.Requests()
			}
		})
	}
	wg.Wait()
	resp, err := e.client.ListContactsWithResponse(context.Background(), nil)
	if err != nil || resp.JSON200.Pagination.TotalCount != workers*each {
		t.Errorf("total %v after %d concurrent creates (%v)", resp.JSON200.Pagination, workers*each, err)
	}
	if n := len(e.srv.Requests()); n != workers*each*3+1 {
		t.Errorf("%d requests logged, want %d", n, workers*each*3+1)
	}
}

func TestOversizedBody(t *testing.T) {
	e := newEnv(t)
	body := `{"email":"a@example.com","first_name":"` + strings.Repeat("x", 2<<20) + `"}`
	status, _, b := e.do(t, http.MethodPost, "/contacts", "application/json", body)
	if d := details(errorOf(t, b)); status != 422 || len(d) != 1 || d[0].Message != "request body is too large" {
		t.Errorf("%d %s", status, b)
	}
	if status, _, b := doRaw(t, http.MethodPost, e.srv.URL+"/contacts", "", "application/json", body); status != 401 {
		t.Errorf("unauthenticated oversized body: %d %s; authentication comes first", status, b)
	}
}
