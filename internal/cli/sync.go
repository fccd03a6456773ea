package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/internal/syncplan"
	"github.com/privy-go/privy-go/privy"
)

const syncLong = `Make the account match a CSV file, spending as few requests as possible.

sync reads the whole account once (100 contacts a request), compares it with the file row by
row, and prints a plan: the contacts to create, those to update (field by field), those in
the account but not in the file, those unchanged, and the rows that are invalid (checked
locally against the API's spec). It shows how many requests the plan needs and how long they
take at the account's current budget. Nothing is sent without --apply.

A row names a contact by its email (compared case-insensitively), else by its phone number
(compared as E.164; "+1 (555) 123-4567" and "0015551234567" are read as +15551234567).
Columns are those of "privy contacts import". Every property the API's spec gives a contact
is compared by its type: tags as sets, custom fields by value and type ("007" is not 7), emails
case-insensitively, other values exactly.

Safe by default:
  - fields without a column are not touched; a custom.<key> column touches that key only,
    and a non-empty custom_fields cell gives the other keys in full;
  - an empty cell changes nothing (--empty clears: it clears the field, the key, or the tags);
  - consent is never changed by an update (the API cannot), and an unsubscribed contact is
    never re-subscribed; with --consent a row saying email_consent=unsubscribed unsubscribes
    the contact (the only consent change the API has). New contacts get the row's consents;
    sms_consent=unsubscribed is left out of a create, which the API refuses;
  - contacts missing from the file are left alone; --prune deletes them, after --yes or,
    on a terminal, after you type their count.

--plan-out FILE saves the plan (mode 0600) and "sync --apply --plan FILE" applies it later:
the account is read again first, and the plan is refused if a contact it touches changed in
the meantime. "sync --plan FILE" without --apply prints a saved plan.

--apply sends only the changes, paced within the rate budget. It can be stopped at any time:
rerun the same command and it resumes where it stopped, every change applied once. Its
journal is FILE.sync-state (with the plan in FILE.sync-plan, both removed when the sync
completes), or PLAN.state for a saved plan (kept, so a finished plan is never applied
twice), or --state PATH. The exit status is 1 if any row is invalid or any change failed.`

type syncOptions struct {
	apply, yes                bool
	consent, prune            bool
	empty                     string
	planIn, planOut, stateArg string
}

// Values of --empty.
const (
	emptyKeep   = "keep"
	emptyClears = "clears"
)

func (a *app) syncCommand() *cobra.Command {
	var o syncOptions
	cmd := &cobra.Command{
		Use:   "sync [FILE.csv]",
		Short: "Make the account match a CSV file: plan, then --apply only the changes",
		Long:  syncLong,
		Example: `  privy contacts sync contacts.csv
  privy contacts sync contacts.csv --plan-out plan.json
  privy contacts sync --apply --plan plan.json
  privy contacts sync contacts.csv --apply --prune --yes`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case o.empty != emptyKeep && o.empty != emptyClears:
				return usageErrorf("--empty %q: want keep or clears", o.empty)
			case o.planIn == "" && len(args) != 1:
				return usageErrorf("sync: name the CSV file (or apply a saved plan with --plan FILE)")
			case o.planIn != "" && len(args) > 0:
				return usageErrorf("--plan applies a saved plan: give no CSV file")
			case o.planIn != "" && (changed(cmd.Flags(), "empty") || o.consent || o.prune):
				return usageErrorf("--plan: --empty, --consent and --prune were fixed when the plan was made")
			case o.planIn != "" && o.planOut != "":
				return usageErrorf("--plan and --plan-out cannot be combined")
			case o.stateArg != "" && !o.apply:
				return usageErrorf("--state is for --apply")
			}
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			return a.sync(path, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.apply, "apply", false, "send the changes (without it, only the plan is shown)")
	f.StringVar(&o.empty, "empty", emptyKeep, "what an empty cell means: keep (no change) or clears")
	f.BoolVar(&o.consent, "consent", false, "unsubscribe contacts whose row says email_consent=unsubscribed")
	f.BoolVar(&o.prune, "prune", false, "delete the contacts of the account that are not in the file")
	f.BoolVar(&o.yes, "yes", false, "confirm the deletes of --prune without asking")
	f.StringVar(&o.planOut, "plan-out", "", "save the plan to this file (mode 0600)")
	f.StringVar(&o.planIn, "plan", "", "a plan saved with --plan-out: print it, or apply it with --apply")
	f.StringVar(&o.stateArg, "state", "", "the journal that makes --apply resumable")
	return cmd
}

// syncRun is one sync: its client, planner and plan.
type syncRun struct {
	a       *app
	o       syncOptions
	client  *privy.Client
	planner *syncplan.Planner
	plan    *syncplan.Plan
	// saved is true when the plan comes from a file (--plan, or an interrupted run's): the
	// account must be checked again before it is applied.
	saved bool
	// autoPlan is where an --apply of a CSV file keeps its plan while it runs.
	autoPlan string
	state    string
}

func (a *app) sync(path string, o syncOptions) error {
	client, err := a.newClient()
	if err != nil {
		return err
	}
	r := &syncRun{a: a, o: o, client: client}
	if o.planIn != "" {
		if r.plan, err = readPlan(o.planIn); err != nil {
			return err
		}
		o.consent, o.prune, o.empty = r.plan.Options.Consent, r.plan.Options.Prune, map[bool]string{true: emptyClears, false: emptyKeep}[r.plan.Options.Clear]
		r.o, r.saved, r.state = o, true, cmp.Or(o.stateArg, o.planIn+".state")
	}
	opts := syncplan.Options{Clear: o.empty == emptyClears, Consent: o.consent, Prune: o.prune}
	v, err := syncplan.NewSpecValidator()
	if err != nil {
		return err
	}
	m, err := specmodel.Load()
	if err != nil {
		return err
	}
	if r.planner, err = syncplan.New(m, v, opts); err != nil {
		return err
	}
	var j *journal
	if o.planIn == "" {
		sha, err := fileSHA256(path)
		if err != nil {
			return usageErrorf("%v", err)
		}
		if o.apply {
			r.state, r.autoPlan = cmp.Or(o.stateArg, path+".sync-state"), path+".sync-plan"
			if j, err = r.resume(sha, opts); err != nil {
				return err
			}
		}
		if r.plan == nil {
			if r.plan, err = r.makePlan(path, sha); err != nil {
				return err
			}
		}
	}
	if o.planOut != "" {
		if err := writePlan(o.planOut, r.plan); err != nil {
			return err
		}
	}
	if !o.apply {
		if err := r.printPlan(); err != nil {
			return err
		}
		if n := len(r.plan.Invalid); n > 0 {
			return &failedError{msg: fmt.Sprintf("%d of %d rows are invalid; nothing was sent", n, r.plan.Rows)}
		}
		return nil
	}
	if a.output != outputJSON {
		if err := r.printPlan(); err != nil {
			return err
		}
	}
	if j == nil && r.autoPlan != "" { // a fresh plan of a CSV file: keep it beside the journal for a rerun
		if err := r.confirmDeletes(r.plan.Count()[syncplan.OpDelete]); err != nil {
			return err
		}
		if err := writePlan(r.autoPlan, r.plan); err != nil {
			return err
		}
	}
	if j == nil && (!r.saved || fileExists(r.state)) {
		// A saved plan's journal is created only once the account has been checked, so
		// that a refused plan leaves none behind.
		if j, err = r.openJournal(); err != nil {
			return err
		}
	}
	defer func() {
		if j != nil {
			j.Close()
		}
	}()
	return r.apply(&j)
}

// openJournal opens the journal of r.plan at r.state, explaining a journal of another plan.
func (r *syncRun) openJournal() (*journal, error) {
	if f, err := os.Open(r.state); err == nil {
		first, _ := bufio.NewReader(f).ReadString('\n')
		f.Close()
		if first != "" && strings.TrimSpace(first) != journalMagic+" "+r.plan.Hash {
			return nil, usageErrorf("the journal %s belongs to another plan (was the plan replaced after an apply began?); "+
				"delete it to apply this plan, or pass --state with another path", r.state)
		}
	}
	return openJournal(r.state, r.plan.Hash)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// resume looks for an interrupted --apply of the same CSV file. It returns its journal (and
// sets r.plan) when there is one to finish; it clears what a finished or abandoned run left.
func (r *syncRun) resume(sha string, opts syncplan.Options) (*journal, error) {
	data, err := os.ReadFile(r.autoPlan)
	if errors.Is(err, fs.ErrNotExist) {
		// A journal without its plan cannot be resumed (a run ended between removing the
		// two): it is stale.
		if err := os.Remove(r.state); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	plan, err := syncplan.Decode(data)
	if err != nil {
		return nil, usageErrorf("%s: %v; delete it to plan again", r.autoPlan, err)
	}
	r.plan = plan
	j, err := r.openJournal()
	r.plan = nil
	if err != nil {
		return nil, err
	}
	if done := finishedSteps(j, plan); done == len(plan.Steps) {
		j.Close()
		return nil, r.removeAuto()
	} else if plan.SourceSHA256 != sha || plan.Options != opts {
		j.Close()
		return nil, usageErrorf("an interrupted sync (planned %s, %d of %d changes applied) used a different file or options; "+
			"rerun it with the same file and options to finish it, or delete %s and %s to plan again",
			plan.PlannedAt.Format(time.RFC3339), done, len(plan.Steps), r.autoPlan, r.state)
	}
	fmt.Fprintf(r.a.stderr, "resuming the interrupted sync planned at %s\n", plan.PlannedAt.Format(time.RFC3339))
	r.plan, r.saved = plan, true
	return j, nil
}

// removeAuto removes the plan, then the journal, of an --apply of a CSV file: in that order,
// so that a plan is never left with an empty journal.
func (r *syncRun) removeAuto() error {
	for _, p := range []string{r.autoPlan, r.state} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func finishedSteps(j *journal, plan *syncplan.Plan) int {
	n := 0
	for _, s := range plan.Steps {
		if j.Finished(s.N) {
			n++
		}
	}
	return n
}

// makePlan reads the account, then streams the file through the planner.
func (r *syncRun) makePlan(path, sha string) (*syncplan.Plan, error) {
	in, err := openCSV(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	n := 0
	for c, err := range r.client.Contacts(r.a.ctx, &gen.ListContactsParams{PerPage: privy.Ptr(pageSize)}) {
		if err != nil {
			return nil, err
		}
		if err := r.planner.AddContact(c); err != nil {
			return nil, err
		}
		n++
	}
	r.planner.SetPages(max(1, (n+pageSize-1)/pageSize))
	hdr := newSyncHeader(in.cols)
	for {
		rec, line, problem, err := in.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		row, err := hdr.row(in.cols, line, rec)
		if err != nil {
			return nil, err
		}
		if problem != nil {
			row.Problems = append([]gen.ErrorDetail{*problem}, row.Problems...)
		}
		r.planner.AddRow(row)
	}
	plan, err := r.planner.Finish(path, sha, time.Now())
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return plan, nil
}

// pageSize is the largest page the API serves.
const pageSize = 100

// syncHeader maps the columns of an import file onto the create fields they set (as import
// reads them: see csv.go), to tell which fields a row leaves empty.
type syncHeader struct {
	field  []string // per column: the create field, "" for none
	key    []string // per column: the custom field key of a custom.<key> column
	object string   // the create field of custom.<key> and custom_fields columns
}

// newSyncHeader reads the column mapping import's header check already made (mapHeader).
func newSyncHeader(cols *csvColumns) *syncHeader {
	n := len(cols.names)
	h := &syncHeader{field: make([]string, n), key: make([]string, n), object: customField()}
	for name, i := range cols.index {
		h.field[i] = name // a create field, custom_fields included
	}
	for _, c := range cols.custom {
		h.field[c.idx], h.key[c.idx] = h.object, c.key
	}
	return h
}

// row parses a record into a syncplan.Row, reusing import's row parser for the values.
func (h *syncHeader) row(cols *csvColumns, line int, rec []string) (syncplan.Row, error) {
	parsed := cols.parseRow(line, rec)
	values, err := syncplan.ToValues(parsed.Create)
	if err != nil {
		return syncplan.Row{}, err
	}
	r := syncplan.Row{Line: line, Values: values, Present: map[string]bool{}, Empty: map[string]bool{},
		Keys: map[string][]string{}, EmptyKeys: map[string][]string{}, Whole: map[string]bool{}, Problems: parsed.Problems}
	for i, f := range h.field {
		if f == "" {
			continue
		}
		r.Present[f] = true
		empty := i >= len(rec) || strings.TrimSpace(rec[i]) == ""
		switch {
		case h.key[i] != "":
			r.Keys[f] = append(r.Keys[f], h.key[i])
			if empty {
				r.EmptyKeys[f] = append(r.EmptyKeys[f], h.key[i])
			}
		case f == h.object:
			r.Whole[f] = !empty
			r.Empty[f] = empty
		default:
			r.Empty[f] = empty
		}
	}
	return r, nil
}

// fileSHA256 hashes a file's content, streaming it.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, bufio.NewReader(f)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readPlan reads a saved plan.
func readPlan(path string) (*syncplan.Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	p, err := syncplan.Decode(data)
	if err != nil {
		return nil, usageErrorf("%s: %v", path, err)
	}
	return p, nil
}

// writePlan saves a plan with mode 0600: written beside path, then renamed over it, so that
// a symlink at path is replaced rather than followed and no partial plan is ever read.
func writePlan(path string, p *syncplan.Plan) error {
	var buf bytes.Buffer
	if err := writeJSON(&buf, p); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// confirmDeletes asks for --yes, or for the count typed on a terminal, before deletes.
func (r *syncRun) confirmDeletes(n int) error {
	if n == 0 || r.o.yes {
		return nil
	}
	in, isFile := r.a.stdin.(*os.File)
	if !isFile || !term.IsTerminal(int(in.Fd())) || !isTerminal(r.a.stdout) {
		return usageErrorf("the plan deletes %d contacts (--prune): pass --yes to confirm", n)
	}
	fmt.Fprintf(r.a.stderr, "This deletes %d contacts of the account. Type %d to go on: ", n, n)
	line, _ := bufio.NewReader(in).ReadString('\n')
	if strings.TrimSpace(line) != strconv.Itoa(n) {
		return usageErrorf("not confirmed: nothing was sent")
	}
	return nil
}
