package privy

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	backoffFloor = 500 * time.Millisecond
	backoffCap   = 30 * time.Second
)

// maxDuration stands for a wait too long to represent.
const maxDuration = time.Duration(1<<63 - 1)

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP-date (a date in the past
// means no wait). ok is false when the value is absent or malformed.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, false
		}
		if err != nil || n > uint64(maxDuration/time.Second) {
			return maxDuration, true // far beyond any maximum wait
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// backoff is the wait before retry n (1-based) when the server named none: exponential with
// full jitter, between backoffFloor and backoffCap.
func backoff(n int) time.Duration {
	ceil := backoffCap
	if n < 16 {
		ceil = min(backoffCap, backoffFloor<<n)
	}
	return backoffFloor + rand.N(ceil-backoffFloor+1)
}

// retryable reports whether a response status may be retried: 429 always, 502/503/504 only for
// a safe operation with transient retries on.
func retryable(status int, transientOK bool) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return transientOK
	}
	return false
}

// tooLong reports whether waiting d would break the maximum wait or the context's deadline.
func (t *Transport) tooLong(ctx context.Context, d time.Duration) bool {
	if d > t.o.maxWait {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < d
}

// sleep waits d on the clock, or until ctx ends.
func (t *Transport) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-t.o.clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
