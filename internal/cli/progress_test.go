package cli

import (
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy"
)

func TestETAFor(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	rl := func(remMin int, resetIn time.Duration) privy.RateLimit {
		return privy.RateLimit{LimitMinute: 60, RemainingMinute: remMin, ResetMinute: now.Add(resetIn),
			LimitDay: 10000, RemainingDay: 10000, ResetDay: now.Add(10 * time.Hour)}
	}
	tests := []struct {
		name string
		n    int
		rl   privy.RateLimit
		want time.Duration
	}{
		{"nothing left", 0, rl(0, 30*time.Second), 0},
		{"unknown limits", 5, privy.RateLimit{}, -1},
		{"within this minute", 10, rl(20, 30*time.Second), 0},
		{"one more window", 30, rl(20, 30*time.Second), 30 * time.Second},
		{"exactly fills the next window", 80, rl(20, 30*time.Second), 30 * time.Second},
		{"two more windows", 81, rl(20, 30*time.Second), 90 * time.Second},
		{"a stale reset counts as now", 61, rl(0, -time.Minute), time.Minute},
		{"day budget spent", 5, privy.RateLimit{LimitMinute: 60, RemainingMinute: 60, ResetMinute: now.Add(time.Minute),
			LimitDay: 10000, RemainingDay: 0, ResetDay: now.Add(5 * time.Hour)}, 5 * time.Hour},
	}
	for _, tt := range tests {
		if got := etaFor(tt.n, tt.rl, now); got != tt.want {
			t.Errorf("%s: etaFor(%d) = %v, want %v", tt.name, tt.n, got, tt.want)
		}
	}
}

func TestProgressSilentWhenNotATerminal(t *testing.T) {
	var buf safeBuffer
	p := newProgress(&buf, 10, "rows")
	p.Step(5, 5, privy.RateLimit{}, time.Now())
	p.Clear()
	p.SetTotal(20)
	p.Finish()
	if buf.String() != "" {
		t.Errorf("progress wrote %q to a non-terminal", buf.String())
	}
}
