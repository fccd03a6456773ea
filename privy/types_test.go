package privy

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/internal/specdoc"
)

// TestEveryErrorCodeHasASentinel walks the spec's ErrorCode enum: a code added to the spec
// without a sentinel error fails here.
func TestEveryErrorCodeHasASentinel(t *testing.T) {
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	ref := doc.Components.Schemas["ErrorCode"]
	if ref == nil || ref.Value == nil {
		t.Fatal("the spec has no ErrorCode schema")
	}
	var values []any
	values = append(values, ref.Value.Enum...)
	for _, alt := range append(ref.Value.AnyOf, ref.Value.OneOf...) { // an open enum: known values or any string
		if alt.Value != nil {
			values = append(values, alt.Value.Enum...)
		}
	}
	if len(values) == 0 {
		t.Fatal("the spec's ErrorCode lists no values")
	}
	for _, v := range values {
		code := ErrorCode(v.(string))
		s, ok := sentinels[code]
		if !ok {
			t.Errorf("error code %q has no sentinel error", code)
			continue
		}
		if !errors.Is(&Error{Code: code}, s) || s.Error() != "privy: "+string(code) {
			t.Errorf("sentinel of %q is %q", code, s)
		}
	}
}

// TestAliasesCoverGeneratedConstants: every Consent and ErrorCode constant of package gen has
// a constant of the same name in package privy, so a caller never needs gen for them.
func TestAliasesCoverGeneratedConstants(t *testing.T) {
	consts := func(t *testing.T, files ...string) map[string]bool {
		out := map[string]bool{}
		fset := token.NewFileSet()
		for _, f := range files {
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range file.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
					for _, s := range g.Specs {
						for _, n := range s.(*ast.ValueSpec).Names {
							out[n.Name] = true
						}
					}
				}
			}
		}
		return out
	}
	mine, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	have := consts(t, mine...)
	for name := range consts(t, filepath.Join("..", "gen", "privy.gen.go")) {
		if (strings.HasPrefix(name, "Consent") || strings.HasPrefix(name, "ErrorCode")) && !have[name] {
			t.Errorf("gen.%s has no privy.%s", name, name)
		}
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	for _, tt := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"main module, tagged", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v0.2.0"}}, "v0.2.0"},
		{"main module, working copy", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, develVersion},
		{"a dependency", debug.BuildInfo{Main: debug.Module{Path: "example.com/app"},
			Deps: []*debug.Module{{Path: modulePath, Version: "v0.1.0"}}}, "v0.1.0"},
		{"a replaced dependency", debug.BuildInfo{Main: debug.Module{Path: "example.com/app"},
			Deps: []*debug.Module{{Path: modulePath, Version: "v0.1.0", Replace: &debug.Module{Path: "../privy-go"}}}}, develVersion},
		{"working copy with VCS stamp", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "018f1ee0123456789"}, {Key: "vcs.modified", Value: "true"}}},
			develVersion + "+018f1ee01234-dirty"},
		{"absent", debug.BuildInfo{Main: debug.Module{Path: "example.com/app"}}, develVersion},
	} {
		if got := moduleVersion(&tt.info); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if ua := defaults().userAgent; ua != "privy-go/"+Version() || Version() == "" {
		t.Errorf("User-Agent %q, version %q", ua, Version())
	}
}
