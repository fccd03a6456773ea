package cli

import (
	"context"
	"net/http"
	"strings"
)

// sendHookKey is the context key of withSendHook.
type sendHookKey struct{}

// withSendHook returns ctx carrying hook, which hookTransport calls just before a request to
// the API made with ctx goes on the wire (after any rate-limit wait, on every attempt); an
// error from hook stops the request.
func withSendHook(ctx context.Context, hook func(*http.Request) error) context.Context {
	return context.WithValue(ctx, sendHookKey{}, hook)
}

// hookTransport calls the send hook of a request's context (see withSendHook). Only requests
// to the API carry a bearer token: the OAuth token exchange made on the way does not count.
type hookTransport struct{ next http.RoundTripper }

func (t hookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if hook, ok := req.Context().Value(sendHookKey{}).(func(*http.Request) error); ok &&
		strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
		if err := hook(req); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
	}
	return t.next.RoundTrip(req)
}
