package privy

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateLimit is the API's rate-limit state from the X-RateLimit-* headers of a response. Zero
// fields mean the header was absent or malformed.
type RateLimit struct {
	LimitMinute, RemainingMinute int
	ResetMinute                  time.Time
	LimitDay, RemainingDay       int
	ResetDay                     time.Time
}

// resetSkew is the clock skew allowed between the server and the client on a reset time.
const resetSkew = 5 * time.Second

// parseRateLimit reads the six X-RateLimit-* headers; a malformed value reads as zero. A reset
// time further from now than its window (a minute, a day) plus resetSkew is capped to that, so
// that one bad response cannot block the client for longer than a window.
func parseRateLimit(h http.Header, now time.Time) RateLimit {
	return RateLimit{
		LimitMinute:     headerInt(h, "X-Ratelimit-Limit-Minute"),
		RemainingMinute: headerInt(h, "X-Ratelimit-Remaining-Minute"),
		ResetMinute:     capReset(headerUnix(h, "X-Ratelimit-Reset-Minute"), now, time.Minute),
		LimitDay:        headerInt(h, "X-Ratelimit-Limit-Day"),
		RemainingDay:    headerInt(h, "X-Ratelimit-Remaining-Day"),
		ResetDay:        capReset(headerUnix(h, "X-Ratelimit-Reset-Day"), now, 24*time.Hour),
	}
}

// capReset limits reset to now + window + resetSkew.
func capReset(reset, now time.Time, window time.Duration) time.Time {
	if limit := now.Add(window + resetSkew).Truncate(time.Second); reset.After(limit) {
		return limit.UTC()
	}
	return reset
}

// maxHeaderInt bounds parsed values so that they fit an int and a Unix time on any platform.
const maxHeaderInt = 1<<31 - 1

func headerInt(h http.Header, key string) int {
	v := h[key]
	if len(v) == 0 {
		return 0
	}
	n, err := strconv.ParseUint(v[0], 10, 31)
	if err != nil || n > maxHeaderInt {
		return 0
	}
	return int(n)
}

func headerUnix(h http.Header, key string) time.Time {
	n := headerInt(h, key)
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(int64(n), 0).UTC()
}

// limiter is the last known budget, shared by every goroutine using one Transport.
type limiter struct {
	mu      sync.Mutex
	rl      RateLimit
	guessed bool      // the minute window was rolled over locally; the next response replaces it
	passed  time.Time // the minute reset that passed when it was rolled over
}

func (l *limiter) get() RateLimit {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rl
}

// update merges the state of a response. Within one window the lower remaining count wins,
// so that responses arriving out of order never raise the budget; a later window replaces it.
func (l *limiter) update(rl RateLimit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &l.rl
	if rl.ResetMinute.After(l.passed) && (l.guessed || !rl.ResetMinute.Before(s.ResetMinute)) {
		l.guessed = false
		if !rl.ResetMinute.Equal(s.ResetMinute) || rl.RemainingMinute < s.RemainingMinute {
			s.RemainingMinute = rl.RemainingMinute
		}
		s.LimitMinute, s.ResetMinute = rl.LimitMinute, rl.ResetMinute
	}
	if !rl.ResetDay.IsZero() && !rl.ResetDay.Before(s.ResetDay) {
		if !rl.ResetDay.Equal(s.ResetDay) || rl.RemainingDay < s.RemainingDay {
			s.RemainingDay = rl.RemainingDay
		}
		s.LimitDay, s.ResetDay = rl.LimitDay, rl.ResetDay
	}
}

// reserve decides about sending a request now. It returns how long to wait for the minute
// budget, or a non-nil error when the daily budget is spent; otherwise it counts the request
// against the minute budget, so that concurrent callers do not overspend it. The day's figure
// is the server's alone, so that requests it does not count (401, 429) cause no drift.
func (l *limiter) reserve(now time.Time) (time.Duration, *Error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &l.rl
	if s.LimitDay > 0 && s.RemainingDay <= 0 && s.ResetDay.After(now) {
		wait := s.ResetDay.Sub(now)
		return 0, &Error{StatusCode: http.StatusTooManyRequests, Code: "rate_limited", RetryAfter: wait, RateLimit: *s,
			Message: "daily rate limit of " + strconv.Itoa(s.LimitDay) + " requests is spent; it resets at " +
				s.ResetDay.Format(time.RFC3339) + " (in " + wait.Round(time.Second).String() + "); request not sent"}
	}
	if s.LimitMinute > 0 && !s.ResetMinute.IsZero() && !now.Before(s.ResetMinute) {
		// The window has passed: count against a fresh one until the server tells.
		s.RemainingMinute, l.guessed, l.passed = s.LimitMinute, true, s.ResetMinute
		s.ResetMinute = s.ResetMinute.Add(now.Sub(s.ResetMinute).Truncate(time.Minute) + time.Minute)
	}
	if s.LimitMinute > 0 && s.RemainingMinute <= 0 && s.ResetMinute.After(now) {
		return s.ResetMinute.Sub(now), nil
	}
	if s.RemainingMinute > 0 {
		s.RemainingMinute-- // until the server's answer, which may be lower (other processes)
	}
	return 0, nil
}
