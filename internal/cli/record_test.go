package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/privy-go/privy-go/privy/privytest"
)

// TestRecordThenValidate records traffic of every operation with --record and checks that
// "privy spec validate" accepts the recording, that the token exchange's request was not
// written and that its access token was redacted.
func TestRecordThenValidate(t *testing.T) {
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			srv := newFake(t)
			dir := filepath.Join(t.TempDir(), "rec")
			env := map[string]string{"PRIVY_BASE_URL": srv.URL, "PRIVY_CLIENT_ID": privytest.DefaultClientID,
				"PRIVY_CLIENT_SECRET": privytest.DefaultClientSecret, "PRIVY_SCOPES": "contacts_read,contacts_write"}
			for _, args := range [][]string{
				{"contacts", "list", "--per-page", "3", "--email-permission", "subscribed"},
				{"contacts", "create", "--email", "rec@example.com", "--tag", "x", "--field", "n=1"},
				{"contacts", "create", "--email", "rec@example.com"}, // 409
				{"contacts", "update", "--email", "rec@example.com", "--first-name", "Rec"},
				{"contacts", "unsubscribe", "--email", "rec@example.com"},
				{"contacts", "delete", "--email", "rec@example.com"},
				{"contacts", "delete", "--email", "rec@example.com"}, // 404
			} {
				rn.run(t, env, append([]string{"--record", dir}, args...)...)
			}
			for _, want := range []string{
				"listContacts/request/valid", "listContacts/response/200/valid",
				"createContact/request/valid", "createContact/response/201/valid", "createContact/response/409/valid",
				"updateContact/response/200/valid", "unsubscribeContact/response/200/valid",
				"deleteContact/response/200/valid", "deleteContact/response/404/valid",
				"exchangeToken/response/200/valid",
			} {
				if m, _ := filepath.Glob(filepath.Join(dir, want, "*.json")); len(m) == 0 {
					t.Errorf("nothing recorded in %s", want)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "exchangeToken", "request")); !os.IsNotExist(err) {
				t.Errorf("the token request (with the client secret) was recorded: %v", err)
			}
			tokens, _ := filepath.Glob(filepath.Join(dir, "exchangeToken/response/200/valid/*.json"))
			for _, f := range tokens {
				var tok map[string]any
				b, _ := os.ReadFile(f)
				if json.Unmarshal(b, &tok) != nil || tok["access_token"] != "REDACTED" {
					t.Errorf("%s: %s", f, b)
				}
			}
			q, _ := filepath.Glob(filepath.Join(dir, "listContacts/request/valid/*.json"))
			if len(q) > 0 {
				b, _ := os.ReadFile(q[0])
				if string(b) != `{"email_permission":"subscribed","per_page":"3"}` {
					t.Errorf("list request recorded as %s", b)
				}
			}

			r := rn.run(t, nil, "spec", "validate", dir)
			if r.code != 0 || !strings.Contains(r.stdout, " 0 failed") {
				t.Fatalf("the recording does not validate: %s", r)
			}

			// A recording that drifted from the spec is reported, with exit 1.
			drift := filepath.Join(dir, "listContacts/response/200/valid/999999.json")
			writeFile(t, drift, `{"data":[{"id":"c_1"}],"pagination":{"page":1,"per_page":25,"total_count":1,"total_pages":1}}`)
			r = rn.run(t, nil, "spec", "validate", dir)
			if r.code != 1 || !strings.Contains(r.stdout, "FAIL "+drift) || !strings.Contains(r.stdout, "listContacts response 200 body /data/0") {
				t.Errorf("drift not reported: %s", r)
			}
			r = rn.run(t, nil, "--output", "json", "spec", "validate", drift)
			var results []map[string]any
			if r.code != 1 || json.Unmarshal([]byte(r.stdout), &results) != nil || len(results) != 1 {
				t.Errorf("--output json: %s", r)
			}
		})
	}
}

// TestRecordCapsBodies: --record and --check-drift read at most their cap of a response
// body; a huge error body is passed on unread (the client reads its own capped part) and
// the command ends.
func TestRecordCapsBodies(t *testing.T) {
	for _, flag := range []string{"--record", "--check-drift"} {
		t.Run(flag, func(t *testing.T) { testBodyCap(t, flag) })
	}
}

func testBodyCap(t *testing.T, flag string) {
	var sent atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for sent.Load() < 256<<20 {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(ts.Close)
	args := []string{flag, "contacts", "list"}
	if flag == "--record" {
		args = []string{flag, filepath.Join(t.TempDir(), "rec"), "contacts", "list"}
	}
	r := runInProcess(t, map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_TOKEN": privytest.DefaultToken}, args...)
	if r.code != exitFailure {
		t.Fatalf("%s", r)
	}
	if n := sent.Load(); n > 32<<20 {
		t.Errorf("the server sent %d MiB before the client stopped reading", n>>20)
	}
	// --record sits under the client and says it did not record the body; --check-drift sits
	// in the client, which has already cut an error body to its cap (64 KiB).
	if flag == "--record" && !strings.Contains(r.stderr, "not recorded") {
		t.Errorf("no warning that the body was not recorded: %s", r.stderr)
	}
}
