package mcp

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// load parses an OpenAPI document the way the server's embedded one is parsed.
func load(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the test spec is not valid: %v", err)
	}
	return doc
}

// find returns the value of key in a YAML mapping node, or nil.
func find(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// mapping returns the value of key in a YAML mapping node, adding an empty mapping if absent.
func mapping(n *yaml.Node, key string) *yaml.Node {
	if v := find(n, key); v != nil {
		return v
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v
}

// add sets key in a YAML mapping node to the YAML value src.
func add(t *testing.T, n *yaml.Node, key, src string) {
	t.Helper()
	var v yaml.Node
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatal(err)
	}
	n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v.Content[0])
}

// operationNode returns the YAML node of the operation with the given operationId.
func operationNode(t *testing.T, root *yaml.Node, id string) *yaml.Node {
	t.Helper()
	paths := mapping(root, "paths")
	for i := 1; i < len(paths.Content); i += 2 {
		item := paths.Content[i]
		for j := 1; j < len(item.Content); j += 2 {
			if v := find(item.Content[j], "operationId"); v != nil && v.Value == id {
				return item.Content[j]
			}
		}
	}
	t.Fatalf("no operation %s in the spec", id)
	return nil
}

// TestSpecChangesReachTools edits a copy of openapi.yaml as a maintainer would (a new
// property on the create request, a new operation, the idempotent extension) and derives
// the tools from it: each change is in the tools with no code change.
func TestSpecChangesReachTools(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	doc := root.Content[0]
	create := mapping(mapping(mapping(doc, "components"), "schemas"), "CreateContactRequest")
	add(t, mapping(create, "properties"), "nickname", `{type: string, maxLength: 40, nullable: true, description: What the contact likes to be called.}`)
	add(t, mapping(doc, "paths"), "/contacts/count", `
get:
  operationId: countContacts
  summary: Count contacts
  description: Counts the contacts matching the filters.
  parameters:
    - {name: tag, in: query, schema: {type: string, enum: [vip, newsletter]}}
  responses:
    "200":
      description: The count.
      content:
        application/json:
          schema: {type: object, required: [count], properties: {count: {type: integer, minimum: 0}}}
`)
	update := operationNode(t, doc, "updateContact")
	if find(update, IdempotentExtension) == nil {
		add(t, update, IdempotentExtension, "true")
	}
	edited, err := yaml.Marshal(&root)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := Derive(load(t, edited))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Operation{}
	for _, op := range ops {
		byName[op.Tool.Name] = op
	}
	prop := func(tool, name string) map[string]any {
		op := byName[tool]
		if op == nil {
			t.Fatalf("no tool %s; tools: %v", tool, ops)
		}
		p, _ := op.Tool.InputSchema.(map[string]any)["properties"].(map[string]any)[name].(map[string]any)
		return p
	}
	nick := prop("createContact", "nickname")
	want := map[string]any{"description": "What the contact likes to be called.",
		"anyOf": []any{map[string]any{"type": "string", "maxLength": 40.0}, map[string]any{"type": "null"}}}
	if !reflect.DeepEqual(nick, want) {
		t.Errorf("createContact's nickname argument = %v, want %v", nick, want)
	}
	if tag := prop("countContacts", "tag"); !reflect.DeepEqual(tag["enum"], []any{"vip", "newsletter"}) {
		t.Errorf("countContacts's tag argument = %v", tag)
	}
	count := byName["countContacts"]
	if !count.ReadOnly || !count.Tool.Annotations.ReadOnlyHint || count.Tool.OutputSchema == nil {
		t.Errorf("countContacts: read-only %v, annotations %+v, output schema %v", count.ReadOnly, count.Tool.Annotations, count.Tool.OutputSchema)
	}
	if !byName["updateContact"].Tool.Annotations.IdempotentHint {
		t.Errorf("updateContact is not idempotent with %s: true", IdempotentExtension)
	}
	if byName["createContact"].Tool.Annotations.IdempotentHint {
		t.Errorf("createContact is idempotent without %s", IdempotentExtension)
	}
}

// success is the success branch of an output schema (the other is the error result's).
func success(output any) map[string]any {
	return output.(map[string]any)["anyOf"].([]any)[0].(map[string]any)
}

const miniSpec = `
openapi: 3.0.3
info: {title: mini, version: "1"}
paths:
  /things/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    put:
      operationId: putThing
      parameters:
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: Authorization, in: header, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thing"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Base:
      type: object
      required: [name]
      properties:
        name: {type: string, minLength: 1}
        id: {type: string, readOnly: true}
        secret: {type: string, writeOnly: true}
    Thing:
      allOf:
        - {$ref: "#/components/schemas/Base"}
        - type: object
          properties:
            size: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 10}
            colour: {type: string, enum: [red, blue], nullable: true}
      x-go-type: Thing
`

func TestSchemaConversion(t *testing.T) {
	ops, err := Derive(load(t, []byte(miniSpec)))
	if err != nil {
		t.Fatal(err)
	}
	op := ops[0]
	in := op.Tool.InputSchema.(map[string]any)
	props := in["properties"].(map[string]any)
	body := props[bodyArgument].(map[string]any)
	wantBody := map[string]any{
		"type":     "object",
		"required": []any{"name"},
		"properties": map[string]any{
			"name":   map[string]any{"type": "string", "minLength": 1.0},
			"secret": map[string]any{"type": "string", "writeOnly": true},
			"size":   map[string]any{"type": "number", "exclusiveMinimum": 0.0, "maximum": 10.0},
			"colour": map[string]any{"anyOf": []any{map[string]any{"type": "string", "enum": []any{"red", "blue"}}, map[string]any{"type": "null"}}},
		},
	}
	if !reflect.DeepEqual(body, wantBody) {
		got, _ := json.Marshal(body)
		t.Errorf("body argument (allOf merged, readOnly dropped, nullable and exclusiveMinimum converted):\n got %s", got)
	}
	if props["Authorization"] != nil {
		t.Errorf("an Authorization header parameter became an argument")
	}
	if req := in["required"].([]any); len(req) != 2 || req[0] != "id" || req[1] != bodyArgument {
		t.Errorf("required = %v, want the path parameter and the body", req)
	}
	out := success(op.Tool.OutputSchema)["properties"].(map[string]any)
	if out["id"] == nil || out["secret"] != nil {
		t.Errorf("output properties %v: want readOnly id kept and writeOnly secret dropped", out)
	}
	if a := op.Tool.Annotations; a.ReadOnlyHint || a.IdempotentHint || *a.DestructiveHint {
		t.Errorf("PUT annotations = %+v", a)
	}

	req, details := op.request("http://127.0.0.1:1/v1", json.RawMessage(`{"id":"a b/c","tags":["x","y"],"X-Trace":"t1","body":{"name":"n"}}`))
	if details != nil {
		t.Fatal(details)
	}
	b, _ := io.ReadAll(req.Body)
	if req.Method != http.MethodPut || req.URL.EscapedPath() != "/v1/things/a%20b%2Fc" || req.URL.RawQuery != "tags=x&tags=y" ||
		req.Header.Get("X-Trace") != "t1" || string(b) != `{"name":"n"}` || req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s?%s header %v body %s", req.Method, req.URL.EscapedPath(), req.URL.RawQuery, req.Header, b)
	}
	for args, field := range map[string]string{`{"body":{}}`: "id", `{"id":{"a":1},"body":{}}`: "id", `{"id":"x","name":"n"}`: "name", `[1]`: "base"} {
		if _, d := op.request("http://127.0.0.1:1/v1", json.RawMessage(args)); len(d) != 1 || d[0].Field != field {
			t.Errorf("arguments %s: details %v, want one on %s", args, d, field)
		}
	}
}

func TestDeriveRefusesWhatItCannotServe(t *testing.T) {
	for name, edit := range map[string][2]string{
		"no operationId":   {"operationId: putThing", "summary: no id"},
		"non-JSON body":    {"application/json:\n            schema: {$ref", "application/xml:\n            schema: {$ref"},
		"cookie parameter": {"in: header", "in: cookie"},
		"recursive schema": {"colour: {type: string, enum: [red, blue], nullable: true}", "colour: {$ref: \"#/components/schemas/Thing\"}"},
		"body name taken":  {"name: X-Trace, in: header", "name: body, in: query"},
		"pattern Go lacks": {"name: {type: string, minLength: 1}", `name: {type: string, pattern: "(?<=a)b"}`},
	} {
		spec := strings.Replace(miniSpec, edit[0], edit[1], 1)
		if spec == miniSpec {
			t.Fatalf("%s: the edit changed nothing", name)
		}
		doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := Derive(doc); err == nil {
			t.Errorf("%s: Derive accepted it", name)
		}
	}
}

func TestNoOutputSchemaWithoutAJSONResponse(t *testing.T) {
	spec := strings.Replace(miniSpec, `        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}`, `        "204": {description: done}`, 1)
	ops, err := Derive(load(t, []byte(spec)))
	if err != nil {
		t.Fatal(err)
	}
	if out := ops[0].Tool.OutputSchema; out != nil {
		t.Errorf("output schema = %#v, want none", out)
	}
	if b, _ := json.Marshal(ops[0].Tool); strings.Contains(string(b), "outputSchema") {
		t.Errorf("the tool lists an output schema: %s", b)
	}
}
