package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/privy-go/privy-go/internal/specdoc"
)

// Validator checks HTTP requests and responses against the embedded document. It is safe
// for concurrent use.
type Validator struct {
	basePath string
	router   routers.Router
}

// NewValidator returns a Validator for traffic whose API paths sit below basePath (for
// example "/v1"). Only paths with servers of their own, such as the token endpoint, are
// matched outside it.
func NewValidator(basePath string) (*Validator, error) {
	doc, err := specdoc.Load()
	if err != nil {
		return nil, err
	}
	bare := *doc // a shallow copy without servers, so routing ignores the host
	bare.Servers = nil
	r, err := legacy.NewRouter(&bare)
	if err != nil {
		return nil, fmt.Errorf("spec: building the router: %w", err)
	}
	return &Validator{basePath: strings.TrimRight(basePath, "/"), router: r}, nil
}

// BasePath returns the path prefix of the API's /v1 operations.
func (v *Validator) BasePath() string { return v.basePath }

// OperationID names the operation of the spec that a request with this method and URL is for,
// or returns an error when the spec has none.
func (v *Validator) OperationID(method string, u *url.URL) (string, error) {
	route, _, err := v.route(method, u)
	if err != nil {
		return "", err
	}
	return route.Operation.OperationID, nil
}

// route finds the operation a request is for.
func (v *Validator) route(method string, u *url.URL) (*routers.Route, map[string]string, error) {
	path := u.Path
	if v.basePath != "" {
		if rest, ok := strings.CutPrefix(path, v.basePath); ok && (rest == "" || rest[0] == '/') {
			route, params, err := v.router.FindRoute(&http.Request{Method: method, URL: &url.URL{Path: rest}})
			// A path with servers of its own (the token endpoint) lives outside the base path.
			if err == nil && len(route.PathItem.Servers) == 0 {
				return route, params, nil
			}
		}
	}
	route, params, err := v.router.FindRoute(&http.Request{Method: method, URL: &url.URL{Path: path, RawQuery: u.RawQuery}})
	// Outside the base path only the paths with servers of their own are served.
	if err == nil && v.basePath != "" && len(route.PathItem.Servers) == 0 {
		return nil, nil, fmt.Errorf("%s %s is outside the base path %s", method, path, v.basePath)
	}
	return route, params, err
}

// CheckRequest validates a request whose body has been read into body. It returns the
// operationId ("" when no operation matches) and the violations found. Authentication is
// not checked here.
func (v *Validator) CheckRequest(ctx context.Context, r *http.Request, body []byte) (string, []Violation) {
	route, params, err := v.route(r.Method, r.URL)
	if err != nil {
		return "", []Violation{{In: "route", Rule: "route", Field: "base",
			Message: fmt.Sprintf("no operation for %s %s", r.Method, r.URL.Path)}}
	}
	return route.Operation.OperationID, checkRoute(ctx, route, params, r, body)
}

var requestOptions = &openapi3filter.Options{
	MultiError:          true,
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	SkipSettingDefaults: true,
}

func checkRoute(ctx context.Context, route *routers.Route, params map[string]string, r *http.Request, body []byte) []Violation {
	clone := r.Clone(ctx)
	clone.Body = io.NopCloser(bytes.NewReader(body))
	clone.ContentLength = int64(len(body))
	if len(body) == 0 {
		clone.Body = http.NoBody
	}
	in := &openapi3filter.RequestValidationInput{Request: clone, PathParams: params, Route: route, Options: requestOptions}
	err := openapi3filter.ValidateRequest(ctx, in)
	vs := undeclaredQuery(route, r.URL.Query())
	vs = append(vs, violations(err, Violation{Operation: route.Operation.OperationID, In: "body"})...)
	// An empty body where one is required is reported by kin-openapi with no pointer.
	for i := range vs {
		if vs[i].Rule == "parse" && len(body) > 0 && !json.Valid(body) && isJSON(r.Header.Get("Content-Type")) {
			vs[i].Rule, vs[i].Field, vs[i].Message = "json", "base", "request body is not valid JSON"
		}
	}
	return vs
}

// closedQueryExt is the spec extension that closes an operation's query: a parameter the
// operation does not declare is refused. It is set on the document (the default for every
// operation) and may be overridden on an operation.
const closedQueryExt = "x-privy-closed-query"

// undeclaredQuery reports each query parameter the route's operation does not declare, when
// the spec closes its query (see closedQueryExt), sorted by name.
func undeclaredQuery(route *routers.Route, query url.Values) []Violation {
	if len(query) == 0 || !closedQuery(route) {
		return nil
	}
	declared := map[string]bool{}
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range params {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared[p.Value.Name] = true
			}
		}
	}
	var out []Violation
	for _, name := range slices.Sorted(maps.Keys(query)) {
		if !declared[name] {
			out = append(out, Violation{Operation: route.Operation.OperationID, In: "query", Pointer: "/" + name,
				Rule: "additionalProperties", Field: name, Message: "is not a known parameter"})
		}
	}
	return out
}

// closedQuery reads closedQueryExt from the operation, else from the document.
func closedQuery(route *routers.Route) bool {
	if b, ok := route.Operation.Extensions[closedQueryExt].(bool); ok {
		return b
	}
	if route.Spec != nil {
		if b, ok := route.Spec.Extensions[closedQueryExt].(bool); ok {
			return b
		}
	}
	return false
}

// CheckResponse validates a response to the request r. Unlike kin-openapi's response
// validation it reports every header and every body problem, not only the first one.
func (v *Validator) CheckResponse(r *http.Request, status int, header http.Header, body []byte) []Violation {
	route, _, err := v.route(r.Method, r.URL)
	if err != nil {
		return []Violation{{Status: status, In: "route", Rule: "route",
			Message: fmt.Sprintf("no operation for %s %s", r.Method, r.URL.Path)}}
	}
	return checkResponse(route.Operation, status, header, body)
}

// checkResponse validates status, headers (unless header is nil) and body.
func checkResponse(op *openapi3.Operation, status int, header http.Header, body []byte) []Violation {
	base := Violation{Operation: op.OperationID, Status: status}
	ref := op.Responses.Status(status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		base.In, base.Rule = "status", "status"
		base.Message = fmt.Sprintf("%s declares no response %d (declared: %s)", op.OperationID, status, strings.Join(declaredStatuses(op), ", "))
		return []Violation{base}
	}
	resp := ref.Value
	var out []Violation
	if header != nil {
		names := make([]string, 0, len(resp.Headers))
		for name := range resp.Headers {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			h := resp.Headers[name].Value
			hv := base
			hv.In, hv.Pointer, hv.Field = "header", "/"+name, name
			values := header.Values(name)
			if len(values) == 0 {
				if h.Required {
					hv.Rule, hv.Message = "required", "is required"
					out = append(out, hv)
				}
				continue
			}
			if h.Schema != nil && h.Schema.Value != nil {
				if err := h.Schema.Value.VisitJSON(values[0], openapi3.MultiErrors()); err != nil {
					for _, x := range violations(err, hv) {
						x.Pointer = hv.Pointer // a header value has no inner structure
						out = append(out, x)
					}
				}
			}
		}
	}
	media := resp.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		if len(resp.Content) == 0 && len(bytes.TrimSpace(body)) > 0 {
			base.In, base.Rule, base.Message = "body", "body", "the spec declares no body for this response"
			out = append(out, base)
		}
		return out
	}
	if header != nil {
		if ct := header.Get("Content-Type"); !isJSON(ct) {
			base.In, base.Rule = "header", "content-type"
			base.Pointer, base.Field = "/Content-Type", "Content-Type"
			base.Message = fmt.Sprintf("content type %q is not application/json", ct)
			return append(out, base)
		}
	}
	return append(out, checkJSON(media.Schema.Value, body, base, openapi3.VisitAsResponse())...)
}

// checkJSON decodes body as JSON and validates it against schema.
func checkJSON(schema *openapi3.Schema, body []byte, base Violation, opts ...openapi3.SchemaValidationOption) []Violation {
	base.In = "body"
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		base.Rule, base.Field, base.Message = "json", "base", "not valid JSON: "+err.Error()
		return []Violation{base}
	}
	err := schema.VisitJSON(value, append(opts, openapi3.MultiErrors())...)
	return violations(err, base)
}

func declaredStatuses(op *openapi3.Operation) []string {
	var out []string
	for code := range op.Responses.Map() {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

func isJSON(contentType string) bool {
	return strings.Contains(strings.ToLower(contentType), "json")
}
