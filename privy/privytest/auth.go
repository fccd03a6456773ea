package privytest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest/internal/genserver"
)

// DefaultToken is an API token every Fake accepts, with both scopes and no expiry.
const DefaultToken = "privy_0123456789abcdef0123456789abcdef01234567"

// DefaultClientID and DefaultClientSecret name an OAuth application every Fake knows, with
// both scopes enabled.
const (
	DefaultClientID     = "privytest_app"
	DefaultClientSecret = "privytest_secret"
)

// The scopes of the API.
const (
	ScopeRead  = "contacts_read"
	ScopeWrite = "contacts_write"
)

// tokenLifetime is the lifetime of an access token from the exchange.
const tokenLifetime = 7200 * time.Second

const (
	msgUnauthorized      = "Bearer token is missing or invalid"
	msgInsufficientScope = "Token does not have the required scope for this endpoint"
	msgInvalidClient     = "Client ID or client secret is incorrect"
)

type tokenInfo struct {
	expires time.Time // zero: never
	scopes  []string
}

type oauthClient struct {
	secret string
	scopes []string
}

// AddToken registers a bearer token with its scopes; a zero expires means no expiry. A
// token registered again replaces the earlier registration.
func (f *Fake) AddToken(token string, expires time.Time, scopes ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[token] = tokenInfo{expires: expires, scopes: slices.Clone(scopes)}
}

// RevokeToken makes token unknown, so that it gets 401 unauthorized from then on.
func (f *Fake) RevokeToken(token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.tokens, token)
}

// AddOAuthClient registers an OAuth application with its client id, secret and the scopes
// enabled on it.
func (f *Fake) AddOAuthClient(id, secret string, scopes ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clients[id] = oauthClient{secret: secret, scopes: slices.Clone(scopes)}
}

// bearer returns the token of an "Authorization: Bearer" header, or "".
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authenticate reports whether token is registered and unexpired at now, and its scopes.
// The caller holds f.mu.
func (f *Fake) authenticate(token string, now time.Time) ([]string, bool) {
	if token == "" {
		return nil, false
	}
	info, ok := f.tokens[token]
	if !ok || (!info.expires.IsZero() && !now.Before(info.expires)) {
		return nil, false
	}
	return info.scopes, true
}

// exchange performs the client-credentials exchange.
func (f *Fake) exchange(body gen.TokenRequest) (genserver.ExchangeTokenResponseObject, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	client, ok := f.clients[body.ClientId]
	if !ok || subtle.ConstantTimeCompare([]byte(client.secret), []byte(body.ClientSecret)) != 1 {
		return tokenError(gen.ErrorCodeInvalidClient, msgInvalidClient), nil
	}
	requested := []string{ScopeRead}
	if body.Scope != nil && strings.TrimSpace(*body.Scope) != "" {
		requested = strings.Fields(*body.Scope)
	}
	var granted []string
	for _, s := range requested {
		if !slices.Contains(client.scopes, s) {
			// The OAuth 2.0 form, as the spec's invalidScopeOAuth example shows.
			return genserver.ExchangeToken401JSONResponse{Error: json.RawMessage(`"invalid_scope"`)}, nil
		}
		if !slices.Contains(granted, s) {
			granted = append(granted, s)
		}
	}
	token := newAccessToken()
	f.tokens[token] = tokenInfo{expires: now.Add(tokenLifetime), scopes: granted}
	return genserver.ExchangeToken200JSONResponse{
		AccessToken: token,
		TokenType:   "Bearer",
		ExpiresIn:   int(tokenLifetime / time.Second),
		Scope:       strings.Join(granted, " "),
		CreatedAt:   now.Unix(),
	}, nil
}

// tokenError is a failed exchange in the API's error envelope.
func tokenError(code gen.ErrorCode, msg string) genserver.ExchangeToken401JSONResponse {
	raw, _ := jsonMarshal(gen.ErrorBody{Code: code, Message: msg})
	return genserver.ExchangeToken401JSONResponse{Error: raw}
}

// newAccessToken returns an opaque random access token.
func newAccessToken() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return "oat_" + hex.EncodeToString(b[:])
}
