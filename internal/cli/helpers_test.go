package cli

import (
	"bytes"
	"sync"
	"testing"

	"github.com/privy-go/privy-go/internal/specmodel"
)

// safeBuffer is a bytes.Buffer safe for concurrent use.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// specDetail is the error detail the spec documents for a create request field: "field: the
// field's x-privy-error message".
func specDetail(t *testing.T, field string) string {
	t.Helper()
	f, ok := specmodel.Find(specmodel.MustLoad().Create, field)
	if !ok || f.Message == "" {
		t.Fatalf("the spec documents no message for the create request's %s", field)
	}
	return field + ": " + f.Message
}
