package privy_test

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Markers around a README snippet's copy in a _test.go file, where go test compiles and runs it.
const (
	snippetBegins = "// README snippet begins."
	snippetEnds   = "// README snippet ends."
)

// TestREADMESnippets keeps README.md's Go code compiled: every ```go block of the README is,
// line for line (indentation aside), a region of a _test.go file between the snippet markers,
// and every such region is a block of the README, so neither changes without the other.
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeGoBlocks(string(readme))
	if len(blocks) < 2 {
		t.Fatalf("README.md has %d ```go blocks; want at least the client's and privytest's", len(blocks))
	}
	regions := map[string]string{} // normalized region -> where it is
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || (strings.HasPrefix(d.Name(), ".") && path != "..")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, r := range markedRegions(t, path, string(data)) {
			regions[r] = path + " (region " + strconv.Itoa(i+1) + ")"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	inREADME := map[string]bool{}
	for i, b := range blocks {
		inREADME[b] = true
		if _, ok := regions[b]; !ok {
			t.Errorf("README.md's ```go block %d is in no _test.go file between %q and %q: "+
				"keep it as a compiled example or test, and the two in step:\n%s", i+1, snippetBegins, snippetEnds, b)
		}
	}
	for r, where := range regions {
		if !inREADME[r] {
			t.Errorf("%s is marked as a README snippet but README.md has no ```go block equal to it:\n%s", where, r)
		}
	}
}

// readmeGoBlocks returns the ```go blocks of a Markdown text, each normalized.
func readmeGoBlocks(md string) []string {
	var (
		blocks []string
		cur    []string
		in     bool
	)
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, normalizeSnippet(cur))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// markedRegions returns the normalized regions of a Go file between the snippet markers.
func markedRegions(t *testing.T, path, src string) []string {
	var (
		regions []string
		cur     []string
		in      bool
	)
	for _, line := range strings.Split(src, "\n") {
		switch strings.TrimSpace(line) {
		case snippetBegins:
			if in {
				t.Errorf("%s: %q twice without %q between", path, snippetBegins, snippetEnds)
			}
			in, cur = true, nil
		case snippetEnds:
			if !in {
				t.Errorf("%s: %q without %q before it", path, snippetEnds, snippetBegins)
			}
			in = false
			regions = append(regions, normalizeSnippet(cur))
		default:
			if in {
				cur = append(cur, line)
			}
		}
	}
	if in {
		t.Errorf("%s: %q without %q", path, snippetBegins, snippetEnds)
	}
	return regions
}

// normalizeSnippet trims each line and drops blank lines at either end, so that a snippet
// indented inside a function matches the README's copy at the margin.
func normalizeSnippet(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimSpace(l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}
