package privy

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"iter"
)

// Contacts iterates over every contact matching params, fetching one page at a time (100
// contacts unless params sets PerPage; fewer when the server reports that it serves fewer). It
// copies params whole, so every filter is kept, and stops at the first error (yielded once), on
// an empty or short page and on the last page the server reports.
//
// A server that makes no progress ends the iteration with an ErrMalformedResponse error: a page
// other than the one asked for, a page repeating the one before, more contacts than its
// total_count, or more than twice the pages it first announced (plus ten).
func (c *Client) Contacts(ctx context.Context, params *ListContactsParams) iter.Seq2[Contact, error] {
	var p ListContactsParams
	if params != nil {
		p = *params // whole: a filter added to the spec is never dropped
	}
	perPage, first := 100, 1
	if p.PerPage != nil {
		perPage = *p.PerPage
	}
	if p.Page != nil {
		first = *p.Page
	}
	return func(yield func(Contact, error) bool) {
		q := p
		w := pageWalk{first: first, size: perPage}
		for page := first; ; page++ {
			size := w.size
			q.Page, q.PerPage = &page, &size
			list, _, err := c.ListContacts(ctx, &q)
			if err == nil {
				err = w.check(page, list)
			}
			if err != nil {
				yield(Contact{}, err)
				return
			}
			for _, ct := range list.Data {
				if !yield(ct, nil) {
					return
				}
			}
			if len(list.Data) < w.size || page >= list.Pagination.TotalPages {
				return
			}
		}
	}
}

// pageWalk follows the pages of one iteration and tells when the server makes no progress.
type pageWalk struct {
	first, size int
	before      int    // contacts on the pages before first, by the server's page size
	seen        int    // contacts on the pages fetched so far
	maxPages    int    // from the first page's total_pages
	last        uint64 // hash of the previous page's contacts
}

// check accepts list as page number page, or says why the iteration cannot go on. It adopts
// a smaller page size the server reports for the pages that follow.
func (w *pageWalk) check(page int, list *ContactList) error {
	pg := list.Pagination
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: listing contacts: %s", ErrMalformedResponse, fmt.Sprintf(format, args...))
	}
	if pg.Page != 0 && pg.Page != page {
		return fail("asked for page %d, the server answered page %d", page, pg.Page)
	}
	if page == w.first {
		if pg.PerPage > 0 && pg.PerPage < w.size {
			w.size = pg.PerPage // the server caps the page size
		}
		w.before = (w.first - 1) * w.size
		w.maxPages = 2*pg.TotalPages + 10
	}
	if page-w.first >= w.maxPages {
		return fail("the server keeps announcing more pages (page %d, after %d first announced)", page, (w.maxPages-10)/2)
	}
	if len(list.Data) > 0 {
		h := fnv.New64a()
		json.NewEncoder(h).Encode(list.Data)
		sum := h.Sum64()
		if page > w.first && sum == w.last {
			return fail("page %d repeats page %d", page, page-1)
		}
		w.last = sum
	}
	w.seen += len(list.Data)
	if w.before+w.seen > pg.TotalCount {
		return fail("page %d brings the contacts listed to %d, more than the %d the server counts", page, w.before+w.seen, pg.TotalCount)
	}
	return nil
}
