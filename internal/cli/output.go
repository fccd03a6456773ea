package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/privy-go/privy-go/gen"
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

func checkOutput(output string) error {
	switch output {
	case outputAuto, outputTable, outputJSON:
		return nil
	}
	return usageErrorf("--output %q: want table or json", output)
}

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

func newContactTable(w io.Writer) *contactTable {
	t := &contactTable{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	fmt.Fprintln(t.tw, "EMAIL\tPHONE\tFIRST NAME\tLAST NAME\tEMAIL\tSMS\tTAGS\tCUSTOM FIELDS\tUPDATED")
	return t
}

func (t *contactTable) Write(c gen.Contact) error {
	cells := []string{
		orDash(c.Email), orDash(c.PhoneNumber), orDash(c.FirstName), orDash(c.LastName),
		dashIfEmpty(string(c.EmailPermission)), dashIfEmpty(string(c.ContactPhonePermission)),
		dashIfEmpty(strings.Join(c.Tags, ";")), dashIfEmpty(customSummary(c.CustomFields)),
		c.UpdatedAt.UTC().Format(time.RFC3339),
	}
	for i := range cells {
		cells[i] = escapeControl(cells[i]) // a tab or newline in a name would forge a column or a row
	}
	_, err := fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
	return err
}

func (t *contactTable) Close() error { return t.tw.Flush() }

// writeContactDetail writes one contact as "field  value" lines.
func writeContactDetail(w io.Writer, c gen.Contact) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	rows := [][2]string{
		{"email", orDash(c.Email)},
		{"phone_number", orDash(c.PhoneNumber)},
		{"first_name", orDash(c.FirstName)},
		{"last_name", orDash(c.LastName)},
		{"email_permission", dashIfEmpty(string(c.EmailPermission))},
		{"contact_phone_permission", dashIfEmpty(string(c.ContactPhonePermission))},
		{"tags", dashIfEmpty(strings.Join(c.Tags, ";"))},
		{"custom_fields", dashIfEmpty(customSummary(c.CustomFields))},
		{"created_at", c.CreatedAt.UTC().Format(time.RFC3339)},
		{"updated_at", c.UpdatedAt.UTC().Format(time.RFC3339)},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], escapeControl(r[1]))
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

func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return dashIfEmpty(*s)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
