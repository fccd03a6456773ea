package cli

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/spec"
)

const importLong = `Create a contact for each row of a CSV file.

The header row names the columns: email, phone_number, first_name, last_name, tags
(separated by ";"), email_consent, sms_consent, custom.<key> for a custom field (numbers and
true/false are sent as such; a JSON string literal such as "007" forces a string), and
custom_fields (a JSON object, as "privy contacts export --format csv" writes it). An
unknown column is a usage error. Empty cells are left out.

--dry-run validates every row locally against the API's spec and reports each bad row as
"line N: field: message", spending no request.

For real, rows are sent one by one, paced within the rate budget. With --upsert, a row whose
email or phone number already exists updates that contact (named by its email, or its phone
number when it has no email); an update cannot change consents, so email_consent and
sms_consent are not applied to existing contacts.

The import can be stopped at any time (Ctrl-C, SIGTERM, a crash, a kill): rerun the same
command and it resumes where it stopped, every row applied once. Its journal is FILE.state
beside the input (or --state PATH); a row in flight when the process died may be sent again:
with --upsert that is harmless, without it the resulting conflict counts the row as applied.
The journal is locked while an import runs, so a second import of the same file is refused.
Rows that fail go to FILE.rejects.csv with their error; the exit status is 1 if any row
failed.`

type importOptions struct {
	upsert, dryRun bool
	state          string
}

func (a *app) importCommand() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Create contacts from a CSV file, resumably, within the rate budget",
		Long:  importLong,
		Args:  argsUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.dryRun {
				return a.dryRun(args[0])
			}
			return a.importFile(args[0], o)
		},
	}
	cmd.Flags().BoolVar(&o.upsert, "upsert", false, "update the contact when it already exists (409 conflict)")
	cmd.Flags().StringVar(&o.state, "state", "", "the journal that makes the import resumable (default FILE.state)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "validate every row locally; send nothing")
	return cmd
}

// csvInput reads an import file row by row.
type csvInput struct {
	f    *os.File
	r    *csv.Reader
	cols *csvColumns
}

func openCSV(path string) (*csvInput, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	r := csv.NewReader(bufio.NewReader(f))
	header, err := r.Read()
	if err != nil {
		f.Close()
		if errors.Is(err, io.EOF) {
			return nil, usageErrorf("%s is empty: the first row must name the columns", path)
		}
		return nil, usageErrorf("%s: reading the header: %v", path, err)
	}
	cols, err := mapHeader(header)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &csvInput{f: f, r: r, cols: cols}, nil
}

// next returns the next record and the line it starts on. A record the CSV reader cannot
// take (the wrong number of fields, a stray quote) comes back with a problem rather than an
// error, so that it can be rejected alone and the rest of the file still read.
func (in *csvInput) next() (rec []string, line int, problem *gen.ErrorDetail, err error) {
	rec, err = in.r.Read()
	if err == io.EOF {
		return nil, 0, nil, io.EOF
	}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = fmt.Sprintf("has %d fields, the header has %d", len(rec), len(in.cols.names))
		}
		return rec, pe.StartLine, &gen.ErrorDetail{Field: "base", Message: msg}, nil
	}
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %w", in.f.Name(), err)
	}
	line, _ = in.r.FieldPos(0)
	return rec, line, nil, nil
}

func (in *csvInput) Close() error { return in.f.Close() }

// countRows counts the data rows of a CSV file (for the progress bar).
func countRows(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	n := -1 // the header
	for {
		if _, err := r.Read(); err != nil {
			if err == io.EOF {
				return max(n, 0)
			}
			continue
		}
		n++
	}
}

// createValidator checks create requests locally, as the API would.
type createValidator struct{ v *spec.Validator }

func newCreateValidator() (*createValidator, error) {
	v, err := spec.NewValidator("/v1")
	if err != nil {
		return nil, err
	}
	return &createValidator{v: v}, nil
}

// check returns the details the API would answer for req, none when it is valid.
func (cv *createValidator) check(ctx context.Context, row contactRow) []gen.ErrorDetail {
	details := row.Problems
	body, err := json.Marshal(row.Create)
	if err != nil {
		return append(details, gen.ErrorDetail{Field: "base", Message: err.Error()})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://localhost/v1/contacts", nil)
	if err != nil {
		return append(details, gen.ErrorDetail{Field: "base", Message: err.Error()})
	}
	req.Header.Set("Content-Type", "application/json")
	_, vs := cv.v.CheckRequest(ctx, req, body)
	for _, v := range vs {
		details = append(details, v.Detail())
	}
	// CSV problems and spec violations come from two sources: report them field by field.
	slices.SortStableFunc(details, func(a, b gen.ErrorDetail) int {
		return cmp.Or(strings.Compare(a.Field, b.Field), strings.Compare(a.Message, b.Message))
	})
	return details
}

// dryRun validates every row and reports each bad one; nothing is sent.
func (a *app) dryRun(path string) error {
	in, err := openCSV(path)
	if err != nil {
		return err
	}
	defer in.Close()
	cv, err := newCreateValidator()
	if err != nil {
		return err
	}
	rows, bad := 0, 0
	for {
		rec, line, problem, err := in.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rows++
		var details []gen.ErrorDetail
		if problem != nil {
			details = []gen.ErrorDetail{*problem}
		} else {
			details = cv.check(a.ctx, in.cols.parseRow(line, rec))
		}
		if len(details) > 0 {
			bad++
			for _, d := range details {
				fmt.Fprintf(a.stdout, "line %d: %s\n", line, oneLine(detailLine(d.Field, d.Message)))
			}
		}
	}
	fmt.Fprintf(a.stdout, "%d rows checked, %d invalid; nothing was sent\n", rows, bad)
	if bad > 0 {
		return &failedError{msg: fmt.Sprintf("%d of %d rows are invalid", bad, rows)}
	}
	return nil
}

// importSummary is what an import did.
type importSummary struct {
	Created   int     `json:"created"`
	Updated   int     `json:"updated"`
	Unchanged int     `json:"unchanged"`
	Skipped   int     `json:"skipped"`
	Rejected  int     `json:"rejected"`
	Elapsed   float64 `json:"elapsed_seconds"`
	// EarlierRejected counts rows rejected by an earlier run of the same import (part of
	// Skipped); they are still failures.
	EarlierRejected int    `json:"earlier_rejected"`
	Rejects         string `json:"rejects_file,omitempty"`
	Complete        bool   `json:"complete"`
}

func (s importSummary) String() string {
	out := fmt.Sprintf("created %d, updated %d, skipped %d, rejected %d", s.Created, s.Updated, s.Skipped, s.Rejected)
	if s.Unchanged > 0 {
		out += fmt.Sprintf(", unchanged %d", s.Unchanged)
	}
	if s.EarlierRejected > 0 {
		out += fmt.Sprintf(" (and %d rejected by an earlier run)", s.EarlierRejected)
	}
	return out + fmt.Sprintf(" in %s", time.Duration(s.Elapsed*float64(time.Second)).Round(time.Millisecond))
}

// importFile runs an import for real; see importLong.
func (a *app) importFile(path string, o importOptions) error {
	in, err := openCSV(path)
	if err != nil {
		return err
	}
	defer in.Close()
	client, err := a.newClient()
	if err != nil {
		return err
	}
	cv, err := newCreateValidator()
	if err != nil {
		return err
	}
	fp, err := fingerprint(path)
	if err != nil {
		return err
	}
	statePath := o.state
	if statePath == "" {
		statePath = path + ".state"
	}
	j, err := openJournal(statePath, fp)
	if err != nil {
		return err
	}
	defer j.Close()
	rejects := &rejectWriter{path: path + ".rejects.csv", header: in.cols.names}
	defer rejects.Close()
	if err := refuseSymlink(rejects.path); err != nil {
		return err
	}
	if j.fresh {
		// A new import: the rejects of an earlier, finished or abandoned one do not belong to it.
		if err := os.Remove(rejects.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}

	start := time.Now()
	total := countRows(path)
	bar := newProgress(a.stderr, total, "rows")
	defer bar.Finish()
	var sum importSummary
	sum.Rejects = rejects.path
	consentsDropped := 0
	done := 0
	warn := func(format string, args ...any) {
		bar.Clear()
		fmt.Fprintf(a.stderr, "warning: "+format+"\n", args...)
	}
	reject := func(line int, rec []string, reason string) error {
		sum.Rejected++
		if err := rejects.Write(rec, fmt.Sprintf("line %d: %s", line, reason)); err != nil {
			return err
		}
		return j.Reject(line)
	}
	finish := func(err error) error {
		sum.Elapsed = time.Since(start).Seconds()
		sum.Complete = err == nil
		bar.Finish()
		if consentsDropped > 0 {
			fmt.Fprintf(a.stderr, "note: %d existing contacts were updated without their email_consent/sms_consent "+
				"(an update cannot change consent; use \"privy contacts unsubscribe\")\n", consentsDropped)
		}
		if err != nil && a.interrupted(err) {
			fmt.Fprintf(a.stderr, "interrupted; rerun the same command to resume\n")
		}
		if a.output == outputJSON {
			_ = writeJSON(a.stdout, sum)
		} else {
			fmt.Fprintln(a.stdout, sum.String())
		}
		if err != nil {
			return err
		}
		if n := sum.Rejected + sum.EarlierRejected; n > 0 {
			return &failedError{msg: fmt.Sprintf("%d rows failed; see %s", n, rejects.path)}
		}
		return nil
	}

	for {
		rec, line, problem, err := in.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return finish(err)
		}
		done++
		if j.Finished(line) {
			bar.Skip(1)
			sum.Skipped++
			if j.finished[line] == "reject" {
				sum.EarlierRejected++
			}
			continue
		}
		var details []gen.ErrorDetail
		if problem != nil {
			details = []gen.ErrorDetail{*problem}
		}
		row := in.cols.parseRow(line, rec)
		if details == nil {
			details = cv.check(a.ctx, row)
		}
		bar.Step(1, total-done, client.RateLimit(), time.Now())
		if len(details) > 0 {
			if err := reject(line, rec, formatDetails(gen.ErrorCodeValidationFailed, "One or more fields are invalid", details)); err != nil {
				return finish(err)
			}
			continue
		}
		if err := j.Begin(line); err != nil {
			return finish(err)
		}
		_, _, err = client.CreateContact(a.ctx, row.Create)
		switch {
		case err == nil:
			sum.Created++
		case errors.Is(err, privy.ErrConflict) && o.upsert:
			upd, ok := updateFor(row.Create)
			if !ok {
				sum.Unchanged++ // it exists and the row has nothing an update can change
				break
			}
			if _, _, err = client.UpdateContact(a.ctx, upd); err != nil {
				if rowError(err) {
					if err := reject(line, rec, "update after conflict: "+errorReason(err)); err != nil {
						return finish(err)
					}
					continue
				}
				return finish(err)
			}
			sum.Updated++
			if hasConsent(row.Create) {
				consentsDropped++
			}
		case errors.Is(err, privy.ErrConflict) && j.WasInFlight(line):
			warn("line %d: conflict on a row that was in flight when the last run stopped: counted as applied", line)
			sum.Created++
		case rowError(err):
			if err := reject(line, rec, errorReason(err)); err != nil {
				return finish(err)
			}
			continue
		default:
			return finish(err)
		}
		if err := j.Done(line); err != nil {
			return finish(err)
		}
	}
	return finish(nil)
}

// rowError reports whether err is about the row itself (so the row is rejected and the
// import goes on) rather than about the account, the network or the run.
func rowError(err error) bool {
	return errors.Is(err, privy.ErrConflict) || errors.Is(err, privy.ErrValidationFailed) || errors.Is(err, privy.ErrNotFound)
}

// errorReason formats an API error for the rejects file.
func errorReason(err error) string {
	if e, ok := errors.AsType[*privy.Error](err); ok {
		return formatDetails(e.Code, e.Message, e.Details)
	}
	return oneLine(err.Error())
}

func formatDetails(code gen.ErrorCode, msg string, details []gen.ErrorDetail) string {
	parts := []string{fmt.Sprintf("%s: %s", code, msg)}
	for _, d := range details {
		parts = append(parts, detailLine(d.Field, d.Message))
	}
	return oneLine(strings.Join(parts, "; "))
}

// rejectWriter appends failed rows, with their error, to FILE.rejects.csv; it creates the file
// (with the input's header and an error column) on the first reject.
type rejectWriter struct {
	path   string
	header []string
	f      *os.File
	w      *csv.Writer
}

func (r *rejectWriter) Write(rec []string, reason string) error {
	if r.f == nil {
		f, err := openPrivate(r.path, os.O_WRONLY|os.O_APPEND)
		if err != nil {
			return err
		}
		r.f, r.w = f, csv.NewWriter(f)
		if info, err := f.Stat(); err == nil && info.Size() == 0 {
			if err := r.w.Write(append(append([]string{}, r.header...), "error")); err != nil {
				return err
			}
		}
	}
	if err := r.w.Write(append(append([]string{}, rec...), reason)); err != nil {
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
