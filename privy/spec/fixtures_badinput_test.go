package spec_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/privy/spec"
)

// TestValidateFixturesBadInput feeds the fixture validator broken files and paths: each must
// come back as a violation naming the file and what is wrong, never as a panic.
func TestValidateFixturesBadInput(t *testing.T) {
	type want struct {
		rule, message string
		unusable      bool // the file could not be checked at all (In == "file")
	}
	cases := []struct {
		name string
		// path is the fixture path below the temp dir; content is written unless nil.
		path    string
		content []byte
		// setup may replace the plain file with something else; it returns the path to validate.
		setup func(t *testing.T, dir, file string) string
		want  want
	}{
		{name: "not JSON", path: "createContact/request/valid/broken.json", content: []byte(`{"email": `),
			want: want{rule: "json", message: "not valid JSON"}},
		{name: "empty request file", path: "deleteContact/request/valid/empty.json", content: []byte{},
			want: want{rule: "json", message: "not valid JSON"}},
		{name: "empty response file", path: "deleteContact/response/200/valid/empty.json", content: []byte{},
			want: want{rule: "json", message: "not valid JSON"}},
		{name: "unknown operation", path: "getContact/request/valid/x.json", content: []byte(`{}`),
			want: want{rule: "operation", message: `unknown operation "getContact"`, unusable: true}},
		{name: "unknown status", path: "listContacts/response/418/valid/teapot.json", content: []byte(`{}`),
			want: want{rule: "status", message: "declares no response 418", unusable: true}},
		{name: "status that is not a number", path: "listContacts/response/ok/valid/x.json", content: []byte(`{}`),
			want: want{rule: "path", message: `"ok" is not an HTTP status`, unusable: true}},
		{name: "schema violation", path: "createContact/request/valid/bad_phone.json", content: []byte(`{"phone_number": "555"}`),
			want: want{rule: "pattern", message: "E.164"}},
		{name: "path outside the layout", path: "createContact/bad_phone.json", content: []byte(`{}`),
			want: want{rule: "path", message: "does not say what the fixture is", unusable: true}},
		{name: "neither valid nor invalid", path: "createContact/request/maybe/x.json", content: []byte(`{}`),
			want: want{rule: "path", message: "expected <operationId>/request/", unusable: true}},
		{name: "nonexistent path", path: "listContacts/request/valid/missing.json",
			want: want{rule: "read", message: "no such file", unusable: true}},
		{name: "dangling symlink", path: "listContacts/request/valid/link.json",
			setup: func(t *testing.T, dir, file string) string {
				if err := os.Symlink(filepath.Join(dir, "nowhere.json"), file); err != nil {
					t.Skipf("symlinks unavailable: %v", err)
				}
				return file
			},
			want: want{rule: "read", message: "no such file", unusable: true}},
		{name: "unreadable: symlink to a directory", path: "listContacts/request/valid/dir.json",
			setup: func(t *testing.T, dir, file string) string {
				// Unreadable even for root, unlike chmod 000.
				if err := os.Symlink(dir, file); err != nil {
					t.Skipf("symlinks unavailable: %v", err)
				}
				return file
			},
			want: want{rule: "read", message: "is a directory", unusable: true}},
		{name: "unreadable file", path: "listContacts/request/valid/secret.json", content: []byte(`{}`),
			setup: func(t *testing.T, dir, file string) string {
				if err := os.Chmod(file, 0); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = os.Chmod(file, 0o600) })
				if f, err := os.Open(file); err == nil {
					// Running as root (os.Geteuid() == 0) or on a file system without
					// permissions: the symlink cases cover the read failure.
					f.Close()
					t.Skipf("chmod 000 does not stop reading here (euid %d)", os.Geteuid())
				}
				return file
			},
			want: want{rule: "read", message: "permission denied", unusable: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, filepath.FromSlash(c.path))
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if c.content != nil {
				if err := os.WriteFile(file, c.content, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			target := file
			if c.setup != nil {
				target = c.setup(t, dir, file)
			}
			// Validate the file itself and the directory holding it: both must report it.
			for _, input := range []string{target, dir} {
				results := spec.ValidateFixtures(context.Background(), input)
				if input == dir && c.content == nil && c.setup == nil {
					continue // nothing below dir to find
				}
				if len(results) != 1 {
					t.Fatalf("ValidateFixtures(%s): %d results, want 1: %+v", input, len(results), results)
				}
				r := results[0]
				if r.File != target {
					t.Errorf("ValidateFixtures(%s): result for %q, want %q", input, r.File, target)
				}
				if r.OK() {
					t.Errorf("ValidateFixtures(%s): OK() = true for bad input", input)
				}
				if len(r.Violations) != 1 {
					t.Fatalf("ValidateFixtures(%s): %d violations, want 1: %v", input, len(r.Violations), r.Violations)
				}
				v := r.Violations[0]
				if v.File != target || v.Rule != c.want.rule || !strings.Contains(v.Message, c.want.message) {
					t.Errorf("ValidateFixtures(%s) = {File: %q, Rule: %q, Message: %q}, want {File: %q, Rule: %q, Message containing %q}",
						input, v.File, v.Rule, v.Message, target, c.want.rule, c.want.message)
				}
				if got := v.In == "file"; got != c.want.unusable {
					t.Errorf("ValidateFixtures(%s): In = %q; want In == \"file\" to be %v", input, v.In, c.want.unusable)
				}
				if s := v.String(); !strings.HasPrefix(s, target+": ") || !strings.Contains(s, c.want.message) {
					t.Errorf("Violation.String() = %q; want the file first and the reason", s)
				}
			}
		})
	}
}

// TestValidateFixturesUnusableNegative checks that a negative fixture that cannot even be
// checked (here: an unknown status) is not counted as a negative that failed as it should.
func TestValidateFixturesUnusableNegative(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "listContacts", "response", "418", "invalid", "teapot.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := spec.ValidateFixture(context.Background(), file)
	if !r.Invalid || r.OK() {
		t.Errorf("ValidateFixture(%s) = Invalid %v, OK %v; want an invalid fixture that is not OK", file, r.Invalid, r.OK())
	}
}

// TestValidateFixturesSorted checks that results of several paths come back sorted by file,
// with a nonexistent path reported beside the real ones.
func TestValidateFixturesSorted(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) string {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b := write("b/deleteContact/request/valid/x.json", `{"email": "jane@example.com"}`)
	a := write("a/deleteContact/request/invalid/x.json", `{}`)
	write("a/deleteContact/request/invalid/notes.txt", `not a fixture`)
	missing := filepath.Join(dir, "c", "missing")
	results := spec.ValidateFixtures(context.Background(), missing, filepath.Join(dir, "b"), filepath.Join(dir, "a"))
	var files []string
	for _, r := range results {
		files = append(files, r.File)
	}
	if want := []string{a, b, missing}; strings.Join(files, "\n") != strings.Join(want, "\n") {
		t.Fatalf("files = %q, want %q", files, want)
	}
	if !results[0].OK() || !results[1].OK() || results[2].OK() {
		t.Errorf("OK() = %v %v %v, want true true false", results[0].OK(), results[1].OK(), results[2].OK())
	}
}

// FuzzValidateFixture writes arbitrary bytes as a request or response fixture of every
// operation: the validator must never panic and must explain every violation.
func FuzzValidateFixture(f *testing.F) {
	f.Add(uint8(0), false, []byte(`{"page": 1}`))
	f.Add(uint8(0), false, []byte(`{"page": [1, {"x": 2}], "per_page": null}`))
	f.Add(uint8(1), false, []byte(`{"email": "jane@example.com", "custom_fields": {"a": [1]}}`))
	f.Add(uint8(5), false, []byte(`{"grant_type": ["client_credentials", "x"], "client_id": 1.5, "client_secret": true}`))
	f.Add(uint8(3), true, []byte(`{"data": null}`))
	f.Add(uint8(5), true, []byte(`{"error": ["invalid_client"]}`))
	f.Add(uint8(2), false, []byte("\xff\xfe"))
	f.Add(uint8(4), true, []byte(`[]`))
	ops := []struct{ id, status string }{
		{"listContacts", "200"}, {"createContact", "201"}, {"updateContact", "404"},
		{"unsubscribeContact", "422"}, {"deleteContact", "429"}, {"exchangeToken", "401"},
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, which uint8, response bool, data []byte) {
		op := ops[int(which)%len(ops)]
		rel := filepath.Join(op.id, "request", "valid", "f.json")
		if response {
			rel = filepath.Join(op.id, "response", op.status, "valid", "f.json")
		}
		file := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r := spec.ValidateFixture(context.Background(), file)
		if r.File != file || r.Operation != op.id || r.Request == response {
			t.Fatalf("result %+v does not describe %s", r, rel)
		}
		for _, v := range r.Violations {
			if v.File != file || v.Rule == "" || v.Message == "" || v.In == "file" {
				t.Fatalf("%s: bad violation %+v for %q", rel, v, data)
			}
		}
	})
}
