package privy

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/privy-go/privy-go/gen"
)

func FuzzDecodeError(f *testing.F) {
	f.Add(404, []byte(envelope("not_found", "The contact could not be found")))
	f.Add(422, []byte(`{"error":{"code":"validation_failed","message":"One or more fields are invalid","details":[{"field":"email","message":"is required"}]}}`))
	f.Add(422, []byte(`{"error":{"code":"validation_failed","message":"x","details":"oops"}}`))
	f.Add(401, []byte(`{"error":"invalid_client","error_description":"Client authentication failed"}`))
	f.Add(429, []byte(`{"error":{"code":"rate_limited","message":"Rate limit exceeded"}}`))
	f.Add(502, []byte("<html><body>502 Bad Gateway\r\nX-Injected: 1</body></html>"))
	f.Add(500, []byte(""))
	f.Add(500, []byte("\xff\xfe{\"error\":"))
	f.Add(418, []byte(`{"error":{"code":"teapot","message":"`+strings.Repeat("é", 500)+`"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeError(status, body)
		if e.StatusCode != status || string(e.Body) != string(body) {
			t.Fatalf("status/body not kept: %+v", e)
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "privy: "+strconv.Itoa(status)) || !utf8.ValidString(msg) ||
			strings.ContainsAny(msg, "\r\n") || len(msg) > 2048 {
			t.Fatalf("Error() = %q: want one bounded line of valid UTF-8 starting with the status", msg)
		}
		matches := 0
		for _, s := range sentinels {
			if e.Is(s) {
				matches++
			}
		}
		if matches > 1 {
			t.Fatalf("%v matches %d sentinels", e, matches)
		}
		// A well-formed envelope is read exactly.
		var env gen.ErrorEnvelope
		if json.Unmarshal(body, &env) == nil && (env.Error.Code != "" || env.Error.Message != "") {
			if e.Code != env.Error.Code || e.Message != env.Error.Message {
				t.Fatalf("envelope %s decoded as %q %q", body, e.Code, e.Message)
			}
			if env.Error.Details != nil && len(*env.Error.Details) != len(e.Details) {
				t.Fatalf("details %v decoded as %v", *env.Error.Details, e.Details)
			}
			if s, ok := sentinels[env.Error.Code]; ok && !e.Is(s) {
				t.Fatalf("code %s does not match its sentinel", env.Error.Code)
			}
		}
	})
}

func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)
	for _, s := range []string{"", "0", "2", " 120 ", "-1", "1.5", "soon", "99999999999999999999",
		"Wed, 15 Jan 2025 10:30:05 GMT", "Wednesday, 15-Jan-25 10:30:05 GMT", "Wed Jan 15 10:30:05 2025", "Mon, 02 Jan 2006 15:04:05 GMT"} {
		f.Add(s, uint32(7))
	}
	f.Fuzz(func(t *testing.T, v string, secs uint32) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", v, d, ok)
		}
		tv := strings.TrimSpace(v)
		if n, err := strconv.ParseUint(tv, 10, 32); err == nil && (!ok || d != time.Duration(n)*time.Second) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v; want %d seconds", v, d, ok, n)
		}
		if at, err := http.ParseTime(tv); err == nil && (tv[0] < '0' || tv[0] > '9') && (!ok || d != max(at.Sub(now), 0)) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v; want until %v", v, d, ok, at)
		}
		// Both forms of a known wait read back exactly.
		want := time.Duration(secs) * time.Second
		if d, ok := parseRetryAfter(strconv.FormatUint(uint64(secs), 10), now); !ok || d != want {
			t.Fatalf("seconds %d read as %v", secs, d)
		}
		if d, ok := parseRetryAfter(now.Add(want).Format(http.TimeFormat), now); !ok || d != want {
			t.Fatalf("date %v ahead read as %v", want, d)
		}
	})
}

func FuzzRateLimitHeaders(f *testing.F) {
	f.Add("60", "59", "1736937060", "10000", "9999", "1737000000", uint32(60), uint32(0), uint32(1736937060))
	f.Add("", "-1", "1.5e9", "0x10", "+5", "99999999999999999999", uint32(0), uint32(0), uint32(0))
	f.Add(" 60", "٣", "1736937060 ", "10000,10000", "", "0", uint32(1<<31), uint32(5), uint32(1))
	farFuture := time.Unix(maxHeaderInt+1, 0)
	f.Fuzz(func(t *testing.T, lm, rm, xm, ld, rd, xd string, limit, remaining, reset uint32) {
		h := http.Header{}
		for k, v := range map[string]string{"X-RateLimit-Limit-Minute": lm, "X-RateLimit-Remaining-Minute": rm,
			"X-RateLimit-Reset-Minute": xm, "X-RateLimit-Limit-Day": ld, "X-RateLimit-Remaining-Day": rd, "X-RateLimit-Reset-Day": xd} {
			h.Set(k, v)
		}
		rl := parseRateLimit(h, farFuture) // no reset is capped
		want := func(v string) int {       // a plain decimal that fits 31 bits, otherwise 0
			for _, c := range v {
				if c < '0' || c > '9' {
					return 0
				}
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n > maxHeaderInt {
				return 0
			}
			return int(n)
		}
		unix := func(v string) time.Time {
			if n := want(v); n > 0 {
				return time.Unix(int64(n), 0).UTC()
			}
			return time.Time{}
		}
		if exp := (RateLimit{want(lm), want(rm), unix(xm), want(ld), want(rd), unix(xd)}); rl != exp {
			t.Fatalf("parsed %+v, want %+v", rl, exp)
		}
		// Values the API sends read back exactly.
		limit, remaining, reset = limit&maxHeaderInt, remaining&maxHeaderInt, reset&maxHeaderInt|1
		h.Set("X-RateLimit-Limit-Minute", strconv.Itoa(int(limit)))
		h.Set("X-RateLimit-Remaining-Minute", strconv.Itoa(int(remaining)))
		h.Set("X-RateLimit-Reset-Minute", strconv.Itoa(int(reset)))
		rl = parseRateLimit(h, farFuture)
		if rl.LimitMinute != int(limit) || rl.RemainingMinute != int(remaining) || !rl.ResetMinute.Equal(time.Unix(int64(reset), 0)) {
			t.Fatalf("round trip: %+v", rl)
		}
		// Whatever the headers say, pacing never waits past the reset nor a negative time.
		var l limiter
		l.update(rl)
		now := time.Unix(int64(reset), 0).Add(-30 * time.Second)
		d, e := l.reserve(now)
		if d < 0 || d > 30*time.Second || (e != nil && (e.RetryAfter <= 0 || !strings.Contains(e.Error(), "resets at"))) {
			t.Fatalf("reserve = %v, %v for %+v", d, e, rl)
		}
	})
}
