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
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/internal/syncplan"
	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/spec"
)

const importLong = `Create a contact for each row of a CSV file.

The header row names the columns, the create request's properties in the API's spec:
{{columns}}
An unknown column is a usage error; a column named "error" (the rejects file's) is ignored.
Empty cells are left out. A leading UTF-8 byte order mark is skipped.

{{uncreatable}} (which export writes for a contact that withdrew SMS consent)
cannot be given to a new contact: it is left out, the contact is created without SMS
consent, and the summary counts it (sms_unsubscribed_omitted).

--dry-run validates every row locally against the API's spec and reports each bad row as
"line N: field: message", spending no request (with --output json: one JSON report).

For real, rows are sent one by one, paced within the rate budget; a Retry-After of up to a
minute and a quarter is waited out. With --upsert, a row whose email or phone number already
exists updates that contact (named by its email, or its phone number when it has no email);
an update cannot change consents, so email_consent and sms_consent are not applied to
existing contacts.

The import can be stopped at any time (Ctrl-C, SIGTERM, a crash, a kill, a rate limit that
asks for a longer wait): rerun the same command and it resumes where it stopped, every row
applied once. Its journal is FILE.state beside the input (or --state PATH); a row is marked
in flight only when its request is really sent. When the rerun meets a conflict on a row
that was in flight, it looks the contact up (one request) and counts the row as created only
if the stored contact matches the row and no earlier line of the file names the same
contact; otherwise the row is rejected (with --upsert, the contact is updated). A row whose
create had already met a conflict is an update, and is counted as one. The journal is locked
while an import runs, so a second import of the same file is refused.

Rows that fail go to FILE.rejects.csv (mode 0600), each once, with an "error" column; fix
them there and import that file as it is. The exit status is 1 if any row failed, 4 when
the rate limit stopped the run (rerun later to resume).`

// importOptions are the flags of "contacts import".
type importOptions struct {
	upsert, dryRun bool
	state          string
}

func (a *app) importCommand() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Create contacts from a CSV file, resumably, within the rate budget",
		Long: strings.NewReplacer("{{columns}}", columnsHelp(false, 2, 90),
			"{{uncreatable}}", uncreatableHelp()).Replace(importLong),
		Example: `  privy contacts import contacts.csv --dry-run
  privy contacts import contacts.csv --upsert
  privy contacts import contacts.csv.rejects.csv   # the rows that failed, once fixed`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.dryRun {
				return a.dryRun(args[0])
			}
			r, err := a.newImportRun(args[0], o)
			if err != nil {
				return err
			}
			defer r.Close()
			return r.run()
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
	// skip is the index of a rejects file's error column, which is not imported; -1 if none.
	skip int
}

// utf8BOM is the byte order mark some programs (PowerShell, Excel) write first.
const utf8BOM = "\ufeff"

// newCSVReader reads CSV from f, past a leading byte order mark (so a quoted first header
// cell, as PowerShell writes it, parses).
func newCSVReader(f io.Reader) *csv.Reader {
	br := bufio.NewReader(f)
	if b, err := br.Peek(len(utf8BOM)); err == nil && string(b) == utf8BOM {
		br.Discard(len(utf8BOM))
	}
	return csv.NewReader(br)
}

func openCSV(path string) (*csvInput, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	r := newCSVReader(f)
	header, err := r.Read()
	if err != nil {
		f.Close()
		if errors.Is(err, io.EOF) {
			return nil, usageErrorf("%s is empty: the first row must name the columns", path)
		}
		return nil, usageErrorf("%s: reading the header: %v", path, err)
	}
	in := &csvInput{f: f, r: r, skip: -1}
	if i := slices.IndexFunc(header, func(h string) bool { return strings.TrimSpace(h) == colRejectError }); i >= 0 {
		in.skip = i
		header = slices.Delete(slices.Clone(header), i, i+1)
	}
	if in.cols, err = mapHeader(header); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return in, nil
}

// next returns the next record (without a rejects file's error column) and the line it starts
// on. A record the CSV reader cannot take (the wrong number of fields, a stray quote) comes
// back with a problem rather than an error, so that it can be rejected alone and the rest of
// the file still read.
func (in *csvInput) next() (rec []string, line int, problem *gen.ErrorDetail, err error) {
	rec, err = in.r.Read()
	if err == io.EOF {
		return nil, 0, nil, io.EOF
	}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = fmt.Sprintf("has %d fields, the header has %d", len(rec), len(in.cols.names)+min(in.skip+1, 1))
		}
		return rec, pe.StartLine, &gen.ErrorDetail{Field: "base", Message: msg}, nil
	}
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %w", in.f.Name(), err)
	}
	line, _ = in.r.FieldPos(0)
	if in.skip >= 0 && in.skip < len(rec) {
		rec = slices.Delete(rec, in.skip, in.skip+1)
	}
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
	r := newCSVReader(f)
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

// dryRunReport is what --dry-run found, as --output json writes it.
type dryRunReport struct {
	Rows     int             `json:"rows"`
	Invalid  int             `json:"invalid"`
	Problems []dryRunProblem `json:"problems"`
}

type dryRunProblem struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
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
	rep := dryRunReport{Problems: []dryRunProblem{}}
	for {
		rec, line, problem, err := in.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rep.Rows++
		var details []gen.ErrorDetail
		if problem != nil {
			details = []gen.ErrorDetail{*problem}
		} else {
			row := in.cols.parseRow(line, rec)
			omitUncreatableConsent(&row) // as the import does
			details = cv.check(a.ctx, row)
		}
		if len(details) > 0 {
			rep.Invalid++
			for _, d := range details {
				rep.Problems = append(rep.Problems, dryRunProblem{Line: line, Field: d.Field, Message: d.Message})
			}
		}
	}
	if a.output == outputJSON {
		if err := writeJSON(a.stdout, rep); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintf(a.stdout, "line %d: %s\n", p.Line, oneLine(detailLine(p.Field, p.Message)))
		}
		fmt.Fprintf(a.stdout, "%d rows checked, %d invalid; nothing was sent\n", rep.Rows, rep.Invalid)
	}
	if rep.Invalid > 0 {
		return &failedError{msg: fmt.Sprintf("%d of %d rows are invalid", rep.Invalid, rep.Rows)}
	}
	return nil
}

// importSummary is what an import did. Every row of the file is counted once, in Created,
// Updated, Unchanged, Skipped or Rejected.
type importSummary struct {
	Created   int     `json:"created"`
	Updated   int     `json:"updated"`
	Unchanged int     `json:"unchanged"`
	Skipped   int     `json:"skipped"`
	Rejected  int     `json:"rejected"`
	Elapsed   float64 `json:"elapsed_seconds"`
	// EarlierRejected counts rows rejected by an earlier run of the same import (part of
	// Skipped); they are still failures.
	EarlierRejected int `json:"earlier_rejected"`
	// SMSUnsubscribedOmitted counts created rows whose sms_consent "unsubscribed" was left
	// out (a new contact cannot have it; it is created without SMS consent).
	SMSUnsubscribedOmitted int    `json:"sms_unsubscribed_omitted"`
	Rejects                string `json:"rejects_file,omitempty"`
	Complete               bool   `json:"complete"`
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

// importRun is one import for real (see importLong): its input, client, journal and rejects
// file, and its accounting. newImportRun wires it, run reads the file row by row, and each
// row's outcome is counted in exactly one place (applied, reject, skip).
type importRun struct {
	a       *app
	opts    importOptions
	in      *csvInput
	client  *privy.Client
	cv      *createValidator
	j       *journal
	rejects *rejectWriter
	bar     *progress

	start       time.Time
	total, read int // rows in the file, rows read so far (for the progress bar)
	sum         importSummary
	// consentsDropped counts upserted rows whose consents an update could not apply.
	consentsDropped int
	// applied maps the identities (email, phone number) of the rows applied so far, by this
	// run or an earlier one, to their line: a conflict on a later row that was in flight is
	// then its own (a duplicate in the file), not the earlier run's create.
	applied map[string]int
}

// identities are the keys of a create request in importRun.applied.
func identities(c gen.CreateContactRequest) []string {
	var ids []string
	if c.Email != nil {
		ids = append(ids, "email "+strings.ToLower(*c.Email))
	}
	if c.PhoneNumber != nil {
		ids = append(ids, "phone "+*c.PhoneNumber)
	}
	return ids
}

// markApplied records that the row on line was applied.
func (r *importRun) markApplied(line int, c gen.CreateContactRequest) {
	for _, id := range identities(c) {
		if _, ok := r.applied[id]; !ok {
			r.applied[id] = line
		}
	}
}

// appliedBefore returns an earlier line of the file, applied, that names the same contact.
func (r *importRun) appliedBefore(line int, c gen.CreateContactRequest) (int, bool) {
	for _, id := range identities(c) {
		if n, ok := r.applied[id]; ok && n < line {
			return n, true
		}
	}
	return 0, false
}

// newImportRun opens the input, the journal and the rejects file of an import of path.
func (a *app) newImportRun(path string, o importOptions) (_ *importRun, err error) {
	r := &importRun{a: a, opts: o, start: time.Now(), applied: map[string]int{}}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	if r.in, err = openCSV(path); err != nil {
		return nil, err
	}
	r.rejects = &rejectWriter{path: path + ".rejects.csv", header: r.in.cols.names}
	if err := refuseSymlink(r.rejects.path); err != nil {
		return nil, err
	}
	// A Retry-After of a minute window plus clock skew is waited out, not the end of the run.
	a.clientOpts = append([]privy.Option{privy.WithMaxWait(bulkMaxWait)}, a.clientOpts...)
	if r.client, err = a.newClient(); err != nil {
		return nil, err
	}
	if r.cv, err = newCreateValidator(); err != nil {
		return nil, err
	}
	fp, err := fingerprint(path)
	if err != nil {
		return nil, err
	}
	statePath := cmp.Or(o.state, path+".state")
	if r.j, err = openJournal(statePath, fp); err != nil {
		return nil, err
	}
	if err := r.rejects.open(r.j); err != nil {
		return nil, err
	}
	r.sum.Rejects = r.rejects.path
	r.total = countRows(path)
	r.bar = newProgress(a.stderr, r.total, "rows")
	return r, nil
}

// bulkMaxWait is the longest wait a bulk command makes for a Retry-After or a rate-limit
// reset: a minute window plus clock skew (privytest itself asks for 60s).
const bulkMaxWait = time.Minute + 15*time.Second

// Close releases the input, the journal and the rejects file.
func (r *importRun) Close() {
	if r.bar != nil {
		r.bar.Finish()
	}
	if r.rejects != nil {
		r.rejects.Close()
	}
	if r.j != nil {
		r.j.Close()
	}
	if r.in != nil {
		r.in.Close()
	}
}

// run imports every row and reports the summary; the error is the run's exit status.
func (r *importRun) run() error {
	for {
		rec, line, problem, err := r.in.next()
		if err == io.EOF {
			return r.finish(nil)
		}
		if err != nil {
			return r.finish(err)
		}
		if err := r.row(rec, line, problem); err != nil {
			return r.finish(err)
		}
	}
}

// row takes one record to its outcome. An error stops the run (the row stays unfinished in
// the journal, so a rerun takes it up again); a row's own failure is a reject, not an error.
func (r *importRun) row(rec []string, line int, problem *gen.ErrorDetail) error {
	r.read++
	if r.j.Finished(line) {
		r.bar.Skip(1)
		r.sum.Skipped++
		if r.j.Rejected(line) {
			r.sum.EarlierRejected++
		} else if problem == nil {
			r.markApplied(line, r.in.cols.parseRow(line, rec).Create)
		}
		return nil
	}
	var details []gen.ErrorDetail
	row := r.in.cols.parseRow(line, rec)
	omitted := omitUncreatableConsent(&row)
	if problem != nil {
		details = []gen.ErrorDetail{*problem}
	} else {
		details = r.cv.check(r.a.ctx, row)
	}
	if len(details) > 0 {
		r.bar.Skip(1)
		return r.reject(line, rec, formatDetails(gen.ErrorCodeValidationFailed, "One or more fields are invalid", details))
	}
	r.bar.Step(1, r.total-r.read, r.client.RateLimit(), time.Now())
	_, _, err := r.client.CreateContact(r.sending(line), row.Create)
	switch {
	case err == nil:
		r.sum.Created++
		if omitted {
			r.sum.SMSUnsubscribedOmitted++
		}
		r.markApplied(line, row.Create)
		return r.j.Done(line)
	case errors.Is(err, privy.ErrConflict) && r.j.WasInFlight(line) && !r.j.Existed(line):
		return r.inFlightConflict(line, rec, row, err, omitted)
	case errors.Is(err, privy.ErrConflict) && r.opts.upsert:
		return r.upsert(line, rec, row)
	case rowError(err):
		return r.reject(line, rec, errorReason(err))
	default:
		return err
	}
}

// sending returns the run's context, set to journal the line as in flight when its request
// is really sent: after any wait for the rate limit, so a run stopped while it waits has not
// begun the row.
func (r *importRun) sending(line int) context.Context {
	return withSendHook(r.a.ctx, func(*http.Request) error { return r.j.Begin(line) })
}

// upsert updates the contact a row conflicted with. The conflict is journaled first, so a
// rerun after a crash knows the contact was there before (the row is an update, not a create).
func (r *importRun) upsert(line int, rec []string, row contactRow) error {
	if err := r.j.Exists(line); err != nil {
		return err
	}
	upd, ok := updateFor(row.Create)
	if !ok {
		r.sum.Unchanged++ // it exists and the row has nothing an update can change
		r.markApplied(line, row.Create)
		return r.j.Done(line)
	}
	if _, _, err := r.client.UpdateContact(r.sending(line), upd); err != nil {
		if rowError(err) {
			return r.reject(line, rec, "update after conflict: "+errorReason(err))
		}
		return err
	}
	r.sum.Updated++
	if hasConsent(row.Create) {
		r.consentsDropped++
	}
	r.markApplied(line, row.Create)
	return r.j.Done(line)
}

// inFlightConflict settles a conflict on a row an earlier run sent without learning the
// outcome: it counts as created only when the stored contact matches the row (the earlier
// request was applied) and no earlier line of the file names that contact; otherwise the
// conflict is the row's own: it is rejected, or with --upsert the contact is updated.
func (r *importRun) inFlightConflict(line int, rec []string, row contactRow, conflict error, omitted bool) error {
	own := func(why string) error {
		if r.opts.upsert {
			return r.upsert(line, rec, row)
		}
		return r.reject(line, rec, errorReason(conflict)+"; "+why)
	}
	if n, ok := r.appliedBefore(line, row.Create); ok {
		return own(fmt.Sprintf("line %d of this file names the same contact", n))
	}
	stored, err := r.lookup(row.Create)
	if err != nil {
		return err
	}
	if stored == nil || !matchesRow(*stored, row.Create) {
		return own("the stored contact differs from the row")
	}
	r.warn("line %d: conflict on a row that was in flight when the last run stopped: the stored contact matches it, counted as created", line)
	r.sum.Created++
	if omitted {
		r.sum.SMSUnsubscribedOmitted++
	}
	r.markApplied(line, row.Create)
	return r.j.Done(line)
}

// lookup finds the contact a create request names (by email, else phone) with one list call.
func (r *importRun) lookup(c gen.CreateContactRequest) (*gen.Contact, error) {
	one := 1
	p := &gen.ListContactsParams{PerPage: &one}
	if c.Email != nil {
		p.Email = c.Email
	} else {
		p.PhoneNumber = c.PhoneNumber
	}
	list, _, err := r.client.ListContacts(r.a.ctx, p)
	if err != nil {
		return nil, err
	}
	if len(list.Data) == 0 {
		return nil, nil
	}
	return &list.Data[0], nil
}

// reject writes the row to the rejects file, then journals it (so a crash between the two
// leaves a line the next run drops from the rejects file and writes again once).
func (r *importRun) reject(line int, rec []string, reason string) error {
	r.sum.Rejected++
	if err := r.rejects.Write(rec, fmt.Sprintf("line %d: %s", line, reason)); err != nil {
		return err
	}
	return r.j.Reject(line)
}

func (r *importRun) warn(format string, args ...any) {
	r.bar.Clear()
	fmt.Fprintf(r.a.stderr, "warning: "+format+"\n", args...)
}

// finish prints the notes and the summary and returns the run's exit status.
func (r *importRun) finish(err error) error {
	r.sum.Elapsed = time.Since(r.start).Seconds()
	r.sum.Complete = err == nil
	r.bar.Finish()
	stderr := r.a.stderr
	if r.consentsDropped > 0 {
		fmt.Fprintf(stderr, "note: %d existing contacts were updated without their email_consent/sms_consent "+
			"(an update cannot change consent; use \"privy contacts unsubscribe\")\n", r.consentsDropped)
	}
	if n := r.sum.SMSUnsubscribedOmitted; n > 0 {
		fmt.Fprintf(stderr, "note: %d contacts were created without their sms_consent \"unsubscribed\" "+
			"(a new contact cannot have it; they have no SMS consent)\n", n)
	}
	switch {
	case err == nil:
	case r.a.interrupted(err):
		fmt.Fprintf(stderr, "interrupted; rerun the same command to resume\n")
	case exitCode(r.a.ctx, err) == exitRateLimit:
		fmt.Fprintf(stderr, "stopped by the rate limit; rerun the same command later to resume where it stopped\n")
	}
	if r.a.output == outputJSON {
		_ = writeJSON(r.a.stdout, r.sum)
	} else {
		fmt.Fprintln(r.a.stdout, r.sum.String())
	}
	if err != nil {
		return err
	}
	if n := r.sum.Rejected + r.sum.EarlierRejected; n > 0 {
		return &failedError{msg: fmt.Sprintf("%d rows failed; see %s", n, r.rejects.path)}
	}
	return nil
}

// uncreatableHelp names, for help texts, the create fields and the value the API refuses for
// a new contact (x-privy-value-errors): sms_consent "unsubscribed".
func uncreatableHelp() string {
	var names []string
	for _, f := range specmodel.Refusing(specmodel.MustLoad().Create, string(gen.ConsentUnsubscribed)) {
		names = append(names, f.Name)
	}
	return (specmodel.Schema{Enum: names}).OneOf() + ` "` + string(gen.ConsentUnsubscribed) + `"`
}

// omitUncreatableConsent leaves out sms_consent "unsubscribed", which the API refuses for a
// new contact (export writes it for contacts that withdrew SMS consent), and reports whether
// it did. The contact is created without SMS consent, which sends it no SMS either.
func omitUncreatableConsent(row *contactRow) bool {
	if c := row.Create.SmsConsent; c != nil && *c == gen.ConsentUnsubscribed {
		row.Create.SmsConsent = nil
		return true
	}
	return false
}

// matchesRow reports whether a stored contact holds what a create request sets, compared as
// contacts sync compares (by each property's type in the spec: emails case-insensitively, tags
// as sets, custom fields by value and type).
func matchesRow(c gen.Contact, req gen.CreateContactRequest) bool {
	p, err := rowMatcher()
	if err != nil {
		return false
	}
	body, err := syncplan.ToValues(req)
	if err != nil {
		return false
	}
	return p.Applied(c, syncplan.Step{Body: body})
}

// rowMatcher is the comparison engine of contacts sync, built once from the embedded spec.
var rowMatcher = sync.OnceValues(func() (*syncplan.Planner, error) {
	m, err := specmodel.Load()
	if err != nil {
		return nil, err
	}
	return syncplan.New(m, nil, syncplan.Options{})
})

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
