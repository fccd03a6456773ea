package privytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specdoc"
	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/privy/privytest/internal/genserver"
	"github.com/privy-go/privy-go/privy/spec"
)

// BasePath is the path prefix of the contacts operations; the token exchange sits outside it
// at /oauth/token.
const BasePath = "/v1"

// maxBody caps the request bodies the fake reads.
const maxBody = 1 << 20

const opExchangeToken = "exchangeToken"

// Fake is the in-memory Privy API. It implements http.Handler: mount it anywhere or use
// NewServer. It is safe for concurrent use.
type Fake struct {
	// Configuration, fixed after New.
	clock        interface{ Now() time.Time }
	after        func(time.Duration) <-chan time.Time
	perMinute    int
	perDay       int
	t            testing.TB
	onViolation  func(spec.Violation)
	logger       *slog.Logger
	contract     bool
	seeds        []seedRequest
	validator    *spec.Validator
	scopes       map[string]string // operationId -> scope it needs
	knownScopes  []string          // the oauth2 scopes the spec declares
	smsCountries []string          // calling codes accepted for sms_consent subscribed
	contacts     http.Handler      // the generated handler for /v1/contacts...
	strict       genserver.ServerInterface
	// mangle, when set (by this package's tests), rewrites a response body before it is
	// checked and sent: the way to make the fake break the contract on purpose.
	mangle func(op string, status int, body []byte) []byte

	mu      sync.Mutex
	store   *store
	tokens  map[string]tokenInfo
	clients map[string]oauthClient
	limits  limits
	faults  []injected
	log     []Request
	logBase int // sequence number of log[0]
	// logLimit is the most entries Requests returns: -1 unlimited, 0 no log.
	logLimit int
}

// New returns a Fake with DefaultToken and the DefaultClientID application registered
// (both scopes), configured by opts.
func New(opts ...Option) *Fake {
	v, err := spec.NewValidator(BasePath)
	if err != nil {
		panic(err) // the embedded spec is broken: nothing can work
	}
	sh, err := newShape(specmodel.MustLoad())
	if err != nil {
		panic(err) // the embedded spec lacks what the fake needs: nothing can work
	}
	f := &Fake{
		clock:        realClock{},
		after:        realClock{}.After,
		perMinute:    60,
		perDay:       10000,
		logger:       slog.Default(),
		contract:     true,
		logLimit:     -1,
		validator:    v,
		scopes:       operationScopes(),
		smsCountries: defaultSMSCountries,
		tokens:       map[string]tokenInfo{},
		clients:      map[string]oauthClient{},
	}
	for _, o := range opts {
		o(f)
	}
	f.store = newStore(sh, slices.Clone(f.smsCountries))
	f.knownScopes = oauthScopes()
	f.limits = limits{perMinute: f.perMinute, perDay: f.perDay}
	f.tokens[DefaultToken] = tokenInfo{scopes: []string{ScopeRead, ScopeWrite}}
	f.clients[DefaultClientID] = oauthClient{secret: DefaultClientSecret, scopes: []string{ScopeRead, ScopeWrite}}
	f.strict = genserver.NewStrictHandlerWithOptions(api{f}, nil, genserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  f.requestError,
		ResponseErrorHandlerFunc: responseError,
	})
	f.contacts = genserver.HandlerWithOptions(f.strict, genserver.StdHTTPServerOptions{BaseURL: BasePath, ErrorHandlerFunc: f.requestError})
	for _, s := range f.seeds {
		f.Seed(s.seed, s.n)
	}
	return f
}

// operationScopes reads from the spec the oauth2 scope each operation requires.
func operationScopes() map[string]string {
	out := map[string]string{}
	doc, err := specdoc.Load()
	if err != nil {
		return out
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(p).Operations() {
			if op.Security == nil {
				continue
			}
			for _, req := range *op.Security {
				if scopes := req["oauth2"]; len(scopes) > 0 {
					out[op.OperationID] = scopes[0]
				}
			}
		}
	}
	return out
}

// oauthScopes reads from the spec the scopes of the oauth2 security scheme's
// client-credentials flow.
func oauthScopes() []string {
	doc, err := specdoc.Load()
	if err != nil {
		return nil
	}
	ref := doc.Components.SecuritySchemes["oauth2"]
	if ref == nil || ref.Value == nil || ref.Value.Flows == nil || ref.Value.Flows.ClientCredentials == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(ref.Value.Flows.ClientCredentials.Scopes))
}

// now is the time stamped on contacts: the clock's time in UTC, to the second.
func (f *Fake) now() time.Time { return f.clock.Now().UTC().Truncate(time.Second) }

// Contacts returns a snapshot of the stored contacts, sorted by created_at.
func (f *Fake) Contacts() []gen.Contact {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.store.snapshot()
}

// ContactsJSON returns a snapshot of the stored contacts, sorted by created_at, as JSON
// objects holding every property the spec's contact has (Contacts drops those the
// generated type does not know).
func (f *Fake) ContactsJSON() []json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.store.snapshotJSON()
}

// ServeHTTP serves POST /oauth/token and the contacts operations below /v1. See the package
// documentation for the order of checks.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil { // a client-side request handed over in process
		r.Body = http.NoBody
	}
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	token := bearer(r)
	op := f.operation(r)
	entry := f.record(r, body, token, op)

	rec := newRecorder()
	c := &call{f: f, w: w, r: r, body: body, readErr: readErr, op: op, token: token, rec: rec}
	switch {
	case op == "":
		c.rate = f.rateState()
		c.fail(http.StatusNotFound, gen.ErrorCodeNotFound, "No such endpoint: "+r.Method+" "+r.URL.Path, nil)
		c.unchecked = true
	default:
		if !c.serve() {
			f.finish(entry, 0)
			return
		}
	}
	if rec.status == 0 { // nothing written: net/http would answer 200
		rec.status = http.StatusOK
	}
	c.rate.set(rec.header)
	if !c.unchecked && f.contract {
		f.checkResponse(r, op, rec)
	}
	c.send(w)
	f.finish(entry, rec.status)
}

// operation names the operation the request is for ("" when none matches).
func (f *Fake) operation(r *http.Request) string {
	p := r.URL.Path
	if p != "/oauth/token" && p != BasePath+"/contacts" && !strings.HasPrefix(p, BasePath+"/contacts/") {
		return ""
	}
	op, err := f.validator.OperationID(r.Method, r.URL)
	if err != nil {
		return ""
	}
	return op
}

func (f *Fake) rateState() rateState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.limits.state(f.clock.Now())
}

// call is one request on its way through the fake.
type call struct {
	f         *Fake
	w         http.ResponseWriter // the real writer, for dropping the connection
	r         *http.Request
	body      []byte
	readErr   error // reading the body failed (too large)
	op        string
	token     string
	rec       *recorder
	rate      rateState
	fault     *Fault
	unchecked bool // a deliberately off-contract answer (an injected fault)
}

// serve runs the checks and the operation, writing into c.rec. It reports false when the
// connection was dropped or the client went away, so there is nothing to send.
func (c *call) serve() bool {
	f := c.f
	f.mu.Lock()
	now := f.clock.Now()
	var scopes []string
	if c.op != opExchangeToken {
		var ok bool
		scopes, ok = f.authenticate(c.token, now)
		if !ok {
			c.rate = f.limits.state(now)
			f.mu.Unlock()
			c.fail(http.StatusUnauthorized, gen.ErrorCodeUnauthorized, f.store.sh.msg[replyUnauthorized], nil)
			return true
		}
		c.rate, ok = f.limits.take(now)
		if !ok {
			f.mu.Unlock()
			c.fail(http.StatusTooManyRequests, gen.ErrorCodeRateLimited, f.store.sh.msg[replyRateLimited], nil)
			return true
		}
	} else {
		c.rate = f.limits.state(now)
	}
	c.fault = f.nextFault(c.op)
	f.mu.Unlock()
	if c.fault != nil && !c.applyFault() {
		return false
	}
	if c.unchecked {
		return true
	}
	if need := f.scopes[c.op]; c.op != opExchangeToken && need != "" && !slices.Contains(scopes, need) {
		c.fail(http.StatusForbidden, gen.ErrorCodeInsufficientScope, f.store.sh.msg[replyInsufficientScope], nil)
		return true
	}
	c.handle()
	return true
}

// handle validates the request and runs the operation.
func (c *call) handle() {
	if c.readErr != nil {
		if c.op == opExchangeToken {
			c.tokenRequestError([]spec.Violation{{Field: "base", Message: "request body is too large"}})
			return
		}
		c.fail(http.StatusUnprocessableEntity, gen.ErrorCodeValidationFailed, c.f.store.sh.msg[replyValidationFailed],
			[]gen.ErrorDetail{{Field: "base", Message: "request body is too large"}})
		return
	}
	_, vs := c.f.validator.CheckRequest(c.r.Context(), c.r, c.body)
	if len(vs) > 0 {
		if c.op == opExchangeToken {
			c.tokenRequestError(vs)
			return
		}
		details := make([]gen.ErrorDetail, len(vs))
		for i, v := range vs {
			details[i] = v.Detail()
		}
		c.fail(http.StatusUnprocessableEntity, gen.ErrorCodeValidationFailed, c.f.store.sh.msg[replyValidationFailed], details)
		return
	}
	info := &reqInfo{rate: c.rate, body: c.body, query: c.r.URL.Query()}
	info.user, info.password, info.basic = basicAuth(c.r)
	r := c.r.WithContext(context.WithValue(c.r.Context(), ctxKey{}, info))
	r.Body = io.NopCloser(bytes.NewReader(c.body))
	if c.op == opExchangeToken {
		c.f.strict.ExchangeToken(c.rec, r)
	} else {
		c.f.contacts.ServeHTTP(c.rec, r)
	}
	if c.f.mangle != nil {
		c.rec.body = *bytes.NewBuffer(c.f.mangle(c.op, c.rec.status, c.rec.body.Bytes()))
	}
}

// tokenRequestError answers a malformed token request in the OAuth 2.0 error form (RFC 6749
// §5.2): unsupported_grant_type for a grant_type outside the spec's enum, else
// invalid_request.
func (c *call) tokenRequestError(vs []spec.Violation) {
	code := oauthInvalidRequest
	msgs := make([]string, len(vs))
	for i, v := range vs {
		if v.Field == "grant_type" && v.Rule == "enum" {
			code = oauthUnsupportedGrantType
		}
		msgs[i] = v.Field + ": " + v.Message
	}
	desc := strings.Join(msgs, "; ")
	c.writeJSON(http.StatusBadRequest, gen.TokenError{Error: mustJSON(code), ErrorDescription: &desc})
}

// fail writes an error in the API's envelope.
func (c *call) fail(status int, code gen.ErrorCode, msg string, details []gen.ErrorDetail) {
	env := gen.ErrorEnvelope{Error: gen.ErrorBody{Code: code, Message: msg}}
	if len(details) > 0 {
		env.Error.Details = &details
	}
	c.writeJSON(status, env)
}

func (c *call) writeJSON(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("privytest: encoding a response: %v", err))
	}
	c.rec.header.Set("Content-Type", "application/json")
	c.rec.WriteHeader(status)
	c.rec.body.Write(append(b, '\n'))
}

// send copies the recorded response to w, applying a body fault if one is set.
func (c *call) send(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range c.rec.header {
		h[k] = v
	}
	body := c.rec.body.Bytes()
	if c.fault != nil && c.fault.NonJSONBody {
		body = []byte("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n")
		h.Set("Content-Type", "text/html; charset=utf-8")
	}
	if c.fault != nil && c.fault.TruncateBody {
		// Promise the whole body, send half: the connection is cut mid-body.
		h.Set("Content-Length", fmt.Sprint(len(body)))
		body = body[:len(body)/2]
	}
	w.WriteHeader(c.rec.status)
	_, _ = w.Write(body)
}

// recorder buffers a response so that its headers can be fixed up and its body checked
// before anything is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// requestError answers a request the generated handler could not decode (which request
// validation should have caught first) as a validation failure.
func (f *Fake) requestError(w http.ResponseWriter, _ *http.Request, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(w).Encode(gen.ErrorEnvelope{Error: gen.ErrorBody{
		Code: gen.ErrorCodeValidationFailed, Message: f.store.sh.msg[replyValidationFailed],
		Details: &[]gen.ErrorDetail{{Field: "base", Message: err.Error()}},
	}})
}

// responseError reports a failure of the fake itself; it is off-contract on purpose, so
// the contract check reports it.
func responseError(w http.ResponseWriter, _ *http.Request, err error) {
	http.Error(w, "privytest: "+err.Error(), http.StatusInternalServerError)
}
