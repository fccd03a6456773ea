package cli

import (
	"strings"
	"testing"

	"github.com/privy-go/privy-go/internal/specmodel"
)

// TestFlagsFollowTheSpec checks that each command has a flag per spec field, and that the help
// of each enum flag lists the spec's values.
func TestFlagsFollowTheSpec(t *testing.T) {
	m := specmodel.MustLoad()
	for cmd, fields := range map[string][]specmodel.Field{
		"create":      m.Create,
		"update":      m.Update,
		"list":        append(append([]specmodel.Field{}, m.Filters...), m.Paging...),
		"export":      m.Filters,
		"unsubscribe": m.Unsubscribe,
	} {
		r := runInProcess(t, nil, "contacts", cmd, "--help")
		if r.code != 0 {
			t.Fatalf("contacts %s --help: %s", cmd, r)
		}
		for _, f := range fields {
			if !strings.Contains(r.stdout, "--"+flagName(f.Name)+" ") {
				t.Errorf("contacts %s has no flag for %s:\n%s", cmd, f.Name, r.stdout)
			}
			if len(f.Enum) > 0 && !strings.Contains(r.stdout, "one of: "+f.OneOf()) {
				t.Errorf("contacts %s --help does not list %s's values (%s)", cmd, f.Name, f.OneOf())
			}
		}
	}
}

// TestFieldFlagTypes checks that a flag's value is read by its field's JSON type: a value of
// the wrong type is a usage error (exit 2), and a typed value reaches the request as such.
func TestFieldFlagTypes(t *testing.T) {
	for _, tt := range []struct {
		typ, in string
		want    any
	}{
		{"integer", "42", int64(42)},
		{"number", "1.5", 1.5},
		{"boolean", "true", true},
		{"string", "007", "007"},
	} {
		f := &fieldFlag{field: specmodel.Field{Name: "x", Schema: specmodel.Schema{Type: tt.typ}}}
		if err := f.Set(tt.in); err != nil || f.value != tt.want {
			t.Errorf("%s flag Set(%q): %#v, %v; want %#v", tt.typ, tt.in, f.value, err, tt.want)
		}
		if tt.typ != "string" {
			if err := (&fieldFlag{field: f.field}).Set("x1"); err == nil {
				t.Errorf("%s flag took %q", tt.typ, "x1")
			}
		}
	}
	page := specmodel.MustLoad().Paging[0]
	if r := runInProcess(t, nil, "--fake", "contacts", "list", "--"+flagName(page.Name), "first"); r.code != exitUsage {
		t.Errorf("a non-integer --%s: %s; want a usage error", flagName(page.Name), r)
	}
}

// TestColumnsHelp checks that the help's column list names every column, and on export the
// contact property each comes from.
func TestColumnsHelp(t *testing.T) {
	imp, exp := columnsHelp(false, 2, 60), columnsHelp(true, 2, 60)
	for _, f := range specmodel.MustLoad().Create {
		if !strings.Contains(imp, f.Name) {
			t.Errorf("the import column help lacks %s:\n%s", f.Name, imp)
		}
		if f.Contact != "" && (!strings.Contains(exp, f.Name) || !strings.Contains(exp, f.Contact)) {
			t.Errorf("the export column help lacks %s (from %s):\n%s", f.Name, f.Contact, exp)
		}
	}
	for _, line := range strings.Split(imp+"\n"+exp, "\n") {
		if len(line) > 60 && strings.Contains(line[2:], " ") {
			t.Errorf("line longer than 60: %q", line)
		}
	}
}
