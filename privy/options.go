package privy

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/privy-go/privy-go/gen"
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
	doer                   gen.HttpRequestDoer
	userAgent              string
	logger                 *slog.Logger
	clock                  Clock
	maxAttempts            int
	maxWait                time.Duration
	transient, noValidate  bool
	drift                  bool
	driftReport            func(spec.Violation)
}

func defaults() options {
	return options{baseURL: DefaultBaseURL, userAgent: "privy-go/" + Version,
		logger: slog.New(slog.DiscardHandler), clock: realClock{}, maxAttempts: 4, maxWait: time.Minute}
}

// WithToken authenticates with an API token (Settings > API Tokens).
func WithToken(token string) Option {
	return func(o *options) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("WithToken: the token is empty")
		}
		if strings.ContainsAny(token, " \t\r\n") {
			return errors.New("WithToken: the token contains white space")
		}
		o.token, o.clientID, o.clientSecret, o.scopes = token, "", "", nil
		return nil
	}
}

// WithClientCredentials authenticates as an OAuth application: the client id and secret are
// exchanged for an access token with the given scopes (contacts_read when none are given).
func WithClientCredentials(clientID, clientSecret string, scopes ...string) Option {
	return func(o *options) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("WithClientCredentials: both the client id and the client secret are required")
		}
		for _, s := range scopes {
			if s == "" || strings.ContainsAny(s, " \t\r\n") {
				return fmt.Errorf("WithClientCredentials: scope %q is not a single word; pass each scope separately", s)
			}
		}
		o.token, o.clientID, o.clientSecret, o.scopes = "", clientID, clientSecret, scopes
		return nil
	}
}

// WithBaseURL sets the API base URL (default https://api.privy.com/v1). Plain http is accepted
// only for a loopback host.
func WithBaseURL(u string) Option {
	return func(o *options) error { o.baseURL = strings.TrimRight(u, "/"); return checkURL("WithBaseURL", u) }
}

// WithTokenURL sets the OAuth token endpoint (default: the base URL without its /v1 suffix,
// plus /oauth/token). Plain http is accepted only for a loopback host.
func WithTokenURL(u string) Option {
	return func(o *options) error { o.tokenURL = u; return checkURL("WithTokenURL", u) }
}

// WithHTTPClient sets what sends the requests (default: a new *http.Client). A *http.Client is
// copied so that Authorization is never forwarded on a redirect to another host.
func WithHTTPClient(d gen.HttpRequestDoer) Option {
	return func(o *options) error { o.doer = d; return notNil("WithHTTPClient", d == nil) }
}

// WithUserAgent sets the User-Agent header (default "privy-go/" + Version).
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

// WithMaxWait sets the longest single wait before a retry or for a rate-limit reset (default one
// minute); a longer Retry-After returns the error at once instead of waiting.
func WithMaxWait(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("WithMaxWait: %v is negative", d)
		}
		o.maxWait = d
		return nil
	}
}

// WithTransientRetries also retries connection errors and 502, 503 and 504 responses, for the
// operations that are safe to repeat (list, update, unsubscribe), never create or delete.
func WithTransientRetries() Option {
	return func(o *options) error { o.transient = true; return nil }
}

// WithoutValidation turns off pre-flight validation of requests against the spec.
func WithoutValidation() Option {
	return func(o *options) error { o.noValidate = true; return nil }
}

// checkURL accepts an absolute http(s) URL without credentials; http only for loopback hosts.
func checkURL(option, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("%s: %q is not an absolute http(s) URL", option, raw)
	case u.User != nil:
		return fmt.Errorf("%s: the URL must not carry credentials; use WithToken or WithClientCredentials", option)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%s: %q must not have a query or fragment", option, raw)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return fmt.Errorf("%s: %q uses plain http; use https (http is allowed only for loopback hosts)", option, raw)
	}
	return nil
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
