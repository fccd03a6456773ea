package syncplan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/spec"
)

// operations maps the step operations onto the spec's operation ids.
var operations = map[string]string{
	OpCreate: "createContact", OpUpdate: "updateContact", OpUnsubscribe: "unsubscribeContact", OpDelete: "deleteContact",
}

// SpecValidator checks request bodies against the embedded spec, as the client's pre-flight
// validation does, without sending anything.
type SpecValidator struct {
	v      *spec.Validator
	routes map[string][2]string // op -> method, URL
}

// NewSpecValidator returns a validator of the four operations a plan uses.
func NewSpecValidator() (*SpecValidator, error) {
	const base = "/v1"
	v, err := spec.NewValidator(base)
	if err != nil {
		return nil, err
	}
	s := &SpecValidator{v: v, routes: map[string][2]string{}}
	for op, id := range operations {
		method, path, _, err := spec.Operation(id)
		if err != nil {
			return nil, fmt.Errorf("syncplan: %w", err)
		}
		s.routes[op] = [2]string{method, "http://localhost" + base + path}
	}
	return s, nil
}

// Check returns the details the API would answer for body, none when it is valid.
func (s *SpecValidator) Check(op string, body map[string]any) []gen.ErrorDetail {
	b, err := json.Marshal(body)
	if err != nil {
		return []gen.ErrorDetail{{Field: "base", Message: err.Error()}}
	}
	route, ok := s.routes[op]
	if !ok {
		return []gen.ErrorDetail{{Field: "base", Message: "unknown operation " + op}}
	}
	req, err := http.NewRequestWithContext(context.Background(), route[0], route[1], bytes.NewReader(b))
	if err != nil {
		return []gen.ErrorDetail{{Field: "base", Message: err.Error()}}
	}
	req.Header.Set("Content-Type", "application/json")
	_, vs := s.v.CheckRequest(req.Context(), req, b)
	out := make([]gen.ErrorDetail, len(vs))
	for i, v := range vs {
		out[i] = v.Detail()
	}
	return out
}
