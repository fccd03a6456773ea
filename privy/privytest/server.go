package privytest

import (
	"net/http"
	"net/http/httptest"
	"strings"
)

// Server is a Fake listening on a loopback address, like httptest.Server.
type Server struct {
	*Fake
	// URL is the API's base URL, ending in /v1 (for example http://127.0.0.1:41234/v1).
	URL string
	// TokenURL is the token exchange endpoint, outside /v1.
	TokenURL string

	ts *httptest.Server
}

// NewServer starts a Fake on 127.0.0.1 on a free port. Call Close when done.
func NewServer(opts ...Option) *Server {
	f := New(opts...)
	ts := httptest.NewServer(f)
	root := strings.TrimSuffix(ts.URL, "/")
	return &Server{Fake: f, URL: root + BasePath, TokenURL: root + "/oauth/token", ts: ts}
}

// Client returns an *http.Client for the server (it closes its idle connections on Close).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() { s.ts.Close() }
