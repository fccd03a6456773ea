package syncplan_test

import (
	"encoding/json"
	"testing"

	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/internal/syncplan"
)

// FuzzDecode: a saved plan is untrusted input; Decode returns a plan or an error, never
// panics, and a plan it accepts encodes back to one it accepts.
func FuzzDecode(f *testing.F) {
	p := plan(f, specmodel.MustLoad(), syncplan.Options{}, syncplan.Row{Values: map[string]any{"email": "john@example.com"}}, jane)
	good, _ := json.Marshal(p)
	f.Add(good)
	f.Add([]byte(`{"version":1,"steps":[{"n":1,"op":"nuke","keys":["x"],"body":{}}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := syncplan.Decode(data)
		if err != nil {
			return
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := syncplan.Decode(b); err != nil {
			t.Fatalf("re-encoded plan refused: %v", err)
		}
	})
}

// FuzzNormalizePhone: the result is the input or an E.164-looking number, and normalising
// twice changes nothing.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+1 (555) 123-4567", "0044 7700 900123", "call me", "+", "00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := syncplan.NormalizePhone(s)
		if syncplan.NormalizePhone(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, syncplan.NormalizePhone(n))
		}
	})
}
