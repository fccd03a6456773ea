package spectest_test

import (
	"fmt"

	"github.com/privy-go/privy-go/privy/spectest"
)

// printT stands in for the *testing.T of a test: it prints what the test would report.
type printT struct{}

func (printT) Helper()                           {}
func (printT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }
func (printT) Fatalf(format string, args ...any) { fmt.Printf("FATAL "+format+"\n", args...) }

// In a test, pass t: each violation fails the test with its operation, pointer and rule.
func Example() {
	var t printT
	recorded := []byte(`{"data": [], "pagination": {"page": 1, "per_page": 25, "total_count": 0}}`)
	spectest.Response(t, "listContacts", 200, recorded)
	spectest.Request(t, "createContact", []byte(`{"email": "jane@example.com"}`)) // no violation
	// Output:
	// listContacts response 200 body /pagination/total_pages: required: is required
}
