package privytest_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest"
)

func TestRateLimits(t *testing.T) {
	// At 10:30:15 the minute window resets in 45 s.
	e := newEnv(t, privytest.WithLimits(3, 5))
	e.clock.Advance(15 * time.Second)
	minuteReset := strconv.FormatInt(start.Add(time.Minute).Unix(), 10)
	dayReset := strconv.FormatInt(time.Date(2025, 1, 16, 0, 0, 0, 0, time.UTC).Unix(), 10)
	type want struct {
		status                   int
		remainingMin, remainDay  string
		retryAfter, minuteResets string
	}
	step := func(name string, advance time.Duration, token string, w want) {
		t.Helper()
		e.clock.Advance(advance)
		status, h, body := doRaw(t, http.MethodGet, e.srv.URL+"/contacts", token, "", "")
		got := want{status, h.Get("X-RateLimit-Remaining-Minute"), h.Get("X-RateLimit-Remaining-Day"), h.Get("Retry-After"), h.Get("X-RateLimit-Reset-Minute")}
		if got != w {
			t.Errorf("%s: got %+v, want %+v (%s)", name, got, w, body)
		}
		if h.Get("X-RateLimit-Limit-Minute") != "3" || h.Get("X-RateLimit-Limit-Day") != "5" || h.Get("X-RateLimit-Reset-Day") != dayReset {
			t.Errorf("%s: limit headers %v", name, h)
		}
		if status == 429 {
			if b := errorOf(t, body); b.Code != gen.ErrorCodeRateLimited || b.Message != replyMsg("RateLimited") {
				t.Errorf("%s: 429 body %s", name, body)
			}
		}
	}
	tok := privytest.DefaultToken
	step("1st", 0, tok, want{200, "2", "4", "", minuteReset})
	step("unauthenticated does not count", 0, "", want{401, "2", "4", "", minuteReset})
	step("2nd", 0, tok, want{200, "1", "3", "", minuteReset})
	step("3rd", 0, tok, want{200, "0", "2", "", minuteReset})
	step("4th is refused", 0, tok, want{429, "0", "2", "45", minuteReset})
	step("refusals do not count", 44*time.Second, tok, want{429, "0", "2", "1", minuteReset})
	next := strconv.FormatInt(start.Add(2*time.Minute).Unix(), 10)
	step("next minute", time.Second, tok, want{200, "2", "1", "", next})
	step("day spent", 0, tok, want{200, "1", "0", "", next})
	untilMidnight := strconv.Itoa(int(time.Date(2025, 1, 16, 0, 0, 0, 0, time.UTC).Sub(start.Add(time.Minute)).Seconds()))
	step("day refused until midnight", 0, tok, want{429, "1", "0", untilMidnight, next})
	e.clock.Advance(24 * time.Hour)
	status, h, _ := doRaw(t, http.MethodGet, e.srv.URL+"/contacts", tok, "", "")
	if status != 200 || h.Get("X-RateLimit-Remaining-Day") != "4" {
		t.Errorf("next day: %d %v", status, h)
	}
}

func TestRateLimitHeadersOnEveryResponse(t *testing.T) {
	e := newEnv(t)
	e.srv.AddToken("privy_ro", time.Time{}, privytest.ScopeRead)
	cases := []struct {
		method, path, token, body string
		status                    int
	}{
		{"GET", "/contacts", privytest.DefaultToken, "", 200},
		{"POST", "/contacts", privytest.DefaultToken, `{}`, 422},
		{"PATCH", "/contacts", privytest.DefaultToken, `{"email":"x@example.com","first_name":"X"}`, 404},
		{"POST", "/contacts", "privy_ro", `{"email":"x@example.com"}`, 403},
		{"GET", "/contacts", "bad", "", 401},
		{"GET", "/nowhere", privytest.DefaultToken, "", 404},
		{"POST", "/oauth/token", privytest.DefaultToken, "", 404}, // the token endpoint is outside /v1
	}
	for _, c := range cases {
		status, h, body := doRaw(t, c.method, e.srv.URL+c.path, c.token, "application/json", c.body)
		if status != c.status {
			t.Errorf("%s %s: status %d, want %d: %s", c.method, c.path, status, c.status, body)
		}
		for _, name := range []string{"Limit-Minute", "Remaining-Minute", "Reset-Minute", "Limit-Day", "Remaining-Day", "Reset-Day"} {
			if _, err := strconv.Atoi(h.Get("X-RateLimit-" + name)); err != nil {
				t.Errorf("%s %s: X-RateLimit-%s = %q", c.method, c.path, name, h.Get("X-RateLimit-"+name))
			}
		}
	}
}
