package privy

import (
	"runtime/debug"
	"sync"
)

// modulePath is the path of this module, as go.mod names it.
const modulePath = "github.com/privy-go/privy-go"

// develVersion is the version reported by a build that carries no module version: a build
// inside this repository (go build, go test), where the go command says "(devel)".
const develVersion = "devel"

// Version returns the version of this module as the build recorded it (a release tag such as
// "v0.1.0", or a pseudo-version), or "devel" for a build of a working copy ("devel+<commit>"
// when the build recorded it). It is sent in the default User-Agent.
func Version() string { return version() }

var version = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return develVersion
	}
	return moduleVersion(info)
})

// moduleVersion finds this module in info: the main module when privy-go itself is built, a
// dependency otherwise (a replaced one reports its replacement's version).
func moduleVersion(info *debug.BuildInfo) string {
	m := &info.Main
	if m.Path != modulePath {
		m = nil
		for _, d := range info.Deps {
			if d.Path == modulePath {
				m = d
				if d.Replace != nil {
					m = d.Replace
				}
				break
			}
		}
	}
	if m == nil || m.Version == "" || m.Version == "(devel)" {
		return develVersion + revision(info, m == &info.Main)
	}
	return m.Version
}

// revision is "+<commit>" (and "-dirty") when the build of the main module recorded its VCS
// state, else "".
func revision(info *debug.BuildInfo, main bool) string {
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(len(s.Value), 12)]
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if !main || rev == "" {
		return ""
	}
	return "+" + rev + dirty
}
