package privytest

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy/spec"
)

// recordingTB captures what a Fake reports to its test.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestContractViolationsAreReported(t *testing.T) {
	tests := []struct {
		name    string
		mangle  func(body []byte) []byte
		pointer string
		rule    string
	}{
		{"bad timestamp", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"created_at":"2025-01-15T10:30:00Z"`), []byte(`"created_at":"yesterday"`), 1)
		}, "/data/created_at", "format"},
		{"missing field", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"email_permission":"non_subscribed",`), nil, 1)
		}, "/data/email_permission", "required"},
		{"unknown consent", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"email_permission":"non_subscribed"`), []byte(`"email_permission":"maybe"`), 1)
		}, "/data/email_permission", "enum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []spec.Violation
			tb := &recordingTB{TB: t}
			f := New(WithT(tb), WithViolationHandler(func(v spec.Violation) {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, v)
			}), WithClock(NewClock(mustTime("2025-01-15T10:30:00Z"))))
			f.mangle = func(op string, status int, body []byte) []byte {
				if op == "createContact" && status == 201 {
					return tt.mangle(body)
				}
				return body
			}
			srv := httptest.NewServer(f)
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/contacts", strings.NewReader(`{"email":"jane@example.com"}`))
			req.Header.Set("Authorization", "Bearer "+DefaultToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("violations %v, want exactly one", got)
			}
			v := got[0]
			if v.Operation != "createContact" || v.Status != 201 || v.Pointer != tt.pointer || v.Rule != tt.rule {
				t.Errorf("violation %+v; want createContact 201 %s %s", v, tt.pointer, tt.rule)
			}
			if len(tb.errors) != 1 || !strings.Contains(tb.errors[0], "createContact") ||
				!strings.Contains(tb.errors[0], tt.pointer) || !strings.Contains(tb.errors[0], tt.rule) {
				t.Errorf("test errors %q; want one naming the operation, pointer and rule", tb.errors)
			}
		})
	}
}

func TestNoContractCheckWhenTurnedOff(t *testing.T) {
	reported := 0
	f := New(WithoutContractCheck(), WithViolationHandler(func(spec.Violation) { reported++ }))
	f.mangle = func(_ string, _ int, body []byte) []byte { return []byte(`{"nonsense":true}`) }
	srv := httptest.NewServer(f)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/contacts", nil)
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if reported != 0 {
		t.Errorf("%d violations reported with the contract check off", reported)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestViolationsAreLoggedWithoutATest(t *testing.T) {
	var buf bytes.Buffer
	f := New(WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	f.mangle = func(_ string, _ int, body []byte) []byte { return []byte(`{"data":[],"pagination":{}}`) }
	srv := httptest.NewServer(f)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/contacts", nil)
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out := buf.String()
	if !strings.Contains(out, "operation=listContacts") || !strings.Contains(out, "pointer=/pagination/page") || !strings.Contains(out, "rule=required") {
		t.Errorf("log %q; want the operation, pointer and rule", out)
	}
	if strings.Contains(out, DefaultToken) {
		t.Error("the log holds the token")
	}
}
