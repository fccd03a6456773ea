package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestContactDataFilesArePrivate: the rejects file, the journal, --record fixtures (and their
// directories) and export --out are readable by their owner only.
func TestContactDataFilesArePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	srv := newFake(t)
	env := envFor(srv, "")
	dir := t.TempDir()
	in := writeCSV(t, dir, "in.csv", "email,phone_number", "ok@example.com,", "bad@example.com,123")
	rec := filepath.Join(dir, "rec")
	if r := runInProcess(t, env, "--record", rec, "contacts", "import", in); r.code != 1 {
		t.Fatalf("%s", r)
	}
	out := filepath.Join(dir, "out.csv")
	if r := runInProcess(t, env, "contacts", "export", "--format", "csv", "--out", out); r.code != 0 {
		t.Fatalf("%s", r)
	}
	want := map[string]fs.FileMode{in + ".rejects.csv": privateFile, in + ".state": privateFile, out: privateFile}
	filepath.WalkDir(rec, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if d.IsDir() {
			want[p] = privateDir
		} else {
			want[p] = privateFile
		}
		return nil
	})
	if len(want) < 3+4 {
		t.Fatalf("recorded too little: %v", want)
	}
	for p, mode := range want {
		info, err := os.Stat(p)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if got := info.Mode().Perm(); got != mode {
			t.Errorf("%s: mode %v, want %v", strings.TrimPrefix(p, dir), got, mode)
		}
	}
}

// TestRejectsSymlinkRefused: a symbolic link at the rejects path is refused before anything
// is sent, and its target is left alone.
func TestRejectsSymlinkRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges")
	}
	srv := newFake(t)
	dir := t.TempDir()
	in := writeCSV(t, dir, "in.csv", "email,phone_number", "bad@example.com,123")
	target := filepath.Join(dir, "target")
	writeFile(t, target, "precious\n")
	if err := os.Symlink(target, in+".rejects.csv"); err != nil {
		t.Fatal(err)
	}
	r := runInProcess(t, envFor(srv, ""), "contacts", "import", in)
	if r.code != exitUsage || !strings.Contains(r.stderr, "symbolic link") {
		t.Errorf("%s", r)
	}
	if b, _ := os.ReadFile(target); string(b) != "precious\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	if n := ops(srv)["createContact"]; n != 0 {
		t.Errorf("%d creates sent", n)
	}
	// openPrivate, which every contact-data file goes through, refuses a link too.
	if _, err := openPrivate(in+".rejects.csv", os.O_WRONLY|os.O_APPEND); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("openPrivate on a link: %v", err)
	}
}
