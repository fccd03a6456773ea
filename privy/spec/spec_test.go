package spec_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specdoc"
)

// specOnDisk is the hand-maintained document gen/ is generated from.
const specOnDisk = "../../openapi.yaml"

func loadSpecFromDisk(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(specOnDisk)
	if err != nil {
		t.Fatalf("kin-openapi cannot load %s: %v", specOnDisk, err)
	}
	return doc
}

// TestSpecLoadsAndValidates loads openapi.yaml from disk and the copy embedded in gen/, and
// validates both with kin-openapi, examples included.
func TestSpecLoadsAndValidates(t *testing.T) {
	ctx := context.Background()
	disk := loadSpecFromDisk(t)
	if err := disk.Validate(ctx, openapi3.EnableExamplesValidation()); err != nil {
		t.Errorf("%s does not validate: %v", specOnDisk, err)
	}
	embedded, err := gen.GetSpec() // a private copy: Validate may touch the document
	if err != nil {
		t.Fatalf("gen.GetSpec: %v", err)
	}
	if err := embedded.Validate(ctx, openapi3.EnableExamplesValidation()); err != nil {
		t.Errorf("the spec embedded in gen/ does not validate: %v", err)
	}
}

// TestEmbeddedSpecIsCurrent fails when gen/ was not regenerated after openapi.yaml changed:
// the embedded document must have the same operations and components and, as a whole,
// the same content as the file.
func TestEmbeddedSpecIsCurrent(t *testing.T) {
	disk := loadSpecFromDisk(t)
	embedded, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := operationIndex(embedded), operationIndex(disk); !slices.Equal(got, want) {
		t.Fatalf("gen/ is stale (run make generate): embedded operations\n  %v\nopenapi.yaml operations\n  %v", got, want)
	}
	if got, want := schemaNames(embedded), schemaNames(disk); !slices.Equal(got, want) {
		t.Fatalf("gen/ is stale (run make generate): embedded schemas %v, openapi.yaml schemas %v", got, want)
	}
	if d, e := asJSONValue(t, disk), asJSONValue(t, embedded); !reflect.DeepEqual(d, dropInheritedServers(e)) {
		t.Errorf("gen/ is stale (run make generate): the embedded document differs from %s", specOnDisk)
	}
}

// operationIndex lists "METHOD path operationId" for every operation, sorted.
func operationIndex(doc *openapi3.T) []string {
	var out []string
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			out = append(out, method+" "+path+" "+op.OperationID)
		}
	}
	slices.Sort(out)
	return out
}

func schemaNames(doc *openapi3.T) []string {
	var out []string
	for name := range doc.Components.Schemas {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func asJSONValue(t *testing.T, doc *openapi3.T) any {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// dropInheritedServers removes the servers oapi-codegen copies from a path item into its
// operations when embedding the spec, so that the embedded document compares equal to the
// file it was generated from.
func dropInheritedServers(doc any) any {
	paths, _ := doc.(map[string]any)["paths"].(map[string]any)
	for _, item := range paths {
		item, _ := item.(map[string]any)
		for _, op := range item {
			if op, ok := op.(map[string]any); ok && op["servers"] != nil && reflect.DeepEqual(op["servers"], item["servers"]) {
				delete(op, "servers")
			}
		}
	}
	return doc
}

// TestSpecExamplesMatchTheirSchemas validates every example of the embedded document
// against its own schema, and checks that every request body and response has one.
func TestSpecExamplesMatchTheirSchemas(t *testing.T) {
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	checked, problems := exampleProblems(doc)
	for _, p := range problems {
		t.Error(p)
	}
	if checked < 30 {
		t.Errorf("checked only %d examples; the walk misses part of the document", checked)
	}
	t.Logf("%d examples checked", checked)
}

// TestExampleCheckCanFail breaks examples of a fresh copy of the document and expects both
// the walk and kin-openapi's own example validation to notice.
func TestExampleCheckCanFail(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(doc *openapi3.T)
		want   string
	}{
		{"request body example", func(doc *openapi3.T) {
			media := doc.Paths.Value("/contacts").Post.RequestBody.Value.Content.Get("application/json")
			media.Examples["phoneOnly"].Value.Value = map[string]any{"phone_number": "555-0100"}
		}, `createContact request application/json example "phoneOnly"`},
		{"response example", func(doc *openapi3.T) {
			media := doc.Components.Responses["RateLimited"].Value.Content.Get("application/json")
			media.Examples["rateLimited"].Value.Value = map[string]any{"error": map[string]any{"code": 429, "message": "x"}}
		}, `response 429 application/json example "rateLimited"`},
		{"parameter example", func(doc *openapi3.T) {
			doc.Components.Parameters["PerPage"].Value.Example = 500
		}, `parameter per_page example`},
		{"schema example", func(doc *openapi3.T) {
			doc.Components.Schemas["PhoneNumber"].Value.Example = "555-0100"
		}, `schema PhoneNumber example`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each case breaks its own copy of the document
			doc := loadSpecFromDisk(t)
			if _, problems := exampleProblems(doc); len(problems) != 0 {
				t.Fatalf("the unbroken document already has problems: %v", problems)
			}
			c.break_(doc)
			_, problems := exampleProblems(doc)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("broken %s not reported; want a problem containing %q, got %v", c.name, c.want, problems)
			}
			if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err == nil {
				t.Errorf("kin-openapi's example validation accepted the broken %s", c.name)
			}
		})
	}
}

// exampleProblems validates every example in doc against its schema: media types of request
// bodies and responses (as request or response), parameters, headers and schemas. It also
// reports a request body or response media type without any example.
func exampleProblems(doc *openapi3.T) (checked int, problems []string) {
	check := func(where string, schema *openapi3.SchemaRef, value any, opts ...openapi3.SchemaValidationOption) {
		checked++
		if schema == nil || schema.Value == nil {
			problems = append(problems, where+": no schema to check it against")
			return
		}
		if err := schema.Value.VisitJSON(jsonValue(value), append(opts, openapi3.MultiErrors())...); err != nil {
			problems = append(problems, fmt.Sprintf("%s does not match its schema: %v", where, err))
		}
	}
	media := func(where string, content openapi3.Content, opt openapi3.SchemaValidationOption) {
		for _, ct := range sortedKeys(content) {
			m := content[ct]
			if m.Example == nil && len(m.Examples) == 0 {
				problems = append(problems, fmt.Sprintf("%s %s has no example", where, ct))
			}
			if m.Example != nil {
				check(fmt.Sprintf("%s %s example", where, ct), m.Schema, m.Example, opt)
			}
			for _, name := range sortedKeys(m.Examples) {
				if ex := m.Examples[name]; ex != nil && ex.Value != nil {
					check(fmt.Sprintf("%s %s example %q", where, ct, name), m.Schema, ex.Value.Value, opt)
				}
			}
		}
	}
	param := func(p *openapi3.Parameter) {
		if p.Example != nil {
			check(fmt.Sprintf("parameter %s example", p.Name), p.Schema, p.Example, openapi3.VisitAsRequest())
		}
		for _, name := range sortedKeys(p.Examples) {
			if ex := p.Examples[name]; ex != nil && ex.Value != nil {
				check(fmt.Sprintf("parameter %s example %q", p.Name, name), p.Schema, ex.Value.Value, openapi3.VisitAsRequest())
			}
		}
	}
	header := func(where string, h *openapi3.Header) {
		if h.Example != nil {
			check(where+" example", h.Schema, h.Example, openapi3.VisitAsResponse())
		}
	}
	response := func(where string, r *openapi3.Response) {
		for _, name := range sortedKeys(r.Headers) {
			if h := r.Headers[name]; h != nil && h.Value != nil {
				header(where+" header "+name, h.Value)
			}
		}
		media(where, r.Content, openapi3.VisitAsResponse())
	}

	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, p := range item.Parameters {
			param(p.Value)
		}
		for _, method := range sortedKeys(item.Operations()) {
			op := item.GetOperation(method)
			for _, p := range op.Parameters {
				param(p.Value)
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				media(op.OperationID+" request", rb.Value.Content, openapi3.VisitAsRequest())
			}
			for status, r := range op.Responses.Map() {
				if r.Value != nil {
					response(fmt.Sprintf("%s response %s", op.OperationID, status), r.Value)
				}
			}
		}
	}
	for _, name := range sortedKeys(doc.Components.Parameters) {
		param(doc.Components.Parameters[name].Value)
	}
	for _, name := range sortedKeys(doc.Components.Headers) {
		header("header "+name, doc.Components.Headers[name].Value)
	}
	for _, name := range sortedKeys(doc.Components.Responses) {
		// Shared responses are checked with the status of the operations that use them too;
		// here they are checked once more on their own.
		response("response "+statusOfComponent(doc, name), doc.Components.Responses[name].Value)
	}
	// Components first, so that a shared schema is reported under its own name.
	seen := map[*openapi3.Schema]bool{}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		s := doc.Components.Schemas[name]
		if s.Value != nil && s.Value.Example != nil {
			check("schema "+name+" example", s, s.Value.Example)
		}
	}
	var walk func(where string, s *openapi3.SchemaRef, top bool)
	walk = func(where string, s *openapi3.SchemaRef, top bool) {
		if s == nil || s.Value == nil || (seen[s.Value] && !top) {
			return
		}
		seen[s.Value] = true
		v := s.Value
		if v.Example != nil && !top {
			check(where+" example", s, v.Example)
		}
		for _, name := range sortedKeys(v.Properties) {
			walk(where+"."+name, v.Properties[name], false)
		}
		walk(where+"[]", v.Items, false)
		walk(where+"{}", v.AdditionalProperties.Schema, false)
		walk(where+" not", v.Not, false)
		for i, x := range slices.Concat(v.AllOf, v.AnyOf, v.OneOf) {
			walk(fmt.Sprintf("%s variant %d", where, i), x, false)
		}
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		s := doc.Components.Schemas[name]
		if s.Value != nil {
			seen[s.Value] = true
		}
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		walk("schema "+name, doc.Components.Schemas[name], true)
	}
	return checked, problems
}

// statusOfComponent names a shared response by the status it is used with.
func statusOfComponent(doc *openapi3.T, name string) string {
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			for status, r := range op.Responses.Map() {
				if r.Ref == "#/components/responses/"+name {
					return status
				}
			}
		}
	}
	return name
}

// jsonValue turns a value written in YAML or Go into what encoding/json would decode, which
// is what VisitJSON expects (float64 numbers, map[string]any objects).
func jsonValue(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return v
	}
	return out
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestOneEmailRule: every email in the spec follows the Email schema's pattern, and no schema
// adds a format that tools would read their own way.
func TestOneEmailRule(t *testing.T) {
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	rule := doc.Components.Schemas["Email"].Value
	if rule.Pattern == "" || rule.Format != "" {
		t.Fatalf("Email: pattern %q, format %q; want a pattern and no format", rule.Pattern, rule.Format)
	}
	contact := doc.Components.Schemas["Contact"].Value.Properties["email"].Value
	if contact.Pattern != rule.Pattern || contact.Format != "" {
		t.Errorf("Contact.email: pattern %q, format %q; want the Email pattern %q and no format", contact.Pattern, contact.Format, rule.Pattern)
	}
	for _, c := range []struct {
		email string
		ok    bool
	}{
		{"jane@example.com", true}, {"first.last+news@mail.example.co.uk", true},
		{"user@localhost", false}, {"user@example..com", false}, {"user@.com", false},
		{"jane.example.com", false}, {"ja ne@example.com", false}, {"a@b@example.com", false},
	} {
		for name, s := range map[string]*openapi3.Schema{"Email": rule, "Contact.email": contact} {
			if err := s.VisitJSON(c.email); (err == nil) != c.ok {
				t.Errorf("%s accepts %q: %v, want %v (%v)", name, c.email, err == nil, c.ok, err)
			}
		}
	}
}

// TestRequestsAreClosed: the spec writes down that stale input fails loudly. Every JSON
// request body is closed (additionalProperties: false, directly or in the first member of a
// wrapper's allOf) and the document closes query strings (x-privy-closed-query).
func TestRequestsAreClosed(t *testing.T) {
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	if closed, _ := doc.Extensions["x-privy-closed-query"].(bool); !closed {
		t.Error("the document does not set x-privy-closed-query: true")
	}
	checked := 0
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			media := op.RequestBody.Value.Content.Get("application/json")
			if media == nil {
				continue // the form-encoded token request stays open (RFC 6749 3.2)
			}
			s := media.Schema.Value
			if len(s.AllOf) > 0 {
				s = s.AllOf[0].Value
			}
			checked++
			if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
				t.Errorf("%s: the request body schema is open; set additionalProperties: false", op.OperationID)
			}
		}
	}
	if checked < 4 {
		t.Errorf("checked %d JSON request bodies, want at least 4", checked)
	}
}
