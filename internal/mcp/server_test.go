package mcp

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/privy-go/privy-go/internal/specdoc"
	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// specTools returns the names of the spec's operations that must be tools, split by whether
// they only read, and the ones that must never be (they need no credentials).
func specTools(t *testing.T) (reads, writes, never []string) {
	t.Helper()
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			switch {
			case CredentialExchange(op):
				never = append(never, op.OperationID)
			case method == http.MethodGet:
				reads = append(reads, op.OperationID)
			default:
				writes = append(writes, op.OperationID)
			}
		}
	}
	return reads, writes, never
}

func TestToolsListed(t *testing.T) {
	reads, writes, never := specTools(t)
	if len(writes) == 0 || !slices.Contains(never, "exchangeToken") {
		t.Fatalf("the spec should have write operations and the token exchange: writes %v, never %v", writes, never)
	}
	for _, tc := range []struct {
		name string
		opts Options
		want []string
	}{
		{"default: read-only", Options{}, append(slices.Clone(reads), RateLimitTool)},
		{"allow writes", Options{AllowWrites: true}, append(append(slices.Clone(reads), writes...), RateLimitTool)},
		{"narrowed", Options{Tools: []string{reads[0]}}, []string{reads[0]}},
		{"narrowed, a write allowed", Options{AllowWrites: true, Tools: []string{writes[0], RateLimitTool}}, []string{writes[0], RateLimitTool}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, setup{opts: tc.opts})
			got := slices.Sorted(maps.Keys(e.tools))
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Errorf("tools = %v, want %v", got, tc.want)
			}
			for _, name := range never {
				if e.tools[name] != nil {
					t.Errorf("%s is a tool; an operation without credentials must never be one", name)
				}
			}
		})
	}
}

func TestWriteToolsNotCallableByDefault(t *testing.T) {
	_, writes, _ := specTools(t)
	e := newEnv(t, setup{})
	for _, name := range writes {
		res, err := e.cs.CallTool(t.Context(), &sdk.CallToolParams{Name: name, Arguments: map[string]any{"email": "jane@example.com"}})
		if err == nil && !res.IsError {
			t.Errorf("%s was callable without AllowWrites: %s", name, text(res))
		}
	}
	if n := len(e.fake.Requests()); n != 0 {
		t.Errorf("%d requests reached the API", n)
	}
}

func TestSelectErrors(t *testing.T) {
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	all, err := Derive(doc)
	if err != nil {
		t.Fatal(err)
	}
	_, writes, never := specTools(t)
	for _, tc := range []struct {
		names       []string
		allowWrites bool
		want        string
	}{
		{[]string{"nope"}, true, `unknown tool "nope"`},
		{never[:1], true, `unknown tool "` + never[0] + `"`},
		{writes[:1], false, "add --allow-writes"},
	} {
		_, err := Select(all, tc.allowWrites, tc.names)
		if !errors.Is(err, ErrSelection) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Select(%v, writes=%v) = %v, want ErrSelection saying %q", tc.names, tc.allowWrites, err, tc.want)
		}
	}
}

func TestAnnotations(t *testing.T) {
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, setup{opts: Options{AllowWrites: true}})
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			tool := e.tools[op.OperationID]
			if tool == nil {
				continue
			}
			a := tool.Annotations
			idem, _ := op.Extensions[IdempotentExtension].(bool)
			if a == nil || a.ReadOnlyHint != (method == http.MethodGet) || a.IdempotentHint != (method == http.MethodGet || idem) ||
				a.DestructiveHint == nil || *a.DestructiveHint != (method == http.MethodDelete) {
				t.Errorf("%s (%s): annotations %+v", op.OperationID, method, a)
			}
			if tool.Title != op.Summary || !strings.Contains(tool.Description, strings.TrimSpace(op.Description)) {
				t.Errorf("%s: title %q, description %q do not come from the spec", op.OperationID, tool.Title, tool.Description)
			}
		}
	}
	if a := e.tools[RateLimitTool].Annotations; a == nil || !a.ReadOnlyHint {
		t.Errorf("%s is not read-only: %+v", RateLimitTool, a)
	}
}

// call is one tool call of TestCallEveryTool. args may read contacts of the seeded fake.
type call struct {
	tool string
	args func(c []map[string]any) map[string]any
	// ok calls check the result against the output schema; others expect an error with
	// this code naming this field ("" for any).
	ok          bool
	code, field string
}

func TestCallEveryTool(t *testing.T) {
	e := newEnv(t, setup{opts: Options{AllowWrites: true}})
	email := func(i int) func([]map[string]any) map[string]any {
		return func(c []map[string]any) map[string]any { return map[string]any{"email": c[i]["email"]} }
	}
	with := func(f func([]map[string]any) map[string]any, k string, v any) func([]map[string]any) map[string]any {
		return func(c []map[string]any) map[string]any { m := f(c); m[k] = v; return m }
	}
	none := func([]map[string]any) map[string]any { return map[string]any{} }
	fixed := func(m map[string]any) func([]map[string]any) map[string]any {
		return func([]map[string]any) map[string]any { return m }
	}
	calls := []call{
		{tool: "listContacts", args: fixed(map[string]any{"per_page": 3, "page": 2}), ok: true},
		{tool: "listContacts", args: fixed(map[string]any{"email_permission": "subscribed"}), ok: true},
		{tool: "listContacts", args: fixed(map[string]any{"per_page": 500}), code: "validation_failed", field: "per_page"},
		{tool: "listContacts", args: fixed(map[string]any{"email_permission": "maybe"}), code: "validation_failed", field: "email_permission"},
		{tool: "createContact", args: fixed(map[string]any{"email": "ada@example.com", "first_name": "Ada", "tags": []string{"vip"}}), ok: true},
		{tool: "createContact", args: fixed(map[string]any{"email": "not-an-email"}), code: "validation_failed", field: "email"},
		{tool: "createContact", args: fixed(map[string]any{"first_name": "Nobody"}), code: "validation_failed", field: "base"},
		{tool: "createContact", args: email(0), code: "conflict"},
		{tool: "updateContact", args: with(email(1), "first_name", "Janet"), ok: true},
		{tool: "updateContact", args: email(1), code: "validation_failed", field: "base"},
		{tool: "updateContact", args: fixed(map[string]any{"email": "nobody@example.com", "first_name": "X"}), code: "not_found"},
		{tool: "unsubscribeContact", args: with(email(2), "reason", "asked by phone"), ok: true},
		{tool: "unsubscribeContact", args: with(email(2), "reason", strings.Repeat("x", 501)), code: "validation_failed", field: "reason"},
		{tool: "deleteContact", args: email(3), ok: true},
		{tool: "deleteContact", args: none, code: "validation_failed", field: "base"},
		{tool: "deleteContact", args: email(3), code: "not_found"},
		{tool: RateLimitTool, args: none, ok: true},
	}
	res := e.call(t, "listContacts", map[string]any{"per_page": 10})
	var contacts []map[string]any
	for _, c := range structured(t, res)["data"].([]any) {
		contacts = append(contacts, c.(map[string]any))
	}
	covered := map[string]bool{}
	for _, c := range calls {
		args := c.args(contacts)
		res := e.call(t, c.tool, args)
		if err := resolve(t, e.tools[c.tool].OutputSchema).Validate(structured(t, res)); err != nil {
			t.Errorf("%s(%v): structured content does not match the output schema: %v", c.tool, args, err)
		}
		if !c.ok {
			got := errorOf(t, res)
			fields := []string{}
			for _, d := range got.Error.Details {
				fields = append(fields, d.Field)
			}
			if got.Error.Code != c.code || (c.field != "" && !slices.Contains(fields, c.field)) || got.Error.Message == "" {
				t.Errorf("%s(%v): error %+v, want code %s on field %q", c.tool, args, got, c.code, c.field)
			}
			continue
		}
		if res.IsError {
			t.Errorf("%s(%v): %s", c.tool, args, text(res))
			continue
		}
		covered[c.tool] = true
	}
	for name := range e.tools {
		if !covered[name] {
			t.Errorf("tool %s has no successful call in this test: add one", name)
		}
		// Any tool refuses an argument it does not have, naming it.
		got := errorOf(t, e.call(t, name, map[string]any{"no_such_argument": 1}))
		if got.Error.Code != "validation_failed" || len(got.Error.Details) != 1 || got.Error.Details[0].Field != "no_such_argument" {
			t.Errorf("%s with an unknown argument: %+v", name, got)
		}
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t, setup{})
	before := len(e.fake.Requests())
	page := structured(t, e.call(t, "listContacts", map[string]any{}))
	p := page["pagination"].(map[string]any)
	if n := len(page["data"].([]any)); float64(n) != p["per_page"] || p["total_count"].(float64) <= p["per_page"].(float64) {
		t.Errorf("one call returned %d contacts with pagination %v; want one page of a larger list", n, p)
	}
	if perPage := e.tools["listContacts"].InputSchema.(map[string]any)["properties"].(map[string]any)["per_page"].(map[string]any); perPage["maximum"] == nil || perPage["default"] == nil {
		t.Errorf("per_page has no maximum or default: %v", perPage)
	}
	if n := len(e.fake.Requests()) - before; n != 1 {
		t.Errorf("one list call sent %d requests", n)
	}
}

func TestRateLimit(t *testing.T) {
	t.Run("minute budget spent: returns when to retry, sends nothing", func(t *testing.T) {
		e := newEnv(t, setup{fakeOpts: []privytest.Option{privytest.WithLimits(2, 10000)}})
		for range 2 {
			if res := e.call(t, "listContacts", nil); res.IsError {
				t.Fatal(text(res))
			}
		}
		st := structured(t, e.call(t, RateLimitTool, nil))
		if m := st["minute"].(map[string]any); st["known"] != true || m["limit"] != 2.0 || m["remaining"] != 0.0 || m["reset"] == "" {
			t.Errorf("rate-limit status = %v", st)
		}
		sent := len(e.fake.Requests())
		began := time.Now()
		got := errorOf(t, e.call(t, "listContacts", nil))
		if time.Since(began) > 5*time.Second {
			t.Errorf("the call waited %v", time.Since(began))
		}
		if got.Status != http.StatusTooManyRequests || got.Error.Code != "rate_limited" || got.RetryAfterSeconds <= 10 || got.RetryAt == "" {
			t.Errorf("error = %+v, want rate_limited with a retry after the 10s bound", got)
		}
		if at, err := time.Parse(time.RFC3339, got.RetryAt); err != nil || !at.Equal(e.clock.Now().Add(time.Duration(got.RetryAfterSeconds)*time.Second)) {
			t.Errorf("retry_at %q is not now + retry_after_seconds (%v)", got.RetryAt, err)
		}
		if n := len(e.fake.Requests()); n != sent {
			t.Errorf("%d requests sent while the budget was spent", n-sent)
		}
		e.clock.Advance(time.Duration(got.RetryAfterSeconds) * time.Second)
		if res := e.call(t, "listContacts", nil); res.IsError {
			t.Errorf("after the reset: %s", text(res))
		}
	})
	t.Run("a short wait is made", func(t *testing.T) {
		e := newEnv(t, setup{fakeOpts: []privytest.Option{privytest.WithLimits(1, 10000)}, clientOpts: []privy.Option{privy.WithMaxWait(2 * time.Minute)}})
		e.call(t, "listContacts", nil)
		before := e.clock.Now()
		if res := e.call(t, "listContacts", nil); res.IsError {
			t.Fatal(text(res))
		}
		if waited := e.clock.Now().Sub(before); waited <= 0 || waited > time.Minute {
			t.Errorf("waited %v on the clock, want up to the minute reset", waited)
		}
	})
	t.Run("server 429 with a long Retry-After", func(t *testing.T) {
		e := newEnv(t, setup{})
		e.fake.Inject("listContacts", 1, privytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "3600"})
		got := errorOf(t, e.call(t, "listContacts", nil))
		if got.Error.Code != "rate_limited" || got.RetryAfterSeconds != 3600 {
			t.Errorf("error = %+v, want rate_limited, retry after 3600s", got)
		}
	})
	t.Run("daily budget spent", func(t *testing.T) {
		e := newEnv(t, setup{fakeOpts: []privytest.Option{privytest.WithLimits(60, 1)}})
		e.call(t, "listContacts", nil)
		got := errorOf(t, e.call(t, "listContacts", nil))
		if got.Error.Code != "rate_limited" || got.RetryAfterSeconds < 3600 {
			t.Errorf("error = %+v, want rate_limited until the day resets", got)
		}
	})
}

func TestNoCredentialInFrames(t *testing.T) {
	const token = "privy_feedfacefeedfacefeedfacefeedfacefeedface"
	for _, tc := range []struct {
		name    string
		auth    []privy.Option
		secrets []string
	}{
		{"api token", []privy.Option{privy.WithToken(token)}, []string{token}},
		{"oauth", []privy.Option{privy.WithClientCredentials(privytest.DefaultClientID, privytest.DefaultClientSecret, "contacts_read")},
			[]string{privytest.DefaultClientSecret}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, setup{opts: Options{AllowWrites: true}, auth: tc.auth})
			e.fake.AddToken(token, start.Add(24*time.Hour), "contacts_read")
			e.call(t, "listContacts", map[string]any{"per_page": 1})
			// A write with a read-only token: the API's 403, as a tool error.
			if got := errorOf(t, e.call(t, "createContact", map[string]any{"email": "x@example.com"})); got.Error.Code != "insufficient_scope" {
				t.Errorf("createContact with a read-only token: %+v", got)
			}
			e.fake.Inject("", 1, privytest.Fault{NonJSONBody: true, Status: http.StatusBadGateway})
			e.call(t, "listContacts", nil)
			e.call(t, RateLimitTool, nil)
			frames := e.frames.String()
			for _, secret := range tc.secrets {
				if strings.Contains(frames, secret) {
					t.Errorf("a frame holds a credential")
				}
			}
			for _, word := range []string{"Bearer", "Authorization", "access_token", "client_secret"} {
				if strings.Contains(frames, word) {
					t.Errorf("a frame mentions %q", word)
				}
			}
		})
	}
}

// TestMisbehavingAPI checks that broken answers become error results, never a panic or a hang.
func TestMisbehavingAPI(t *testing.T) {
	for name, fault := range map[string]privytest.Fault{
		"truncated body":  {TruncateBody: true},
		"HTML error page": {Status: http.StatusBadGateway, NonJSONBody: true},
		"HTML with 200":   {NonJSONBody: true},
		"dropped":         {DropConnection: true},
		"no answer":       {Latency: time.Hour}, // in real time: the call's timeout ends it
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, setup{opts: Options{CallTimeout: 200 * time.Millisecond}, realClock: fault.Latency > 0,
				fakeOpts: []privytest.Option{privytest.WithoutContractCheck()}})
			e.fake.Inject("listContacts", 1, fault)
			sent := len(e.fake.Requests())
			res := e.call(t, "listContacts", nil)
			if !res.IsError || text(res) == "" {
				t.Errorf("result %.300s (requests before %d, after %d), want an error result", text(res), sent, len(e.fake.Requests()))
			}
			if res := e.call(t, "listContacts", nil); res.IsError {
				t.Errorf("the next call failed: %s", text(res))
			}
		})
	}
}
