package privytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest"
)

func TestInjectStatus(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject("listContacts", 2, privytest.Fault{Status: 503, RetryAfter: "7"})
	e.srv.Inject("", 1, privytest.Fault{Status: 429})
	// A create does not match the listContacts injection: it takes the "any" one.
	status, h, body := e.do(t, http.MethodPost, "/contacts", "application/json", `{"email":"a@example.com"}`)
	if status != 429 || h.Get("Retry-After") != "" || errorOf(t, body).Code != gen.ErrorCodeRateLimited {
		t.Errorf("create: %d Retry-After %q %s; want the injected 429 without Retry-After", status, h.Get("Retry-After"), body)
	}
	if len(e.srv.Contacts()) != 0 {
		t.Error("a faulted create ran the operation")
	}
	for i := range 2 {
		status, h, body := e.do(t, http.MethodGet, "/contacts", "", "")
		if status != 503 || h.Get("Retry-After") != "7" || errorOf(t, body).Code != "service_unavailable" || h.Get("X-RateLimit-Remaining-Day") == "" {
			t.Errorf("list %d: %d %v %s", i, status, h, body)
		}
	}
	if status, _, body := e.do(t, http.MethodGet, "/contacts", "", ""); status != 200 {
		t.Errorf("after the injections: %d %s", status, body)
	}
}

func TestInjectLatency(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject("listContacts", 1, privytest.Fault{Latency: 90 * time.Second})
	if status, _, _ := e.do(t, http.MethodGet, "/contacts", "", ""); status != 200 {
		t.Fatalf("status %d", status)
	}
	if got := e.clock.Now().Sub(start); got != 90*time.Second {
		t.Errorf("the fake clock moved %v, want 90s (latency waits on the injected clock)", got)
	}
}

// stuckClock never lets a wait end, and says when one starts.
type stuckClock struct{ waiting chan struct{} }

func (c stuckClock) Now() time.Time { return start }
func (c stuckClock) After(time.Duration) <-chan time.Time {
	close(c.waiting)
	return nil // never fires
}

func TestInjectLatencyHonoursCancellation(t *testing.T) {
	clock := stuckClock{waiting: make(chan struct{})}
	srv := privytest.NewServer(privytest.WithT(t), privytest.WithClock(clock))
	srv.Inject("", 1, privytest.Fault{Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	c := clientFor(t, srv.URL, privytest.DefaultToken)
	done := make(chan error, 1)
	go func() {
		_, err := c.ListContacts(ctx, nil)
		done <- err
	}()
	<-clock.waiting // the server is waiting out the latency
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("client error %v, want context.Canceled", err)
	}
	srv.Close() // waits for the handler, which must have returned
	if got := srv.Requests(); len(got) != 1 || got[0].Status != 0 {
		t.Errorf("request log %+v; want one unanswered request", got)
	}
}

func TestInjectBrokenResponses(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject("listContacts", 1, privytest.Fault{DropConnection: true})
	e.srv.Inject("listContacts", 1, privytest.Fault{TruncateBody: true})
	e.srv.Inject("listContacts", 1, privytest.Fault{NonJSONBody: true, Status: 502})
	get := func() (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+privytest.DefaultToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	if _, _, err := get(); err == nil {
		t.Error("dropped connection: no error")
	}
	resp, body, err := get()
	if !errors.Is(err, io.ErrUnexpectedEOF) || resp.StatusCode != 200 {
		t.Errorf("truncated body: status %v, err %v, body %q; want 200 and an unexpected EOF", resp, err, body)
	}
	resp, body, err = get()
	if err != nil || resp.StatusCode != 502 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || json.Valid(body) {
		t.Errorf("non-JSON body: %v %v %q", err, resp, body)
	}
	_, body, err = get()
	if err != nil || !json.Valid(body) {
		t.Errorf("after the injections: %v %s", err, body)
	}
	statuses := []int{}
	for _, r := range e.srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	if mustJSON(statuses) != "[0,200,502,200]" {
		t.Errorf("logged statuses %v", statuses)
	}
}

func TestRequestLog(t *testing.T) {
	e := newEnv(t)
	e.srv.AddToken("privy_other", time.Time{}, privytest.ScopeRead)
	e.create(t, gen.CreateContactRequest{Email: ptr("jane@example.com")})
	doRaw(t, http.MethodGet, e.srv.URL+"/contacts?email_permission=subscribed&page=2", "privy_other", "", "")
	http.PostForm(e.srv.TokenURL, map[string][]string{"grant_type": {"client_credentials"}, "client_id": {"x"}, "client_secret": {"hush"}})
	got := e.srv.Requests()
	if len(got) != 3 {
		t.Fatalf("%d requests logged, want 3", len(got))
	}
	c := got[0]
	if c.Method != "POST" || c.Path != "/v1/contacts" || c.Operation != "createContact" || c.Status != 201 ||
		c.Token != privytest.DefaultToken || !strings.Contains(string(c.Body), `"email":"jane@example.com"`) {
		t.Errorf("create logged as %+v", c)
	}
	l := got[1]
	if l.Method != "GET" || l.Operation != "listContacts" || l.Token != "privy_other" || l.Query.Get("page") != "2" ||
		l.Query.Get("email_permission") != "subscribed" || l.Status != 200 {
		t.Errorf("list logged as %+v", l)
	}
	x := got[2]
	if x.Path != "/oauth/token" || x.Operation != "exchangeToken" || x.Status != 401 || strings.Contains(string(x.Body), "hush") ||
		!strings.Contains(string(x.Body), "client_secret=REDACTED") {
		t.Errorf("token request logged as %+v (%s)", x, x.Body)
	}
	e.srv.ResetRequests()
	if len(e.srv.Requests()) != 0 {
		t.Error("ResetRequests left entries")
	}
}

func TestRequestLogLimit(t *testing.T) {
	for _, limit := range []int{0, 1, 3} {
		e := newEnv(t, privytest.WithRequestLogLimit(limit))
		for i := range 10 {
			e.do(t, http.MethodGet, "/contacts?page="+string(rune('1'+i%9)), "", "")
		}
		got := e.srv.Requests()
		if len(got) != limit {
			t.Fatalf("limit %d: %d entries", limit, len(got))
		}
		for i, r := range got {
			if want := string(rune('1' + (10-limit+i)%9)); r.Query.Get("page") != want || r.Status != 200 {
				t.Errorf("limit %d: entry %d is page %s status %d, want page %s status 200", limit, i, r.Query.Get("page"), r.Status, want)
			}
		}
	}
}
