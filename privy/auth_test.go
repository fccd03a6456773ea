package privy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
)

const (
	clientID     = "app_123"
	clientSecret = "s3cr3t-client-secret-value"
)

// tokenIssuer is an OAuth token endpoint that counts exchanges and hands out access-N tokens.
type tokenIssuer struct {
	t         *testing.T
	exchanges atomic.Int32
	status    int
	body      string // a fixed answer instead of a token
}

func (ti *tokenIssuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := ti.exchanges.Add(1)
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost ||
		r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != clientID ||
		r.PostForm.Get("client_secret") != clientSecret || r.PostForm.Get("scope") != "contacts_read contacts_write" {
		ti.t.Errorf("token request %s %v is not a form-encoded client-credentials exchange", r.Method, r.PostForm)
	}
	if r.Header.Get("Authorization") != "" || r.URL.RawQuery != "" {
		ti.t.Errorf("token request carries credentials outside its body")
	}
	w.Header().Set("Content-Type", "application/json")
	if ti.body != "" {
		w.WriteHeader(ti.status)
		io.WriteString(w, ti.body)
		return
	}
	fmt.Fprintf(w, `{"access_token":"access-%d","token_type":"Bearer","expires_in":7200,"scope":"contacts_read contacts_write","created_at":1736937000}`, n)
}

func newOAuthClient(t *testing.T, replies ...reply) (*Client, *server, *tokenIssuer, *fakeClock) {
	clock := newFakeClock()
	s := newServer(t, clock, replies...)
	ti := &tokenIssuer{t: t}
	s.oauth = ti.ServeHTTP
	c, err := New(WithClientCredentials(clientID, clientSecret, "contacts_read", "contacts_write"), WithBaseURL(s.URL1()), WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	return c, s, ti, clock
}

func TestOAuthCachesAndRefreshesAtExpiry(t *testing.T) {
	c, s, ti, clock := newOAuthClient(t)
	list := func(wantAuth string) {
		t.Helper()
		if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		reqs := s.Requests()
		if got := reqs[len(reqs)-1].Auth; got != "Bearer "+wantAuth {
			t.Fatalf("Authorization = %q, want Bearer %s", got, wantAuth)
		}
	}
	list("access-1")
	list("access-1")
	clock.Advance(7200*time.Second - refreshBefore - time.Second)
	list("access-1") // still fresh
	clock.Advance(2 * time.Second)
	list("access-2") // within the refresh margin: exchanged again
	list("access-2")
	if n := ti.exchanges.Load(); n != 2 {
		t.Errorf("%d exchanges, want 2", n)
	}
}

func TestOAuth401Reexchange(t *testing.T) {
	c, s, ti, _ := newOAuthClient(t, unauthorized)
	if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
		t.Fatalf("after one 401: %v", err)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Auth != "Bearer access-1" || reqs[1].Auth != "Bearer access-2" || ti.exchanges.Load() != 2 {
		t.Fatalf("requests %+v after %d exchanges, want access-1 then access-2", reqs, ti.exchanges.Load())
	}

	// A second 401 in a row is returned: the call is retried once only.
	c, s, ti, _ = newOAuthClient(t, unauthorized, unauthorized, unauthorized)
	_, _, err := c.ListContacts(context.Background(), nil)
	if !errors.Is(err, ErrUnauthorized) || len(s.Requests()) != 2 || ti.exchanges.Load() != 2 {
		t.Fatalf("err = %v after %d requests and %d exchanges, want ErrUnauthorized after 2 and 2", err, len(s.Requests()), ti.exchanges.Load())
	}
}

func TestOAuthExchangeErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		sentinel error
		code     gen.ErrorCode
	}{
		{"envelope invalid_client", 401, envelope("invalid_client", "Client authentication failed"), ErrInvalidClient, "invalid_client"},
		{"oauth invalid_client", 401, `{"error":"invalid_client","error_description":"Client authentication failed"}`, ErrInvalidClient, "invalid_client"},
		{"envelope invalid_scope", 401, envelope("invalid_scope", "The requested scope is not enabled"), ErrInvalidScope, "invalid_scope"},
		{"oauth invalid_scope", 400, `{"error":"invalid_scope"}`, ErrInvalidScope, "invalid_scope"},
		{"html", 500, "<html>oops</html>", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s, ti, _ := newOAuthClient(t)
			ti.status, ti.body = tt.status, tt.body
			_, _, err := c.ListContacts(context.Background(), nil)
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != tt.status || e.Code != tt.code {
				t.Fatalf("err = %#v, want *Error %d %s", err, tt.status, tt.code)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			if len(s.Requests()) != 0 {
				t.Errorf("the API was called without a token")
			}
			if dump := fmt.Sprintf("%v %+v %+v", err, e, e.Response); strings.Contains(dump, clientSecret) {
				t.Errorf("the error shows the client secret: %s", dump)
			}
			if e.Response.Request != nil {
				t.Errorf("the error keeps the token request, which can replay the secret")
			}
		})
	}
}

func TestOAuthOneExchangeForConcurrentCallers(t *testing.T) {
	c, s, ti, _ := newOAuthClient(t)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := ti.exchanges.Load(); n != 1 || len(s.Requests()) != 16 {
		t.Errorf("%d exchanges for %d requests, want 1 for 16", n, len(s.Requests()))
	}
}

// doerOnly is a Doer that is not an *http.Client.
type doerOnly struct{ c *http.Client }

func (d doerOnly) Do(r *http.Request) (*http.Response, error) { return d.c.Do(r) }

func TestOAuthTokenRequestGoesToTheTokenURLOnly(t *testing.T) {
	elsewhere := newServer(t, newFakeClock())
	elsewhere.oauth = func(w http.ResponseWriter, r *http.Request) { t.Errorf("the token request followed a redirect") }
	s := newServer(t, newFakeClock())
	s.oauth = func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/oauth/token", http.StatusTemporaryRedirect)
	}
	c, err := New(WithClientCredentials(clientID, clientSecret), WithBaseURL(s.URL1()))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.ListContacts(context.Background(), nil)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusTemporaryRedirect || len(s.Requests()) != 0 {
		t.Fatalf("err = %v, want the 307 as an *Error and no API call", err)
	}

	// Through a doer that is not an *http.Client, the exchange works the same.
	ti := &tokenIssuer{t: t}
	s.oauth = ti.ServeHTTP
	c, err = New(WithClientCredentials(clientID, clientSecret, "contacts_read", "contacts_write"), WithBaseURL(s.URL1()),
		WithHTTPClient(doerOnly{&http.Client{}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ListContacts(context.Background(), nil); err != nil || ti.exchanges.Load() != 1 {
		t.Fatalf("err = %v after %d exchanges", err, ti.exchanges.Load())
	}
}
