package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/privy-go/privy-go/internal/mcp"
	"github.com/privy-go/privy-go/internal/specdoc"
	"github.com/privy-go/privy-go/privy/privytest"
)

// TestMCPOverStdio drives the built binary with the SDK's CommandTransport: credentials
// from the environment, tools listed and called against a fake API, and the token in no
// frame and no log line.
func TestMCPOverStdio(t *testing.T) {
	srv := newFake(t)
	cmd := exec.CommandContext(t.Context(), binPath, "mcp", "--allow-writes", "--debug")
	cmd.Env = binaryEnv(t, envFor(srv, ""))
	var stderr safeBuffer
	cmd.Stderr = &stderr
	var frames safeBuffer
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil).
		Connect(t.Context(), &sdk.LoggingTransport{Transport: &sdk.CommandTransport{Command: cmd}, Writer: &frames}, nil)
	if err != nil {
		t.Fatal(err)
	}
	list, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	for _, want := range []string{"listContacts", "createContact", mcp.RateLimitTool} {
		if !slices.Contains(names, want) {
			t.Errorf("tools %v lack %s", names, want)
		}
	}
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "listContacts", Arguments: map[string]any{"per_page": 5}})
	if err != nil || res.IsError {
		t.Fatalf("listContacts: %v %+v", err, res)
	}
	if page, _ := res.StructuredContent.(map[string]any); page == nil || len(page["data"].([]any)) != 5 {
		t.Errorf("listContacts(per_page=5) = %v", res.StructuredContent)
	}
	res, err = cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "createContact", Arguments: map[string]any{"phone_number": "+15550001111"}})
	if err != nil || res.IsError {
		t.Fatalf("createContact: %v %+v", err, res)
	}
	if err := cs.Close(); err != nil {
		t.Logf("closing: %v", err)
	}
	if got := ops(srv); got["listContacts"] != 1 || got["createContact"] != 1 {
		t.Errorf("the fake saw %v", got)
	}
	if !strings.Contains(stderr.String(), "privy: request") {
		t.Errorf("--debug logged nothing to stderr: %q", stderr.String())
	}
	for name, s := range map[string]string{"frames": frames.String(), "stderr": stderr.String()} {
		if strings.Contains(s, privytest.DefaultToken) || strings.Contains(s, "Bearer") {
			t.Errorf("the %s hold the token", name)
		}
	}
}

// TestMCPStdoutCarriesFramesOnly writes raw JSON-RPC to the binary with --debug on and
// checks that every line of stdout is a JSON-RPC message.
func TestMCPStdoutCarriesFramesOnly(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), binPath, "mcp", "--fake", "--debug")
	cmd.Env = binaryEnv(t, nil)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"listContacts","arguments":{"per_page":2}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"deleteContact","arguments":{"email":"a@example.com"}}}`,
	} {
		if _, err := stdin.Write([]byte(msg + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	answered := map[float64]json.RawMessage{}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 1<<20)
	for len(answered) < 4 && sc.Scan() {
		var m struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      float64         `json:"id"`
			Result  json.RawMessage `json:"result"`
			Error   json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil || m.JSONRPC != "2.0" {
			t.Fatalf("stdout line is not a JSON-RPC message: %q", sc.Text())
		}
		answered[m.ID] = append(m.Result, m.Error...)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("privy mcp ended with %v; stderr:\n%s", err, stderr.String())
	}
	if len(answered) < 4 {
		t.Fatalf("answers %v; stderr:\n%s", answered, stderr.String())
	}
	if !strings.Contains(string(answered[4]), "deleteContact") {
		t.Errorf("calling a write tool without --allow-writes: %s", answered[4])
	}
	if !strings.Contains(stderr.String(), "privy: request") {
		t.Errorf("no debug log on stderr: %q", stderr.String())
	}
}

func TestMCPUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"mcp", "--fake", "--tools", "nope"}, nil, exitUsage, `unknown tool "nope"`},
		{[]string{"mcp", "--fake", "--tools", "exchangeToken"}, nil, exitUsage, `unknown tool "exchangeToken"`},
		{[]string{"mcp", "--fake", "--tools", "createContact"}, nil, exitUsage, "--allow-writes"},
		{[]string{"mcp", "--fake", "--max-wait", "-1s"}, nil, exitUsage, "--max-wait"},
		{[]string{"mcp"}, nil, exitAuth, "no credentials"},
	} {
		r := runInProcess(t, tc.env, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("privy %v: %s\nwant exit %d, stderr saying %q, empty stdout", tc.args, r, tc.code, tc.want)
		}
	}
}

// TestMCPInspector drives the binary with the MCP Inspector's CLI mode, an MCP client nobody
// here wrote (pinned in package.json; CI installs it with npm install --ignore-scripts).
func TestMCPInspector(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	inspector := filepath.Join(root, "node_modules", ".bin", "mcp-inspector")
	if _, err := os.Stat(inspector); err != nil {
		t.Skip("the MCP Inspector is not installed: run `npm install --ignore-scripts` in the repository root (CI does)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH; the MCP Inspector needs it")
	}
	inspect := func(t *testing.T, args ...string) (map[string]any, string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), inspector, append([]string{"--cli", binPath, "mcp", "--fake"}, args...)...)
		cmd.Env = binaryEnv(t, nil)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		began := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("inspector %v: %v\nstdout: %s\nstderr: %s", args, err, stdout.String(), stderr.String())
		}
		t.Logf("inspector %v: %v", args, time.Since(began).Round(time.Millisecond))
		var out map[string]any
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatalf("inspector output is not JSON: %v\n%s", err, stdout.String())
		}
		return out, stderr.String()
	}
	list, stderr := inspect(t, "--method", "tools/list", "--strict")
	var names []string
	for _, tool := range list["tools"].([]any) {
		names = append(names, tool.(map[string]any)["name"].(string))
	}
	if !slices.Contains(names, "listContacts") || !slices.Contains(names, mcp.RateLimitTool) || slices.Contains(names, "createContact") {
		t.Errorf("tools listed by the inspector: %v", names)
	}
	if strings.Contains(stderr, "Warning") || strings.Contains(stderr, "Error") {
		t.Errorf("the inspector's schema portability check complains:\n%s", stderr)
	}
	res, _ := inspect(t, "--method", "tools/call", "--tool-name", "listContacts", "--tool-arg", "per_page=3")
	page, _ := res["structuredContent"].(map[string]any)
	if res["isError"] == true || page == nil || len(page["data"].([]any)) != 3 || page["pagination"] == nil {
		t.Errorf("listContacts(per_page=3) through the inspector: %v", res)
	}
}

// TestMCPHelpListsTools checks that the help names every tool the spec gives, and not the
// token exchange.
func TestMCPHelpListsTools(t *testing.T) {
	r := runInProcess(t, nil, "mcp", "--help")
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			listed := strings.Contains(r.stdout, op.OperationID)
			if never := mcp.CredentialExchange(op); listed == never {
				t.Errorf("help lists %s: %v, want %v\n%s", op.OperationID, listed, !never, r)
			}
		}
	}
}
