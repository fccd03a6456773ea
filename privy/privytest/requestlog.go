package privytest

import (
	"net/http"
	"net/url"
	"slices"
)

// Request is one entry of the fake's request log.
type Request struct {
	// Method and Path are the request's method and URL path.
	Method, Path string
	// Query holds the URL's query parameters.
	Query url.Values
	// Body is the request body as received, except that a token request's client_secret
	// is replaced by "REDACTED" (the whole body, when it is not a valid form). HTTP Basic
	// credentials are never logged.
	Body []byte
	// Token is the bearer token the request carried ("" when none).
	Token string
	// Operation is the spec's operationId ("" when no operation matched).
	Operation string
	// Status is the status answered, or 0 when no answer was sent (a dropped connection, a
	// client that went away).
	Status int
}

// Requests returns a copy of the request log, oldest first.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	log := f.log
	if f.logLimit >= 0 && len(log) > f.logLimit {
		log = log[len(log)-f.logLimit:]
	}
	out := slices.Clone(log)
	for i := range out {
		out[i].Query = cloneValues(out[i].Query)
		out[i].Body = slices.Clone(out[i].Body)
	}
	return out
}

// ResetRequests empties the request log.
func (f *Fake) ResetRequests() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logBase += len(f.log)
	f.log = nil
}

// record appends a log entry and returns its sequence number.
func (f *Fake) record(r *http.Request, body []byte, token, op string) int {
	if f.logLimit == 0 {
		return -1
	}
	logged := slices.Clone(body)
	if op == opExchangeToken {
		switch form, err := url.ParseQuery(string(body)); {
		case err != nil: // a malformed form may still hold the secret
			logged = []byte("REDACTED")
		case form.Has("client_secret"):
			form.Set("client_secret", "REDACTED")
			logged = []byte(form.Encode())
		}
	}
	e := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: logged, Token: token, Operation: op}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.logLimit > 0 && len(f.log) >= 2*f.logLimit { // trim in batches: amortised O(1)
		drop := len(f.log) - f.logLimit + 1
		f.log = append(f.log[:0:0], f.log[drop:]...)
		f.logBase += drop
	}
	f.log = append(f.log, e)
	return f.logBase + len(f.log) - 1
}

// finish sets the status of log entry seq (unless it left the log meanwhile).
func (f *Fake) finish(seq, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := seq - f.logBase; seq >= 0 && i >= 0 && i < len(f.log) {
		f.log[i].Status = status
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
