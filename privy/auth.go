package privy

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/sync/singleflight"
)

// credentials supplies the bearer token of each request.
type credentials interface {
	token(ctx context.Context) (string, error)
	// invalidate drops tok if it is still the cached token; it reports whether another
	// attempt may get a different token.
	invalidate(tok string) bool
	// issued lists the tokens obtained so far (the latest few), to scrub them from output.
	issued() []string
}

type staticToken string

func (s staticToken) token(context.Context) (string, error) { return string(s), nil }
func (staticToken) invalidate(string) bool                  { return false }
func (staticToken) issued() []string                        { return nil }

// keepIssued is how many past access tokens are remembered for scrubbing.
const keepIssued = 8

// defaultTokenLife is assumed when a token response carries no usable expires_in.
const defaultTokenLife = time.Hour

// refreshBefore is how long before its expiry an OAuth token is replaced (at most a tenth of
// its lifetime).
const refreshBefore = time.Minute

// oauthSource exchanges client credentials for access tokens and caches them by the injected
// clock; concurrent callers share one exchange.
type oauthSource struct {
	cfg     clientcredentials.Config
	client  *http.Client
	clock   Clock
	timeout time.Duration
	group   singleflight.Group

	mu      sync.Mutex
	tok     string
	refresh time.Time // when to exchange again
	past    []string  // the latest tokens issued, tok included
}

func newOAuthSource(o *options, rt http.RoundTripper) *oauthSource {
	rt = lenientTokens{rt}
	return &oauthSource{
		cfg: clientcredentials.Config{ClientID: o.clientID, ClientSecret: o.clientSecret,
			TokenURL: o.tokenURL, Scopes: o.scopes, AuthStyle: oauth2.AuthStyleInParams},
		// The token request goes to the token URL only: never follow a redirect with the secret.
		client: &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		clock: o.clock, timeout: o.timeout,
	}
}

func (s *oauthSource) token(ctx context.Context) (string, error) {
	if tok, ok := s.cached(); ok {
		return tok, nil
	}
	ch := s.group.DoChan("token", func() (any, error) {
		if tok, ok := s.cached(); ok {
			return tok, nil // a flight that ended just before this one began got it
		}
		// The exchange outlives a caller that gives up, since others may wait for it.
		xctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmp.Or(s.timeout, DefaultTimeout))
		defer cancel()
		return s.exchange(xctx)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// cached returns the cached token while it is fresh.
func (s *oauthSource) cached() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok, s.tok != "" && s.clock.Now().Before(s.refresh)
}

func (s *oauthSource) exchange(ctx context.Context) (string, error) {
	start := s.clock.Now()
	t, err := s.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, s.client))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil {
			e := decodeError(re.Response.StatusCode, scrubSecrets(re.Body, append(s.issued(), s.cfg.ClientSecret)))
			resp := *re.Response
			resp.Request = nil // it could replay the form with the client secret
			e.Response = &resp
			return "", e
		}
		msg := string(scrubSecrets([]byte(err.Error()), append(s.issued(), s.cfg.ClientSecret)))
		return "", &scrubbedError{msg: "privy: token exchange: " + msg, err: err}
	}
	// x/oauth2 computes Expiry by the real clock; expires_in is re-read to use ours.
	life := defaultTokenLife
	if secs, ok := t.Extra("expires_in").(float64); ok && secs > 0 {
		life = time.Duration(min(secs, 1e8) * float64(time.Second)) // capped: no overflow
	}
	s.mu.Lock()
	s.tok, s.refresh = t.AccessToken, start.Add(life-min(refreshBefore, life/10))
	if len(s.past) == keepIssued {
		s.past = s.past[1:]
	}
	s.past = append(s.past, t.AccessToken)
	s.mu.Unlock()
	return t.AccessToken, nil
}

func (s *oauthSource) issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.past...)
}

// scrubbedError is err with a message scrubbed of credentials; errors.Is and As still see err.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// lenientTokens rewrites the expires_in of a token response to whole seconds, or drops it, so
// that a string ("3600"), a fraction (3599.5) or nonsense does not fail the exchange (x/oauth2
// accepts integers only). It also caps the response at 64 KiB.
type lenientTokens struct{ next http.RoundTripper }

func (l lenientTokens) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+1))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(b) > maxErrorBody {
		return nil, fmt.Errorf("the token response is larger than %s", byteSize(maxErrorBody))
	}
	var m map[string]json.RawMessage
	if resp.StatusCode/100 == 2 && json.Unmarshal(b, &m) == nil && m["expires_in"] != nil {
		if secs, ok := expiresIn(m["expires_in"]); ok {
			m["expires_in"] = json.RawMessage(strconv.FormatInt(secs, 10))
		} else {
			delete(m, "expires_in")
		}
		if nb, err := json.Marshal(m); err == nil {
			b = nb
		}
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// expiresIn reads a lifetime in seconds from a number or a numeric string; ok is false for
// anything else, or a lifetime that is not positive.
func expiresIn(raw json.RawMessage) (int64, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if !(f >= 1) { // NaN too
		return 0, false
	}
	return int64(min(f, 1e8)), true
}

func (s *oauthSource) invalidate(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == tok {
		s.tok = ""
	}
	return true
}
