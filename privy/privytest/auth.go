package privytest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/privy-go/privy-go/gen"
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

// msgInvalidClient is the message of invalid_client, as the spec's example of the token
// endpoint's 401 shows it.
const msgInvalidClient = "Client ID or client secret is incorrect"

// The OAuth 2.0 error codes of RFC 6749 §5.2 the token endpoint answers with besides
// invalid_client.
const (
	oauthInvalidRequest       = "invalid_request"
	oauthUnsupportedGrantType = "unsupported_grant_type"
	oauthInvalidScope         = "invalid_scope"
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

// oauthError is a failed exchange in the OAuth 2.0 form (RFC 6749 §5.2).
func oauthError(status int, code, desc string) reply {
	e := gen.TokenError{Error: mustJSON(code)}
	if desc != "" {
		e.ErrorDescription = &desc
	}
	return jsonReply(status, e)
}

// invalidClient is a failed client authentication, in the API's error envelope. A client
// that used HTTP Basic is told so with WWW-Authenticate (RFC 6749 §5.2).
func invalidClient(basic bool) reply {
	r := jsonReply(http.StatusUnauthorized, gen.TokenError{Error: mustJSON(gen.ErrorBody{Code: gen.ErrorCodeInvalidClient, Message: msgInvalidClient})})
	if basic {
		r.header = http.Header{"Www-Authenticate": {`Basic realm="privy"`}}
	}
	return r
}

// exchange performs the client-credentials exchange of a request that passed validation.
// The client authenticates with client_id and client_secret in the form or with HTTP Basic
// (RFC 6749 §2.3.1), not both.
func (f *Fake) exchange(in *reqInfo) reply {
	form, err := url.ParseQuery(string(in.body))
	if err != nil {
		return oauthError(http.StatusBadRequest, oauthInvalidRequest, "the body is not a valid form")
	}
	for _, k := range slices.Sorted(maps.Keys(form)) {
		if len(form[k]) > 1 {
			return oauthError(http.StatusBadRequest, oauthInvalidRequest, "parameter "+k+" is repeated")
		}
	}
	_, hasID := form["client_id"]
	_, hasSecret := form["client_secret"]
	id, secret := form.Get("client_id"), form.Get("client_secret")
	switch {
	case in.basic && (hasID || hasSecret):
		return oauthError(http.StatusBadRequest, oauthInvalidRequest, "the client authenticated twice: with HTTP Basic and in the form")
	case in.basic:
		id, secret = in.user, in.password
	case !hasID && !hasSecret:
		return invalidClient(false)
	case !hasID || !hasSecret:
		return oauthError(http.StatusBadRequest, oauthInvalidRequest, "client_id and client_secret go together")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	client, ok := f.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(client.secret), []byte(secret)) != 1 {
		return invalidClient(in.basic)
	}
	requested := []string{ScopeRead}
	if sc := strings.Fields(form.Get("scope")); len(sc) > 0 {
		requested = sc
	}
	var granted []string
	for _, s := range requested {
		if !slices.Contains(f.knownScopes, s) { // RFC 6749: an unknown scope, 400
			return oauthError(http.StatusBadRequest, oauthInvalidScope, "unknown scope: "+s)
		}
		if !slices.Contains(client.scopes, s) { // the docs: not enabled on the application, 401
			return oauthError(http.StatusUnauthorized, oauthInvalidScope, "")
		}
		if !slices.Contains(granted, s) {
			granted = append(granted, s)
		}
	}
	token := newAccessToken()
	f.tokens[token] = tokenInfo{expires: now.Add(tokenLifetime), scopes: granted}
	return jsonReply(http.StatusOK, gen.Token{
		AccessToken: token,
		TokenType:   "Bearer",
		ExpiresIn:   int(tokenLifetime / time.Second),
		Scope:       strings.Join(granted, " "),
		CreatedAt:   now.Unix(),
	})
}

// basicAuth reads HTTP Basic client credentials, whose user and password are the
// form-urlencoded client id and secret (RFC 6749 §2.3.1). present reports an
// "Authorization: Basic" header, even a malformed one (whose credentials are then empty).
func basicAuth(r *http.Request) (id, secret string, present bool) {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", "", true
	}
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	if err1 != nil || err2 != nil {
		return "", "", true
	}
	return id, secret, true
}

// newAccessToken returns an opaque random access token.
func newAccessToken() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return "oat_" + hex.EncodeToString(b[:])
}
