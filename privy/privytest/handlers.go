package privytest

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest/internal/genserver"
)

// api implements the generated strict server interface on top of the Fake's store. Auth,
// rate limiting and request validation have already happened in Fake.ServeHTTP.
type api struct{ f *Fake }

var _ genserver.StrictServerInterface = api{}

type ctxKey struct{}

// rateFrom returns the rate-limit state Fake.ServeHTTP computed for this request.
func rateFrom(ctx context.Context) genserver.UnauthorizedResponseHeaders {
	if st, ok := ctx.Value(ctxKey{}).(rateState); ok {
		return st.headers()
	}
	return genserver.UnauthorizedResponseHeaders{}
}

var errNoBody = errors.New("privytest: request body missing")

func (a api) ListContacts(ctx context.Context, req genserver.ListContactsRequestObject) (genserver.ListContactsResponseObject, error) {
	a.f.mu.Lock()
	list := a.f.store.list(req.Params)
	a.f.mu.Unlock()
	return genserver.ListContacts200JSONResponse{Body: list, Headers: genserver.ListContacts200ResponseHeaders(rateFrom(ctx))}, nil
}

func (a api) CreateContact(ctx context.Context, req genserver.CreateContactRequestObject) (genserver.CreateContactResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	h := rateFrom(ctx)
	a.f.mu.Lock()
	c, err := a.f.store.create(*req.Body, a.f.now())
	a.f.mu.Unlock()
	if err != nil {
		switch err.status {
		case 409:
			return genserver.CreateContact409JSONResponse{ConflictJSONResponse: genserver.ConflictJSONResponse{Body: err.envelope(), Headers: genserver.ConflictResponseHeaders(h)}}, nil
		default:
			return genserver.CreateContact422JSONResponse{ValidationFailedJSONResponse: genserver.ValidationFailedJSONResponse{Body: err.envelope(), Headers: genserver.ValidationFailedResponseHeaders(h)}}, nil
		}
	}
	return genserver.CreateContact201JSONResponse{Body: gen.ContactEnvelope{Data: c}, Headers: genserver.CreateContact201ResponseHeaders(h)}, nil
}

func (a api) UpdateContact(ctx context.Context, req genserver.UpdateContactRequestObject) (genserver.UpdateContactResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	h := rateFrom(ctx)
	a.f.mu.Lock()
	c, err := a.f.store.update(*req.Body, a.f.now())
	a.f.mu.Unlock()
	if err != nil {
		return genserver.UpdateContact404JSONResponse{NotFoundJSONResponse: genserver.NotFoundJSONResponse{Body: err.envelope(), Headers: genserver.NotFoundResponseHeaders(h)}}, nil
	}
	return genserver.UpdateContact200JSONResponse{Body: gen.ContactEnvelope{Data: c}, Headers: genserver.UpdateContact200ResponseHeaders(h)}, nil
}

func (a api) UnsubscribeContact(ctx context.Context, req genserver.UnsubscribeContactRequestObject) (genserver.UnsubscribeContactResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	h := rateFrom(ctx)
	a.f.mu.Lock()
	c, err := a.f.store.unsubscribe(*req.Body, a.f.now())
	a.f.mu.Unlock()
	if err != nil {
		return genserver.UnsubscribeContact404JSONResponse{NotFoundJSONResponse: genserver.NotFoundJSONResponse{Body: err.envelope(), Headers: genserver.NotFoundResponseHeaders(h)}}, nil
	}
	return genserver.UnsubscribeContact200JSONResponse{Body: gen.ContactEnvelope{Data: c}, Headers: genserver.UnsubscribeContact200ResponseHeaders(h)}, nil
}

func (a api) DeleteContact(ctx context.Context, req genserver.DeleteContactRequestObject) (genserver.DeleteContactResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	h := rateFrom(ctx)
	a.f.mu.Lock()
	c, err := a.f.store.delete(*req.Body)
	a.f.mu.Unlock()
	if err != nil {
		return genserver.DeleteContact404JSONResponse{NotFoundJSONResponse: genserver.NotFoundJSONResponse{Body: err.envelope(), Headers: genserver.NotFoundResponseHeaders(h)}}, nil
	}
	return genserver.DeleteContact200JSONResponse{Body: gen.ContactEnvelope{Data: c}, Headers: genserver.DeleteContact200ResponseHeaders(h)}, nil
}

func (a api) ExchangeToken(_ context.Context, req genserver.ExchangeTokenRequestObject) (genserver.ExchangeTokenResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	return a.f.exchange(*req.Body)
}

func jsonMarshal(v any) (json.RawMessage, error) { return json.Marshal(v) }
