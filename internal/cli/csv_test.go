package cli

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

func TestMapHeader(t *testing.T) {
	m := specmodel.MustLoad()
	// A contact property that the create request sets under another name is not a column.
	i := slices.IndexFunc(m.Create, func(f specmodel.Field) bool { return f.Contact != "" && f.Contact != f.Name })
	if i < 0 {
		t.Fatal("no create field maps onto a contact property of another name")
	}
	contactName := m.Create[i].Contact
	tests := []struct {
		name    string
		header  []string
		wantErr string // substring; "" for none
		custom  []string
	}{
		{"every create field", specmodel.Names(m.Create), "", nil},
		{"custom columns", []string{"email", "custom.tier", "custom.score"}, "", []string{"tier", "score"}},
		{"custom fields json column", []string{"email", customField()}, "", nil},
		{"byte order mark and spaces", []string{"\ufeffemail", " phone_number "}, "", nil},
		{"unknown column is named with the known ones", []string{"email", "nickname"},
			`unknown column "nickname" in the header (known: ` + strings.Join(specmodel.Names(m.Create[:1]), ""), nil},
		{"API field name is not a column", []string{"email", contactName}, `unknown column "` + contactName + `"`, nil},
		{"bare custom prefix", []string{"custom."}, `unknown column "custom."`, nil},
		{"duplicate", []string{"email", "email"}, `column "email" appears twice`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := mapHeader(tt.header)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if !isUsage(err) {
					t.Errorf("err %v is not a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, c := range m.custom {
				keys = append(keys, c.key)
			}
			if !reflect.DeepEqual(keys, tt.custom) {
				t.Errorf("custom keys = %v, want %v", keys, tt.custom)
			}
		})
	}
}

func TestParseRow(t *testing.T) {
	m, err := mapHeader([]string{"email", "phone_number", "first_name", "last_name", "tags", "email_consent", "sms_consent", "custom.tier", "custom.score", "custom_fields"})
	if err != nil {
		t.Fatal(err)
	}
	row := m.parseRow(7, []string{"jane@example.com", "+15551234567", "Jane", "", " vip ; ;beta", "subscribed", "", "gold", "42", `{"vip":true}`})
	if row.Line != 7 || len(row.Problems) != 0 {
		t.Fatalf("row = %+v", row)
	}
	got, _ := json.Marshal(row.Create)
	want := `{"custom_fields":{"score":42,"tier":"gold","vip":true},"email":"jane@example.com","email_consent":"subscribed","first_name":"Jane","phone_number":"+15551234567","tags":["vip","beta"]}`
	if string(got) != want {
		t.Errorf("create =\n%s\nwant\n%s", got, want)
	}

	bad := m.parseRow(8, []string{"", "", "", "", "", "", "", "", "", "[1]"})
	if len(bad.Problems) != 1 || bad.Problems[0].Field != customField() {
		t.Errorf("problems = %+v, want one on custom_fields", bad.Problems)
	}
	if bad.Create.Email != nil || bad.Create.CustomFields != nil {
		t.Errorf("empty cells must be left out: %+v", bad.Create)
	}
}

func TestParseScalar(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"gold", "gold"},
		{"42", int64(42)},
		{"-3", int64(-3)},
		{"1.5", 1.5},
		{"1e3", 1000.0},
		{"true", true},
		{"false", false},
		{"True", "True"},
		{"007", "007"},
		{`"42"`, "42"},
		{`"unterminated`, `"unterminated`},
		{"+15551234567", "+15551234567"},
		{"-", "-"},
		{"null", "null"},
	}
	for _, tt := range tests {
		if got := parseScalar(tt.in); got != tt.want {
			t.Errorf("parseScalar(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// TestObjectFlag checks the key=value flag of the custom fields.
func TestObjectFlag(t *testing.T) {
	field, ok := specmodel.Find(specmodel.MustLoad().Create, customField())
	if !ok {
		t.Fatal("the create request has no object of scalars")
	}
	f := &fieldFlag{field: field}
	for _, v := range []string{"tier=gold", "score=4", "vip=true", "note=a=b"} {
		if err := f.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]any{"tier": "gold", "score": int64(4), "vip": true, "note": "a=b"}
	if !reflect.DeepEqual(f.value, want) {
		t.Errorf("got %#v, want %#v", f.value, want)
	}
	for _, bad := range []string{"novalue", "=x"} {
		if err := (&fieldFlag{field: field}).Set(bad); err == nil {
			t.Errorf("Set(%q) = nil, want an error", bad)
		}
	}
}

func TestUpdateFor(t *testing.T) {
	email, phone, name := "a@example.com", "+15550000001", "Ann"
	consent := gen.ConsentSubscribed
	req, ok := updateFor(gen.CreateContactRequest{Email: &email, PhoneNumber: &phone, FirstName: &name, EmailConsent: &consent})
	if !ok || req.Email == nil || req.PhoneNumber != nil || *req.FirstName != name {
		t.Errorf("update = %+v, %v: want email as the identifier and the first name", req, ok)
	}
	req, _ = updateFor(gen.CreateContactRequest{PhoneNumber: &phone, FirstName: &name})
	if req.Email != nil || req.PhoneNumber == nil {
		t.Errorf("without an email the phone identifies: %+v", req)
	}
	if _, ok := updateFor(gen.CreateContactRequest{Email: &email, EmailConsent: &consent}); ok {
		t.Error("a row with only an identifier and consents has nothing to update")
	}
}

// TestScalarCellRoundTrip checks that what export writes in a custom.<key> cell reads back as
// the same value.
func TestScalarCellRoundTrip(t *testing.T) {
	for _, v := range []any{"gold", "42", "true", `"quoted"`, "", int64(7), 2451.31, true, false} {
		cell := scalarCell(v)
		if v == "" {
			continue // an empty cell is left out on import
		}
		got := parseScalar(cell)
		if f, ok := v.(float64); ok {
			if got != f {
				t.Errorf("%#v -> %q -> %#v", v, cell, got)
			}
			continue
		}
		if got != v {
			t.Errorf("%#v -> %q -> %#v", v, cell, got)
		}
	}
}

func FuzzScalarRoundTrip(f *testing.F) {
	for _, s := range []string{"gold", "42", "true", `"x"`, "007", "1e3", "-", `"`, "+1555"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || !utf8.ValidString(s) {
			return // the API's strings are UTF-8; an empty cell is left out
		}
		got := parseScalar(strings.TrimSpace(scalarCell(s))) // import trims cells
		if got != s {
			t.Fatalf("string %q -> cell %q -> %#v", s, scalarCell(s), got)
		}
	})
}

func TestUsageErrorIs(t *testing.T) {
	err := usageErrorf("x %d", 1)
	var u *usageError
	if !errors.As(err, &u) || u.Error() != "x 1" {
		t.Errorf("usageErrorf = %v", err)
	}
}

// TestFlagAliasesTargetSpecFields fails when a curated alias names a flag no spec field has
// any more (a renamed property), naming the flags the spec gives now.
func TestFlagAliasesTargetSpecFields(t *testing.T) {
	m := specmodel.MustLoad()
	var flags []string
	for _, f := range slices.Concat(m.Create, m.Update, m.Filters) {
		flags = append(flags, flagName(f.Name))
	}
	for alias, to := range flagAliases {
		if !slices.Contains(flags, to) {
			t.Errorf("alias --%s targets --%s, which no spec field gives (flags: %v)", alias, to, flags)
		}
	}
}
