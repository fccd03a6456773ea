package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/privy/privytest"
)

// TestListSaysThereIsMore: JSON list of page 1 says on stderr that more pages exist and how
// to get them; the last page says nothing.
func TestListSaysThereIsMore(t *testing.T) {
	srv := newFake(t)
	r := runInProcess(t, envFor(srv, ""), "contacts", "list", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stderr, "page 1 of 6 (150 contacts)") || !strings.Contains(r.stderr, "--all") {
		t.Errorf("%s", r)
	}
	r = runInProcess(t, envFor(srv, ""), "contacts", "list", "-o", "json", "--page", "6")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("last page: %s", r)
	}
}

// TestMissingV1Hint: a base URL without /v1 that meets not_found gets a hint.
func TestMissingV1Hint(t *testing.T) {
	srv := newFake(t)
	env := envFor(srv, "")
	env["PRIVY_BASE_URL"] = strings.TrimSuffix(srv.URL, "/v1")
	r := runInProcess(t, env, "contacts", "list")
	if r.code == 0 || !strings.Contains(r.stderr, "does not end in /v1") {
		t.Errorf("%s", r)
	}
	if r := runInProcess(t, envFor(srv, ""), "contacts", "delete", "--email", "none@example.com"); strings.Contains(r.stderr, "/v1") {
		t.Errorf("a hint with /v1 in place: %s", r)
	}
}

// TestErrorsNameUserSettings: configuration errors name the environment variable or flag the
// user set, not the library option behind it.
func TestErrorsNameUserSettings(t *testing.T) {
	dir := t.TempDir()
	spaced := filepath.Join(dir, "tok")
	writeFile(t, spaced, "two words\n")
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"PRIVY_TOKEN": "two words"}, nil, "PRIVY_TOKEN"},
		{map[string]string{"PRIVY_TOKEN": privytest.DefaultToken}, []string{"--token-file", spaced}, "--token-file " + spaced},
		{map[string]string{"PRIVY_TOKEN": privytest.DefaultToken, "PRIVY_BASE_URL": "ftp://example.com/v1"}, nil, "PRIVY_BASE_URL"},
		{map[string]string{"PRIVY_TOKEN": privytest.DefaultToken, "PRIVY_BASE_URL": "http://example.com/v1"}, nil, "PRIVY_BASE_URL"},
	} {
		r := runInProcess(t, tt.env, append(tt.args, "contacts", "list")...)
		if r.code == 0 || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr, "With") {
			t.Errorf("%v %v: want an error naming %s: %s", tt.env, tt.args, tt.want, r)
		}
	}
}

// TestDryRunHonoursOutput: import --dry-run -o json writes one JSON report.
func TestDryRunHonoursOutput(t *testing.T) {
	in := writeCSV(t, t.TempDir(), "in.csv", "email,phone_number", "ok@example.com,", "bad@example.com,123")
	r := runInProcess(t, nil, "-o", "json", "contacts", "import", "--dry-run", in)
	var rep dryRunReport
	if r.code != 1 || json.Unmarshal([]byte(r.stdout), &rep) != nil || rep.Rows != 2 || rep.Invalid != 1 ||
		len(rep.Problems) != 1 || rep.Problems[0].Line != 3 || rep.Problems[0].Field != "phone_number" {
		t.Errorf("%s", r)
	}
}
