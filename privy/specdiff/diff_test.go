package specdiff_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/privy/specdiff"
)

// frozenRelease is the frozen release the tests that simulate "the next release" start from.
// It never changes, so a real release cannot break them.
const frozenRelease = "../../testdata/releases/openapi-v0.1.0.yaml"

// diffSpecFile returns the frozen release of the spec.
func diffSpecFile(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(frozenRelease)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// diffMiniSpec is a small OpenAPI document; the %s slots take the request schema's extra YAML
// (indented for the schema) and extra paths.
const diffMiniSpec = `openapi: 3.0.3
info: { title: mini, version: "1" }
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                name: { type: string }
%s
      responses:
        "201":
          description: created
          content:
            application/json:
              schema:
                type: object
                required: [name, state]
                properties:
                  name: { type: string }
                  state: { type: string, enum: [on, off] }
%s
%s`

func diffMini(requestExtra, responseExtra, pathsExtra string) []byte {
	return fmt.Appendf(nil, diffMiniSpec, requestExtra, responseExtra, pathsExtra)
}

func TestDiffIdenticalSpecs(t *testing.T) {
	doc := diffSpecFile(t)
	report, err := specdiff.Diff(t.Context(), doc, doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Changes) != 0 || report.Breaking() {
		t.Fatalf("identical specs: got %d changes (breaking %v): %v", len(report.Changes), report.Breaking(), report.Changes)
	}
	var b strings.Builder
	if err := report.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != "no changes\n" {
		t.Fatalf("WriteText = %q, want %q", b.String(), "no changes\n")
	}
}

func TestDiffAcceptsJSON(t *testing.T) {
	doc := diffSpecFile(t)
	parsed, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		t.Fatal(err)
	}
	asJSON, err := json.Marshal(parsed)
	if err != nil {
		t.Fatal(err)
	}
	report, err := specdiff.Diff(t.Context(), doc, asJSON)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Changes) != 0 {
		t.Fatalf("YAML vs the same document as JSON: got changes %v", report.Changes)
	}
}

func TestDiffBadInput(t *testing.T) {
	good := diffMini("", "", "")
	tests := []struct {
		name     string
		old, new []byte
		side     string
		want     string // in the message
	}{
		{"old not YAML", []byte("openapi: [3.0.3\ninfo: {"), good, "old", "not a readable OpenAPI document"},
		{"new not YAML", good, []byte("\t- : : ]["), "new", "not a readable OpenAPI document"},
		{"old empty", nil, good, "old", "empty document"},
		{"new YAML but not OpenAPI", good, []byte("name: shopping list\nitems: [milk]\n"), "new", `no top-level "openapi"`},
		{"new Swagger 2", good, []byte("swagger: \"2.0\"\ninfo: { title: x, version: \"1\" }\npaths: {}\n"), "new", "openapi"},
		{"old OpenAPI 2 version", []byte("openapi: 2.0.0\ninfo: { title: x, version: \"1\" }\npaths: {}\n"), good, "old", `"2.0.0" is not supported`},
		{"new invalid OpenAPI (no info)", good, []byte("openapi: 3.0.3\npaths: {}\n"), "new", "invalid OpenAPI document"},
		{"new external reference", good, []byte("openapi: 3.0.3\ninfo: { title: x, version: \"1\" }\npaths:\n  /a:\n    get:\n      responses:\n        \"200\": { $ref: 'other.yaml#/components/responses/Ok' }\n"), "new", "not a readable OpenAPI document"},
		{"old JSON garbage", []byte(`{"openapi": "3.0.3", "info": `), good, "old", "not a readable OpenAPI document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := specdiff.Diff(t.Context(), tt.old, tt.new)
			if err == nil {
				t.Fatal("Diff succeeded; want an error")
			}
			var inErr *specdiff.InputError
			if !errors.As(err, &inErr) {
				t.Fatalf("error %v (%T) is not a *specdiff.InputError", err, err)
			}
			if inErr.Side != tt.side {
				t.Errorf("Side = %q, want %q (error: %v)", inErr.Side, tt.side, err)
			}
			if !strings.HasPrefix(err.Error(), tt.side+" spec: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to start with %q and contain %q", err, tt.side+" spec: ", tt.want)
			}
		})
	}
}

func TestDiffCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	doc := diffMini("", "", "")
	if _, err := specdiff.Diff(ctx, doc, doc); !errors.Is(err, context.Canceled) {
		t.Fatalf("Diff with a canceled context: err = %v, want context.Canceled", err)
	}
}

// TestDiffContract pins which kinds of change count as breaking.
func TestDiffContract(t *testing.T) {
	const (
		requiredColor = "              required: [color]\n"
		colorProp     = "                color: { type: string }\n"
		respOptional  = "                  nickname: { type: string }\n"
		newPath       = `  /things/count:
    get:
      operationId: countThings
      responses:
        "200": { description: the count }
`
	)
	base := diffMini("", "", "")
	tests := []struct {
		name         string
		old, new     []byte
		wantID       string
		wantBreaking bool
	}{
		{"required request property added", base, diffMini(colorProp+requiredColor, "", ""), "new-required-request-property", true},
		{"optional request property added", base, diffMini(colorProp, "", ""), "new-optional-request-property", false},
		{"optional response property added", base, diffMini("", respOptional, ""), "response-optional-property-added", false},
		{"endpoint added", base, diffMini("", "", newPath), "endpoint-added", false},
		{"endpoint removed", diffMini("", "", newPath), base, "api-path-removed-without-deprecation", true},
		{"response enum value removed", base, []byte(strings.Replace(string(base), "enum: [on, off]", "enum: [on]", 1)), "response-property-enum-value-removed", false},
		{"response enum value added", base, []byte(strings.Replace(string(base), "enum: [on, off]", "enum: [on, off, broken]", 1)), "response-property-enum-value-added", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, err := specdiff.Diff(t.Context(), tt.old, tt.new)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, c := range report.Changes {
				if c.ID == tt.wantID {
					found = true
					if c.Breaking != tt.wantBreaking {
						t.Errorf("%s: Breaking = %v, want %v", c, c.Breaking, tt.wantBreaking)
					}
				}
			}
			if !found {
				t.Fatalf("no %s change; got %v", tt.wantID, report.Changes)
			}
			if report.Breaking() != tt.wantBreaking {
				t.Errorf("report.Breaking() = %v, want %v; changes %v", report.Breaking(), tt.wantBreaking, report.Changes)
			}
		})
	}
}

// BenchmarkDiff measures Diff on the project's spec against its evolution revision; the
// baseline, BenchmarkDiffBaselineLoad, only parses the same two documents with kin-openapi.
func BenchmarkDiff(b *testing.B) {
	oldSpec := diffSpecFile(b)
	newSpec := []byte(strings.NewReplacer(
		"enum: [subscribed, unsubscribed, non_subscribed]", "enum: [subscribed, unsubscribed, never_subscribed]",
		"        - email_permission\n", "        - email_consent\n",
		"        email_permission: { $ref", "        email_consent: { $ref",
	).Replace(string(oldSpec)))
	for b.Loop() {
		if _, err := specdiff.Diff(b.Context(), oldSpec, newSpec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiffBaselineLoad(b *testing.B) {
	oldSpec := diffSpecFile(b)
	for b.Loop() {
		for range 2 {
			if _, err := openapi3.NewLoader().LoadFromData(oldSpec); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestDiffReportWriteText(t *testing.T) {
	report := specdiff.Report{Changes: []specdiff.Change{
		{Breaking: true, Level: "error", ID: "response-required-property-removed", Operation: "GET", Path: "/contacts", OperationID: "listContacts", Text: "removed the required property `data/items/email_permission`"},
		{Breaking: true, Level: "warning", ID: "response-property-enum-value-added", Operation: "GET", Path: "/contacts", Text: "added the new enum value `never_subscribed`", Comment: "Adding new enum values to response could be unexpected for clients."},
		{Level: "info", ID: "endpoint-added", Operation: "GET", Path: "/contacts/{id}", Text: "endpoint added"},
	}}
	var b strings.Builder
	if err := report.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "2 breaking changes, 1 other change\n" +
		"\nBreaking changes:\n" +
		"  - error GET /contacts (listContacts): removed the required property `data/items/email_permission` [response-required-property-removed]\n" +
		"  - warning GET /contacts: added the new enum value `never_subscribed` [response-property-enum-value-added]\n" +
		"    Adding new enum values to response could be unexpected for clients.\n" +
		"\nOther changes:\n" +
		"  - info GET /contacts/{id}: endpoint added [endpoint-added]\n"
	if b.String() != want {
		t.Fatalf("WriteText:\n%s\nwant:\n%s", b.String(), want)
	}
}

// FuzzDiff feeds arbitrary bytes as the new side: Diff must return a report or a
// *DiffInputError for the new side, never panic or blame the old side.
func FuzzDiff(f *testing.F) {
	base := diffMini("", "", "")
	f.Add(base)
	f.Add([]byte("openapi: 3.0.3\ninfo: { title: x, version: \"1\" }\npaths: {}\n"))
	f.Add([]byte(`{"openapi":"3.0.3","info":{"title":"x","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}`))
	f.Add([]byte("openapi: 3.0.3\ninfo: { title: x, version: \"1\" }\npaths:\n  /a:\n    get:\n      responses:\n        \"200\": { $ref: '#/nope' }\n"))
	f.Add([]byte("not: [yaml"))
	f.Fuzz(func(t *testing.T, newSpec []byte) {
		report, err := specdiff.Diff(context.Background(), base, newSpec)
		if err != nil {
			var inErr *specdiff.InputError
			if errors.As(err, &inErr) && inErr.Side != "new" {
				t.Fatalf("the old side was blamed: %v", err)
			}
			return
		}
		for _, c := range report.Changes {
			if c.ID == "" || c.Level == "" {
				t.Fatalf("change without id or level: %+v", c)
			}
		}
	})
}

func ExampleDiff() {
	oldSpec := []byte(`openapi: 3.0.3
info: { title: Example, version: 1.0.0-alpha.1 }
paths:
  /contacts:
    get:
      operationId: listContacts
      responses:
        "200":
          description: contacts
          content:
            application/json:
              schema:
                type: object
                required: [email_permission]
                properties:
                  email_permission: { type: string, enum: [subscribed, non_subscribed] }
  /contacts/remove:
    post:
      operationId: deleteContact
      responses:
        "204": { description: deleted }
`)
	newSpec := []byte(strings.NewReplacer(
		"email_permission", "email_consent",
		"non_subscribed", "never_subscribed",
		"/contacts/remove:\n    post:", "/contacts/{id}:\n    delete:\n      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]",
		"1.0.0-alpha.1", "1.0.0-alpha.2",
	).Replace(string(oldSpec)))

	report, err := specdiff.Diff(context.Background(), oldSpec, newSpec)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = report.WriteText(os.Stdout)
	for _, r := range report.Renames {
		fmt.Printf("rename: %s %s %s → %s\n", r.In, r.Kind, r.From, r.To)
	}
	// Output:
	// 4 breaking changes, 0 other changes
	//
	// Breaking changes:
	//   - error GET /contacts (listContacts): across the rename `email_permission` → `email_consent`, the response property enum dropped `non_subscribed` and added `never_subscribed` [enum-changed-across-rename]
	//     Clients that map every value of this enum break on a value they do not know, and never see a dropped one.
	//   - error GET /contacts (listContacts): likely renamed response property `email_permission` → `email_consent` (same shape, same place, status 200) [property-renamed]
	//     (stands for 2 findings of oasdiff's)
	//   - error POST /contacts/remove (deleteContact): added the new path request parameter `id` [new-request-path-parameter]
	//   - error DELETE /contacts/{id} (deleteContact): operation deleteContact moved: POST /contacts/remove → DELETE /contacts/{id} [operation-moved]
	//     Clients calling the old endpoint break; the operation's other changes are listed as if it had stayed.
	// rename: response property email_permission → email_consent
}
