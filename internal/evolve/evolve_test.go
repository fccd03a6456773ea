package evolve_test

import (
	"strings"
	"testing"

	"github.com/privy-go/privy-go/internal/evolve"
)

func TestSpecEdits(t *testing.T) {
	s := evolve.ParseSpec(t, []byte("a:\n  b: 1\n  list: [x, y]\n"))
	a := s.Lookup(s.Top(), "a")
	s.RenameKey(a, "b", "c")
	s.ReplaceScalar(s.Lookup(a, "list"), "x", "z")
	s.AppendItem(s.Lookup(a, "list"), "w")
	s.AppendPair(a, "d", "{ e: 2 }")
	got := string(s.Bytes())
	for _, want := range []string{"c: 1", "[z, y, w]", "d: {e: 2}"} {
		if !strings.Contains(got, want) {
			t.Errorf("edited document lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "b: 1") || strings.Contains(got, "x") {
		t.Errorf("edited document keeps the old names:\n%s", got)
	}
}
