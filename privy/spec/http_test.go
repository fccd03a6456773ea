package spec_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/privy/spec"
)

func newValidator(t testing.TB, basePath string) *spec.Validator {
	t.Helper()
	v, err := spec.NewValidator(basePath)
	if err != nil {
		t.Fatalf("NewValidator(%q): %v", basePath, err)
	}
	return v
}

// violationWant describes one expected violation; empty fields are not checked and message
// is matched as a substring.
type violationWant struct {
	in, pointer, rule, field, message string
}

func (w violationWant) matches(v spec.Violation) bool {
	return fixtureWant(w).matches(v)
}

// assertViolations checks that got holds exactly the wanted violations, in any order.
func assertViolations(t *testing.T, got []spec.Violation, want []violationWant) {
	t.Helper()
	left := slices.Clone(got)
	for _, w := range want {
		i := slices.IndexFunc(left, w.matches)
		if i < 0 {
			t.Errorf("missing violation %+v", w)
			continue
		}
		left = slices.Delete(left, i, i+1)
	}
	for _, v := range left {
		t.Errorf("unexpected violation: %s (in=%q pointer=%q rule=%q field=%q)", v, v.In, v.Pointer, v.Rule, v.Field)
	}
	for _, v := range got {
		if v.Rule == "" || v.Message == "" || v.In == "" {
			t.Errorf("violation without In, Rule or Message: %+v", v)
		}
	}
}

const (
	jsonCT = "application/json"
	formCT = "application/x-www-form-urlencoded"
)

func TestCheckRequest(t *testing.T) {
	cases := []struct {
		name, method, target, contentType, body string
		noBase                                  bool // a Validator without base path
		wantOp                                  string
		want                                    []violationWant
	}{
		{name: "list, no parameters", method: "GET", target: "/v1/contacts", wantOp: "listContacts"},
		{name: "list, every filter", method: "GET", wantOp: "listContacts",
			target: "/v1/contacts?page=2&per_page=100&email=jane%40example.com&phone_number=%2B15551234567&email_permission=subscribed&contact_phone_permission=pending"},
		{name: "list, page and per_page out of range", method: "GET", target: "/v1/contacts?page=0&per_page=500", wantOp: "listContacts",
			want: []violationWant{
				{in: "query", pointer: "/page", rule: "minimum", field: "page"},
				{in: "query", pointer: "/per_page", rule: "maximum", field: "per_page"},
			}},
		{name: "list, per_page 0", method: "GET", target: "/v1/contacts?per_page=0", wantOp: "listContacts",
			want: []violationWant{{in: "query", pointer: "/per_page", rule: "minimum", field: "per_page"}}},
		{name: "list, page not an integer", method: "GET", target: "/v1/contacts?page=two", wantOp: "listContacts",
			want: []violationWant{{in: "query", pointer: "/page", rule: "parse", field: "page"}}},
		{name: "list, email_permission enum", method: "GET", target: "/v1/contacts?email_permission=opted_in", wantOp: "listContacts",
			want: []violationWant{{in: "query", pointer: "/email_permission", rule: "enum", field: "email_permission", message: msgConsent}}},
		{name: "list, phone filter not E.164", method: "GET", target: "/v1/contacts?phone_number=5551234567", wantOp: "listContacts",
			want: []violationWant{{in: "query", pointer: "/phone_number", rule: "pattern", field: "phone_number", message: msgE164}}},
		{name: "list, undeclared parameters (a stale filter name)", method: "GET", target: "/v1/contacts?subscribed_only=true&email_consent=subscribed&page=1", wantOp: "listContacts",
			want: []violationWant{
				{in: "query", pointer: "/email_consent", rule: "additionalProperties", field: "email_consent", message: msgUnknownParam},
				{in: "query", pointer: "/subscribed_only", rule: "additionalProperties", field: "subscribed_only", message: msgUnknownParam},
			}},
		{name: "list, email filter without a dot in the domain", method: "GET", target: "/v1/contacts?email=user%40localhost", wantOp: "listContacts",
			want: []violationWant{{in: "query", pointer: "/email", rule: "pattern", field: "email", message: msgEmail}}},
		{name: "token exchange ignores undeclared parameters (RFC 6749 3.2)", method: "POST", target: "/oauth/token?audience=x", contentType: formCT, wantOp: "exchangeToken",
			body: "grant_type=client_credentials&client_id=app_123&client_secret=secret_abc&resource=contacts"},
		{name: "create, undeclared and badly typed properties are all reported", method: "POST", target: "/v1/contacts", contentType: jsonCT, wantOp: "createContact",
			body: `{"email": "jane@example.com", "email_permission": "subscribed", "first_name": 7}`,
			want: []violationWant{
				{in: "body", pointer: "/email_permission", rule: "additionalProperties", field: "email_permission", message: msgUnknown},
				{in: "body", pointer: "/first_name", rule: "type", field: "first_name"},
			}},
		{name: "update, both identifiers and an undeclared property are both reported", method: "PATCH", target: "/v1/contacts", contentType: jsonCT, wantOp: "updateContact",
			body: `{"email": "jane@example.com", "phone_number": "+15551234567", "nickname": "J"}`,
			want: []violationWant{
				{in: "body", pointer: "/nickname", rule: "additionalProperties", field: "nickname", message: msgUnknown},
				{in: "body", rule: "oneOf", field: "base", message: msgExactlyOne},
			}},
		{name: "no base path configured", noBase: true, method: "GET", target: "/contacts?page=1", wantOp: "listContacts"},
		{name: "unknown path", method: "GET", target: "/v1/contacts/jane", want: []violationWant{{in: "route", rule: "route", message: "no operation for GET /v1/contacts/jane"}}},
		{name: "unknown method", method: "PUT", target: "/v1/contacts", contentType: jsonCT, body: `{}`,
			want: []violationWant{{in: "route", rule: "route", message: "no operation for PUT /v1/contacts"}}},
		{name: "other API version", method: "GET", target: "/v2/contacts", want: []violationWant{{in: "route", rule: "route"}}},
		{name: "API path without the base path", method: "GET", target: "/contacts", want: []violationWant{{in: "route", rule: "route", message: "no operation for GET /contacts"}}},
		{name: "token exchange outside the base path", method: "POST", target: "/oauth/token", contentType: formCT, wantOp: "exchangeToken",
			body: "grant_type=client_credentials&client_id=app_123&client_secret=secret_abc&scope=contacts_read+contacts_write"},
		{name: "token exchange is not below the base path", method: "POST", target: "/v1/oauth/token", contentType: formCT,
			body: "grant_type=client_credentials&client_id=app_123&client_secret=secret_abc",
			want: []violationWant{{in: "route", rule: "route"}}},
		// The form may leave the credentials out: the client may authenticate with HTTP Basic.
		{name: "token exchange without client credentials", method: "POST", target: "/oauth/token", contentType: formCT, wantOp: "exchangeToken",
			body: "grant_type=client_credentials"},
		{name: "token exchange without grant_type", method: "POST", target: "/oauth/token", contentType: formCT, wantOp: "exchangeToken",
			body: "client_id=app_123&client_secret=secret_abc",
			want: []violationWant{{in: "body", pointer: "/grant_type", rule: "required", field: "grant_type"}}},
		{name: "create", method: "POST", target: "/v1/contacts", contentType: jsonCT, wantOp: "createContact",
			body: `{"email": "jane@example.com", "custom_fields": {"tier": "gold", "visits": 3}}`},
		{name: "create, charset in content type", method: "POST", target: "/v1/contacts", contentType: jsonCT + "; charset=utf-8", wantOp: "createContact",
			body: `{"phone_number": "+15551234567"}`},
		{name: "create, no identifier", method: "POST", target: "/v1/contacts", contentType: jsonCT, wantOp: "createContact",
			body: `{"first_name": "Jane"}`,
			want: []violationWant{{in: "body", pointer: "", rule: "anyOf", field: "base", message: msgIdentifier}}},
		{name: "create, two bad fields", method: "POST", target: "/v1/contacts", contentType: jsonCT, wantOp: "createContact",
			body: `{"phone_number": "555", "sms_consent": "yes"}`,
			want: []violationWant{
				{in: "body", pointer: "/phone_number", rule: "pattern", field: "phone_number", message: msgE164},
				{in: "body", pointer: "/sms_consent", rule: "enum", field: "sms_consent", message: msgConsent},
			}},
		{name: "create, not JSON", method: "POST", target: "/v1/contacts", contentType: jsonCT, wantOp: "createContact",
			body: `{"email": `,
			want: []violationWant{{in: "body", rule: "json", field: "base"}}},
		{name: "create, empty body", method: "POST", target: "/v1/contacts", contentType: jsonCT, wantOp: "createContact",
			want: []violationWant{{in: "body", rule: "required", field: "base"}}},
		{name: "create, non-JSON content type", method: "POST", target: "/v1/contacts", contentType: "text/plain", wantOp: "createContact",
			body: `{"email": "jane@example.com"}`,
			want: []violationWant{{in: "header", pointer: "/Content-Type", rule: "content-type", field: "base", message: "text/plain"}}},
		{name: "update, both identifiers", method: "PATCH", target: "/v1/contacts", contentType: jsonCT, wantOp: "updateContact",
			body: `{"email": "jane@example.com", "phone_number": "+15551234567", "first_name": "Janet"}`,
			want: []violationWant{{in: "body", rule: "oneOf", field: "base", message: msgExactlyOne}}},
		{name: "unsubscribe, reason too long", method: "POST", target: "/v1/contacts/unsubscribe", contentType: jsonCT, wantOp: "unsubscribeContact",
			body: `{"email": "jane@example.com", "reason": "` + strings.Repeat("x", 501) + `"}`,
			want: []violationWant{{in: "body", pointer: "/reason", rule: "maxLength", field: "reason", message: msgReason}}},
		{name: "delete, no identifier", method: "DELETE", target: "/v1/contacts", contentType: jsonCT, wantOp: "deleteContact",
			body: `{}`,
			want: []violationWant{{in: "body", rule: "oneOf", field: "base", message: msgExactlyOne}}},
	}
	validators := map[string]*spec.Validator{"/v1": newValidator(t, "/v1"), "": newValidator(t, "")}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := "/v1"
			if c.noBase {
				base = ""
			}
			r := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
			if c.contentType != "" {
				r.Header.Set("Content-Type", c.contentType)
			}
			op, got := validators[base].CheckRequest(context.Background(), r, []byte(c.body))
			if op != c.wantOp {
				t.Errorf("operation = %q, want %q", op, c.wantOp)
			}
			for _, v := range got {
				if v.Operation != c.wantOp {
					t.Errorf("violation names operation %q, want %q", v.Operation, c.wantOp)
				}
				if v.Status != 0 {
					t.Errorf("request violation has status %d", v.Status)
				}
			}
			assertViolations(t, got, c.want)
		})
	}
}

func TestNewValidatorBasePath(t *testing.T) {
	if got := newValidator(t, "/v1/").BasePath(); got != "/v1" {
		t.Errorf("BasePath() = %q, want %q", got, "/v1")
	}
	// A base path that is a prefix of a segment must not be stripped: /v10/contacts is not /v1.
	v := newValidator(t, "/v1")
	op, vs := v.CheckRequest(context.Background(), httptest.NewRequest("GET", "/v10/contacts", nil), nil)
	if op != "" || len(vs) != 1 || vs[0].Rule != "route" {
		t.Errorf("GET /v10/contacts = %q %v; want no operation", op, vs)
	}
}

// rateHeaders returns the six X-RateLimit-* headers every API response carries.
func rateHeaders() http.Header {
	return http.Header{
		"Content-Type":                 {jsonCT},
		"X-Ratelimit-Limit-Minute":     {"60"},
		"X-Ratelimit-Remaining-Minute": {"59"},
		"X-Ratelimit-Reset-Minute":     {"1736937060"},
		"X-Ratelimit-Limit-Day":        {"10000"},
		"X-Ratelimit-Remaining-Day":    {"9999"},
		"X-Ratelimit-Reset-Day":        {"1737000000"},
	}
}

func withHeader(h http.Header, edit func(http.Header)) http.Header {
	h = h.Clone()
	edit(h)
	return h
}

var rateHeaderNames = []string{
	"X-RateLimit-Limit-Minute", "X-RateLimit-Remaining-Minute", "X-RateLimit-Reset-Minute",
	"X-RateLimit-Limit-Day", "X-RateLimit-Remaining-Day", "X-RateLimit-Reset-Day",
}

const (
	listBody     = `{"data": [], "pagination": {"page": 1, "per_page": 25, "total_count": 0, "total_pages": 0}}`
	rateLimited  = `{"error": {"code": "rate_limited", "message": "Rate limit exceeded"}}`
	tokenBody    = `{"access_token": "8a3f1c2e9b7d4a6f", "token_type": "Bearer", "expires_in": 7200, "scope": "contacts_read", "created_at": 1736937000}`
	unauthorized = `{"error": {"code": "unauthorized", "message": "Bearer token is missing or invalid"}}`
)

func TestCheckResponse(t *testing.T) {
	var missingAll []violationWant
	for _, name := range rateHeaderNames {
		missingAll = append(missingAll, violationWant{in: "header", pointer: "/" + name, rule: "required", field: name, message: "is required"})
	}
	cases := []struct {
		name, method, target string
		status               int
		header               http.Header
		body                 string
		want                 []violationWant
	}{
		{name: "list page", method: "GET", target: "/v1/contacts", status: 200, header: rateHeaders(), body: listBody},
		{name: "charset in content type", method: "GET", target: "/v1/contacts?page=1", status: 200, body: listBody,
			header: withHeader(rateHeaders(), func(h http.Header) { h.Set("Content-Type", "application/json; charset=utf-8") })},
		{name: "no rate-limit headers", method: "GET", target: "/v1/contacts", status: 200, header: http.Header{"Content-Type": {jsonCT}}, body: listBody,
			want: missingAll},
		{name: "one rate-limit header missing", method: "PATCH", target: "/v1/contacts", status: 404,
			header: withHeader(rateHeaders(), func(h http.Header) { h.Del("X-RateLimit-Reset-Day") }),
			body:   `{"error": {"code": "not_found", "message": "The contact could not be found"}}`,
			want:   []violationWant{{in: "header", pointer: "/X-RateLimit-Reset-Day", rule: "required", field: "X-RateLimit-Reset-Day"}}},
		{name: "rate-limit header not digits", method: "GET", target: "/v1/contacts", status: 200, body: listBody,
			header: withHeader(rateHeaders(), func(h http.Header) { h.Set("X-RateLimit-Remaining-Minute", "-1") }),
			want:   []violationWant{{in: "header", pointer: "/X-RateLimit-Remaining-Minute", rule: "pattern", field: "X-RateLimit-Remaining-Minute"}}},
		{name: "429 with Retry-After in seconds", method: "POST", target: "/v1/contacts", status: 429, body: rateLimited,
			header: withHeader(rateHeaders(), func(h http.Header) { h.Set("Retry-After", "30") })},
		{name: "429 with Retry-After as an HTTP-date", method: "POST", target: "/v1/contacts", status: 429, body: rateLimited,
			header: withHeader(rateHeaders(), func(h http.Header) { h.Set("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT") })},
		{name: "429 without Retry-After", method: "POST", target: "/v1/contacts", status: 429, body: rateLimited, header: rateHeaders(),
			want: []violationWant{{in: "header", pointer: "/Retry-After", rule: "required", field: "Retry-After"}}},
		{name: "HTML error page", method: "GET", target: "/v1/contacts", status: 401, body: "<html>Unauthorized</html>",
			header: withHeader(rateHeaders(), func(h http.Header) { h.Set("Content-Type", "text/html") }),
			want:   []violationWant{{in: "header", pointer: "/Content-Type", rule: "content-type", message: `"text/html"`}}},
		{name: "JSON content type, body not JSON", method: "POST", target: "/v1/contacts", status: 201, header: rateHeaders(), body: "{",
			want: []violationWant{{in: "body", rule: "json", message: "not valid JSON"}}},
		{name: "body breaks the schema", method: "GET", target: "/v1/contacts", status: 200, header: rateHeaders(),
			body: `{"data": [], "pagination": {"page": 0, "per_page": 25, "total_count": 0}}`,
			want: []violationWant{
				{in: "body", pointer: "/pagination/page", rule: "minimum"},
				{in: "body", pointer: "/pagination/total_pages", rule: "required"},
			}},
		{name: "undeclared status", method: "GET", target: "/v1/contacts", status: 500, header: rateHeaders(), body: `{}`,
			want: []violationWant{{in: "status", rule: "status", message: "listContacts declares no response 500 (declared: 200, 401, 403, 422, 429)"}}},
		{name: "undeclared status 404 on list", method: "GET", target: "/v1/contacts", status: 404, header: rateHeaders(),
			body: `{"error": {"code": "not_found", "message": "x"}}`,
			want: []violationWant{{in: "status", rule: "status", message: "declares no response 404"}}},
		{name: "no operation", method: "GET", target: "/v1/lists", status: 200, header: rateHeaders(), body: `{}`,
			want: []violationWant{{in: "route", rule: "route", message: "no operation for GET /v1/lists"}}},
		{name: "headers not checked when nil", method: "GET", target: "/v1/contacts", status: 200, body: listBody},
		{name: "token", method: "POST", target: "/oauth/token", status: 200, header: http.Header{"Content-Type": {jsonCT}}, body: tokenBody},
		{name: "token error, OAuth form", method: "POST", target: "/oauth/token", status: 401, header: http.Header{"Content-Type": {jsonCT}},
			body: `{"error": "invalid_client", "error_description": "Client ID or client secret is incorrect"}`},
		{name: "token error, API envelope", method: "POST", target: "/oauth/token", status: 401, header: http.Header{"Content-Type": {jsonCT}},
			body: `{"error": {"code": "invalid_client", "message": "Client ID or client secret is incorrect"}}`},
		{name: "token error, neither shape", method: "POST", target: "/oauth/token", status: 401, header: http.Header{"Content-Type": {jsonCT}},
			body: `{"error": 401}`,
			want: []violationWant{{in: "body", pointer: "/error", rule: "oneOf"}}},
		{name: "unauthorized with every header", method: "DELETE", target: "/v1/contacts", status: 401, header: rateHeaders(), body: unauthorized},
	}
	v := newValidator(t, "/v1")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.target, nil)
			got := v.CheckResponse(r, c.status, c.header, []byte(c.body))
			for _, x := range got {
				if x.Status != c.status {
					t.Errorf("violation has status %d, want %d", x.Status, c.status)
				}
			}
			assertViolations(t, got, c.want)
		})
	}
}

// FuzzCheckResponse feeds arbitrary statuses, headers and bodies to CheckResponse: it must
// never panic, and every violation must say which rule broke and why.
func FuzzCheckResponse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(fixturesDir, "*", "response", "*", "*", "*.json"))
	for i, p := range seeds {
		if i%4 != 0 { // a sample keeps the seed corpus quick
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), 200, "X-RateLimit-Remaining-Minute", "59", jsonCT, data)
	}
	f.Add(uint8(0), 429, "Retry-After", "soon", jsonCT, []byte(rateLimited))
	f.Add(uint8(1), 201, "X-RateLimit-Limit-Day", "", "text/html", []byte("<html>"))
	f.Add(uint8(2), 0, "", "", "", []byte(nil))
	f.Add(uint8(3), -1, "\x00", "\xff", "application/json; charset=\xff", []byte(`null`))
	f.Add(uint8(4), 999, "Content-Type", "application/json", jsonCT, []byte(`{"error": {"code": 1, "details": "x"}}`))
	f.Add(uint8(5), 401, "X", "Y", jsonCT, []byte(`{"error": {"code": "x", "message": "y", "details": [null, 1, {"field": []}]}}`))

	v := newValidator(f, "/v1")
	requests := []struct{ method, target string }{
		{"GET", "/v1/contacts"}, {"POST", "/v1/contacts"}, {"PATCH", "/v1/contacts"}, {"DELETE", "/v1/contacts"},
		{"POST", "/v1/contacts/unsubscribe"}, {"POST", "/oauth/token"}, {"GET", "/nowhere"},
	}
	f.Fuzz(func(t *testing.T, which uint8, status int, name, value, contentType string, body []byte) {
		req := requests[int(which)%len(requests)]
		header := rateHeaders()
		header.Set("Content-Type", contentType)
		header[name] = []string{value} // raw, not canonicalised: anything a peer could send
		for _, h := range []http.Header{header, nil} {
			got := v.CheckResponse(httptest.NewRequest(req.method, req.target, nil), status, h, body)
			for _, x := range got {
				if x.Rule == "" || x.Message == "" {
					t.Fatalf("%s %s %d: violation without rule or message: %+v", req.method, req.target, status, x)
				}
				if x.Status != status {
					t.Fatalf("violation status %d, want %d", x.Status, status)
				}
				_ = x.String()
				_ = x.Detail()
			}
		}
	})
}
