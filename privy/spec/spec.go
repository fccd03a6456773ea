// Package spec checks requests, responses and fixture files against the OpenAPI document
// embedded in package gen, and reports each mismatch as a Violation naming the operation, the
// JSON pointer and the rule broken.
//
// One validator serves the whole project: the fixture validator (privy spec validate), the
// client's pre-flight validation, the contract enforcement of privytest and drift detection.
package spec

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/privy-go/privy-go/gen"
)

// Violation is one place where a request, response or fixture breaks the contract.
type Violation struct {
	// File is the fixture or recording the violation was found in, if any.
	File string `json:"file,omitempty"`
	// Operation is the operationId ("" when no operation matched).
	Operation string `json:"operation,omitempty"`
	// Status is the response status, or 0 for a request.
	Status int `json:"status,omitempty"`
	// In says which part broke the rule: body, query, header, route or file.
	In string `json:"in"`
	// Pointer is the JSON pointer of the offending value inside In ("" for the whole).
	Pointer string `json:"pointer"`
	// Rule is the schema keyword or check that failed (pattern, enum, required, status, json...).
	Rule string `json:"rule"`
	// Field is the API field the error is reported on, as in the error envelope's details.
	Field string `json:"field,omitempty"`
	// Message says what is wrong; the documented message where the spec gives one.
	Message string `json:"message"`
}

// String formats the violation as "file: operation status in pointer: rule: message".
func (v Violation) String() string {
	var b strings.Builder
	if v.File != "" {
		b.WriteString(v.File)
		b.WriteString(": ")
	}
	if v.Operation != "" {
		b.WriteString(v.Operation)
		b.WriteByte(' ')
	}
	if v.Status != 0 {
		b.WriteString("response ")
		b.WriteString(strconv.Itoa(v.Status))
		b.WriteByte(' ')
	} else if v.Operation != "" {
		b.WriteString("request ")
	}
	b.WriteString(v.In)
	if v.Pointer != "" {
		b.WriteByte(' ')
		b.WriteString(v.Pointer)
	}
	fmt.Fprintf(&b, ": %s: %s", v.Rule, v.Message)
	return b.String()
}

// Detail converts the violation into the error detail the API would send for it.
func (v Violation) Detail() gen.ErrorDetail {
	return gen.ErrorDetail{Field: v.Field, Message: v.Message}
}

// violations flattens an error from kin-openapi into violations, filling in from base.
func violations(err error, base Violation) []Violation {
	if err == nil {
		return nil
	}
	var out []Violation
	var walk func(error, Violation)
	walk = func(err error, v Violation) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, x := range e {
				walk(x, v)
			}
		case *openapi3filter.RequestError:
			if p := e.Parameter; p != nil {
				v.In, v.Field, v.Pointer = p.In, p.Name, "/"+p.Name
			} else if e.RequestBody != nil {
				v.In = "body"
			}
			if e.Err == nil {
				v.Rule, v.Message = ruleOf(e.Reason), e.Reason
				if v.Field == "" {
					v.Field = "base"
				}
				if v.Rule == "content-type" {
					v.In, v.Pointer = "header", "/Content-Type"
				}
				out = append(out, v)
				return
			}
			walk(e.Err, v)
		case *openapi3.SchemaError:
			if e.SchemaField == "allOf" && e.Origin != nil {
				// A wrapper schema (allOf: the fields, then rules such as "exactly one
				// identifier"): report what each failing member says, not the wrapper.
				// kin-openapi gives the members' errors full paths already.
				walk(e.Origin, v)
				return
			}
			out = append(out, fromSchemaError(e, v))
		case *openapi3filter.ParseError:
			v.Rule, v.Message = "parse", e.Error()
			if v.Field == "" {
				v.Field = "base"
			}
			out = append(out, v)
		default:
			switch {
			case errors.Is(err, openapi3filter.ErrInvalidRequired):
				v.Rule, v.Message = "required", "is required"
			case errors.Is(err, openapi3filter.ErrInvalidEmptyValue):
				v.Rule, v.Message = "required", "must not be empty"
			}
			if v.Rule != "" {
				if v.Field == "" {
					v.Field = "base"
				}
				out = append(out, v)
				return
			}
			if inner := errors.Unwrap(err); inner != nil {
				walk(inner, v)
				return
			}
			v.Rule, v.Message = "invalid", err.Error()
			if v.Field == "" {
				v.Field = "base"
			}
			out = append(out, v)
		}
	}
	walk(err, base)
	return out
}

func fromSchemaError(e *openapi3.SchemaError, v Violation) Violation {
	// A property wrapped in allOf: [$ref] (to carry a default) fails as the referenced
	// schema does: report that failure, with its documented message.
	var inner *openapi3.SchemaError
	if e.SchemaField == "allOf" && errors.As(e.Origin, &inner) && inner != e {
		return fromSchemaError(inner, v)
	}
	path := e.JSONPointer()
	if len(path) > 0 {
		v.Pointer += "/" + escapePointer(path)
	}
	v.Rule = e.SchemaField
	v.Message = e.Reason
	if v.Field == "" {
		v.Field = "base"
		if len(path) > 0 {
			v.Field = path[0]
		}
	}
	switch e.SchemaField {
	case "required":
		// kin-openapi points at the missing property; the API says "is required".
		v.Message = "is required"
		return v
	case "properties", "additionalProperties":
		// additionalProperties: false; the reason names the unknown property.
		if name, ok := quoted(e.Reason); ok {
			v.Rule, v.Pointer, v.Field = "additionalProperties", v.Pointer+"/"+name, name
			v.Message = "is not a known field"
			return v
		}
	}
	if e.SchemaField == "oneOf" {
		// kin-openapi only says no branch matched; say why each branch failed.
		var branches openapi3.MultiError
		if errors.As(e.Origin, &branches) {
			reasons := make([]string, 0, len(branches))
			for _, b := range branches {
				for _, bv := range violations(b, Violation{}) {
					if bv.Pointer != "" {
						reasons = append(reasons, bv.Pointer+" "+bv.Message)
					} else {
						reasons = append(reasons, bv.Message)
					}
				}
			}
			if len(reasons) > 0 {
				v.Message += " (" + strings.Join(reasons, "; or ") + ")"
			}
		}
	}
	if e.SchemaField == "type" && len(path) == 0 && v.Pointer == "" {
		// The whole document has the wrong type: a documented message about one of its
		// properties (such as "email or phone_number is required") would mislead.
		return v
	}
	if e.Schema != nil {
		// x-privy-error-<rule> documents the message of one rule; x-privy-error of the rest.
		if msg, ok := e.Schema.Extensions["x-privy-error-"+e.SchemaField].(string); ok {
			v.Message = msg
		} else if msg, ok := e.Schema.Extensions["x-privy-error"].(string); ok {
			v.Message = msg
		}
		if f, ok := e.Schema.Extensions["x-privy-error-field"].(string); ok {
			v.Field = f
		}
	}
	return v
}

// escapePointer joins path into JSON pointer tokens (without the leading slash).
func escapePointer(path []string) string {
	esc := make([]string, len(path))
	for i, p := range path {
		esc[i] = strings.NewReplacer("~", "~0", "/", "~1").Replace(p)
	}
	return strings.Join(esc, "/")
}

// quoted returns the first double-quoted word of s.
func quoted(s string) (string, bool) {
	_, rest, ok := strings.Cut(s, `"`)
	if !ok {
		return "", false
	}
	word, _, ok := strings.Cut(rest, `"`)
	return word, ok && word != ""
}

// ruleOf names the check behind a kin-openapi reason that carries no schema keyword.
func ruleOf(reason string) string {
	reason = strings.ToLower(reason)
	switch {
	case strings.Contains(reason, "must have a value"), strings.Contains(reason, "required"):
		return "required"
	case strings.Contains(reason, "content type"), strings.Contains(reason, "content-type"):
		return "content-type"
	default:
		return "invalid"
	}
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
