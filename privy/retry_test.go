package privy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
)

var jane = gen.CreateContactRequest{Email: ptr("jane@example.com"), FirstName: ptr("Jane"),
	Tags: []string{"vip"}, CustomFields: gen.CustomFields{"loyalty_tier": "gold"}}

func TestRetry429(t *testing.T) {
	clock := newFakeClock()
	httpDate := clock.Now().Add(5 * time.Second).Format(http.TimeFormat)
	with := func(h map[string]string) reply {
		r := rateLimited
		r.header = h
		return r
	}
	tests := []struct {
		name     string
		replies  []reply
		opts     []Option
		ctx      func() (context.Context, context.CancelFunc)
		requests int
		waits    func(t *testing.T, w []time.Duration)
		wantErr  bool
		after    time.Duration // Error.RetryAfter
	}{
		{name: "seconds", replies: []reply{with(map[string]string{"Retry-After": "2"})}, requests: 2,
			waits: exact(2 * time.Second)},
		{name: "HTTP-date", replies: []reply{with(map[string]string{"Retry-After": httpDate})}, requests: 2,
			waits: exact(5 * time.Second)},
		{name: "date in the past", replies: []reply{with(map[string]string{"Retry-After": "Mon, 02 Jan 2006 15:04:05 GMT"})}, requests: 2,
			waits: exact()},
		{name: "no Retry-After backs off with jitter", replies: []reply{with(nil), with(nil), with(nil)}, requests: 4,
			waits: func(t *testing.T, w []time.Duration) {
				if len(w) != 3 {
					t.Fatalf("waits = %v, want 3", w)
				}
				for i, d := range w {
					if hi := backoffFloor << (i + 1); d < backoffFloor || d > hi {
						t.Errorf("wait %d = %v, want within [%v, %v]", i+1, d, backoffFloor, hi)
					}
				}
			}},
		{name: "malformed Retry-After backs off", replies: []reply{with(map[string]string{"Retry-After": "soon"})}, requests: 2,
			waits: func(t *testing.T, w []time.Duration) {
				if len(w) != 1 || w[0] < backoffFloor || w[0] > 2*backoffFloor {
					t.Errorf("waits = %v, want one backoff", w)
				}
			}},
		{name: "beyond max wait returns at once", replies: []reply{with(map[string]string{"Retry-After": "3600"})}, requests: 1,
			waits: exact(), wantErr: true, after: time.Hour},
		{name: "beyond the context deadline returns at once", replies: []reply{with(map[string]string{"Retry-After": "30"})},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 10*time.Second)
			}, requests: 1, waits: exact(), wantErr: true, after: 30 * time.Second},
		{name: "attempts run out, the last response is kept", replies: []reply{rateLimited, rateLimited, rateLimited, rateLimited},
			requests: 4, waits: exact(2*time.Second, 2*time.Second, 2*time.Second), wantErr: true, after: 2 * time.Second},
		{name: "max attempts 1 disables retries", replies: []reply{rateLimited}, opts: []Option{WithMaxAttempts(1)},
			requests: 1, waits: exact(), wantErr: true, after: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			s := newServer(t, clock, tt.replies...)
			c := newTestClient(t, s, tt.opts...)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			got, resp, err := c.CreateContact(ctx, jane)
			reqs := s.Requests()
			if len(reqs) != tt.requests {
				t.Fatalf("server saw %d requests, want %d", len(reqs), tt.requests)
			}
			want, _ := json.Marshal(jane)
			for _, r := range reqs {
				if !bytes.Equal(r.Body, want) || r.Auth != "Bearer "+testToken {
					t.Errorf("attempt sent body %q auth %q, want %q and the token", r.Body, r.Auth, want)
				}
			}
			tt.waits(t, clock.Waits())
			if !tt.wantErr {
				if err != nil || got == nil || resp.StatusCode != 201 {
					t.Fatalf("CreateContact = %v, %v, want the contact", got, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrRateLimited) {
				t.Fatalf("err = %v, want an *Error that is ErrRateLimited", err)
			}
			if e.StatusCode != 429 || e.RetryAfter != tt.after || e.Response == nil || e.Response.StatusCode != 429 ||
				e.Message != "Rate limit exceeded" || e.RateLimit.LimitMinute != 60 || resp == nil {
				t.Errorf("error = %+v, want the final 429 with RetryAfter %v", e, tt.after)
			}
		})
	}
}

func exact(want ...time.Duration) func(*testing.T, []time.Duration) {
	return func(t *testing.T, got []time.Duration) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("waits = %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("waits = %v, want %v", got, want)
			}
		}
	}
}

func TestRetryWaitEndsWithContext(t *testing.T) {
	clock := newFakeClock()
	clock.block = true
	s := newServer(t, clock, rateLimited)
	c := newTestClient(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-clock.asked // the client is waiting on the clock
		cancel()
	}()
	_, _, err := c.ListContacts(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestNotRetried(t *testing.T) {
	validation := `{"error":{"code":"validation_failed","message":"One or more fields are invalid",` +
		`"details":[{"field":"email","message":"has already been taken"}]}}`
	tests := []struct {
		rep      reply
		sentinel error
		code     gen.ErrorCode
		text     string
	}{
		{unauthorized, ErrUnauthorized, "unauthorized", "privy: 401 unauthorized: Bearer token is missing or invalid"},
		{reply{status: 403, body: envelope("insufficient_scope", "Token lacks the contacts_write scope")}, ErrInsufficientScope, "insufficient_scope", ""},
		{reply{status: 404, body: envelope("not_found", "The contact could not be found")}, ErrNotFound, "not_found",
			"privy: 404 not_found: The contact could not be found"},
		{reply{status: 409, body: envelope("conflict", "A contact with this email already exists")}, ErrConflict, "conflict", ""},
		{reply{status: 422, body: validation}, ErrValidationFailed, "validation_failed",
			"privy: 422 validation_failed: One or more fields are invalid (email: has already been taken)"},
		{reply{status: 500, body: `{"error":{"code":"internal","message":"Something went wrong"}}`}, nil, "internal",
			"privy: 500 internal: Something went wrong"},
		{badGateway, nil, "", "privy: 502 Bad Gateway: <html><body><h1>502 Bad Gateway</h1></body></html>"},
		{reply{status: 503}, nil, "", "privy: 503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.rep.status), func(t *testing.T) {
			s := newServer(t, newFakeClock(), tt.rep, tt.rep)
			c := newTestClient(t, s)
			_, resp, err := c.UpdateContact(context.Background(), gen.UpdateContactRequest{Email: ptr("jane@example.com"), FirstName: ptr("J")})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if n := len(s.Requests()); n != 1 {
				t.Errorf("server saw %d requests, want 1 (no retry)", n)
			}
			if e.StatusCode != tt.rep.status || e.Code != tt.code || resp.StatusCode != tt.rep.status || string(e.Body) != tt.rep.body {
				t.Errorf("error = %+v", e)
			}
			if tt.text != "" && e.Error() != tt.text {
				t.Errorf("Error() = %q, want %q", e.Error(), tt.text)
			}
			for _, s := range []error{ErrUnauthorized, ErrInsufficientScope, ErrNotFound, ErrConflict, ErrValidationFailed, ErrRateLimited} {
				if errors.Is(err, s) != (s == tt.sentinel) {
					t.Errorf("errors.Is(err, %v) = %v", s, !(s == tt.sentinel))
				}
			}
		})
	}
}

func TestConnectionReset(t *testing.T) {
	hangup := reply{hangup: true}
	unavailable := reply{status: 503, header: map[string]string{"Retry-After": "1"}, body: "upstream unavailable"}
	update := func(c *Client) error {
		_, _, err := c.UpdateContact(context.Background(), gen.UpdateContactRequest{Email: ptr("jane@example.com"), FirstName: ptr("J")})
		return err
	}
	tests := []struct {
		name      string
		transient bool
		replies   []reply
		call      func(*Client) error
		requests  int
		ok        bool
	}{
		{"reset, default: not retried", false, []reply{hangup}, func(c *Client) error { _, _, err := c.ListContacts(context.Background(), nil); return err }, 1, false},
		{"reset, list: retried", true, []reply{hangup, hangup}, func(c *Client) error { _, _, err := c.ListContacts(context.Background(), nil); return err }, 3, true},
		{"reset, update: retried", true, []reply{hangup}, update, 2, true},
		{"503, update: retried", true, []reply{unavailable, badGateway, {status: 504}}, update, 4, true},
		{"503, unsubscribe: retried", true, []reply{unavailable}, func(c *Client) error {
			_, _, err := c.UnsubscribeContact(context.Background(), gen.UnsubscribeContactRequest{Email: ptr("jane@example.com")})
			return err
		}, 2, true},
		{"reset, create: never retried", true, []reply{hangup}, func(c *Client) error { _, _, err := c.CreateContact(context.Background(), jane); return err }, 1, false},
		{"503, create: never retried", true, []reply{unavailable}, func(c *Client) error { _, _, err := c.CreateContact(context.Background(), jane); return err }, 1, false},
		{"reset, delete: never retried", true, []reply{hangup}, func(c *Client) error {
			_, _, err := c.DeleteContact(context.Background(), gen.DeleteContactRequest{Email: ptr("jane@example.com")})
			return err
		}, 1, false},
		{"502, delete: never retried", true, []reply{badGateway}, func(c *Client) error {
			_, _, err := c.DeleteContact(context.Background(), gen.DeleteContactRequest{Email: ptr("jane@example.com")})
			return err
		}, 1, false},
		{"503, update, default: not retried", false, []reply{unavailable}, update, 1, false},
		{"reset, validation off: still known", true, []reply{hangup}, update, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, newFakeClock(), tt.replies...)
			// No keep-alive, so that net/http never replays a request on its own.
			opts := []Option{WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})}
			if tt.transient {
				opts = append(opts, WithTransientRetries())
			}
			if tt.name == "reset, validation off: still known" {
				opts = append(opts, WithoutValidation())
			}
			err := tt.call(newTestClient(t, s, opts...))
			if n := len(s.Requests()); n != tt.requests {
				t.Errorf("server saw %d requests, want %d", n, tt.requests)
			}
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && tt.replies[0].hangup {
				var e *Error
				if errors.As(err, &e) || errors.Unwrap(err) == nil {
					t.Errorf("err = %#v, want a wrapped transport error", err)
				}
			}
		})
	}
}
