package privytest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest"
)

// The benchmarks measure round trips through the fake over loopback HTTP, with the contract
// check of every response on (the default) and off (the baseline), and report requests per
// second so users know what the check costs their suites:
//
//	go test -run '^$' -bench 'ListPage|Create' -benchtime 2000x ./privy/privytest/

var contractModes = []struct {
	name string
	opts []privytest.Option
}{
	{"contract=on", nil},
	{"contract=off", []privytest.Option{privytest.WithoutContractCheck()}},
}

func benchEnv(b *testing.B, opts ...privytest.Option) *env {
	b.Helper()
	return newEnv(b, append([]privytest.Option{privytest.WithLimits(1<<40, 1<<40)}, opts...)...)
}

// BenchmarkListPage fetches 100-contact pages of a 10,000-contact store.
func BenchmarkListPage(b *testing.B) {
	for _, m := range contractModes {
		b.Run(m.name, func(b *testing.B) {
			e := benchEnv(b, append(m.opts, privytest.WithSeed(1, 10_000))...)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				page := i%100 + 1
				i++
				resp, err := e.client.ListContactsWithResponse(ctx, &gen.ListContactsParams{Page: &page, PerPage: ptr(100)})
				if err != nil || resp.JSON200 == nil || len(resp.JSON200.Data) != 100 {
					b.Fatalf("list: %v %d", err, resp.StatusCode())
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkCreate creates a new contact per request.
func BenchmarkCreate(b *testing.B) {
	for _, m := range contractModes {
		b.Run(m.name, func(b *testing.B) {
			e := benchEnv(b, m.opts...)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				resp, err := e.client.CreateContactWithResponse(ctx, gen.CreateContactRequest{
					Email:        ptr(fmt.Sprintf("bench%d@example.com", i)),
					PhoneNumber:  ptr(fmt.Sprintf("+1555%07d", i)),
					FirstName:    ptr("Bench"),
					Tags:         gen.Tags{"vip"},
					CustomFields: gen.CustomFields{"loyalty_tier": "gold"},
					EmailConsent: ptr(gen.ConsentSubscribed),
				})
				if err != nil || resp.JSON201 == nil {
					b.Fatalf("create: %v %d %s", err, resp.StatusCode(), resp.Body)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkListPageDepth shows that an unfiltered page costs the same at the start and at
// the end of a 100,000-contact store, so a full export is linear (contract check off, to
// measure the store rather than the validator).
func BenchmarkListPageDepth(b *testing.B) {
	e := benchEnv(b, privytest.WithoutContractCheck(), privytest.WithSeed(1, 100_000))
	for _, page := range []int{1, 1000} {
		b.Run(fmt.Sprintf("page=%d", page), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				resp, err := e.client.ListContactsWithResponse(ctx, &gen.ListContactsParams{Page: &page, PerPage: ptr(100)})
				if err != nil || resp.JSON200 == nil || len(resp.JSON200.Data) != 100 {
					b.Fatalf("list: %v %d", err, resp.StatusCode())
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
