package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy/privytest"
)

const secretToken = "privy_5ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4"

// TestTokenNeverPrinted runs commands with --debug, successful and failing, with an API token
// and with OAuth credentials, and scans everything printed for the token, the client secret
// and the access tokens the fake handed out.
func TestTokenNeverPrinted(t *testing.T) {
	const clientSecret = "cl1ent-s3cret-value"
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			srv := newFake(t)
			srv.AddToken(secretToken, time.Time{}, privytest.ScopeRead, privytest.ScopeWrite)
			srv.AddOAuthClient("app", clientSecret, privytest.ScopeRead, privytest.ScopeWrite)
			dir := t.TempDir()
			in := writeCSV(t, dir, "in.csv", "email,phone_number", "t1@example.com,", "t2@example.com,123")
			tokenFile := filepath.Join(dir, "token")
			writeFile(t, tokenFile, secretToken+"\n")
			srv.Inject("listContacts", 1, privytest.Fault{Status: 429, RetryAfter: "86400"})

			tokenEnv := envFor(srv, secretToken)
			oauthEnv := map[string]string{"PRIVY_BASE_URL": srv.URL, "PRIVY_CLIENT_ID": "app",
				"PRIVY_CLIENT_SECRET": clientSecret, "PRIVY_SCOPES": "contacts_read contacts_write"}
			fileEnv := map[string]string{"PRIVY_BASE_URL": srv.URL}
			runs := []struct {
				env  map[string]string
				args []string
				code int
			}{
				{tokenEnv, []string{"--debug", "contacts", "list", "--all"}, 4}, // a 429 with a day to wait
				{tokenEnv, []string{"--debug", "contacts", "list", "--all"}, 0},
				{tokenEnv, []string{"--debug", "contacts", "create", "--email", "s@example.com"}, 0},
				{tokenEnv, []string{"--debug", "contacts", "create", "--email", "s@example.com"}, 1}, // conflict
				{tokenEnv, []string{"--debug", "contacts", "import", in}, 1},                         // one bad row
				{tokenEnv, []string{"--debug", "--record", filepath.Join(dir, "rec"), "contacts", "export", "--format", "csv"}, 0},
				{oauthEnv, []string{"--debug", "--record", filepath.Join(dir, "rec"), "contacts", "list"}, 0},
				{oauthEnv, []string{"--debug", "contacts", "update", "--email", "s@example.com", "--first-name", "S"}, 0},
				{fileEnv, []string{"--debug", "--token-file", tokenFile, "contacts", "unsubscribe", "--email", "s@example.com"}, 0},
				{envFor(srv, secretToken+"x"), []string{"--debug", "contacts", "list"}, 3}, // 401
			}
			var printed strings.Builder
			debugLines := 0
			for _, run := range runs {
				r := rn.run(t, run.env, run.args...)
				if r.code != run.code {
					t.Errorf("%v: want exit %d, got %s", run.args, run.code, r)
				}
				printed.WriteString(r.stdout + r.stderr)
				debugLines += strings.Count(r.stderr, "level=DEBUG")
			}
			if debugLines < len(runs) {
				t.Fatalf("only %d debug lines in %d runs: is --debug logging at all?", debugLines, len(runs))
			}
			secrets := []string{secretToken, clientSecret}
			for _, req := range srv.Requests() {
				if req.Token != "" && req.Token != secretToken {
					secrets = append(secrets, req.Token) // an OAuth access token
				}
			}
			if len(secrets) < 3 {
				t.Fatal("no OAuth access token was used")
			}
			// Recorded fixtures must not hold them either.
			filepath.WalkDir(filepath.Join(dir, "rec"), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(p)
					printed.Write(b)
				}
				return nil
			})
			out := printed.String()
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("secret %.10s... was printed or recorded", s)
				}
			}
			if !strings.Contains(out, "bearer [REDACTED]") {
				t.Error("the debug log does not show the redacted Authorization")
			}
		})
	}
}
