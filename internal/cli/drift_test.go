package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCheckDrift: --check-drift warns on stderr about each way a response differs from the
// spec, naming operation, status, pointer and rule, and never fails the command; against the
// fake (which honours the spec) it stays silent.
func TestCheckDrift(t *testing.T) {
	drifted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		for _, k := range []string{"Limit-Minute", "Remaining-Minute", "Limit-Day", "Remaining-Day", "Reset-Minute", "Reset-Day"} {
			h.Set("X-RateLimit-"+k, "1900000000")
		}
		// A later release: email_permission renamed to email_consent.
		_, _ = w.Write([]byte(`{"data":[{"first_name":"Jane","last_name":null,"email":"jane@example.com",
			"email_consent":"subscribed","phone_number":null,"contact_phone_permission":"non_subscribed",
			"tags":[],"custom_fields":{},"created_at":"2025-01-15T10:30:00Z","updated_at":"2025-01-15T10:30:00Z"}],
			"pagination":{"page":1,"per_page":25,"total_count":1,"total_pages":1}}`))
	}))
	defer drifted.Close()
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			res := rn.run(t, map[string]string{"PRIVY_BASE_URL": drifted.URL + "/v1", "PRIVY_TOKEN": "privy_secret_token"},
				"--check-drift", "contacts", "list", "--output", "json")
			if res.code != 0 {
				t.Fatalf("exit %d, want 0 (drift never fails the command); stderr:\n%s", res.code, res.stderr)
			}
			for _, want := range []string{"response differs from the spec", "operation=listContacts", "status=200",
				"pointer=/data/0/email_permission", "rule=required"} {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
			if !strings.Contains(res.stdout, "jane@example.com") {
				t.Errorf("the contact was not printed:\n%s", res.stdout)
			}
			if strings.Contains(res.stderr+res.stdout, "privy_secret_token") {
				t.Error("the token was printed")
			}

			quiet := rn.run(t, nil, "--fake", "--check-drift", "contacts", "list", "--output", "json")
			if quiet.code != 0 || strings.Contains(quiet.stderr, "differs") {
				t.Errorf("against the fake: exit %d, stderr:\n%s", quiet.code, quiet.stderr)
			}
		})
	}
}
