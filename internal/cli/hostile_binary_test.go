//go:build unix

package cli

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The credentials of the hostile-server runs: recognisable, so that any echo of them in the
// output is caught (an API token is privy_ and 40 hex characters).
const (
	hostileToken    = "privy_" + "deadbeef" + "deadbeef" + "deadbeef" + "deadbeef" + "deadbeef"
	hostileClientID = "app_hostile_client"
	// hostileSecret changes when form-encoded, so that its encoded echo is caught too.
	hostileSecret = "cs_Sup3r+Secret/Value=&42"
	hostileAccess = "oauth_access_7f3a9c1e5b2d4f6a8c0e"
)

// runHostile runs the privy binary with env and args under a hard deadline, so that a hang
// fails the test rather than the CI job, and reports how long it took.
func runHostile(t *testing.T, deadline time.Duration, env map[string]string, args ...string) (result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = binaryEnv(t, env)
	cmd.WaitDelay = time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("privy %s did not end within its %v deadline (killed); stderr:\n%s", strings.Join(args, " "), deadline, errb.String())
	}
	code := 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running privy: %v", err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}, took
}

// hostileContact is contact number i as the API returns it.
func hostileContact(i int) string {
	return fmt.Sprintf(`{"first_name":"Person","last_name":"N%d","email":"person%d@example.com","email_permission":"subscribed",`+
		`"phone_number":null,"contact_phone_permission":"non_subscribed","tags":[],"custom_fields":{},`+
		`"created_at":"2025-01-15T10:30:00Z","updated_at":"2025-01-15T10:30:00Z"}`, i, i)
}

// writeList answers a list with contacts [from, to) and the pagination given.
func writeList(w http.ResponseWriter, from, to, page, perPage, total, pages int) {
	items := make([]string, 0, max(to-from, 0))
	for i := from; i < to; i++ {
		items = append(items, hostileContact(i))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"data":[%s],"pagination":{"page":%d,"per_page":%d,"total_count":%d,"total_pages":%d}}`,
		strings.Join(items, ","), page, perPage, total, pages)
}

// pageParams reads page and per_page as the API defaults them.
func pageParams(r *http.Request) (page, perPage int) {
	page, perPage = 1, 25
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil {
		page = n
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil {
		perPage = n
	}
	return page, perPage
}

// cappedPages serves total contacts, never more than maxPer a page, and says so in pagination.
func cappedPages(total, maxPer int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, per := pageParams(r)
		per = min(per, maxPer)
		from := (page - 1) * per
		writeList(w, min(from, total), min(from+per, total), page, per, total, (total+per-1)/per)
	}
}

// endlessBody answers 200 with the start of a list, then contacts until the client goes away.
func endlessBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"data":[`)
	chunk := []byte(strings.Repeat(hostileContact(1)+",", 200))
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// gzipBomb is a list whose body, gzip-compressed, is small and decompresses to 64 MiB.
func gzipBomb(t testing.TB) []byte {
	var b bytes.Buffer
	z, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	io.WriteString(z, `{"data":[],"pad":"`)
	zeros := bytes.Repeat([]byte("0"), 1<<20)
	for range 64 {
		z.Write(zeros)
	}
	io.WriteString(z, `"}`)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 256<<10 {
		t.Fatalf("the gzip bomb is %d bytes compressed, want it small", b.Len())
	}
	return b.Bytes()
}

// echoError answers every API request with a 422 whose message and details echo the
// Authorization header and the client secret (raw and form-encoded); /oauth/token issues
// hostileAccess, or with tokenFails answers invalid_client echoing the form it was sent.
func echoError(tokenFails bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth/token" {
			raw, _ := io.ReadAll(r.Body)
			if tokenFails {
				w.WriteHeader(http.StatusUnauthorized)
				json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client",
					"error_description": "client_secret " + hostileSecret + " is wrong; you sent " + string(raw)})
				return
			}
			fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":7200,"scope":"contacts_read","created_at":%d}`,
				hostileAccess, time.Now().Unix())
			return
		}
		auth := r.Header.Get("Authorization")
		msg := "token " + auth + " is not allowed here; secret " + hostileSecret + " / " + url.QueryEscape(hostileSecret)
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"code": "validation_failed", "message": msg,
			"details": []map[string]string{{"field": "email", "message": "you sent " + auth}},
		}})
	}
}

// TestHostileServersBinary runs the privy binary against servers that stall, drip, send
// bodies too big, endless or compressed bombs, malformed successes, pages that lie, and errors
// that echo the credentials. Each run must end well within its deadline with the documented
// exit code and an error naming the problem, and never print a credential.
func TestHostileServersBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping two dozen runs of the privy binary against hostile servers")
	}
	bomb := gzipBomb(t)
	stall := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	drip := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		for _, c := range []byte(`{"data":[],"pagination":{"page":1,"per_page":25,"total_count":0,"total_pages":0}}`) {
			if _, err := w.Write([]byte{c}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	huge := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		pad := strings.Repeat("x", 9<<20)
		w.Header().Set("Content-Length", strconv.Itoa(len(`{"data":[],"pad":""}`)+len(pad)))
		io.WriteString(w, `{"data":[],"pad":"`+pad+`"}`)
	}
	bombH := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}
	body := func(status int, s string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if s != "" {
				w.Header().Set("Content-Type", "application/json")
			}
			w.WriteHeader(status)
			io.WriteString(w, s)
		}
	}
	// announcing: page p has new contacts and announces page p+1.
	announcing := func(w http.ResponseWriter, r *http.Request) {
		page, per := pageParams(r)
		writeList(w, (page-1)*per, page*per, page, per, (page+1)*per, page+1)
	}
	// repeating: page 1 whatever is asked, labelled as page 1 or as the page asked.
	repeating := func(label bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			page, per := pageParams(r)
			if !label {
				page = 1
			}
			writeList(w, 0, per, page, per, 5*per, 5)
		}
	}
	rateLimited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"code":"rate_limited","message":"Rate limit exceeded"}}`)
	}

	list := []string{"contacts", "list", "--output", "json"}
	listAll := []string{"contacts", "list", "--all", "--output", "json"}
	export := []string{"contacts", "export", "--format", "json"}
	create := []string{"contacts", "create", "--email", "jane@example.com", "--output", "json"}
	oauth := map[string]string{"PRIVY_CLIENT_ID": hostileClientID, "PRIVY_CLIENT_SECRET": hostileSecret}
	for _, tt := range []struct {
		name   string
		h      http.HandlerFunc
		env    map[string]string // credentials; PRIVY_TOKEN when nil
		args   []string
		code   int
		stderr []string // what stderr must say (all of them)
		quiet  bool     // nothing on stdout
		within time.Duration
		count  int // contacts the output must hold, with exit 0
		maxReq int64
	}{
		{name: "stall", h: stall, args: append([]string{"--timeout", "1s"}, list...), code: 1,
			stderr: []string{"timed out", "GET /v1/contacts", "no response"}, quiet: true, within: 6 * time.Second},
		{name: "drip", h: drip, args: append([]string{"--timeout", "1s"}, list...), code: 1,
			stderr: []string{"timed out", "GET /v1/contacts", "response body"}, quiet: true, within: 6 * time.Second},
		{name: "huge body", h: huge, args: list, code: 1, stderr: []string{"larger than the 8 MiB response cap"}, quiet: true},
		{name: "endless body", h: endlessBody, args: list, code: 1, stderr: []string{"larger than the 8 MiB response cap"}, quiet: true},
		{name: "endless body, export", h: endlessBody, args: export, code: 1, stderr: []string{"larger than the 8 MiB response cap"}, quiet: true},
		{name: "gzip bomb", h: bombH, args: list, code: 1, stderr: []string{"larger than the 8 MiB response cap"}, quiet: true},
		{name: "list 204", h: body(http.StatusNoContent, ""), args: list, code: 1, stderr: []string{"malformed"}, quiet: true},
		{name: "list empty 200", h: body(http.StatusOK, ""), args: list, code: 1, stderr: []string{"malformed"}, quiet: true},
		{name: "list null", h: body(http.StatusOK, "null"), args: list, code: 1, stderr: []string{"malformed"}, quiet: true},
		{name: "list {}", h: body(http.StatusOK, "{}"), args: list, code: 1, stderr: []string{"malformed"}, quiet: true},
		{name: "list --all 204", h: body(http.StatusNoContent, ""), args: listAll, code: 1, stderr: []string{"malformed"}},
		{name: "export null", h: body(http.StatusOK, "null"), args: export, code: 1, stderr: []string{"malformed"}, quiet: true},
		{name: "create null", h: body(http.StatusCreated, "null"), args: create, code: 1, stderr: []string{"malformed"}, quiet: true},
		{name: "create 204", h: body(http.StatusNoContent, ""), args: create, code: 1, stderr: []string{"malformed"}, quiet: true},
		{name: "capped pages, export", h: cappedPages(37, 10), args: export, count: 37, maxReq: 4},
		{name: "capped pages, list --all", h: cappedPages(37, 10), args: listAll, count: 37, maxReq: 4},
		{name: "pages announced forever, list --all", h: announcing, args: listAll, code: 1,
			stderr: []string{"malformed", "keeps announcing more pages"}, maxReq: 30},
		{name: "pages announced forever, export", h: announcing, args: export, code: 1,
			stderr: []string{"malformed", "keeps announcing more pages"}, maxReq: 30},
		{name: "page 1 again, list --all", h: repeating(false), args: listAll, code: 1,
			stderr: []string{"malformed", "asked for page 2, the server answered page 1"}, maxReq: 2},
		{name: "page 1 again as page 2, export", h: repeating(true), args: export, code: 1,
			stderr: []string{"malformed", "page 2 repeats page 1"}, maxReq: 2},
		{name: "rate limited for an hour", h: rateLimited, args: list, code: 4, stderr: []string{"rate_limited"}, quiet: true, maxReq: 1},
		{name: "error echoes the token", h: echoError(false), args: list, code: 1,
			stderr: []string{"validation_failed", "[REDACTED]"}, quiet: true, maxReq: 1},
		{name: "error echoes the access token and client secret", h: echoError(false), env: oauth, args: list, code: 1,
			stderr: []string{"validation_failed", "[REDACTED]"}, quiet: true, maxReq: 2},
		{name: "token endpoint echoes the client secret", h: echoError(true), env: oauth, args: list, code: 3,
			stderr: []string{"invalid_client"}, quiet: true, maxReq: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var requests atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				tt.h(w, r)
			}))
			defer srv.Close()
			env := map[string]string{"PRIVY_BASE_URL": srv.URL + "/v1"}
			if tt.env == nil {
				env["PRIVY_TOKEN"] = hostileToken
			}
			for k, v := range tt.env {
				env[k] = v
			}
			within := cmp.Or(tt.within, 5*time.Second)
			res, took := runHostile(t, 20*time.Second, env, tt.args...)
			if took > within {
				t.Errorf("took %v, want it to end within %v", took, within)
			}
			if res.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", res.code, tt.code, res)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, res.stderr)
				}
			}
			if strings.Contains(res.stderr, "panic") || strings.Contains(res.stderr, "goroutine ") {
				t.Errorf("crashed:\n%s", res.stderr)
			}
			if tt.quiet && strings.TrimSpace(res.stdout) != "" {
				t.Errorf("printed %q on stdout, want nothing for a failed request", truncate(res.stdout))
			}
			known := []string{hostileToken, strings.TrimPrefix(hostileToken, "privy_")} // what this run knows
			if tt.env != nil {
				known = []string{hostileSecret, url.QueryEscape(hostileSecret), url.PathEscape(hostileSecret), hostileAccess}
			}
			t.Logf("exit %d in %v; stderr: %s", res.code, took.Round(time.Millisecond), truncate(res.stderr))
			for _, secret := range known {
				if strings.Contains(res.stdout, secret) || strings.Contains(res.stderr, secret) {
					t.Errorf("the output shows the credential %q:\n%s", secret, truncate(res.String()))
				}
			}
			if tt.maxReq > 0 && requests.Load() > tt.maxReq {
				t.Errorf("%d requests, want at most %d", requests.Load(), tt.maxReq)
			}
			if tt.count > 0 {
				emails := map[string]bool{}
				for _, c := range decodeContacts(t, res.stdout) {
					emails[deref(c.Email)] = true
				}
				if len(emails) != tt.count {
					t.Errorf("%d distinct contacts in the output, want %d", len(emails), tt.count)
				}
			}
		})
	}
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// BenchmarkListEndlessRSS reports the peak resident memory of "privy contacts list" against a
// server whose body never ends (the 8 MiB cap must keep it flat), beside the peak of a list
// of one page as the baseline.
func BenchmarkListEndlessRSS(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("Maxrss is in kilobytes on Linux only")
	}
	small := httptest.NewServer(cappedPages(25, 100))
	defer small.Close()
	endless := httptest.NewServer(http.HandlerFunc(endlessBody))
	defer endless.Close()
	peak := func(base string, wantCode int) int64 {
		ctx, cancel := context.WithTimeout(b.Context(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, binPath, "contacts", "list", "--output", "json")
		cmd.Env = []string{"HOME=" + b.TempDir(), "PRIVY_BASE_URL=" + base + "/v1", "PRIVY_TOKEN=" + hostileToken}
		cmd.Stdout = io.Discard
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != wantCode {
			b.Fatalf("exit %d (%v), want %d", code, err, wantCode)
		}
		return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	}
	var endlessKB, baseKB int64
	for b.Loop() {
		endlessKB = max(endlessKB, peak(endless.URL, exitFailure))
	}
	b.StopTimer()
	baseKB = peak(small.URL, exitOK)
	b.ReportMetric(float64(endlessKB), "peak-RSS-KB")
	b.ReportMetric(float64(baseKB), "baseline-RSS-KB")
}
