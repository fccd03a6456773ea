package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
)

// isTerminal reports whether w is a terminal: an *os.File on a terminal, or a writer that says
// it is one (tests draw progress bars into a buffer this way).
func isTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Output formats of --output.
const (
	outputAuto  = ""
	outputTable = "table"
	outputJSON  = "json"
)

// useTable decides between a table and JSON: a table when asked for, or by default when
// stdout is a terminal.
func useTable(output string, stdout io.Writer) bool {
	switch output {
	case outputTable:
		return true
	case outputJSON:
		return false
	default:
		return isTerminal(stdout)
	}
}

// checkOutput refuses an --output value other than table or json, and any --output given to
// a command that prints no records (annotated with noOutput).
func checkOutput(cmd *cobra.Command, output string) error {
	switch output {
	case outputAuto:
		return nil
	case outputTable, outputJSON:
		if what, ok := cmd.Annotations[noOutput]; ok {
			return usageErrorf("%s %s, not --output %q", cmd.Name(), what, output)
		}
		return nil
	}
	return usageErrorf("--output %q: want table or json", output)
}

// noOutput is the annotation of a command that --output does not apply to; its value says
// what the command writes instead.
const noOutput = "privy.no-output"

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// contactTable writes contacts as an aligned table.
type contactTable struct {
	tw *tabwriter.Writer
}

// contactColumns are the columns of the contact table and detail view: the contact's
// properties, in the spec's order.
func contactColumns() []string { return specmodel.Names(specmodel.MustLoad().Contact) }

// columnLabel is a property's table heading: first_name -> FIRST NAME.
func columnLabel(name string) string { return strings.ToUpper(strings.ReplaceAll(name, "_", " ")) }

// contactCells renders each of a contact's columns, "-" for an empty value.
func contactCells(c *gen.Contact) []string {
	cols := contactColumns()
	out := make([]string, len(cols))
	for i, name := range cols {
		// Escaped: a tab or newline in a name would forge a column or a row.
		out[i] = escapeControl(dashIfEmpty(contactText(c, name)))
	}
	return out
}

func newContactTable(w io.Writer) *contactTable {
	t := &contactTable{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	cols := contactColumns()
	labels := make([]string, len(cols))
	for i, name := range cols {
		labels[i] = columnLabel(name)
	}
	fmt.Fprintln(t.tw, strings.Join(labels, "\t"))
	return t
}

func (t *contactTable) Write(c gen.Contact) error {
	_, err := fmt.Fprintln(t.tw, strings.Join(contactCells(&c), "\t"))
	return err
}

func (t *contactTable) Close() error { return t.tw.Flush() }

// writeContactDetail writes one contact as "field  value" lines, a line per contact property.
func writeContactDetail(w io.Writer, c gen.Contact) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, v := range contactCells(&c) {
		fmt.Fprintf(tw, "%s\t%s\n", contactColumns()[i], v)
	}
	return tw.Flush()
}

// customSummary renders custom fields as sorted key=value pairs.
func customSummary(cf gen.CustomFields) string {
	keys := make([]string, 0, len(cf))
	for k := range cf {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + scalarCell(cf[k])
	}
	return strings.Join(parts, " ")
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
