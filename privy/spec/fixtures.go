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

	"github.com/getkin/kin-openapi/routers"

	"github.com/privy-go/privy-go/internal/specdoc"
)

// FixtureLayout documents where a fixture's path says what it is.
const FixtureLayout = `<operationId>/request/{valid|invalid}/<name>.json or ` +
	`<operationId>/response/<status>/{valid|invalid}/<name>.json`

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
// the embedded document. It never panics on bad input: a missing or unreadable file, a file
// that is not JSON, an unknown operation or status, and a schema violation each come back as
// a Violation on that file's result. Results are sorted by file.
func ValidateFixtures(ctx context.Context, paths ...string) []FixtureResult {
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
		results = append(results, ValidateFixture(ctx, f))
	}
	slices.SortFunc(results, func(a, b FixtureResult) int { return strings.Compare(a.File, b.File) })
	return results
}

// ValidateFixture validates one fixture file; see ValidateFixtures and FixtureLayout.
func ValidateFixture(ctx context.Context, file string) FixtureResult {
	res, err := parseFixturePath(file)
	if err != nil {
		return fileProblem(file, "path", err.Error())
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fileProblem(file, "read", err.Error())
	}
	method, path, op, err := findOperation(res.Operation)
	if err != nil {
		res.Violations = []Violation{{File: file, In: "file", Rule: "operation", Message: err.Error()}}
		return res
	}
	var vs []Violation
	if res.Request {
		vs = checkRequestFixture(ctx, method, path, data)
	} else {
		vs = checkResponse(op, res.Status, nil, data)
	}
	for i := range vs {
		vs[i].File = file
		if vs[i].Rule == "status" {
			vs[i].In = "file" // the path names a status the spec does not have
		}
	}
	res.Violations = vs
	return res
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

// checkRequestFixture turns a fixture into the HTTP request it describes and validates it:
// the JSON body as it is, a form body from a JSON object, or query parameters from a JSON
// object when the operation has no body.
func checkRequestFixture(ctx context.Context, method, path string, data []byte) []Violation {
	doc, err := specdoc.Load()
	if err != nil {
		return []Violation{{In: "file", Rule: "spec", Message: err.Error()}}
	}
	item := doc.Paths.Value(path)
	op := item.GetOperation(method)
	route := &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
	base := Violation{Operation: op.OperationID, In: "body"}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		base.Rule, base.Field, base.Message = "json", "base", "not valid JSON: "+err.Error()
		return []Violation{base}
	}
	req, err := http.NewRequestWithContext(ctx, method, path, nil)
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
	return checkRoute(ctx, route, nil, req, body)
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
