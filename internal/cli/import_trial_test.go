package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// interrupter ends a run (cancels its context) at the k-th event: a request reaching the fake
// (stopped before it is applied, or applied and never answered) or a wait on the client's
// clock (the import stopped while it waits for the rate limit).
type interrupter struct {
	k      atomic.Int64
	events atomic.Int64
	mu     sync.Mutex
	cancel context.CancelFunc
	clock  *privytest.Clock
	fired  atomic.Bool
	what   string
}

// hit counts an event, described by what, and ends the run if it is the k-th.
func (in *interrupter) hit(what string) bool {
	if in.events.Add(1) != in.k.Load() {
		return false
	}
	in.mu.Lock()
	in.what = what
	in.fired.Store(true)
	in.cancel()
	in.mu.Unlock()
	return true
}

func (in *interrupter) Now() time.Time { return in.clock.Now() }

func (in *interrupter) After(d time.Duration) <-chan time.Time {
	if in.hit(fmt.Sprintf("waiting %v", d)) {
		return make(chan time.Time) // never: the context ends first
	}
	return in.clock.After(d)
}

// serve passes r to fake, unless this request is the event that ends the run.
func (in *interrupter) serve(fake http.Handler, w http.ResponseWriter, r *http.Request, applied bool) {
	if !in.hit(fmt.Sprintf("%s %s, applied %v", r.Method, r.URL.Path, applied)) {
		fake.ServeHTTP(w, r)
		return
	}
	if applied {
		fake.ServeHTTP(httptest.NewRecorder(), r) // applied, never answered
	}
	io.Copy(io.Discard, r.Body) // so that the server notices the client going away
	<-r.Context().Done()
}

// TestImportInterruptTrials stops an import at random points (a request or a rate-limit
// wait), one to three times, reruns it to the end, and checks the summaries of every run,
// the rejects file and the fake's store exactly: every new row created once, every bad row
// rejected once (in the rejects file once), nothing else touched.
func TestImportInterruptTrials(t *testing.T) {
	trials := 40
	if testing.Short() {
		trials = 10
	}
	for trial := range trials {
		// 1 to 3 stops, each at a random event of its run (about 16 requests and 3 waits in
		// a whole import; a stop past the end of a run does not happen).
		var stops []int64
		for range 1 + rand.IntN(3) {
			stops = append(stops, 1+rand.Int64N(20))
		}
		applied, upsert := rand.IntN(2) == 0, rand.IntN(2) == 0
		t.Run(fmt.Sprintf("%d-stops%v-applied%v-upsert%v", trial, stops, applied, upsert), func(t *testing.T) {
			importTrial(t, stops, applied, upsert)
		})
	}
}

// importTrial imports 20 rows: new ones, locally invalid ones, ones that conflict with
// seeded contacts, and a duplicate of an earlier row. Without --upsert the last two kinds are
// rejected; with it they update the contact.
func importTrial(t *testing.T, stops []int64, applied, upsert bool) {
	clock := privytest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	fake := privytest.New(privytest.WithSeed(1, 30), privytest.WithClock(clock), privytest.WithLimits(6, 10_000), privytest.WithT(t))
	seeded := map[string]string{} // email → first name
	for _, c := range fake.Contacts() {
		if c.Email != nil {
			seeded[*c.Email] = deref(c.FirstName)
		}
	}
	in := &interrupter{clock: clock}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.serve(fake, w, r, applied)
	}))
	t.Cleanup(ts.Close)

	lines := []string{"email,phone_number,first_name,sms_consent"}
	var created, bad, updated []string
	var conflicts []string
	for e := range seeded {
		if len(conflicts) < 4 {
			conflicts = append(conflicts, e)
		}
	}
	for i := range 20 {
		switch {
		case i%5 == 1:
			e := fmt.Sprintf("bad%02d@example.com", i)
			lines = append(lines, e+",123,Bad,")
			bad = append(bad, e)
		case i%5 == 3:
			e := conflicts[i/5]
			lines = append(lines, e+",,Changed,")
			updated = append(updated, e)
		case i == 17: // a duplicate of line 2 (row 0), the same data: a conflict of its own
			lines = append(lines, "new00@example.com,,New,")
			updated = append(updated, "new00@example.com")
		case i == 4:
			e := fmt.Sprintf("new%02d@example.com", i)
			lines = append(lines, e+",,New,unsubscribed")
			created = append(created, e)
		default:
			e := fmt.Sprintf("new%02d@example.com", i)
			lines = append(lines, e+",,New,")
			created = append(created, e)
		}
	}
	dir := t.TempDir()
	path := writeCSV(t, dir, "in.csv", lines...)
	env := map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_TOKEN": privytest.DefaultToken}

	run := func(ctx context.Context) (int, importSummary, string) {
		var out, errb safeBuffer
		a := &app{ctx: ctx, stdin: strings.NewReader(""), stdout: &out, stderr: &errb, output: outputJSON,
			env: func(k string) string { return env[k] }, clientOpts: []privy.Option{privy.WithClock(in)}}
		args := []string{"--output", "json", "contacts", "import", path}
		if upsert {
			args = append(args, "--upsert")
		}
		code := a.run(args)
		var sum importSummary
		if err := json.Unmarshal([]byte(out.String()), &sum); err != nil {
			t.Fatalf("exit %d, summary %q: %v\n%s", code, out.String(), err, errb.String())
		}
		return code, sum, errb.String()
	}
	// Stop the import once per k (each run counts its events afresh), then run it to the end.
	var total importSummary
	var stderrs strings.Builder
	for i, k := range append(stops, -1) {
		ctx, cancel := context.WithCancel(t.Context())
		in.mu.Lock()
		in.cancel, in.what = cancel, ""
		in.k.Store(k)
		in.events.Store(0)
		in.fired.Store(false)
		in.mu.Unlock()
		code, s, errs := run(ctx)
		cancel()
		in.mu.Lock()
		what := in.what
		in.mu.Unlock()
		stderrs.WriteString(errs)
		switch {
		case in.fired.Load():
			t.Logf("run %d stopped at event %d: %s", i+1, k, what)
			if code != exitInterrupted || s.Complete {
				t.Fatalf("stopped run: exit %d, %+v\n%s", code, s, errs)
			}
		case code != exitFailure || !s.Complete:
			t.Fatalf("run %d: exit %d %+v\n%s", i+1, code, s, errs)
		}
		// Each run skips exactly what the earlier ones finished.
		if done := total.Created + total.Updated + total.Rejected; s.Skipped != done || s.EarlierRejected != total.Rejected {
			t.Errorf("run %d skipped %d (%d rejected earlier), want %d (%d)", i+1, s.Skipped, s.EarlierRejected, done, total.Rejected)
		}
		total.Created += s.Created
		total.Updated += s.Updated
		total.Rejected += s.Rejected
		total.SMSUnsubscribedOmitted += s.SMSUnsubscribedOmitted
		if s.Complete {
			break
		}
	}

	// The summaries: each row counted once across the runs, in the right place.
	if !upsert {
		bad, updated = append(bad, updated...), nil
	}
	if total.Created != len(created) || total.Updated != len(updated) || total.Rejected != len(bad) || total.SMSUnsubscribedOmitted != 1 {
		t.Errorf("in all: created %d, updated %d, rejected %d, sms omitted %d; want %d, %d, %d, 1\n%s",
			total.Created, total.Updated, total.Rejected, total.SMSUnsubscribedOmitted, len(created), len(updated), len(bad), stderrs.String())
	}

	// The rejects file: the header and each bad row once.
	f, err := os.Open(path + ".rejects.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], []string{"email", "phone_number", "first_name", "sms_consent", "error"}) {
		t.Errorf("rejects header %v", recs[0])
	}
	var rejected []string
	for _, r := range recs[1:] {
		rejected = append(rejected, r[0])
	}
	slices.Sort(rejected)
	slices.Sort(bad)
	if !slices.Equal(rejected, bad) {
		t.Errorf("rejects file rows %v, want %v", rejected, bad)
	}

	// The store: every new row once, the seeded contacts untouched (or updated, with
	// --upsert), nothing else.
	byEmail := map[string]int{}
	for _, c := range fake.Contacts() {
		e := deref(c.Email)
		byEmail[e]++
		first, ok := seeded[e]
		if ok && upsert && slices.Contains(updated, e) {
			first = "Changed"
		}
		if ok && deref(c.FirstName) != first {
			t.Errorf("seeded %s: first name %q, want %q", e, deref(c.FirstName), first)
		}
	}
	for _, e := range created {
		if byEmail[e] != 1 {
			t.Errorf("%s is in the store %d times", e, byEmail[e])
		}
	}
	if n := len(fake.Contacts()); n != 30+len(created) {
		t.Errorf("%d contacts in the store, want %d", n, 30+len(created))
	}
}
