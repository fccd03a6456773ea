package privytest

import (
	"net/http"
	"strconv"
	"time"
)

// window is a fixed rate-limit window: its start and the requests counted in it.
type window struct {
	start time.Time
	used  int
}

// roll starts a new window when now has left the current one.
func (w *window) roll(start time.Time) {
	if !w.start.Equal(start) {
		w.start, w.used = start, 0
	}
}

// limits is the account's budget: a minute window aligned on the minute and a day window
// aligned on midnight UTC. The caller holds Fake.mu.
type limits struct {
	perMinute, perDay int
	minute, day       window
}

// rateState is what the six X-RateLimit-* headers say.
type rateState struct {
	limitMinute, remainingMinute int
	resetMinute                  time.Time
	limitDay, remainingDay       int
	resetDay                     time.Time
	retryAfter                   int // seconds; > 0 only when the request was refused
}

func (l *limits) roll(now time.Time) {
	l.minute.roll(now.Truncate(time.Minute))
	l.day.roll(now.UTC().Truncate(24 * time.Hour))
}

// state reports the current budget without spending it.
func (l *limits) state(now time.Time) rateState {
	l.roll(now)
	return rateState{
		limitMinute: l.perMinute, remainingMinute: max(0, l.perMinute-l.minute.used),
		resetMinute: l.minute.start.Add(time.Minute),
		limitDay:    l.perDay, remainingDay: max(0, l.perDay-l.day.used),
		resetDay: l.day.start.Add(24 * time.Hour),
	}
}

// take spends one request of the budget; when the budget is spent it spends nothing and
// reports ok false with the seconds until the exhausted window resets.
func (l *limits) take(now time.Time) (rateState, bool) {
	l.roll(now)
	if l.day.used >= l.perDay || l.minute.used >= l.perMinute {
		st := l.state(now)
		reset := st.resetMinute
		if l.day.used >= l.perDay {
			reset = st.resetDay
		}
		st.retryAfter = max(1, int((reset.Sub(now)+time.Second-1)/time.Second))
		return st, false
	}
	l.minute.used++
	l.day.used++
	return l.state(now), true
}

// set writes the six X-RateLimit-* headers, replacing whatever was there.
func (s rateState) set(h http.Header) {
	h.Set("X-RateLimit-Limit-Minute", strconv.Itoa(s.limitMinute))
	h.Set("X-RateLimit-Remaining-Minute", strconv.Itoa(s.remainingMinute))
	h.Set("X-RateLimit-Reset-Minute", strconv.FormatInt(s.resetMinute.Unix(), 10))
	h.Set("X-RateLimit-Limit-Day", strconv.Itoa(s.limitDay))
	h.Set("X-RateLimit-Remaining-Day", strconv.Itoa(s.remainingDay))
	h.Set("X-RateLimit-Reset-Day", strconv.FormatInt(s.resetDay.Unix(), 10))
	if s.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(s.retryAfter))
	}
}
