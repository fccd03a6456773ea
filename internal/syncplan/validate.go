package syncplan

import (
	"context"
	"encoding/json"
	"fmt"

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
	s *spec.Spec
}

// NewSpecValidator returns a validator of the four operations a plan uses.
func NewSpecValidator() (*SpecValidator, error) {
	s, err := spec.Embedded()
	if err != nil {
		return nil, fmt.Errorf("syncplan: %w", err)
	}
	return &SpecValidator{s: s}, nil
}

// Check returns the details the API would answer for body, none when it is valid.
func (s *SpecValidator) Check(op string, body map[string]any) []gen.ErrorDetail {
	b, err := json.Marshal(body)
	if err != nil {
		return []gen.ErrorDetail{{Field: "base", Message: err.Error()}}
	}
	id, ok := operations[op]
	if !ok {
		return []gen.ErrorDetail{{Field: "base", Message: "unknown operation " + op}}
	}
	vs := s.s.Check(context.Background(), spec.Target{Operation: id}, b)
	out := make([]gen.ErrorDetail, len(vs))
	for i, v := range vs {
		out[i] = v.Detail()
	}
	return out
}
