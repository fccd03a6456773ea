package privy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// TestLibraryLinksNoDiffEngine fails when a package a client imports depends on oasdiff or on
// privy/specdiff: importing privy must not link the diff engine.
func TestLibraryLinksNoDiffEngine(t *testing.T) {
	goTool := goCommand(t)
	for _, pkg := range []string{"./privy", "./privy/spec", "./privy/spectest", "./privy/privytest", "./gen"} {
		cmd := exec.Command(goTool, "list", "-deps", pkg)
		cmd.Dir = ".."
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) == 0 {
			t.Fatalf("go list -deps %s listed nothing", pkg)
		}
		for _, dep := range deps {
			if isDiffEngine(dep) {
				t.Errorf("%s depends on %s: the diff engine belongs to privy/specdiff and the CLI only", pkg, dep)
			}
		}
	}
}

// isDiffEngine reports whether the package pkg is the diff engine (oasdiff, or privy/specdiff).
func isDiffEngine(pkg string) bool {
	return strings.HasPrefix(pkg, "github.com/oasdiff/oasdiff") || strings.HasSuffix(pkg, "/privy/specdiff")
}

// goCommand returns the go command, skipping the test in -short mode or without one.
func goCommand(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	return goTool
}

// TestConsumerModule builds testdata/consumer, a program in a module of its own that imports
// package privy alone, the way an adopter's module would (require + replace), offline through
// the module cache; vets it, checks that it links no diff engine, and runs it against privytest:
// create, a conflict told apart with errors.Is, a list and an iteration.
func TestConsumerModule(t *testing.T) {
	goTool := goCommand(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/consumer/main.go")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod := "module example.com/consumer\n\ngo 1.26\n\nrequire github.com/privy-go/privy-go v0.0.0\n\n" +
		"replace github.com/privy-go/privy-go => " + root + "\n"
	for name, data := range map[string][]byte{"main.go": src, "go.sum": sum, "go.mod": []byte(mod)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Offline: modules come from the shared module cache only; -mod=mod lets go add the
	// consumer's indirect requirements to its go.mod, as `go get` would.
	goEnv := append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	run := func(env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	run(goEnv, goTool, "vet", ".")
	var modules []string // the modules whose packages the program links, its own aside
	for line := range strings.Lines(run(goEnv, goTool, "list", "-deps", "-f", "{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}", ".")) {
		pkg, module, _ := strings.Cut(strings.TrimSpace(line), " ")
		if isDiffEngine(pkg) {
			t.Errorf("the consumer links %s: importing privy must not link the diff engine", pkg)
		}
		if module != "" && module != "example.com/consumer" && !slices.Contains(modules, module) {
			modules = append(modules, module)
		}
	}
	if !slices.Contains(modules, "github.com/privy-go/privy-go") {
		t.Fatalf("go list -deps found no privy-go module among %v", modules)
	}
	slices.Sort(modules)
	t.Logf("the consumer links %d modules: %s", len(modules), strings.Join(modules, " "))
	bin := filepath.Join(dir, "consumer")
	run(goEnv, goTool, "build", "-o", bin, ".")
	if fi, err := os.Stat(bin); err == nil {
		t.Logf("consumer binary: %.1f MB", float64(fi.Size())/1e6)
	}

	srv := privytest.NewServer(privytest.WithT(t), privytest.WithSeed(1, 20))
	defer srv.Close()
	out := run(append(os.Environ(), privy.EnvToken+"="+privytest.DefaultToken, privy.EnvBaseURL+"="+srv.URL), bin)
	want := "created consumer@example.com [vip]\nconflict 409 conflict\nlisted 1\niterated 1\n"
	if out != want {
		t.Errorf("consumer printed:\n%s\nwant:\n%s", out, want)
	}
}
