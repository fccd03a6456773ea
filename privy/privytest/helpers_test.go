package privytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specdoc"
	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/privy/privytest"
)

// model is what the spec says about contacts: expectations that only restate a name or a
// message read it from here.
var model = specmodel.MustLoad()

// replyMsg is the message the spec gives the named components/responses entry.
func replyMsg(name string) string { return model.Replies[name].Message }

// conflictMsg is the 409 message for a taken identifier field.
func conflictMsg(field string) string { return model.Replies["Conflict"].ByField[field] }

// createField is the named property of createContact's body.
func createField(name string) specmodel.Field {
	f, _ := specmodel.Find(model.Create, name)
	return f
}

// schemaMsg is the x-privy-error of the named schema.
func schemaMsg(name string) string {
	doc, err := specdoc.Load()
	if err != nil {
		panic(err)
	}
	s := doc.Components.Schemas[name].Value
	msg, _ := s.Extensions[specmodel.ExtError].(string)
	for _, sub := range s.AllOf { // a wrapper schema holds its rules in allOf members
		if msg == "" && sub.Ref == "" {
			msg, _ = sub.Value.Extensions[specmodel.ExtError].(string)
		}
	}
	return msg
}

// start is the fake clock's start in tests: the spec examples' created_at.
var start = time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)

// env is a started fake with a client and its clock.
type env struct {
	srv    *privytest.Server
	clock  *privytest.Clock
	client *gen.ClientWithResponses
}

// newEnv starts a fake that fails t on contract violations, with a fake clock and a budget
// big enough not to get in the way; opts come after and may override.
func newEnv(t testing.TB, opts ...privytest.Option) *env {
	t.Helper()
	clock := privytest.NewClock(start)
	all := append([]privytest.Option{privytest.WithT(t), privytest.WithClock(clock), privytest.WithLimits(1_000_000, 10_000_000)}, opts...)
	srv := privytest.NewServer(all...)
	t.Cleanup(srv.Close)
	return &env{srv: srv, clock: clock, client: clientFor(t, srv.URL, privytest.DefaultToken)}
}

// clientFor returns a generated client that sends token ("" for none).
func clientFor(t testing.TB, url, token string) *gen.ClientWithResponses {
	t.Helper()
	c, err := gen.NewClientWithResponses(url, gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// do sends a raw request with the default token and returns status, headers and body.
func (e *env) do(t testing.TB, method, path, contentType, body string) (int, http.Header, []byte) {
	t.Helper()
	return doRaw(t, method, e.srv.URL+path, privytest.DefaultToken, contentType, body)
}

func doRaw(t testing.TB, method, url, token, contentType, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// create creates a contact and fails t unless the answer is 201.
func (e *env) create(t testing.TB, req gen.CreateContactRequest) gen.Contact {
	t.Helper()
	resp, err := e.client.CreateContactWithResponse(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON201 == nil {
		t.Fatalf("create %s: status %d, body %s", mustJSON(req), resp.StatusCode(), resp.Body)
	}
	return resp.JSON201.Data
}

func ptr[T any](v T) *T { return &v }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

// errorOf decodes an error envelope.
func errorOf(t testing.TB, body []byte) gen.ErrorBody {
	t.Helper()
	var env gen.ErrorEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("not an error envelope: %v: %s", err, body)
	}
	return env.Error
}

func details(b gen.ErrorBody) []gen.ErrorDetail {
	if b.Details == nil {
		return nil
	}
	return *b.Details
}

// inProcess is an HTTP doer that serves requests with a handler in the same process.
type inProcess struct{ h http.Handler }

func (d inProcess) Do(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}
