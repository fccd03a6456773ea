package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTimeoutFlag: --timeout bounds each request; a stalled server ends the command with exit 1
// and an error naming the request, not a hang.
func TestTimeoutFlag(t *testing.T) {
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer stalled.Close()
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			start := time.Now()
			res := rn.run(t, map[string]string{"PRIVY_BASE_URL": stalled.URL + "/v1", "PRIVY_TOKEN": "privy_secret_token"},
				"--timeout", "200ms", "contacts", "list", "--output", "json")
			if took := time.Since(start); took > 8*time.Second {
				t.Errorf("took %v with --timeout 200ms", took)
			}
			if res.code != 1 || !strings.Contains(res.stderr, "timed out") || !strings.Contains(res.stderr, "GET /v1/contacts") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 naming the request that timed out", res.code, res.stderr)
			}
		})
	}
	res := runners[0].run(t, nil, "--fake", "--timeout", "-1s", "contacts", "list")
	if res.code != 2 {
		t.Errorf("--timeout -1s: exit %d, want 2 (usage)", res.code)
	}
}

// TestMalformedListExit: a list answered 204 or {} is an API failure (exit 1) with a message
// saying what was wrong, never a crash or the usage-error code.
func TestMalformedListExit(t *testing.T) {
	for _, body := range []string{"", "{}", "null"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if body == "" {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(body))
		}))
		res := runners[0].run(t, map[string]string{"PRIVY_BASE_URL": srv.URL + "/v1", "PRIVY_TOKEN": "privy_secret_token"},
			"contacts", "list", "--all", "--output", "json")
		srv.Close()
		if res.code != 1 || !strings.Contains(res.stderr, "malformed response") {
			t.Errorf("body %q: exit %d, stderr:\n%s\nwant exit 1 saying the response is malformed", body, res.code, res.stderr)
		}
	}
}
