package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

// colCustomPrefix starts a column holding one custom field: custom.<key>. The custom fields
// are the create request's object of scalars (see customField).
const colCustomPrefix = "custom."

// importFields are the CSV columns of an import: the create request's properties, the object
// of custom fields last (export writes its custom.<key> columns before it).
var importFields = sync.OnceValue(func() []specmodel.Field {
	m := specmodel.MustLoad()
	out := make([]specmodel.Field, 0, len(m.Create))
	var custom []specmodel.Field
	for _, f := range m.Create {
		if f.Name == customField() {
			custom = append(custom, f)
			continue
		}
		out = append(out, f)
	}
	return append(out, custom...)
})

// customField names the create request's object of scalar values, the custom fields ("" when
// the spec has none): its keys are the custom.<key> columns, and its own column holds a JSON
// object of them.
var customField = sync.OnceValue(func() string {
	for _, f := range specmodel.MustLoad().Create {
		if f.Type == openapi3.TypeObject && f.Scalars {
			return f.Name
		}
	}
	return ""
})

// knownColumns lists the import columns for messages: the fields, and custom.<key>.
func knownColumns() string {
	names := specmodel.Names(importFields())
	if customField() != "" {
		names = append(names, colCustomPrefix+"<key>")
	}
	return strings.Join(names, ", ")
}

// csvColumns maps the header row of an import file to contact fields.
type csvColumns struct {
	names []string // the header as read, for the rejects file
	index map[string]int
	// custom lists the custom.<key> columns: key and column index.
	custom []customColumn
}

type customColumn struct {
	key string
	idx int
}

// mapHeader checks the header row: every column must be a property of the create request or
// custom.<key>, and none may repeat. A leading UTF-8 byte order mark is ignored.
func mapHeader(header []string) (*csvColumns, error) {
	m := &csvColumns{names: slices.Clone(header), index: map[string]int{}}
	if len(m.names) > 0 {
		m.names[0] = strings.TrimPrefix(m.names[0], "\ufeff")
	}
	seen := map[string]bool{}
	for i, raw := range m.names {
		name := strings.TrimSpace(raw)
		if seen[name] {
			return nil, usageErrorf("column %q appears twice in the header", name)
		}
		seen[name] = true
		_, known := specmodel.Find(importFields(), name)
		switch {
		case known:
			m.index[name] = i
		case customField() != "" && strings.HasPrefix(name, colCustomPrefix) && len(name) > len(colCustomPrefix):
			m.custom = append(m.custom, customColumn{key: name[len(colCustomPrefix):], idx: i})
		default:
			return nil, usageErrorf("unknown column %q in the header (known: %s)", name, knownColumns())
		}
	}
	return m, nil
}

// cell returns the trimmed value of a named column, or "" when the column is absent.
func (m *csvColumns) cell(record []string, name string) string {
	i, ok := m.index[name]
	if !ok || i >= len(record) {
		return ""
	}
	return strings.TrimSpace(record[i])
}

// contactRow is one parsed CSV row: the create request it becomes and, for --upsert, the
// update to send when the contact exists.
type contactRow struct {
	Line   int
	Create gen.CreateContactRequest
	// Problems are what could not be parsed locally (before any schema validation).
	Problems []gen.ErrorDetail
}

// parseRow turns a record into a create request: each cell is read by its field's type (an
// array as a ;-separated list, an object as JSON), and empty cells are left out.
func (m *csvColumns) parseRow(line int, record []string) contactRow {
	r := contactRow{Line: line}
	values := map[string]any{}
	custom := map[string]any{}
	for _, f := range importFields() {
		v := m.cell(record, f.Name)
		if v == "" {
			continue
		}
		val, problem := cellValue(f, v)
		if problem != "" {
			r.Problems = append(r.Problems, gen.ErrorDetail{Field: f.Name, Message: problem})
			continue
		}
		if f.Name == customField() {
			custom = val.(map[string]any)
			continue
		}
		values[f.Name] = val
	}
	for _, c := range m.custom {
		if c.idx < len(record) {
			if v := strings.TrimSpace(record[c.idx]); v != "" {
				custom[c.key] = parseScalar(v)
			}
		}
	}
	if len(custom) > 0 {
		values[customField()] = custom
	}
	req, err := decodeFields[gen.CreateContactRequest](values)
	if err != nil {
		r.Problems = append(r.Problems, gen.ErrorDetail{Field: "base", Message: err.Error()})
	}
	r.Create = req
	return r
}

// cellValue reads a non-empty cell as a value of field f, or says why it cannot.
func cellValue(f specmodel.Field, cell string) (any, string) {
	switch f.Type {
	case openapi3.TypeArray:
		var out []any
		for _, item := range splitTags(cell) {
			v, err := scalarOf(f.Items, item)
			if err != nil {
				return nil, err.Error()
			}
			out = append(out, v)
		}
		if out == nil {
			out = []any{}
		}
		return out, ""
	case openapi3.TypeObject:
		var obj map[string]any
		if err := json.Unmarshal([]byte(cell), &obj); err != nil || obj == nil {
			return nil, "must be a JSON object"
		}
		return obj, ""
	}
	v, err := scalarOf(&f.Schema, cell)
	if err != nil {
		return nil, err.Error()
	}
	return v, ""
}

// splitTags splits a ;-separated tag list, dropping blanks.
func splitTags(s string) []string {
	var tags []string
	for t := range strings.SplitSeq(s, ";") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	if tags == nil {
		tags = []string{}
	}
	return tags
}

// parseScalar reads a custom field value given on the command line or in a CSV cell: a
// number or true/false becomes that JSON scalar, a JSON string literal ("007") is
// unquoted, and anything else is taken as a string as written.
func parseScalar(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if json.Unmarshal([]byte(s), &str) == nil {
			return str
		}
		return s
	}
	if looksNumeric(s) {
		var n json.Number
		if json.Unmarshal([]byte(s), &n) == nil {
			if i, err := n.Int64(); err == nil {
				return i
			}
			if f, err := n.Float64(); err == nil {
				return f
			}
		}
	}
	return s
}

func looksNumeric(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	return c == '-' || (c >= '0' && c <= '9')
}

// updateFor builds the update an upsert sends when the create met a conflict: the row's first
// identifier (in the spec's order: email, else phone number) and each field the update
// request can set (matched by the contact property they set). ok is false when the row has
// nothing an update can change.
func updateFor(c gen.CreateContactRequest) (req gen.UpdateContactRequest, ok bool) {
	m := specmodel.MustLoad()
	row := fieldValues(c)
	out := map[string]any{}
	for _, id := range m.Identity {
		if v, has := row[id]; has {
			out[id] = v
			break
		}
	}
	for _, u := range m.Update {
		if slices.Contains(m.Identity, u.Name) {
			continue
		}
		if v, has := row[createFieldFor(u)]; has {
			out[u.Name] = v
			ok = true
		}
	}
	req, err := decodeFields[gen.UpdateContactRequest](out)
	return req, ok && err == nil
}

// hasConsent reports whether a create request sets a field that an update cannot change
// (the consents, in today's spec).
func hasConsent(c gen.CreateContactRequest) bool {
	m := specmodel.MustLoad()
	row := fieldValues(c)
	for _, f := range m.Create {
		if _, has := row[f.Name]; !has || slices.Contains(m.Identity, f.Name) {
			continue
		}
		if !slices.ContainsFunc(m.Update, func(u specmodel.Field) bool { return createFieldFor(u) == f.Name }) {
			return true
		}
	}
	return false
}

// createFieldFor names the create field that sets the contact property update field u sets.
func createFieldFor(u specmodel.Field) string {
	for _, f := range specmodel.MustLoad().Create {
		if f.Name == u.Name || (u.Contact != "" && f.Contact == u.Contact) {
			return f.Name
		}
	}
	return ""
}

// fieldValues returns the properties a request sets, by JSON name.
func fieldValues(req any) map[string]any {
	out := map[string]any{}
	if b, err := json.Marshal(req); err == nil {
		_ = json.Unmarshal(b, &out)
	}
	return out
}

// exportFields are the columns an export writes for each contact: the create request's
// fields that set a contact property, under their request names so the file re-imports; the
// custom fields come after them (see csvHeader).
var exportFields = sync.OnceValue(func() []specmodel.Field {
	var out []specmodel.Field
	for _, f := range importFields() {
		if f.Contact != "" && f.Name != customField() {
			out = append(out, f)
		}
	}
	return out
})

// columnsHelp describes the CSV columns for help texts, wrapped at width and indented by
// indent: the fields (a list ;-separated; on export, the contact property each comes from),
// then custom.<key> and the object of custom fields.
func columnsHelp(export bool, indent, width int) string {
	var parts []string
	fields := importFields()
	if export {
		fields = exportFields()
	}
	for _, f := range fields {
		p := f.Name
		if f.Type == openapi3.TypeArray {
			p += " (;-separated)"
		}
		if export && f.Contact != f.Name {
			p += " (from " + f.Contact + ")"
		}
		if f.Name != customField() {
			parts = append(parts, p)
		}
	}
	if c := customField(); c != "" {
		if export {
			parts = append(parts, fmt.Sprintf("%s<key> for each custom field key seen in the first %d contacts", colCustomPrefix, csvHeaderSample),
				"and "+c+": a JSON object of any other custom fields")
		} else {
			parts = append(parts, colCustomPrefix+"<key> for a custom field (numbers and true/false are sent as such; a JSON string literal such as \"007\" forces a string)",
				"and "+c+" (a JSON object, as \"privy contacts export --format csv\" writes it)")
		}
	}
	var b strings.Builder
	line := strings.Repeat(" ", indent)
	for _, w := range strings.Fields(strings.Join(parts, ", ") + ".") {
		if len(line)+1+len(w) > width && strings.TrimSpace(line) != "" {
			b.WriteString(line + "\n")
			line = strings.Repeat(" ", indent)
		}
		if strings.TrimSpace(line) != "" {
			line += " "
		}
		line += w
	}
	return b.String() + line
}

// contactCSVRecord renders a contact in the column order of csvHeader (see exportCSV).
func contactCSVRecord(c gen.Contact, customKeys []string) []string {
	var rec []string
	for _, f := range exportFields() {
		rec = append(rec, contactText(&c, f.Contact))
	}
	var custom map[string]any
	if f, ok := specmodel.Find(importFields(), customField()); ok {
		v, _ := contactValue(&c, f.Contact)
		custom, _ = v.(map[string]any)
	}
	if customField() == "" {
		return rec
	}
	for _, k := range customKeys {
		v, ok := custom[k]
		if !ok {
			rec = append(rec, "")
			continue
		}
		rec = append(rec, scalarCell(v))
	}
	var extra map[string]any
	for k, v := range custom {
		if !slices.Contains(customKeys, k) {
			if extra == nil {
				extra = map[string]any{}
			}
			extra[k] = v
		}
	}
	cell := ""
	if extra != nil {
		b, err := json.Marshal(extra)
		if err == nil {
			cell = string(b)
		}
	}
	return append(rec, cell)
}

// csvHeader is the export header for the given custom keys.
func csvHeader(customKeys []string) []string {
	h := specmodel.Names(exportFields())
	if customField() == "" {
		return h
	}
	for _, k := range customKeys {
		h = append(h, colCustomPrefix+k)
	}
	return append(h, customField())
}

// scalarCell writes a custom field value so that parseScalar reads it back: strings that
// would read as another type are written as JSON string literals.
func scalarCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if _, isString := parseScalar(x).(string); !isString || strings.HasPrefix(x, `"`) || x != strings.TrimSpace(x) {
			b, _ := json.Marshal(x)
			return string(b)
		}
		return x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

// customKeysOf collects the sorted custom field keys of a set of contacts.
func customKeysOf(cs []gen.Contact) []string {
	keys := map[string]bool{}
	f, _ := specmodel.Find(importFields(), customField())
	for i := range cs {
		v, _ := contactValue(&cs[i], f.Contact)
		custom, _ := v.(map[string]any)
		for k := range custom {
			keys[k] = true
		}
	}
	return slices.Sorted(maps.Keys(keys))
}
