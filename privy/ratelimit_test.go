package privy

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
)

// windowBudget returns a server limit function allowing perMinute requests per clock minute; it
// counts the requests that had to be answered 429.
func windowBudget(clock *fakeClock, perMinute int, rejected *int) func(int) int {
	var mu sync.Mutex
	var window time.Time
	used := 0
	return func(int) int {
		mu.Lock()
		defer mu.Unlock()
		if w := clock.Now().Truncate(time.Minute); !w.Equal(window) {
			window, used = w, 0
		}
		used++
		if used > perMinute {
			*rejected++
		}
		return perMinute - used
	}
}

func TestPacingSpendsNo429(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, clock)
	rejected := 0
	s.limit, s.perMinute = windowBudget(clock, 1, &rejected), 1
	c := newTestClient(t, s)
	_, resp, err := c.ListContacts(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	reset := time.Date(2025, 1, 15, 10, 31, 0, 0, time.UTC)
	want := RateLimit{LimitMinute: 1, RemainingMinute: 0, ResetMinute: reset, LimitDay: 10000, RemainingDay: 9999,
		ResetDay: time.Date(2025, 1, 16, 0, 0, 0, 0, time.UTC)}
	if resp.RateLimit != want || c.RateLimit() != want {
		t.Fatalf("RateLimit = %+v (client %+v), want %+v", resp.RateLimit, c.RateLimit(), want)
	}
	if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if w := clock.Waits(); len(w) != 1 || w[0] != time.Minute {
		t.Errorf("waits = %v, want one wait of 1m until the reset", w)
	}
	if rejected != 0 || len(s.Requests()) != 2 {
		t.Errorf("%d of %d requests were rate limited, want none", rejected, len(s.Requests()))
	}
}

func TestPacingConcurrentCallersShareTheBudget(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, clock)
	rejected := 0
	s.limit, s.perMinute = windowBudget(clock, 5, &rejected), 5
	c := newTestClient(t, s)
	for range 5 { // the minute budget is spent
		if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	clock.block = true
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
				t.Error(err)
			}
		})
	}
	waitFor := func(waits, requests int) {
		t.Helper()
		for range waits {
			select {
			case d := <-clock.asked:
				if d <= 0 || d > time.Minute {
					t.Errorf("wait %v, want up to the reset", d)
				}
			case <-time.After(10 * time.Second): // a guard against a hang, not a sleep
				t.Fatalf("the callers did not wait for the reset; server saw %d requests", len(s.Requests()))
			}
		}
		for len(s.Requests()) < requests {
			runtime.Gosched() // the requests let through may still be on their way
		}
		if n := len(s.Requests()); n != requests {
			t.Fatalf("server saw %d requests, want %d", n, requests)
		}
	}
	waitFor(8, 5) // all eight wait for the reset; none is sent
	reset := time.Date(2025, 1, 15, 10, 31, 0, 0, time.UTC)
	clock.Fire(reset)
	waitFor(3, 5+5) // five go in the new window, three wait for the next one
	clock.Fire(reset.Add(time.Minute))
	wg.Wait()
	if rejected != 0 || len(s.Requests()) != 13 {
		t.Errorf("%d of %d requests were rate limited, want none", rejected, len(s.Requests()))
	}
}

func TestPacingMinuteWaitBeyondMaxWait(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, clock)
	s.limit = func(int) int { return 0 }
	c := newTestClient(t, s, WithMaxWait(10*time.Second))
	c.ListContacts(context.Background(), nil)
	_, _, err := c.ListContacts(context.Background(), nil)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrRateLimited) || e.RetryAfter != time.Minute || e.Response != nil {
		t.Fatalf("err = %v, want a local ErrRateLimited with RetryAfter 1m", err)
	}
	if len(s.Requests()) != 1 || len(clock.Waits()) != 0 {
		t.Errorf("%d requests and waits %v, want 1 and none", len(s.Requests()), clock.Waits())
	}
}

func TestPacingDailyBudgetFailsFast(t *testing.T) {
	clock := newFakeClock()
	empty := `{"data":[],"pagination":{"page":1,"per_page":25,"total_count":0,"total_pages":0}}`
	s := newServer(t, clock, reply{status: 200, body: empty, header: map[string]string{"X-RateLimit-Remaining-Day": "0"}})
	c := newTestClient(t, s)
	if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.CreateContact(context.Background(), jane)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrRateLimited) || e.RetryAfter != 13*time.Hour+30*time.Minute {
		t.Fatalf("err = %v, want ErrRateLimited with RetryAfter 13h30m", err)
	}
	if !strings.Contains(err.Error(), "resets at 2025-01-16T00:00:00Z") || e.RateLimit.RemainingDay != 0 {
		t.Errorf("Error() = %q, want it to say when the budget resets", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("X-RateLimit-Limit-Minute", "60")
	h.Set("X-RateLimit-Remaining-Minute", "-3") // malformed: reads as 0
	h.Set("X-RateLimit-Reset-Minute", "1736937060")
	h.Set("X-RateLimit-Limit-Day", "ten thousand")
	h.Set("X-RateLimit-Remaining-Day", "9999")
	h.Set("X-RateLimit-Reset-Day", "99999999999999999999")
	want := RateLimit{LimitMinute: 60, ResetMinute: time.Unix(1736937060, 0).UTC(), RemainingDay: 9999}
	if got := parseRateLimit(h, time.Unix(1736937030, 0)); got != want {
		t.Errorf("parseRateLimit = %+v, want %+v", got, want)
	}
}

func TestLimiterKeepsLowestWithinWindow(t *testing.T) {
	reset := time.Unix(1736937060, 0).UTC()
	var l limiter
	l.update(RateLimit{LimitMinute: 60, RemainingMinute: 5, ResetMinute: reset})
	l.update(RateLimit{LimitMinute: 60, RemainingMinute: 7, ResetMinute: reset})                    // late, stale answer
	l.update(RateLimit{LimitMinute: 60, RemainingMinute: 60, ResetMinute: reset.Add(-time.Minute)}) // older window
	if got := l.get().RemainingMinute; got != 5 {
		t.Errorf("remaining = %d, want 5", got)
	}
	l.update(RateLimit{LimitMinute: 60, RemainingMinute: 59, ResetMinute: reset.Add(time.Minute)})
	if got := l.get().RemainingMinute; got != 59 {
		t.Errorf("remaining in the next window = %d, want 59", got)
	}
	l.update(RateLimit{}) // a response without headers (a proxy's 502) changes nothing
	if got := l.get(); got.RemainingMinute != 59 || got.LimitMinute != 60 {
		t.Errorf("after a response without headers: %+v", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, clock)
	s.contacts = makeContacts(250)
	c := newTestClient(t, s, WithTransientRetries())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ctx := context.Background()
			var err error
			switch i % 4 {
			case 0:
				n := 0
				for _, err = range c.Contacts(ctx, nil) {
					n++
				}
				if err == nil && n != 250 {
					t.Errorf("iterated %d contacts, want 250", n)
				}
			case 1:
				_, _, err = c.CreateContact(ctx, jane)
			case 2:
				_, _, err = c.UpdateContact(ctx, gen.UpdateContactRequest{Email: ptr("jane@example.com"), Tags: &[]string{strconv.Itoa(i)}})
			case 3:
				_, _, err = c.UnsubscribeContact(ctx, gen.UnsubscribeContactRequest{PhoneNumber: ptr("+15551234567")})
			}
			if err != nil {
				t.Error(err)
			}
			_ = c.RateLimit()
		})
	}
	wg.Wait()
}

func TestLimiterCountsMinuteNotDay(t *testing.T) {
	now := time.Unix(1736937000, 0).UTC()
	state := RateLimit{LimitMinute: 60, RemainingMinute: 1, ResetMinute: now.Add(time.Minute), LimitDay: 10000, RemainingDay: 1,
		ResetDay: now.Add(time.Hour)}
	var l limiter
	l.update(state)
	if d, err := l.reserve(now); d != 0 || err != nil {
		t.Fatalf("first reserve = %v, %v", d, err)
	}
	if d, err := l.reserve(now); d != time.Minute || err != nil {
		t.Fatalf("with the minute's last request sent, reserve = %v, %v; want a wait of 1m", d, err)
	}
	// The next window is assumed fresh until the server answers; the day's figure is the server's.
	if d, err := l.reserve(now.Add(time.Minute)); d != 0 || err != nil || l.get().RemainingMinute != 59 || l.get().RemainingDay != 1 {
		t.Fatalf("next window: reserve = %v, %v with %+v", d, err, l.get())
	}
	l.update(RateLimit{LimitMinute: 60, RemainingMinute: 55, ResetMinute: now.Add(2 * time.Minute), LimitDay: 10000, RemainingDay: 0,
		ResetDay: now.Add(time.Hour)})
	if got := l.get().RemainingMinute; got != 55 {
		t.Errorf("the server's answer for the guessed window: remaining %d, want 55", got)
	}
	if _, err := l.reserve(now.Add(time.Minute)); err == nil || err.RetryAfter != time.Hour-time.Minute {
		t.Fatalf("spent day: err = %v", err)
	}
}
