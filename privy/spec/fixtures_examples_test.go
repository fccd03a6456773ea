package spec_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/privy/spec"
)

// TestExampleFixturesInStep fails when testdata/fixtures is not what `make fixtures` writes:
// an example of the spec without its fixture, a fixture that differs from its example, or an
// example_*.json left over from an example the spec no longer has.
func TestExampleFixturesInStep(t *testing.T) {
	s, err := spec.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := s.ExampleFixtures()
	if err != nil {
		t.Fatal(err)
	}
	if len(fixtures) == 0 {
		t.Fatal("the spec has no examples")
	}
	want := map[string]bool{}
	for _, f := range fixtures {
		file := filepath.Join(fixturesDir, filepath.FromSlash(f.Path))
		want[file] = true
		got, err := os.ReadFile(file)
		switch {
		case err != nil:
			t.Errorf("example fixture %s is missing (run make fixtures): %v", f.Path, err)
		case !bytes.Equal(got, f.Data):
			t.Errorf("example fixture %s differs from the spec's example (run make fixtures)", f.Path)
		}
	}
	err = filepath.WalkDir(fixturesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), spec.ExamplePrefix) && !want[path] {
			t.Errorf("%s is an example fixture of no example of the spec (run make fixtures)", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// pathSpec has an operation with a path parameter, with examples for the path, the request
// and the response.
const pathSpec = `openapi: 3.0.3
info: { title: path, version: "1" }
paths:
  /things/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string, pattern: "^th_[a-z0-9]+$" }, example: th_1 }
    patch:
      operationId: updateThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                name: { type: string }
            examples:
              rename: { value: { name: Lamp } }
      responses:
        "200":
          description: the thing
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: { type: string }
              example: { id: th_1 }
    get:
      operationId: getThing
      parameters:
        - { name: verbose, in: query, schema: { type: boolean } }
      responses:
        "204": { description: none }
`

func TestExampleFixturesWithPathParameters(t *testing.T) {
	s, err := spec.Load(context.Background(), []byte(pathSpec))
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := s.ExampleFixtures()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range fixtures {
		got[f.Path] = string(f.Data)
	}
	want := map[string]string{
		"getThing/request/valid/example_path.json":            "{\n  \"_path\": {\n    \"id\": \"th_1\"\n  }\n}\n",
		"updateThing/request/valid/example_rename.json":       "{\n  \"_path\": {\n    \"id\": \"th_1\"\n  },\n  \"name\": \"Lamp\"\n}\n",
		"updateThing/response/200/valid/example_example.json": "{\n  \"id\": \"th_1\"\n}\n",
	}
	if len(got) != len(want) {
		t.Errorf("got fixtures %v, want %v", got, want)
	}
	for path, data := range want {
		if got[path] != data {
			t.Errorf("%s = %q, want %q", path, got[path], data)
		}
	}
	// Each written fixture passes its own spec.
	dir := t.TempDir()
	for _, f := range fixtures {
		file := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range s.ValidateFixtures(context.Background(), dir) {
		if !r.OK() {
			t.Errorf("%s: %v", r.File, r.Violations)
		}
	}
}

func TestExampleFixturesNeedPathExamples(t *testing.T) {
	s, err := spec.Load(context.Background(), []byte(strings.Replace(pathSpec, ", example: th_1 }", " }", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ExampleFixtures(); err == nil || !strings.Contains(err.Error(), `path parameter "id" has no example`) {
		t.Fatalf("ExampleFixtures without a path example: err = %v", err)
	}
}

func TestRequestFixturePathValues(t *testing.T) {
	s, err := spec.Load(context.Background(), []byte(pathSpec))
	if err != nil {
		t.Fatal(err)
	}
	patch := spec.Target{Operation: "updateThing"}
	get := spec.Target{Operation: "getThing"}
	tests := []struct {
		name   string
		target spec.Target
		data   string
		want   []fixtureWant // nil: no violation
	}{
		{"path and body", patch, `{"_path": {"id": "th_9"}, "name": "Lamp"}`, nil},
		{"path and query", get, `{"_path": {"id": "th_9"}, "verbose": true}`, nil},
		{"path value breaks its pattern", patch, `{"_path": {"id": "nine"}, "name": "Lamp"}`,
			[]fixtureWant{{in: "path", pointer: "/id", rule: "pattern"}}},
		{"path value missing", get, `{}`,
			[]fixtureWant{{in: "path", pointer: "/id", rule: "required"}}},
		{"unknown path parameter", get, `{"_path": {"id": "th_9", "idx": "2"}}`,
			[]fixtureWant{{in: "path", pointer: "/idx", rule: "path", message: "not a path parameter of getThing"}}},
		{"path not an object", get, `{"_path": "th_9"}`,
			[]fixtureWant{{in: "path", rule: "type"}}},
		{"path value not a scalar", get, `{"_path": {"id": ["th_9"]}}`,
			[]fixtureWant{{in: "path", pointer: "/id", rule: "type"}}},
		{"body still closed after _path goes", patch, `{"_path": {"id": "th_9"}, "nom": "Lamp"}`,
			[]fixtureWant{{in: "body", pointer: "/nom", rule: "additionalProperties"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := s.Check(context.Background(), tt.target, []byte(tt.data))
			if len(vs) != len(tt.want) {
				t.Fatalf("violations %v, want %+v", vs, tt.want)
			}
			for i, w := range tt.want {
				if !w.matches(vs[i]) {
					t.Errorf("violation %+v, want %+v", vs[i], w)
				}
			}
		})
	}
}
