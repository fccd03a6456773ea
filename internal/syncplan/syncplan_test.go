package syncplan_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/internal/syncplan"
)

type acceptAll struct{}

func (acceptAll) Check(string, map[string]any) []gen.ErrorDetail { return nil }

const jane = `{"first_name":"Jane","last_name":null,"email":"Jane@Example.com","email_permission":"unsubscribed",
"phone_number":"+15551234567","contact_phone_permission":"subscribed","tags":["vip","beta"],
"custom_fields":{"tier":"gold","n":7,"ok":true},"created_at":"2025-01-15T10:30:00Z","updated_at":"2025-01-15T10:30:00Z"}`

func compact(t testing.TB, s string) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return b
}

// plan runs one row against jane and returns the plan.
func plan(t testing.TB, m *specmodel.Model, opts syncplan.Options, row syncplan.Row, contact string) *syncplan.Plan {
	t.Helper()
	p, err := syncplan.New(m, acceptAll{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AddContactJSON(compact(t, contact)); err != nil {
		t.Fatal(err)
	}
	row.Line = 2
	if row.Present == nil {
		row.Present = map[string]bool{}
		for k := range row.Values {
			row.Present[k] = true
		}
	}
	p.AddRow(row)
	out, err := p.Finish("in.csv", "", testTime)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var testTime = mustTime("2026-01-01T00:00:00Z")

func values(t *testing.T, s string) map[string]any {
	t.Helper()
	v, err := syncplan.ToValues(json.RawMessage(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCompare: each property is compared by its type in the spec.
func TestCompare(t *testing.T) {
	m := specmodel.MustLoad()
	for _, tt := range []struct {
		name string
		row  string
		opts syncplan.Options
		want map[string]int // steps by op
		note int
	}{
		{"same data, other case and order", `{"email":"jane@example.COM","tags":["beta","vip"],"custom_fields":{"tier":"gold","n":7.0,"ok":true}}`, syncplan.Options{}, nil, 0},
		{"loosely written phone is the same", `{"email":"jane@example.com","phone_number":"+1 (555) 123-4567"}`, syncplan.Options{}, nil, 0},
		{"phone only, loosely written, finds the contact", `{"phone_number":"001 555 123 4567","first_name":"Janet"}`, syncplan.Options{}, map[string]int{"update": 1}, 0},
		{"a tag more", `{"email":"jane@example.com","tags":["beta","vip","new"]}`, syncplan.Options{}, map[string]int{"update": 1}, 0},
		{"a number as a string differs", `{"email":"jane@example.com","custom_fields":{"n":"7"}}`, syncplan.Options{}, map[string]int{"update": 1}, 0},
		{"a new name", `{"email":"jane@example.com","first_name":"Janet"}`, syncplan.Options{}, map[string]int{"update": 1}, 0},
		{"no re-subscription, even with --consent", `{"email":"jane@example.com","email_consent":"subscribed"}`, syncplan.Options{Consent: true}, nil, 1},
		{"sms consent cannot change", `{"email":"jane@example.com","sms_consent":"non_subscribed"}`, syncplan.Options{Consent: true}, nil, 1},
		{"another phone is kept, noted", `{"email":"jane@example.com","phone_number":"+15550000000"}`, syncplan.Options{}, nil, 1},
		{"a new contact", `{"email":"john@example.com","tags":["x"]}`, syncplan.Options{}, map[string]int{"create": 1}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := plan(t, m, tt.opts, syncplan.Row{Values: values(t, tt.row)}, jane)
			got := map[string]int{}
			for _, s := range p.Steps {
				got[s.Op]++
			}
			if len(got) != len(tt.want) {
				t.Errorf("steps %v, want %v: %+v", got, tt.want, p.Steps)
			}
			for op, n := range tt.want {
				if got[op] != n {
					t.Errorf("steps %v, want %v", got, tt.want)
				}
			}
			if len(p.Notes) != tt.note || len(p.Invalid) != 0 {
				t.Errorf("notes %+v, invalid %+v", p.Notes, p.Invalid)
			}
		})
	}
}

// TestUnsubscribe: --consent unsubscribes a subscribed contact the row says is unsubscribed;
// without it the difference is noted.
func TestUnsubscribe(t *testing.T) {
	m := specmodel.MustLoad()
	subscribed := string(compact(t, jane))
	subscribed = replace(subscribed, `"email_permission":"unsubscribed"`, `"email_permission":"subscribed"`)
	row := syncplan.Row{Values: map[string]any{"email": "jane@example.com", "email_consent": "unsubscribed"}}
	p := plan(t, m, syncplan.Options{Consent: true}, row, subscribed)
	if len(p.Steps) != 1 || p.Steps[0].Op != syncplan.OpUnsubscribe || p.Steps[0].Body["email"] != "Jane@Example.com" {
		t.Errorf("%+v", p.Steps)
	}
	if p = plan(t, m, syncplan.Options{}, row, subscribed); len(p.Steps) != 0 || len(p.Notes) != 1 {
		t.Errorf("without --consent: %+v %+v", p.Steps, p.Notes)
	}
}

func replace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("not found: " + old)
	}
	return strings.Replace(s, old, new, 1)
}

// TestAdditive: a property added to the spec is compared and updated with no code change.
func TestAdditive(t *testing.T) {
	doc, err := gen.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := doc.MarshalJSON()
	doc, err = openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	tier := openapi3.NewStringSchema().WithEnum("bronze", "silver")
	c := doc.Components.Schemas["Contact"].Value
	c.Properties["tier"] = tier.NewRef()
	c.Required = append(c.Required, "tier")
	doc.Components.Schemas["CreateContactRequest"].Value.Properties["tier"] = tier.NewRef()
	doc.Components.Schemas["UpdateContactRequest"].Value.Properties["tier"] = tier.NewRef()
	m, err := specmodel.FromDoc(doc)
	if err != nil {
		t.Fatal(err)
	}
	withTier := replace(string(compact(t, jane)), `"first_name":"Jane"`, `"first_name":"Jane","tier":"bronze"`)
	p := plan(t, m, syncplan.Options{}, syncplan.Row{Values: map[string]any{"email": "jane@example.com", "tier": "silver"}}, withTier)
	if len(p.Steps) != 1 || p.Steps[0].Body["tier"] != "silver" || p.Steps[0].Changes[0].Field != "tier" {
		t.Errorf("%+v", p.Steps)
	}
	if p = plan(t, m, syncplan.Options{}, syncplan.Row{Values: map[string]any{"email": "jane@example.com", "tier": "bronze"}}, withTier); len(p.Steps) != 0 {
		t.Errorf("unchanged tier: %+v", p.Steps)
	}
}

// TestEmptyCells: an empty cell changes nothing, unless Clear.
func TestEmptyCells(t *testing.T) {
	m := specmodel.MustLoad()
	row := syncplan.Row{Values: map[string]any{"email": "jane@example.com"},
		Present: map[string]bool{"email": true, "first_name": true, "tags": true, "custom_fields": true},
		Empty:   map[string]bool{"first_name": true, "tags": true},
		Keys:    map[string][]string{"custom_fields": {"tier"}}, EmptyKeys: map[string][]string{"custom_fields": {"tier"}}}
	if p := plan(t, m, syncplan.Options{}, row, jane); len(p.Steps) != 0 {
		t.Errorf("keep: %+v", p.Steps)
	}
	p := plan(t, m, syncplan.Options{Clear: true}, row, jane)
	if len(p.Steps) != 1 {
		t.Fatalf("clears: %+v", p.Steps)
	}
	b := p.Steps[0].Body
	cf, _ := b["custom_fields"].(map[string]any)
	if b["first_name"] != "" || len(b["tags"].([]any)) != 0 || len(cf) != 2 || cf["tier"] != nil {
		t.Errorf("clears: %v", b)
	}
}

func TestDecodeRefusesEdits(t *testing.T) {
	m := specmodel.MustLoad()
	p := plan(t, m, syncplan.Options{}, syncplan.Row{Values: map[string]any{"email": "john@example.com"}}, jane)
	b, _ := json.Marshal(p)
	if _, err := syncplan.Decode(b); err != nil {
		t.Fatal(err)
	}
	if _, err := syncplan.Decode([]byte(replace(string(b), "john@", "mallory@"))); err == nil {
		t.Error("an edited plan was accepted")
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"+15551234567": "+15551234567", "+1 (555) 123-4567": "+15551234567", "0044 7700 900123": "+447700900123",
		"5551234567": "5551234567", "+0123": "+0123", "call me": "call me", "+1-555-CALL": "+1-555-CALL",
	} {
		if got := syncplan.NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestAddContact: a contact indexed from gen.Contact is found by each identifier.
func TestAddContact(t *testing.T) {
	var c gen.Contact
	if err := json.Unmarshal([]byte(jane), &c); err != nil {
		t.Fatal(err)
	}
	for _, row := range []map[string]any{{"email": "JANE@example.com"}, {"phone_number": "+1 555 123 4567"}} {
		p, err := syncplan.New(specmodel.MustLoad(), acceptAll{}, syncplan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.AddContact(c); err != nil {
			t.Fatal(err)
		}
		p.AddRow(syncplan.Row{Line: 2, Values: row, Present: map[string]bool{}})
		out, err := p.Finish("in.csv", "", testTime)
		if err != nil || out.Unchanged != 1 || len(out.Steps) != 0 {
			t.Errorf("%v: %+v %v", row, out, err)
		}
	}
}
