package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// syncBenchFile writes the account's export with 2 % of the contacts changed (a new first
// name) and 1 % new rows, as issue 13's benchmark asks. It returns the path and the number
// of rows.
func syncBenchFile(b *testing.B, env map[string]string, n int) (string, int) {
	dir := b.TempDir()
	exported := filepath.Join(dir, "export.csv")
	a := &app{ctx: b.Context(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, env: func(k string) string { return env[k] }}
	if code := a.run([]string{"contacts", "export", "--format", "csv", "--out", exported}); code != 0 {
		b.Fatalf("export exit %d", code)
	}
	f, err := os.Open(exported)
	if err != nil {
		b.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	first, email := slices.Index(recs[0], "first_name"), slices.Index(recs[0], "email")
	for i := 1; i < len(recs); i += 50 {
		recs[i][first] += "x"
	}
	for i := range n / 100 {
		row := make([]string, len(recs[0]))
		row[email], row[first] = fmt.Sprintf("bench.new%d@example.com", i), "New"
		recs = append(recs, row)
	}
	in := filepath.Join(dir, "in.csv")
	out, err := os.Create(in)
	if err != nil {
		b.Fatal(err)
	}
	w := csv.NewWriter(out)
	if err := w.WriteAll(recs); err != nil {
		b.Fatal(err)
	}
	out.Close()
	return in, len(recs) - 1
}

// importUpsertRequests is what "import --upsert" spends on the file, by its documented
// behaviour: one create per row, and an update after each 409 when the row has something an
// update can change.
func importUpsertRequests(b *testing.B, path string, exists func(email, phone string) bool) int {
	in, err := openCSV(path)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	n := 0
	for {
		rec, line, _, err := in.next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		row := in.cols.parseRow(line, rec)
		n++
		if exists(strings.ToLower(deref(row.Create.Email)), deref(row.Create.PhoneNumber)) {
			if _, ok := updateFor(row.Create); ok {
				n++
			}
		}
	}
}

// benchmarkSync reports, for an account of n contacts and a file with 2 % changed and 1 %
// new rows: the mean planning time (wall and CPU) and the peak heap (against a fake-server subprocess, so that the
// fake's own memory is not counted), and the requests "sync --apply" spends (against an
// in-process fake at the documented 60 a minute on a fake clock) ÷ those "import --upsert"
// would spend.
func benchmarkSync(b *testing.B, n int) {
	env := exportServer(b, n)
	in, rows := syncBenchFile(b, env, n)
	var planSec, planCPU, peak float64
	runs := 0
	for b.Loop() {
		stop := heapPeak()
		start, cpu := time.Now(), cpuSeconds()
		a := &app{ctx: b.Context(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
			env: func(k string) string { return env[k] }, output: outputJSON}
		if code := a.run([]string{"contacts", "sync", in}); code != 0 {
			b.Fatalf("plan exit %d", code)
		}
		planSec += time.Since(start).Seconds()
		planCPU += cpuSeconds() - cpu
		runs++
		peak = max(peak, stop())
	}
	b.StopTimer()

	clock := privytest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	fake := privytest.New(privytest.WithClock(clock), privytest.WithSeed(1, n), privytest.WithoutContractCheck())
	ts := httptest.NewServer(fake)
	defer ts.Close()
	emails, phones := map[string]bool{}, map[string]bool{}
	for _, c := range fake.Contacts() {
		emails[strings.ToLower(deref(c.Email))] = c.Email != nil
		phones[deref(c.PhoneNumber)] = c.PhoneNumber != nil
	}
	importReqs := importUpsertRequests(b, in, func(e, p string) bool { return emails[e] || (e == "" && phones[p]) })
	fenv := map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_TOKEN": privytest.DefaultToken}
	a := &app{ctx: b.Context(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		env: func(k string) string { return fenv[k] }, clientOpts: []privy.Option{privy.WithClock(clock)}}
	if code := a.run([]string{"contacts", "sync", "--apply", in}); code != 0 {
		b.Fatalf("apply exit %d", code)
	}
	syncReqs := len(fake.Requests())
	b.ReportMetric(planSec/float64(runs), "plan-s")
	b.ReportMetric(planCPU/float64(runs), "plan-cpu-s")
	b.ReportMetric(peak, "peak-MB")
	b.ReportMetric(float64(syncReqs), "sync-requests")
	b.ReportMetric(float64(importReqs), "import-upsert-requests")
	b.ReportMetric(float64(syncReqs)/float64(importReqs), "sync/import")
	b.ReportMetric(float64(rows), "rows")
}

// cpuSeconds is the CPU time (user and system) this process has used: on a shared machine a
// steadier measure of the planning's own work than the wall clock.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// BenchmarkSync10k and BenchmarkSync100k: issue 13's benchmark (goal: sync/import below 0.03).
func BenchmarkSync10k(b *testing.B)  { benchmarkSync(b, 10_000) }
func BenchmarkSync100k(b *testing.B) { benchmarkSync(b, 100_000) }
