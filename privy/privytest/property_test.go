package privytest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest"
)

// modelContact is what the property test expects the fake to hold.
type modelContact struct{ email, phone string }

// FuzzStoreInvariants drives the fake with random sequences of create, update, unsubscribe
// and delete over a small pool of identifiers (so that conflicts, misses and restores are
// frequent) and checks after every step: the status a simple model predicts, no two
// contacts sharing an email or a phone number, and list totals that match the data.
func FuzzStoreInvariants(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{0, 0, 0, 3, 3, 6, 9, 0, 12, 15})
	f.Add([]byte("restore: create delete create, conflict, unsubscribe twice"))
	f.Add([]byte{0x10, 0x23, 0x37, 0x41, 0x10, 0x52, 0x63, 0x10, 0x73, 0x84, 0x95, 0xa6})
	f.Fuzz(func(t *testing.T, program []byte) {
		if len(program) > 64 {
			program = program[:64]
		}
		clock := privytest.NewClock(start)
		fake := privytest.New(privytest.WithT(t), privytest.WithClock(clock), privytest.WithLimits(1000, 1000))
		c, err := gen.NewClientWithResponses("http://fake"+privytest.BasePath, gen.WithHTTPClient(inProcess{fake}),
			gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
				r.Header.Set("Authorization", "Bearer "+privytest.DefaultToken)
				return nil
			}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		const pool = 4
		email := func(i byte) string { return fmt.Sprintf("p%d@example.com", i%pool) }
		phone := func(i byte) string { return fmt.Sprintf("+1555000000%d", i%pool) }
		var model []modelContact
		find := func(byEmail bool, id string) int {
			for i, m := range model {
				if (byEmail && m.email == id) || (!byEmail && m.phone == id) {
					return i
				}
			}
			return -1
		}
		for step, b := range program {
			clock.Advance(time.Second)
			op, a, byEmail := b%4, (b>>2)%8, b&0x20 != 0
			var ident *string
			if byEmail {
				ident = ptr(email(a))
			}
			var status, want int
			switch op {
			case 0: // create with an email, a phone number or both
				req := gen.CreateContactRequest{}
				em, ph := "", ""
				if a%3 != 1 {
					em = email(a)
					req.Email = &em
				}
				if a%3 != 0 {
					ph = phone(a >> 1)
					req.PhoneNumber = &ph
				}
				want = 201
				if (em != "" && find(true, em) >= 0) || (ph != "" && find(false, ph) >= 0) {
					want = 409
				} else {
					model = append(model, modelContact{em, ph})
				}
				resp, err := c.CreateContactWithResponse(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				status = resp.StatusCode()
			case 1, 2, 3:
				id := email(a)
				if !byEmail {
					id = phone(a)
				}
				i := find(byEmail, id)
				want = 200
				if i < 0 {
					want = 404
				}
				var phonePtr *string
				if !byEmail {
					phonePtr = &id
				}
				var resp interface{ StatusCode() int }
				var err error
				switch op {
				case 1:
					resp, err = c.UpdateContactWithResponse(ctx, gen.UpdateContactRequest{Email: ident, PhoneNumber: phonePtr,
						Tags: &gen.Tags{fmt.Sprint("step", step)}, CustomFields: &gen.CustomFields{"step": step}})
				case 2:
					resp, err = c.UnsubscribeContactWithResponse(ctx, gen.UnsubscribeContactRequest{Email: ident, PhoneNumber: phonePtr})
				case 3:
					resp, err = c.DeleteContactWithResponse(ctx, gen.DeleteContactRequest{Email: ident, PhoneNumber: phonePtr})
					if i >= 0 {
						model = append(model[:i], model[i+1:]...)
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				status = resp.StatusCode()
			}
			if status != want {
				t.Fatalf("step %d (op %d, byte %#x): status %d, model says %d; model %v", step, op, b, status, want, model)
			}
			checkInvariants(t, ctx, c, fake, len(model))
		}
	})
}

// checkInvariants checks that identifiers are unique and that listing agrees with the data.
func checkInvariants(t *testing.T, ctx context.Context, c *gen.ClientWithResponses, fake *privytest.Fake, want int) {
	t.Helper()
	all := fake.Contacts()
	if len(all) != want {
		t.Fatalf("%d contacts, model has %d", len(all), want)
	}
	emails, phones := map[string]bool{}, map[string]bool{}
	for _, ct := range all {
		if ct.Email == nil && ct.PhoneNumber == nil {
			t.Fatalf("contact without identifier: %s", mustJSON(ct))
		}
		if ct.Email != nil {
			k := strings.ToLower(*ct.Email)
			if emails[k] {
				t.Fatalf("two contacts share the email %s", k)
			}
			emails[k] = true
		}
		if ct.PhoneNumber != nil {
			if phones[*ct.PhoneNumber] {
				t.Fatalf("two contacts share the phone number %s", *ct.PhoneNumber)
			}
			phones[*ct.PhoneNumber] = true
		}
	}
	seen := 0
	for page := 1; ; page++ {
		resp, err := c.ListContactsWithResponse(ctx, &gen.ListContactsParams{Page: ptr(page), PerPage: ptr(3)})
		if err != nil || resp.JSON200 == nil {
			t.Fatalf("list: %v %d", err, resp.StatusCode())
		}
		p := resp.JSON200.Pagination
		if p.TotalCount != len(all) || p.TotalPages != (len(all)+2)/3 {
			t.Fatalf("pagination %+v for %d contacts", p, len(all))
		}
		seen += len(resp.JSON200.Data)
		if len(resp.JSON200.Data) == 0 {
			break
		}
	}
	if seen != len(all) {
		t.Fatalf("paging saw %d contacts of %d", seen, len(all))
	}
}
