package cli

import (
	"io"
	"path/filepath"
	"testing"
)

// FuzzCSVRows feeds arbitrary import files to the reader and row parser: no panic, line
// numbers only grow, and an unknown column is a usage error.
func FuzzCSVRows(f *testing.F) {
	for _, s := range []string{
		"email\na@example.com\n",
		"email,tags,custom.x,custom_fields\na@b,x;y,1,{\"k\":true}\n",
		"email,phone_number\n\"multi\nline\",+1555\nshort\n",
		"\ufeffemail\r\na@b\r\n",
		"email\nbare\"quote\n",
		"nope\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := writeFileErr(path, string(data)); err != nil {
			t.Fatal(err)
		}
		in, err := openCSV(path)
		if err != nil {
			if !isUsage(err) {
				t.Fatalf("header error %v is not a usage error", err)
			}
			return
		}
		defer in.Close()
		last := 1
		for range 10000 {
			rec, line, problem, err := in.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				return // an I/O error ends the import
			}
			if line <= last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
			if problem == nil {
				in.cols.parseRow(line, rec)
			}
		}
	})
}

// FuzzJournal opens arbitrary state files: no panic; a journal it accepts records and
// resumes correctly.
func FuzzJournal(f *testing.F) {
	f.Add([]byte(journalMagic + " fp\nbegin 2\ndone 2\n"))
	f.Add([]byte(journalMagic + " fp\nbegin 2\ndo"))
	f.Add([]byte(journalMagic + " fp\nreject -1\nbegin x\n\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "state")
		if err := writeFileErr(path, string(data)); err != nil {
			t.Fatal(err)
		}
		j, err := openJournal(path, "fp")
		if err != nil {
			return
		}
		if err := j.Done(1 << 30); err != nil {
			t.Fatal(err)
		}
		j.Close()
		j, err = openJournal(path, "fp")
		if err != nil {
			t.Fatalf("reopening a journal we wrote: %v", err)
		}
		defer j.Close()
		if !j.Finished(1 << 30) {
			t.Fatal("a recorded line was lost")
		}
	})
}
