package privy_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// start returns a privytest server checking its own contract, its clock and a client for it.
func start(t *testing.T, fakeOpts []privytest.Option, opts ...privy.Option) (*privytest.Server, *privytest.Clock, *privy.Client) {
	t.Helper()
	clock := privytest.NewClock(time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC))
	srv := privytest.NewServer(append([]privytest.Option{privytest.WithT(t), privytest.WithClock(clock)}, fakeOpts...)...)
	t.Cleanup(srv.Close)
	c, err := privy.New(append([]privy.Option{privy.WithToken(privytest.DefaultToken), privy.WithBaseURL(srv.URL), privy.WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, clock, c
}

func statuses(srv *privytest.Server) []int {
	var out []int
	for _, r := range srv.Requests() {
		out = append(out, r.Status)
	}
	return out
}

func TestPrivytestRetry(t *testing.T) {
	tests := []struct {
		name    string
		opts    []privy.Option
		op      string
		fault   privytest.Fault
		n       int
		call    func(*privy.Client) error
		want    []int
		wantErr error
	}{
		{"429 seconds", nil, "createContact", privytest.Fault{Status: 429, RetryAfter: "3"}, 2, create, []int{429, 429, 201}, nil},
		{"429 HTTP-date", nil, "listContacts", privytest.Fault{Status: 429, RetryAfter: "Wed, 15 Jan 2025 10:30:20 GMT"}, 1, list, []int{429, 200}, nil},
		{"429 beyond max wait", nil, "listContacts", privytest.Fault{Status: 429, RetryAfter: "7200"}, 1, list, []int{429}, privy.ErrRateLimited},
		{"404 not retried", nil, "updateContact", privytest.Fault{}, 0, func(c *privy.Client) error {
			_, _, err := c.UpdateContact(context.Background(), gen.UpdateContactRequest{Email: privy.Ptr("nobody@example.com"), FirstName: privy.Ptr("X")})
			return err
		}, []int{404}, privy.ErrNotFound},
		{"HTML 502 not retried by default", nil, "listContacts", privytest.Fault{Status: 502, NonJSONBody: true}, 1, list, []int{502}, nil},
		{"HTML 502 retried for list", []privy.Option{privy.WithTransientRetries()}, "listContacts", privytest.Fault{Status: 502, NonJSONBody: true}, 2, list, []int{502, 502, 200}, nil},
		{"dropped connection retried for list", []privy.Option{privy.WithTransientRetries()}, "listContacts", privytest.Fault{DropConnection: true}, 1, list, []int{0, 200}, nil},
		{"503 never retried for create", []privy.Option{privy.WithTransientRetries()}, "createContact", privytest.Fault{Status: 503}, 1, create, []int{503}, nil},
		{"dropped connection never retried for create", []privy.Option{privy.WithTransientRetries()}, "createContact", privytest.Fault{DropConnection: true}, 1, create, []int{0}, nil},
		{"dropped connection never retried for delete", []privy.Option{privy.WithTransientRetries()}, "deleteContact", privytest.Fault{DropConnection: true}, 1, func(c *privy.Client) error {
			_, _, err := c.DeleteContact(context.Background(), gen.DeleteContactRequest{Email: privy.Ptr("jane@example.com")})
			return err
		}, []int{0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]privy.Option{privy.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})}, tt.opts...)
			srv, _, c := start(t, nil, opts...)
			if tt.n > 0 {
				srv.Inject(tt.op, tt.n, tt.fault)
			}
			err := tt.call(c)
			got := statuses(srv)
			if !equal(got, tt.want) {
				t.Errorf("statuses %v, want %v", got, tt.want)
			}
			last := tt.want[len(tt.want)-1]
			switch {
			case last >= 200 && last < 300:
				if err != nil {
					t.Errorf("err = %v", err)
				}
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			case last >= 400:
				var e *privy.Error
				if !errors.As(err, &e) || e.StatusCode != last {
					t.Errorf("err = %v, want an *Error with status %d", err, last)
				}
			case err == nil:
				t.Errorf("err = nil after a dropped connection")
			}
		})
	}
}

func create(c *privy.Client) error {
	_, _, err := c.CreateContact(context.Background(), gen.CreateContactRequest{Email: privy.Ptr("grace@example.com"), FirstName: privy.Ptr("Grace")})
	return err
}

func list(c *privy.Client) error {
	_, _, err := c.ListContacts(context.Background(), nil)
	return err
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPrivytestPacingSpendsNo429(t *testing.T) {
	srv, clock, c := start(t, []privytest.Option{privytest.WithLimits(5, 10000), privytest.WithSeed(1, 250)})
	n := 0
	for _, err := range c.Contacts(context.Background(), &gen.ListContactsParams{PerPage: privy.Ptr(10)}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 250 || len(srv.Requests()) != 25 {
		t.Errorf("%d contacts in %d requests, want 250 in 25", n, len(srv.Requests()))
	}
	for _, s := range statuses(srv) {
		if s == 429 {
			t.Fatalf("a request was rate limited: %v", statuses(srv))
		}
	}
	if elapsed := clock.Now().Sub(time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)); elapsed < 4*time.Minute {
		t.Errorf("25 requests at 5 a minute took %v of clock time", elapsed)
	}
}

func TestPrivytestDailyBudget(t *testing.T) {
	srv, _, c := start(t, []privytest.Option{privytest.WithLimits(60, 3)})
	for range 3 {
		if err := list(c); err != nil {
			t.Fatal(err)
		}
	}
	err := list(c)
	if !errors.Is(err, privy.ErrRateLimited) || !strings.Contains(err.Error(), "resets at 2025-01-16T00:00:00Z") {
		t.Fatalf("err = %v, want the spent daily budget", err)
	}
	if len(srv.Requests()) != 3 {
		t.Errorf("%d requests, want 3", len(srv.Requests()))
	}
}

func TestPrivytestOAuth(t *testing.T) {
	clock := privytest.NewClock(time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC))
	srv := privytest.NewServer(privytest.WithT(t), privytest.WithClock(clock))
	defer srv.Close()
	c, err := privy.New(privy.WithBaseURL(srv.URL), privy.WithClock(clock),
		privy.WithClientCredentials(privytest.DefaultClientID, privytest.DefaultClientSecret, "contacts_read", "contacts_write"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tokens := func() (exchanges int, used []string) {
		for _, r := range srv.Requests() {
			if r.Operation == "exchangeToken" {
				exchanges++
				if strings.Contains(string(r.Body), privytest.DefaultClientSecret) {
					t.Errorf("the secret was logged by the fake: %s", r.Body)
				}
			} else {
				used = append(used, r.Token)
			}
		}
		return
	}
	for range 3 {
		if err := create(c); err != nil && !errors.Is(err, privy.ErrConflict) {
			t.Fatal(err)
		}
	}
	if n, used := tokens(); n != 1 || used[0] != used[2] {
		t.Fatalf("%d exchanges, tokens %v; want one token reused", n, used)
	}
	clock.Advance(2*time.Hour + time.Second) // the token has expired on the fake's clock
	if err := list(c); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	n, used := tokens()
	if n != 2 || used[len(used)-1] == used[0] {
		t.Errorf("%d exchanges, tokens %v; want a new token after expiry", n, used)
	}
	for _, r := range srv.Requests() {
		if r.Status == 401 {
			t.Errorf("a request with an expired token was sent: %+v", r)
		}
	}
	_, _, err = c.ListContacts(ctx, &gen.ListContactsParams{Email: privy.Ptr("grace@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	// Invalid scope comes back as a typed error.
	bad, _ := privy.New(privy.WithBaseURL(srv.URL), privy.WithClientCredentials(privytest.DefaultClientID, privytest.DefaultClientSecret, "admin"))
	if _, _, err := bad.ListContacts(ctx, nil); !errors.Is(err, privy.ErrInvalidScope) {
		t.Errorf("err = %v, want ErrInvalidScope", err)
	}
}

func TestPrivytestRevokedTokenNotRetried(t *testing.T) {
	srv, _, c := start(t, nil)
	srv.RevokeToken(privytest.DefaultToken)
	err := list(c)
	if !errors.Is(err, privy.ErrUnauthorized) || len(srv.Requests()) != 1 {
		t.Errorf("err = %v after %d requests, want ErrUnauthorized after 1", err, len(srv.Requests()))
	}
}
