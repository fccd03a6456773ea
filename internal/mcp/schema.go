package mcp

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// schema is a JSON Schema (draft 2020-12) as a keyword map, ready to marshal.
type schema = map[string]any

// converter turns OpenAPI 3.0 schemas into JSON Schema: $refs inlined, allOf merged where it
// can be, nullable turned into a "null" type, extensions dropped.
type converter struct {
	// input drops readOnly properties (they are never sent) and keeps writeOnly ones; output
	// does the reverse.
	input bool
	stack []*openapi3.Schema // schemas being converted, to cut reference cycles
}

// convert returns the JSON Schema of ref, or an error naming where it cannot be expressed.
func (c *converter) convert(ref *openapi3.SchemaRef) (schema, error) {
	if ref == nil || ref.Value == nil {
		return schema{}, nil
	}
	s := ref.Value
	if slices.Contains(c.stack, s) {
		return nil, fmt.Errorf("schema %s refers to itself; recursive schemas are not supported", ref.Ref)
	}
	c.stack = append(c.stack, s)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()

	out := schema{}
	set := func(k string, v any, ok bool) {
		if ok {
			out[k] = v
		}
	}
	set("title", s.Title, s.Title != "")
	set("description", s.Description, s.Description != "")
	set("default", s.Default, s.Default != nil)
	set("examples", []any{s.Example}, s.Example != nil)
	set("examples", s.Examples, len(s.Examples) > 0)
	set("deprecated", true, s.Deprecated)
	set("readOnly", true, s.ReadOnly)
	set("writeOnly", true, s.WriteOnly)
	set("format", s.Format, s.Format != "")
	set("pattern", s.Pattern, s.Pattern != "")
	set("minLength", s.MinLength, s.MinLength > 0)
	setPtr(out, "maxLength", s.MaxLength)
	set("minItems", s.MinItems, s.MinItems > 0)
	setPtr(out, "maxItems", s.MaxItems)
	set("uniqueItems", true, s.UniqueItems)
	set("minProperties", s.MinProps, s.MinProps > 0)
	setPtr(out, "maxProperties", s.MaxProps)
	setPtr(out, "multipleOf", s.MultipleOf)
	set("const", s.Const, s.Const != nil)
	bound(out, "minimum", "exclusiveMinimum", s.Min, s.ExclusiveMin)
	bound(out, "maximum", "exclusiveMaximum", s.Max, s.ExclusiveMax)

	typed := s.Type != nil && len(*s.Type) > 0
	if typed {
		if types := []string(*s.Type); len(types) == 1 {
			out["type"] = types[0]
		} else {
			out["type"] = slices.Clone(types)
		}
	}
	set("enum", slices.Clone(s.Enum), len(s.Enum) > 0)
	if s.Items != nil {
		items, err := c.convert(s.Items)
		if err != nil {
			return nil, err
		}
		out["items"] = items
	}
	if err := c.object(out, s); err != nil {
		return nil, err
	}
	for key, refs := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "anyOf": s.AnyOf, "oneOf": s.OneOf} {
		if len(refs) == 0 {
			continue
		}
		var list []any
		for _, r := range refs {
			v, err := c.convert(r)
			if err != nil {
				return nil, err
			}
			if inner, ok := v[key].([]any); ok && key != "allOf" && len(v) == 1 {
				list = append(list, inner...) // a nullable member: its branches join the list
			} else {
				list = append(list, v)
			}
		}
		if s.Nullable && !typed && key != "allOf" {
			list = append(list, schema{"type": "null"}) // nullable on a bare anyOf/oneOf
		}
		out[key] = list
	}
	if s.Not != nil {
		not, err := c.convert(s.Not)
		if err != nil {
			return nil, err
		}
		out["not"] = not
	}
	out = mergeAllOf(out)
	if s.Nullable && typed {
		out = nullable(out)
	}
	return out, nil
}

// annotationKeys are the keywords that describe a schema rather than constrain it.
var annotationKeys = []string{"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly"}

// nullable turns OpenAPI 3.0's nullable into JSON Schema: anyOf the schema and null. A
// single-type branch per alternative (rather than a type array) is what the most tool
// dialects accept.
func nullable(s schema) schema {
	out, branch := schema{}, schema{}
	for k, v := range s {
		if slices.Contains(annotationKeys, k) {
			out[k] = v
		} else {
			branch[k] = v
		}
	}
	out["anyOf"] = []any{branch, schema{"type": "null"}}
	return out
}

// object converts the object keywords of s into out.
func (c *converter) object(out schema, s *openapi3.Schema) error {
	if len(s.Properties) > 0 {
		props := schema{}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			p := s.Properties[name]
			if p != nil && p.Value != nil && ((c.input && p.Value.ReadOnly) || (!c.input && p.Value.WriteOnly)) {
				continue
			}
			v, err := c.convert(p)
			if err != nil {
				return err
			}
			props[name] = v
		}
		out["properties"] = props
	}
	if len(s.Required) > 0 {
		var req []any
		for _, r := range s.Required {
			if props, _ := out["properties"].(schema); props == nil || props[r] != nil || s.Properties[r] == nil {
				req = append(req, r) // a dropped readOnly property is not required of the caller
			}
		}
		if len(req) > 0 {
			out["required"] = req
		}
	}
	ap := s.AdditionalProperties
	switch {
	case ap.Schema != nil:
		v, err := c.convert(ap.Schema)
		if err != nil {
			return err
		}
		out["additionalProperties"] = v
	case ap.Has != nil:
		out["additionalProperties"] = *ap.Has
	}
	return nil
}

// bound writes an OpenAPI 3.0 bound (a number plus an exclusive flag) or a 3.1 one (the
// exclusive bound as a number) in JSON Schema's form.
func bound(out schema, inclusive, exclusive string, v *float64, ex openapi3.ExclusiveBound) {
	switch {
	case ex.Value != nil:
		out[exclusive] = *ex.Value
	case v != nil && ex.Bool != nil && *ex.Bool:
		out[exclusive] = *v
	case v != nil:
		out[inclusive] = *v
	}
}

// setPtr sets out[k] to *p when p is not nil.
func setPtr[T any](out schema, k string, p *T) {
	if p != nil {
		out[k] = *p
	}
}

// mergeAllOf folds the members of s's allOf into s where no keyword conflicts, so that an
// object written as allOf of a $ref plus constraints has its properties at the top, where
// tools and models look for them. Members that conflict stay in allOf.
func mergeAllOf(s schema) schema {
	members, _ := s["allOf"].([]any)
	if len(members) == 0 {
		return s
	}
	delete(s, "allOf")
	var rest []any
	for _, m := range members {
		ms, _ := m.(schema)
		if ms == nil || !merge(s, ms) {
			rest = append(rest, m)
		}
	}
	if len(rest) > 0 {
		s["allOf"] = rest
	}
	return s
}

// merge copies m's keywords into s and reports true, or leaves s unchanged and reports false
// when a keyword of m conflicts with s's.
func merge(s, m schema) bool {
	for k, v := range m {
		old, ok := s[k]
		switch {
		case !ok || reflect.DeepEqual(old, v) || k == "required" || k == "description" || k == "title" || k == "examples":
		case k == "properties":
			op, mp := old.(schema), v.(schema)
			for name, p := range mp {
				if q, ok := op[name]; ok && !reflect.DeepEqual(p, q) {
					return false
				}
			}
		default:
			return false
		}
	}
	for k, v := range m {
		old, ok := s[k]
		switch {
		case !ok:
			s[k] = v
		case k == "properties":
			maps.Copy(old.(schema), v.(schema))
		case k == "required":
			req := old.([]any)
			for _, r := range v.([]any) {
				if !slices.Contains(req, r) {
					req = append(req, r)
				}
			}
			s[k] = req
		}
	}
	return true
}
