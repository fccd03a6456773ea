package privy

import (
	"context"
	"iter"

	"github.com/privy-go/privy-go/gen"
)

// Contacts iterates over every contact matching params, fetching one page at a time (100
// contacts unless params sets PerPage). It copies params, stops at the first error (yielded
// once), and stops on an empty or short page as well as on the last page.
func (c *Client) Contacts(ctx context.Context, params *gen.ListContactsParams) iter.Seq2[gen.Contact, error] {
	var p gen.ListContactsParams
	if params != nil {
		p = gen.ListContactsParams{Page: clone(params.Page), PerPage: clone(params.PerPage), Email: clone(params.Email),
			PhoneNumber: clone(params.PhoneNumber), EmailPermission: clone(params.EmailPermission),
			ContactPhonePermission: clone(params.ContactPhonePermission)}
	}
	perPage, first := 100, 1
	if p.PerPage != nil {
		perPage = *p.PerPage
	}
	if p.Page != nil {
		first = *p.Page
	}
	return func(yield func(gen.Contact, error) bool) {
		q := p
		q.PerPage = &perPage
		for page := first; ; page++ {
			q.Page = &page
			list, _, err := c.ListContacts(ctx, &q)
			if err != nil {
				yield(gen.Contact{}, err)
				return
			}
			for _, ct := range list.Data {
				if !yield(ct, nil) {
					return
				}
			}
			size := perPage
			if n := list.Pagination.PerPage; n > 0 && n < size {
				size = n // the server may cap the page size
			}
			if len(list.Data) == 0 || len(list.Data) < size || page >= list.Pagination.TotalPages {
				return
			}
		}
	}
}

func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
