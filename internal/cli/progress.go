package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/privy-go/privy-go/privy"
)

// progress is a progress bar on stderr, or nothing when stderr is not a terminal.
type progress struct {
	bar     *progressbar.ProgressBar
	label   string
	skipped int
}

func newProgress(w io.Writer, total int, label string) *progress {
	p := &progress{label: label}
	if !isTerminal(w) {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false), // the ETA comes from the rate-limit headers
		progressbar.OptionSetWidth(30),
		// No throttle: a throttled step is not drawn until the next one, which may come only
		// after a rate-limit wait, so the bar would lag a whole window. Callers step once per
		// request (see Skip for steps that send nothing).
		progressbar.OptionClearOnFinish(),
	)
	return p
}

// Step advances the bar by n and updates the ETA for the requests still to send.
func (p *progress) Step(n, requestsLeft int, rl privy.RateLimit, now time.Time) {
	if p.bar == nil {
		return
	}
	n, p.skipped = n+p.skipped, 0
	p.bar.Describe(fmt.Sprintf("%s (ETA %s)", p.label, formatETA(etaFor(requestsLeft, rl, now))))
	_ = p.bar.Add(n)
}

// Skip counts n steps that sent no request (rows an earlier run finished); they are drawn
// with the next Step, so a resume over many rows does not redraw the bar for each.
func (p *progress) Skip(n int) { p.skipped += n }

// SetTotal changes the total once it is known (an export learns it from the first page).
func (p *progress) SetTotal(n int) {
	if p.bar != nil {
		p.bar.ChangeMax(n)
	}
}

// Finish clears the bar.
func (p *progress) Finish() {
	if p.bar != nil {
		if p.skipped > 0 {
			_ = p.bar.Add(p.skipped)
			p.skipped = 0
		}
		_ = p.bar.Finish()
	}
}

// etaFor estimates how long n more requests take under the rate limit rl at now: the rest of
// this minute's budget goes at once, then LimitMinute per minute from ResetMinute; the daily
// budget likewise. It returns -1 when the limits are not known yet.
func etaFor(n int, rl privy.RateLimit, now time.Time) time.Duration {
	if n <= 0 {
		return 0
	}
	if rl.LimitMinute <= 0 {
		return -1
	}
	eta := windowETA(n, rl.RemainingMinute, rl.LimitMinute, rl.ResetMinute, time.Minute, now)
	if rl.LimitDay > 0 && n > rl.RemainingDay {
		eta = max(eta, windowETA(n, rl.RemainingDay, rl.LimitDay, rl.ResetDay, 24*time.Hour, now))
	}
	return eta
}

func windowETA(n, remaining, limit int, reset time.Time, window time.Duration, now time.Time) time.Duration {
	remaining = max(remaining, 0)
	if n <= remaining {
		return 0
	}
	rest := n - remaining
	wait := max(reset.Sub(now), 0)
	if reset.IsZero() {
		wait = window
	}
	windows := (rest + limit - 1) / limit
	return wait + time.Duration(windows-1)*window
}

func formatETA(d time.Duration) string {
	switch {
	case d < 0:
		return "unknown"
	case d < time.Second:
		return "<1s"
	default:
		return d.Round(time.Second).String()
	}
}

// Clear erases the bar so a message can be printed; it is redrawn on the next step.
func (p *progress) Clear() {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
}
