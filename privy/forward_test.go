package privy_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/spec"
)

// laterContact is a contact as a later release of the API might send it.
const laterContact = `{"first_name":"Jane","last_name":"Doe","email":"jane@example.com",
	"email_permission":"subscribed","phone_number":"+15551234567","contact_phone_permission":"subscribed",
	"tags":["vip"],"custom_fields":{"loyalty_tier":"gold"},
	"created_at":"2025-01-15T10:30:00Z","updated_at":"2025-03-20T14:22:00Z"}`

// serveOnce answers every request with status and body, and the six rate-limit headers.
func serveOnce(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		for _, k := range []string{"Limit-Minute", "Remaining-Minute", "Limit-Day", "Remaining-Day"} {
			h.Set("X-RateLimit-"+k, "50")
		}
		h.Set("X-RateLimit-Reset-Minute", "1900000000")
		h.Set("X-RateLimit-Reset-Day", "1900000000")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

type driftLog struct {
	mu sync.Mutex
	vs []spec.Violation
}

func (d *driftLog) report(v spec.Violation) { d.mu.Lock(); d.vs = append(d.vs, v); d.mu.Unlock() }

// TestForwardCompatibility feeds the client responses shaped like a later release: they must
// decode without error, an unknown enum value must stay readable, and drift detection must
// name each difference from the spec by operation, status, JSON pointer and rule.
func TestForwardCompatibility(t *testing.T) {
	page := func(contact string) string {
		return `{"data":[` + contact + `],"pagination":{"page":1,"per_page":25,"total_count":1,"total_pages":1}}`
	}
	tests := []struct {
		name      string
		body      string
		wantEmail gen.Consent // EmailPermission as decoded
		wantDrift []spec.Violation
	}{
		{
			name:      "contacts carry an id",
			body:      page(strings.Replace(laterContact, `{`, `{"id":"ct_123",`, 1)),
			wantEmail: gen.ConsentSubscribed,
			// An added field is not drift: the spec allows properties it does not list.
		},
		{
			name:      "consent fields renamed",
			body:      page(strings.Replace(laterContact, `"email_permission"`, `"email_consent"`, 1)),
			wantEmail: "",
			wantDrift: []spec.Violation{{Operation: "listContacts", Status: 200, In: "body", Pointer: "/data/0/email_permission", Rule: "required"}},
		},
		{
			name:      "a new consent value",
			body:      page(strings.Replace(laterContact, `"email_permission":"subscribed"`, `"email_permission":"never_subscribed"`, 1)),
			wantEmail: "never_subscribed",
			wantDrift: []spec.Violation{{Operation: "listContacts", Status: 200, In: "body", Pointer: "/data/0/email_permission", Rule: "enum"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveOnce(t, http.StatusOK, tt.body)
			var drift driftLog
			var logs bytes.Buffer
			client, err := privy.New(privy.WithBaseURL(srv.URL+"/v1"), privy.WithToken("privy_test"),
				privy.WithDriftDetection(drift.report), privy.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			list, _, err := client.ListContacts(context.Background(), nil)
			if err != nil {
				t.Fatalf("ListContacts: %v (a later release must decode)", err)
			}
			if len(list.Data) != 1 || list.Data[0].EmailPermission != tt.wantEmail {
				t.Fatalf("decoded %+v, want one contact with email_permission %q", list.Data, tt.wantEmail)
			}
			if got := list.Data[0].Email; got == nil || *got != "jane@example.com" {
				t.Errorf("email = %v, want jane@example.com", got)
			}
			if len(drift.vs) != len(tt.wantDrift) {
				t.Fatalf("drift reports %v, want %v", drift.vs, tt.wantDrift)
			}
			for i, want := range tt.wantDrift {
				got := drift.vs[i]
				if got.Operation != want.Operation || got.Status != want.Status || got.In != want.In ||
					got.Pointer != want.Pointer || got.Rule != want.Rule {
					t.Errorf("drift[%d] = %+v, want %+v", i, got, want)
				}
				if !strings.Contains(logs.String(), "pointer="+want.Pointer) || !strings.Contains(logs.String(), "level=WARN") {
					t.Errorf("log lacks a warning for %s:\n%s", want.Pointer, logs.String())
				}
			}
		})
	}
}

// TestForwardCompatibleErrors: an error code the spec does not know still yields an *Error with
// the status and the code readable; the spec declares the list of codes open, so drift
// detection stays quiet.
func TestForwardCompatibleErrors(t *testing.T) {
	srv := serveOnce(t, http.StatusUnprocessableEntity,
		`{"error":{"code":"field_locked","message":"This field is locked","details":[{"field":"email","message":"is locked"}]}}`)
	var drift driftLog
	client, err := privy.New(privy.WithBaseURL(srv.URL+"/v1"), privy.WithToken("privy_test"), privy.WithDriftDetection(drift.report))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = client.UpdateContact(context.Background(), gen.UpdateContactRequest{Email: privy.Ptr("jane@example.com"), FirstName: privy.Ptr("J")})
	var apiErr *privy.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *privy.Error", err)
	}
	if apiErr.StatusCode != 422 || apiErr.Code != "field_locked" || len(apiErr.Details) != 1 {
		t.Errorf("got status %d code %q details %v", apiErr.StatusCode, apiErr.Code, apiErr.Details)
	}
	if len(drift.vs) != 0 {
		t.Errorf("drift = %+v, want none: ErrorBody.code is open to undocumented codes", drift.vs)
	}
}

// TestDriftDetectionThroughGen: users of package gen get drift detection from the Transport too,
// and the body they read is intact.
func TestDriftDetectionThroughGen(t *testing.T) {
	body := `{"data":` + strings.Replace(laterContact, `"+15551234567"`, `"555-1234"`, 1) + `}`
	srv := serveOnce(t, http.StatusOK, body)
	var drift driftLog
	tr, err := privy.NewTransport(privy.WithBaseURL(srv.URL+"/v1"), privy.WithToken("privy_test"), privy.WithDriftDetection(drift.report))
	if err != nil {
		t.Fatal(err)
	}
	g, err := gen.NewClientWithResponses(srv.URL+"/v1", gen.WithHTTPClient(tr))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := g.DeleteContactWithResponse(context.Background(), gen.DeleteContactRequest{Email: privy.Ptr("jane@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON200 == nil || *resp.JSON200.Data.PhoneNumber != "555-1234" {
		t.Fatalf("body not passed on intact: %s", resp.Body)
	}
	if len(drift.vs) != 1 || drift.vs[0].Pointer != "/data/phone_number" || drift.vs[0].Rule != "pattern" || drift.vs[0].Status != 200 {
		t.Errorf("drift = %+v, want one pattern violation at /data/phone_number", drift.vs)
	}
}
