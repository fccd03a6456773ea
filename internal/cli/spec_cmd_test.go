package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSpecDiff(t *testing.T) {
	base, err := os.ReadFile("../../openapi.yaml")
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
