// Package evolve lets a test simulate the next release of the API: it copies the module,
// edits the copy's openapi.yaml as a YAML tree (everything it does not touch stays the same),
// and regenerates the copy's gen/ with oapi-codegen as a library, exactly as `make generate`
// would. Build or test the copy afterwards to see what a release costs.
package evolve

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"
	"go.yaml.in/yaml/v3"
)

// Files of the module that a copy needs.
const (
	SpecFile      = "openapi.yaml"
	CodegenConfig = "gen/oapi-codegen.yaml"
)

// ModuleRoot returns the directory of the go.mod above dir (or dir itself).
func ModuleRoot(t testing.TB, dir string) string {
	t.Helper()
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

// CopyModule copies the module at root into a new temporary directory and returns it: the
// files git knows (tracked or not ignored), or, without git, every file outside .git and
// node_modules.
func CopyModule(t testing.TB, root string) string {
	t.Helper()
	dst := t.TempDir()
	files, err := gitFiles(root)
	if err != nil {
		files = nil
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() {
				rel, _ := filepath.Rel(root, p)
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range files {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func gitFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var files []string
	for f := range strings.SplitSeq(string(out), "\x00") {
		if f != "" {
			files = append(files, filepath.FromSlash(f))
		}
	}
	if len(files) == 0 {
		return nil, errors.New("git lists no files")
	}
	return files, nil
}

// Spec is a YAML tree of an OpenAPI document being edited.
type Spec struct {
	t    testing.TB
	root yaml.Node
}

// ParseSpec reads a YAML document to edit.
func ParseSpec(t testing.TB, doc []byte) *Spec {
	t.Helper()
	s := &Spec{t: t}
	if err := yaml.Unmarshal(doc, &s.root); err != nil {
		t.Fatal(err)
	}
	return s
}

// Top returns the document's top mapping.
func (s *Spec) Top() *yaml.Node { return s.root.Content[0] }

// Bytes encodes the tree.
func (s *Spec) Bytes() []byte {
	s.t.Helper()
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&s.root); err != nil {
		s.t.Fatal(err)
	}
	return out.Bytes()
}

// Lookup follows keys down from mapping n; a missing key fails the test (the edit no longer
// matches the spec).
func (s *Spec) Lookup(n *yaml.Node, keys ...string) *yaml.Node {
	s.t.Helper()
	for _, key := range keys {
		var next *yaml.Node
		if n.Kind == yaml.MappingNode {
			for i := 0; i < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					next = n.Content[i+1]
				}
			}
		}
		if next == nil {
			s.t.Fatalf("openapi.yaml has no %q along %v: the edit no longer matches the spec", key, keys)
		}
		n = next
	}
	return n
}

// RenameKey renames key from of mapping m.
func (s *Spec) RenameKey(m *yaml.Node, from, to string) {
	s.t.Helper()
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == from {
			m.Content[i].Value = to
			return
		}
	}
	s.t.Fatalf("no key %q to rename", from)
}

// ReplaceScalar replaces item from of sequence seq.
func (s *Spec) ReplaceScalar(seq *yaml.Node, from, to string) {
	s.t.Helper()
	for _, item := range seq.Content {
		if item.Value == from {
			item.Value = to
			return
		}
	}
	s.t.Fatalf("no item %q to replace", from)
}

// AppendPair adds key: value (given as YAML) to mapping m.
func (s *Spec) AppendPair(m *yaml.Node, key, valueYAML string) {
	s.t.Helper()
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, s.node(valueYAML))
}

// AppendItem adds an item (given as YAML) to sequence seq.
func (s *Spec) AppendItem(seq *yaml.Node, itemYAML string) {
	s.t.Helper()
	seq.Content = append(seq.Content, s.node(itemYAML))
}

func (s *Spec) node(valueYAML string) *yaml.Node {
	s.t.Helper()
	var v yaml.Node
	if err := yaml.Unmarshal([]byte(valueYAML), &v); err != nil {
		s.t.Fatal(err)
	}
	return v.Content[0]
}

// WalkUnder calls fn on every node below each mapping value whose key is name.
func WalkUnder(n *yaml.Node, name string, fn func(*yaml.Node)) {
	var all func(*yaml.Node)
	all = func(n *yaml.Node) {
		fn(n)
		for _, c := range n.Content {
			all(c)
		}
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				all(n.Content[i+1])
				continue
			}
			WalkUnder(n.Content[i+1], name, fn)
		}
		return
	}
	for _, c := range n.Content {
		WalkUnder(c, name, fn)
	}
}

// Regenerate runs oapi-codegen as a library with the module's gen/oapi-codegen.yaml on the
// module's openapi.yaml, and writes the generated file where the configuration says (relative
// to root), as `make generate` does. It returns the generated code.
func Regenerate(t testing.TB, root string) string {
	t.Helper()
	code, _ := GenerateFrom(t, root, filepath.Join(root, SpecFile), root)
	return code
}

// GenerateFrom runs oapi-codegen as a library with the gen/oapi-codegen.yaml of the module at
// root on the OpenAPI document at specPath, and writes the generated file where the
// configuration says relative to dir (dir/gen/privy.gen.go). It returns the generated code and
// its syntax tree; code that does not parse fails the test.
func GenerateFrom(t testing.TB, root, specPath, dir string) (string, *ast.File) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, CodegenConfig))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		codegen.Configuration `yaml:",inline"`
		Output                string `yaml:"output"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	conf := cfg.UpdateDefaults()
	if err := conf.Validate(); err != nil {
		t.Fatal(err)
	}
	swagger, err := util.LoadSwagger(specPath)
	if err != nil {
		t.Fatal(err)
	}
	code, err := codegen.Generate(swagger, conf)
	if err != nil {
		t.Fatalf("oapi-codegen: %v", err)
	}
	out := filepath.Join(dir, filepath.FromSlash(cfg.Output))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), out, code, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("regenerated code does not parse: %v", err)
	}
	return code, f
}

// EditSpec applies edit to the copy's openapi.yaml and regenerates its gen/.
func EditSpec(t testing.TB, root string, edit func(*Spec)) {
	t.Helper()
	path := filepath.Join(root, SpecFile)
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := ParseSpec(t, doc)
	edit(s)
	if err := os.WriteFile(path, s.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	Regenerate(t, root)
}

// Go runs the go command in the copy at root with args, sharing the caller's module and build
// caches (so it works offline once the modules are downloaded), and returns its combined
// output and error.
func Go(t testing.TB, root string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	return string(out), err
}
