package privytest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest"
)

func TestBearerAuthentication(t *testing.T) {
	e := newEnv(t)
	e.srv.AddToken("privy_readonly", time.Time{}, privytest.ScopeRead)
	e.srv.AddToken("privy_writeonly", time.Time{}, privytest.ScopeWrite)
	e.srv.AddToken("privy_expiring", start.Add(time.Hour), privytest.ScopeRead, privytest.ScopeWrite)
	e.srv.AddToken("privy_revoked", time.Time{}, privytest.ScopeRead)
	e.srv.RevokeToken("privy_revoked")
	create := `{"email":"jane@example.com"}`
	tests := []struct {
		name, token, method, body string
		advance                   time.Duration
		status                    int
		code                      gen.ErrorCode
		message                   string
	}{
		{"no token", "", "GET", "", 0, 401, gen.ErrorCodeUnauthorized, replyMsg("Unauthorized")},
		{"unknown token", "privy_nope", "GET", "", 0, 401, gen.ErrorCodeUnauthorized, replyMsg("Unauthorized")},
		{"revoked token", "privy_revoked", "GET", "", 0, 401, gen.ErrorCodeUnauthorized, replyMsg("Unauthorized")},
		{"read token lists", "privy_readonly", "GET", "", 0, 200, "", ""},
		{"read token cannot create", "privy_readonly", "POST", create, 0, 403, gen.ErrorCodeInsufficientScope, replyMsg("InsufficientScope")},
		{"write token cannot list", "privy_writeonly", "GET", "", 0, 403, gen.ErrorCodeInsufficientScope, replyMsg("InsufficientScope")},
		{"write token creates", "privy_writeonly", "POST", create, 0, 201, "", ""},
		{"expiring token before expiry", "privy_expiring", "GET", "", 59 * time.Minute, 200, "", ""},
		{"expiring token at expiry", "privy_expiring", "GET", "", time.Minute, 401, gen.ErrorCodeUnauthorized, replyMsg("Unauthorized")},
		{"default token never expires", privytest.DefaultToken, "GET", "", 1000 * 24 * time.Hour, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Advance(tt.advance)
			ct := ""
			if tt.body != "" {
				ct = "application/json"
			}
			status, h, body := doRaw(t, tt.method, e.srv.URL+"/contacts", tt.token, ct, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if h.Get("X-RateLimit-Limit-Minute") == "" {
				t.Error("no rate-limit headers")
			}
			if tt.code != "" {
				if got := errorOf(t, body); got.Code != tt.code || got.Message != tt.message {
					t.Errorf("error = %s", body)
				}
			}
		})
	}
}

// exchange posts a token request and decodes the answer.
func exchange(t *testing.T, tokenURL string, form url.Values) (int, map[string]any) {
	t.Helper()
	status, _, body := exchangeAs(t, tokenURL, nil, form.Encode())
	return status, body
}

// exchangeAs posts a raw form to the token endpoint, with HTTP Basic credentials when basic
// holds them (id and secret, form-urlencoded as RFC 6749 §2.3.1 says).
func exchangeAs(t *testing.T, tokenURL string, basic []string, form string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

func TestTokenExchange(t *testing.T) {
	e := newEnv(t)
	e.srv.AddOAuthClient("app_ro", "secret_ro", privytest.ScopeRead)
	e.srv.AddOAuthClient("app_rw", "secret_rw", privytest.ScopeRead, privytest.ScopeWrite)
	e.srv.AddOAuthClient("app:ü", "s&cret=%", privytest.ScopeRead)
	form := func(id, secret, scope string) string {
		v := url.Values{"grant_type": {"client_credentials"}}
		if id != "" {
			v.Set("client_id", id)
		}
		if secret != "" {
			v.Set("client_secret", secret)
		}
		if scope != "" {
			v.Set("scope", scope)
		}
		return v.Encode()
	}
	invalidClient := gen.ErrorCodeInvalidClient
	tests := []struct {
		name   string
		basic  []string // HTTP Basic id and secret
		form   string
		status int
		scope  string
		// code is the error's code on failure: the OAuth 2.0 string, or the envelope's code.
		code string
		// wwwAuth: the answer must carry WWW-Authenticate: Basic.
		wwwAuth bool
	}{
		{name: "no scope: contacts_read only", form: form("app_rw", "secret_rw", ""), status: 200, scope: privytest.ScopeRead},
		{name: "both scopes", form: form("app_rw", "secret_rw", "contacts_read contacts_write"), status: 200, scope: "contacts_read contacts_write"},
		{name: "write only", form: form("app_rw", "secret_rw", privytest.ScopeWrite), status: 200, scope: privytest.ScopeWrite},
		{name: "basic auth", basic: []string{"app_rw", "secret_rw"}, form: form("", "", privytest.ScopeWrite), status: 200, scope: privytest.ScopeWrite},
		{name: "basic auth, form-urlencoded id and secret", basic: []string{"app:ü", "s&cret=%"}, form: form("", "", ""), status: 200, scope: privytest.ScopeRead},
		{name: "scope not enabled", form: form("app_ro", "secret_ro", privytest.ScopeWrite), status: 401, code: "invalid_scope"},
		{name: "unknown scope", form: form("app_rw", "secret_rw", "contacts_admin"), status: 400, code: "invalid_scope"},
		{name: "wrong secret", form: form("app_rw", "nope", ""), status: 401, code: string(invalidClient)},
		{name: "unknown client", form: form("app_x", "secret_rw", ""), status: 401, code: string(invalidClient)},
		{name: "no client authentication", form: form("", "", ""), status: 401, code: string(invalidClient)},
		{name: "basic auth, wrong secret", basic: []string{"app_rw", "nope"}, form: form("", "", ""), status: 401, code: string(invalidClient), wwwAuth: true},
		{name: "basic auth and form credentials", basic: []string{"app_rw", "secret_rw"}, form: form("app_rw", "secret_rw", ""), status: 400, code: "invalid_request"},
		{name: "wrong grant type", form: strings.Replace(form("app_rw", "secret_rw", ""), "client_credentials", "password", 1), status: 400, code: "unsupported_grant_type"},
		{name: "missing grant type", form: "client_id=app_rw&client_secret=secret_rw", status: 400, code: "invalid_request"},
		{name: "missing secret", form: form("app_rw", "", ""), status: 400, code: "invalid_request"},
		{name: "repeated parameter", form: form("app_rw", "secret_rw", "") + "&scope=contacts_read&scope=contacts_write", status: 400, code: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := exchangeAs(t, e.srv.TokenURL, tt.basic, tt.form)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, body)
			}
			if got := header.Get("WWW-Authenticate"); tt.wwwAuth != strings.HasPrefix(got, "Basic") {
				t.Errorf("WWW-Authenticate = %q, want Basic: %v", got, tt.wwwAuth)
			}
			if tt.status != 200 {
				code, _ := body["error"].(string)
				if env, ok := body["error"].(map[string]any); ok {
					code, _ = env["code"].(string)
				}
				if code != tt.code {
					t.Errorf("error = %v, want %s", body["error"], tt.code)
				}
				return
			}
			if body["scope"] != tt.scope || body["token_type"] != "Bearer" || body["expires_in"] != float64(7200) ||
				body["created_at"] != float64(e.clock.Now().Unix()) || body["access_token"] == "" {
				t.Errorf("token = %v", body)
			}
		})
	}
	exchangeAs(t, e.srv.TokenURL, nil, "client_secret=secret_rw&grant_type=%zz") // not a form
	for _, r := range e.srv.Requests() {
		if body := string(r.Body); strings.Contains(body, "secret_rw") || strings.Contains(body, "s%26cret") || r.Token != "" {
			t.Errorf("the request log holds a client secret: %s %q", body, r.Token)
		}
	}
}

func TestExchangedTokenScopesAndExpiry(t *testing.T) {
	e := newEnv(t)
	_, tok := exchange(t, e.srv.TokenURL, url.Values{"grant_type": {"client_credentials"},
		"client_id": {privytest.DefaultClientID}, "client_secret": {privytest.DefaultClientSecret}})
	access := tok["access_token"].(string)
	c := clientFor(t, e.srv.URL, access)
	list, err := c.ListContactsWithResponse(context.Background(), nil)
	if err != nil || list.StatusCode() != 200 {
		t.Fatalf("list with an exchanged read token: %v %d", err, list.StatusCode())
	}
	created, err := c.CreateContactWithResponse(context.Background(), gen.CreateContactRequest{Email: ptr("a@example.com")})
	if err != nil || created.JSON403 == nil {
		t.Fatalf("create with a read-only token: %v %d %s", err, created.StatusCode(), created.Body)
	}
	e.clock.Advance(7199 * time.Second)
	if list, _ := c.ListContactsWithResponse(context.Background(), nil); list.StatusCode() != 200 {
		t.Errorf("token refused before its 7200 s were up: %d", list.StatusCode())
	}
	e.clock.Advance(time.Second)
	if list, _ := c.ListContactsWithResponse(context.Background(), nil); list.JSON401 == nil {
		t.Errorf("token accepted after 7200 s: %d", list.StatusCode())
	}
	if strings.Contains(mustJSON(e.srv.Requests()), privytest.DefaultClientSecret) {
		t.Error("the request log holds the client secret")
	}
}
