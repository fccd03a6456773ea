package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := writeFileErr(path, data); err != nil {
		t.Fatal(err)
	}
}

func writeFileErr(path, data string) error { return os.WriteFile(path, []byte(data), 0o644) }

func TestJournalResume(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "in.csv.state")
	j, err := openJournal(state, "fp1")
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() error{
		func() error { return j.Begin(2) }, func() error { return j.Done(2) },
		func() error { return j.Begin(3) }, func() error { return j.Reject(3) },
		func() error { return j.Begin(4) },                                      // in flight when the process dies
		func() error { return j.Begin(5) }, func() error { return j.Exists(5) }, // its update in flight
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()

	j, err = openJournal(state, "fp1")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if !j.Finished(2) || !j.Finished(3) || j.Finished(4) || j.Finished(5) {
		t.Errorf("finished: 2=%v 3=%v 4=%v 5=%v, want true true false false", j.Finished(2), j.Finished(3), j.Finished(4), j.Finished(5))
	}
	if !j.WasInFlight(4) || j.WasInFlight(2) || j.WasInFlight(6) {
		t.Errorf("in flight: 4=%v 2=%v 6=%v, want 4", j.WasInFlight(4), j.WasInFlight(2), j.WasInFlight(6))
	}
	if !j.Existed(5) || j.Existed(4) || !j.WasInFlight(5) {
		t.Errorf("existed: 5=%v 4=%v, want only 5", j.Existed(5), j.Existed(4))
	}
	if !j.Rejected(3) || j.Rejected(2) {
		t.Errorf("rejected: 3=%v 2=%v", j.Rejected(3), j.Rejected(2))
	}
	if j.finished[3] != "reject" {
		t.Errorf("line 3 = %q, want reject", j.finished[3])
	}
}

func TestJournalTornLastLine(t *testing.T) {
	state := filepath.Join(t.TempDir(), "s")
	writeFile(t, state, journalMagic+" fp\nbegin 2\ndone 2\nbegin 3\ndo")
	j, err := openJournal(state, "fp")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Done(3); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j, err = openJournal(state, "fp")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if !j.Finished(3) {
		data, _ := os.ReadFile(state)
		t.Errorf("a record after a torn line was lost; journal:\n%s", data)
	}
}

func TestJournalRefusesAnotherInput(t *testing.T) {
	state := filepath.Join(t.TempDir(), "s")
	j, err := openJournal(state, "fp-a")
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	_, err = openJournal(state, "fp-b")
	if err == nil || !strings.Contains(err.Error(), "different input") || !strings.Contains(err.Error(), "--state") {
		t.Fatalf("err = %v, want a refusal that says to delete the state file or pass --state", err)
	}
	writeFile(t, state, "not a journal\n")
	if _, err := openJournal(state, "fp-a"); err == nil {
		t.Error("a file that is not a journal was accepted")
	}
}

func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	writeFile(t, a, "email\nx@example.com\n")
	writeFile(t, b, "email\ny@example.com\n") // same header and size
	writeFile(t, c, "email\nx@example.com\nz@example.com\n")
	fa, _ := fingerprint(a)
	fb, _ := fingerprint(b)
	fc, _ := fingerprint(c)
	if fa != fb {
		t.Errorf("same header and size: %s != %s", fa, fb)
	}
	if fa == fc {
		t.Error("a grown file has the same fingerprint")
	}
	if _, err := fingerprint(filepath.Join(dir, "missing")); err == nil {
		t.Error("no error for a missing file")
	}
}

func TestJournalIsExclusive(t *testing.T) {
	state := filepath.Join(t.TempDir(), "s")
	j, err := openJournal(state, "fp")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openJournal(state, "fp"); err == nil || !strings.Contains(err.Error(), "another import is running") {
		t.Errorf("a second import on the same journal: err = %v", err)
	}
	j.Close()
	j, err = openJournal(state, "fp")
	if err != nil {
		t.Fatalf("after the first import ended: %v", err)
	}
	j.Close()
}
