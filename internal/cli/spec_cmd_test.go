package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSpecDiff(t *testing.T) {
	base, err := os.ReadFile("../../testdata/releases/openapi-v0.1.0.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	oldPath := filepath.Join(dir, "old.yaml")
	writeFile(t, oldPath, string(base))
	// A later release: a response field renamed and a consent value replaced.
	next := strings.ReplaceAll(string(base), "non_subscribed", "never_subscribed")
	nextPath := filepath.Join(dir, "new.yaml")
	writeFile(t, nextPath, next)
	// A response property renamed: first_name becomes given_name wherever a contact is returned.
	renamed := strings.NewReplacer("        - first_name\n", "        - given_name\n",
		"        first_name: { type: string, nullable: true", "        given_name: { type: string, nullable: true").Replace(string(base))
	renamedPath := filepath.Join(dir, "renamed.yaml")
	writeFile(t, renamedPath, renamed)
	badPath := filepath.Join(dir, "bad.yaml")
	writeFile(t, badPath, "openapi: [")

	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			r := rn.run(t, nil, "spec", "diff", oldPath, oldPath)
			if r.code != 0 || strings.TrimSpace(r.stdout) != "no changes" {
				t.Errorf("same spec: %s", r)
			}
			r = rn.run(t, nil, "spec", "diff", oldPath, nextPath)
			if r.code != 1 || !strings.Contains(r.stdout, "Breaking changes:") || !strings.Contains(r.stdout, "non_subscribed") {
				t.Errorf("breaking change: %s", r)
			}
			r = rn.run(t, nil, "--output", "json", "spec", "diff", oldPath, nextPath)
			var report struct {
				Changes []struct{ Breaking bool } `json:"changes"`
			}
			if r.code != 1 || json.Unmarshal([]byte(r.stdout), &report) != nil || len(report.Changes) == 0 {
				t.Errorf("--output json: %s", r)
			}
			r = rn.run(t, nil, "spec", "diff", "--format", "json", oldPath, renamedPath)
			var renames struct {
				Renames []struct{ From, To string } `json:"renames"`
			}
			if r.code != 1 || json.Unmarshal([]byte(r.stdout), &renames) != nil || len(renames.Renames) != 1 ||
				renames.Renames[0].From != "first_name" || renames.Renames[0].To != "given_name" {
				t.Errorf("--format json rename map: %s", r)
			}
			if r := rn.run(t, nil, "spec", "diff", "--format", "yaml", oldPath, oldPath); r.code != 2 {
				t.Errorf("--format yaml: %s", r)
			}
			if r := rn.run(t, nil, "spec", "diff", oldPath, badPath); r.code != 2 || !strings.Contains(r.stderr, "bad.yaml") {
				t.Errorf("unreadable spec: %s", r)
			}
			if r := rn.run(t, nil, "spec", "diff", oldPath); r.code != 2 {
				t.Errorf("one argument: %s", r)
			}
		})
	}
}

func TestSpecValidateMissingPath(t *testing.T) {
	r := runInProcess(t, nil, "spec", "validate", filepath.Join(t.TempDir(), "missing.json"))
	if r.code != 1 || !strings.Contains(r.stdout, "1 fixtures, 0 ok, 1 failed") {
		t.Errorf("%s", r)
	}
	if r := runInProcess(t, nil, "spec", "validate"); r.code != 2 {
		t.Errorf("no path: %s", r)
	}
}

func TestSpecValidateOutsideTheLayout(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page1.json")
	writeFile(t, page, `{"data": [], "pagination": {"page": 1, "per_page": 50, "total_count": 0, "total_pages": 0}}`)
	query := filepath.Join(dir, "query.json")
	writeFile(t, query, `{"per_page": 500}`)

	r := runInProcess(t, nil, "spec", "validate", "--operation", "listContacts", "--status", "200", page)
	if r.code != 0 || !strings.Contains(r.stdout, "1 fixtures, 1 ok, 0 failed") {
		t.Errorf("recorded page as listContacts 200: %s", r)
	}
	r = runInProcess(t, nil, "spec", "validate", "--operation", "listContacts", "--request", query)
	if r.code != 1 || !strings.Contains(r.stdout, "/per_page") {
		t.Errorf("per_page=500 as a listContacts request: %s", r)
	}
	// Without --operation the file's path says nothing: it is refused.
	if r := runInProcess(t, nil, "spec", "validate", page); r.code != 1 || !strings.Contains(r.stdout, "does not say what the fixture is") {
		t.Errorf("file outside the layout without --operation: %s", r)
	}
	for _, args := range [][]string{
		{"--status", "200", page},
		{"--request", page},
		{"--operation", "listContacts", page},
		{"--operation", "listContacts", "--status", "200", "--request", page},
		{"--operation", "listContacts", "--status", "42", page},
		{"--spec", filepath.Join(dir, "missing.yaml"), page},
	} {
		if r := runInProcess(t, nil, append([]string{"spec", "validate"}, args...)...); r.code != 2 {
			t.Errorf("spec validate %v: %s", args, r)
		}
	}
}

func TestSpecValidateWithAnotherSpec(t *testing.T) {
	base, err := os.ReadFile("../../testdata/releases/openapi-v0.1.0.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// A revision that allows 500 contacts a page: the same request passes against it only.
	revised := filepath.Join(dir, "openapi.yaml")
	writeFile(t, revised, strings.Replace(string(base), "maximum: 100", "maximum: 500", 1))
	query := filepath.Join(dir, "query.json")
	writeFile(t, query, `{"per_page": 500}`)
	if r := runInProcess(t, nil, "spec", "validate", "--spec", revised, "--operation", "listContacts", "--request", query); r.code != 0 {
		t.Errorf("--spec with the revision: %s", r)
	}
	if r := runInProcess(t, nil, "spec", "validate", "--operation", "listContacts", "--request", query); r.code != 1 {
		t.Errorf("embedded spec: %s", r)
	}
}

func TestSpecFixturesCheckAndWrite(t *testing.T) {
	dir := t.TempDir()
	r := runInProcess(t, nil, "spec", "fixtures", "--check", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "write "+filepath.Join(dir, "createContact")) {
		t.Fatalf("--check on an empty directory: %s", r)
	}
	stale := filepath.Join(dir, "createContact", "request", "valid", "example_gone.json")
	mine := filepath.Join(dir, "createContact", "request", "valid", "mine.json")
	writeFileAll(t, stale, "{}")
	writeFileAll(t, mine, `{"email": "a@example.com"}`)
	if r := runInProcess(t, nil, "spec", "fixtures", dir); r.code != 0 {
		t.Fatalf("write: %s", r)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale %s was not removed: %v", stale, err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a hand-written fixture was touched: %v", err)
	}
	if r := runInProcess(t, nil, "spec", "fixtures", "--check", dir); r.code != 0 {
		t.Errorf("--check after writing: %s", r)
	}
	if r := runInProcess(t, nil, "spec", "validate", dir); r.code != 0 {
		t.Errorf("the written fixtures do not validate: %s", r)
	}
}

func writeFileAll(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data)
}
