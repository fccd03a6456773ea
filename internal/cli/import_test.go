package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// TestImportStopsOnRateLimitAndResumes: a 429 with a wait too long to make stops the import
// with exit 4; the rerun picks up at the row that was refused.
func TestImportStopsOnRateLimitAndResumes(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	in := writeCSV(t, dir, "in.csv", "email", "r1@example.com", "r2@example.com", "r3@example.com")
	env := envFor(srv, "")
	r := runInProcess(t, env, "contacts", "import", in)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}

	in2 := writeCSV(t, dir, "in2.csv", "email", "s1@example.com", "s2@example.com", "s3@example.com")
	srv.Inject("createContact", 1, privytest.Fault{Status: 429, RetryAfter: "86400"})
	r = runInProcess(t, env, "contacts", "import", in2)
	if r.code != exitRateLimit || !strings.Contains(r.stderr, "error: rate_limited: ") || !strings.HasPrefix(r.stdout, "created 0, ") ||
		!strings.Contains(r.stderr, "rerun the same command later to resume") {
		t.Fatalf("want exit 4 and a summary, got %s", r)
	}
	r = runInProcess(t, env, "contacts", "import", in2)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "created 3, updated 0, skipped 0, rejected 0") {
		t.Fatalf("rerun: %s", r)
	}
	if _, err := os.Stat(in2 + ".rejects.csv"); !os.IsNotExist(err) {
		t.Errorf("a resumed import without rejects left a rejects file: %v", err)
	}
	r = runInProcess(t, env, "--output", "json", "contacts", "import", in2)
	var sum importSummary
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &sum) != nil || sum.Skipped != 3 || sum.Created != 0 || !sum.Complete {
		t.Fatalf("a finished import rerun skips every row: %s", r)
	}
}

// TestImportJournalOfAnotherFile: a state file from a different input is refused (exit 2)
// with a way out, and --state puts the journal elsewhere.
func TestImportJournalOfAnotherFile(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	in := writeCSV(t, dir, "in.csv", "email", "j1@example.com")
	env := envFor(srv, "")
	if r := runInProcess(t, env, "contacts", "import", in); r.code != 0 {
		t.Fatalf("%s", r)
	}
	writeCSV(t, dir, "in.csv", "email", "j1@example.com", "j2@example.com") // the file changed
	r := runInProcess(t, env, "contacts", "import", in)
	if r.code != exitUsage || !strings.Contains(r.stderr, "belongs to a different input file") || !strings.Contains(r.stderr, "--state") {
		t.Fatalf("%s", r)
	}
	state := filepath.Join(dir, "elsewhere.state")
	r = runInProcess(t, env, "contacts", "import", "--upsert", "--state", state, in)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "created 1, updated 0, skipped 0, rejected 0, unchanged 1") {
		t.Fatalf("%s", r)
	}
	if b, err := os.ReadFile(state); err != nil || !strings.HasPrefix(string(b), journalMagic+" ") {
		t.Errorf("journal at --state: %q %v", b, err)
	}
}

// TestExportOutLeavesNoPartialFile: a failed export does not leave a truncated file behind.
func TestExportOutLeavesNoPartialFile(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.ndjson")
	srv.Inject("listContacts", 1, privytest.Fault{}) // the first page succeeds untouched
	srv.Inject("listContacts", 1, privytest.Fault{Status: 500})
	r := runInProcess(t, envFor(srv, ""), "contacts", "export", "--out", out)
	if r.code != 1 {
		t.Fatalf("%s", r)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestImportDryRunNeedsNoCredentials(t *testing.T) {
	dir := t.TempDir()
	in := writeCSV(t, dir, "in.csv", "email,phone_number", "ok@example.com,+15551234567")
	r := runInProcess(t, nil, "contacts", "import", "--dry-run", in)
	if r.code != 0 || r.stdout != "1 rows checked, 0 invalid; nothing was sent\n" {
		t.Fatalf("%s", r)
	}
	if _, err := os.Stat(in + ".state"); !os.IsNotExist(err) {
		t.Error("a dry run wrote a journal")
	}
}

// TestImportRejectsFileBelongsToOneImport: rerunning appends to the rejects file only while
// resuming; a new import (state file deleted) starts a new rejects file.
func TestImportRejectsFileBelongsToOneImport(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	in := writeCSV(t, dir, "in.csv", "email,phone_number", "x@example.com,123")
	env := envFor(srv, "")
	for range 2 {
		if r := runInProcess(t, env, "contacts", "import", in); r.code != 1 {
			t.Fatalf("%s", r)
		}
	}
	rejects, _ := os.ReadFile(in + ".rejects.csv")
	if n := strings.Count(string(rejects), "\n"); n != 2 {
		t.Fatalf("after a resumed run: %d lines in the rejects file, want header + 1:\n%s", n, rejects)
	}
	os.Remove(in + ".state")
	if r := runInProcess(t, env, "contacts", "import", in); r.code != 1 {
		t.Fatalf("%s", r)
	}
	rejects, _ = os.ReadFile(in + ".rejects.csv")
	if n := strings.Count(string(rejects), "\n"); n != 2 {
		t.Fatalf("after a new import: %d lines in the rejects file, want header + 1:\n%s", n, rejects)
	}
}

// TestImportPacesWithinBudget imports more rows than a minute allows, on a fake clock shared
// by the fake and the client: every row arrives, the fake never answers 429, and the import
// waited for the windows to reset.
func TestImportPacesWithinBudget(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := privytest.NewClock(start)
	srv := newFake(t, privytest.WithClock(clock), privytest.WithLimits(10, 10_000))
	dir := t.TempDir()
	lines := []string{"email"}
	for i := range 35 {
		lines = append(lines, fmt.Sprintf("paced%d@example.com", i))
	}
	in := writeCSV(t, dir, "in.csv", lines...)
	env := envFor(srv, "")
	var out, errb safeBuffer
	a := &app{ctx: t.Context(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		env: func(k string) string { return env[k] }, clientOpts: []privy.Option{privy.WithClock(clock)}}
	if code := a.run([]string{"contacts", "import", in}); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	if n := len(srv.Contacts()); n != 150+35 {
		t.Errorf("%d contacts, want %d", n, 150+35)
	}
	for _, r := range srv.Requests() {
		if r.Status == http.StatusTooManyRequests {
			t.Fatalf("the fake answered 429 to the only client")
		}
	}
	if waited := clock.Now().Sub(start); waited < 3*time.Minute {
		t.Errorf("35 requests at 10 a minute took %v on the clock, want at least 3m", waited)
	}
}

// TestImportRejectsOnceAfterCrash: a crash after a row reached the rejects file but before its
// journal line is resumed with the row in the rejects file once.
func TestImportRejectsOnceAfterCrash(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	in := writeCSV(t, dir, "in.csv", "email,phone_number", "a@example.com,123", "ok@example.com,", "b@example.com,456")
	env := envFor(srv, "")
	if r := runInProcess(t, env, "contacts", "import", in); r.code != 1 {
		t.Fatalf("%s", r)
	}
	// Undo the last journal line ("reject 4"), as a crash just before it was written would.
	state, _ := os.ReadFile(in + ".state")
	lines := strings.SplitAfter(string(state), "\n")
	if last := lines[len(lines)-2]; last != "reject 4\n" {
		t.Fatalf("journal ends with %q", last)
	}
	writeFile(t, in+".state", strings.Join(lines[:len(lines)-2], ""))
	r := runInProcess(t, env, "contacts", "import", in)
	if r.code != 1 || !strings.HasPrefix(r.stdout, "created 0, updated 0, skipped 2, rejected 1 (and 1 rejected by an earlier run)") {
		t.Fatalf("%s", r)
	}
	rejects, _ := os.ReadFile(in + ".rejects.csv")
	for _, e := range []string{"a@example.com", "b@example.com"} {
		if n := strings.Count(string(rejects), e); n != 1 {
			t.Errorf("%s is %d times in the rejects file:\n%s", e, n, rejects)
		}
	}
}

// TestImportRejectsFileImportsBack: the rejects file (with its error column) imports as it
// is: here, after the conflicts that rejected its rows, with --upsert.
func TestImportRejectsFileImportsBack(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	var existing []string
	for _, c := range srv.Contacts() {
		if c.Email != nil && len(existing) < 2 {
			existing = append(existing, *c.Email)
		}
	}
	in := writeCSV(t, dir, "in.csv", "email,first_name", existing[0]+",Again", existing[1]+",Again")
	env := envFor(srv, "")
	if r := runInProcess(t, env, "contacts", "import", in); r.code != 1 || !strings.Contains(r.stdout, "rejected 2") {
		t.Fatalf("%s", r)
	}
	r := runInProcess(t, env, "contacts", "import", "--upsert", in+".rejects.csv")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "created 0, updated 2, skipped 0, rejected 0") {
		t.Fatalf("importing the rejects file: %s", r)
	}
}

// TestImportPowerShellCSV: a UTF-8 byte order mark before a quoted header, and CRLF line
// ends, as PowerShell's Export-Csv writes them.
func TestImportPowerShellCSV(t *testing.T) {
	srv := newFake(t)
	in := filepath.Join(t.TempDir(), "ps.csv")
	writeFile(t, in, "\ufeff\"email\",\"first_name\"\r\n\"ps1@example.com\",\"Power\"\r\n\"ps2@example.com\",\"Shell\"\r\n")
	for _, args := range [][]string{{"contacts", "import", "--dry-run", in}, {"contacts", "import", in}} {
		if r := runInProcess(t, envFor(srv, ""), args...); r.code != 0 {
			t.Fatalf("%v: %s", args, r)
		}
	}
	if n := len(srv.Contacts()); n != 152 {
		t.Errorf("%d contacts, want 152", n)
	}
}

// TestImportWaitsOutRetryAfterOfAMinuteAndSkew: a 429 asking for 61s (a minute window plus
// skew) is waited out by an import, not the end of it.
func TestImportWaitsOutRetryAfterOfAMinuteAndSkew(t *testing.T) {
	clock := privytest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newFake(t, privytest.WithClock(clock))
	srv.Inject("createContact", 1, privytest.Fault{Status: 429, RetryAfter: "61"})
	in := writeCSV(t, t.TempDir(), "in.csv", "email", "w1@example.com", "w2@example.com")
	env := envFor(srv, "")
	var out, errb safeBuffer
	a := &app{ctx: t.Context(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		env: func(k string) string { return env[k] }, clientOpts: []privy.Option{privy.WithClock(clock)}}
	if code := a.run([]string{"contacts", "import", in}); code != 0 || !strings.HasPrefix(out.String(), "created 2,") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
}

// TestImportInFlightDuplicate: a row that repeats an earlier, applied row of the file and was
// in flight when a run stopped is rejected on the rerun (its conflict is with line 2), not
// counted as created, even though the stored contact matches it.
func TestImportInFlightDuplicate(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	in := writeCSV(t, dir, "in.csv", "email,first_name", "twice@example.com,Same", "twice@example.com,Same")
	env := envFor(srv, "")
	if r := runInProcess(t, env, "contacts", "create", "--email", "twice@example.com", "--first-name", "Same"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	fp, err := fingerprint(in)
	if err != nil {
		t.Fatal(err)
	}
	// Line 2 created, line 3 sent when the run stopped.
	writeFile(t, in+".state", journalMagic+" "+fp+"\nbegin 2\ndone 2\nbegin 3\n")
	r := runInProcess(t, env, "contacts", "import", in)
	if r.code != 1 || !strings.HasPrefix(r.stdout, "created 0, updated 0, skipped 1, rejected 1") {
		t.Fatalf("%s", r)
	}
	if b, _ := os.ReadFile(in + ".rejects.csv"); !strings.Contains(string(b), "line 2 of this file names the same contact") {
		t.Errorf("rejects file:\n%s", b)
	}
}

// TestImportBeginsOnlyWhenSent: a row whose request never left (the OAuth token exchange on
// the way failed) is not journaled as in flight.
func TestImportBeginsOnlyWhenSent(t *testing.T) {
	srv := newFake(t)
	srv.Inject("exchangeToken", 1, privytest.Fault{Status: http.StatusServiceUnavailable})
	in := writeCSV(t, t.TempDir(), "in.csv", "email", "o1@example.com")
	env := map[string]string{"PRIVY_BASE_URL": srv.URL, "PRIVY_CLIENT_ID": privytest.DefaultClientID,
		"PRIVY_CLIENT_SECRET": privytest.DefaultClientSecret, "PRIVY_SCOPES": "contacts_read,contacts_write"}
	if r := runInProcess(t, env, "contacts", "import", in); r.code == 0 {
		t.Fatalf("the token exchange failed, yet: %s", r)
	}
	if state, _ := os.ReadFile(in + ".state"); strings.Contains(string(state), "begin") {
		t.Errorf("a row was journaled in flight though never sent:\n%s", state)
	}
	if r := runInProcess(t, env, "contacts", "import", in); r.code != 0 || !strings.HasPrefix(r.stdout, "created 1,") {
		t.Errorf("rerun: %s", r)
	}
}
