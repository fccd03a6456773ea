package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/privy-go/privy-go/privy/privytest"
)

// TestImportResumesAfterKill runs the privy binary on a CSV file against an in-test fake,
// stops it once the fake has seen K creates (K random), reruns the same command and checks
// the fake's store: every row present, none lost, none created twice.
func TestImportResumesAfterKill(t *testing.T) {
	const rows = 120
	tests := []struct {
		name     string
		sig      os.Signal
		inFlight bool // the K-th create is applied but never answered: the process dies waiting
		wantCode int  // exit code of the stopped run (-1: killed by a signal)
	}{
		{"SIGKILL with a row in flight", syscall.SIGKILL, true, -1},
		{"SIGKILL between rows", syscall.SIGKILL, false, -1},
		{"SIGINT with a row in flight", syscall.SIGINT, true, exitInterrupted},
		{"SIGTERM between rows", syscall.SIGTERM, false, exitInterrupted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := 1 + rand.IntN(rows-1)
			t.Logf("stopping at create %d of %d", k, rows)
			// Large limits: the subprocess runs on the real clock, and pacing is not tested here.
			fake := privytest.New(privytest.WithLimits(1_000_000, 1_000_000), privytest.WithT(t))
			var creates atomic.Int64
			stop := make(chan struct{})
			var once sync.Once
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v1/contacts" || creates.Add(1) != int64(k) {
					fake.ServeHTTP(w, r)
					return
				}
				if tt.inFlight {
					fake.ServeHTTP(httptest.NewRecorder(), r) // applied, never answered
					once.Do(func() { close(stop) })
					<-r.Context().Done() // until the client goes away
					return
				}
				fake.ServeHTTP(w, r)
				w.(http.Flusher).Flush()
				once.Do(func() { close(stop) })
			}))
			t.Cleanup(ts.Close)

			dir := t.TempDir()
			lines := []string{"email,first_name,tags"}
			for i := range rows {
				lines = append(lines, fmt.Sprintf("row%03d@example.com,Row %d,imported", i, i))
			}
			in := writeCSV(t, dir, "big.csv", lines...)
			env := map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_TOKEN": privytest.DefaultToken}

			cmd := exec.Command(binPath, "contacts", "import", in)
			cmd.Env = binaryEnv(t, env)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
			select {
			case <-stop:
				if err := cmd.Process.Signal(tt.sig); err != nil {
					t.Fatal(err)
				}
				err = <-exited
			case err = <-exited:
				t.Fatalf("the import ended before create %d: %v\n%s%s", k, err, out.String(), errb.String())
			}
			code := cmd.ProcessState.ExitCode()
			if code != tt.wantCode {
				t.Fatalf("stopped run: exit %d (%v), want %d\n%s%s", code, err, tt.wantCode, out.String(), errb.String())
			}
			if tt.wantCode == exitInterrupted && !strings.Contains(errb.String(), "rerun the same command to resume") {
				t.Errorf("no resume hint: %s", errb.String())
			}
			before := len(fake.Contacts())
			if before < k || before >= rows {
				t.Fatalf("%d contacts after the stop, want from %d to %d", before, k, rows-1)
			}

			r := runBinary(t, env, "contacts", "import", in)
			if r.code != 0 {
				t.Fatalf("rerun: %s", r)
			}
			if tt.inFlight && !strings.Contains(r.stderr, "was in flight when the last run stopped: the stored contact matches it, counted as created") {
				t.Errorf("rerun did not say it counted the in-flight row: %s", r.stderr)
			}

			// Every row present exactly once; nothing else.
			seen := map[string]int{}
			for _, c := range fake.Contacts() {
				seen[deref(c.Email)]++
			}
			for i := range rows {
				if e := fmt.Sprintf("row%03d@example.com", i); seen[e] != 1 {
					t.Errorf("%s is in the store %d times", e, seen[e])
				}
			}
			if len(seen) != rows {
				t.Errorf("%d distinct contacts, want %d", len(seen), rows)
			}
			// Applied once: exactly one successful create per row across both runs.
			created := map[string]int{}
			for _, req := range fake.Requests() {
				if req.Operation == "createContact" && req.Status == http.StatusCreated {
					var body struct{ Email string }
					json.Unmarshal(req.Body, &body)
					created[body.Email]++
				}
			}
			for e, n := range created {
				if n != 1 {
					t.Errorf("%s created %d times", e, n)
				}
			}
			if len(created) != rows {
				t.Errorf("%d rows created, want %d", len(created), rows)
			}
			state, _ := os.ReadFile(filepath.Join(dir, "big.csv.state"))
			if n := strings.Count(string(state), "\ndone "); n != rows {
				t.Errorf("%d done lines in the journal, want %d", n, rows)
			}
		})
	}
}
