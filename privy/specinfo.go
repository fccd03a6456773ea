package privy

import (
	"net/http"
	"sort"
	"strconv"
	"sync"

	"github.com/privy-go/privy-go/internal/specdoc"
)

// IdempotentExtension is the operation extension of openapi.yaml that marks an operation as
// safe to repeat after a transient failure (besides GET, which is by its method).
const IdempotentExtension = "x-privy-idempotent"

// operation is what the client needs to know of one operation of the embedded spec.
type operation struct {
	id         string
	idempotent bool
	success    map[int]successBody // by declared 2xx status
	fallback   successBody         // for a 2xx status the spec does not declare
}

// successBody is the shape of a success response: whether it has a JSON body, and the
// properties that body must have.
type successBody struct {
	json     bool
	required []string
}

// body returns the shape expected of a response with status.
func (op *operation) body(status int) successBody {
	if b, ok := op.success[status]; ok {
		return b
	}
	return op.fallback
}

// operations reads every operation of the embedded spec, once.
var operations = sync.OnceValues(func() (map[string]*operation, error) {
	doc, err := specdoc.Load()
	if err != nil {
		return nil, err
	}
	ops := map[string]*operation{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, o := range doc.Paths.Value(path).Operations() {
			idem, _ := o.Extensions[IdempotentExtension].(bool)
			op := &operation{id: o.OperationID, idempotent: idem || method == http.MethodGet || method == http.MethodHead,
				success: map[int]successBody{}}
			var statuses []int
			for code, ref := range o.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil || status < 200 || status > 299 || ref.Value == nil {
					continue
				}
				var b successBody
				if mt := ref.Value.Content.Get("application/json"); mt != nil {
					b.json = true
					if mt.Schema != nil && mt.Schema.Value != nil {
						b.required = mt.Schema.Value.Required
					}
				}
				op.success[status] = b
				statuses = append(statuses, status)
			}
			if len(statuses) > 0 {
				sort.Ints(statuses)
				op.fallback = op.success[statuses[0]]
			}
			if _, ok := op.success[http.StatusNoContent]; !ok && method == http.MethodDelete {
				// A DELETE may answer 204 without a body, as HTTP allows (the spec's prose says so).
				op.success[http.StatusNoContent] = successBody{}
			}
			ops[o.OperationID] = op
		}
	}
	return ops, nil
})
