// Package specdiff compares two revisions of an OpenAPI 3 document and reports which changes
// break existing clients. oasdiff does the comparison; specdiff adds what oasdiff cannot see:
// moved operations, likely renames and the enum vocabularies across them.
//
// It is a package of its own so that importing privy or privy/spec does not link oasdiff.
package specdiff

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// Change is one difference between two revisions of the OpenAPI document: a finding of
// oasdiff's checker, or one of specdiff's own (operation-moved, property-renamed,
// parameter-renamed, enum-changed-across-rename).
type Change struct {
	// Breaking is true when existing clients may stop working (levels error and warning).
	Breaking bool `json:"breaking"`
	// Level is oasdiff's severity: "error", "warning" or "info".
	Level string `json:"level"`
	// ID is oasdiff's rule id, e.g. "response-required-property-removed".
	ID string `json:"id"`
	// Operation is the HTTP method of the affected operation ("" for document-wide changes).
	Operation string `json:"operation,omitempty"`
	// OperationID is the affected operation's operationId, when it has one.
	OperationID string `json:"operationId,omitempty"`
	// Path is the affected path template, e.g. "/contacts".
	Path string `json:"path,omitempty"`
	// Text says what changed, in oasdiff's words.
	Text string `json:"text"`
	// Comment is advice on the change, if any.
	Comment string `json:"comment,omitempty"`
	// Replaces lists oasdiff's findings that this one stands for (the removal and the
	// addition a rename is made of).
	Replaces []Change `json:"replaces,omitempty"`
}

// String formats the change as one line: "level METHOD /path (operationId): text [id]".
func (c Change) String() string {
	var b strings.Builder
	b.WriteString(c.Level)
	if c.Operation != "" || c.Path != "" {
		b.WriteByte(' ')
		b.WriteString(strings.TrimSpace(c.Operation + " " + c.Path))
	}
	if c.OperationID != "" {
		fmt.Fprintf(&b, " (%s)", c.OperationID)
	}
	fmt.Fprintf(&b, ": %s [%s]", c.Text, c.ID)
	return b.String()
}

// Report lists every change between two revisions, breaking changes first, with the moved
// operations and the likely renames found.
type Report struct {
	Changes []Change `json:"changes"`
	// Moves lists the operations served under another method or path.
	Moves []Move `json:"moves"`
	// Renames is the rename map: each property or parameter likely renamed, old → new.
	Renames []Rename `json:"renames"`
}

// Breaking reports whether any change may break existing clients.
func (r Report) Breaking() bool {
	return slices.ContainsFunc(r.Changes, func(c Change) bool { return c.Breaking })
}

// WriteText writes a human-readable report: a summary line, the breaking changes, then the
// others; "no changes" when there are none.
func (r Report) WriteText(w io.Writer) error {
	if len(r.Changes) == 0 {
		_, err := io.WriteString(w, "no changes\n")
		return err
	}
	var breaking, other []Change
	for _, c := range r.Changes {
		if c.Breaking {
			breaking = append(breaking, c)
		} else {
			other = append(other, c)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s\n", plural(len(breaking), "breaking change"), plural(len(other), "other change"))
	section := func(title string, cs []Change) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		for _, c := range cs {
			fmt.Fprintf(&b, "  - %s\n", c)
			if c.Comment != "" {
				fmt.Fprintf(&b, "    %s\n", c.Comment)
			}
			if n := len(c.Replaces); n > 0 {
				fmt.Fprintf(&b, "    (stands for %s of oasdiff's)\n", plural(n, "finding"))
			}
		}
	}
	section("Breaking changes", breaking)
	section("Other changes", other)
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// InputError says which side of a diff could not be read as an OpenAPI document.
type InputError struct {
	// Side is "old" or "new".
	Side string
	// Err is what went wrong.
	Err error
}

// Error returns "old spec: ..." or "new spec: ...".
func (e *InputError) Error() string { return e.Side + " spec: " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Diff compares two revisions of an OpenAPI 3 document (YAML or JSON) with oasdiff and all of
// its checks, and returns every breaking and non-breaking change. A side that cannot be read
// yields a *InputError naming it.
func Diff(ctx context.Context, oldSpec, newSpec []byte) (Report, error) {
	base, err := loadForDiff(ctx, "old", oldSpec)
	if err != nil {
		return Report{}, err
	}
	revision, err := loadForDiff(ctx, "new", newSpec)
	if err != nil {
		return Report{}, err
	}
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	moves := findMoves(base.Spec, revision.Spec)
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), base, revision)
	if err != nil {
		return Report{}, fmt.Errorf("spec diff: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	cfg := checker.NewConfig(checker.GetAllChecks())
	found := checker.CheckBackwardCompatibilityUntilLevel(cfg, d, sources, checker.INFO)
	l := checker.NewDefaultLocalizer()
	oasdiffChanges := make([]Change, 0, len(found))
	for _, c := range found {
		oasdiffChanges = append(oasdiffChanges, Change{
			Breaking:    c.IsBreaking(),
			Level:       c.GetLevel().String(),
			ID:          c.GetId(),
			Operation:   c.GetOperation(),
			OperationID: c.GetOperationId(),
			Path:        c.GetPath(),
			Text:        c.GetUncolorizedText(l),
			Comment:     c.GetComment(l),
		})
	}
	report := Report{Moves: moves, Renames: findRenames(base.Spec, revision.Spec)}
	if report.Moves == nil {
		report.Moves = []Move{}
	}
	if report.Renames == nil {
		report.Renames = []Rename{}
	}
	for _, m := range moves {
		report.Changes = append(report.Changes, moveChange(m))
	}
	var own []Change
	for _, r := range report.Renames {
		own = append(own, renameChanges(r)...)
	}
	for _, c := range oasdiffChanges {
		if falseVersionLine(c, versionOf(base.Spec), versionOf(revision.Spec)) {
			continue
		}
		folded := false
		for i, r := range report.Renames {
			if foldedInto(c, r) {
				// own holds each rename's finding before its enum finding: find the rename's.
				own[ownIndex(report.Renames, i)].Replaces = append(own[ownIndex(report.Renames, i)].Replaces, c)
				folded = true
				break
			}
		}
		if !folded {
			report.Changes = append(report.Changes, c)
		}
	}
	report.Changes = append(report.Changes, own...)
	slices.SortStableFunc(report.Changes, compareChanges)
	return report, nil
}

func versionOf(doc *openapi3.T) string {
	if doc.Info == nil {
		return ""
	}
	return doc.Info.Version
}

// ownIndex returns the index, among the findings renameChanges makes for renames, of the
// rename finding of renames[i].
func ownIndex(renames []Rename, i int) int {
	n := 0
	for _, r := range renames[:i] {
		n += len(renameChanges(r))
	}
	return n
}

var levelRank = map[string]int{"error": 0, "warning": 1, "info": 2}

func compareChanges(a, b Change) int {
	if a.Breaking != b.Breaking {
		if a.Breaking {
			return -1
		}
		return 1
	}
	return cmp.Or(
		cmp.Compare(levelRank[a.Level], levelRank[b.Level]),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Operation, b.Operation),
		cmp.Compare(a.ID, b.ID),
		cmp.Compare(a.Text, b.Text),
	)
}

// loadForDiff parses one side with a loader of its own (oasdiff's advice: loaders cache by name),
// refusing external references and anything that is not a valid OpenAPI 3 document.
func loadForDiff(ctx context.Context, side string, data []byte) (*load.SpecInfo, error) {
	fail := func(format string, args ...any) error {
		return &InputError{Side: side, Err: fmt.Errorf(format, args...)}
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, fail("empty document")
	}
	loader := openapi3.NewLoader()
	loader.Context = ctx
	loader.IsExternalRefsAllowed = false
	info, err := load.NewSpecInfoFromData(loader, data, side+".yaml")
	if err != nil {
		return nil, fail("not a readable OpenAPI document (YAML or JSON): %w", err)
	}
	doc := info.Spec
	if doc == nil || doc.OpenAPI == "" {
		return nil, fail("not an OpenAPI document: no top-level \"openapi\" version field")
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, fail("OpenAPI version %q is not supported (want 3.x)", doc.OpenAPI)
	}
	if err := doc.Validate(ctx, openapi3.DisableExamplesValidation()); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, errors.Join(ctxErr, err)
		}
		return nil, fail("invalid OpenAPI document: %w", err)
	}
	return info, nil
}
