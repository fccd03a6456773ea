package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/spf13/pflag"

	"github.com/privy-go/privy-go/internal/specmodel"
)

// flagAliases are the curated short names of spec-derived flags (alias -> flag). They are
// conveniences only: TestFlagAliasesTargetSpecFields fails when a target leaves the spec.
var flagAliases = map[string]string{
	"phone":          "phone-number",
	"sms-permission": "contact-phone-permission",
	"tag":            "tags",
	"field":          "custom-fields",
}

// flagName is the flag of a spec field: its name with _ turned into -.
func flagName(field string) string { return strings.ReplaceAll(field, "_", "-") }

// normalizeAliases makes fs accept the curated aliases as their flags.
func normalizeAliases(fs *pflag.FlagSet) {
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if to, ok := flagAliases[name]; ok {
			return pflag.NormalizedName(to)
		}
		return pflag.NormalizedName(name)
	})
}

// fieldFlag is a flag derived from a spec field (a request property or a query parameter).
// Its value is parsed by the field's JSON type as it is given, so a value of the wrong type is
// a usage error; everything else (enums, patterns, lengths) is left to the pre-flight
// validation every request gets.
type fieldFlag struct {
	field specmodel.Field
	value any // the parsed value; nil until set
	text  []string
}

func (f *fieldFlag) String() string { return strings.Join(f.text, ",") }

func (f *fieldFlag) Type() string {
	switch f.field.Type {
	case openapi3.TypeInteger:
		return "int"
	case openapi3.TypeNumber, openapi3.TypeBoolean:
		return f.field.Type
	case openapi3.TypeObject:
		return "key=value"
	}
	return "string"
}

func (f *fieldFlag) Set(s string) error {
	switch f.field.Type {
	case openapi3.TypeArray:
		items, _ := f.value.([]any)
		v, err := scalarOf(f.field.Items, s)
		if err != nil {
			return err
		}
		f.value = append(items, v)
	case openapi3.TypeObject:
		k, v, ok := strings.Cut(s, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			return fmt.Errorf("want key=value")
		}
		m, _ := f.value.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		m[k] = parseScalar(v)
		f.value = m
	default:
		v, err := scalarOf(&f.field.Schema, s)
		if err != nil {
			return err
		}
		f.value = v
	}
	f.text = append(f.text, s)
	return nil
}

// scalarOf reads s as a value of schema s's JSON type (a string when the type is unknown).
func scalarOf(schema *specmodel.Schema, s string) (any, error) {
	if schema == nil {
		return s, nil
	}
	switch schema.Type {
	case openapi3.TypeInteger:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("must be an integer")
		}
		return n, nil
	case openapi3.TypeNumber:
		n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("must be a number")
		}
		return n, nil
	case openapi3.TypeBoolean:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("must be true or false")
		}
		return b, nil
	}
	return s, nil
}

// fieldFlags are the flags of a list of spec fields, in the fields' order.
type fieldFlags []*fieldFlag

// registerFieldFlags adds a flag to fs for each field; set fs's aliases first.
func registerFieldFlags(fs *pflag.FlagSet, fields []specmodel.Field) fieldFlags {
	out := make(fieldFlags, 0, len(fields))
	for _, f := range fields {
		ff := &fieldFlag{field: f}
		name := flagName(f.Name)
		flag := fs.VarPF(ff, name, "", fieldUsage(f, name))
		if f.Type == openapi3.TypeBoolean {
			flag.NoOptDefVal = "true"
		}
		if f.Default != nil {
			flag.DefValue = fmt.Sprint(f.Default) // the API's default, shown in help; not sent
		}
		out = append(out, ff)
	}
	return out
}

// values returns the fields given on the command line, by field name.
func (ffs fieldFlags) values() map[string]any {
	out := map[string]any{}
	for _, f := range ffs {
		if f.value != nil {
			out[f.field.Name] = f.value
		}
	}
	return out
}

// flagList formats the flags of fields as "--a, --b or --c".
func flagList(fields []specmodel.Field) string {
	s := specmodel.Schema{}
	for _, f := range fields {
		s.Enum = append(s.Enum, "--"+flagName(f.Name))
	}
	return s.OneOf()
}

// decodeFields turns field values into the generated request or params type T, through
// their JSON form: a property the spec adds reaches T with no code change.
func decodeFields[T any](values map[string]any) (T, error) {
	var out T
	b, err := json.Marshal(values)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("building the request: %w", err)
	}
	return out, nil
}

// fieldUsage is a flag's help text, from the spec: the first sentence of the field's
// description (or its name), an example, the allowed values and how to repeat it.
func fieldUsage(f specmodel.Field, name string) string {
	text := firstSentence(f.Description)
	if text == "" {
		text = strings.ReplaceAll(f.Name, "_", " ")
	}
	if ex, ok := f.Example.(string); ok && len(f.Enum) == 0 && f.Type == openapi3.TypeString {
		text += ", e.g. " + ex
	}
	if len(f.Enum) > 0 {
		text += "; one of: " + f.OneOf()
	}
	if f.MaxLength != nil {
		text += fmt.Sprintf(" (at most %d characters)", *f.MaxLength)
	}
	switch f.Type {
	case openapi3.TypeArray:
		if f.Items != nil && len(f.Items.Enum) > 0 {
			text += "; one of: " + f.Items.OneOf()
		}
		text += " (repeat for several)"
	case openapi3.TypeObject:
		text += `; as key=value, repeat for several (numbers and true/false are sent as such, '"..."' forces a string)`
	}
	for alias, to := range flagAliases {
		if to == name {
			text += " (alias --" + alias + ")"
		}
	}
	return text
}

// firstSentence returns the first sentence of a description, lower-cased unless it starts
// with an acronym, without its full stop and without backquotes (which pflag would take as
// the value's name).
func firstSentence(s string) string {
	s = strings.ReplaceAll(s, "`", "")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	r, n := utf8.DecodeRuneInString(s)
	if next, _ := utf8.DecodeRuneInString(s[n:]); n > 0 && !unicode.IsUpper(next) {
		s = string(unicode.ToLower(r)) + s[n:]
	}
	return s
}
