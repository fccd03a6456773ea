package cli

import (
	"log/slog"
	"net/http"
	"time"
)

// logTransport logs one line per request and one per response at debug level. It logs the
// method, the URL without its query values' secrets (the API puts none there), the status,
// the rate-limit headers and the elapsed time; never a header that carries a credential and
// never a body.
type logTransport struct {
	next http.RoundTripper
	log  *slog.Logger
	now  func() time.Time
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := t.now()
	auth := "none"
	if req.Header.Get("Authorization") != "" {
		auth = "bearer [REDACTED]"
	}
	t.log.Debug("request", "method", req.Method, "url", redactURL(req), "auth", auth)
	resp, err := t.next.RoundTrip(req)
	elapsed := t.now().Sub(start).Round(time.Millisecond)
	if err != nil {
		t.log.Debug("response", "method", req.Method, "url", redactURL(req), "err", err, "elapsed", elapsed)
		return resp, err
	}
	attrs := []any{"method", req.Method, "url", redactURL(req), "status", resp.StatusCode, "elapsed", elapsed}
	for _, h := range []string{"X-RateLimit-Remaining-Minute", "X-RateLimit-Remaining-Day", "Retry-After"} {
		if v := resp.Header.Get(h); v != "" {
			attrs = append(attrs, h, v)
		}
	}
	t.log.Debug("response", attrs...)
	return resp, nil
}

// redactURL returns the request URL without user information (which could hold a password).
func redactURL(req *http.Request) string {
	u := *req.URL
	u.User = nil
	return u.String()
}
