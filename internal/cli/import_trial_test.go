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
	k      int64
	events atomic.Int64
	mu     sync.Mutex
	cancel context.CancelFunc
	clock  *privytest.Clock
	fired  atomic.Bool
	what   string
}

func (in *interrupter) hit() bool {
	if in.events.Add(1) != in.k {
		return false
	}
	in.fired.Store(true)
	in.mu.Lock()
	in.cancel()
	in.mu.Unlock()
	return true
}

func (in *interrupter) Now() time.Time { return in.clock.Now() }

func (in *interrupter) After(d time.Duration) <-chan time.Time {
	if in.hit() {
		in.what = fmt.Sprintf("waiting %v", d)
		return make(chan time.Time) // never: the context ends first
	}
	return in.clock.After(d)
}

// serve passes r to fake, unless this request is the event that ends the run.
func (in *interrupter) serve(fake http.Handler, w http.ResponseWriter, r *http.Request, applied bool) {
	if !in.hit() {
		fake.ServeHTTP(w, r)
		return
	}
	in.what = fmt.Sprintf("%s %s, applied %v", r.Method, r.URL.Path, applied)
	if applied {
		fake.ServeHTTP(httptest.NewRecorder(), r) // applied, never answered
	}
	io.Copy(io.Discard, r.Body) // so that the server notices the client going away
	<-r.Context().Done()
}

// TestImportInterruptTrials stops an import at a random point (a request or a rate-limit
// wait), reruns it to the end, and checks the summaries of both runs, the rejects file and
// the fake's store exactly: every new row created once, every bad row rejected once (in the
// rejects file once), nothing else touched.
func TestImportInterruptTrials(t *testing.T) {
	trials := 40
	if testing.Short() {
		trials = 10
	}
	for trial := range trials {
		k := 1 + rand.Int64N(20) // about 16 requests and 3 waits in a run
		applied := rand.IntN(2) == 0
		t.Run(fmt.Sprintf("%d-event%d-applied%v", trial, k, applied), func(t *testing.T) {
			importTrial(t, k, applied)
		})
	}
}

func importTrial(t *testing.T, k int64, applied bool) {
	clock := privytest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	fake := privytest.New(privytest.WithSeed(1, 30), privytest.WithClock(clock), privytest.WithLimits(6, 10_000), privytest.WithT(t))
	seeded := map[string]string{} // email → first name
	for _, c := range fake.Contacts() {
		if c.Email != nil {
			seeded[*c.Email] = deref(c.FirstName)
		}
	}
	in := &interrupter{k: k, clock: clock}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.serve(fake, w, r, applied)
	}))
	t.Cleanup(ts.Close)

	lines := []string{"email,phone_number,first_name,sms_consent"}
	var created, bad []string
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
			bad = append(bad, e)
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
		code := a.run([]string{"--output", "json", "contacts", "import", path})
		var sum importSummary
		if err := json.Unmarshal([]byte(out.String()), &sum); err != nil {
			t.Fatalf("exit %d, summary %q: %v\n%s", code, out.String(), err, errb.String())
		}
		return code, sum, errb.String()
	}
	ctx, cancel := context.WithCancel(t.Context())
	in.cancel = cancel
	code1, s1, err1 := run(ctx)
	cancel()
	if in.fired.Load() {
		t.Logf("stopped at: %s", in.what)
		if code1 != exitInterrupted || s1.Complete {
			t.Fatalf("stopped run: exit %d, %+v\n%s", code1, s1, err1)
		}
	} else if code1 != exitFailure || !s1.Complete {
		t.Fatalf("uninterrupted run: exit %d, %+v\n%s", code1, s1, err1)
	}
	in.k = -1 // no more interruptions
	code2, s2, err2 := run(t.Context())
	if code2 != exitFailure || !s2.Complete {
		t.Fatalf("rerun: exit %d %+v\n%s", code2, s2, err2)
	}

	// The summaries: each row counted once across the runs, in the right place.
	if got := s1.Created + s2.Created; got != len(created) {
		t.Errorf("created %d + %d, want %d in all\n%s%s", s1.Created, s2.Created, len(created), err1, err2)
	}
	if got := s1.Rejected + s2.Rejected; got != len(bad) {
		t.Errorf("rejected %d + %d, want %d in all\n%s%s", s1.Rejected, s2.Rejected, len(bad), err1, err2)
	}
	if s2.Skipped != s1.Created+s1.Rejected || s2.EarlierRejected != s1.Rejected {
		t.Errorf("rerun skipped %d (%d rejected earlier), want %d (%d)", s2.Skipped, s2.EarlierRejected, s1.Created+s1.Rejected, s1.Rejected)
	}
	if s1.SMSUnsubscribedOmitted+s2.SMSUnsubscribedOmitted != 1 {
		t.Errorf("sms_unsubscribed_omitted %d + %d, want 1", s1.SMSUnsubscribedOmitted, s2.SMSUnsubscribedOmitted)
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

	// The store: every new row once, the seeded contacts untouched, nothing else.
	byEmail := map[string]int{}
	for _, c := range fake.Contacts() {
		e := deref(c.Email)
		byEmail[e]++
		if first, ok := seeded[e]; ok && deref(c.FirstName) != first {
			t.Errorf("seeded %s changed: first name %q", e, deref(c.FirstName))
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
