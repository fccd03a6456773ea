package privy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/privy-go/privy-go/privy/spec"
)

// Transport is the layer under every Client: it authenticates, validates, paces and retries
// requests to the API host. It is an http.RoundTripper and a Doer, so code using package gen
// directly gets the same behaviour (CheckResponse turns its error responses into *Error).
// Requests to other hosts pass through untouched.
//
// Each attempt is bounded by WithTimeout, reading the body included, and the body by
// WithMaxResponseBytes; an error body is cut to 64 KiB and scrubbed of the client's credentials.
// The final response is returned whatever its status (after retries, or at once when the
// wait it asks for is too long); an error is returned only when there is no response: a request
// refused before sending (an *Error), a failed token exchange (an *Error) or a transport failure.
type Transport struct {
	o         options
	base      *url.URL
	doer      Doer
	creds     credentials
	validator *spec.Validator
	ops       map[string]*operation
	limits    limiter
}

// NewTransport returns a Transport configured by opts; WithToken or WithClientCredentials is
// required.
func NewTransport(opts ...Option) (*Transport, error) {
	o := defaults()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("privy: %w", err)
		}
	}
	base, err := url.Parse(o.baseURL) // checked by WithBaseURL
	if err != nil {
		return nil, fmt.Errorf("privy: %w", err)
	}
	if o.tokenURL == "" {
		o.tokenURL = defaultTokenURL(o.baseURL)
	}
	t := &Transport{o: o, base: base, doer: guardRedirects(o.doer, base)}
	switch {
	case o.token != "":
		t.creds = staticToken(o.token)
	case o.clientID != "":
		t.creds = newOAuthSource(&t.o, roundTripperOf(t.doer))
	default:
		return nil, ErrNoCredentials
	}
	if t.validator, err = spec.NewValidator(base.Path); err != nil {
		return nil, fmt.Errorf("privy: %w", err)
	}
	if t.ops, err = operations(); err != nil {
		return nil, fmt.Errorf("privy: %w", err)
	}
	return t, nil
}

// RateLimit returns the last known rate-limit state, shared by every goroutine.
func (t *Transport) RateLimit() RateLimit { return t.limits.get() }

// RoundTrip implements http.RoundTripper; it is Do.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) { return t.Do(req) }

// Do sends req with credentials, after pre-flight validation and pacing, retrying as configured.
// It does not modify req.
func (t *Transport) Do(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.base.Host || req.URL.Scheme != t.base.Scheme {
		return t.doer.Do(req) // not the API: no credentials, no retries
	}
	resp, err := t.send(req)
	if err == nil && t.o.drift {
		t.checkDrift(req, resp)
	}
	return resp, err
}

// send is Do for a request to the API.
func (t *Transport) send(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("privy: reading the request body: %w", err)
		}
		body = b
	}
	op, err := t.check(ctx, req, body)
	if err != nil {
		return nil, err
	}
	safe := t.o.transient && t.ops[op] != nil && t.ops[op].idempotent
	reauthed := false
	for attempt := 1; ; attempt++ {
		if err := t.pace(ctx); err != nil {
			return nil, err
		}
		tok, err := t.creds.token(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := t.attempt(req, body, tok, attempt)
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL would show the query string, which may hold personal data
		}
		if err != nil {
			if ctx.Err() == nil && safe && attempt < t.o.maxAttempts {
				if d := backoff(attempt); !t.tooLong(ctx, d) {
					t.log(ctx, req, 0, attempt, d, err)
					if t.sleep(ctx, d) == nil {
						continue
					}
				}
			}
			var te *timeoutError
			if errors.As(err, &te) {
				return nil, err
			}
			return nil, fmt.Errorf("privy: %s %s (attempt %d): %w", req.Method, req.URL.Path, attempt, err)
		}
		t.limits.update(parseRateLimit(resp.Header, t.o.clock.Now()))
		if resp.StatusCode == http.StatusUnauthorized && !reauthed && t.creds.invalidate(tok) {
			t.log(ctx, req, resp.StatusCode, attempt, 0, nil)
			reauthed = true
			discard(resp)
			attempt--
			continue
		}
		if !retryable(resp.StatusCode, safe) || attempt >= t.o.maxAttempts {
			t.log(ctx, req, resp.StatusCode, attempt, 0, nil)
			return t.final(resp), nil
		}
		d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), t.o.clock.Now())
		if !ok {
			d = backoff(attempt)
		}
		if t.tooLong(ctx, d) {
			t.log(ctx, req, resp.StatusCode, attempt, 0, nil)
			return t.final(resp), nil // the caller gets the 429 with its Retry-After at once
		}
		t.log(ctx, req, resp.StatusCode, attempt, d, nil)
		discard(resp)
		if err := t.sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("privy: %s %s: waiting %v to retry: %w", req.Method, req.URL.Path, d, err)
		}
	}
}

// attempt sends req once with the token, bounded by WithTimeout; the response's body is bounded
// by the timeout and by WithMaxResponseBytes, and closing it ends the attempt.
func (t *Transport) attempt(req *http.Request, body []byte, tok string, attempt int) (*http.Response, error) {
	ctx := req.Context()
	actx, cancel := ctx, context.CancelFunc(func() {})
	if t.o.timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, t.o.timeout)
	}
	r := req.Clone(actx)
	if body != nil {
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", t.o.userAgent)
	}
	resp, err := t.doer.Do(r)
	if err != nil {
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		if timedOut {
			return nil, &timeoutError{req.Method, req.URL.Path, t.o.timeout, attempt, false}
		}
		return nil, err
	}
	resp.Request = req // the caller's request: no Authorization header in what we hand back
	resp.Body = &attemptBody{rc: resp.Body, ctx: actx, parent: ctx, cancel: cancel, max: t.o.maxBody,
		timeout: t.o.timeout, attempt: attempt, method: req.Method, path: req.URL.Path}
	return resp, nil
}

// final prepares the response handed back: an error body is read (at most 64 KiB), scrubbed of
// every credential the client knows, and put back, so that no caller sees an echoed secret.
func (t *Transport) final(resp *http.Response) *http.Response {
	if resp.StatusCode < 300 {
		return resp
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(t.scrub(b)), errReader{err}))
	resp.ContentLength = -1
	return resp
}

// pace waits while the known minute budget is spent, and fails when the daily one is.
func (t *Transport) pace(ctx context.Context) error {
	for {
		d, err := t.limits.reserve(t.o.clock.Now())
		if err != nil {
			return err
		}
		if d <= 0 {
			return nil
		}
		if t.tooLong(ctx, d) {
			rl := t.limits.get()
			return &Error{StatusCode: http.StatusTooManyRequests, Code: ErrorCodeRateLimited, RetryAfter: d, RateLimit: rl,
				Message: "minute rate limit is spent; it resets at " + rl.ResetMinute.Format(time.RFC3339) + "; request not sent"}
		}
		t.o.logger.DebugContext(ctx, "privy: waiting for the minute rate limit to reset", "wait", d)
		if err := t.sleep(ctx, d); err != nil {
			return fmt.Errorf("privy: waiting %v for the rate limit to reset: %w", d, err)
		}
	}
}

// log records one attempt at debug level, with nothing secret: no headers, no query, no body.
func (t *Transport) log(ctx context.Context, req *http.Request, status, attempt int, wait time.Duration, err error) {
	if !t.o.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Int("attempt", attempt)}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if wait > 0 {
		attrs = append(attrs, slog.Duration("retry_in", wait))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", string(t.scrub([]byte(err.Error())))))
	}
	t.o.logger.LogAttrs(ctx, slog.LevelDebug, "privy: request", attrs...)
}

// discard drains a little of a body so the connection can be reused, and closes it.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// guardRedirects returns the doer to send with: an *http.Client (a copy of the caller's) that
// drops Authorization on a redirect away from the API's scheme and host.
func guardRedirects(d Doer, base *url.URL) Doer {
	hc, ok := d.(*http.Client)
	if d != nil && !ok {
		return d
	}
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != base.Host || req.URL.Scheme != base.Scheme {
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return c
}

// roundTripperOf returns what carries the token request: the client's transport, so that no
// redirect is followed with the client secret.
func roundTripperOf(d Doer) http.RoundTripper {
	if hc, ok := d.(*http.Client); ok {
		if hc.Transport != nil {
			return hc.Transport
		}
		return http.DefaultTransport
	}
	return doerFunc(d.Do)
}

// operationOf names the spec's operation of req, or nil.
func (t *Transport) operationOf(req *http.Request) *operation {
	if req == nil || req.URL == nil {
		return nil
	}
	id, err := t.validator.OperationID(req.Method, req.URL)
	if err != nil {
		return nil
	}
	return t.ops[id]
}
