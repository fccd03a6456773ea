package privytest

import (
	"net/http"

	"github.com/privy-go/privy-go/privy/spec"
)

// checkResponse validates the fake's own response against the spec and reports every
// violation: to the test given with WithT, to the handler given with WithViolationHandler,
// or else to the logger.
func (f *Fake) checkResponse(r *http.Request, op string, rec *recorder) {
	vs := f.validator.CheckResponse(r, rec.status, rec.header, rec.body.Bytes())
	for _, v := range vs {
		if v.Operation == "" {
			v.Operation = op
		}
		f.report(r, v)
	}
}

func (f *Fake) report(r *http.Request, v spec.Violation) {
	if f.t != nil {
		f.t.Errorf("privytest: the fake broke the contract answering %s %s: %s (operation %s, pointer %q, rule %s)",
			r.Method, r.URL.Path, v.Message, v.Operation, v.Pointer, v.Rule)
	}
	if f.onViolation != nil {
		f.onViolation(v)
	}
	if f.t == nil && f.onViolation == nil {
		f.logger.Error("privytest: the fake broke the contract", "method", r.Method, "path", r.URL.Path,
			"operation", v.Operation, "status", v.Status, "in", v.In, "pointer", v.Pointer, "rule", v.Rule, "message", v.Message)
	}
}
