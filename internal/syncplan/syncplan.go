// Package syncplan compares the contacts of an account with rows of a file and plans the
// fewest requests that make the account match: creates, field-by-field updates, unsubscribes
// and (when asked) deletes. What it compares, and how, comes from the spec through
// specmodel: a property added to openapi.yaml is compared and sent with no code change.
//
// A Planner holds an index of the account (one compact entry per contact) and the plan; the
// rows are fed one at a time, so memory grows with the account and the changes, never with
// the file.
package syncplan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

// Step operations.
const (
	OpCreate      = "create"
	OpUpdate      = "update"
	OpUnsubscribe = "unsubscribe"
	OpDelete      = "delete"
)

// The one consent change the API allows is POST /contacts/unsubscribe, which sets one
// contact property to one value (email_permission to unsubscribed): New reads both from the
// spec's x-privy-sets (Planner.unsubProp, Planner.unsubValue).
//
// A create field may refuse values the schema allows (x-privy-value-errors): sms_consent
// refuses unsubscribed for a new contact, always (its other refusal, subscribed, depends on
// the phone number's country, which the API checks). New collects the fields that refuse
// gen.ConsentUnsubscribed (Planner.createRefuses); such a value is left out of the create
// (the contact starts with the field's default) with a note.

// Options are the choices that change a plan.
type Options struct {
	// Clear makes an empty cell clear the field (--empty clears); by default it changes
	// nothing.
	Clear bool `json:"clear"`
	// Consent allows the one consent change the API has: unsubscribing a contact whose row
	// says unsubscribed (--consent).
	Consent bool `json:"consent"`
	// Prune deletes the contacts of the account that no row names (--prune).
	Prune bool `json:"prune"`
}

// Change is one field a step changes.
type Change struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// Step is one request of a plan.
type Step struct {
	// N numbers the steps from 1; the apply journal records steps by it.
	N  int    `json:"n"`
	Op string `json:"op"`
	// Line is the file line the step comes from (0 for a delete).
	Line int `json:"line,omitempty"`
	// Keys are the identity keys the step touches ("email:jane@example.com",
	// "phone_number:+15551234567").
	Keys []string `json:"keys"`
	// Fingerprint identifies the contact as it was when planned ("" for a create).
	Fingerprint string `json:"fingerprint,omitempty"`
	// Body is the JSON request body.
	Body map[string]any `json:"body"`
	// Changes lists the fields an update changes, with their old and new values.
	Changes []Change `json:"changes,omitempty"`
}

// Note is a difference the plan leaves alone, and why.
type Note struct {
	Line    int    `json:"line,omitempty"`
	Key     string `json:"key"`
	Field   string `json:"field"`
	Account any    `json:"account"`
	File    any    `json:"file"`
	Reason  string `json:"reason"`
}

// Invalid is a row the plan does not use, with what is wrong with it.
type Invalid struct {
	Line    int               `json:"line"`
	Details []gen.ErrorDetail `json:"details"`
}

// Missing is a contact of the account that no row names.
type Missing struct {
	Key         string `json:"key"`
	Fingerprint string `json:"fingerprint"`
}

// Plan is what a sync will send, and what it found.
type Plan struct {
	Version int `json:"version"`
	// Source is the file planned from, and SourceSHA256 its content's hash.
	Source       string    `json:"source"`
	SourceSHA256 string    `json:"source_sha256"`
	Options      Options   `json:"options"`
	PlannedAt    time.Time `json:"planned_at"`
	// Account is the number of contacts read from the account; Pages the list requests
	// that read them.
	Account int `json:"account_contacts"`
	Pages   int `json:"account_pages"`
	Rows    int `json:"rows"`
	// Unnamed counts the rows with no identifier: they name no contact.
	Unnamed   int       `json:"rows_without_identity"`
	Steps     []Step    `json:"steps"`
	Unchanged int       `json:"unchanged"`
	Missing   []Missing `json:"missing"`
	Invalid   []Invalid `json:"invalid"`
	Notes     []Note    `json:"notes"`
	// Hash is the SHA-256 of the plan without it: the key of the apply journal, and a check
	// that a saved plan was not edited.
	Hash string `json:"hash"`
}

// Count returns the number of steps of each operation.
func (p *Plan) Count() map[string]int {
	n := map[string]int{OpCreate: 0, OpUpdate: 0, OpUnsubscribe: 0, OpDelete: 0}
	for _, s := range p.Steps {
		n[s.Op]++
	}
	return n
}

// ComputeHash returns the plan's hash, ignoring its Hash field.
func (p *Plan) ComputeHash() (string, error) {
	q := *p
	q.Hash = ""
	b, err := json.Marshal(&q)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Decode reads a saved plan and checks its hash.
func Decode(data []byte) (*Plan, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var p Plan
	if err := d.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a sync plan: %w", err)
	}
	if p.Version != 1 {
		return nil, fmt.Errorf("sync plan version %d; this privy reads version 1", p.Version)
	}
	h, err := p.ComputeHash()
	if err != nil {
		return nil, err
	}
	if h != p.Hash {
		return nil, fmt.Errorf("the sync plan was edited or damaged (its hash does not match)")
	}
	for i, s := range p.Steps {
		if _, known := operations[s.Op]; s.N != i+1 || len(s.Keys) == 0 || !known || s.Body == nil {
			return nil, fmt.Errorf("the sync plan's step %d is malformed", i+1)
		}
	}
	return &p, nil
}

// Validator checks a request body as the API would; op is one of the Op constants.
type Validator interface {
	Check(op string, body map[string]any) []gen.ErrorDetail
}

// Row is one row of the file, as request fields.
type Row struct {
	Line int
	// Values holds the create request's fields the row sets (empty cells left out), as
	// JSON values (numbers as json.Number).
	Values map[string]any
	// Present names the create fields the file has a column for.
	Present map[string]bool
	// Empty names the present create fields whose cells are empty in this row.
	Empty map[string]bool
	// Keys holds, per object field (custom fields), the keys with a column of their own, and
	// EmptyKeys those of them empty in this row.
	Keys, EmptyKeys map[string][]string
	// Whole names the object fields the row gives in full: a key not in Values nor in Keys
	// is removed (the custom_fields column, when not empty).
	Whole map[string]bool
	// Problems are what the file reader found wrong with the row.
	Problems []gen.ErrorDetail
}

// property is what the planner knows of one contact property.
type property struct {
	specmodel.Field
	update string // the update field that sets it ("" when an update cannot)
	phone  bool   // compared as an E.164 number
	email  bool   // compared case-insensitively
}

type entry struct {
	data []byte // the contact as listed, compact JSON
	fp   string
	line int // the row that named it (0: none yet)
}

// Planner builds a plan: Add the account's contacts, then each row, then Finish.
type Planner struct {
	opts     Options
	v        Validator
	props    map[string]*property
	create   map[string]string // create field -> contact property
	identity []string          // identity contact properties, in order
	// unsubProp and unsubValue are what unsubscribe sets (x-privy-sets).
	unsubProp, unsubValue string
	// createRefuses maps a create field to the value the API refuses for a new contact.
	createRefuses map[string]string
	entries       []entry
	byKey         map[string]int
	created       map[string]int // keys of planned creates -> line
	plan          Plan
	pending       []Step
}

// New returns a Planner for model m. It fails when the model lacks what sync relies on.
func New(m *specmodel.Model, v Validator, opts Options) (*Planner, error) {
	p := &Planner{opts: opts, v: v, props: map[string]*property{}, create: map[string]string{},
		byKey: map[string]int{}, created: map[string]int{}}
	for _, f := range m.Contact {
		pr := &property{Field: f}
		pr.email = f.CaseInsensitive // emails compare case-insensitively (x-privy-case-insensitive)
		pr.phone = f.Type == openapi3.TypeString && strings.HasPrefix(f.Pattern, `^\+`)
		p.props[f.Name] = pr
	}
	for _, f := range m.Update {
		if pr := p.props[f.Contact]; pr != nil && !slices.Contains(m.Identity, f.Name) {
			pr.update = f.Name
		}
	}
	for _, f := range m.Create {
		if f.Contact != "" {
			p.create[f.Name] = f.Contact
		}
	}
	for _, id := range m.Identity {
		c := p.create[id]
		if c == "" || p.props[c] == nil {
			return nil, fmt.Errorf("syncplan: identity field %q sets no contact property", id)
		}
		p.identity = append(p.identity, c)
	}
	if len(p.identity) == 0 {
		return nil, fmt.Errorf("syncplan: the spec names no identity fields")
	}
	if len(m.UnsubscribeSets) != 1 {
		return nil, fmt.Errorf("syncplan: the spec's %s sets %v (%s); sync needs one property", specmodel.OpUnsubscribe, m.UnsubscribeSets, specmodel.ExtSets)
	}
	for prop, value := range m.UnsubscribeSets {
		p.unsubProp, p.unsubValue = prop, value
	}
	if pr := p.props[p.unsubProp]; pr == nil || !slices.Contains(pr.Enum, p.unsubValue) {
		return nil, fmt.Errorf("syncplan: the contact has no %s with the value %q", p.unsubProp, p.unsubValue)
	}
	p.createRefuses = map[string]string{}
	for _, f := range specmodel.Refusing(m.Create, string(gen.ConsentUnsubscribed)) {
		p.createRefuses[f.Name] = string(gen.ConsentUnsubscribed)
	}
	p.plan = Plan{Version: 1, Options: opts, Steps: []Step{}, Missing: []Missing{}, Invalid: []Invalid{}, Notes: []Note{}}
	return p, nil
}

// Fingerprint identifies a contact's listed state (every property, updated_at included).
func Fingerprint(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}

// ContactJSON returns the compact JSON of a contact, as fingerprinted.
func ContactJSON(c gen.Contact) ([]byte, error) { return json.Marshal(c) }

// decode reads JSON with numbers as json.Number.
func decode(data []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// ToValues turns a request or contact into JSON values, numbers as json.Number.
func ToValues(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decode(b)
}

// Keys returns the identity keys of a contact or row given as contact property values.
func (p *Planner) keys(values map[string]any) []string {
	var out []string
	for _, id := range p.identity {
		if s, ok := values[id].(string); ok && s != "" {
			out = append(out, id+":"+p.norm(p.props[id], s))
		}
	}
	return out
}

// identityValues decodes only the identity properties of a contact's JSON (the index is
// built for every contact of the account).
func (p *Planner) identityValues(data []byte) (map[string]any, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	m := make(map[string]any, len(p.identity))
	for _, id := range p.identity {
		var s *string
		if v, ok := raw[id]; ok {
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
		}
		if s != nil {
			m[id] = *s
		}
	}
	return m, nil
}

// KeysOf returns the identity keys of a listed contact.
func (p *Planner) KeysOf(data []byte) ([]string, error) {
	m, err := p.identityValues(data)
	if err != nil {
		return nil, err
	}
	return p.keys(m), nil
}

// norm normalises an identity value for matching.
func (p *Planner) norm(pr *property, s string) string {
	switch {
	case pr.email:
		return strings.ToLower(strings.TrimSpace(s))
	case pr.phone:
		return NormalizePhone(s)
	}
	return s
}

// NormalizePhone returns s as E.164 when it is a phone number written with spaces, dashes,
// dots or parentheses, or with a 00 international prefix; otherwise s unchanged.
func NormalizePhone(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return s
		}
	}
	out := b.String()
	if strings.HasPrefix(out, "00") {
		out = "+" + out[2:]
	}
	if !strings.HasPrefix(out, "+") || len(out) < 3 || out[1] == '0' {
		return s
	}
	return out
}

// AddContact adds one contact of the account to the index.
func (p *Planner) AddContact(c gen.Contact) error {
	data, err := ContactJSON(c)
	if err != nil {
		return err
	}
	m := make(map[string]any, len(p.identity))
	v := reflect.ValueOf(c)
	for _, id := range p.identity {
		i, ok := contactFields()[id]
		if !ok {
			return p.AddContactJSON(data) // the identity is not a field of gen.Contact
		}
		f := v.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		if f.Kind() == reflect.String {
			m[id] = f.String()
		}
	}
	p.index(data, m)
	return nil
}

// contactFields maps the JSON names of gen.Contact's fields to their indexes, so that the
// identity of each listed contact is read without decoding its JSON again.
var contactFields = sync.OnceValue(func() map[string]int {
	out := map[string]int{}
	t := reflect.TypeFor[gen.Contact]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
})

// AddContactJSON adds one contact given as its compact JSON.
func (p *Planner) AddContactJSON(data []byte) error {
	m, err := p.identityValues(data)
	if err != nil {
		return err
	}
	p.index(data, m)
	return nil
}

// index adds a contact with its identity values.
func (p *Planner) index(data []byte, m map[string]any) {
	i := len(p.entries)
	p.entries = append(p.entries, entry{data: data, fp: Fingerprint(data)})
	for _, k := range p.keys(m) {
		p.byKey[k] = i
	}
	p.plan.Account++
}

// SetPages records how many list requests read the account.
func (p *Planner) SetPages(n int) { p.plan.Pages = n }

// Normalize rewrites the row's phone numbers as E.164 where they are written loosely.
func (p *Planner) Normalize(values map[string]any) {
	for f, v := range values {
		if pr := p.props[p.create[f]]; pr != nil && pr.phone {
			if s, ok := v.(string); ok {
				values[f] = NormalizePhone(s)
			}
		}
	}
}

// contactValues maps a row's create fields onto contact properties.
func (p *Planner) contactValues(values map[string]any) map[string]any {
	out := make(map[string]any, len(values))
	for f, v := range values {
		if c := p.create[f]; c != "" {
			out[c] = v
		}
	}
	return out
}

func (p *Planner) invalid(line int, details ...gen.ErrorDetail) {
	p.plan.Invalid = append(p.plan.Invalid, Invalid{Line: line, Details: details})
}

// AddRow compares one row with the account and adds what it needs to the plan.
func (p *Planner) AddRow(r Row) {
	p.plan.Rows++
	p.Normalize(r.Values)
	keys := p.keys(p.contactValues(r.Values))
	if len(keys) == 0 {
		p.plan.Unnamed++
	}
	// Find the contact: by the first identity the row has (email, else phone).
	match := -1
	if len(keys) > 0 {
		if i, ok := p.byKey[keys[0]]; ok {
			match = i
		}
	}
	// Every contact the row names is "in the file", even when the row is unusable, so that
	// --prune never deletes it.
	var others []int
	for _, k := range keys {
		if i, ok := p.byKey[k]; ok && i != match && !slices.Contains(others, i) {
			others = append(others, i)
		}
	}
	markLine := func(i int) (dup int) {
		if e := &p.entries[i]; e.line != 0 {
			return e.line
		} else {
			e.line = r.Line
		}
		return 0
	}
	dup := 0
	if match >= 0 {
		dup = markLine(match)
	} else {
		for _, k := range keys {
			if l, ok := p.created[k]; ok {
				dup = l
			}
		}
	}
	for _, i := range others {
		markLine(i)
	}
	details := slices.Clone(r.Problems)
	if dup != 0 {
		details = append(details, gen.ErrorDetail{Field: "base", Message: fmt.Sprintf("names the same contact as line %d", dup)})
	}
	if len(others) > 0 {
		k := keys[len(keys)-1]
		id, _, _ := strings.Cut(k, ":")
		details = append(details, gen.ErrorDetail{Field: id,
			Message: "belongs to another contact of the account; identifiers cannot be changed"})
	}
	if len(details) > 0 {
		p.invalid(r.Line, details...)
		return
	}
	if match < 0 {
		if d := p.v.Check(OpCreate, r.Values); len(d) > 0 {
			p.invalid(r.Line, d...)
			return
		}
		p.planCreate(r, keys)
		return
	}
	steps, notes, err := p.compare(r, match)
	if err != nil {
		p.invalid(r.Line, gen.ErrorDetail{Field: "base", Message: "the account's contact could not be read: " + err.Error()})
		return
	}
	if len(steps) == 0 && len(notes) == 0 {
		// Every value the row gives equals the account's: nothing to check or send.
		p.plan.Unchanged++
		return
	}
	// The row differs from the account: check it, and its update, as the API would.
	if d := p.v.Check(OpCreate, r.Values); len(d) > 0 {
		p.invalid(r.Line, d...)
		return
	}
	for _, s := range steps {
		if s.Op != OpUpdate {
			continue
		}
		if d := p.v.Check(OpUpdate, s.Body); len(d) > 0 {
			p.invalid(r.Line, d...)
			return
		}
	}
	p.plan.Notes = append(p.plan.Notes, notes...)
	if len(steps) == 0 {
		p.plan.Unchanged++
	}
	p.pending = append(p.pending, steps...)
}

func (p *Planner) planCreate(r Row, keys []string) {
	body := make(map[string]any, len(r.Values))
	for f, v := range r.Values {
		if refused, ok := p.createRefuses[f]; ok && v == refused {
			p.plan.Notes = append(p.plan.Notes, Note{Line: r.Line, Key: keys[0], Field: f, File: v,
				Reason: "the API refuses this value for a new contact; created without it"})
			continue
		}
		body[f] = v
	}
	for _, k := range keys {
		p.created[k] = r.Line
	}
	p.pending = append(p.pending, Step{Op: OpCreate, Line: r.Line, Keys: keys, Body: body})
}

// compare compares the row with the contact of entry i: the steps that make the contact
// match, and the differences left alone.
func (p *Planner) compare(r Row, i int) (steps []Step, notes []Note, err error) {
	e := &p.entries[i]
	have, err := decode(e.data)
	if err != nil {
		return nil, nil, err
	}
	key := p.keys(have)[0]
	idField, idValue := "", any(nil)
	for _, id := range p.identity {
		if s, ok := have[id].(string); ok && s != "" {
			idField, idValue = p.requestField(id), s
			break
		}
	}
	note := func(field string, account, file any, reason string) {
		notes = append(notes, Note{Line: r.Line, Key: key, Field: field, Account: account, File: file, Reason: reason})
	}
	body := map[string]any{idField: idValue}
	var changes []Change
	unsubscribe := false
	fields := make([]string, 0, len(r.Present))
	for f := range r.Present {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		prop := p.create[f]
		pr := p.props[prop]
		if pr == nil {
			continue
		}
		v, given := r.Values[f]
		cleared := !given && p.opts.Clear && r.Empty[f]
		if !given && !cleared && pr.Type != openapi3.TypeObject {
			continue // an empty cell: no change
		}
		old := have[prop]
		switch {
		case slices.Contains(p.identity, prop):
			if given && !p.equal(pr, old, v) {
				note(prop, old, v, "identifiers cannot be changed")
			}
		case pr.update != "":
			target, ok := p.desired(pr, old, v, given, cleared, r, f)
			if !ok || p.equal(pr, old, target) {
				continue
			}
			body[pr.update] = target
			changes = append(changes, Change{Field: prop, From: old, To: target})
		default: // a property only a create sets: a consent
			if !given || p.equal(pr, old, v) {
				continue
			}
			switch {
			case old == p.unsubValue && prop == p.unsubProp:
				note(prop, old, v, "an unsubscribed contact is never re-subscribed")
			case prop == p.unsubProp && v == p.unsubValue && p.opts.Consent:
				unsubscribe = true
			case prop == p.unsubProp && v == p.unsubValue:
				note(prop, old, v, "not unsubscribed without --consent")
			default:
				note(prop, old, v, "the API cannot change it for an existing contact")
			}
		}
	}
	keys := []string{key}
	if len(changes) > 0 {
		steps = append(steps, Step{Op: OpUpdate, Line: r.Line, Keys: keys, Fingerprint: e.fp, Body: body, Changes: changes})
	}
	if unsubscribe {
		steps = append(steps, Step{Op: OpUnsubscribe, Line: r.Line, Keys: keys, Fingerprint: e.fp,
			Body:    map[string]any{idField: idValue},
			Changes: []Change{{Field: p.unsubProp, From: have[p.unsubProp], To: p.unsubValue}}})
	}
	return steps, notes, nil
}

// requestField returns the request field that carries contact property prop.
func (p *Planner) requestField(prop string) string {
	for f, c := range p.create {
		if c == prop && f == prop {
			return f
		}
	}
	for f, c := range p.create {
		if c == prop {
			return f
		}
	}
	return prop
}

// desired returns the value property pr should have after the row: ok is false when the row
// asks for no change.
func (p *Planner) desired(pr *property, old, v any, given, cleared bool, r Row, f string) (any, bool) {
	switch {
	case pr.Type == openapi3.TypeObject:
		oldMap, _ := old.(map[string]any)
		out := make(map[string]any, len(oldMap))
		whole := r.Whole[f] || (p.opts.Clear && r.Empty[f])
		for k, x := range oldMap {
			if !whole || slices.Contains(r.Keys[f], k) {
				out[k] = x
			}
		}
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				out[k] = x
			}
		}
		if p.opts.Clear {
			for _, k := range r.EmptyKeys[f] {
				if m, _ := v.(map[string]any); m == nil || m[k] == nil {
					delete(out, k)
				}
			}
		}
		return out, true
	case given:
		return v, true
	case cleared:
		switch {
		case pr.Type == openapi3.TypeArray:
			return []any{}, true
		case pr.Type == openapi3.TypeString:
			return "", true
		}
	}
	return nil, false
}

// equal compares an account value with a file value the way property pr's schema says.
func (p *Planner) equal(pr *property, a, b any) bool {
	switch {
	case pr.Type == openapi3.TypeArray && pr.Items != nil && pr.Items.Type == openapi3.TypeString:
		return sameSet(strings_(a), strings_(b))
	case pr.Type == openapi3.TypeObject:
		am, _ := a.(map[string]any)
		bm, _ := b.(map[string]any)
		if len(am) != len(bm) {
			return false
		}
		for k, x := range am {
			y, ok := bm[k]
			if !ok || !scalarEqual(x, y) {
				return false
			}
		}
		return true
	case pr.Type == openapi3.TypeString:
		as, _ := a.(string) // null and "" are alike: an empty name is no name
		bs, _ := b.(string)
		if (a != nil && !isString(a)) || (b != nil && !isString(b)) {
			return scalarEqual(a, b)
		}
		switch {
		case pr.email:
			return strings.EqualFold(strings.TrimSpace(as), strings.TrimSpace(bs))
		case pr.phone:
			return NormalizePhone(as) == NormalizePhone(bs)
		}
		return as == bs
	}
	return scalarEqual(a, b)
}

func isString(v any) bool { _, ok := v.(string); return ok }

// strings_ reads a JSON array of strings.
func strings_(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func sameSet(a, b []string) bool {
	set := func(s []string) map[string]bool {
		m := make(map[string]bool, len(s))
		for _, x := range s {
			m[x] = true
		}
		return m
	}
	as, bs := set(a), set(b)
	if len(as) != len(bs) {
		return false
	}
	for x := range as {
		if !bs[x] {
			return false
		}
	}
	return true
}

// scalarEqual compares two JSON scalars by type and value; numbers by value (1 = 1.0).
func scalarEqual(a, b any) bool {
	an, aNum := number(a)
	bn, bNum := number(b)
	if aNum || bNum {
		return aNum && bNum && an.Cmp(bn) == 0
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return false
}

func number(v any) (*big.Rat, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case float64:
		s = fmt.Sprint(x)
	case int64:
		s = fmt.Sprint(x)
	case int:
		s = fmt.Sprint(x)
	default:
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// Finish ends planning: the contacts no row named are missing (deleted with Prune), and the
// steps are numbered. source and sha describe the file planned from.
func (p *Planner) Finish(source, sha string, now time.Time) (*Plan, error) {
	plan := &p.plan
	plan.Source, plan.SourceSHA256, plan.PlannedAt = source, sha, now.UTC()
	plan.Steps = p.pending
	if p.opts.Prune && plan.Unnamed > 0 {
		return nil, fmt.Errorf("--prune: %d rows have no email or phone number, so the contacts they mean cannot be told apart "+
			"from those missing from the file; fix them, or sync without --prune", plan.Unnamed)
	}
	for i := range p.entries {
		e := &p.entries[i]
		if e.line != 0 {
			continue
		}
		m, err := decode(e.data)
		if err != nil {
			return nil, err
		}
		keys := p.keys(m)
		if len(keys) == 0 {
			continue // a contact with neither identifier cannot be named
		}
		plan.Missing = append(plan.Missing, Missing{Key: keys[0], Fingerprint: e.fp})
		if p.opts.Prune {
			id, _, _ := strings.Cut(keys[0], ":")
			plan.Steps = append(plan.Steps, Step{Op: OpDelete, Keys: keys[:1], Fingerprint: e.fp,
				Body: map[string]any{p.requestField(id): m[id]}})
		}
	}
	for i := range plan.Steps {
		plan.Steps[i].N = i + 1
	}
	h, err := plan.ComputeHash()
	if err != nil {
		return nil, err
	}
	plan.Hash = h
	return plan, nil
}

// Applied reports whether contact c already holds what a create step's body asks for (after
// an interrupted run sent it without learning the outcome).
func (p *Planner) Applied(c gen.Contact, s Step) bool {
	have, err := ToValues(c)
	if err != nil {
		return false
	}
	for f, v := range s.Body {
		pr := p.props[p.create[f]]
		if pr == nil || !p.equal(pr, have[pr.Name], v) {
			return false
		}
	}
	return true
}

// Conflict is a contact a saved plan touches that changed since it was planned.
type Conflict struct {
	Step   int
	Key    string
	Reason string
}

// Checker re-checks a saved plan against a fresh read of the account.
type Checker struct {
	p       *Planner
	plan    *Plan
	touched map[string][]int // key -> step indexes still to check
	seen    map[int]bool
	out     []Conflict
}

// NewChecker returns a Checker of plan's steps for which skip is false (steps an earlier run
// began or finished change the contact themselves).
func (p *Planner) NewChecker(plan *Plan, skip func(Step) bool) *Checker {
	c := &Checker{p: p, plan: plan, touched: map[string][]int{}, seen: map[int]bool{}}
	skipKey := map[string]bool{}
	for _, s := range plan.Steps {
		if skip(s) {
			for _, k := range s.Keys {
				skipKey[k] = true
			}
		}
	}
	for i, s := range plan.Steps {
		if slices.ContainsFunc(s.Keys, func(k string) bool { return skipKey[k] }) {
			continue
		}
		for _, k := range s.Keys {
			c.touched[k] = append(c.touched[k], i)
		}
	}
	return c
}

// Add checks one contact of the fresh read.
func (c *Checker) Add(ct gen.Contact) error {
	data, err := ContactJSON(ct)
	if err != nil {
		return err
	}
	m, err := c.p.identityValues(data)
	if err != nil {
		return err
	}
	fp := ""
	for _, k := range c.p.keys(m) {
		for _, i := range c.touched[k] {
			s := c.plan.Steps[i]
			if fp == "" {
				fp = Fingerprint(data)
			}
			switch {
			case s.Op == OpCreate:
				c.out = append(c.out, Conflict{Step: s.N, Key: k, Reason: "now exists in the account"})
			case fp != s.Fingerprint:
				c.out = append(c.out, Conflict{Step: s.N, Key: k, Reason: "changed in the account"})
			}
			c.seen[i] = true
		}
	}
	return nil
}

// Conflicts returns what changed: contacts changed or created since the plan, and contacts
// the plan updates or deletes that are gone.
func (c *Checker) Conflicts() []Conflict {
	out := slices.Clone(c.out)
	for _, idx := range c.touched {
		for _, i := range idx {
			if s := c.plan.Steps[i]; s.Op != OpCreate && !c.seen[i] {
				c.seen[i] = true
				out = append(out, Conflict{Step: s.N, Key: s.Keys[0], Reason: "no longer in the account"})
			}
		}
	}
	slices.SortFunc(out, func(a, b Conflict) int { return a.Step - b.Step })
	return slices.CompactFunc(out, func(a, b Conflict) bool { return a.Step == b.Step })
}
