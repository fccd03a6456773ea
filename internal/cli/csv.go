package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privy-go/privy-go/gen"
)

// Import and export CSV columns. Export writes the same names, so its output re-imports.
const (
	colEmail        = "email"
	colPhone        = "phone_number"
	colFirstName    = "first_name"
	colLastName     = "last_name"
	colTags         = "tags"
	colEmailConsent = "email_consent"
	colSMSConsent   = "sms_consent"
	colCustomPrefix = "custom."
	// colCustomJSON holds a JSON object of custom fields; export writes it for keys that
	// have no custom.<key> column (see exportCSV), and import merges it under the columns.
	colCustomJSON = "custom_fields"
)

// knownColumns lists the fixed columns in export order.
var knownColumns = []string{colEmail, colPhone, colFirstName, colLastName, colTags, colEmailConsent, colSMSConsent}

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

// mapHeader checks the header row: every column must be a known field, custom.<key> or
// custom_fields, and none may repeat. A leading UTF-8 byte order mark is ignored.
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
		switch {
		case slices.Contains(knownColumns, name), name == colCustomJSON:
			m.index[name] = i
		case strings.HasPrefix(name, colCustomPrefix) && len(name) > len(colCustomPrefix):
			m.custom = append(m.custom, customColumn{key: name[len(colCustomPrefix):], idx: i})
		default:
			return nil, usageErrorf("unknown column %q in the header (known: %s, %s<key>, %s)",
				name, strings.Join(knownColumns, ", "), colCustomPrefix, colCustomJSON)
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

// parseRow turns a record into a create request. Empty cells are left out of the request.
func (m *csvColumns) parseRow(line int, record []string) contactRow {
	r := contactRow{Line: line}
	req := &r.Create
	if v := m.cell(record, colEmail); v != "" {
		req.Email = &v
	}
	if v := m.cell(record, colPhone); v != "" {
		req.PhoneNumber = &v
	}
	if v := m.cell(record, colFirstName); v != "" {
		req.FirstName = &v
	}
	if v := m.cell(record, colLastName); v != "" {
		req.LastName = &v
	}
	if v := m.cell(record, colTags); v != "" {
		req.Tags = splitTags(v)
	}
	if v := m.cell(record, colEmailConsent); v != "" {
		c := gen.Consent(v)
		req.EmailConsent = &c
	}
	if v := m.cell(record, colSMSConsent); v != "" {
		c := gen.Consent(v)
		req.SmsConsent = &c
	}
	custom := gen.CustomFields{}
	if v := m.cell(record, colCustomJSON); v != "" {
		if err := json.Unmarshal([]byte(v), &custom); err != nil || custom == nil {
			r.Problems = append(r.Problems, gen.ErrorDetail{Field: colCustomJSON, Message: "must be a JSON object"})
			custom = gen.CustomFields{}
		}
	}
	for _, c := range m.custom {
		if c.idx < len(record) {
			if v := strings.TrimSpace(record[c.idx]); v != "" {
				custom[c.key] = parseScalar(v)
			}
		}
	}
	if len(custom) > 0 {
		req.CustomFields = custom
	}
	return r
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

// updateFor builds the update an upsert sends when the create met a conflict: the row's
// identifier (email if present, else phone) and its mutable fields. ok is false when the row
// has nothing an update can change. Consents cannot be changed by an update.
func updateFor(c gen.CreateContactRequest) (req gen.UpdateContactRequest, ok bool) {
	if c.Email != nil {
		req.Email = c.Email
	} else {
		req.PhoneNumber = c.PhoneNumber
	}
	req.FirstName, req.LastName = c.FirstName, c.LastName
	if c.Tags != nil {
		req.Tags = &c.Tags
	}
	if c.CustomFields != nil {
		req.CustomFields = &c.CustomFields
	}
	ok = req.FirstName != nil || req.LastName != nil || req.Tags != nil || req.CustomFields != nil
	return req, ok
}

// hasConsent reports whether a create request sets a consent (which an update cannot).
func hasConsent(c gen.CreateContactRequest) bool {
	return c.EmailConsent != nil || c.SmsConsent != nil
}

// parseFieldFlags reads repeated --field key=value flags into custom fields.
func parseFieldFlags(fields []string) (gen.CustomFields, error) {
	out := gen.CustomFields{}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, usageErrorf("--field %q: want key=value", f)
		}
		out[k] = parseScalar(v)
	}
	return out, nil
}

// contactCSVRecord renders a contact in the column order of header (see exportCSV).
func contactCSVRecord(c gen.Contact, customKeys []string) []string {
	rec := []string{
		deref(c.Email), deref(c.PhoneNumber), deref(c.FirstName), deref(c.LastName),
		strings.Join(c.Tags, ";"), string(c.EmailPermission), string(c.ContactPhonePermission),
	}
	for _, k := range customKeys {
		v, ok := c.CustomFields[k]
		if !ok {
			rec = append(rec, "")
			continue
		}
		rec = append(rec, scalarCell(v))
	}
	var extra map[string]any
	for k, v := range c.CustomFields {
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
	h := slices.Clone(knownColumns)
	for _, k := range customKeys {
		h = append(h, colCustomPrefix+k)
	}
	return append(h, colCustomJSON)
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
	for _, c := range cs {
		for k := range c.CustomFields {
			keys[k] = true
		}
	}
	return slices.Sorted(maps.Keys(keys))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
