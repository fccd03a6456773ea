package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy"
)

func TestUseTable(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		output string
		w      any
		want   bool
	}{
		{outputAuto, &bytes.Buffer{}, false},
		{outputAuto, f, false}, // a file is not a terminal
		{outputTable, &bytes.Buffer{}, true},
		{outputJSON, f, false},
	}
	for _, tt := range tests {
		w := tt.w.(interface{ Write([]byte) (int, error) })
		if got := useTable(tt.output, w); got != tt.want {
			t.Errorf("useTable(%q, %T) = %v", tt.output, tt.w, got)
		}
	}
}

func TestContactDetail(t *testing.T) {
	var buf bytes.Buffer
	c := gen.Contact{Email: ptr("j@example.com"), Tags: []string{"a", "b"}, CustomFields: gen.CustomFields{"n": 1.0, "s": "x"},
		EmailPermission: gen.ConsentSubscribed, CreatedAt: time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)}
	if err := writeContactDetail(&buf, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"email                     j@example.com\n", "phone_number              -\n",
		"tags                      a;b\n", "custom_fields             n=1 s=x\n", "created_at                2025-01-15T10:30:00Z\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("detail lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestRecordNeverFailsTheCommand(t *testing.T) {
	srv := newFake(t)
	blocker := t.TempDir() + "/file"
	writeFile(t, blocker, "x")
	r := runInProcess(t, envFor(srv, ""), "--record", blocker+"/sub", "contacts", "list", "--per-page", "1")
	if r.code != 0 || !strings.Contains(r.stderr, "not recording") {
		t.Errorf("%s", r)
	}
}

func TestTokenFile(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	env := map[string]string{"PRIVY_BASE_URL": srv.URL, "PRIVY_TOKEN": unknownToken} // the file wins
	private := dir + "/private"
	if err := os.WriteFile(private, []byte("  "+"privy_0123456789abcdef0123456789abcdef01234567"+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runInProcess(t, env, "--token-file", private, "contacts", "list", "--per-page", "1")
	if r.code != 0 || strings.Contains(r.stderr, "warning") || strings.Contains(r.stderr, "error") {
		t.Errorf("%s", r)
	}
	// As Notepad saves it: a byte order mark and CRLF.
	if err := os.WriteFile(private, []byte("\ufeffprivy_0123456789abcdef0123456789abcdef01234567\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runInProcess(t, env, "--token-file", private, "contacts", "list", "--per-page", "1"); r.code != 0 {
		t.Errorf("a token file with a BOM and CRLF: %s", r)
	}
	os.Chmod(private, 0o644)
	if r := runInProcess(t, env, "--token-file", private, "contacts", "list", "--per-page", "1"); r.code != 0 || !strings.Contains(r.stderr, "can be read by other users") {
		t.Errorf("no warning for a readable token file: %s", r)
	}
	empty := dir + "/empty"
	writeFile(t, empty, "\n")
	if r := runInProcess(t, env, "--token-file", empty, "contacts", "list"); r.code != 3 {
		t.Errorf("empty token file: %s", r)
	}
	if r := runInProcess(t, env, "--token-file", dir+"/missing", "contacts", "list"); r.code != 3 {
		t.Errorf("missing token file: %s", r)
	}
}

// TestOutputEscapesControlCharacters: a name holding a newline, a tab or an escape sequence
// cannot forge a table row or column, nor reach the terminal raw, in tables, detail views and
// error lines.
func TestOutputEscapesControlCharacters(t *testing.T) {
	evil := "Eve\nforged@example.com\t+15550000000\x1b[2J\u202e\u0085"
	c := gen.Contact{Email: ptr("e@example.com"), FirstName: ptr(evil), Tags: []string{"t\r\n"},
		CustomFields: gen.CustomFields{"k\n": "v\x07"}}
	var table, detail, errs bytes.Buffer
	tw := newContactTable(&table)
	tw.Write(c)
	tw.Close()
	writeContactDetail(&detail, c)
	printError(&errs, &privy.Error{StatusCode: 422, Code: privy.ErrorCodeValidationFailed, Message: evil,
		Details: []privy.ErrorDetail{{Field: "first_name", Message: evil}}})
	for name, tt := range map[string]struct {
		out   string
		lines int
	}{"table": {table.String(), 2}, "detail": {detail.String(), len(contactColumns())}, "error": {errs.String(), 2}} {
		if n := strings.Count(tt.out, "\n"); n != tt.lines {
			t.Errorf("%s: %d lines, want %d:\n%s", name, n, tt.lines, tt.out)
		}
		if strings.ContainsFunc(strings.ReplaceAll(tt.out, "\n", ""), mustEscape) {
			t.Errorf("%s: a control character reached the output: %q", name, tt.out)
		}
		if !strings.Contains(tt.out, `\x1b[2J`) || !strings.Contains(tt.out, `\u202e`) {
			t.Errorf("%s: escapes not shown: %q", name, tt.out)
		}
	}
	if cols := strings.Fields(strings.Split(table.String(), "\n")[1]); len(cols) != len(contactColumns()) {
		t.Errorf("table row has %d columns, want %d: %q", len(cols), len(contactColumns()), cols)
	}
}
