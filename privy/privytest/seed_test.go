package privytest_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest"
)

func TestSeedIsDeterministicAndRealistic(t *testing.T) {
	a := privytest.New(privytest.WithClock(privytest.NewClock(start)), privytest.WithSeed(42, 500))
	b := privytest.New(privytest.WithSeed(42, 500), privytest.WithClock(privytest.NewClock(start)))
	c := privytest.New(privytest.WithClock(privytest.NewClock(start)), privytest.WithSeed(43, 500))
	ca, cb, cc := a.Contacts(), b.Contacts(), c.Contacts()
	if len(ca) != 500 || mustJSON(ca) != mustJSON(cb) {
		t.Fatalf("same seed, different contacts (%d, %d)", len(ca), len(cb))
	}
	if mustJSON(ca) == mustJSON(cc) {
		t.Error("different seeds, same contacts")
	}
	e164 := regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	var phoneOnly, emailOnly, tagged, fields int
	consents := map[gen.Consent]int{}
	for i, ct := range ca {
		if i > 0 && ct.CreatedAt.Before(ca[i-1].CreatedAt) {
			t.Fatal("contacts not sorted by created_at")
		}
		if ct.CreatedAt.After(start) || ct.UpdatedAt.Before(ct.CreatedAt) {
			t.Errorf("timestamps %v %v", ct.CreatedAt, ct.UpdatedAt)
		}
		if ct.PhoneNumber != nil && !e164.MatchString(*ct.PhoneNumber) {
			t.Errorf("phone %q is not E.164", *ct.PhoneNumber)
		}
		if ct.Email == nil {
			phoneOnly++
		}
		if ct.PhoneNumber == nil {
			emailOnly++
			if ct.ContactPhonePermission != gen.ConsentNonSubscribed {
				t.Errorf("SMS consent %s without a phone number", ct.ContactPhonePermission)
			}
		}
		if len(ct.Tags) > 0 {
			tagged++
		}
		if len(ct.CustomFields) > 0 {
			fields++
		}
		consents[ct.EmailPermission]++
	}
	if phoneOnly < 30 || emailOnly < 30 || tagged < 100 || fields < 100 || len(consents) != 3 {
		t.Errorf("not a realistic mix: %d phone-only, %d email-only, %d tagged, %d with custom fields, consents %v",
			phoneOnly, emailOnly, tagged, fields, consents)
	}
}

func TestSeededContactsPassTheContract(t *testing.T) {
	e := newEnv(t, privytest.WithSeed(7, 250))
	total := 0
	for page := 1; page <= 3; page++ {
		resp, err := e.client.ListContactsWithResponse(context.Background(), &gen.ListContactsParams{Page: ptr(page), PerPage: ptr(100)})
		if err != nil || resp.JSON200 == nil {
			t.Fatalf("list: %v %d", err, resp.StatusCode())
		}
		total += len(resp.JSON200.Data)
	}
	if total != 250 {
		t.Errorf("listed %d of 250 seeded contacts", total)
	}
	// Seeding again adds, without clashing with what is there.
	e.srv.Seed(7, 250)
	if n := len(e.srv.Contacts()); n != 500 {
		t.Errorf("%d contacts after seeding twice, want 500", n)
	}
}

func BenchmarkSeed100k(b *testing.B) {
	for b.Loop() {
		privytest.New(privytest.WithSeed(1, 100_000))
	}
}
