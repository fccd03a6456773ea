package mcp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// start is a fixed start time for the fake clocks.
var start = time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)

// frames records every MCP message exchanged, both ways.
type frames struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (f *frames) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b.Write(p)
}

func (f *frames) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b.String()
}

// env is one MCP session against a privytest server on a fake clock.
type env struct {
	cs     *sdk.ClientSession
	fake   *privytest.Server
	clock  *privytest.Clock
	frames *frames
	tools  map[string]*sdk.Tool
}

// setup holds what a test may change before the session starts.
type setup struct {
	opts       Options
	fakeOpts   []privytest.Option
	clientOpts []privy.Option
	auth       []privy.Option // default: privytest.DefaultToken
	realClock  bool           // the fake and the client use the system clock
}

// newEnv connects the SDK's client to a server over an in-memory transport, with every frame
// recorded.
func newEnv(t *testing.T, s setup) *env {
	t.Helper()
	clock := privytest.NewClock(start)
	fakeOpts := []privytest.Option{privytest.WithSeed(1, 30), privytest.WithT(t)}
	clientOpts := []privy.Option{privy.WithMaxWait(10 * time.Second)}
	if !s.realClock {
		fakeOpts = append(fakeOpts, privytest.WithClock(clock))
		clientOpts = append(clientOpts, privy.WithClock(clock))
		if s.opts.Now == nil {
			s.opts.Now = clock.Now
		}
	}
	fake := privytest.NewServer(append(fakeOpts, s.fakeOpts...)...)
	t.Cleanup(fake.Close)
	auth := s.auth
	if auth == nil {
		auth = []privy.Option{privy.WithToken(privytest.DefaultToken)}
	}
	opts := append(auth, privy.WithBaseURL(fake.URL), privy.WithTokenURL(fake.TokenURL),
		privy.WithHTTPClient(&http.Client{Transport: fake.Client().Transport}))
	tr, err := privy.NewTransport(append(append(opts, clientOpts...), s.clientOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(tr, fake.URL, s.opts)
	if err != nil {
		t.Fatal(err)
	}
	st, ct := sdk.NewInMemoryTransports()
	ss, err := srv.Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	rec := &frames{}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil).
		Connect(t.Context(), &sdk.LoggingTransport{Transport: ct, Writer: rec}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	e := &env{cs: cs, fake: fake, clock: clock, frames: rec, tools: map[string]*sdk.Tool{}}
	list, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range list.Tools {
		e.tools[tool.Name] = tool
	}
	return e
}

// call calls a tool and fails the test on a protocol error.
func (e *env) call(t *testing.T, name string, args any) *sdk.CallToolResult {
	t.Helper()
	res, err := e.cs.CallTool(t.Context(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s(%v): %v", name, args, err)
	}
	return res
}

// structured returns a result's structured content as a JSON object.
func structured(t *testing.T, res *sdk.CallToolResult) map[string]any {
	t.Helper()
	var m map[string]any
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		t.Fatalf("structured content %s is not an object (%v); content %s", b, err, text(res))
	}
	return m
}

// text is the text content of a result.
func text(res *sdk.CallToolResult) string {
	var s string
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			s += tc.Text
		}
	}
	return s
}

// resolve compiles a JSON Schema as a client received it.
func resolve(t *testing.T, v any) *jsonschema.Resolved {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("schema %s: %v", b, err)
	}
	r, err := s.Resolve(nil)
	if err != nil {
		t.Fatalf("schema %s does not resolve: %v", b, err)
	}
	return r
}

// apiError is the structured content of an error result.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Field, Message string
		} `json:"details"`
	} `json:"error"`
	Status            int    `json:"status"`
	RetryAfterSeconds int64  `json:"retry_after_seconds"`
	RetryAt           string `json:"retry_at"`
}

// errorOf checks that res is an error result and decodes its structured content.
func errorOf(t *testing.T, res *sdk.CallToolResult) apiError {
	t.Helper()
	if !res.IsError {
		t.Fatalf("result is not an error: %s", text(res))
	}
	var e apiError
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &e); err != nil || e.Status == 0 {
		t.Fatalf("error result has no API error as structured content: %s (%v)", b, err)
	}
	return e
}
