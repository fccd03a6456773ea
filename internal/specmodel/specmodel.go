// Package specmodel reads, from the OpenAPI document embedded in package gen, what the
// hand-written layers need to know about contacts: the contact's properties, the properties
// of the create and update requests and how they map onto the contact, the list filters, and
// the identifier fields. The CLI (flags, CSV columns, table columns, help), privytest (what it
// stores, filters and defaults) and contacts sync (what it compares) derive from it, so an
// additive change to openapi.yaml reaches them after `make generate` with no hand edits.
package specmodel

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/internal/specdoc"
)

// Operation ids the model reads. They are the contract's stable names; a renamed operation
// fails Load loudly.
const (
	OpList        = "listContacts"
	OpCreate      = "createContact"
	OpUpdate      = "updateContact"
	OpUnsubscribe = "unsubscribeContact"
)

// ExtContactFields is the request-schema extension that maps a request property onto the
// contact property it sets when the names differ (email_consent -> email_permission).
const ExtContactFields = "x-privy-contact-fields"

// ExtContactField is the query-parameter extension naming the contact property a list filter
// matches when the names differ; without it a filter matches the property of its own name.
const ExtContactField = "x-privy-contact-field"

// ExtSets is the operation extension naming the contact properties an operation sets, each
// with the value it sets (unsubscribeContact sets email_permission to unsubscribed).
const ExtSets = "x-privy-sets"

// ExtError is the schema extension holding the API's documented validation message.
const ExtError = "x-privy-error"

// ExtValueErrors is the schema extension mapping a value to the API's message when a rule
// beyond the schema refuses it (sms_consent: subscribed without a supported phone number).
const ExtValueErrors = "x-privy-value-errors"

// ExtCaseInsensitive is the schema extension marking values that compare case-insensitively
// (emails): in uniqueness, lookups and filters.
const ExtCaseInsensitive = "x-privy-case-insensitive"

// ExtMessage and ExtMessages are the extensions of a components/responses entry holding the
// message the API sends with it, or one message per identifier field.
const (
	ExtMessage  = "x-privy-message"
	ExtMessages = "x-privy-messages"
)

// Schema is the part of a JSON schema the hand-written layers use.
type Schema struct {
	Type        string   // string, integer, number, boolean, array, object ("" when mixed)
	Format      string   // email, date-time, ...
	Pattern     string   // a regular expression the value must match
	Enum        []string // the allowed values, for an enum
	Nullable    bool     // null is allowed
	Default     any      // the default: value, nil when none
	Example     any      // the example: value, nil when none
	MaxLength   *uint64  // the maximum length of a string
	Items       *Schema  // the element schema of an array
	Description string   // the schema's description, on one line
	Message     string   // the API's validation message for this value (x-privy-error)
	// ValueErrors maps a value to the API's message when a rule beyond the schema refuses
	// it (x-privy-value-errors).
	ValueErrors map[string]string
	// CaseInsensitive is true for values compared case-insensitively (x-privy-case-insensitive).
	CaseInsensitive bool
	// Scalars is true for a map whose values are scalars (custom fields).
	Scalars bool
}

// Field is one named property or parameter.
type Field struct {
	Name string // the JSON or query name
	Schema
	Required bool
	// Contact is the contact property a request field or filter sets or matches ("" when
	// none): the field's own name, or the one x-privy-contact-fields (request) or
	// x-privy-contact-field (filter) gives.
	Contact string
}

// Model is what the spec says about contacts.
type Model struct {
	Contact []Field // the contact's properties, in the order of its required list
	Create  []Field // createContact's body properties, contact order first
	Update  []Field // updateContact's body properties, contact order first
	// Unsubscribe is unsubscribeContact's body properties, contact order first.
	Unsubscribe []Field
	// UnsubscribeSets maps the contact properties unsubscribeContact sets to the value it
	// sets each to (x-privy-sets).
	UnsubscribeSets map[string]string
	Filters         []Field // listContacts' query parameters other than paging, in spec order
	Paging          []Field // listContacts' page and per_page
	// Identity lists the fields that identify a contact (email, phone_number): those named
	// by the identifier rules of the create request, in contact order.
	Identity []string
	// Rules holds, by operation id (create, update, unsubscribe), the rules of the request
	// body beyond its properties' schemas, in the spec's order.
	Rules map[string][]Rule
	// Replies holds, by components/responses name (NotFound, Conflict, ...), the messages
	// the API sends with that response.
	Replies map[string]Reply
}

// Rule is a rule a request body must meet beyond its properties' schemas (the identifier
// rules, "at least one field to change"), with the API's message for it.
type Rule struct {
	Keyword string // the JSON schema keyword: anyOf, oneOf, not or minProperties
	Message string // x-privy-error
}

// Rule returns the message of operation op's rule written with keyword ("" when none).
func (m *Model) Rule(op, keyword string) string {
	for _, r := range m.Rules[op] {
		if r.Keyword == keyword {
			return r.Message
		}
	}
	return ""
}

// Reply is what the spec says an error response carries.
type Reply struct {
	Message string            // x-privy-message
	ByField map[string]string // x-privy-messages: the message by identifier field
}

var loadModel = sync.OnceValues(func() (*Model, error) {
	doc, err := specdoc.Load() // the one parse of the embedded spec, shared
	if err != nil {
		return nil, fmt.Errorf("specmodel: loading the embedded spec: %w", err)
	}
	return FromDoc(doc)
})

// Load returns the model of the spec embedded in package gen, built once and shared.
// Callers must not modify it.
func Load() (*Model, error) { return loadModel() }

// MustLoad is Load for package initialisation: it panics when the embedded spec lacks what
// the model needs, which a test of this package catches before any release.
func MustLoad() *Model {
	m, err := Load()
	if err != nil {
		panic(err)
	}
	return m
}

// FromDoc builds the model of doc.
func FromDoc(doc *openapi3.T) (*Model, error) {
	contact := doc.Components.Schemas["Contact"]
	if contact == nil || contact.Value == nil {
		return nil, fmt.Errorf("specmodel: the spec has no Contact schema")
	}
	m := &Model{Rules: map[string][]Rule{}}
	var err error
	order := map[string]int{}
	for i, name := range contact.Value.Required {
		order[name] = i
	}
	m.Contact = fields(contact.Value, order, nil)
	contactNames := map[string]bool{}
	for _, f := range m.Contact {
		contactNames[f.Name] = true
	}
	for _, op := range []struct {
		id  string
		dst *[]Field
	}{{OpCreate, &m.Create}, {OpUpdate, &m.Update}, {OpUnsubscribe, &m.Unsubscribe}} {
		s, err := requestSchema(doc, op.id)
		if err != nil {
			return nil, err
		}
		*op.dst = fields(s, order, contactNames)
		m.Rules[op.id] = rules(s)
		if err := checkMapping(op.id, s, *op.dst, m.Contact); err != nil {
			return nil, err
		}
		if op.id == OpCreate {
			for _, f := range *op.dst {
				if slices.Contains(identityNames(s), f.Name) {
					m.Identity = append(m.Identity, f.Name)
				}
			}
		}
	}
	if m.UnsubscribeSets, err = sets(findOperation(doc, OpUnsubscribe), m.Contact); err != nil {
		return nil, err
	}
	list := findOperation(doc, OpList)
	if list == nil {
		return nil, fmt.Errorf("specmodel: the spec has no operation %q", OpList)
	}
	for _, p := range list.Parameters {
		if p.Value == nil || p.Value.In != openapi3.ParameterInQuery {
			continue
		}
		f := Field{Name: p.Value.Name, Required: p.Value.Required, Schema: convert(p.Value.Schema)}
		if d := oneLine(p.Value.Description); d != "" { // the parameter's own words win
			f.Description = d
		}
		if c, ok := p.Value.Extensions[ExtContactField]; ok {
			name, _ := c.(string)
			if !contactNames[name] { // renamed, most likely: say what the Contact has now
				return nil, fmt.Errorf("specmodel: %s of the %s filter %s names %q, which the Contact does not have (it has: %s)",
					ExtContactField, OpList, f.Name, name, strings.Join(Names(m.Contact), ", "))
			}
			f.Contact = name
		} else if contactNames[f.Name] {
			f.Contact = f.Name
		}
		if f.Name == "page" || f.Name == "per_page" {
			m.Paging = append(m.Paging, f)
		} else {
			m.Filters = append(m.Filters, f)
		}
	}
	m.Replies = map[string]Reply{}
	for name, ref := range doc.Components.Responses {
		if ref == nil || ref.Value == nil {
			continue
		}
		var r Reply
		r.Message, _ = ref.Value.Extensions[ExtMessage].(string)
		r.ByField = stringMap(ref.Value.Extensions[ExtMessages])
		if r.Message != "" || r.ByField != nil {
			m.Replies[name] = r
		}
	}
	return m, nil
}

// sets reads op's x-privy-sets, failing loudly on a property the Contact does not have or a
// value outside its enum (a rename, most likely), naming what the spec has now.
func sets(op *openapi3.Operation, contact []Field) (map[string]string, error) {
	raw, ok := op.Extensions[ExtSets]
	if !ok {
		return nil, nil
	}
	out := stringMap(raw)
	if out == nil || len(out) != len(raw.(map[string]any)) {
		return nil, fmt.Errorf("specmodel: %s of %s is not a map of property names to string values: %v", ExtSets, op.OperationID, raw)
	}
	for _, name := range slices.Sorted(maps.Keys(out)) {
		f, ok := Find(contact, name)
		if !ok {
			return nil, fmt.Errorf("specmodel: %s of %s names %s, which the Contact does not have (it has: %s)",
				ExtSets, op.OperationID, name, strings.Join(Names(contact), ", "))
		}
		if len(f.Enum) > 0 && !slices.Contains(f.Enum, out[name]) {
			return nil, fmt.Errorf("specmodel: %s of %s sets %s to %q, which is not one of %s",
				ExtSets, op.OperationID, name, out[name], f.OneOf())
		}
	}
	return out, nil
}

// stringMap reads an extension holding a map of strings; nil when it is not one.
func stringMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if sv, ok := v.(string); ok {
			out[k] = sv
		}
	}
	return out
}

// Find returns the named field of fs.
func Find(fs []Field, name string) (Field, bool) {
	i := slices.IndexFunc(fs, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return fs[i], true
}

// MustFind is Find for a field the caller relies on: it panics, naming the field and those
// fs has, when fs lacks it (a renamed field, most likely).
func MustFind(fs []Field, name string) Field {
	f, ok := Find(fs, name)
	if !ok {
		panic(fmt.Sprintf("specmodel: no field %q (the spec has: %s)", name, strings.Join(Names(fs), ", ")))
	}
	return f
}

// Refusing returns the fields of fs whose x-privy-value-errors refuse value (create's
// sms_consent refuses unsubscribed), in order.
func Refusing(fs []Field, value string) []Field {
	var out []Field
	for _, f := range fs {
		if _, ok := f.ValueErrors[value]; ok {
			out = append(out, f)
		}
	}
	return out
}

// OneOf formats an enum for help texts: "a, b or c".
func (s Schema) OneOf() string {
	switch len(s.Enum) {
	case 0:
		return ""
	case 1:
		return s.Enum[0]
	}
	return strings.Join(s.Enum[:len(s.Enum)-1], ", ") + " or " + s.Enum[len(s.Enum)-1]
}

// requestSchema returns the JSON body schema of operation id.
func requestSchema(doc *openapi3.T, id string) (*openapi3.Schema, error) {
	op := findOperation(doc, id)
	if op == nil {
		return nil, fmt.Errorf("specmodel: the spec has no operation %q", id)
	}
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, fmt.Errorf("specmodel: operation %q has no request body", id)
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, fmt.Errorf("specmodel: operation %q has no JSON request body", id)
	}
	return mt.Schema.Value, nil
}

func findOperation(doc *openapi3.T, id string) *openapi3.Operation {
	for _, p := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(p).Operations() {
			if op.OperationID == id {
				return op
			}
		}
	}
	return nil
}

// properties gathers s's properties and those of every allOf member, with the
// x-privy-contact-fields maps found on the way.
func properties(s *openapi3.Schema, props map[string]*openapi3.SchemaRef, rename map[string]string) {
	for name, p := range s.Properties {
		props[name] = p
	}
	if m, ok := s.Extensions[ExtContactFields].(map[string]any); ok {
		for k, v := range m {
			if sv, ok := v.(string); ok {
				rename[k] = sv
			}
		}
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil {
			properties(sub.Value, props, rename)
		}
	}
}

// fields lists s's properties: those in order first (by their position), then the rest by
// name. contactNames, when set, names the contact properties a request field may set.
func fields(s *openapi3.Schema, order map[string]int, contactNames map[string]bool) []Field {
	props, rename := map[string]*openapi3.SchemaRef{}, map[string]string{}
	properties(s, props, rename)
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	out := make([]Field, 0, len(props))
	for name, p := range props {
		f := Field{Name: name, Schema: convert(p), Required: required[name]}
		if contactNames != nil {
			switch c := cmp.Or(rename[name], name); {
			case contactNames[c]:
				f.Contact = c
			}
		}
		out = append(out, f)
	}
	pos := func(f Field) int {
		if i, ok := order[cmp.Or(f.Contact, f.Name)]; ok {
			return i
		}
		return len(order)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := pos(out[i]), pos(out[j]); a != b {
			return a < b
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// checkMapping fails loudly on an x-privy-contact-fields entry that no longer matches the spec:
// a request property or contact property it names that is gone (renamed, most likely). The
// error lists the names the spec has now.
func checkMapping(id string, s *openapi3.Schema, req, contact []Field) error {
	props, rename := map[string]*openapi3.SchemaRef{}, map[string]string{}
	properties(s, props, rename)
	for _, from := range slices.Sorted(maps.Keys(rename)) {
		to := rename[from]
		if _, ok := props[from]; !ok {
			return fmt.Errorf("specmodel: %s of %s maps %s, which the request does not have (it has: %s)",
				ExtContactFields, id, from, strings.Join(Names(req), ", "))
		}
		if _, ok := Find(contact, to); !ok {
			return fmt.Errorf("specmodel: %s of %s maps %s onto %s, which the Contact does not have (it has: %s)",
				ExtContactFields, id, from, to, strings.Join(Names(contact), ", "))
		}
	}
	return nil
}

// Names lists the names of fs, in order.
func Names(fs []Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// rules lists the rules of s and its allOf members that carry the API's message.
func rules(s *openapi3.Schema) []Rule {
	var out []Rule
	if msg, ok := s.Extensions[ExtError].(string); ok {
		switch {
		case len(s.AnyOf) > 0:
			out = append(out, Rule{Keyword: "anyOf", Message: msg})
		case len(s.OneOf) > 0:
			out = append(out, Rule{Keyword: "oneOf", Message: msg})
		case s.Not != nil:
			out = append(out, Rule{Keyword: "not", Message: msg})
		case s.MinProps > 0:
			out = append(out, Rule{Keyword: "minProperties", Message: msg})
		}
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil {
			out = append(out, rules(sub.Value)...)
		}
	}
	return out
}

// identityNames collects the property names of the `required` lists inside the anyOf, oneOf
// and not keywords of s (and its allOf members): the identifier rules.
func identityNames(s *openapi3.Schema) []string {
	var names []string
	var walk func(s *openapi3.Schema, inRule bool)
	walk = func(s *openapi3.Schema, inRule bool) {
		if s == nil {
			return
		}
		if inRule {
			names = append(names, s.Required...)
		}
		for _, r := range slices.Concat(s.AnyOf, s.OneOf) {
			walk(r.Value, true)
		}
		if s.Not != nil {
			walk(s.Not.Value, true)
		}
		for _, r := range s.AllOf {
			walk(r.Value, inRule)
		}
	}
	walk(s, false)
	slices.Sort(names)
	return slices.Compact(names)
}

// convert reduces a kin-openapi schema to a Schema.
func convert(ref *openapi3.SchemaRef) Schema {
	if ref == nil || ref.Value == nil {
		return Schema{}
	}
	s := ref.Value
	out := Schema{Format: s.Format, Pattern: s.Pattern, Nullable: s.Nullable, Default: s.Default,
		Example: s.Example, MaxLength: s.MaxLength, Description: oneLine(s.Description)}
	if s.Type != nil && len(s.Type.Slice()) == 1 {
		out.Type = s.Type.Slice()[0]
	}
	if msg, ok := s.Extensions[ExtError].(string); ok {
		out.Message = msg
	}
	out.ValueErrors = stringMap(s.Extensions[ExtValueErrors])
	out.CaseInsensitive, _ = s.Extensions[ExtCaseInsensitive].(bool)
	for _, e := range s.Enum {
		if v, ok := e.(string); ok {
			out.Enum = append(out.Enum, v)
		}
	}
	if s.Items != nil {
		items := convert(s.Items)
		out.Items = &items
	}
	if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
		out.Scalars = len(ap.Value.AnyOf) > 0 || ap.Value.Type != nil
		if out.Type == "" {
			out.Type = openapi3.TypeObject
		}
	}
	for _, sub := range s.AllOf { // a property wrapped in allOf: [$ref] takes the referenced shape
		if out.Type == "" && sub.Value != nil {
			inner := convert(sub)
			inner.Description = cmp.Or(out.Description, inner.Description)
			inner.Nullable = inner.Nullable || out.Nullable
			if out.Default != nil {
				inner.Default = out.Default
			}
			if out.Example != nil {
				inner.Example = out.Example
			}
			inner.Message = cmp.Or(out.Message, inner.Message)
			if out.ValueErrors != nil {
				inner.ValueErrors = out.ValueErrors
			}
			inner.CaseInsensitive = inner.CaseInsensitive || out.CaseInsensitive
			out = inner
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
