package spectest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/privy/spectest"
)

// recorder is a spectest.T that keeps what was reported.
type recorder struct {
	errors, fatals []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func TestReports(t *testing.T) {
	tests := []struct {
		name  string
		check func(spectest.T)
		want  []string // one fragment per reported error, in order
	}{
		{"valid response", func(t spectest.T) {
			spectest.Response(t, "createContact", 409, []byte(`{"error": {"code": "conflict", "message": "exists"}}`))
		}, nil},
		{"response breaking a rule", func(t spectest.T) {
			spectest.Response(t, "listContacts", 200, []byte(`{"data": [], "pagination": {"page": 0, "per_page": 25, "total_count": 0, "total_pages": 0}}`))
		}, []string{"listContacts response 200 body /pagination/page: minimum:"}},
		{"undeclared status", func(t spectest.T) {
			spectest.Response(t, "listContacts", 418, []byte(`{}`))
		}, []string{"listContacts response 418 file: status: listContacts declares no response 418"}},
		{"unknown operation", func(t spectest.T) {
			spectest.Request(t, "getContact", []byte(`{}`))
		}, []string{`unknown operation "getContact"`}},
		{"request breaking a rule", func(t spectest.T) {
			spectest.Request(t, "createContact", []byte(`{"phone_number": "555"}`))
		}, []string{"createContact request body /phone_number: pattern:"}},
		{"fixture directory", func(t spectest.T) {
			spectest.Fixtures(t, "../../testdata/fixtures/createContact/request")
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			tt.check(&r)
			if len(r.fatals) > 0 {
				t.Fatalf("fatal: %v", r.fatals)
			}
			if len(r.errors) != len(tt.want) {
				t.Fatalf("reported %q, want %d errors like %q", r.errors, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(r.errors[i], w) {
					t.Errorf("error %q does not contain %q", r.errors[i], w)
				}
			}
		})
	}
}

func TestFixturesReportNegativeThatPasses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "createContact", "request", "invalid")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fine.json"), []byte(`{"email": "a@example.com"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var r recorder
	spectest.Fixtures(&r, dir)
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "a negative fixture that breaks no rule") {
		t.Errorf("reported %q", r.errors)
	}
}

func TestLoadAnotherRevision(t *testing.T) {
	base, err := os.ReadFile("../../testdata/releases/openapi-v0.1.0.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(file, []byte(strings.Replace(string(base), "maximum: 100", "maximum: 500", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var r recorder
	spectest.Load(&r, file).Request(&r, "listContacts", []byte(`{"per_page": 500}`))
	if len(r.errors)+len(r.fatals) != 0 {
		t.Errorf("against the revision: %q %q", r.errors, r.fatals)
	}
	spectest.Request(&r, "listContacts", []byte(`{"per_page": 500}`))
	if len(r.errors) != 1 {
		t.Errorf("against the embedded spec: %q", r.errors)
	}

	var bad recorder
	c := spectest.Load(&bad, filepath.Join(t.TempDir(), "missing.yaml"))
	c.Response(&bad, "listContacts", 200, []byte(`{}`)) // a nil Checker reports nothing more
	if c != nil || len(bad.fatals) != 1 || len(bad.errors) != 0 {
		t.Errorf("Load of a missing file: %v, fatals %q", c, bad.fatals)
	}
}
