package privytest

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

// revisedModel is the model of the embedded spec plus, as a next release might add them: a
// nullable enum property tier on the contact (required, like every contact property, with a
// default on create), an optional integer score, both settable on create and update, and
// list filters on tier, score and tags.
func revisedModel(t *testing.T) *specmodel.Model {
	t.Helper()
	raw, err := gen.GetSpecJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	tier := openapi3.NewStringSchema().WithEnum("bronze", "silver", "gold")
	tier.Nullable = true
	score := openapi3.NewIntegerSchema()
	contact := doc.Components.Schemas["Contact"].Value
	contact.Properties["tier"], contact.Properties["score"] = tier.NewRef(), score.NewRef()
	contact.Required = append(contact.Required, "tier")
	createTier := *tier
	createTier.Nullable, createTier.Default = false, "bronze"
	for _, name := range []string{"CreateContactRequest", "UpdateContactRequest"} {
		s := doc.Components.Schemas[name].Value
		s.Properties["tier"], s.Properties["score"] = tier.NewRef(), score.NewRef()
	}
	doc.Components.Schemas["CreateContactRequest"].Value.Properties["tier"] = createTier.NewRef()
	list := doc.Paths.Value("/contacts").Get
	for name, s := range map[string]*openapi3.Schema{"tier": tier, "score": score, "tags": openapi3.NewStringSchema()} {
		list.Parameters = append(list.Parameters, &openapi3.ParameterRef{Value: openapi3.NewQueryParameter(name).WithSchema(s)})
	}
	m, err := specmodel.FromDoc(doc)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func body(t *testing.T, s string) map[string]json.RawMessage {
	t.Helper()
	var b map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStoreRoundTripsNewProperties shows that properties and filters added to the spec are
// stored, returned, defaulted, updated and filtered with no code change.
func TestStoreRoundTripsNewProperties(t *testing.T) {
	sh, err := newShape(revisedModel(t))
	if err != nil {
		t.Fatal(err)
	}
	s := newStore(sh, defaultSMSCountries)
	now := time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)
	contact := func(r *record, e *apiError) map[string]any {
		t.Helper()
		if e != nil {
			t.Fatalf("%+v", e)
		}
		var c map[string]any
		if err := json.Unmarshal(sh.appendJSON(nil, r), &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	jane := contact(s.create(body(t, `{"email":"jane@example.com","tier":"gold","score":7,"tags":["vip"]}`), now))
	if jane["tier"] != "gold" || jane["score"] != float64(7) {
		t.Errorf("created = %v", jane)
	}
	john := contact(s.create(body(t, `{"email":"john@example.com"}`), now))
	if _, ok := john["score"]; john["tier"] != "bronze" || ok {
		t.Errorf("tier takes its default, the optional score stays absent: %v", john)
	}
	// The new properties come after the ones the spec already had, in the spec's order.
	js := string(sh.appendJSON(nil, s.order[0]))
	if i, j, k := strings.Index(js, `"updated_at":`), strings.Index(js, `"tier":`), strings.Index(js, `"score":`); i < 0 || i > j || j > k {
		t.Errorf("property order: %s", js)
	}
	updated := contact(s.update(body(t, `{"email":"JOHN@example.com","tier":"silver","score":3}`), now))
	if updated["tier"] != "silver" || updated["score"] != float64(3) {
		t.Errorf("updated = %v", updated)
	}
	for _, tt := range []struct {
		query string
		want  []string // emails
	}{
		{"tier=silver", []string{"john@example.com"}},
		{"tier=gold&score=7", []string{"jane@example.com"}},
		{"score=3", []string{"john@example.com"}},
		{"score=4", nil},
		{"tags=vip", []string{"jane@example.com"}},
		{"email=JANE@example.com&tier=gold", []string{"jane@example.com"}},
		{"email=jane@example.com&tier=silver", nil},
		{"", []string{"jane@example.com", "john@example.com"}},
	} {
		q, _ := url.ParseQuery(tt.query)
		var page struct {
			Data []struct {
				Email string `json:"email"`
			} `json:"data"`
			Pagination gen.Pagination `json:"pagination"`
		}
		if err := json.Unmarshal(s.list(q), &page); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range page.Data {
			got = append(got, c.Email)
		}
		if !slices.Equal(got, tt.want) || page.Pagination.TotalCount != len(tt.want) {
			t.Errorf("list %q = %v (total %d), want %v", tt.query, got, page.Pagination.TotalCount, tt.want)
		}
	}
}

// TestShapeNeedsItsNames shows that a spec lacking a name the fake's behaviour hangs on
// fails loudly, naming it.
func TestShapeNeedsItsNames(t *testing.T) {
	m := *revisedModel(t)
	m.Contact = slices.DeleteFunc(slices.Clone(m.Contact), func(f specmodel.Field) bool { return f.Name == propUpdatedAt })
	if _, err := newShape(&m); err == nil || !strings.Contains(err.Error(), propUpdatedAt) {
		t.Errorf("newShape without %s: %v", propUpdatedAt, err)
	}
	m = *revisedModel(t)
	m.Filters = append(slices.Clone(m.Filters), specmodel.Field{Name: "created_after"})
	if _, err := newShape(&m); err == nil || !strings.Contains(err.Error(), "created_after") {
		t.Errorf("newShape with a filter it cannot apply: %v", err)
	}
	m = *revisedModel(t)
	m.Replies = map[string]specmodel.Reply{}
	if _, err := newShape(&m); err == nil || !strings.Contains(err.Error(), specmodel.ExtMessage) {
		t.Errorf("newShape without messages: %v", err)
	}
}

// TestFromContactEncodesAsEncodingJSON shows that seeding's field-by-field encoding writes
// each property exactly as encoding/json does, so that filters compare byte for byte.
func TestFromContactEncodesAsEncodingJSON(t *testing.T) {
	f := New(WithSeed(7, 300))
	odd := "Zoë \"<&>\u2028\\\t"
	contacts := append(f.Contacts(), gen.Contact{FirstName: &odd, Tags: gen.Tags{odd}, CustomFields: gen.CustomFields{odd: 1.5e-7, "b": true, "big": 1e21, "neg": -12.25, "zero": 0.0, "nil": nil, "s": "x"},
		CreatedAt: time.Date(2025, 1, 15, 10, 30, 0, 123, time.FixedZone("x", 3600))})
	for _, c := range contacts {
		r := f.store.fromContact(c)
		var want map[string]json.RawMessage
		if err := json.Unmarshal(mustJSON(c), &want); err != nil {
			t.Fatal(err)
		}
		for i, p := range f.store.sh.props {
			if w, ok := want[p.Name]; ok && string(r.vals[i]) != string(w) {
				t.Errorf("%s = %s, want %s", p.Name, r.vals[i], w)
			}
		}
	}
}

// TestFilterNamedOtherwise shows that a list filter whose name differs from the contact
// property it matches filters by that property when the spec maps it with
// x-privy-contact-field, and that without the mapping the fake refuses to start, naming it.
func TestFilterNamedOtherwise(t *testing.T) {
	consent, _ := specmodel.Find(specmodel.MustLoad().Create, "email_consent")
	prop, name := consent.Contact, consent.Contact+"_is"
	model := func(mapped bool) (*specmodel.Model, error) {
		raw, err := gen.GetSpecJSON()
		if err != nil {
			t.Fatal(err)
		}
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range doc.Paths.Find("/contacts").Get.Parameters {
			if p.Value.Name == prop {
				p.Value.Name = name
				if mapped {
					p.Value.Extensions = map[string]any{specmodel.ExtContactField: prop}
				}
			}
		}
		return specmodel.FromDoc(doc)
	}
	m, err := model(false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newShape(m); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("newShape with an unmapped renamed filter: %v", err)
	}
	if m, err = model(true); err != nil {
		t.Fatal(err)
	}
	sh, err := newShape(m)
	if err != nil {
		t.Fatal(err)
	}
	s := newStore(sh, defaultSMSCountries)
	now := time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)
	yes, no := string(gen.ConsentSubscribed), string(gen.ConsentNonSubscribed)
	for email, v := range map[string]string{"jane@example.com": yes, "john@example.com": no} {
		if _, e := s.create(map[string]json.RawMessage{"email": mustJSON(email), consent.Name: mustJSON(v)}, now); e != nil {
			t.Fatalf("%+v", e)
		}
	}
	for v, want := range map[string]string{yes: "jane@example.com", no: "john@example.com"} {
		var page struct {
			Data []gen.Contact `json:"data"`
		}
		if err := json.Unmarshal(s.list(url.Values{name: {v}}), &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Data) != 1 || page.Data[0].Email == nil || *page.Data[0].Email != want {
			t.Errorf("list %s=%s = %+v, want %s only", name, v, page.Data, want)
		}
	}
}
