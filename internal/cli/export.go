package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/spf13/cobra"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy"
)

// exportPageSize is the page size of an export: the API's maximum, so an export costs
// ceil(total / 100) requests.
const exportPageSize = 100

func (a *app) exportCommand() *cobra.Command {
	var (
		filters listFilters
		format  string
		out     string
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Stream every matching contact as ndjson, csv or json, in constant memory",
		Long: `Export every contact matching the filters, 100 per request, in constant memory.

Formats:
  ndjson  one contact per line, as the API returns it (the default)
  json    one JSON array, streamed
  csv     the columns "privy contacts import" reads, so an export re-imports:
` + columnsHelp(true, 10, 90) + `
          ` + uncreatableHelp() + ` cannot be given to a new contact: import leaves it
          out (the contact gets no SMS consent) and counts it.

A progress bar (pages done of total, ETA from the rate-limit headers) is drawn on stderr
when it is a terminal. With --out, the file appears only when the export completes.
The API pages by number, with no cursor: contacts created or deleted while an export runs
can shift the pages, so one may be missed or appear twice.`,
		Example: `  privy --fake contacts export --format csv > contacts.csv
  privy contacts export --email-permission subscribed --format ndjson --out subscribed.ndjson`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{noOutput: "writes --format (ndjson, csv or json)"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := newSink(format, io.Discard); err != nil {
				return err
			}
			// A Retry-After of a minute window plus clock skew is waited out.
			a.clientOpts = append([]privy.Option{privy.WithMaxWait(bulkMaxWait)}, a.clientOpts...)
			c, err := a.newClient()
			if err != nil {
				return err
			}
			w := a.stdout
			var tmp *os.File
			if out != "" {
				tmp, err = os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-*")
				if err != nil {
					return err
				}
				defer func() {
					tmp.Close()
					os.Remove(tmp.Name()) // a no-op after the rename
				}()
				w = tmp
			}
			params, err := filters.params()
			if err != nil {
				return err
			}
			n, err := a.export(c, params, format, w)
			if err != nil {
				return err
			}
			if tmp != nil {
				if err := tmp.Sync(); err != nil {
					return err
				}
				if err := tmp.Close(); err != nil {
					return err
				}
				if err := os.Rename(tmp.Name(), out); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "exported %d contacts to %s\n", n, out)
			}
			return nil
		},
	}
	filters.register(cmd.Flags(), false)
	cmd.Flags().StringVar(&format, "format", formatNDJSON, "ndjson, csv or json")
	cmd.Flags().StringVar(&out, "out", "", "write to this file (default: stdout)")
	return cmd
}

// export writes every contact matching params to w. The first page is fetched directly to
// learn the total for the progress bar; client.Contacts streams the rest.
func (a *app) export(c *privy.Client, params *gen.ListContactsParams, format string, w io.Writer) (int, error) {
	sink, err := newSink(format, w)
	if err != nil {
		return 0, err
	}
	size, page := exportPageSize, 1
	params.PerPage, params.Page = &size, &page
	first, _, err := c.ListContacts(a.ctx, params)
	if err != nil {
		return 0, err
	}
	if n := first.Pagination.PerPage; n > 0 && n < size {
		size = n // the server caps the page size: follow it (Contacts reads params.PerPage)
	}
	totalPages := max(first.Pagination.TotalPages, 1)
	bar := newProgress(a.stderr, totalPages, "pages")
	defer bar.Finish()
	n := 0
	for _, contact := range first.Data {
		if err := sink.Write(contact); err != nil {
			return n, err
		}
		n++
	}
	bar.Step(1, totalPages-1, c.RateLimit(), time.Now())
	if len(first.Data) == size && first.Pagination.TotalPages > 1 {
		page = 2 // Contacts copies params: it starts at page 2
		pagesDone, inPage := 1, 0
		repeats := true // page 2 repeats page 1 so far: Contacts, starting at page 2, cannot tell
		for contact, err := range c.Contacts(a.ctx, params) {
			if err != nil {
				return n, err
			}
			if pagesDone == 1 {
				if repeats = repeats && reflect.DeepEqual(contact, first.Data[inPage]); repeats && inPage == size-1 {
					return n, fmt.Errorf("%w: listing contacts: page 2 repeats page 1", privy.ErrMalformedResponse)
				}
			}
			if err := sink.Write(contact); err != nil {
				return n, err
			}
			n++
			if inPage++; inPage == size {
				inPage = 0
				pagesDone++
				if pagesDone > totalPages { // the result grew while we read it
					totalPages = pagesDone
					bar.SetTotal(totalPages)
				}
				bar.Step(1, totalPages-pagesDone, c.RateLimit(), time.Now())
			}
		}
		if inPage > 0 { // the last, short page
			bar.Step(1, 0, c.RateLimit(), time.Now())
		}
	}
	return n, sink.Close()
}
