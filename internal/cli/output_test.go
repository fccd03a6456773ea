package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
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
