package spec

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/privy-go/privy-go/internal/specdoc"
)

// FixtureLayout documents where a fixture's path says what it is.
const FixtureLayout = `<operationId>/request/{valid|invalid}/<name>.json or ` +
	`<operationId>/response/<status>/{valid|invalid}/<name>.json`

// PathKey is the key of a request fixture's object that holds the values of the operation's
// path parameters, as in {"_path": {"id": "ct_123"}, "first_name": "Jane"}. It is taken out
// before the rest is checked as the body (or as the query, for an operation without a body).
const PathKey = "_path"

// maxFixtureSize caps the size of a fixture file that is read.
const maxFixtureSize = 8 << 20

// Spec is one revision of the API's OpenAPI document, for checking fixtures and recorded
// traffic against it: the one embedded in this build (Embedded) or any other (Load).
type Spec struct {
	doc *openapi3.T
}

// Embedded returns the spec embedded in package gen.
func Embedded() (*Spec, error) {
	doc, err := specdoc.Load()
	if err != nil {
		return nil, err
	}
	return &Spec{doc: doc}, nil
}

// Load parses an OpenAPI 3 document (YAML or JSON), such as a revision being edited or a
// frozen release. External references are refused, and the document must be valid.
func Load(ctx context.Context, data []byte) (*Spec, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("spec: not a readable OpenAPI document: %w", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, fmt.Errorf("spec: OpenAPI version %q is not supported (want 3.x)", doc.OpenAPI)
	}
	if err := doc.Validate(ctx, openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("spec: invalid OpenAPI document: %w", err)
	}
	return &Spec{doc: doc}, nil
}

// Target says what a fixture or recording is: a request of an operation (Status 0), or one of
// its responses.
type Target struct {
	// Operation is the operationId.
	Operation string
	// Status is the response status, or 0 for a request.
	Status int
}

// FixtureResult is the outcome of validating one fixture file.
type FixtureResult struct {
	// File is the fixture's path.
	File string `json:"file"`
	// Operation, Status and Request say what the path declares the fixture to be.
	Operation string `json:"operation,omitempty"`
	Status    int    `json:"status,omitempty"`
	Request   bool   `json:"request,omitempty"`
	// Invalid is true for negative fixtures (under an "invalid" directory), which must break
	// at least one rule.
	Invalid bool `json:"invalid"`
	// Violations lists every rule the file breaks (or why it could not be checked).
	Violations []Violation `json:"violations,omitempty"`
}

// OK reports whether the fixture is what its path says: a positive fixture without
// violations, or a negative one with at least one contract violation.
func (r FixtureResult) OK() bool {
	if r.Invalid {
		return len(r.Violations) > 0 && !r.unusable()
	}
	return len(r.Violations) == 0
}

// unusable reports a fixture that could not be checked at all (unreadable, misplaced).
func (r FixtureResult) unusable() bool {
	return slices.ContainsFunc(r.Violations, func(v Violation) bool { return v.In == "file" })
}

// ValidateFixtures validates each file, and every *.json file below each directory, against
// the embedded document; see (*Spec).ValidateFixtures.
func ValidateFixtures(ctx context.Context, paths ...string) []FixtureResult {
	s, err := Embedded()
	if err != nil {
		return []FixtureResult{fileProblem("", "spec", err.Error())}
	}
	return s.ValidateFixtures(ctx, paths...)
}

// ValidateFixture validates one fixture file against the embedded document; see FixtureLayout.
func ValidateFixture(ctx context.Context, file string) FixtureResult {
	s, err := Embedded()
	if err != nil {
		return fileProblem(file, "spec", err.Error())
	}
	return s.ValidateFixture(ctx, file)
}

// ValidateFixtures validates each file, and every *.json file below each directory. It never
// panics on bad input: a missing or unreadable file, a file that is not JSON, an unknown
// operation or status, and a schema violation each come back as a Violation on that file's
// result. Results are sorted by file.
func (s *Spec) ValidateFixtures(ctx context.Context, paths ...string) []FixtureResult {
	return s.validateAll(paths, func(f string) FixtureResult { return s.ValidateFixture(ctx, f) })
}

// ValidateFiles validates each file, and every *.json file below each directory, as target,
// wherever it lies: for fixtures and recordings outside FixtureLayout. Every file is a
// positive fixture.
func (s *Spec) ValidateFiles(ctx context.Context, target Target, paths ...string) []FixtureResult {
	return s.validateAll(paths, func(f string) FixtureResult { return s.ValidateFile(ctx, target, f) })
}

func (s *Spec) validateAll(paths []string, validate func(string) FixtureResult) []FixtureResult {
	var files []string
	var results []FixtureResult
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			results = append(results, fileProblem(p, "read", err.Error()))
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				results = append(results, fileProblem(path, "read", err.Error()))
				return nil
			}
			if !d.IsDir() && strings.HasSuffix(path, ".json") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			results = append(results, fileProblem(p, "read", err.Error()))
		}
	}
	for _, f := range files {
		results = append(results, validate(f))
	}
	slices.SortFunc(results, func(a, b FixtureResult) int { return strings.Compare(a.File, b.File) })
	return results
}

// ValidateFixture validates one fixture file, whose path says what it is (FixtureLayout).
func (s *Spec) ValidateFixture(ctx context.Context, file string) FixtureResult {
	res, err := parseFixturePath(file)
	if err != nil {
		return fileProblem(file, "path", err.Error())
	}
	out := s.ValidateFile(ctx, Target{Operation: res.Operation, Status: res.Status}, file)
	res.Violations = out.Violations
	return res
}

// ValidateFile validates one file as target, wherever it lies; the result is a positive one.
func (s *Spec) ValidateFile(ctx context.Context, target Target, file string) FixtureResult {
	res := FixtureResult{File: file, Operation: target.Operation, Status: target.Status, Request: target.Status == 0}
	data, err := readCapped(file)
	if err != nil {
		res.Violations = fileProblem(file, "read", err.Error()).Violations
		return res
	}
	vs := s.Check(ctx, target, data)
	for i := range vs {
		vs[i].File = file
	}
	res.Violations = vs
	return res
}

func readCapped(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > maxFixtureSize {
		return nil, fmt.Errorf("%d bytes is more than a fixture may hold (%d)", info.Size(), maxFixtureSize)
	}
	return os.ReadFile(file)
}

// Check validates data as target: a request fixture (a JSON body; a JSON object for a form body
// or for the query of an operation without a body; path parameter values under PathKey) or a
// response body. An unknown operation or a status the operation does not declare is reported
// as a violation with In "file".
func (s *Spec) Check(ctx context.Context, target Target, data []byte) []Violation {
	method, path, op, err := s.operation(target.Operation)
	if err != nil {
		return []Violation{{In: "file", Rule: "operation", Message: err.Error()}}
	}
	if target.Status == 0 {
		return s.checkRequestFixture(ctx, method, path, op, data)
	}
	vs := checkResponse(op, target.Status, nil, data)
	for i := range vs {
		if vs[i].Rule == "status" {
			vs[i].In = "file" // the caller names a status the spec does not have
		}
	}
	return vs
}

// operation finds an operation by its operationId.
func (s *Spec) operation(id string) (method, path string, op *openapi3.Operation, err error) {
	var known []string
	for _, p := range s.doc.Paths.InMatchingOrder() {
		for m, o := range s.doc.Paths.Value(p).Operations() {
			if o.OperationID == id {
				return m, p, o, nil
			}
			known = append(known, o.OperationID)
		}
	}
	return "", "", nil, fmt.Errorf("unknown operation %q (the spec has %s)", id, strings.Join(sortedUnique(known), ", "))
}

func fileProblem(file, rule, msg string) FixtureResult {
	return FixtureResult{File: file, Violations: []Violation{{File: file, In: "file", Rule: rule, Message: msg}}}
}

func parseFixturePath(file string) (FixtureResult, error) {
	res := FixtureResult{File: file}
	segs := strings.Split(filepath.ToSlash(filepath.Clean(file)), "/")
	n := len(segs)
	bad := fmt.Errorf("the path does not say what the fixture is; expected %s", FixtureLayout)
	if n < 4 || !strings.HasSuffix(segs[n-1], ".json") {
		return res, bad
	}
	switch segs[n-2] {
	case "valid":
	case "invalid":
		res.Invalid = true
	default:
		return res, bad
	}
	if segs[n-3] == "request" {
		res.Request, res.Operation = true, segs[n-4]
		return res, nil
	}
	if n < 5 || segs[n-4] != "response" {
		return res, bad
	}
	status, err := strconv.Atoi(segs[n-3])
	if err != nil || status < 100 || status > 599 {
		return res, fmt.Errorf("%q is not an HTTP status; expected %s", segs[n-3], FixtureLayout)
	}
	res.Status, res.Operation = status, segs[n-5]
	return res, nil
}

// pathParams returns the path parameters of an operation (path-level ones included).
func pathParams(item *openapi3.PathItem, op *openapi3.Operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, group := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range group {
			if ref != nil && ref.Value != nil && ref.Value.In == openapi3.ParameterInPath {
				out = append(out, ref.Value)
			}
		}
	}
	return out
}

// checkRequestFixture turns a fixture into the HTTP request it describes and validates it:
// the path from the values under PathKey, then the JSON body as it is, a form body from a JSON
// object, or query parameters from a JSON object when the operation has no body.
func (s *Spec) checkRequestFixture(ctx context.Context, method, path string, op *openapi3.Operation, data []byte) []Violation {
	item := s.doc.Paths.Value(path)
	route := &routers.Route{Spec: s.doc, Path: path, PathItem: item, Method: method, Operation: op}
	base := Violation{Operation: op.OperationID, In: "body"}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		base.Rule, base.Field, base.Message = "json", "base", "not valid JSON: "+err.Error()
		return []Violation{base}
	}
	params := pathParams(item, op)
	data, values, vs := splitPath(data, params, base)
	if len(vs) > 0 {
		return vs
	}
	target := path
	for name, value := range values {
		target = strings.ReplaceAll(target, "{"+name+"}", url.PathEscape(value))
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return []Violation{{In: "file", Rule: "request", Message: err.Error()}}
	}
	body := data
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		ct := "application/json"
		if op.RequestBody.Value.Content.Get("application/json") == nil {
			ct = "application/x-www-form-urlencoded"
			values, err := objectToValues(data)
			if err != nil {
				base.Rule, base.Field, base.Message = "type", "base", err.Error()
				return []Violation{base}
			}
			body = []byte(values.Encode())
		}
		req.Header.Set("Content-Type", ct)
	} else {
		values, err := objectToValues(data)
		if err != nil {
			base.In, base.Rule, base.Field, base.Message = "query", "type", "base", err.Error()
			return []Violation{base}
		}
		req.URL.RawQuery = values.Encode()
		body = nil
	}
	return checkRoute(ctx, route, values, req, body)
}

// splitPath takes the path parameter values out of a request fixture: the object under
// PathKey. It returns the rest of the fixture, the values, and what is wrong with them: a
// PathKey that is not an object of strings or numbers, or names a parameter the operation
// does not have. A missing value is left to the validator, which reports it as required.
func splitPath(data []byte, params []*openapi3.Parameter, base Violation) ([]byte, map[string]string, []Violation) {
	values := map[string]string{}
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return data, values, nil // not an object: the body check says what is wrong
	}
	raw, ok := obj[PathKey]
	if !ok {
		return data, values, nil
	}
	base.In, base.Pointer, base.Field = "path", "", PathKey
	var given map[string]any
	if err := json.Unmarshal(raw, &given); err != nil {
		base.Rule, base.Message = "type", fmt.Sprintf("%q must be an object of path parameter values", PathKey)
		return nil, nil, []Violation{base}
	}
	var vs []Violation
	for name, v := range given {
		if !slices.ContainsFunc(params, func(p *openapi3.Parameter) bool { return p.Name == name }) {
			x := base
			x.Pointer, x.Field, x.Rule = "/"+name, name, "path"
			x.Message = fmt.Sprintf("is not a path parameter of %s (it has: %s)", base.Operation, paramNames(params))
			vs = append(vs, x)
			continue
		}
		switch v.(type) {
		case string, float64, bool:
			values[name] = fmt.Sprint(v)
		default:
			x := base
			x.Pointer, x.Field, x.Rule, x.Message = "/"+name, name, "type", "a path parameter value must be a string, number or boolean"
			vs = append(vs, x)
		}
	}
	if len(vs) > 0 {
		slices.SortFunc(vs, func(a, b Violation) int { return strings.Compare(a.Pointer, b.Pointer) })
		return nil, nil, vs
	}
	delete(obj, PathKey)
	rest, err := json.Marshal(obj)
	if err != nil {
		return nil, nil, []Violation{{In: "file", Rule: "json", Message: err.Error()}}
	}
	return rest, values, nil
}

func paramNames(params []*openapi3.Parameter) string {
	if len(params) == 0 {
		return "none"
	}
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// objectToValues flattens a JSON object of scalars (or arrays of scalars) into url.Values.
func objectToValues(data []byte) (url.Values, error) {
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("a query or form fixture must be a JSON object: %v", err)
	}
	values := url.Values{}
	for k, v := range obj {
		items, ok := v.([]any)
		if !ok {
			items = []any{v}
		}
		for _, item := range items {
			switch item.(type) {
			case nil:
				continue // null means the parameter is absent, not the text "<nil>"
			case map[string]any, []any:
				return nil, fmt.Errorf("parameter %q must be a scalar", k)
			}
			values.Add(k, fmt.Sprint(item))
		}
	}
	return values, nil
}
