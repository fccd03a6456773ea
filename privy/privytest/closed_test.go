package privytest_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

// TestStaleInputIsRefused: the fake, like the client's pre-flight validation, refuses a query
// parameter or body property the spec does not declare (a renamed filter or field) with the
// API's 422 envelope naming it, instead of ignoring it; and it applies the spec's one email rule.
func TestStaleInputIsRefused(t *testing.T) {
	e := newEnv(t)
	e.create(t, gen.CreateContactRequest{Email: ptr("jane@example.com"), EmailConsent: ptr(gen.ConsentSubscribed)})
	e.create(t, gen.CreateContactRequest{Email: ptr("joe@example.com")})
	m := specmodel.MustLoad()
	msgEmail, msgEmailFilter := specmodel.MustFind(m.Create, "email").Message, specmodel.MustFind(m.Filters, "email").Message
	tests := []struct {
		name, method, path, body string
		want                     []gen.ErrorDetail
	}{
		{"renamed list filter", http.MethodGet, "/contacts?email_consent=subscribed", "",
			[]gen.ErrorDetail{{Field: "email_consent", Message: "is not a known parameter"}}},
		{"two undeclared parameters beside a declared one", http.MethodGet, "/contacts?page=1&subscribed_only=true&sort=name", "",
			[]gen.ErrorDetail{{Field: "sort", Message: "is not a known parameter"}, {Field: "subscribed_only", Message: "is not a known parameter"}}},
		{"renamed create property", http.MethodPost, "/contacts", `{"email":"new@example.com","email_permission":"subscribed"}`,
			[]gen.ErrorDetail{{Field: "email_permission", Message: "is not a known field"}}},
		{"undeclared update property", http.MethodPatch, "/contacts", `{"email":"jane@example.com","first_name":"J","nickname":"JJ"}`,
			[]gen.ErrorDetail{{Field: "nickname", Message: "is not a known field"}}},
		{"email without a dot in the domain", http.MethodPost, "/contacts", `{"email":"user@localhost"}`,
			[]gen.ErrorDetail{{Field: "email", Message: msgEmail}}},
		{"email filter without a dot in the domain", http.MethodGet, "/contacts?email=user%40localhost", "",
			[]gen.ErrorDetail{{Field: "email", Message: msgEmailFilter}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := ""
			if tt.body != "" {
				ct = "application/json"
			}
			status, _, body := e.do(t, tt.method, tt.path, ct, tt.body)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422: %s", status, body)
			}
			got := errorOf(t, body)
			if got.Code != gen.ErrorCodeValidationFailed || !slices.Equal(details(got), tt.want) {
				t.Errorf("error = %s, want validation_failed with details %v", mustJSON(got), tt.want)
			}
		})
	}
	if n := len(e.srv.Contacts()); n != 2 {
		t.Errorf("%d contacts after refused requests, want 2", n)
	}
	// The declared filter still works: the stale one did not silently select everyone.
	status, _, body := e.do(t, http.MethodGet, "/contacts?email_permission=subscribed", "", "")
	if status != http.StatusOK {
		t.Fatalf("declared filter: status %d: %s", status, body)
	}
}
