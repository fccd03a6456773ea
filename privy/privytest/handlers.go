package privytest

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/privy-go/privy-go/gen"
)

// api implements the generated strict server interface on top of the Fake's store. Auth,
// rate limiting and request validation have already happened in Fake.ServeHTTP.
type api struct{ f *Fake }

var _ gen.StrictServerInterface = api{}

type ctxKey struct{}

// rateFrom returns the rate-limit state Fake.ServeHTTP computed for this request.
func rateFrom(ctx context.Context) gen.UnauthorizedResponseHeaders {
	if st, ok := ctx.Value(ctxKey{}).(rateState); ok {
		return st.headers()
	}
	return gen.UnauthorizedResponseHeaders{}
}

var errNoBody = errors.New("privytest: request body missing")

func (a api) ListContacts(ctx context.Context, req gen.ListContactsRequestObject) (gen.ListContactsResponseObject, error) {
	a.f.mu.Lock()
	list := a.f.store.list(req.Params)
	a.f.mu.Unlock()
	return gen.ListContacts200JSONResponse{Body: list, Headers: gen.ListContacts200ResponseHeaders(rateFrom(ctx))}, nil
}

func (a api) CreateContact(ctx context.Context, req gen.CreateContactRequestObject) (gen.CreateContactResponseObject, error) {
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
			return gen.CreateContact409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse{Body: err.envelope(), Headers: gen.ConflictResponseHeaders(h)}}, nil
		default:
			return gen.CreateContact422JSONResponse{ValidationFailedJSONResponse: gen.ValidationFailedJSONResponse{Body: err.envelope(), Headers: gen.ValidationFailedResponseHeaders(h)}}, nil
		}
	}
	return gen.CreateContact201JSONResponse{Body: gen.ContactEnvelope{Data: c}, Headers: gen.CreateContact201ResponseHeaders(h)}, nil
}

func (a api) UpdateContact(ctx context.Context, req gen.UpdateContactRequestObject) (gen.UpdateContactResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	h := rateFrom(ctx)
	a.f.mu.Lock()
	c, err := a.f.store.update(*req.Body, a.f.now())
	a.f.mu.Unlock()
	if err != nil {
		return gen.UpdateContact404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse{Body: err.envelope(), Headers: gen.NotFoundResponseHeaders(h)}}, nil
	}
	return gen.UpdateContact200JSONResponse{Body: gen.ContactEnvelope{Data: c}, Headers: gen.UpdateContact200ResponseHeaders(h)}, nil
}

func (a api) UnsubscribeContact(ctx context.Context, req gen.UnsubscribeContactRequestObject) (gen.UnsubscribeContactResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	h := rateFrom(ctx)
	a.f.mu.Lock()
	c, err := a.f.store.unsubscribe(*req.Body, a.f.now())
	a.f.mu.Unlock()
	if err != nil {
		return gen.UnsubscribeContact404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse{Body: err.envelope(), Headers: gen.NotFoundResponseHeaders(h)}}, nil
	}
	return gen.UnsubscribeContact200JSONResponse{Body: gen.ContactEnvelope{Data: c}, Headers: gen.UnsubscribeContact200ResponseHeaders(h)}, nil
}

func (a api) DeleteContact(ctx context.Context, req gen.DeleteContactRequestObject) (gen.DeleteContactResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	h := rateFrom(ctx)
	a.f.mu.Lock()
	c, err := a.f.store.delete(*req.Body)
	a.f.mu.Unlock()
	if err != nil {
		return gen.DeleteContact404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse{Body: err.envelope(), Headers: gen.NotFoundResponseHeaders(h)}}, nil
	}
	return gen.DeleteContact200JSONResponse{Body: gen.ContactEnvelope{Data: c}, Headers: gen.DeleteContact200ResponseHeaders(h)}, nil
}

func (a api) ExchangeToken(_ context.Context, req gen.ExchangeTokenRequestObject) (gen.ExchangeTokenResponseObject, error) {
	if req.Body == nil {
		return nil, errNoBody
	}
	return a.f.exchange(*req.Body)
}

func jsonMarshal(v any) (json.RawMessage, error) { return json.Marshal(v) }
