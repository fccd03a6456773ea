package privytest

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy/spec"
)

// Option configures a Fake.
type Option func(*Fake)

// WithClock makes the fake read all time (timestamps, rate-limit windows, token expiry) from
// c. When c also has an After(time.Duration) <-chan time.Time method (as *Clock has), injected
// latency waits on it, so a fake clock makes latency instant; otherwise latency is real time.
func WithClock(c interface{ Now() time.Time }) Option {
	return func(f *Fake) {
		if c == nil {
			return
		}
		f.clock = c
		f.after = realClock{}.After
		if a, ok := c.(interface {
			After(time.Duration) <-chan time.Time
		}); ok {
			f.after = a.After
		}
	}
}

// WithLimits sets the account's budget per minute and per day (defaults 60 and 10,000).
func WithLimits(perMinute, perDay int) Option {
	return func(f *Fake) { f.perMinute, f.perDay = perMinute, perDay }
}

// WithT reports every contract violation in the fake's own responses as an error of t,
// naming the operation, the JSON pointer and the rule broken.
func WithT(t testing.TB) Option { return func(f *Fake) { f.t = t } }

// WithViolationHandler calls h for every contract violation in the fake's own responses.
func WithViolationHandler(h func(spec.Violation)) Option {
	return func(f *Fake) { f.onViolation = h }
}

// WithLogger sets where the fake logs contract violations when neither WithT nor
// WithViolationHandler is given (default slog.Default()). Tokens and secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(f *Fake) {
		if l != nil {
			f.logger = l
		}
	}
}

// WithSeed fills the store with n realistic contacts, deterministic by seed (see Fake.Seed).
// Seeding happens after all options are applied, so the order of options does not matter.
func WithSeed(seed int64, n int) Option {
	return func(f *Fake) { f.seeds = append(f.seeds, seedRequest{seed, n}) }
}

// WithoutContractCheck turns off validation of the fake's own responses against the spec
// (requests are still validated: that is how the fake answers 422). Meant for benchmarks.
func WithoutContractCheck() Option { return func(f *Fake) { f.contract = false } }

// WithRequestLogLimit keeps only the n most recent requests in the request log (0: keep
// none), so that a long-running fake does not grow without bound. By default the log keeps
// every request.
func WithRequestLogLimit(n int) Option {
	return func(f *Fake) { f.logLimit = max(0, n) }
}

// WithSMSCountries sets the country calling codes (such as "+1" or "+44") whose phone
// numbers may get sms_consent "subscribed" on creation; other numbers are refused with the
// spec's message. The default is +1 (United States and Canada), +44 (United Kingdom) and +61
// (Australia).
func WithSMSCountries(codes ...string) Option {
	return func(f *Fake) { f.smsCountries = slices.Clone(codes) }
}

// SMSCountries returns the country calling codes accepted for sms_consent "subscribed".
func (f *Fake) SMSCountries() []string { return slices.Clone(f.store.smsCountries) }

type seedRequest struct {
	seed int64
	n    int
}
