package specdiff_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLibraryLinksNoDiffEngine fails when a package a client imports depends on oasdiff or on
// this package: importing privy must not link the diff engine.
func TestLibraryLinksNoDiffEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	for _, pkg := range []string{"./privy", "./privy/spec", "./privy/spectest", "./privy/privytest", "./gen"} {
		cmd := exec.Command(goTool, "list", "-deps", pkg)
		cmd.Dir = "../.."
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) == 0 {
			t.Fatalf("go list -deps %s listed nothing", pkg)
		}
		for _, dep := range deps {
			if strings.HasPrefix(dep, "github.com/oasdiff/oasdiff") || strings.HasSuffix(dep, "/privy/specdiff") {
				t.Errorf("%s depends on %s: the diff engine belongs to privy/specdiff and the CLI only", pkg, dep)
			}
		}
	}
}
