// Package spectest checks fixtures and recorded requests and responses against the Privy API
// spec inside go test. Each violation is reported with t.Errorf, naming the operation, the
// JSON pointer and the rule broken:
//
//	func TestRecordedPage(t *testing.T) {
//		body, _ := os.ReadFile("testdata/page1.json")
//		spectest.Response(t, "listContacts", 200, body)
//	}
//
// The package-level functions check against the spec embedded in this module; Load checks
// against another revision of it, such as the one being edited.
package spectest

import (
	"context"
	"os"

	"github.com/privy-go/privy-go/privy/spec"
)

// T is the part of *testing.T (and testing.TB) that spectest uses.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Checker checks against one revision of the spec.
type Checker struct {
	spec *spec.Spec
}

// Load returns a Checker for the OpenAPI document in file (YAML or JSON); it stops the test
// with t.Fatalf when the file cannot be read as one.
func Load(t T, file string) *Checker {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("spectest: %v", err)
		return nil
	}
	s, err := spec.Load(context.Background(), data)
	if err != nil {
		t.Fatalf("spectest: %s: %v", file, err)
		return nil
	}
	return &Checker{spec: s}
}

func embedded(t T) *Checker {
	t.Helper()
	s, err := spec.Embedded()
	if err != nil {
		t.Fatalf("spectest: %v", err)
		return nil
	}
	return &Checker{spec: s}
}

// Fixtures checks fixture files, and every *.json below each directory, laid out as
// spec.FixtureLayout says, against the embedded spec; see (*Checker).Fixtures.
func Fixtures(t T, paths ...string) {
	t.Helper()
	embedded(t).Fixtures(t, paths...)
}

// Response checks a response body of operation (an operationId) with status against the
// embedded spec; see (*Checker).Response.
func Response(t T, operation string, status int, body []byte) {
	t.Helper()
	embedded(t).Response(t, operation, status, body)
}

// Request checks a request fixture of operation against the embedded spec; see
// (*Checker).Request.
func Request(t T, operation string, fixture []byte) {
	t.Helper()
	embedded(t).Request(t, operation, fixture)
}

// Fixtures checks fixture files, and every *.json below each directory. A positive fixture
// (under "valid") reports each violation; a negative one (under "invalid") is reported when
// it breaks no rule.
func (c *Checker) Fixtures(t T, paths ...string) {
	t.Helper()
	if c == nil {
		return // Load or the embedded spec failed, and t was told
	}
	for _, r := range c.spec.ValidateFixtures(context.Background(), paths...) {
		if r.OK() {
			continue
		}
		if r.Invalid && len(r.Violations) == 0 {
			t.Errorf("%s: a negative fixture that breaks no rule", r.File)
			continue
		}
		for _, v := range r.Violations {
			t.Errorf("%s", v)
		}
	}
}

// Response checks a response body of operation with status, reporting each violation.
func (c *Checker) Response(t T, operation string, status int, body []byte) {
	t.Helper()
	c.report(t, spec.Target{Operation: operation, Status: status}, body)
}

// Request checks a request fixture of operation: the JSON body; for a form body, or the query
// of an operation without a body, a JSON object of parameters; path parameter values under
// spec.PathKey.
func (c *Checker) Request(t T, operation string, fixture []byte) {
	t.Helper()
	c.report(t, spec.Target{Operation: operation}, fixture)
}

func (c *Checker) report(t T, target spec.Target, data []byte) {
	t.Helper()
	if c == nil {
		return // Load or the embedded spec failed, and t was told
	}
	for _, v := range c.spec.Check(context.Background(), target, data) {
		t.Errorf("%s", v)
	}
}
