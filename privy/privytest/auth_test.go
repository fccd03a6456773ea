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
		{"no token", "", "GET", "", 0, 401, gen.ErrorCodeUnauthorized, "Bearer token is missing or invalid"},
		{"unknown token", "privy_nope", "GET", "", 0, 401, gen.ErrorCodeUnauthorized, "Bearer token is missing or invalid"},
		{"revoked token", "privy_revoked", "GET", "", 0, 401, gen.ErrorCodeUnauthorized, "Bearer token is missing or invalid"},
		{"read token lists", "privy_readonly", "GET", "", 0, 200, "", ""},
		{"read token cannot create", "privy_readonly", "POST", create, 0, 403, gen.ErrorCodeInsufficientScope, "Token does not have the required scope for this endpoint"},
		{"write token cannot list", "privy_writeonly", "GET", "", 0, 403, gen.ErrorCodeInsufficientScope, "Token does not have the required scope for this endpoint"},
		{"write token creates", "privy_writeonly", "POST", create, 0, 201, "", ""},
		{"expiring token before expiry", "privy_expiring", "GET", "", 59 * time.Minute, 200, "", ""},
		{"expiring token at expiry", "privy_expiring", "GET", "", time.Minute, 401, gen.ErrorCodeUnauthorized, "Bearer token is missing or invalid"},
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
	resp, err := http.PostForm(tokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func TestTokenExchange(t *testing.T) {
	e := newEnv(t)
	e.srv.AddOAuthClient("app_ro", "secret_ro", privytest.ScopeRead)
	e.srv.AddOAuthClient("app_rw", "secret_rw", privytest.ScopeRead, privytest.ScopeWrite)
	form := func(id, secret, scope string) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
		if scope != "" {
			v.Set("scope", scope)
		}
		return v
	}
	tests := []struct {
		name      string
		form      url.Values
		status    int
		scope     string
		errorJSON string // the "error" member expected on failure
	}{
		{"no scope: contacts_read only", form("app_rw", "secret_rw", ""), 200, "contacts_read", ""},
		{"both scopes", form("app_rw", "secret_rw", "contacts_read contacts_write"), 200, "contacts_read contacts_write", ""},
		{"write only", form("app_rw", "secret_rw", "contacts_write"), 200, "contacts_write", ""},
		{"scope not enabled", form("app_ro", "secret_ro", "contacts_write"), 401, "", `"invalid_scope"`},
		{"unknown scope", form("app_rw", "secret_rw", "contacts_admin"), 401, "", `"invalid_scope"`},
		{"wrong secret", form("app_rw", "nope", ""), 401, "", `{"code":"invalid_client","message":"Client ID or client secret is incorrect"}`},
		{"unknown client", form("app_x", "secret_rw", ""), 401, "", `{"code":"invalid_client","message":"Client ID or client secret is incorrect"}`},
		{"wrong grant type", url.Values{"grant_type": {"password"}, "client_id": {"app_rw"}, "client_secret": {"secret_rw"}}, 401, "", `"unsupported_grant_type"`},
		{"missing secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"app_rw"}}, 401, "", `"invalid_request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := exchange(t, e.srv.TokenURL, tt.form)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, body)
			}
			if tt.status != 200 {
				if got := mustJSON(body["error"]); got != tt.errorJSON {
					t.Errorf("error = %s, want %s", got, tt.errorJSON)
				}
				return
			}
			if body["scope"] != tt.scope || body["token_type"] != "Bearer" || body["expires_in"] != float64(7200) ||
				body["created_at"] != float64(e.clock.Now().Unix()) || body["access_token"] == "" {
				t.Errorf("token = %v", body)
			}
		})
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
