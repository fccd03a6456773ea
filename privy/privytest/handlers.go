package privytest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/privy-go/privy-go/privy/privytest/internal/genserver"
)

// api implements the generated strict server interface on top of the Fake's store. Auth,
// rate limiting and request validation have already happened in Fake.ServeHTTP. The
// operations read the raw request (reqInfo) rather than the decoded generated structs, which
// drop the properties the generated types do not know: the store takes every property the
// spec has.
type api struct{ f *Fake }

var _ genserver.StrictServerInterface = api{}

type ctxKey struct{}

// reqInfo is what Fake.ServeHTTP hands the operations beside the decoded request.
type reqInfo struct {
	rate  rateState
	body  []byte     // the raw request body
	query url.Values // the raw query
	// user and password are the HTTP Basic credentials; basic reports an
	// "Authorization: Basic" header.
	user, password string
	basic          bool
}

func infoFrom(ctx context.Context) *reqInfo {
	if in, ok := ctx.Value(ctxKey{}).(*reqInfo); ok {
		return in
	}
	return &reqInfo{}
}

var errNoBody = errors.New("privytest: request body missing")

// reply is an answer written as is: the status, extra headers and a JSON body. It
// implements every operation's response interface, so that a contact carries every
// property the spec has (the generated Contact drops the ones it does not know).
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) visit(w http.ResponseWriter) error {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.status)
	_, err := w.Write(append(r.body, '\n'))
	return err
}

func (r reply) VisitListContactsResponse(w http.ResponseWriter) error       { return r.visit(w) }
func (r reply) VisitCreateContactResponse(w http.ResponseWriter) error      { return r.visit(w) }
func (r reply) VisitUpdateContactResponse(w http.ResponseWriter) error      { return r.visit(w) }
func (r reply) VisitUnsubscribeContactResponse(w http.ResponseWriter) error { return r.visit(w) }
func (r reply) VisitDeleteContactResponse(w http.ResponseWriter) error      { return r.visit(w) }
func (r reply) VisitExchangeTokenResponse(w http.ResponseWriter) error      { return r.visit(w) }

func jsonReply(status int, v any) reply { return reply{status: status, body: mustJSON(v)} }

// run decodes the raw body and runs op on the store under the lock, answering the contact
// wrapped in {"data": ...} with status ok, or the error.
func (a api) run(ctx context.Context, hasBody bool, ok int, op func(*store, map[string]json.RawMessage) (*record, *apiError)) (reply, error) {
	if !hasBody {
		return reply{}, errNoBody
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(infoFrom(ctx).body, &body); err != nil {
		return reply{}, err // validation let through a body that is not an object: a bug
	}
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	r, err := op(a.f.store, body)
	if err != nil {
		return jsonReply(err.status, err.envelope()), nil
	}
	b := append([]byte(`{"data":`), a.f.store.sh.appendJSON(nil, r)...)
	return reply{status: ok, body: append(b, '}')}, nil
}

func (a api) ListContacts(ctx context.Context, _ genserver.ListContactsRequestObject) (genserver.ListContactsResponseObject, error) {
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	return reply{status: http.StatusOK, body: a.f.store.list(infoFrom(ctx).query)}, nil
}

func (a api) CreateContact(ctx context.Context, req genserver.CreateContactRequestObject) (genserver.CreateContactResponseObject, error) {
	now := a.f.now()
	return a.run(ctx, req.Body != nil, http.StatusCreated, func(s *store, b map[string]json.RawMessage) (*record, *apiError) {
		return s.create(b, now)
	})
}

func (a api) UpdateContact(ctx context.Context, req genserver.UpdateContactRequestObject) (genserver.UpdateContactResponseObject, error) {
	now := a.f.now()
	return a.run(ctx, req.Body != nil, http.StatusOK, func(s *store, b map[string]json.RawMessage) (*record, *apiError) {
		return s.update(b, now)
	})
}

func (a api) UnsubscribeContact(ctx context.Context, req genserver.UnsubscribeContactRequestObject) (genserver.UnsubscribeContactResponseObject, error) {
	now := a.f.now()
	return a.run(ctx, req.Body != nil, http.StatusOK, func(s *store, b map[string]json.RawMessage) (*record, *apiError) {
		return s.unsubscribe(b, now)
	})
}

func (a api) DeleteContact(ctx context.Context, req genserver.DeleteContactRequestObject) (genserver.DeleteContactResponseObject, error) {
	return a.run(ctx, req.Body != nil, http.StatusOK, func(s *store, b map[string]json.RawMessage) (*record, *apiError) {
		return s.delete(b)
	})
}

func (a api) ExchangeToken(ctx context.Context, req genserver.ExchangeTokenRequestObject) (genserver.ExchangeTokenResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	return a.f.exchange(infoFrom(ctx)), nil
}
