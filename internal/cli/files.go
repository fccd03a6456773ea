package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Files that hold contact data (the rejects file, the import journal, --record fixtures,
// export --out) are created with mode privateFile in directories created with privateDir,
// and never written through a symbolic link.
const (
	privateFile fs.FileMode = 0o600
	privateDir  fs.FileMode = 0o700
)

// openPrivate opens path with flag (plus O_CREATE), creating it with mode 0600 and refusing
// a symbolic link at path. An existing file readable by others is made 0600.
func openPrivate(path string, flag int) (*os.File, error) {
	if err := refuseSymlink(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, flag|os.O_CREATE|oNoFollow, privateFile)
	if err != nil {
		if err := refuseSymlink(path); err != nil { // a link put there since the check
			return nil, err
		}
		return nil, err
	}
	if info, err := f.Stat(); err == nil && info.Mode().Perm()&^privateFile != 0 {
		if err := f.Chmod(privateFile); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// refuseSymlink returns an error when path is a symbolic link.
func refuseSymlink(path string) error {
	info, err := os.Lstat(path)
	if err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return usageErrorf("%s is a symbolic link: refusing to write contact data through it (remove it, or choose another path)", path)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// mkdirPrivate creates dir and its missing parents with mode 0700.
func mkdirPrivate(dir string) error { return os.MkdirAll(dir, privateDir) }
