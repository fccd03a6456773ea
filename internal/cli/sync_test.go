package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/syncplan"
	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// syncFake is a fake with seeded contacts and limits that never bind (pacing is tested by
// import; TestSyncPacesWithinBudget checks that sync goes through the same client).
func syncFake(t *testing.T, n int) *privytest.Server {
	t.Helper()
	srv := privytest.NewServer(privytest.WithSeed(1, n), privytest.WithT(t), privytest.WithLimits(1_000_000, 1_000_000))
	t.Cleanup(srv.Close)
	return srv
}

// exportRows exports the account as CSV records (header first).
func exportRows(t *testing.T, env map[string]string) [][]string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export.csv")
	if r := runInProcess(t, env, "contacts", "export", "--format", "csv", "--out", out); r.code != 0 {
		t.Fatalf("export: %s", r)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func writeRecords(t *testing.T, path string, recs [][]string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func col(recs [][]string, name string) int {
	i := slices.Index(recs[0], name)
	if i < 0 {
		panic("no column " + name)
	}
	return i
}

// mutations counts the requests that change the account, by operation and status.
func mutations(srv interface{ Requests() []privytest.Request }) map[string]int {
	n := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			n[fmt.Sprintf("%s %d", r.Operation, r.Status)]++
		}
	}
	return n
}

func decodePlan(t *testing.T, s string) *syncplan.Plan {
	t.Helper()
	p, err := syncplan.Decode([]byte(s))
	if err != nil {
		t.Fatalf("not a plan: %v\n%s", err, s)
	}
	return p
}

// edited is the exported records with one change of each kind, and what they are.
type edited struct {
	recs                        [][]string
	renamed, retagged, unsubbed string // emails
	resubscribed, customChanged string
	newEmail, newPhoneLoose     string
	invalidLines                []int
	renamedTo                   string
	retaggedTo                  []string
	customKey, customTo         string
}

// editRows makes one change of each kind to exported records.
func editRows(t *testing.T, recs [][]string) edited {
	t.Helper()
	e := edited{recs: recs}
	email, first, tags := col(recs, "email"), col(recs, "first_name"), col(recs, "tags")
	consent, tier := col(recs, "email_consent"), col(recs, "custom.loyalty_tier")
	used := map[int]bool{}
	pick := func(ok func([]string) bool) int {
		for i := 1; i < len(recs); i++ {
			if !used[i] && recs[i][email] != "" && ok(recs[i]) {
				used[i] = true
				return i
			}
		}
		t.Fatal("no row fits")
		return 0
	}
	anyRow := func([]string) bool { return true }
	i := pick(anyRow)
	e.renamed, e.renamedTo = recs[i][email], recs[i][first]+"x"
	recs[i][first] = e.renamedTo
	i = pick(func(r []string) bool { return r[tags] != "" })
	e.retagged = recs[i][email]
	old := strings.Split(recs[i][tags], ";")
	slices.Reverse(old) // the same set in another order is no change...
	e.retaggedTo = append(old, "synced")
	recs[i][tags] = strings.Join(e.retaggedTo, ";") // ...but a new tag is
	i = pick(func(r []string) bool { return r[consent] == "unsubscribed" })
	e.resubscribed = recs[i][email]
	recs[i][consent] = "subscribed"
	i = pick(func(r []string) bool { return r[consent] == "subscribed" })
	e.unsubbed = recs[i][email]
	recs[i][consent] = "unsubscribed"
	i = pick(func(r []string) bool { return r[tier] == "" })
	e.customChanged, e.customKey, e.customTo = recs[i][email], "loyalty_tier", "007"
	recs[i][tier] = `"007"`
	// Case and spacing do not make a different contact.
	i = pick(anyRow)
	recs[i][email] = strings.ToUpper(recs[i][email])
	blank := make([]string, len(recs[0]))
	row := func(set map[string]string) []string {
		r := slices.Clone(blank)
		for k, v := range set {
			r[col(recs, k)] = v
		}
		return r
	}
	e.newEmail, e.newPhoneLoose = "brand.new@example.com", "+1 (555) 999-0001"
	recs = append(recs,
		row(map[string]string{"email": e.newEmail, "first_name": "Brand", "tags": "a;b", "sms_consent": "unsubscribed"}),
		row(map[string]string{"phone_number": e.newPhoneLoose, "last_name": "Phoneonly"}),
		row(map[string]string{"email": "bad@example.com", "phone_number": "12345"}),
		row(map[string]string{"first_name": "Nobody"}),
	)
	e.invalidLines = []int{len(recs) - 1, len(recs)}
	e.recs = recs
	return e
}

// TestSyncPlan: a plan of each kind of change, with nothing sent.
func TestSyncPlan(t *testing.T) {
	srv := syncFake(t, 150)
	env := envFor(srv, "")
	e := editRows(t, exportRows(t, env))
	in := writeRecords(t, filepath.Join(t.TempDir(), "in.csv"), e.recs)
	srv.ResetRequests()
	r := runInProcess(t, env, "-o", "json", "contacts", "sync", "--consent", in)
	if r.code != exitFailure || !strings.Contains(r.stderr, "2 of 154 rows are invalid; nothing was sent") {
		t.Fatalf("%s", r)
	}
	if m := mutations(srv); len(m) != 0 {
		t.Fatalf("a plan sent %v", m)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests to read 150 contacts, want 2", n)
	}
	p := decodePlan(t, r.stdout)
	if got := p.Count(); got[syncplan.OpCreate] != 2 || got[syncplan.OpUpdate] != 3 || got[syncplan.OpUnsubscribe] != 1 || got[syncplan.OpDelete] != 0 {
		t.Errorf("steps %v", got)
	}
	if p.Unchanged != 150-4 || len(p.Missing) != 0 || p.Account != 150 || p.Rows != 154 {
		t.Errorf("unchanged %d, missing %d, account %d, rows %d", p.Unchanged, len(p.Missing), p.Account, p.Rows)
	}
	var invalid []int
	for _, inv := range p.Invalid {
		invalid = append(invalid, inv.Line)
	}
	if !slices.Equal(invalid, e.invalidLines) {
		t.Errorf("invalid lines %v, want %v", invalid, e.invalidLines)
	}
	changes := map[string][]syncplan.Change{}
	for _, s := range p.Steps {
		switch s.Op {
		case syncplan.OpUpdate, syncplan.OpUnsubscribe:
			changes[s.Keys[0]] = append(changes[s.Keys[0]], s.Changes...)
		case syncplan.OpCreate:
			if s.Body["email"] == e.newEmail {
				if _, ok := s.Body["sms_consent"]; ok {
					t.Errorf("create carries sms_consent=unsubscribed, which the API refuses: %v", s.Body)
				}
			} else if s.Body["phone_number"] != "+15559990001" {
				t.Errorf("create %v: the phone number is not normalised", s.Body)
			}
		}
	}
	want := map[string]string{
		"email:" + e.renamed:       "first_name",
		"email:" + e.retagged:      "tags",
		"email:" + e.customChanged: "custom_fields",
		"email:" + e.unsubbed:      "email_permission",
	}
	for k, field := range want {
		if cs := changes[k]; len(cs) != 1 || cs[0].Field != field {
			t.Errorf("%s: changes %+v, want one of %s", k, cs, field)
		}
	}
	if len(p.Notes) != 2 { // the re-subscription kept; the create's sms_consent left out
		t.Errorf("notes %+v", p.Notes)
	}
	for _, n := range p.Notes {
		if n.Key == "email:"+e.resubscribed && !strings.Contains(n.Reason, "never re-subscribed") {
			t.Errorf("note %+v", n)
		}
	}

	// The text plan says the same, and that nothing was sent.
	r = runInProcess(t, env, "contacts", "sync", "--consent", in)
	for _, s := range []string{"create             2", "update             3", "unsubscribe        1", "unchanged        146", "invalid            2",
		"nothing was sent", "requests: 6;"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("text plan lacks %q:\n%s", s, r.stdout)
		}
	}
}

// TestSyncApply applies a plan; the account then matches the file, unsubscribed contacts
// stay unsubscribed, and a second plan is empty.
func TestSyncApply(t *testing.T) {
	srv := syncFake(t, 150)
	env := envFor(srv, "")
	e := editRows(t, exportRows(t, env))
	e.recs = e.recs[:len(e.recs)-2] // without the invalid rows
	in := writeRecords(t, filepath.Join(t.TempDir(), "in.csv"), e.recs)
	srv.ResetRequests()
	r := runInProcess(t, env, "contacts", "sync", "--apply", "--consent", in)
	if r.code != 0 || !strings.Contains(r.stdout, "created 2, updated 3, unsubscribed 1, deleted 0, failed 0, skipped 0") {
		t.Fatalf("%s", r)
	}
	if n := len(srv.Requests()); n != 2+6 {
		t.Errorf("%d requests, want 2 pages and 6 changes: %v", n, ops(srv))
	}
	for _, p := range []string{in + ".sync-state", in + ".sync-plan"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind after a complete sync", p)
		}
	}
	check := func(email string, ok func(gen.Contact) bool) {
		t.Helper()
		c := findContact(srv, email)
		if c == nil || !ok(*c) {
			t.Errorf("%s: %+v", email, c)
		}
	}
	check(e.renamed, func(c gen.Contact) bool { return deref(c.FirstName) == e.renamedTo })
	check(e.retagged, func(c gen.Contact) bool {
		return slices.Contains(c.Tags, "synced") && len(c.Tags) == len(e.retaggedTo)
	})
	check(e.customChanged, func(c gen.Contact) bool { return c.CustomFields[e.customKey] == e.customTo })
	check(e.unsubbed, func(c gen.Contact) bool { return c.EmailPermission == gen.ConsentUnsubscribed })
	check(e.resubscribed, func(c gen.Contact) bool { return c.EmailPermission == gen.ConsentUnsubscribed })
	check(e.newEmail, func(c gen.Contact) bool { return c.ContactPhonePermission == gen.ConsentNonSubscribed })

	srv.ResetRequests()
	r = runInProcess(t, env, "-o", "json", "contacts", "sync", "--consent", in)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	if p := decodePlan(t, r.stdout); len(p.Steps) != 0 || p.Unchanged != len(e.recs)-1 {
		t.Errorf("second plan: %d steps, %d unchanged: %s", len(p.Steps), p.Unchanged, r.stdout)
	}
	if m := mutations(srv); len(m) != 0 {
		t.Errorf("sent %v", m)
	}
}

// TestSyncFieldsAndEmptyCells: columns absent from the header are not touched; an empty cell
// changes nothing unless --empty clears; a custom.<key> column touches that key only.
func TestSyncFieldsAndEmptyCells(t *testing.T) {
	srv := syncFake(t, 0)
	env := envFor(srv, "")
	if r := runInProcess(t, env, "contacts", "create", "--email", "a@example.com", "--first-name", "Ann", "--last-name", "Lee",
		"--tag", "vip", "--field", "tier=gold", "--field", "score=7"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	dir := t.TempDir()
	in := writeCSV(t, dir, "in.csv", "email,first_name,tags,custom.tier", "A@Example.com,,,silver")
	r := runInProcess(t, env, "contacts", "sync", "--apply", in)
	if r.code != 0 || !strings.Contains(r.stdout, "updated 1") {
		t.Fatalf("%s", r)
	}
	c := findContact(srv, "a@example.com")
	if deref(c.FirstName) != "Ann" || deref(c.LastName) != "Lee" || !slices.Equal(c.Tags, []string{"vip"}) ||
		c.CustomFields["tier"] != "silver" || c.CustomFields["score"] != float64(7) {
		t.Fatalf("after keep: %+v %v", c, c.CustomFields)
	}
	r = runInProcess(t, env, "contacts", "sync", "--apply", "--empty", "clears", in)
	if r.code != 0 || !strings.Contains(r.stdout, "updated 1") {
		t.Fatalf("%s", r)
	}
	c = findContact(srv, "a@example.com")
	if deref(c.FirstName) != "" || deref(c.LastName) != "Lee" || len(c.Tags) != 0 || c.CustomFields["score"] != float64(7) {
		t.Fatalf("after clears: %+v %v", c, c.CustomFields)
	}
	// custom_fields given in full removes the keys it does not name.
	in = writeCSV(t, dir, "in2.csv", "email,custom_fields", `a@example.com,"{""tier"":""silver""}"`)
	if r := runInProcess(t, env, "contacts", "sync", "--apply", in); r.code != 0 {
		t.Fatalf("%s", r)
	}
	if c = findContact(srv, "a@example.com"); len(c.CustomFields) != 1 {
		t.Fatalf("after custom_fields: %v", c.CustomFields)
	}
	// By value and type: 7 and "7" differ, 7 and 7.0 do not.
	if r := runInProcess(t, env, "contacts", "update", "--email", "a@example.com", "--field", "n=7"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	for cell, changes := range map[string]int{"7": 0, "7.0": 0, `"""7"""`: 1} {
		in = writeCSV(t, dir, "in3.csv", "email,custom.n", "a@example.com,"+cell)
		r := runInProcess(t, env, "-o", "json", "contacts", "sync", in)
		if p := decodePlan(t, r.stdout); len(p.Steps) != changes {
			t.Errorf("custom.n=%s against 7: %d steps, want %d", cell, len(p.Steps), changes)
		}
	}
}

// TestSyncPrune: contacts missing from the file are deleted only with --prune, and only
// after --yes; a row without an identifier makes --prune refuse.
func TestSyncPrune(t *testing.T) {
	srv := syncFake(t, 20)
	env := envFor(srv, "")
	recs := exportRows(t, env)
	kept := recs[:16] // header and 15 contacts: 5 are missing
	dir := t.TempDir()
	in := writeRecords(t, filepath.Join(dir, "in.csv"), kept)

	r := runInProcess(t, env, "contacts", "sync", "--apply", in)
	if r.code != 0 || len(srv.Contacts()) != 20 || !strings.Contains(r.stdout, "not in file        5") {
		t.Fatalf("without --prune: %s", r)
	}
	srv.ResetRequests()
	r = runInProcess(t, env, "contacts", "sync", "--apply", "--prune", in)
	if r.code != exitUsage || !strings.Contains(r.stderr, "deletes 5 contacts (--prune): pass --yes") {
		t.Fatalf("--prune without --yes: %s", r)
	}
	if m := mutations(srv); len(m) != 0 || len(srv.Contacts()) != 20 {
		t.Fatalf("sent %v", m)
	}
	bad := writeRecords(t, filepath.Join(dir, "bad.csv"), append(slices.Clone(kept), make([]string, len(kept[0]))))
	r = runInProcess(t, env, "contacts", "sync", "--apply", "--prune", "--yes", bad)
	if r.code != exitUsage || !strings.Contains(r.stderr, "1 rows have no email or phone number") {
		t.Fatalf("--prune with an unnamed row: %s", r)
	}
	r = runInProcess(t, env, "contacts", "sync", "--apply", "--prune", "--yes", in)
	if r.code != 0 || !strings.Contains(r.stdout, "deleted 5") || len(srv.Contacts()) != 15 {
		t.Fatalf("--prune --yes: %s", r)
	}
}

// TestSyncSavedPlan: --plan-out saves the plan (0600); --apply --plan applies it; a change
// to a contact it touches, made in the meantime, makes it refused with nothing sent.
func TestSyncSavedPlan(t *testing.T) {
	srv := syncFake(t, 30)
	env := envFor(srv, "")
	recs := exportRows(t, env)
	email, first := col(recs, "email"), col(recs, "first_name")
	var touched, untouched string
	for _, rec := range recs[1:] {
		switch {
		case rec[email] == "":
		case touched == "":
			touched = rec[email]
			rec[first] = "Planned"
		case untouched == "":
			untouched = rec[email]
		}
	}
	dir := t.TempDir()
	in := writeRecords(t, filepath.Join(dir, "in.csv"), recs)
	plan := filepath.Join(dir, "plan.json")
	if r := runInProcess(t, env, "contacts", "sync", "--plan-out", plan, in); r.code != 0 {
		t.Fatalf("%s", r)
	}
	if info, err := os.Stat(plan); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("plan file: %v %v", info, err)
	}
	// A change elsewhere in the account does not matter.
	if r := runInProcess(t, env, "contacts", "update", "--email", untouched, "--last-name", "Elsewhere"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	// An edited plan is refused.
	data, _ := os.ReadFile(plan)
	edited := filepath.Join(dir, "edited.json")
	os.WriteFile(edited, []byte(strings.Replace(string(data), "Planned", "Hacked", 1)), 0o600)
	if r := runInProcess(t, env, "contacts", "sync", "--apply", "--plan", edited); r.code != exitUsage || !strings.Contains(r.stderr, "edited or damaged") {
		t.Fatalf("edited plan: %s", r)
	}
	// A concurrent change to the contact the plan updates.
	if r := runInProcess(t, env, "contacts", "update", "--email", touched, "--last-name", "Concurrent"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	srv.ResetRequests()
	r := runInProcess(t, env, "contacts", "sync", "--apply", "--plan", plan)
	if r.code != exitFailure || !strings.Contains(r.stderr, "the account changed since the plan was made, for 1 contacts") ||
		!strings.Contains(r.stderr, touched) {
		t.Fatalf("%s", r)
	}
	if m := mutations(srv); len(m) != 0 {
		t.Fatalf("sent %v", m)
	}
	if c := findContact(srv, touched); deref(c.FirstName) == "Planned" {
		t.Fatal("applied")
	}
	// Planned again (the file also undoes the other changes), it applies; applied twice,
	// it is skipped.
	if r := runInProcess(t, env, "contacts", "sync", "--plan-out", plan, in); r.code != 0 {
		t.Fatalf("%s", r)
	}
	if r := runInProcess(t, env, "contacts", "sync", "--apply", "--plan", plan); r.code != 0 || !strings.Contains(r.stdout, "updated 2") {
		t.Fatalf("%s", r)
	}
	if r := runInProcess(t, env, "contacts", "sync", "--apply", "--plan", plan); r.code != 0 || !strings.Contains(r.stdout, "updated 0, unsubscribed 0, deleted 0, failed 0, skipped 2") {
		t.Fatalf("%s", r)
	}
}

// TestSyncResumesAfterInterruption stops an --apply at a random change (answered, or
// applied but never answered), reruns the same command, and checks that every change
// was applied once and the account matches the file.
func TestSyncResumesAfterInterruption(t *testing.T) {
	for trial := range 6 {
		inFlight, saved := trial%2 == 1, trial >= 4
		t.Run(fmt.Sprintf("trial%d/inflight=%v/saved=%v", trial, inFlight, saved), func(t *testing.T) {
			fake := privytest.New(privytest.WithSeed(2, 60), privytest.WithT(t), privytest.WithLimits(1_000_000, 1_000_000))
			ctx, cancel := context.WithCancel(t.Context())
			var stopAt atomic.Int64
			var muts atomic.Int64
			var once sync.Once
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet || stopAt.Load() == 0 || muts.Add(1) != stopAt.Load() {
					fake.ServeHTTP(w, r)
					return
				}
				if inFlight {
					fake.ServeHTTP(httptest.NewRecorder(), r) // applied, never answered
					once.Do(cancel)
					<-r.Context().Done()
					return
				}
				fake.ServeHTTP(w, r)
				w.(http.Flusher).Flush()
				once.Do(cancel)
			}))
			t.Cleanup(ts.Close)
			env := map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_TOKEN": privytest.DefaultToken}
			recs := exportRows(t, env)
			email, first, consent := col(recs, "email"), col(recs, "first_name"), col(recs, "email_consent")
			for i, rec := range recs[1:] {
				if i%4 == 0 {
					rec[first] += "-v2"
				}
				if i%9 == 0 && rec[email] != "" && rec[consent] == "subscribed" {
					rec[consent] = "unsubscribed"
				}
			}
			for i := range 8 {
				row := make([]string, len(recs[0]))
				row[email], row[first] = fmt.Sprintf("fresh%d@example.com", i), "Fresh"
				recs = append(recs, row)
			}
			dir := t.TempDir()
			in := writeRecords(t, filepath.Join(dir, "in.csv"), recs)
			args := []string{"contacts", "sync", "--apply", "--consent", in}
			if saved {
				plan := filepath.Join(dir, "plan.json")
				if r := runInProcess(t, env, "contacts", "sync", "--consent", "--plan-out", plan, in); r.code != 0 {
					t.Fatalf("%s", r)
				}
				args = []string{"contacts", "sync", "--apply", "--plan", plan}
			}
			r := runInProcess(t, env, "-o", "json", "contacts", "sync", "--consent", in)
			steps := len(decodePlan(t, r.stdout).Steps)
			// Stop at a step before the last: a stop after the last answered step leaves
			// nothing to resume (the run completes, exit 0).
			k := 1 + rand.IntN(max(steps-1, 1))
			t.Logf("%d steps; stopping at %d", steps, k)
			fake.ResetRequests()
			stopAt.Store(int64(k))
			var out, errb safeBuffer
			code := Run(ctx, append([]string{"-o", "json"}, args...), strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
			if code != exitInterrupted || !strings.Contains(errb.String(), "rerun the same command to resume") {
				t.Fatalf("stopped run: exit %d\n%s%s", code, out.String(), errb.String())
			}
			var first1 syncSummary
			json.Unmarshal([]byte(out.String()), &first1)
			stopAt.Store(0)
			r = runInProcess(t, env, append([]string{"-o", "json"}, args...)...)
			if r.code != 0 {
				t.Fatalf("rerun: %s", r)
			}
			var second syncSummary
			if err := json.Unmarshal([]byte(r.stdout), &second); err != nil || !second.Complete {
				t.Fatalf("rerun summary: %v %s", err, r.stdout)
			}
			done1 := first1.Created + first1.Updated + first1.Unsubscribed
			done2 := second.Created + second.Updated + second.Unsubscribed
			if second.Skipped != done1 || done1+done2 != steps || second.Failed != 0 {
				t.Errorf("first run %+v, rerun %+v: want every one of %d steps counted once", first1, second, steps)
			}
			// Every create applied once; the account matches the file.
			created := map[string]int{}
			for _, req := range fake.Requests() {
				if req.Operation == "createContact" && req.Status == http.StatusCreated {
					var b struct{ Email string }
					json.Unmarshal(req.Body, &b)
					created[b.Email]++
				}
			}
			for e, n := range created {
				if n != 1 {
					t.Errorf("%s created %d times", e, n)
				}
			}
			r = runInProcess(t, env, "-o", "json", "contacts", "sync", "--consent", in)
			if p := decodePlan(t, r.stdout); len(p.Steps) != 0 {
				t.Errorf("after the rerun the plan still has %d steps", len(p.Steps))
			}
		})
	}
}

// TestSyncPacesWithinBudget applies more changes than a minute allows, on a fake clock shared
// by the fake and the client: the fake never answers 429 and the apply waited for the windows.
func TestSyncPacesWithinBudget(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := privytest.NewClock(start)
	srv := privytest.NewServer(privytest.WithSeed(1, 30), privytest.WithT(t), privytest.WithClock(clock), privytest.WithLimits(10, 10_000))
	t.Cleanup(srv.Close)
	env := envFor(srv, "")
	recs := exportRows(t, env)
	first := col(recs, "first_name")
	for _, rec := range recs[1:26] {
		rec[first] += "-paced"
	}
	in := writeRecords(t, filepath.Join(t.TempDir(), "in.csv"), recs)
	clock.Advance(time.Minute) // a fresh window after the export
	began := clock.Now()
	var out, errb safeBuffer
	a := &app{ctx: t.Context(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		env: func(k string) string { return env[k] }, clientOpts: []privy.Option{privy.WithClock(clock)}}
	if code := a.run([]string{"contacts", "sync", "--apply", in}); code != 0 || !strings.Contains(out.String(), "updated 25") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	for _, r := range srv.Requests() {
		if r.Status == http.StatusTooManyRequests {
			t.Fatal("the fake answered 429 to the only client")
		}
	}
	if waited := clock.Now().Sub(began); waited < 2*time.Minute {
		t.Errorf("26 requests at 10 a minute took %v on the clock, want at least 2m", waited)
	}
}
