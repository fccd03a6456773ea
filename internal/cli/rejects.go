package cli

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// colRejectError is the last column of a rejects file: "line N: <error>". Import ignores a
// column of this name, so a rejects file, once fixed, imports as it is.
const colRejectError = "error"

// rejectWriter appends failed rows, with their error, to FILE.rejects.csv (mode 0600). open
// starts it for a run: a fresh import removes an old one; a resumed import keeps the rows its
// journal recorded as rejected and drops any other (a row written just before a crash, which
// the run takes up again), so each rejected row is in the file once.
type rejectWriter struct {
	path   string
	header []string
	f      *os.File
	w      *csv.Writer
}

// open prepares the rejects file for a run whose journal is j.
func (r *rejectWriter) open(j *journal) error {
	if j.Fresh() {
		// A new import: the rejects of an earlier, finished or abandoned one do not belong to it.
		if err := os.Remove(r.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	if _, err := os.Lstat(r.path); errors.Is(err, fs.ErrNotExist) {
		return nil // no row rejected yet
	}
	keep, dropped, err := r.journaled(j)
	if err != nil || dropped == 0 {
		return err
	}
	// Rewrite it without the rows the journal does not know, atomically.
	tmp, err := os.CreateTemp(filepath.Dir(r.path), "."+filepath.Base(r.path)+".partial-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	w := csv.NewWriter(tmp)
	w.WriteAll(keep)
	if err := w.Error(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), r.path)
}

// journaled reads the rejects file: the header and the records j recorded as rejected, and
// how many others (or torn ones) it holds.
func (r *rejectWriter) journaled(j *journal) (keep [][]string, dropped int, err error) {
	f, err := openPrivate(r.path, os.O_RDONLY)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil { // torn by a crash: nothing after it was journaled
			dropped++
			break
		}
		if keep == nil { // the header
			keep = append(keep, rec)
			continue
		}
		if n, ok := rejectLine(rec); ok && j.Rejected(n) {
			keep = append(keep, rec)
		} else {
			dropped++
		}
	}
	return keep, dropped, nil
}

// rejectLine reads the input line number from a rejects record's error column.
func rejectLine(rec []string) (int, bool) {
	if len(rec) == 0 {
		return 0, false
	}
	num, _, ok := strings.Cut(strings.TrimPrefix(rec[len(rec)-1], "line "), ":")
	n, err := strconv.Atoi(num)
	return n, ok && err == nil
}

func (r *rejectWriter) Write(rec []string, reason string) error {
	if r.f == nil {
		f, err := openPrivate(r.path, os.O_WRONLY|os.O_APPEND)
		if err != nil {
			return err
		}
		r.f, r.w = f, csv.NewWriter(f)
		if info, err := f.Stat(); err == nil && info.Size() == 0 {
			if err := r.w.Write(append(slices.Clone(r.header), colRejectError)); err != nil {
				return err
			}
		}
	}
	if err := r.w.Write(append(slices.Clone(rec), reason)); err != nil {
		return err
	}
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		return err
	}
	return r.f.Sync()
}

func (r *rejectWriter) Close() error {
	if r.f == nil {
		return nil
	}
	return r.f.Close()
}
