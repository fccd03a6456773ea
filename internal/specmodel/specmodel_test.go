package specmodel_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

func names(fs []specmodel.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

func TestLoad(t *testing.T) {
	m, err := specmodel.Load()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := gen.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	// The contact's fields follow its required list.
	if got, want := names(m.Contact), doc.Components.Schemas["Contact"].Value.Required; !slices.Equal(got, want) {
		t.Errorf("Contact = %v, want %v", got, want)
	}
	if !slices.Equal(m.Identity, []string{"email", "phone_number"}) {
		t.Errorf("Identity = %v", m.Identity)
	}
	for _, f := range m.Create {
		if f.Contact == "" {
			t.Errorf("create field %s sets no contact property", f.Name)
		}
	}
	consent, ok := specmodel.Find(m.Create, "email_consent")
	if !ok || consent.Contact != "email_permission" || len(consent.Enum) == 0 {
		t.Errorf("email_consent = %+v, %v", consent, ok)
	}
	for _, id := range m.Identity {
		if _, ok := specmodel.Find(m.Unsubscribe, id); !ok {
			t.Errorf("the unsubscribe request lacks identifier %s: %v", id, names(m.Unsubscribe))
		}
	}
	if len(m.Filters) == 0 || len(m.Paging) != 2 {
		t.Errorf("Filters = %v, Paging = %v", names(m.Filters), names(m.Paging))
	}
	for _, f := range m.Filters {
		if f.Contact == "" {
			t.Errorf("filter %s matches no contact property", f.Name)
		}
	}
	tags, _ := specmodel.Find(m.Contact, "tags")
	if tags.Type != openapi3.TypeArray || tags.Items == nil || tags.Items.Type != openapi3.TypeString {
		t.Errorf("tags = %+v", tags)
	}
	cf, _ := specmodel.Find(m.Contact, "custom_fields")
	if cf.Type != openapi3.TypeObject || !cf.Scalars {
		t.Errorf("custom_fields = %+v", cf)
	}
}

// TestAdditive shows that a property added to the spec reaches the model with no code change.
func TestAdditive(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(mustSpecJSON(t))
	if err != nil {
		t.Fatal(err)
	}
	tier := openapi3.NewStringSchema().WithEnum("bronze", "silver")
	doc.Components.Schemas["Contact"].Value.Properties["tier"] = tier.NewRef()
	doc.Components.Schemas["Contact"].Value.Required = append(doc.Components.Schemas["Contact"].Value.Required, "tier")
	doc.Components.Schemas["CreateContactRequest"].Value.Properties["tier"] = tier.NewRef()
	m, err := specmodel.FromDoc(doc)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := specmodel.Find(m.Create, "tier")
	if !ok || f.Contact != "tier" || f.OneOf() != "bronze or silver" {
		t.Errorf("tier = %+v, %v", f, ok)
	}
	if got := names(m.Contact); got[len(got)-1] != "tier" {
		t.Errorf("Contact = %v", got)
	}
}

func mustSpecJSON(t *testing.T) []byte {
	t.Helper()
	b, err := gen.GetSpecJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRenameIsLoud shows that renaming a contact property that x-privy-contact-fields maps
// onto fails the model, naming the property's new name.
func TestRenameIsLoud(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(mustSpecJSON(t))
	if err != nil {
		t.Fatal(err)
	}
	m, err := specmodel.FromDoc(doc)
	if err != nil {
		t.Fatal(err)
	}
	consent, _ := specmodel.Find(m.Create, "email_consent")
	contact := doc.Components.Schemas["Contact"].Value
	renamed := consent.Contact + "_renamed"
	contact.Properties[renamed] = contact.Properties[consent.Contact]
	delete(contact.Properties, consent.Contact)
	_, err = specmodel.FromDoc(doc)
	if err == nil || !strings.Contains(err.Error(), renamed) || !strings.Contains(err.Error(), consent.Contact) {
		t.Errorf("FromDoc after renaming %s to %s: %v", consent.Contact, renamed, err)
	}
}

// TestExtensions reads the defaults, value rules, case-insensitivity and reply messages the
// hand-written layers take from the spec instead of restating them.
func TestExtensions(t *testing.T) {
	m, err := specmodel.Load()
	if err != nil {
		t.Fatal(err)
	}
	consent, _ := specmodel.Find(m.Create, "email_consent")
	if consent.Default != string(gen.ConsentNonSubscribed) || consent.Message == "" {
		t.Errorf("email_consent: default %v, message %q", consent.Default, consent.Message)
	}
	sms, _ := specmodel.Find(m.Create, "sms_consent")
	if sms.ValueErrors[string(gen.ConsentSubscribed)] == "" || sms.ValueErrors[string(gen.ConsentUnsubscribed)] == "" {
		t.Errorf("sms_consent value errors = %v", sms.ValueErrors)
	}
	if got := specmodel.Names(specmodel.Refusing(m.Create, string(gen.ConsentUnsubscribed))); !slices.Equal(got, []string{sms.Name}) {
		t.Errorf("create fields refusing %s = %v, want %s", gen.ConsentUnsubscribed, got, sms.Name)
	}
	if email, _ := specmodel.Find(m.Create, "email"); !email.CaseInsensitive {
		t.Error("create's email is not case-insensitive")
	}
	if email, _ := specmodel.Find(m.Filters, "email"); !email.CaseInsensitive {
		t.Error("the email filter is not case-insensitive")
	}
	if phone, _ := specmodel.Find(m.Create, "phone_number"); phone.CaseInsensitive {
		t.Error("phone_number is case-insensitive")
	}
	for op, keyword := range map[string]string{specmodel.OpCreate: "anyOf", specmodel.OpUpdate: "oneOf", specmodel.OpUnsubscribe: "oneOf"} {
		if m.Rule(op, keyword) == "" {
			t.Errorf("%s has no identifier rule (%s) with a message: %+v", op, keyword, m.Rules[op])
		}
	}
	if m.Rule(specmodel.OpUpdate, "minProperties") == "" || m.Rule(specmodel.OpCreate, "minProperties") != "" {
		t.Errorf("rules: %+v", m.Rules)
	}
	if m.Replies["NotFound"].Message == "" {
		t.Errorf("NotFound reply = %+v", m.Replies["NotFound"])
	}
	for _, id := range m.Identity {
		if m.Replies["Conflict"].ByField[id] == "" {
			t.Errorf("Conflict has no message for %s: %+v", id, m.Replies["Conflict"])
		}
	}
}

// renamedFilterDoc is the embedded spec with the list filter on prop renamed to name and,
// when mapped, mapped back onto prop with x-privy-contact-field.
func renamedFilterDoc(t *testing.T, prop, name string, mapped bool) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(mustSpecJSON(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range doc.Paths.Find("/contacts").Get.Parameters {
		if p.Value.Name == prop {
			p.Value.Name = name
			if mapped {
				p.Value.Extensions = map[string]any{specmodel.ExtContactField: prop}
			}
			return doc
		}
	}
	t.Fatalf("the spec has no %s filter", prop)
	return nil
}

// TestFilterContactField shows that a filter named otherwise than the contact property it
// matches maps onto it with x-privy-contact-field, and that a stale mapping is loud.
func TestFilterContactField(t *testing.T) {
	m := specmodel.MustLoad()
	consent, _ := specmodel.Find(m.Create, "email_consent")
	prop := consent.Contact // a filter named like its property today
	if f, ok := specmodel.Find(m.Filters, prop); !ok || f.Contact != prop {
		t.Fatalf("filter %s = %+v, %v", prop, f, ok)
	}
	name := prop + "_is"
	got, err := specmodel.FromDoc(renamedFilterDoc(t, prop, name, true))
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := specmodel.Find(got.Filters, name); !ok || f.Contact != prop || len(f.Enum) == 0 {
		t.Errorf("renamed filter %s = %+v, %v", name, f, ok)
	}
	// Unmapped, the renamed filter matches nothing (privytest then refuses to start).
	got, err = specmodel.FromDoc(renamedFilterDoc(t, prop, name, false))
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := specmodel.Find(got.Filters, name); f.Contact != "" {
		t.Errorf("unmapped filter %s matches %q", name, f.Contact)
	}
	// A mapping onto a property the Contact does not have (a stale one) fails, naming it.
	doc := renamedFilterDoc(t, prop, name, true)
	for _, p := range doc.Paths.Find("/contacts").Get.Parameters {
		if p.Value.Name == name {
			p.Value.Extensions[specmodel.ExtContactField] = prop + "_gone"
		}
	}
	if _, err := specmodel.FromDoc(doc); err == nil || !strings.Contains(err.Error(), specmodel.ExtContactField) ||
		!strings.Contains(err.Error(), prop+"_gone") || !strings.Contains(err.Error(), name) {
		t.Errorf("FromDoc with a stale %s: %v", specmodel.ExtContactField, err)
	}
}

// TestUnsubscribeSets reads what unsubscribeContact sets (x-privy-sets) and shows that a
// stale entry, naming a property or value the spec no longer has, fails loudly.
func TestUnsubscribeSets(t *testing.T) {
	m := specmodel.MustLoad()
	if len(m.UnsubscribeSets) == 0 {
		t.Fatalf("unsubscribeContact sets nothing")
	}
	for prop, value := range m.UnsubscribeSets {
		if f, ok := specmodel.Find(m.Contact, prop); !ok || !slices.Contains(f.Enum, value) {
			t.Errorf("unsubscribe sets %s to %q: contact field %+v, %v", prop, value, f, ok)
		}
	}
	prop := slices.Sorted(maps.Keys(m.UnsubscribeSets))[0]
	for _, tt := range []struct {
		sets map[string]any
		want string
	}{
		{map[string]any{"no_such_property": m.UnsubscribeSets[prop]}, "no_such_property"},
		{map[string]any{prop: "gone"}, `"gone"`},
		{map[string]any{prop: 1}, specmodel.ExtSets},
	} {
		doc, err := openapi3.NewLoader().LoadFromData(mustSpecJSON(t))
		if err != nil {
			t.Fatal(err)
		}
		doc.Paths.Find("/contacts/unsubscribe").Post.Extensions[specmodel.ExtSets] = tt.sets
		if _, err := specmodel.FromDoc(doc); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("FromDoc with %s %v: %v, want an error naming %s", specmodel.ExtSets, tt.sets, err, tt.want)
		}
	}
}
