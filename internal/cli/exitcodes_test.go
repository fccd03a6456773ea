package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy/privytest"
)

const (
	readOnlyToken = "privy_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	unknownToken  = "privy_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// TestExitCodes checks each documented exit code and the error lines behind it.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, srv *privytest.Server)
		env    func(srv *privytest.Server) map[string]string
		args   func(t *testing.T, dir string) []string
		code   int
		stderr []string // lines stderr must contain, in order
	}{
		{name: "success", args: args("contacts", "list"), code: 0},
		{name: "help", args: args("--help"), code: 0},
		{
			// Flag values the spec refuses get the API's own validation_failed answer, found before
			// sending: exit 1, as the API's refusal would be. A command line that cannot be
			// parsed (a bad -o, an unknown flag, --page abc) is a usage error, exit 2.
			name: "flag values the spec refuses print the envelope and each detail and exit 1",
			args: args("contacts", "create", "--email", "x@example.com", "--phone", "12345", "--email-consent", "maybe"),
			code: 1,
			stderr: []string{
				"error: validation_failed: " + specReply(t, "ValidationFailed"),
				"  " + specDetail(t, "email_consent"),
				"  " + specDetail(t, "phone_number"),
			},
		},
		{name: "a per-page the spec refuses exits 1, naming it", args: args("contacts", "list", "--per-page", "1000"), code: 1,
			stderr: []string{"per_page"}},
		{name: "a flag value that does not parse exits 2", args: args("contacts", "list", "--page", "abc"), code: exitUsage},
		{name: "a bad -o exits 2", args: args("-o", "yaml", "contacts", "list"), code: exitUsage},
		{name: "-o on export exits 2", args: args("-o", "table", "contacts", "export"), code: exitUsage,
			stderr: []string{"--format"}},
		{name: "not found", args: args("contacts", "delete", "--phone", "+15550009999"), code: 1,
			stderr: []string{"error: not_found: "}},
		{name: "conflict", args: args("contacts", "create", "--email", "dup@example.com"), code: 1,
			setup: func(t *testing.T, srv *privytest.Server) {
				runInProcess(t, envFor(srv, ""), "contacts", "create", "--email", "dup@example.com")
			},
			stderr: []string{"error: conflict: " + specReply(t, "Conflict", "email")}},
		{name: "server error", args: args("contacts", "list"), code: 1,
			setup: func(t *testing.T, srv *privytest.Server) {
				srv.Inject("listContacts", 1, privytest.Fault{Status: 500})
			},
			stderr: []string{"error: "}},
		{name: "unknown flag", args: args("contacts", "list", "--colour"), code: 2,
			stderr: []string{"error: unknown flag: --colour", `Run "privy --help" for usage.`}},
		{name: "unknown command", args: args("contacts", "frobnicate"), code: 2},
		{name: "missing argument", args: args("contacts", "import"), code: 2},
		{name: "extra argument", args: args("contacts", "list", "jane@example.com"), code: 2,
			stderr: []string{`unknown command "jane@example.com"`, `Run "privy --help" for usage.`}},
		{name: "too many arguments", args: args("spec", "diff", "a.yaml", "b.yaml", "c.yaml"), code: 2,
			stderr: []string{"accepts 2 arg(s), received 3"}},
		{name: "bad --output", args: args("contacts", "list", "--output", "yaml"), code: 2},
		{name: "bad --format", args: args("contacts", "export", "--format", "xml"), code: 2},
		{name: "-o on export", args: args("contacts", "export", "-o", "json"), code: 2,
			stderr: []string{`export writes --format (ndjson, csv or json), not --output "json"`}},
		{name: "-o on fake-server", args: args("fake-server", "-o", "json"), code: 2,
			stderr: []string{`fake-server prints the base URL and a token as shell lines, not --output "json"`}},
		{name: "-o on mcp", args: args("mcp", "-o", "table"), code: 2},
		{name: "-o on spec fixtures", args: args("spec", "fixtures", "-o", "json", "testdata"), code: 2},
		{name: "flag value not a number", args: args("contacts", "list", "--page", "two"), code: 2},
		{name: "both identifiers", args: args("contacts", "delete", "--email", "a@example.com", "--phone", "+15550000000"), code: 2},
		{name: "no identifier", args: args("contacts", "unsubscribe"), code: 2},
		{name: "a token as a flag", args: args("--token="+unknownToken, "contacts", "list"), code: 2,
			stderr: []string{"error: --token: secrets are never accepted as flag values", "PRIVY_TOKEN"}},
		{name: "unknown CSV column", code: 2,
			args: func(t *testing.T, dir string) []string {
				return []string{"contacts", "import", writeCSV(t, dir, "in.csv", "email,nickname", "a@example.com,A")}
			},
			stderr: []string{`unknown column "nickname"`}},
		{name: "missing CSV file", args: args("contacts", "import", "/nonexistent/in.csv"), code: 2},
		{name: "non-loopback fake server", args: args("fake-server", "--addr", "0.0.0.0:0"), code: 2,
			stderr: []string{"loopback only"}},
		{name: "no credentials", env: func(*privytest.Server) map[string]string { return map[string]string{} },
			args: args("contacts", "list"), code: 3, stderr: []string{"error: no credentials: set PRIVY_TOKEN"}},
		{name: "unknown token", env: func(srv *privytest.Server) map[string]string { return envFor(srv, unknownToken) },
			args: args("contacts", "list"), code: 3, stderr: []string{"error: unauthorized: " + specReply(t, "Unauthorized")}},
		{name: "insufficient scope",
			setup: func(t *testing.T, srv *privytest.Server) {
				srv.AddToken(readOnlyToken, time.Time{}, privytest.ScopeRead)
			},
			env:  func(srv *privytest.Server) map[string]string { return envFor(srv, readOnlyToken) },
			args: args("contacts", "create", "--email", "w@example.com"), code: 3, stderr: []string{"error: insufficient_scope: "}},
		{name: "invalid client",
			env: func(srv *privytest.Server) map[string]string {
				return map[string]string{"PRIVY_BASE_URL": srv.URL, "PRIVY_CLIENT_ID": privytest.DefaultClientID, "PRIVY_CLIENT_SECRET": "wrong"}
			},
			args: args("contacts", "list"), code: 3, stderr: []string{"error: "}},
		{name: "invalid scope",
			setup: func(t *testing.T, srv *privytest.Server) {
				srv.AddOAuthClient("reader", "reader-secret", privytest.ScopeRead)
			},
			env: func(srv *privytest.Server) map[string]string {
				return map[string]string{"PRIVY_BASE_URL": srv.URL, "PRIVY_CLIENT_ID": "reader", "PRIVY_CLIENT_SECRET": "reader-secret",
					"PRIVY_SCOPES": "contacts_read,contacts_write"}
			},
			args: args("contacts", "list"), code: 3, stderr: []string{"error: "}},
		{name: "half the client credentials",
			env: func(srv *privytest.Server) map[string]string {
				return map[string]string{"PRIVY_BASE_URL": srv.URL, "PRIVY_CLIENT_ID": "x"}
			},
			args: args("contacts", "list"), code: 3},
		{name: "Retry-After too long to wait",
			setup: func(t *testing.T, srv *privytest.Server) {
				srv.Inject("listContacts", 1, privytest.Fault{Status: 429, RetryAfter: "3600"})
			},
			args: args("contacts", "list"), code: 4, stderr: []string{"error: rate_limited: " + specReply(t, "RateLimited") + " (retry after 1h0m0s)"}},
		{name: "daily budget spent", args: args("contacts", "list", "--all", "--per-page", "10"), code: 4},
	}
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var opts []privytest.Option
					if tt.name == "daily budget spent" {
						opts = append(opts, privytest.WithLimits(60, 3))
					}
					srv := newFake(t, opts...)
					if tt.setup != nil {
						tt.setup(t, srv)
					}
					env := envFor(srv, "")
					if tt.env != nil {
						env = tt.env(srv)
					}
					r := rn.run(t, env, tt.args(t, t.TempDir())...)
					if r.code != tt.code {
						t.Fatalf("want exit %d, got %s", tt.code, r)
					}
					rest := r.stderr
					for _, want := range tt.stderr {
						i := strings.Index(rest, want)
						if i < 0 {
							t.Fatalf("stderr lacks %q (in order):\n%s", want, r.stderr)
						}
						rest = rest[i+len(want):]
					}
					if tt.code != 0 && !strings.HasPrefix(r.stderr, "error: ") {
						t.Errorf("stderr does not start with \"error: \":\n%s", r.stderr)
					}
					if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
						t.Errorf("a stack trace:\n%s", r.stderr)
					}
				})
			}
		})
	}
}

func args(a ...string) func(*testing.T, string) []string {
	return func(*testing.T, string) []string { return a }
}
