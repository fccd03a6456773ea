package mcp

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/privy-go/privy-go/privy"
)

// IdempotentExtension is the operation extension that marks a write operation as safe to
// repeat with the same arguments (GET operations always are); the client's retry reads it too.
const IdempotentExtension = privy.IdempotentExtension

// bodyArgument names the argument that carries the request body when the body's properties
// cannot be arguments of their own (the operation also has parameters, or the body is not an
// object).
const bodyArgument = "body"

// ignoredHeaders are the header parameters OpenAPI says to ignore (section 4.8.12.1).
var ignoredHeaders = []string{"Accept", "Content-Type", "Authorization"}

// Operation is one API operation offered as an MCP tool, derived from the spec.
type Operation struct {
	// Tool is the MCP tool: name, description, input and output schemas, annotations.
	Tool *sdk.Tool
	// Method and Path are the operation's HTTP method and path template, relative to the
	// API's base URL (for example GET /contacts).
	Method, Path string
	// ReadOnly reports whether calling the tool changes nothing (a GET).
	ReadOnly bool

	params    map[string]*openapi3.Parameter // argument name -> parameter
	body      bool                           // the operation takes a JSON body
	flat      bool                           // the body's properties are top-level arguments
	bodyProps map[string]bool                // the body's properties, when flat
}

// Derive returns one Operation per operation of doc that an agent may call, sorted by name.
// An operation that needs no bearer token (see CredentialExchange) is the credential exchange
// itself and is never a tool. An operation whose shape cannot be offered (no operationId, a non-JSON
// body, a cookie parameter, a recursive schema) is an error naming it, so that a spec change
// the server cannot follow fails loudly instead of vanishing.
func Derive(doc *openapi3.T) ([]*Operation, error) {
	var ops []*Operation
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			if CredentialExchange(op) {
				continue
			}
			o, err := derive(method, path, item, op)
			if err != nil {
				return nil, fmt.Errorf("mcp: %s %s (%s): %w", method, path, op.OperationID, err)
			}
			ops = append(ops, o)
		}
	}
	slices.SortFunc(ops, func(a, b *Operation) int { return cmp.Compare(a.Tool.Name, b.Tool.Name) })
	for i := 1; i < len(ops); i++ {
		if ops[i].Tool.Name == ops[i-1].Tool.Name {
			return nil, fmt.Errorf("mcp: two operations have the operationId %q", ops[i].Tool.Name)
		}
	}
	return ops, nil
}

// CredentialExchange reports whether op can be called without a bearer token: its security
// is empty (security: []) or allows an anonymous caller (an empty requirement, {}), as the
// token exchange does. Such an operation exchanges credentials and is never a tool.
func CredentialExchange(op *openapi3.Operation) bool {
	if op.Security == nil {
		return false
	}
	if len(*op.Security) == 0 {
		return true
	}
	for _, req := range *op.Security {
		if len(req) == 0 {
			return true
		}
	}
	return false
}

func derive(method, path string, item *openapi3.PathItem, op *openapi3.Operation) (*Operation, error) {
	if op.OperationID == "" {
		return nil, fmt.Errorf("no operationId to name the tool by")
	}
	readOnly := method == http.MethodGet || method == http.MethodHead
	o := &Operation{Method: method, Path: path, ReadOnly: readOnly, params: map[string]*openapi3.Parameter{}}
	input := schema{"type": "object", "additionalProperties": false}
	props, required := schema{}, []any{}
	in := &converter{input: true}
	for _, p := range parameters(item, op) {
		if p.In == openapi3.ParameterInHeader && slices.ContainsFunc(ignoredHeaders, func(h string) bool { return strings.EqualFold(h, p.Name) }) {
			continue // OpenAPI ignores these; credentials never become arguments
		}
		switch p.In {
		case openapi3.ParameterInPath, openapi3.ParameterInQuery, openapi3.ParameterInHeader:
		default:
			return nil, fmt.Errorf("parameter %q is in %s; only path, query and header parameters can be arguments", p.Name, p.In)
		}
		s, err := in.convert(p.Schema)
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %w", p.Name, err)
		}
		if p.Description != "" {
			s["description"] = p.Description
		}
		if p.Example != nil && s["examples"] == nil {
			s["examples"] = []any{p.Example}
		}
		props[p.Name] = s
		o.params[p.Name] = p
		if p.Required {
			required = append(required, p.Name)
		}
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		mt, err := jsonMedia(rb.Value.Content)
		if err != nil {
			return nil, err
		}
		body, err := in.convert(mt.Schema)
		if err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
		o.body = true
		if bp, ok := body["properties"].(schema); ok && body["type"] == "object" && len(o.params) == 0 {
			// The body's properties become the arguments, with the body's own constraints.
			o.flat, o.bodyProps = true, map[string]bool{}
			for k, v := range body {
				switch k {
				case "type", "title", "examples", "properties", "required":
				default:
					input[k] = v
				}
			}
			for name, v := range bp {
				props[name], o.bodyProps[name] = v, true
			}
			if req, ok := body["required"].([]any); ok {
				required = append(required, req...)
			}
		} else {
			if _, taken := o.params[bodyArgument]; taken {
				return nil, fmt.Errorf("a parameter is named %q, the argument that carries the request body", bodyArgument)
			}
			props[bodyArgument] = body
			if rb.Value.Required {
				required = append(required, bodyArgument)
			}
		}
	}
	input["properties"] = props
	if len(required) > 0 {
		input["required"] = required
	}
	output, err := outputSchema(op)
	if err != nil {
		return nil, err
	}
	o.Tool = &sdk.Tool{
		Name:        op.OperationID,
		Title:       op.Summary,
		Description: strings.TrimSpace(strings.TrimSpace(op.Summary+".") + "\n\n" + strings.TrimSpace(op.Description)),
		Annotations: annotations(method, op),
	}
	if op.Summary == "" {
		o.Tool.Description = strings.TrimSpace(op.Description)
	}
	// Plain maps, as a client sees them, checked to be schemas a client can compile.
	if o.Tool.InputSchema, err = compiled(input); err != nil {
		return nil, fmt.Errorf("input schema: %w", err)
	}
	if output != nil {
		if o.Tool.OutputSchema, err = compiled(output); err != nil {
			return nil, fmt.Errorf("output schema: %w", err)
		}
	}
	return o, nil
}

// compiled returns a copy of s made of plain JSON values, or an error when s is not a JSON
// Schema that compiles (a pattern Go cannot read, for instance).
func compiled(s schema) (map[string]any, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var js jsonschema.Schema
	if err := json.Unmarshal(b, &js); err != nil {
		return nil, err
	}
	if _, err := js.Resolve(nil); err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(b, &out)
}

// parameters returns the operation's parameters, path-level ones included, sorted by name.
func parameters(item *openapi3.PathItem, op *openapi3.Operation) []*openapi3.Parameter {
	byKey := map[string]*openapi3.Parameter{}
	for _, list := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, r := range list {
			if r != nil && r.Value != nil {
				byKey[r.Value.In+" "+r.Value.Name] = r.Value // the operation's own wins
			}
		}
	}
	var out []*openapi3.Parameter
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		out = append(out, byKey[k])
	}
	return out
}

// jsonMedia returns the JSON media type of a content map, or an error when it has none.
func jsonMedia(content openapi3.Content) (*openapi3.MediaType, error) {
	for _, ct := range slices.Sorted(maps.Keys(content)) {
		if isJSON(ct) {
			return content[ct], nil
		}
	}
	return nil, fmt.Errorf("the request body is not JSON (%s)", strings.Join(slices.Sorted(maps.Keys(content)), ", "))
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// outputSchema is the schema of the first 2xx response with a JSON object body, or nil.
func outputSchema(op *openapi3.Operation) (schema, error) {
	if op.Responses == nil {
		return nil, nil
	}
	for _, code := range slices.Sorted(maps.Keys(op.Responses.Map())) {
		if len(code) != 3 || code[0] != '2' {
			continue
		}
		r := op.Responses.Value(code)
		if r == nil || r.Value == nil {
			continue
		}
		for _, ct := range slices.Sorted(maps.Keys(r.Value.Content)) {
			if !isJSON(ct) {
				continue
			}
			s, err := (&converter{}).convert(r.Value.Content[ct].Schema)
			if err != nil {
				return nil, fmt.Errorf("response %s: %w", code, err)
			}
			if s["type"] != "object" {
				return nil, nil // MCP structured content is an object
			}
			return withErrors(s), nil
		}
		return nil, nil
	}
	return nil, nil
}

// withErrors extends a tool's output schema to its error results, which carry structured
// content too: clients check every structured result against the output schema.
func withErrors(success schema) schema {
	return schema{"type": "object", "anyOf": []any{success, errorSchema()}}
}

// errorSchema describes the structured content of an error result (see Server.errorResult).
func errorSchema() schema {
	str := schema{"type": "string"}
	detail := schema{"type": "object", "required": []any{"field", "message"},
		"properties": schema{"field": str, "message": str}}
	return schema{
		"type":        "object",
		"description": "An error: the API's code, message and details, the HTTP status, and for a rate limit when to retry.",
		"required":    []any{"error", "status"},
		"properties": schema{
			"error": schema{"type": "object", "required": []any{"code", "message"}, "properties": schema{
				"code": str, "message": str, "details": schema{"type": "array", "items": detail}}},
			"status":              schema{"type": "integer"},
			"retry_after_seconds": schema{"type": "integer", "minimum": 0},
			"retry_at":            schema{"type": "string", "format": "date-time"},
		},
	}
}

// annotations derives the tool's hints from the HTTP method and the spec's extensions.
func annotations(method string, op *openapi3.Operation) *sdk.ToolAnnotations {
	readOnly := method == http.MethodGet || method == http.MethodHead
	destructive := method == http.MethodDelete
	return &sdk.ToolAnnotations{
		Title:           op.Summary,
		ReadOnlyHint:    readOnly,
		DestructiveHint: &destructive,
		IdempotentHint:  readOnly || extensionTrue(op.Extensions[IdempotentExtension]),
	}
}

// extensionTrue reports whether an extension's value is the boolean true.
func extensionTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case json.RawMessage:
		var b bool
		return json.Unmarshal(v, &b) == nil && b
	}
	return false
}
