package privytest

import (
	"net/http"
	"strings"
	"time"

	"github.com/privy-go/privy-go/gen"
)

// Fault is a failure injected into the fake's next responses, for testing retry logic.
// Fields combine: Latency is waited first, then DropConnection cuts the connection, else
// Status (when non-zero) replaces the answer, and TruncateBody / NonJSONBody spoil the body
// of whatever answer is sent.
type Fault struct {
	// Status, when non-zero, answers with this status instead of running the operation.
	// Documented statuses get the documented error body (429: rate_limited, "Rate limit
	// exceeded"); others get an envelope whose code is the status text in snake case
	// (for example "service_unavailable").
	Status int
	// RetryAfter, when non-empty, is sent as the Retry-After header (with any status).
	RetryAfter string
	// Latency delays the answer. It waits on the fake's clock when the clock has an After
	// method (a *Clock makes it instant), else in real time, and ends early when the
	// request's context ends.
	Latency time.Duration
	// DropConnection closes the connection without answering; the operation is not run.
	DropConnection bool
	// TruncateBody announces the full Content-Length but sends only the first half of the
	// body, then closes the connection.
	TruncateBody bool
	// NonJSONBody replaces the body by an HTML error page (Content-Type text/html), as a proxy
	// in front of the API would send.
	NonJSONBody bool
}

type injected struct {
	op    string
	left  int
	fault Fault
}

// Inject makes the next n requests for operationID (an operationId of the spec, such as
// "listContacts", or "" for any operation) fail with fault. Faults apply to requests that
// passed authentication and the rate limit, so an injected failure spends budget like a real
// one. Injections are used up in the order they were made.
func (f *Fake) Inject(operationID string, n int, fault Fault) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, injected{op: operationID, left: n, fault: fault})
}

// nextFault takes one use of the first injection matching op. The caller holds f.mu.
func (f *Fake) nextFault(op string) *Fault {
	for i := range f.faults {
		in := &f.faults[i]
		if in.op != "" && in.op != op {
			continue
		}
		fault := in.fault
		in.left--
		if in.left == 0 {
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
		}
		return &fault
	}
	return nil
}

// applyFault performs the injected fault. It reports false when nothing is to be sent (the
// connection was dropped or the client went away).
func (c *call) applyFault() bool {
	fault := c.fault
	if fault.Latency > 0 {
		select {
		case <-c.f.after(fault.Latency):
		case <-c.r.Context().Done():
			return false
		}
	}
	if fault.DropConnection {
		dropConnection(c.w)
		return false
	}
	if fault.RetryAfter != "" {
		c.rec.header.Set("Retry-After", fault.RetryAfter)
	}
	if fault.Status == 0 {
		return true
	}
	c.unchecked = true
	code, msg := c.f.faultError(fault.Status)
	c.fail(fault.Status, code, msg, nil)
	return true
}

// faultError is the error code and message sent for an injected status.
func (f *Fake) faultError(status int) (gen.ErrorCode, string) {
	sh := f.store.sh
	switch status {
	case http.StatusUnauthorized:
		return gen.ErrorCodeUnauthorized, sh.msg[replyUnauthorized]
	case http.StatusForbidden:
		return gen.ErrorCodeInsufficientScope, sh.msg[replyInsufficientScope]
	case http.StatusNotFound:
		return gen.ErrorCodeNotFound, sh.msg[replyNotFound]
	case http.StatusConflict:
		return gen.ErrorCodeConflict, sh.msgConflict[sh.ids[0].name]
	case http.StatusUnprocessableEntity:
		return gen.ErrorCodeValidationFailed, sh.msg[replyValidationFailed]
	case http.StatusTooManyRequests:
		return gen.ErrorCodeRateLimited, sh.msg[replyRateLimited]
	}
	text := http.StatusText(status)
	if text == "" {
		text = "unknown error"
	}
	return gen.ErrorCode(strings.ReplaceAll(strings.ToLower(text), " ", "_")), text
}

// dropConnection closes the client's connection without a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection without logging
}
