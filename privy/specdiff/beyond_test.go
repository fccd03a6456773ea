package specdiff_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/privy/specdiff"
)

// pairSpec is a small document: a list operation with a query filter and a response enum, a
// create operation with a request body, and a get-by-id path. Tests derive revisions from it
// with string replacements.
const pairSpec = `openapi: 3.0.3
info: { title: pair, version: 1.0.0-alpha.1 }
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - { name: state, in: query, schema: { type: string, enum: [on, off] } }
      responses:
        "200":
          description: things
          content:
            application/json:
              schema:
                type: object
                properties:
                  data:
                    type: array
                    items:
                      type: object
                      properties:
                        name: { type: string }
                        size: { type: integer }
                        mode: { type: string, enum: [fast, slow] }
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                label: { type: string }
                weight: { type: integer }
                color: { type: string, enum: [red, blue] }
      responses:
        "201": { description: created }
  /things/{thing}:
    get:
      operationId: getThing
      parameters:
        - { name: thing, in: path, required: true, schema: { type: string } }
      responses:
        "200": { description: one thing }
`

func revise(pairs ...string) []byte { return []byte(strings.NewReplacer(pairs...).Replace(pairSpec)) }

func TestDiffBeyondOasdiff(t *testing.T) {
	type rename struct {
		kind, in, from, to string
		enumRemoved        []string
		enumAdded          []string
	}
	tests := []struct {
		name    string
		new     []byte
		moves   []specdiff.Move
		renames []rename
		// want and absent: finding ids (with a text fragment after "|") that must and must not appear;
		// a leading "!" on a want entry means the finding must not be breaking.
		want, absent []string
	}{
		{
			name:   "moved operation is one finding",
			new:    revise("/things/{thing}:", "/items/{thing}:"),
			moves:  []specdiff.Move{{OperationID: "getThing", From: specdiff.Endpoint{Method: "GET", Path: "/things/{thing}"}, To: specdiff.Endpoint{Method: "GET", Path: "/items/{thing}"}}},
			want:   []string{"operation-moved|GET /things/{thing} → GET /items/{thing}"},
			absent: []string{"endpoint-added", "api-path-removed-without-deprecation", "api-removed-without-deprecation"},
		},
		{
			name:   "method change is a move",
			new:    revise("/things/{thing}:\n    get:", "/things/{thing}:\n    post:"),
			moves:  []specdiff.Move{{OperationID: "getThing", From: specdiff.Endpoint{Method: "GET", Path: "/things/{thing}"}, To: specdiff.Endpoint{Method: "POST", Path: "/things/{thing}"}}},
			absent: []string{"endpoint-added"},
		},
		{
			name:    "path parameter renamed: no move, a parameter rename",
			new:     revise("{thing}", "{id}", "name: thing", "name: id"),
			renames: []rename{{kind: "parameter", in: "path", from: "thing", to: "id"}},
			want:    []string{"parameter-renamed|`thing` → `id`"},
			absent:  []string{"operation-moved"},
		},
		{
			name:    "request property renamed",
			new:     revise("label: { type: string }", "title: { type: string }"),
			renames: []rename{{kind: "property", in: "request", from: "label", to: "title"}},
			want:    []string{"property-renamed|request property `label` → `title`"},
			absent:  []string{"request-property-removed", "new-optional-request-property"},
		},
		{
			name:    "response property renamed in array items",
			new:     revise("size: { type: integer }", "count: { type: integer }"),
			renames: []rename{{kind: "property", in: "response", from: "size", to: "count"}},
			want:    []string{"property-renamed|in /data/items"},
			absent:  []string{"response-optional-property-removed"},
		},
		{
			name:   "different shape is no rename",
			new:    revise("label: { type: string }", "title: { type: integer }"),
			absent: []string{"property-renamed"},
			want:   []string{"request-property-removed|label"},
		},
		{
			name: "ambiguous: two removed of one shape",
			new: revise("label: { type: string }", "title: { type: string }",
				"color: { type: string, enum: [red, blue] }", "hue: { type: string }"),
			absent: []string{"property-renamed"},
		},
		{
			name:    "response enum across a rename: added and dropped values break",
			new:     revise("mode: { type: string, enum: [fast, slow] }", "speed: { type: string, enum: [fast, slow, paused] }"),
			renames: []rename{{kind: "property", in: "response", from: "mode", to: "speed", enumAdded: []string{"paused"}}},
			want:    []string{"enum-changed-across-rename|added `paused`"},
		},
		{
			name:    "request enum across a rename: a dropped value breaks",
			new:     revise("color: { type: string, enum: [red, blue] }", "colour: { type: string, enum: [red] }"),
			renames: []rename{{kind: "property", in: "request", from: "color", to: "colour", enumRemoved: []string{"blue"}}},
			want:    []string{"enum-changed-across-rename|dropped `blue`"},
		},
		{
			name:    "request enum across a rename: an added value does not break",
			new:     revise("color: { type: string, enum: [red, blue] }", "colour: { type: string, enum: [red, blue, green] }"),
			renames: []rename{{kind: "property", in: "request", from: "color", to: "colour", enumAdded: []string{"green"}}},
			want:    []string{"!enum-changed-across-rename|added `green`"},
		},
		{
			name:    "query parameter renamed with its enum",
			new:     revise("name: state, in: query, schema: { type: string, enum: [on, off] }", "name: status, in: query, schema: { type: string, enum: [on, off] }"),
			renames: []rename{{kind: "parameter", in: "query", from: "state", to: "status"}},
			want:    []string{"parameter-renamed|query parameter `state` → `status`"},
			absent:  []string{"enum-changed-across-rename", "request-parameter-removed"},
		},
		{
			name:   "pre-release version increased: no false 'decreased' line",
			new:    revise("1.0.0-alpha.1", "1.0.0-alpha.2", "/things/{thing}:", "/gone/{thing}:", "operationId: getThing", "operationId: fetchThing"),
			absent: []string{"api-version-decreased"},
		},
		{
			name:   "released version increased: no false 'decreased' line",
			new:    revise("1.0.0-alpha.1", "1.0.0", "operationId: getThing", "operationId: fetchThing", "/things/{thing}:", "/gone/{thing}:"),
			absent: []string{"api-version-decreased"},
		},
		{
			name: "version really decreased is still said",
			new:  revise("1.0.0-alpha.1", "0.9.0", "operationId: getThing", "operationId: fetchThing", "/things/{thing}:", "/gone/{thing}:"),
			want: []string{"!api-version-decreased"},
		},
	}
	old := []byte(pairSpec)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, err := specdiff.Diff(t.Context(), old, tt.new)
			if err != nil {
				t.Fatal(err)
			}
			if tt.moves == nil {
				tt.moves = []specdiff.Move{}
			}
			if !slices.Equal(report.Moves, tt.moves) {
				t.Errorf("moves = %+v, want %+v", report.Moves, tt.moves)
			}
			var got []rename
			for _, r := range report.Renames {
				got = append(got, rename{r.Kind, r.In, r.From, r.To, r.EnumRemoved, r.EnumAdded})
			}
			if !slices.EqualFunc(got, tt.renames, func(a, b rename) bool {
				return a.kind == b.kind && a.in == b.in && a.from == b.from && a.to == b.to &&
					slices.Equal(a.enumRemoved, b.enumRemoved) && slices.Equal(a.enumAdded, b.enumAdded)
			}) {
				t.Errorf("renames = %+v, want %+v", got, tt.renames)
			}
			find := func(spec string) (specdiff.Change, bool) {
				id, fragment, _ := strings.Cut(strings.TrimPrefix(spec, "!"), "|")
				i := slices.IndexFunc(report.Changes, func(c specdiff.Change) bool {
					return c.ID == id && strings.Contains(c.Text, fragment)
				})
				if i < 0 {
					return specdiff.Change{}, false
				}
				return report.Changes[i], true
			}
			for _, w := range tt.want {
				c, ok := find(w)
				if !ok {
					t.Errorf("no %s; changes:\n%s", w, changesText(report))
					continue
				}
				if c.Breaking == strings.HasPrefix(w, "!") {
					t.Errorf("%s: Breaking = %v", c, c.Breaking)
				}
			}
			for _, a := range tt.absent {
				if c, ok := find(a); ok {
					t.Errorf("unexpected %s", c)
				}
			}
		})
	}
}

func changesText(r specdiff.Report) string {
	var b strings.Builder
	_ = r.WriteText(&b)
	return b.String()
}

func TestDiffRenameIsBreakingAndFolds(t *testing.T) {
	report, err := specdiff.Diff(t.Context(), []byte(pairSpec), revise("label: { type: string }", "title: { type: string }"))
	if err != nil {
		t.Fatal(err)
	}
	if !report.Breaking() {
		t.Error("a renamed request property is not breaking")
	}
	i := slices.IndexFunc(report.Changes, func(c specdiff.Change) bool { return c.ID == specdiff.IDPropertyRenamed })
	if i < 0 {
		t.Fatalf("no rename finding: %v", report.Changes)
	}
	c := report.Changes[i]
	if c.OperationID != "createThing" || c.Operation != "POST" || c.Path != "/things" {
		t.Errorf("rename finding placed at %q %q %q", c.OperationID, c.Operation, c.Path)
	}
	if len(c.Replaces) != 2 {
		t.Errorf("the rename stands for %d of oasdiff's findings, want 2 (removed and added): %v", len(c.Replaces), c.Replaces)
	}
}

func TestDiffJSONCarriesTheRenameMap(t *testing.T) {
	report, err := specdiff.Diff(t.Context(), []byte(pairSpec), revise("label: { type: string }", "title: { type: string }", "/things/{thing}:", "/items/{thing}:"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(report)
	if err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Renames []struct {
			Kind, In, From, To string
			Places             []struct{ OperationID string }
		} `json:"renames"`
		Moves []struct {
			OperationID string
			From, To    struct{ Method, Path string }
		} `json:"moves"`
	}
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	if len(decoded.Renames) != 1 || decoded.Renames[0].From != "label" || decoded.Renames[0].To != "title" ||
		len(decoded.Renames[0].Places) != 1 || decoded.Renames[0].Places[0].OperationID != "createThing" {
		t.Errorf("renames in JSON: %s", b)
	}
	if len(decoded.Moves) != 1 || decoded.Moves[0].From.Path != "/things/{thing}" || decoded.Moves[0].To.Path != "/items/{thing}" {
		t.Errorf("moves in JSON: %s", b)
	}
}

// TestDiffRecursiveSchemas: a schema that holds itself (through items and allOf) must not
// send the rename search into an endless walk.
func TestDiffRecursiveSchemas(t *testing.T) {
	const doc = `openapi: 3.0.3
info: { title: tree, version: "1" }
paths:
  /tree:
    get:
      operationId: getTree
      responses:
        "200":
          description: a tree
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Node" }
components:
  schemas:
    Node:
      type: object
      properties:
        label: { type: string }
        children: { type: array, items: { $ref: "#/components/schemas/Node" } }
        twin: { allOf: [{ $ref: "#/components/schemas/Node" }] }
        deep: { $ref: "#/components/schemas/Deep" }
    Deep:
      type: array
      items: { $ref: "#/components/schemas/Deep" }
`
	report, err := specdiff.Diff(t.Context(), []byte(doc), []byte(strings.ReplaceAll(doc, "label:", "name:")))
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Renames) != 1 || report.Renames[0].From != "label" || report.Renames[0].To != "name" {
		t.Errorf("renames = %+v, want label → name", report.Renames)
	}
}
