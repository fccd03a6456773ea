package privy

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
)

const testToken = "privy_0123456789abcdef0123456789abcdef01234567"

// fakeClock is a clock whose After advances it at once; it records every wait.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waits   []time.Duration
	block   bool // After fires only on Fire (for cancellation and concurrency tests)
	asked   chan time.Duration
	pending []chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC), asked: make(chan time.Duration, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.asked <- d
	ch := make(chan time.Time, 1)
	if !c.block {
		c.now = c.now.Add(d)
		ch <- c.now
	} else {
		c.pending = append(c.pending, ch)
	}
	return ch
}

// Fire sets the clock to t and fires every pending After.
func (c *fakeClock) Fire(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	for _, ch := range c.pending {
		ch <- t
	}
	c.pending = nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// reply is one scripted response.
type reply struct {
	status int
	header map[string]string
	body   string
	hangup bool // close the connection without answering
}

func envelope(code gen.ErrorCode, msg string) string {
	b, _ := json.Marshal(gen.ErrorEnvelope{Error: gen.ErrorBody{Code: code, Message: msg}})
	return string(b)
}

var (
	rateLimited  = reply{status: 429, header: map[string]string{"Retry-After": "2"}, body: envelope("rate_limited", "Rate limit exceeded")}
	unauthorized = reply{status: 401, body: envelope("unauthorized", "Bearer token is missing or invalid")}
	badGateway   = reply{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: "<html><body><h1>502 Bad Gateway</h1></body></html>"}
)

// seen is a request as the server received it.
type seen struct {
	Method, Path, Query, Auth, UA string
	Body                          []byte
}

// server is a scripted API: it answers the queued replies first, then 200 with a contact or a
// page of contacts. It stamps rate-limit headers computed from its clock.
type server struct {
	*httptest.Server
	t         testing.TB
	clock     *fakeClock
	mu        sync.Mutex
	queue     []reply
	requests  []seen
	contacts  []gen.Contact
	limit     func(n int) (remaining int) // remaining minute budget after n requests (nil: plenty)
	oauth     http.HandlerFunc            // serves /oauth/token
	perMinute int                         // the X-RateLimit-Limit-Minute sent (default 60)
}

func newServer(t testing.TB, clock *fakeClock, replies ...reply) *server {
	s := &server{t: t, clock: clock, queue: replies, contacts: makeContacts(3)}
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

func (s *server) URL1() string { return s.URL + "/v1" }

func (s *server) Requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.requests...)
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth/token" && s.oauth != nil {
		s.oauth(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("User-Agent"), body})
	n := len(s.requests)
	var rep *reply
	if len(s.queue) > 0 {
		rep = &s.queue[0]
		s.queue = s.queue[1:]
	}
	contacts := s.contacts
	s.mu.Unlock()
	now := s.clock.Now()
	h := w.Header()
	remaining := 59
	if s.limit != nil {
		remaining = s.limit(n)
	}
	h.Set("X-RateLimit-Limit-Minute", strconv.Itoa(orDefault(s.perMinute, 60)))
	h.Set("X-RateLimit-Remaining-Minute", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset-Minute", strconv.FormatInt(now.Truncate(time.Minute).Add(time.Minute).Unix(), 10))
	h.Set("X-RateLimit-Limit-Day", "10000")
	h.Set("X-RateLimit-Remaining-Day", strconv.Itoa(10000-n))
	h.Set("X-RateLimit-Reset-Day", strconv.FormatInt(now.Truncate(24*time.Hour).Add(24*time.Hour).Unix(), 10))
	if remaining < 0 {
		rep = &reply{status: 429, header: map[string]string{"Retry-After": "60"}, body: envelope("rate_limited", "Rate limit exceeded")}
		h.Set("X-RateLimit-Remaining-Minute", "0")
	}
	if rep != nil {
		if rep.hangup {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
		for k, v := range rep.header {
			h.Set(k, v)
		}
		w.WriteHeader(rep.status)
		io.WriteString(w, rep.body)
		return
	}
	h.Set("Content-Type", "application/json")
	if r.Method == http.MethodGet {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, per = max(page, 1), orDefault(per, 25)
		lo, hi := min((page-1)*per, len(contacts)), min(page*per, len(contacts))
		json.NewEncoder(w).Encode(gen.ContactList{Data: contacts[lo:hi], Pagination: gen.Pagination{Page: page, PerPage: per,
			TotalCount: len(contacts), TotalPages: (len(contacts) + per - 1) / per}})
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/v1/contacts" {
		w.WriteHeader(http.StatusCreated)
	}
	json.NewEncoder(w).Encode(gen.ContactEnvelope{Data: contacts[0]})
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// makeContacts returns n realistic contacts.
func makeContacts(n int) []gen.Contact {
	out := make([]gen.Contact, n)
	created := time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)
	for i := range out {
		first, last := fmt.Sprintf("Jane%d", i), "Doe"
		email, phone := fmt.Sprintf("jane.doe%d@example.com", i), fmt.Sprintf("+1555%07d", i)
		out[i] = gen.Contact{FirstName: &first, LastName: &last, Email: &email, PhoneNumber: &phone,
			EmailPermission: gen.ConsentSubscribed, ContactPhonePermission: gen.ConsentNonSubscribed,
			Tags: []string{"vip", "newsletter"}, CustomFields: gen.CustomFields{"loyalty_tier": "gold", "visits": float64(i)},
			CreatedAt: created.Add(time.Duration(i) * time.Minute), UpdatedAt: created.Add(time.Duration(i) * time.Hour)}
	}
	return out
}

// newTestClient returns a client for s with the fake clock and extra options.
func newTestClient(t testing.TB, s *server, opts ...Option) *Client {
	t.Helper()
	c, err := New(append([]Option{WithToken(testToken), WithBaseURL(s.URL1()), WithClock(s.clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }
