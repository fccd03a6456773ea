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
// specReply is the message the spec says the API sends with components/responses name, or,
// with an identifier field, the one it sends for that field (Conflict).
func specReply(t *testing.T, name string, field ...string) string {
	t.Helper()
	r := specmodel.MustLoad().Replies[name]
	msg := r.Message
	if len(field) > 0 {
		msg = r.ByField[field[0]]
	}
	if msg == "" {
		t.Fatalf("the spec documents no message for the %s response %v", name, field)
	}
	return msg
}

// specRule is the message of a body rule of operation op (anyOf: create's identifier rule).
func specRule(t *testing.T, op, keyword string) string {
	t.Helper()
	msg := specmodel.MustLoad().Rule(op, keyword)
	if msg == "" {
		t.Fatalf("the spec documents no %s rule of %s", keyword, op)
	}
	return msg
}

func specDetail(t *testing.T, field string) string {
	t.Helper()
	f, ok := specmodel.Find(specmodel.MustLoad().Create, field)
	if !ok || f.Message == "" {
		t.Fatalf("the spec documents no message for the create request's %s", field)
	}
	return field + ": " + f.Message
}
