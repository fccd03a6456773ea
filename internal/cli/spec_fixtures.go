package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/privy-go/privy-go/privy/spec"
)

// syncExampleFixtures brings the example fixtures under dir in step with fixtures: it writes
// those missing or different and removes example_*.json files no example produces. With write
// false it changes nothing. It returns one line per file changed (or to change): "write PATH"
// or "remove PATH", sorted.
func syncExampleFixtures(dir string, fixtures []spec.Fixture, write bool) ([]string, error) {
	var changes []string
	want := map[string]bool{}
	for _, f := range fixtures {
		file := filepath.Join(dir, filepath.FromSlash(f.Path))
		want[file] = true
		old, err := os.ReadFile(file)
		if err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		changes = append(changes, "write "+file)
		if !write {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(file, f.Data, 0o644); err != nil {
			return nil, err
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && path == dir {
				return nil
			}
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), spec.ExamplePrefix) || !strings.HasSuffix(d.Name(), ".json") || want[path] {
			return nil
		}
		changes = append(changes, "remove "+path)
		if write {
			return os.Remove(path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(changes)
	return changes, nil
}
