package privytest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

// The names the fake's own behaviour hangs on. Everything else about a contact (its
// properties, which request field sets which, defaults, filters, identifiers, messages)
// comes from the spec through specmodel, so an additive spec change needs no edit here.
const (
	propCreatedAt = "created_at" // set on creation, kept on restore
	propUpdatedAt = "updated_at" // set on every change
)

// fieldPhone is the create field whose country the SMS consent rule checks, named by the
// generated request type (a rename in the spec fails to compile here).
var fieldPhone = jsonName(gen.CreateContactRequest{PhoneNumber: new(gen.PhoneNumber)})

// jsonName returns the JSON name of the one field v sets.
func jsonName(v any) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(mustJSON(v), &m); err != nil || len(m) != 1 {
		panic(fmt.Sprintf("privytest: %+v does not set exactly one field", v))
	}
	for name := range m {
		return name
	}
	return ""
}

// defaultSMSCountries are the country calling codes the fake accepts by default for
// sms_consent "subscribed": the United States and Canada (+1), the United Kingdom (+44) and
// Australia (+61). WithSMSCountries replaces them.
var defaultSMSCountries = []string{"+1", "+44", "+61"}

// apiError is an error answer of an operation: its status, code, message and details.
type apiError struct {
	status  int
	code    gen.ErrorCode
	message string
	details []gen.ErrorDetail
}

func (e *apiError) envelope() gen.ErrorEnvelope {
	env := gen.ErrorEnvelope{Error: gen.ErrorBody{Code: e.code, Message: e.message}}
	if len(e.details) > 0 {
		d := slices.Clone(e.details)
		env.Error.Details = &d
	}
	return env
}

// shape is what the store derives from the spec's model once: where each contact property
// sits, what a request field sets, the defaults, the identifiers and the filters.
type shape struct {
	props     []specmodel.Field // the contact's properties, in the spec's order
	genFields []genField        // the fields of gen.Contact that hold a property
	keys      [][]byte          // `"name":` of each property, encoded once
	initial   []json.RawMessage // a new contact's value of each property (nil: absent)
	create    []reqField        // create fields that set a contact property
	update    []reqField        // update fields that change one (identifiers excluded)
	ids       []idField         // the identifying fields, in the spec's order
	filters   []filter          // list filters that match a contact property
	page      int               // page's default
	perPage   int               // per_page's default
	created   int               // index of created_at
	updated   int               // index of updated_at
	unsubSets []setField        // what unsubscribe sets (x-privy-sets)
	// smsField is the create field with the SMS consent rules (x-privy-value-errors), and
	// smsErrors maps a value it refuses to its message (nil: no such field).
	smsField  string
	smsErrors map[string]string
	// msg holds the message of each error answer, by components/responses name.
	msg         map[string]string
	msgConflict map[string]string // by identifier field
}

// The components/responses whose x-privy-message the fake sends.
const (
	replyUnauthorized      = "Unauthorized"
	replyInsufficientScope = "InsufficientScope"
	replyNotFound          = "NotFound"
	replyValidationFailed  = "ValidationFailed"
	replyRateLimited       = "RateLimited"
	replyConflict          = "Conflict"
)

// reqField is a request body property that sets contact property prop.
type reqField struct {
	name      string
	prop      int
	dropNulls bool // an object: null values clear their key and are not stored
}

// setField is a contact property an operation sets, and the value (JSON) it sets.
type setField struct {
	prop  int
	value json.RawMessage
}

// idField is an identifying field: its request name, the contact property it sets, and
// whether its values compare case-insensitively.
type idField struct {
	name string
	prop int
	fold bool
}

// filter is a list filter matching contact property prop by equality (membership for an
// array property); fold compares case-insensitively; id is its identifier index or -1.
type filter struct {
	name  string
	prop  int
	fold  bool
	quote bool // the property holds strings: the query value is compared as a JSON string
	array bool
	id    int
}

func newShape(m *specmodel.Model) (*shape, error) {
	sh := &shape{props: m.Contact, created: -1, updated: -1}
	pos := map[string]int{}
	for i, p := range m.Contact {
		pos[p.Name] = i
		sh.keys = append(sh.keys, []byte(strconv.Quote(p.Name)+":"))
	}
	need := func(name, why string) (int, error) {
		i, ok := pos[name]
		if !ok {
			return -1, fmt.Errorf("privytest: the spec's contact has no property %q (%s)", name, why)
		}
		return i, nil
	}
	sh.genFields = genFields(pos)
	var err error
	if sh.created, err = need(propCreatedAt, "the creation time"); err != nil {
		return nil, err
	}
	if sh.updated, err = need(propUpdatedAt, "the time of the last change"); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(m.UnsubscribeSets)) {
		i, err := need(name, "what unsubscribe sets")
		if err != nil {
			return nil, err
		}
		sh.unsubSets = append(sh.unsubSets, setField{prop: i, value: mustJSON(m.UnsubscribeSets[name])})
	}
	if len(sh.unsubSets) == 0 {
		return nil, fmt.Errorf("privytest: the spec's %s sets nothing (%s)", specmodel.OpUnsubscribe, specmodel.ExtSets)
	}
	sh.initial = make([]json.RawMessage, len(m.Contact))
	for i, p := range m.Contact {
		sh.initial[i] = blank(p)
	}
	for _, f := range m.Create {
		i, ok := pos[f.Contact]
		if !ok {
			continue
		}
		sh.create = append(sh.create, reqField{name: f.Name, prop: i, dropNulls: f.Type == openapi3.TypeObject})
		if f.Default != nil {
			if sh.initial[i], err = canonical(mustJSON(f.Default), false); err != nil {
				return nil, fmt.Errorf("privytest: the default of %s: %w", f.Name, err)
			}
		}
		if slices.Contains(m.Identity, f.Name) {
			sh.ids = append(sh.ids, idField{name: f.Name, prop: i, fold: f.CaseInsensitive})
		}
		if f.ValueErrors != nil {
			sh.smsField, sh.smsErrors = f.Name, f.ValueErrors
		}
	}
	if len(sh.ids) == 0 {
		return nil, fmt.Errorf("privytest: the spec names no identifying field of %s", specmodel.OpCreate)
	}
	for _, f := range m.Update {
		if i, ok := pos[f.Contact]; ok && !slices.Contains(m.Identity, f.Name) {
			sh.update = append(sh.update, reqField{name: f.Name, prop: i, dropNulls: f.Type == openapi3.TypeObject})
		}
	}
	for _, f := range m.Filters {
		i, ok := pos[f.Contact]
		if !ok { // ignoring it would answer every contact: the hazard of a stale filter
			return nil, fmt.Errorf("privytest: the list filter %q matches no contact property: the fake does not know how to apply it", f.Name)
		}
		p := m.Contact[i]
		fl := filter{name: f.Name, prop: i, fold: f.CaseInsensitive || p.CaseInsensitive, id: -1,
			array: p.Type == openapi3.TypeArray}
		fl.quote = p.Type == openapi3.TypeString || p.Type == "" && len(p.Enum) > 0
		if fl.array && p.Items != nil {
			fl.quote = p.Items.Type == openapi3.TypeString
		}
		for j, id := range sh.ids {
			if id.prop == i {
				fl.id = j
			}
		}
		sh.filters = append(sh.filters, fl)
	}
	sh.page, sh.perPage = 1, 25
	for _, p := range m.Paging {
		if d, ok := toInt(p.Default); ok && p.Name == "page" {
			sh.page = d
		} else if ok && p.Name == "per_page" {
			sh.perPage = d
		}
	}
	sh.msg = map[string]string{}
	for _, name := range []string{replyUnauthorized, replyInsufficientScope, replyNotFound, replyValidationFailed, replyRateLimited} {
		if sh.msg[name] = m.Replies[name].Message; sh.msg[name] == "" {
			return nil, fmt.Errorf("privytest: the spec's %s response has no %s", name, specmodel.ExtMessage)
		}
	}
	sh.msgConflict = m.Replies[replyConflict].ByField
	for _, id := range sh.ids {
		if sh.msgConflict[id.name] == "" {
			return nil, fmt.Errorf("privytest: the spec's %s response has no %s for %s", replyConflict, specmodel.ExtMessages, id.name)
		}
	}
	return sh, nil
}

// blank is the value of a property no request sets and without a default: absent when it
// is optional, else null, [] or {}, or the type's zero value (which breaks an enum: the
// contract check then reports that the spec needs a default).
func blank(p specmodel.Field) json.RawMessage {
	switch {
	case !p.Required:
		return nil
	case p.Nullable:
		return json.RawMessage("null")
	}
	switch p.Type {
	case openapi3.TypeArray:
		return json.RawMessage("[]")
	case openapi3.TypeObject:
		return json.RawMessage("{}")
	case openapi3.TypeString:
		return json.RawMessage(`""`)
	case openapi3.TypeBoolean:
		return json.RawMessage("false")
	case openapi3.TypeInteger, openapi3.TypeNumber:
		return json.RawMessage("0")
	}
	return json.RawMessage("null")
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("privytest: encoding %v: %v", v, err))
	}
	return b
}

// canonical re-encodes a JSON value the way encoding/json writes it, so that stored values
// compare byte for byte; with dropNulls the null members of an object are left out.
func canonical(raw json.RawMessage, dropNulls bool) (json.RawMessage, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if m, ok := v.(map[string]any); ok && dropNulls {
		for k, x := range m {
			if x == nil {
				delete(m, k)
			}
		}
	}
	return json.Marshal(v)
}

// record is one stored contact: the JSON value of each property in the shape's order (nil
// when absent), its identifier keys, and its creation order.
type record struct {
	vals    []json.RawMessage
	ids     []string // the lookup key of each identifier ("" when unset)
	created time.Time
	seq     uint64 // creation order, the tie-breaker of equal created_at
}

func compareRecords(a, b *record) int {
	if c := a.created.Compare(b.created); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// appendJSON appends the contact as a JSON object, its properties in the spec's order.
func (sh *shape) appendJSON(b []byte, r *record) []byte {
	b = append(b, '{')
	first := true
	for i, v := range r.vals {
		if v == nil {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, sh.keys[i]...)
		b = append(b, v...)
	}
	return append(b, '}')
}

// key is the lookup key of an identifier's JSON value: "" when null or absent.
func (id idField) key(raw json.RawMessage) string {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return id.norm(string(raw[1 : n-1])) // no escapes: the common case, without decoding
	}
	var s string
	if raw == nil || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return id.norm(s)
}

// norm is the lookup key of an identifier's value.
func (id idField) norm(s string) string {
	if id.fold {
		return strings.ToLower(s)
	}
	return s
}

// store holds the contacts: a slice ordered by (created_at, creation order) for paging, and
// one map per identifier from its key to the same records. Deleted contacts stay in
// separate maps so that creating them again restores them. The caller holds Fake.mu.
type store struct {
	sh           *shape
	smsCountries []string
	order        []*record
	live         []map[string]*record // by identifier
	deleted      []map[string]*record // by identifier
	seq          uint64
}

func newStore(sh *shape, smsCountries []string) *store {
	s := &store{sh: sh, smsCountries: smsCountries}
	for range sh.ids {
		s.live = append(s.live, map[string]*record{})
		s.deleted = append(s.deleted, map[string]*record{})
	}
	return s
}

func (s *store) invalid(details ...gen.ErrorDetail) *apiError {
	return &apiError{status: 422, code: gen.ErrorCodeValidationFailed, message: s.sh.msg[replyValidationFailed], details: details}
}

func (s *store) notFound() *apiError {
	return &apiError{status: 404, code: gen.ErrorCodeNotFound, message: s.sh.msg[replyNotFound]}
}

// insert puts r at its place in order (usually the end) and in the live indexes.
func (s *store) insert(r *record) {
	if n := len(s.order); n == 0 || compareRecords(s.order[n-1], r) < 0 {
		s.order = append(s.order, r)
	} else {
		i, _ := slices.BinarySearchFunc(s.order, r, compareRecords)
		s.order = slices.Insert(s.order, i, r)
	}
	for j, k := range r.ids {
		if k != "" {
			s.live[j][k] = r
		}
	}
}

// remove takes r out of the live contacts and remembers it as deleted.
func (s *store) remove(r *record) {
	if i, ok := slices.BinarySearchFunc(s.order, r, compareRecords); ok {
		s.order = slices.Delete(s.order, i, i+1)
	}
	for j, k := range r.ids {
		if k != "" {
			delete(s.live[j], k)
			s.deleted[j][k] = r
		}
	}
}

// find returns the live contact named by the first identifier the body holds.
func (s *store) find(body map[string]json.RawMessage) *record {
	for j, id := range s.sh.ids {
		if k := id.key(body[id.name]); k != "" {
			return s.live[j][k]
		}
	}
	return nil
}

func (s *store) supportedSMSCountry(raw json.RawMessage) bool {
	var phone string
	if raw == nil || json.Unmarshal(raw, &phone) != nil {
		return false
	}
	for _, cc := range s.smsCountries {
		if strings.HasPrefix(phone, cc) {
			return true
		}
	}
	return false
}

// set stores the body's value of each field in fs onto r.
func set(r *record, fs []reqField, body map[string]json.RawMessage) error {
	for _, f := range fs {
		raw, ok := body[f.name]
		if !ok {
			continue
		}
		v, err := canonical(raw, f.dropNulls)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		r.vals[f.prop] = v
	}
	return nil
}

// create adds a contact, or restores a deleted one that has the same identifier: it keeps
// its created_at and takes the new data.
func (s *store) create(body map[string]json.RawMessage, now time.Time) (*record, *apiError) {
	if s.sh.smsErrors != nil {
		var consent string
		if raw, ok := body[s.sh.smsField]; ok && json.Unmarshal(raw, &consent) == nil {
			msg := s.sh.smsErrors[consent]
			switch gen.Consent(consent) {
			case gen.ConsentSubscribed:
				if msg != "" && !s.supportedSMSCountry(body[fieldPhone]) {
					return nil, s.invalid(gen.ErrorDetail{Field: s.sh.smsField, Message: msg})
				}
			case gen.ConsentUnsubscribed:
				if msg != "" {
					return nil, s.invalid(gen.ErrorDetail{Field: s.sh.smsField, Message: msg})
				}
			}
		}
	}
	keys := make([]string, len(s.sh.ids))
	for j, id := range s.sh.ids {
		keys[j] = id.key(body[id.name])
		if keys[j] != "" && s.live[j][keys[j]] != nil {
			return nil, &apiError{status: 409, code: gen.ErrorCodeConflict, message: s.sh.msgConflict[id.name]}
		}
	}
	var r *record
	for j, k := range keys {
		if r == nil && k != "" {
			r = s.deleted[j][k]
		}
	}
	if r != nil { // restore
		s.forgetDeleted(r)
	} else {
		s.seq++
		r = &record{seq: s.seq, created: now}
	}
	// The new identifiers now belong to a live contact; drop stale deleted entries.
	for j, k := range keys {
		if k != "" {
			delete(s.deleted[j], k)
		}
	}
	created := r.created
	r.vals = slices.Clone(s.sh.initial)
	if err := set(r, s.sh.create, body); err != nil {
		return nil, s.invalid(gen.ErrorDetail{Field: "base", Message: err.Error()})
	}
	r.vals[s.sh.created] = mustJSON(created)
	r.vals[s.sh.updated] = mustJSON(now)
	s.setIDs(r)
	s.insert(r)
	return r, nil
}

// setIDs computes r's identifier keys from its values.
func (s *store) setIDs(r *record) {
	r.ids = make([]string, len(s.sh.ids))
	for j, id := range s.sh.ids {
		r.ids[j] = id.key(r.vals[id.prop])
	}
}

func (s *store) forgetDeleted(r *record) {
	for j, k := range r.ids {
		if k != "" && s.deleted[j][k] == r {
			delete(s.deleted[j], k)
		}
	}
}

// update changes the fields of the contact named by its identifier.
func (s *store) update(body map[string]json.RawMessage, now time.Time) (*record, *apiError) {
	r := s.find(body)
	if r == nil {
		return nil, s.notFound()
	}
	vals := slices.Clone(r.vals)
	if err := set(r, s.sh.update, body); err != nil {
		r.vals = vals
		return nil, s.invalid(gen.ErrorDetail{Field: "base", Message: err.Error()})
	}
	r.vals[s.sh.updated] = mustJSON(now)
	return r, nil
}

// unsubscribe sets what the spec says it sets (email_permission to unsubscribed); a second
// call changes nothing.
func (s *store) unsubscribe(body map[string]json.RawMessage, now time.Time) (*record, *apiError) {
	r := s.find(body)
	if r == nil {
		return nil, s.notFound()
	}
	changed := false
	for _, set := range s.sh.unsubSets {
		if !bytes.Equal(r.vals[set.prop], set.value) {
			r.vals[set.prop], changed = set.value, true
		}
	}
	if changed {
		r.vals[s.sh.updated] = mustJSON(now)
	}
	return r, nil
}

// delete removes the contact and returns it.
func (s *store) delete(body map[string]json.RawMessage) (*record, *apiError) {
	r := s.find(body)
	if r == nil {
		return nil, s.notFound()
	}
	s.remove(r)
	return r, nil
}

// matcher is one list filter with its wanted value.
type matcher struct {
	filter
	want []byte // the wanted JSON value (of an element, for an array property)
}

func (m matcher) match(r *record) bool {
	v := r.vals[m.prop]
	if !m.array {
		return m.equal(v)
	}
	var elems []json.RawMessage
	if json.Unmarshal(v, &elems) != nil {
		return false
	}
	return slices.ContainsFunc(elems, m.equal)
}

func (m matcher) equal(v json.RawMessage) bool {
	if m.fold {
		return bytes.EqualFold(v, m.want)
	}
	return bytes.Equal(v, m.want)
}

// list writes one page of the contacts matching the query's filters, in created_at order,
// as a ContactList. Without filters a page costs O(per_page); an identifier filter is a map
// lookup; other filters scan the store. The query has passed validation.
func (s *store) list(q url.Values) []byte {
	page, perPage := s.sh.page, s.sh.perPage
	if n, err := strconv.Atoi(q.Get("page")); err == nil {
		page = n
	}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		perPage = n
	}
	var ms []matcher
	lookup := -1
	for _, f := range s.sh.filters {
		vs, ok := q[f.name]
		if !ok || len(vs) == 0 {
			continue
		}
		m := matcher{filter: f}
		if f.quote {
			m.want = mustJSON(vs[0])
		} else if c, err := canonical(json.RawMessage(vs[0]), false); err == nil {
			m.want = c
		} else {
			m.want = mustJSON(vs[0])
		}
		ms = append(ms, m)
		if f.id >= 0 && lookup < 0 {
			lookup = len(ms) - 1
		}
	}
	var candidates []*record
	switch {
	case lookup >= 0:
		m := ms[lookup]
		if r := s.live[m.id][s.sh.ids[m.id].key(m.want)]; r != nil {
			candidates = []*record{r}
		}
	default:
		candidates = s.order
	}
	start := -1 // index among matches where the page starts; -1 when past the end
	if page >= 1 && page-1 <= len(candidates)/perPage {
		start = (page - 1) * perPage
	}
	b := make([]byte, 0, 512*min(perPage, len(candidates))+128)
	b = append(b, `{"data":[`...)
	n, total := 0, 0
	add := func(r *record) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = s.sh.appendJSON(b, r)
	}
	if len(ms) == 0 {
		total = len(candidates)
		if start >= 0 && start < total {
			for _, r := range candidates[start:min(total, start+perPage)] {
				add(r)
			}
		}
	} else {
		for _, r := range candidates {
			if !slices.ContainsFunc(ms, func(m matcher) bool { return !m.match(r) }) {
				if start >= 0 && total >= start && total < start+perPage {
					add(r)
				}
				total++
			}
		}
	}
	b = append(b, `],"pagination":`...)
	b = append(b, mustJSON(gen.Pagination{Page: page, PerPage: perPage, TotalCount: total, TotalPages: (total + perPage - 1) / perPage})...)
	return append(b, '}')
}

// contact decodes r into the generated Contact (properties it does not know are dropped).
func (s *store) contact(r *record) gen.Contact {
	var c gen.Contact
	if err := json.Unmarshal(s.sh.appendJSON(nil, r), &c); err != nil {
		panic(fmt.Sprintf("privytest: a stored contact does not decode: %v", err))
	}
	return c
}

// snapshot returns copies of every live contact in created_at order.
func (s *store) snapshot() []gen.Contact {
	out := make([]gen.Contact, len(s.order))
	for i, r := range s.order {
		out[i] = s.contact(r)
	}
	return out
}

// snapshotJSON returns every live contact in created_at order as JSON objects holding every
// property the spec's contact has.
func (s *store) snapshotJSON() []json.RawMessage {
	out := make([]json.RawMessage, len(s.order))
	for i, r := range s.order {
		out[i] = s.sh.appendJSON(nil, r)
	}
	return out
}

// fromContact makes a record of a generated contact (for seeding): the properties it holds,
// and the new-contact values of any the generated type does not know. It encodes field by
// field into one buffer, several times faster than a JSON round trip.
func (s *store) fromContact(c gen.Contact) *record {
	r := &record{vals: slices.Clone(s.sh.initial), created: c.CreatedAt}
	v := reflect.ValueOf(c)
	buf := make([]byte, 0, 256)
	for _, f := range s.sh.genFields {
		n := len(buf)
		buf = appendField(buf, v.Field(f.field))
		r.vals[f.prop] = buf[n:len(buf):len(buf)]
	}
	s.setIDs(r)
	return r
}

// genField is a field of gen.Contact and the index of the property its JSON name names.
type genField struct{ field, prop int }

// genFields maps the fields of gen.Contact onto the contact's properties by their JSON
// names.
func genFields(pos map[string]int) []genField {
	var out []genField
	t := reflect.TypeFor[gen.Contact]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if p, ok := pos[name]; ok {
			out = append(out, genField{field: i, prop: p})
		}
	}
	return out
}

var timeType = reflect.TypeFor[time.Time]()

// appendField appends a field of gen.Contact encoded as encoding/json does.
func appendField(b []byte, v reflect.Value) []byte {
	switch {
	case v.Kind() == reflect.Pointer && v.IsNil():
		return append(b, "null"...)
	case v.Kind() == reflect.Pointer:
		return appendField(b, v.Elem())
	case v.Kind() == reflect.String:
		return appendString(b, v.String())
	case v.Type() == timeType:
		b = append(b, '"')
		b = v.Interface().(time.Time).AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		if v.IsNil() {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v.Index(i).String())
		}
		return append(b, ']')
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...)
		}
		m := v.Convert(reflect.TypeFor[map[string]any]()).Interface().(map[string]any)
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(m)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			switch x := m[k].(type) {
			case string:
				b = appendString(b, x)
			case bool:
				b = strconv.AppendBool(b, x)
			case float64:
				if a := math.Abs(x); a == 0 || a >= 1e-6 && a < 1e21 {
					b = strconv.AppendFloat(b, x, 'f', -1, 64)
				} else {
					b = append(b, mustJSON(x)...)
				}
			default:
				b = append(b, mustJSON(x)...)
			}
		}
		return append(b, '}')
	}
	return append(b, mustJSON(v.Interface())...)
}

// appendString appends s as a JSON string, as encoding/json writes it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return append(b, mustJSON(s)...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
