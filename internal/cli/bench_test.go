package cli

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// heapPeak samples the in-use heap until stop is called and returns the peak above the
// in-use heap at the start (after a GC), in MB. The fake's store, built before, is not counted.
func heapPeak() (stop func() float64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	peak.Store(base)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	})
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(peak.Load()-base) / (1 << 20)
	}
}

// exportServer serves a fake holding n contacts, with limits that never bind, from a
// "privy fake-server" subprocess, so that the fake's store and its garbage stay out of the
// heap measured here. It returns the environment to reach it.
func exportServer(b *testing.B, n int) map[string]string {
	cmd := exec.Command(binPath, "fake-server", "--addr", "127.0.0.1:0", "--contacts", strconv.Itoa(n),
		"--per-minute", "1000000000", "--per-day", "1000000000")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	env := map[string]string{}
	sc := bufio.NewScanner(out)
	for len(env) < 2 && sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		env[k] = v
	}
	go io.Copy(io.Discard, out)
	if env["PRIVY_TOKEN"] == "" {
		b.Fatalf("fake-server printed %v", env)
	}
	return env
}

func benchmarkExport(b *testing.B, n int, format string) {
	env := exportServer(b, n)
	var peak float64
	b.ReportAllocs()
	for b.Loop() {
		stop := heapPeak()
		var count countingWriter
		a := &app{ctx: b.Context(), stdin: strings.NewReader(""), stdout: &count, stderr: io.Discard, env: func(k string) string { return env[k] }}
		if code := a.run([]string{"contacts", "export", "--format", format}); code != 0 {
			b.Fatalf("exit %d", code)
		}
		peak = max(peak, stop())
		if count.lines != n+map[string]int{formatNDJSON: 0, formatCSV: 1, formatJSON: 2}[format] {
			b.Fatalf("%d lines written, want %d contacts", count.lines, n)
		}
	}
	b.ReportMetric(peak, "peak-MB")
	b.ReportMetric(float64(n), "contacts")
}

// benchmarkExportRSS runs the privy binary's export of n contacts and reports its peak
// resident set size (the whole process: runtime, spec, buffers), which must stay flat as n grows.
func benchmarkExportRSS(b *testing.B, n int) {
	env := exportServer(b, n)
	var peak int64
	for b.Loop() {
		cmd := exec.Command(binPath, "contacts", "export", "--format", formatCSV)
		cmd.Env = []string{"PRIVY_BASE_URL=" + env["PRIVY_BASE_URL"], "PRIVY_TOKEN=" + env["PRIVY_TOKEN"], "HOME=" + b.TempDir()}
		var count countingWriter
		cmd.Stdout = &count
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		if count.lines != n+1 {
			b.Fatalf("%d lines written, want %d contacts and the header", count.lines, n)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, int64(ru.Maxrss)) // KiB on Linux
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
}

// BenchmarkExportRSS10k and BenchmarkExportRSS100k: the binary's peak RSS for an export.
func BenchmarkExportRSS10k(b *testing.B)  { benchmarkExportRSS(b, 10_000) }
func BenchmarkExportRSS100k(b *testing.B) { benchmarkExportRSS(b, 100_000) }

type countingWriter struct{ lines int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines += strings.Count(string(p), "\n")
	return len(p), nil
}

// BenchmarkExport10k and BenchmarkExport100k export every contact of the fake (100 per
// request); peak-MB (the heap above the fake's own store) must stay flat as the count grows.
func BenchmarkExport10k(b *testing.B)     { benchmarkExport(b, 10_000, formatNDJSON) }
func BenchmarkExport100k(b *testing.B)    { benchmarkExport(b, 100_000, formatNDJSON) }
func BenchmarkExportCSV10k(b *testing.B)  { benchmarkExport(b, 10_000, formatCSV) }
func BenchmarkExportCSV100k(b *testing.B) { benchmarkExport(b, 100_000, formatCSV) }

// BenchmarkExportBaseline10k is the floor beside BenchmarkExport10k: the same pages fetched
// with plain GETs and thrown away, without the client, decoding or writing.
func BenchmarkExportBaseline10k(b *testing.B) {
	const n = 10_000
	env := exportServer(b, n)
	hc := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		for page := 1; page <= n/100; page++ {
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/contacts?per_page=100&page=%d", env["PRIVY_BASE_URL"], page), nil)
			req.Header.Set("Authorization", "Bearer "+env["PRIVY_TOKEN"])
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
}

// BenchmarkImportPacing imports rows against a fake with a small budget (20 a minute) on a
// fake clock shared by the fake and the client, and reports how full each minute window was
// (requests achieved ÷ allowed, over the windows before the last; ≥ 0.95 expected) and how
// many 429s the fake answered (0 expected).
func BenchmarkImportPacing(b *testing.B) {
	const (
		perMinute = 20
		rows      = 200
	)
	var fill, tooMany float64
	for b.Loop() {
		b.StopTimer()
		clock := privytest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		fake := privytest.New(privytest.WithClock(clock), privytest.WithLimits(perMinute, 100_000), privytest.WithoutContractCheck())
		var mu sync.Mutex
		perWindow := map[time.Time]int{}
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				mu.Lock()
				perWindow[clock.Now().Truncate(time.Minute)]++
				mu.Unlock()
			}
			fake.ServeHTTP(w, r)
		}))
		dir := b.TempDir()
		lines := []string{"email"}
		for i := range rows {
			lines = append(lines, fmt.Sprintf("p%d@example.com", i))
		}
		in := filepath.Join(dir, "in.csv")
		writeFileB(b, in, strings.Join(lines, "\n")+"\n")
		env := map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_TOKEN": privytest.DefaultToken}
		a := &app{ctx: b.Context(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
			env: func(k string) string { return env[k] }, clientOpts: []privy.Option{privy.WithClock(clock)}}
		b.StartTimer()

		if code := a.run([]string{"contacts", "import", in}); code != 0 {
			b.Fatalf("import exit %d", code)
		}

		b.StopTimer()
		ts.Close()
		var windows []int
		for start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); len(windows) < len(perWindow); start = start.Add(time.Minute) {
			windows = append(windows, perWindow[start])
		}
		full := windows[:len(windows)-1] // the last window holds what was left
		sum := 0
		for _, n := range full {
			sum += n
		}
		fill = float64(sum) / float64(len(full)*perMinute)
		tooMany = 0
		for _, r := range fake.Requests() {
			if r.Status == http.StatusTooManyRequests {
				tooMany++
			}
		}
		if len(fake.Contacts()) != rows {
			b.Fatalf("%d contacts imported, want %d", len(fake.Contacts()), rows)
		}
		b.StartTimer()
	}
	b.ReportMetric(fill, "window-fill")
	b.ReportMetric(tooMany, "429s")
}

func writeFileB(b *testing.B, path, data string) {
	b.Helper()
	if err := writeFileErr(path, data); err != nil {
		b.Fatal(err)
	}
}
