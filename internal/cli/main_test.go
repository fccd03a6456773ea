package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/privy/privytest"
)

// binPath is the privy binary built by TestMain for the over-HTTP tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "privy-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "privy")
	build := exec.Command("go", "build", "-o", binPath, "github.com/privy-go/privy-go/cmd/privy")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the privy binary:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is the outcome of one privy run.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// runner runs privy with an environment and arguments.
type runner struct {
	name string
	run  func(t *testing.T, env map[string]string, args ...string) result
}

var runners = []runner{{"in-process", runInProcess}, {"binary", runBinary}}

func runInProcess(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb safeBuffer
	code := Run(t.Context(), args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func runBinary(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), binPath, args...)
	cmd.Env = binaryEnv(t, env)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running privy: %v", err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// binaryEnv is a minimal environment holding env and nothing of the test process's own
// PRIVY_* settings.
func binaryEnv(t *testing.T, env map[string]string) []string {
	out := []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

// newFake starts a fake API with 150 seeded contacts, checking its own responses against the
// spec.
func newFake(t *testing.T, opts ...privytest.Option) *privytest.Server {
	t.Helper()
	srv := privytest.NewServer(append([]privytest.Option{privytest.WithSeed(1, 150), privytest.WithT(t)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// envFor points privy at srv with token (DefaultToken when "").
func envFor(srv *privytest.Server, token string) map[string]string {
	if token == "" {
		token = privytest.DefaultToken
	}
	return map[string]string{"PRIVY_BASE_URL": srv.URL, "PRIVY_TOKEN": token}
}

// ops counts the fake's requests by operation.
func ops(srv *privytest.Server) map[string]int {
	n := map[string]int{}
	for _, r := range srv.Requests() {
		n[r.Operation]++
	}
	return n
}
