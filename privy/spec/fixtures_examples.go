package spec

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ExamplePrefix starts the file name of every fixture written from an example of the spec.
const ExamplePrefix = "example_"

// Fixture is a fixture file: its path in FixtureLayout (slash-separated, relative to a
// fixtures directory) and its content.
type Fixture struct {
	Path string
	Data []byte
}

// ExampleFixtures returns every example of the spec as a positive fixture: each request and
// response body example of every operation, as <operationId>/request/valid/example_<name>.json
// and <operationId>/response/<status>/valid/example_<name>.json. The request fixture of an
// operation with path parameters holds their values under PathKey, taken from each
// parameter's example; an operation with path parameters and no request body gets
// example_path.json holding only those. A path parameter without an example is an error.
// Fixtures are sorted by path.
func (s *Spec) ExampleFixtures() ([]Fixture, error) {
	var out []Fixture
	add := func(dir, name string, v any) error {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("%s example %q: %w", dir, name, err)
		}
		out = append(out, Fixture{Path: path.Join(dir, "valid", ExamplePrefix+fileName(name)+".json"), Data: append(data, '\n')})
		return nil
	}
	for _, p := range s.doc.Paths.InMatchingOrder() {
		item := s.doc.Paths.Value(p)
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, fmt.Errorf("%s %s has no operationId: its fixtures have no directory", method, p)
			}
			pathValues, err := pathExamples(op.OperationID, pathParams(item, op))
			if err != nil {
				return nil, err
			}
			reqDir := op.OperationID + "/request"
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, ex := range mediaExamples(op.RequestBody.Value.Content) {
					v := ex.value
					if len(pathValues) > 0 {
						obj, ok := v.(map[string]any)
						if !ok {
							return nil, fmt.Errorf("%s request example %q: an operation with path parameters needs an object body to hold %q", op.OperationID, ex.name, PathKey)
						}
						v = withPath(obj, pathValues)
					}
					if err := add(reqDir, ex.name, v); err != nil {
						return nil, err
					}
				}
			} else if len(pathValues) > 0 {
				if err := add(reqDir, "path", map[string]any{PathKey: pathValues}); err != nil {
					return nil, err
				}
			}
			if op.Responses == nil {
				continue
			}
			for status, ref := range op.Responses.Map() {
				if ref.Value == nil {
					continue
				}
				if _, err := strconv.Atoi(status); err != nil {
					continue // "default" or "4XX": no single status directory
				}
				for _, ex := range mediaExamples(ref.Value.Content) {
					if err := add(op.OperationID+"/response/"+status, ex.name, ex.value); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Fixture) int { return strings.Compare(a.Path, b.Path) })
	for i := 1; i < len(out); i++ {
		if out[i].Path == out[i-1].Path {
			return nil, fmt.Errorf("two examples would both be written to %s: rename one", out[i].Path)
		}
	}
	return out, nil
}

type namedExample struct {
	name  string
	value any
}

// mediaExamples lists the examples of the JSON or form media types of content: the named
// ones, and a single unnamed example as "example".
func mediaExamples(content openapi3.Content) []namedExample {
	var out []namedExample
	for _, ct := range []string{"application/json", "application/x-www-form-urlencoded"} {
		media := content.Get(ct)
		if media == nil {
			continue
		}
		if media.Example != nil {
			out = append(out, namedExample{"example", media.Example})
		}
		for name, ref := range media.Examples {
			if ref != nil && ref.Value != nil {
				out = append(out, namedExample{name, ref.Value.Value})
			}
		}
	}
	slices.SortFunc(out, func(a, b namedExample) int { return strings.Compare(a.name, b.name) })
	return out
}

// pathExamples returns an example value for each path parameter.
func pathExamples(opID string, params []*openapi3.Parameter) (map[string]any, error) {
	out := map[string]any{}
	for _, p := range params {
		v := p.Example
		if v == nil {
			for _, name := range sortedKeys(p.Examples) {
				if ex := p.Examples[name]; ex != nil && ex.Value != nil {
					v = ex.Value.Value
					break
				}
			}
		}
		if v == nil && p.Schema != nil && p.Schema.Value != nil {
			v = p.Schema.Value.Example
		}
		if v == nil {
			return nil, fmt.Errorf("%s: path parameter %q has no example: give it one in the spec (example:) so its fixtures can name a path", opID, p.Name)
		}
		out[p.Name] = v
	}
	return out, nil
}

func withPath(obj map[string]any, values map[string]any) map[string]any {
	out := make(map[string]any, len(obj)+1)
	for k, v := range obj {
		out[k] = v
	}
	out[PathKey] = values
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// fileName makes an example's name safe as a file name.
func fileName(name string) string {
	name = strings.Trim(unsafeName.ReplaceAllString(name, "_"), "._")
	if name == "" {
		return "unnamed"
	}
	return name
}
