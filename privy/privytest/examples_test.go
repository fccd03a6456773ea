package privytest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specdoc"
	"github.com/privy-go/privy-go/privy/privytest"
)

// responseExample is one example response of the spec.
type responseExample struct {
	op, method, path string
	status           string
	name             string
	value            []byte
}

func (x responseExample) key() string { return x.op + " " + x.status + " " + x.name }

func responseExamples(t *testing.T) []responseExample {
	t.Helper()
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	var out []responseExample
	for _, p := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(p).Operations() {
			for status, ref := range op.Responses.Map() {
				media := ref.Value.Content.Get("application/json")
				if media == nil {
					continue
				}
				for name, ex := range media.Examples {
					b, err := json.Marshal(ex.Value.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, responseExample{op.OperationID, method, p, status, name, b})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b responseExample) int { return strings.Compare(a.key(), b.key()) })
	return out
}

// requestExample returns the JSON (or, for a form, the encoded form) of a request example.
func requestExample(t *testing.T, opID, name string) string {
	t.Helper()
	op, err := operationByID(opID)
	if err != nil {
		t.Fatal(err)
	}
	for ct, media := range op.RequestBody.Value.Content {
		ex, ok := media.Examples[name]
		if !ok {
			continue
		}
		if ct == "application/x-www-form-urlencoded" {
			form := url.Values{}
			for k, v := range ex.Value.Value.(map[string]any) {
				form.Set(k, fmt.Sprint(v))
			}
			return form.Encode()
		}
		b, _ := json.Marshal(ex.Value.Value)
		return string(b)
	}
	t.Fatalf("%s has no request example %q", opID, name)
	return ""
}

// The spec's example timestamps.
var (
	exampleUpdated      = time.Date(2025, 3, 20, 14, 22, 0, 0, time.UTC)
	exampleUnsubscribed = time.Date(2025, 3, 21, 9, 0, 0, 0, time.UTC)
)

// opCall is a typical request of each operation, from the spec's request examples.
func opCall(t *testing.T, op string) (method, path, body string) {
	switch op {
	case "listContacts":
		return http.MethodGet, "/contacts", ""
	case "createContact":
		return http.MethodPost, "/contacts", requestExample(t, op, "full")
	case "updateContact":
		return http.MethodPatch, "/contacts", requestExample(t, op, "rename")
	case "unsubscribeContact":
		return http.MethodPost, "/contacts/unsubscribe", requestExample(t, op, "withReason")
	case "deleteContact":
		return http.MethodDelete, "/contacts", requestExample(t, op, "byEmail")
	}
	t.Fatalf("no typical call for %s", op)
	return
}

// call sends op's typical request with token and returns the answer.
func (e *env) call(t *testing.T, op, token string) (int, []byte) {
	t.Helper()
	method, path, body := opCall(t, op)
	status, _, b := doRaw(t, method, e.srv.URL+path, token, "application/json", body)
	return status, b
}

// janeAsInTheExamples creates the contact of the spec's examples: created at the examples'
// created_at from the "full" request, and touched at the examples' updated_at.
func janeAsInTheExamples(t *testing.T, e *env) {
	t.Helper()
	if status, _, body := e.do(t, http.MethodPost, "/contacts", "application/json", requestExample(t, "createContact", "full")); status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	e.clock.Advance(exampleUpdated.Sub(e.clock.Now()))
	if status, _, body := e.do(t, http.MethodPatch, "/contacts", "application/json", `{"email":"jane@example.com","tags":["vip"]}`); status != 200 {
		t.Fatalf("touch: %d %s", status, body)
	}
}

// TestSpecExamples reproduces every example response of openapi.yaml with the fake, for the
// input the example describes. A new example without a scenario here fails the test.
func TestSpecExamples(t *testing.T) {
	type scenario struct {
		// run returns the status and body the fake answered.
		run func(t *testing.T, x responseExample) (int, []byte)
		// compare, when set, replaces the comparison of the whole body.
		compare func(t *testing.T, want, got []byte)
		// skip explains why no input can produce the example.
		skip string
	}
	unauthorized := scenario{run: func(t *testing.T, x responseExample) (int, []byte) {
		return newEnv(t).call(t, x.op, "")
	}}
	insufficientScope := scenario{run: func(t *testing.T, x responseExample) (int, []byte) {
		e := newEnv(t)
		other := privytest.ScopeRead
		if x.op == "listContacts" {
			other = privytest.ScopeWrite
		}
		e.srv.AddToken("privy_narrow", time.Time{}, other)
		return e.call(t, x.op, "privy_narrow")
	}}
	notFound := scenario{run: func(t *testing.T, x responseExample) (int, []byte) {
		return newEnv(t).call(t, x.op, privytest.DefaultToken)
	}}
	rateLimited := scenario{run: func(t *testing.T, x responseExample) (int, []byte) {
		e := newEnv(t, privytest.WithLimits(1, 100))
		e.call(t, x.op, privytest.DefaultToken)
		return e.call(t, x.op, privytest.DefaultToken)
	}}
	noMissingIdentifier := scenario{skip: `"email or phone_number is required" is createContact's rule; the other operations say "exactly one of email or phone_number is required"`}
	noEmailRequired := scenario{skip: "no operation of this release requires email on its own (the example is the errors page's generic one)"}
	touched := func(op string) scenario {
		return scenario{run: func(t *testing.T, x responseExample) (int, []byte) {
			e := newEnv(t)
			janeAsInTheExamples(t, e)
			if op == "unsubscribeContact" {
				e.clock.Advance(exampleUnsubscribed.Sub(e.clock.Now()))
			}
			return e.call(t, op, privytest.DefaultToken)
		}}
	}
	scenarios := map[string]scenario{
		"createContact 201 created": {run: func(t *testing.T, x responseExample) (int, []byte) {
			return newEnv(t).call(t, x.op, privytest.DefaultToken)
		}},
		"createContact 409 conflict": {run: func(t *testing.T, x responseExample) (int, []byte) {
			e := newEnv(t)
			e.call(t, x.op, privytest.DefaultToken)
			return e.call(t, x.op, privytest.DefaultToken)
		}},
		"createContact 422 missingIdentifier": {run: func(t *testing.T, x responseExample) (int, []byte) {
			status, _, body := newEnv(t).do(t, http.MethodPost, "/contacts", "application/json", `{"first_name":"Jane"}`)
			return status, body
		}},
		"updateContact 200 updated": {run: func(t *testing.T, x responseExample) (int, []byte) {
			e := newEnv(t)
			e.call(t, "createContact", privytest.DefaultToken)
			e.clock.Advance(exampleUpdated.Sub(e.clock.Now()))
			return e.call(t, x.op, privytest.DefaultToken)
		}},
		"unsubscribeContact 200 unsubscribed": touched("unsubscribeContact"),
		"deleteContact 200 deleted":           touched("deleteContact"),
		"listContacts 200 empty": {run: func(t *testing.T, x responseExample) (int, []byte) {
			e := newEnv(t)
			e.call(t, "createContact", privytest.DefaultToken)
			status, _, body := e.do(t, http.MethodGet, "/contacts?email=nobody@example.com", "", "")
			return status, body
		}},
		// The overview's example shows one contact of a 25-contact page: the first contact and
		// the pagination must match; the other 24 are not shown.
		"listContacts 200 page": {
			run: func(t *testing.T, x responseExample) (int, []byte) {
				e := newEnv(t)
				e.call(t, "createContact", privytest.DefaultToken)
				for i := range 141 {
					e.clock.Advance(time.Minute)
					e.create(t, gen.CreateContactRequest{Email: ptr(fmt.Sprintf("c%03d@example.com", i))})
				}
				e.clock.Advance(exampleUpdated.Sub(e.clock.Now()))
				e.do(t, http.MethodPatch, "/contacts", "application/json", `{"email":"jane@example.com","tags":["vip"]}`)
				status, _, body := e.do(t, http.MethodGet, "/contacts", "", "")
				return status, body
			},
			compare: func(t *testing.T, want, got []byte) {
				type page struct {
					Data       []json.RawMessage `json:"data"`
					Pagination json.RawMessage   `json:"pagination"`
				}
				w, g := jsonTo[page](t, string(want)), jsonTo[page](t, string(got))
				if len(g.Data) != 25 || !sameJSON(t, w.Data[0], g.Data[0]) || !sameJSON(t, w.Pagination, g.Pagination) {
					t.Errorf("page: got %d contacts, first %s, pagination %s; want 25, %s, %s", len(g.Data), g.Data[0], g.Pagination, w.Data[0], w.Pagination)
				}
			},
		},
		"exchangeToken 200 token": {
			run: func(t *testing.T, x responseExample) (int, []byte) {
				e := newEnv(t)
				e.clock.Advance(time.Unix(1736937000, 0).Sub(e.clock.Now()))
				e.srv.AddOAuthClient("app_123", "secret_abc", privytest.ScopeRead, privytest.ScopeWrite)
				status, _, body := doRaw(t, http.MethodPost, e.srv.TokenURL, "", "application/x-www-form-urlencoded", requestExample(t, x.op, "readWrite"))
				return status, body
			},
			compare: func(t *testing.T, want, got []byte) {
				w, g := jsonTo[map[string]any](t, string(want)), jsonTo[map[string]any](t, string(got))
				if tok, _ := g["access_token"].(string); tok == "" {
					t.Errorf("no access_token in %s", got)
				}
				delete(w, "access_token") // random by nature
				delete(g, "access_token")
				if mustJSON(w) != mustJSON(g) {
					t.Errorf("token: got %s, want %s (access_token aside)", got, want)
				}
			},
		},
		"exchangeToken 401 invalidClient": {run: func(t *testing.T, x responseExample) (int, []byte) {
			e := newEnv(t)
			status, _, body := doRaw(t, http.MethodPost, e.srv.TokenURL, "", "application/x-www-form-urlencoded", requestExample(t, x.op, "readWrite"))
			return status, body
		}},
		"exchangeToken 400 invalidRequest": {run: func(t *testing.T, x responseExample) (int, []byte) {
			e := newEnv(t)
			form := requestExample(t, x.op, "readWrite") + "&client_id=app_123"
			status, _, body := doRaw(t, http.MethodPost, e.srv.TokenURL, "", "application/x-www-form-urlencoded", form)
			return status, body
		}},
		"exchangeToken 400 unsupportedGrantType": {
			run: func(t *testing.T, x responseExample) (int, []byte) {
				e := newEnv(t)
				form := strings.Replace(requestExample(t, x.op, "readWrite"), "client_credentials", "password", 1)
				status, _, body := doRaw(t, http.MethodPost, e.srv.TokenURL, "", "application/x-www-form-urlencoded", form)
				return status, body
			},
			compare: func(t *testing.T, want, got []byte) { // the description is the validator's
				w, g := jsonTo[map[string]any](t, string(want)), jsonTo[map[string]any](t, string(got))
				if w["error"] != g["error"] {
					t.Errorf("error: got %s, want %s", got, want)
				}
			},
		},
		"exchangeToken 400 invalidScope": {run: func(t *testing.T, x responseExample) (int, []byte) {
			e := newEnv(t)
			e.srv.AddOAuthClient("app_123", "secret_abc", privytest.ScopeRead, privytest.ScopeWrite)
			form := strings.Replace(requestExample(t, x.op, "readWrite"), "contacts_write", "contacts_admin", 1)
			status, _, body := doRaw(t, http.MethodPost, e.srv.TokenURL, "", "application/x-www-form-urlencoded", form)
			return status, body
		}},
		"exchangeToken 401 invalidScopeOAuth": {run: func(t *testing.T, x responseExample) (int, []byte) {
			e := newEnv(t)
			e.srv.AddOAuthClient("app_123", "secret_abc", privytest.ScopeRead)
			status, _, body := doRaw(t, http.MethodPost, e.srv.TokenURL, "", "application/x-www-form-urlencoded", requestExample(t, x.op, "readWrite"))
			return status, body
		}},
	}
	// The spec declares RFC 6749 §5.2's 400 errors of the token endpoint; the fake answers
	// malformed token requests with 401 until it follows them.
	noTokenBadRequest := scenario{skip: "the fake does not answer the token endpoint's RFC 6749 400 errors yet"}
	for _, name := range []string{"invalidRequest", "unsupportedGrantType", "invalidScope"} {
		scenarios["exchangeToken 400 "+name] = noTokenBadRequest
	}
	for _, op := range []string{"listContacts", "createContact", "updateContact", "unsubscribeContact", "deleteContact"} {
		scenarios[op+" 401 unauthorized"] = unauthorized
		scenarios[op+" 403 insufficientScope"] = insufficientScope
		scenarios[op+" 429 rateLimited"] = rateLimited
		scenarios[op+" 422 emailRequired"] = noEmailRequired
		if op != "createContact" {
			scenarios[op+" 422 missingIdentifier"] = noMissingIdentifier
		}
		if op != "listContacts" && op != "createContact" {
			scenarios[op+" 404 notFound"] = notFound
		}
	}
	examples := responseExamples(t)
	if len(examples) < 10 {
		t.Fatalf("only %d examples found in the spec", len(examples))
	}
	for _, x := range examples {
		t.Run(x.key(), func(t *testing.T) {
			s, ok := scenarios[x.key()]
			if !ok {
				t.Fatalf("no scenario reproduces the example %q: add one", x.key())
			}
			if s.skip != "" {
				t.Skip(s.skip)
			}
			status, body := s.run(t, x)
			if fmt.Sprint(status) != x.status {
				t.Fatalf("status %d, want %s: %s", status, x.status, body)
			}
			if s.compare != nil {
				s.compare(t, x.value, body)
			} else if !sameJSON(t, x.value, body) {
				t.Errorf("body:\n got %s\nwant %s", strings.TrimSpace(string(body)), x.value)
			}
		})
	}
}

func jsonTo[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}

// operationByID finds an operation of the embedded spec by its operationId.
func operationByID(id string) (*openapi3.Operation, error) {
	doc, err := specdoc.Load()
	if err != nil {
		return nil, err
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(p).Operations() {
			if op.OperationID == id {
				return op, nil
			}
		}
	}
	return nil, fmt.Errorf("the spec has no operation %q", id)
}
