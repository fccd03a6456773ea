package cli

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// journalMagic starts the first line of an import journal, followed by the input's
// fingerprint.
const journalMagic = "privy-import-journal v1"

// journal is the resume state of a bulk command over numbered items (an import's CSV lines):
// an append-only file of lines
//
//	<kind> <fingerprint>        kind is journalMagic for an import
//	begin <n>                   item n's request is on the wire (written just before it is sent)
//	exists <n>                  item n's create met a conflict: the contact existed before (an
//	                            upsert's update follows)
//	done <n>                    item n was applied
//	reject <n>                  item n failed and is in the rejects file
//
// each written and fsynced before the command moves on, so after a crash an item with "begin"
// but no outcome may or may not have been applied, and an item without "begin" was never sent.
//
// Its API, for any command that applies items once across runs ("contacts import", and
// "contacts sync" to come):
//
//	j, err := openJournalKind(path, kind, fp) // create, or resume a run of the same kind and input; locked while open
//	j.Fresh()         // no earlier run: start the outputs (rejects file) afresh
//	j.Finished(n)     // done or rejected by an earlier run: skip it
//	j.Rejected(n)     // rejected by an earlier run
//	j.WasInFlight(n)  // sent by an earlier run whose outcome is unknown: check before counting it
//	j.Existed(n)      // an earlier run found the contact already there (its create conflicted)
//	j.Begin(n)        // call when the request is really sent (once per run; repeats are no-ops)
//	j.Exists(n)       // the create conflicted: what follows is an update
//	j.Done(n), j.Reject(n) // its outcome, after any rejects file line is synced
//	j.Close()
type journal struct {
	f *os.File
	// finished holds the lines already done or rejected.
	finished map[int]string
	// inFlight holds the lines begun but never finished by an earlier run.
	inFlight map[int]bool
	// begun holds the lines begun by this run.
	begun map[int]bool
	// existed holds the lines whose create met a conflict, in this run or an earlier one.
	existed map[int]bool
	// fresh is true when the journal was just created: no earlier run to resume.
	fresh bool
}

// fingerprint identifies an input file by its header line and size, so a journal is not
// resumed against a different file.
func fingerprint(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	header, err := bufio.NewReader(f).ReadBytes('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	h := sha256.New()
	h.Write(bytes.TrimRight(header, "\r\n"))
	fmt.Fprintf(h, "\x00%d", info.Size())
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// openJournal opens (or creates) the import journal at path for the input with fingerprint
// fp, reading what an earlier run recorded.
func openJournal(path, fp string) (*journal, error) { return openJournalKind(path, journalMagic, fp) }

// openJournalKind is openJournal for a journal whose first line starts with kind (see journal).
func openJournalKind(path, kind, fp string) (*journal, error) {
	f, err := openPrivate(path, os.O_RDWR|os.O_APPEND)
	if err != nil {
		if isUsage(err) {
			return nil, err
		}
		return nil, fmt.Errorf("opening the import state: %w", err)
	}
	if ok, err := lockFile(f); !ok {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("locking the import state %s: %w", path, err)
		}
		return nil, usageErrorf("another import is running with the state file %s; wait for it to end", path)
	}
	j := &journal{f: f, finished: map[int]string{}, inFlight: map[int]bool{}, begun: map[int]bool{}, existed: map[int]bool{}}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading the import state %s: %w", path, err)
	}
	if len(data) == 0 {
		j.fresh = true
		if err := j.append(kind + " " + fp); err != nil {
			f.Close()
			return nil, err
		}
		return j, nil
	}
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	if got, ok := strings.CutPrefix(string(first), kind+" "); !ok || got != fp {
		f.Close()
		return nil, usageErrorf("the import state %s belongs to a different input file (or the file has changed since); "+
			"delete %s to start over, or pass --state with another path", path, path)
	}
	for l := range strings.SplitSeq(string(rest), "\n") {
		verb, num, ok := strings.Cut(l, " ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			continue // a line torn by a crash
		}
		switch verb {
		case "begin":
			if _, done := j.finished[n]; !done {
				j.inFlight[n] = true
			}
		case "exists":
			j.existed[n] = true
		case "done", "reject":
			j.finished[n] = verb
			delete(j.inFlight, n)
		}
	}
	if data[len(data)-1] != '\n' {
		// End a torn last line so the next record starts on its own line.
		if _, err := f.Write([]byte("\n")); err != nil {
			f.Close()
			return nil, err
		}
	}
	return j, nil
}

// Finished reports whether a line was done or rejected by an earlier run.
func (j *journal) Finished(line int) bool {
	_, ok := j.finished[line]
	return ok
}

// WasInFlight reports whether an earlier run began the line without recording its outcome.
func (j *journal) WasInFlight(line int) bool { return j.inFlight[line] }

// Fresh reports whether the journal was just created: there is no earlier run to resume.
func (j *journal) Fresh() bool { return j.fresh }

// Rejected reports whether an earlier run rejected the line.
func (j *journal) Rejected(line int) bool { return j.finished[line] == "reject" }

// Begin records that the line's request is being sent; a repeat in the same run (a retry) is
// not written again.
func (j *journal) Begin(line int) error {
	if j.begun[line] {
		return nil
	}
	j.begun[line] = true
	return j.append("begin " + strconv.Itoa(line))
}

// Existed reports whether the line's create met a conflict (in this run or an earlier one).
func (j *journal) Existed(line int) bool { return j.existed[line] }

// Exists records that the line's create met a conflict: the contact was there before.
func (j *journal) Exists(line int) error {
	if j.existed[line] {
		return nil
	}
	j.existed[line] = true
	return j.append("exists " + strconv.Itoa(line))
}

// Done records that the line was applied.
func (j *journal) Done(line int) error {
	j.finished[line] = "done"
	return j.append("done " + strconv.Itoa(line))
}

// Reject records that the line failed and went to the rejects file.
func (j *journal) Reject(line int) error {
	j.finished[line] = "reject"
	return j.append("reject " + strconv.Itoa(line))
}

func (j *journal) append(s string) error {
	if _, err := j.f.WriteString(s + "\n"); err != nil {
		return fmt.Errorf("writing the import state: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("syncing the import state: %w", err)
	}
	return nil
}

// Close closes the journal file.
func (j *journal) Close() error { return j.f.Close() }
