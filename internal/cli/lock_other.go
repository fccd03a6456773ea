//go:build !unix

package cli

import "os"

// lockFile is a no-op where advisory locks are not available: two imports sharing a journal
// are not detected there.
func lockFile(*os.File) (bool, error) { return true, nil }
