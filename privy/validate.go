package privy

import (
	"context"
	"net/http"
)

// check validates req against the spec (unless WithoutValidation) and names its operation
// ("" when the spec has none, or when the operation is not needed).
func (t *Transport) check(ctx context.Context, req *http.Request, body []byte) (string, error) {
	if t.validator == nil {
		return "", nil
	}
	if t.o.noValidate {
		op, err := t.validator.OperationID(req.Method, req.URL)
		if err != nil {
			return "", nil
		}
		return op, nil
	}
	op, vs := t.validator.CheckRequest(ctx, req, body)
	if op == "" || len(vs) == 0 {
		return op, nil // a path the spec does not know is left to the server
	}
	e := &Error{StatusCode: http.StatusUnprocessableEntity, Code: ErrorCodeValidationFailed,
		Message: "One or more fields are invalid", Details: make([]ErrorDetail, len(vs))}
	for i, v := range vs {
		e.Details[i] = v.Detail()
	}
	return op, e
}
