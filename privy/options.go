package privy

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/privy-go/privy-go/privy/spec"
)

// DefaultBaseURL is the production API base URL.
const DefaultBaseURL = "https://api.privy.com/v1"

// Clock tells the time and waits; inject one with WithClock to control time in tests.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Option configures a Client or a Transport.
type Option func(*options) error

type options struct {
	token                  string
	clientID, clientSecret string
	scopes                 []string
	baseURL, tokenURL      string
	doer                   Doer
	userAgent              string
	logger                 *slog.Logger
	clock                  Clock
	maxAttempts            int
	maxWait                time.Duration
	timeout                time.Duration
	maxBody                int64
	transient, noValidate  bool
	drift                  bool
	driftReport            func(spec.Violation)
}

// Defaults of the options that bound a call.
const (
	// DefaultTimeout bounds each attempt: sending the request and reading the whole response.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxResponseBytes caps the bytes read from one response body, after decompression.
	DefaultMaxResponseBytes = 8 << 20
	// DefaultMaxWait is the longest single wait for a retry or a rate-limit reset: the API's
	// minute window plus a little clock skew, so that a Retry-After of 60 or 61 seconds is waited out.
	DefaultMaxWait = 65 * time.Second
)

// Doer sends an HTTP request; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

func defaults() options {
	return options{baseURL: DefaultBaseURL, userAgent: "privy-go/" + Version(),
		logger: slog.New(slog.DiscardHandler), clock: realClock{}, maxAttempts: 4, maxWait: DefaultMaxWait,
		timeout: DefaultTimeout, maxBody: DefaultMaxResponseBytes}
}

// WithToken authenticates with an API token (Settings > API Tokens).
func WithToken(token string) Option { return named("WithToken", setToken(token)) }

func setToken(token string) Option {
	return func(o *options) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("the token is empty")
		}
		if strings.ContainsAny(token, " \t\r\n") {
			return errors.New("the token contains white space")
		}
		o.token, o.clientID, o.clientSecret, o.scopes = token, "", "", nil
		return nil
	}
}

// WithClientCredentials authenticates as an OAuth application: the client id and secret are
// exchanged for an access token with the given scopes (contacts_read when none are given).
func WithClientCredentials(clientID, clientSecret string, scopes ...string) Option {
	return named("WithClientCredentials", setClientCredentials(clientID, clientSecret, scopes...))
}

func setClientCredentials(clientID, clientSecret string, scopes ...string) Option {
	return func(o *options) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("both the client id and the client secret are required")
		}
		for _, s := range scopes {
			if s == "" || strings.ContainsAny(s, " \t\r\n") {
				return fmt.Errorf("scope %q is not a single word; pass each scope separately", s)
			}
		}
		o.token, o.clientID, o.clientSecret, o.scopes = "", clientID, clientSecret, scopes
		return nil
	}
}

// named prefixes the error of o with the name of what set it.
func named(name string, o Option) Option {
	return func(opts *options) error {
		if err := o(opts); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
}

// WithBaseURL sets the API base URL (default https://api.privy.com/v1). Plain http is accepted
// only for a loopback host.
func WithBaseURL(u string) Option { return named("WithBaseURL", setBaseURL(u)) }

func setBaseURL(u string) Option {
	return func(o *options) error { o.baseURL = strings.TrimRight(u, "/"); return checkURL(u) }
}

// WithTokenURL sets the OAuth token endpoint (default: the base URL without its /v1 suffix,
// plus /oauth/token). Plain http is accepted only for a loopback host.
func WithTokenURL(u string) Option {
	return named("WithTokenURL", func(o *options) error { o.tokenURL = u; return checkURL(u) })
}

// WithHTTPClient sets what sends the requests: an *http.Client or any Doer (default: a new
// *http.Client). A *http.Client is copied so that Authorization is never forwarded on a redirect
// to another host.
func WithHTTPClient(d Doer) Option {
	return func(o *options) error { o.doer = d; return notNil("WithHTTPClient", d == nil) }
}

// WithUserAgent sets the User-Agent header (default "privy-go/" + Version()).
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		if strings.TrimSpace(ua) == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("WithUserAgent: the user agent must be one non-empty line")
		}
		o.userAgent = ua
		return nil
	}
}

// WithLogger logs each attempt at debug level: method, path, status, attempt and wait, never a
// credential. The default discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error { o.logger = l; return notNil("WithLogger", l == nil) }
}

// WithClock replaces the real clock, for tests.
func WithClock(c Clock) Option {
	return func(o *options) error { o.clock = c; return notNil("WithClock", c == nil) }
}

// WithMaxAttempts sets how many times one call may be sent in all (default 4; 1 disables retries).
func WithMaxAttempts(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("WithMaxAttempts: %d is less than 1", n)
		}
		o.maxAttempts = n
		return nil
	}
}

// WithMaxWait sets the longest single wait before a retry or for a rate-limit reset (default
// DefaultMaxWait, 65s); a longer Retry-After returns the error at once instead of waiting.
func WithMaxWait(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("WithMaxWait: %v is negative", d)
		}
		o.maxWait = d
		return nil
	}
}

// WithTimeout bounds each attempt of a call, from sending the request to reading the last byte
// of the response (default DefaultTimeout, 30s); an attempt that takes longer fails with an
// error naming the request that timed out (errors.Is context.DeadlineExceeded). Zero means no
// limit.
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("WithTimeout: %v is negative", d)
		}
		o.timeout = d
		return nil
	}
}

// WithMaxResponseBytes caps the bytes read from one response body, counted after gzip
// decompression (default DefaultMaxResponseBytes, 8 MiB); reading past the cap fails with
// ErrResponseTooLarge. Error bodies are cut at 64 KiB whatever the cap.
func WithMaxResponseBytes(n int64) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("WithMaxResponseBytes: %d is less than 1", n)
		}
		o.maxBody = n
		return nil
	}
}

// WithTransientRetries also retries connection errors, timeouts and 502, 503 and 504 responses,
// for the operations that are safe to repeat: those the spec marks x-privy-idempotent, and GET
// (today list, update and unsubscribe; never create or delete).
func WithTransientRetries() Option {
	return func(o *options) error { o.transient = true; return nil }
}

// WithoutValidation turns off pre-flight validation of requests against the spec.
func WithoutValidation() Option {
	return func(o *options) error { o.noValidate = true; return nil }
}

// checkURL accepts an absolute http(s) URL without credentials; http only for loopback hosts.
// Its errors never echo a password the URL carries.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	raw = redactUserinfo(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	case u.User != nil:
		return fmt.Errorf("%q must not carry credentials (a token or client credentials authenticate)", raw)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q must not have a query or fragment", raw)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return fmt.Errorf("%q uses plain http; use https (http is allowed only for loopback hosts)", raw)
	}
	return nil
}

// redactUserinfo replaces the user:password@ part of a URL, parseable or not, with "***@".
func redactUserinfo(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		rest = raw
	}
	authority, _, _ := strings.Cut(rest, "/")
	i := strings.LastIndex(authority, "@")
	if i < 0 {
		return raw
	}
	start := len(raw) - len(rest)
	return raw[:start] + "***" + raw[start+i:]
}

func notNil(option string, isNil bool) error {
	if isNil {
		return errors.New(option + ": the argument is nil")
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultTokenURL drops a trailing /v1 from the base URL and appends /oauth/token.
func defaultTokenURL(base string) string {
	return strings.TrimSuffix(strings.TrimRight(base, "/"), "/v1") + "/oauth/token"
}
