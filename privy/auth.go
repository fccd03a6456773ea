package privy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
}

type staticToken string

func (s staticToken) token(context.Context) (string, error) { return string(s), nil }
func (staticToken) invalidate(string) bool                  { return false }

// refreshBefore is how long before its expiry an OAuth token is replaced (at most a tenth of
// its lifetime).
const refreshBefore = time.Minute

// oauthSource exchanges client credentials for access tokens and caches them by the injected
// clock; concurrent callers share one exchange.
type oauthSource struct {
	cfg    clientcredentials.Config
	client *http.Client
	clock  Clock
	group  singleflight.Group

	mu      sync.Mutex
	tok     string
	refresh time.Time // when to exchange again; zero: unknown, kept until a 401
}

func newOAuthSource(o *options, rt http.RoundTripper) *oauthSource {
	return &oauthSource{
		cfg: clientcredentials.Config{ClientID: o.clientID, ClientSecret: o.clientSecret,
			TokenURL: o.tokenURL, Scopes: o.scopes, AuthStyle: oauth2.AuthStyleInParams},
		// The token request goes to the token URL only: never follow a redirect with the secret.
		client: &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		clock: o.clock,
	}
}

func (s *oauthSource) token(ctx context.Context) (string, error) {
	s.mu.Lock()
	tok, refresh := s.tok, s.refresh
	s.mu.Unlock()
	if tok != "" && (refresh.IsZero() || s.clock.Now().Before(refresh)) {
		return tok, nil
	}
	ch := s.group.DoChan("token", func() (any, error) {
		// The exchange outlives a caller that gives up, since others may wait for it.
		xctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
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

func (s *oauthSource) exchange(ctx context.Context) (string, error) {
	start := s.clock.Now()
	t, err := s.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, s.client))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil {
			e := decodeError(re.Response.StatusCode, re.Body)
			resp := *re.Response
			resp.Request = nil // it could replay the form with the client secret
			e.Response = &resp
			return "", e
		}
		return "", fmt.Errorf("privy: token exchange: %w", err)
	}
	// x/oauth2 computes Expiry by the real clock; expires_in is re-read to use ours.
	var life time.Duration
	if secs, ok := t.Extra("expires_in").(float64); ok && secs > 0 {
		life = time.Duration(min(secs, 1e8) * float64(time.Second)) // capped: no overflow
	} else if !t.Expiry.IsZero() {
		life = time.Until(t.Expiry)
	}
	var refresh time.Time
	if life > 0 {
		refresh = start.Add(life - min(refreshBefore, life/10))
	}
	s.mu.Lock()
	s.tok, s.refresh = t.AccessToken, refresh
	s.mu.Unlock()
	return t.AccessToken, nil
}

func (s *oauthSource) invalidate(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == tok {
		s.tok = ""
	}
	return true
}
