package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/syncplan"
	"github.com/privy-go/privy-go/privy"
)

// syncSummary is what an --apply did.
type syncSummary struct {
	Created      int `json:"created"`
	Updated      int `json:"updated"`
	Unsubscribed int `json:"unsubscribed"`
	Deleted      int `json:"deleted"`
	Failed       int `json:"failed"`
	// Skipped counts the steps an earlier run of the same plan finished; EarlierFailed those
	// of them that failed.
	Skipped       int           `json:"skipped"`
	EarlierFailed int           `json:"earlier_failed"`
	Invalid       int           `json:"invalid_rows"`
	Failures      []syncFailure `json:"failures"`
	Elapsed       float64       `json:"elapsed_seconds"`
	Complete      bool          `json:"complete"`
	Plan          string        `json:"plan_hash"`
}

type syncFailure struct {
	Step   int    `json:"step"`
	Line   int    `json:"line,omitempty"`
	Key    string `json:"key"`
	Op     string `json:"op"`
	Reason string `json:"reason"`
}

func (s syncSummary) String() string {
	out := fmt.Sprintf("created %d, updated %d, unsubscribed %d, deleted %d, failed %d, skipped %d",
		s.Created, s.Updated, s.Unsubscribed, s.Deleted, s.Failed, s.Skipped)
	if s.EarlierFailed > 0 {
		out += fmt.Sprintf(" (%d of them failed in an earlier run)", s.EarlierFailed)
	}
	if s.Invalid > 0 {
		out += fmt.Sprintf(", invalid rows %d", s.Invalid)
	}
	return out + fmt.Sprintf(" in %s", time.Duration(s.Elapsed*float64(time.Second)).Round(time.Millisecond))
}

// apply sends the plan's steps not yet finished, journalling each.
// *jp may be nil: a saved plan never applied before, whose journal is created once the
// account has been checked.
func (r *syncRun) apply(jp **journal) error {
	a := r.a
	j := *jp
	if j == nil {
		j = &journal{finished: map[int]string{}, inFlight: map[int]bool{}} // nothing done yet
	}
	start := time.Now()
	sum := syncSummary{Invalid: len(r.plan.Invalid), Failures: []syncFailure{}, Plan: r.plan.Hash}
	if r.saved { // a fresh plan's deletes were confirmed before it was saved
		deletes := 0
		for _, s := range r.plan.Steps {
			if s.Op == syncplan.OpDelete && !j.Finished(s.N) {
				deletes++
			}
		}
		if err := r.confirmDeletes(deletes); err != nil {
			return err
		}
	}
	pending := len(r.plan.Steps) - finishedSteps(j, r.plan)
	if r.saved && pending > 0 {
		if err := r.recheck(j); err != nil {
			return err
		}
	}
	if *jp == nil {
		var err error
		if *jp, err = r.openJournal(); err != nil {
			return err
		}
		j = *jp
	}
	bar := newProgress(a.stderr, len(r.plan.Steps), "changes")
	defer bar.Finish()
	finish := func(err error) error {
		sum.Elapsed = time.Since(start).Seconds()
		sum.Complete = err == nil
		bar.Finish()
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
		if r.autoPlan != "" {
			if err := r.removeAuto(); err != nil {
				return err
			}
		}
		if n := sum.Failed + sum.EarlierFailed; n > 0 {
			return &failedError{msg: fmt.Sprintf("%d changes failed", n)}
		}
		if sum.Invalid > 0 {
			return &failedError{msg: fmt.Sprintf("%d rows are invalid and were not applied", sum.Invalid)}
		}
		return nil
	}
	left := pending
	for _, s := range r.plan.Steps {
		if j.Finished(s.N) {
			sum.Skipped++
			if j.finished[s.N] == "reject" {
				sum.EarlierFailed++
			}
			bar.Step(1, left, r.client.RateLimit(), time.Now())
			continue
		}
		if err := j.Begin(s.N); err != nil {
			return finish(err)
		}
		err := r.send(s, j.WasInFlight(s.N))
		left--
		bar.Step(1, left, r.client.RateLimit(), time.Now())
		switch {
		case err == nil:
			switch s.Op {
			case syncplan.OpCreate:
				sum.Created++
			case syncplan.OpUpdate:
				sum.Updated++
			case syncplan.OpUnsubscribe:
				sum.Unsubscribed++
			case syncplan.OpDelete:
				sum.Deleted++
			}
			if err := j.Done(s.N); err != nil {
				return finish(err)
			}
		case rowError(err):
			sum.Failed++
			f := syncFailure{Step: s.N, Line: s.Line, Key: s.Keys[0], Op: s.Op, Reason: errorReason(err)}
			sum.Failures = append(sum.Failures, f)
			bar.Clear()
			fmt.Fprintf(a.stderr, "%s\n", escapeControl(failureLine(f)))
			if err := j.Reject(s.N); err != nil {
				return finish(err)
			}
		default:
			return finish(err)
		}
	}
	return finish(nil)
}

func failureLine(f syncFailure) string {
	where := f.Key
	if f.Line > 0 {
		where = fmt.Sprintf("line %d (%s)", f.Line, f.Key)
	}
	return fmt.Sprintf("failed: %s %s: %s", f.Op, where, f.Reason)
}

// recheck reads the account again and refuses the plan when a contact it has still to
// touch changed since it was planned.
func (r *syncRun) recheck(j *journal) error {
	c := r.planner.NewChecker(r.plan, func(s syncplan.Step) bool { return j.Finished(s.N) || j.WasInFlight(s.N) })
	for ct, err := range r.client.Contacts(r.a.ctx, &gen.ListContactsParams{PerPage: privy.Ptr(pageSize)}) {
		if err != nil {
			return err
		}
		if err := c.Add(ct); err != nil {
			return err
		}
	}
	conflicts := c.Conflicts()
	if len(conflicts) == 0 {
		return nil
	}
	for i, cf := range conflicts {
		if i == 20 {
			fmt.Fprintf(r.a.stderr, "  ... and %d more\n", len(conflicts)-i)
			break
		}
		fmt.Fprintf(r.a.stderr, "  step %d: %s %s\n", cf.Step, escapeControl(cf.Key), cf.Reason)
	}
	again := "plan again"
	if r.autoPlan != "" {
		again = fmt.Sprintf("delete %s and %s to plan again", r.autoPlan, r.state)
	}
	return &failedError{msg: fmt.Sprintf("the account changed since the plan was made, for %d contacts the plan touches; "+
		"nothing more was sent: %s", len(conflicts), again)}
}

// send makes the request of one step. A step an earlier run sent without learning the
// outcome may meet the result of its first sending: a create's conflict counts as applied
// when the stored contact holds what the create asked, a delete's not_found as applied.
func (r *syncRun) send(s syncplan.Step, inFlight bool) error {
	ctx := r.a.ctx
	var err error
	switch s.Op {
	case syncplan.OpCreate:
		var req gen.CreateContactRequest
		if err = bodyAs(s.Body, &req); err != nil {
			return err
		}
		_, _, err = r.client.CreateContact(ctx, req)
		if inFlight && errors.Is(err, privy.ErrConflict) {
			if ok, lerr := r.createdBefore(s, req); lerr != nil {
				return lerr
			} else if ok {
				return nil
			}
		}
	case syncplan.OpUpdate:
		var req gen.UpdateContactRequest
		if err = bodyAs(s.Body, &req); err != nil {
			return err
		}
		_, _, err = r.client.UpdateContact(ctx, req)
	case syncplan.OpUnsubscribe:
		var req gen.UnsubscribeContactRequest
		if err = bodyAs(s.Body, &req); err != nil {
			return err
		}
		_, _, err = r.client.UnsubscribeContact(ctx, req)
	case syncplan.OpDelete:
		var req gen.DeleteContactRequest
		if err = bodyAs(s.Body, &req); err != nil {
			return err
		}
		_, _, err = r.client.DeleteContact(ctx, req)
		if inFlight && errors.Is(err, privy.ErrNotFound) {
			return nil
		}
	default:
		return fmt.Errorf("sync plan step %d: unknown operation %q", s.N, s.Op)
	}
	return err
}

// createdBefore reads the contact a create conflicted with and reports whether it holds
// what the create asked for.
func (r *syncRun) createdBefore(s syncplan.Step, req gen.CreateContactRequest) (bool, error) {
	p := &gen.ListContactsParams{Email: req.Email}
	if req.Email == nil {
		p.PhoneNumber = req.PhoneNumber
	}
	list, _, err := r.client.ListContacts(r.a.ctx, p)
	if err != nil {
		return false, err
	}
	for _, c := range list.Data {
		if r.planner.Applied(c, s) {
			return true, nil
		}
	}
	return false, nil
}

// bodyAs turns a step's body into a request type, refusing a field the type does not have
// (a plan made by a privy that knows a newer spec) rather than dropping it.
func bodyAs(body map[string]any, v any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("sync plan: a request this privy cannot send: %w", err)
	}
	return nil
}

// printPlan writes the plan: JSON with -o json, else a summary and the changes.
func (r *syncRun) printPlan() error {
	p := r.plan
	w := r.a.stdout
	if r.a.output == outputJSON {
		return writeJSON(w, p)
	}
	n := p.Count()
	fields := 0
	for _, s := range p.Steps {
		if s.Op == syncplan.OpUpdate {
			fields += len(s.Changes)
		}
	}
	var b strings.Builder
	if p.Source != "" {
		fmt.Fprintf(&b, "sync plan for %s: %d rows against %d contacts (read with %d requests)\n", escapeControl(p.Source), p.Rows, p.Account, p.Pages)
	} else {
		fmt.Fprintf(&b, "sync plan: %d rows against %d contacts\n", p.Rows, p.Account)
	}
	missing := "left alone; --prune deletes them"
	if p.Options.Prune {
		missing = "deleted (--prune)"
	}
	rows := [][3]string{
		{"create", fmt.Sprint(n[syncplan.OpCreate]), ""},
		{"update", fmt.Sprint(n[syncplan.OpUpdate]), fmt.Sprintf("%d field changes", fields)},
		{"unsubscribe", fmt.Sprint(n[syncplan.OpUnsubscribe]), ""},
		{"delete", fmt.Sprint(n[syncplan.OpDelete]), ""},
		{"unchanged", fmt.Sprint(p.Unchanged), ""},
		{"not in file", fmt.Sprint(len(p.Missing)), missing},
		{"invalid", fmt.Sprint(len(p.Invalid)), "rows not used"},
		{"kept", fmt.Sprint(len(p.Notes)), "differences left as they are (see below)"},
	}
	for _, row := range rows {
		fmt.Fprintf(&b, "  %-12s %7s  %s\n", row[0], row[1], row[2])
	}
	b.WriteString(r.estimate())
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s:\n", title)
		for i, l := range lines {
			if i == maxPlanLines {
				fmt.Fprintf(&b, "  ... and %d more (-o json or --plan-out lists them all)\n", len(lines)-i)
				break
			}
			fmt.Fprintf(&b, "  %s\n", escapeControl(l))
		}
	}
	var creates, updates, deletes, invalid, notes, missingLines []string
	for _, s := range p.Steps {
		switch s.Op {
		case syncplan.OpCreate:
			creates = append(creates, fmt.Sprintf("line %d: %s %s", s.Line, s.Keys[0], compactJSON(s.Body)))
		case syncplan.OpUpdate, syncplan.OpUnsubscribe:
			parts := make([]string, len(s.Changes))
			for i, c := range s.Changes {
				parts[i] = fmt.Sprintf("%s %s -> %s", c.Field, compactJSON(c.From), compactJSON(c.To))
			}
			updates = append(updates, fmt.Sprintf("line %d: %s %s: %s", s.Line, s.Op, s.Keys[0], strings.Join(parts, "; ")))
		case syncplan.OpDelete:
			deletes = append(deletes, s.Keys[0])
		}
	}
	for _, inv := range p.Invalid {
		parts := make([]string, len(inv.Details))
		for i, d := range inv.Details {
			parts[i] = detailLine(d.Field, d.Message)
		}
		invalid = append(invalid, fmt.Sprintf("line %d: %s", inv.Line, strings.Join(parts, "; ")))
	}
	for _, nt := range p.Notes {
		notes = append(notes, fmt.Sprintf("line %d: %s %s: account %s, file %s: %s", nt.Line, nt.Key, nt.Field,
			compactJSON(nt.Account), compactJSON(nt.File), nt.Reason))
	}
	if !p.Options.Prune {
		for _, m := range p.Missing {
			missingLines = append(missingLines, m.Key)
		}
	}
	section("create", creates)
	section("update", updates)
	section("delete", deletes)
	section("not in file (left alone)", missingLines)
	section("invalid", invalid)
	section("kept", notes)
	if !r.o.apply {
		b.WriteString("nothing was sent; add --apply to apply this plan\n")
	}
	_, err := w.Write([]byte(b.String()))
	return err
}

// maxPlanLines caps each section of the printed plan.
const maxPlanLines = 100

// estimate says how many requests the plan needs and how long they take at the account's
// budget as last seen.
func (r *syncRun) estimate() string {
	n := len(r.plan.Steps)
	if r.saved {
		n += r.plan.Pages // the account is read again before a saved plan is applied
	}
	rl := r.client.RateLimit()
	out := fmt.Sprintf("requests: %d", n)
	if r.saved {
		out += fmt.Sprintf(" (%d to read the account again, %d changes)", r.plan.Pages, len(r.plan.Steps))
	}
	if rl.LimitMinute <= 0 {
		return out + "; time unknown until the budget is seen (60 a minute, 10,000 a day documented)\n"
	}
	now := time.Now()
	out += fmt.Sprintf("; at %d a minute with %d left today: about %s", rl.LimitMinute, rl.RemainingDay,
		formatETA(etaFor(n, rl, now)))
	if rl.LimitDay > 0 && n > rl.RemainingDay {
		out += fmt.Sprintf(" (more than today's budget: an --apply stops when it is spent, at most %d a day; rerun it after %s to resume)",
			rl.LimitDay, rl.ResetDay.UTC().Format(time.RFC3339))
	}
	return out + "\n"
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
