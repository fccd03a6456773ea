package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest"
)

// capPerPage serves fake, lowering any per_page above max to max, as a server that caps its
// page size does (it reports the size it used in pagination.per_page).
func capPerPage(t *testing.T, fake http.Handler, max int, onList func(page int)) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/v1/contacts" {
			q := r.URL.Query()
			if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > max {
				q.Set("per_page", strconv.Itoa(max))
				r.URL.RawQuery = q.Encode()
			}
			if onList != nil {
				page, _ := strconv.Atoi(q.Get("page"))
				onList(page)
			}
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestExportFollowsCappedPageSize: a server that serves 30 contacts a page when asked for
// 100 (and says so) is followed to its last page.
func TestExportFollowsCappedPageSize(t *testing.T) {
	fake := privytest.New(privytest.WithSeed(1, 150), privytest.WithLimits(1_000_000, 1_000_000), privytest.WithT(t))
	ts := capPerPage(t, fake, 30, nil)
	env := map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_TOKEN": privytest.DefaultToken}
	for _, format := range []string{formatNDJSON, formatCSV} {
		r := runInProcess(t, env, "contacts", "export", "--format", format)
		if r.code != 0 {
			t.Fatalf("%s", r)
		}
		want := 150
		if format == formatCSV {
			want++ // the header
		}
		if n := strings.Count(r.stdout, "\n"); n != want {
			t.Errorf("%s: %d lines, want %d", format, n, want)
		}
	}
}

// terminalBuffer is a buffer that says it is a terminal, so progress bars draw into it.
type terminalBuffer struct{ safeBuffer }

func (*terminalBuffer) IsTerminal() bool { return true }

// TestExportProgressMovesWithEveryPage: when page k+1 is requested, the bar already shows k
// pages done (it is not held back by a render throttle until after the next wait).
func TestExportProgressMovesWithEveryPage(t *testing.T) {
	fake := privytest.New(privytest.WithSeed(1, 150), privytest.WithLimits(1_000_000, 1_000_000), privytest.WithT(t))
	var errb terminalBuffer
	var mu sync.Mutex
	var lagging []string
	ts := capPerPage(t, fake, 25, func(page int) {
		mu.Lock()
		defer mu.Unlock()
		if page > 1 && !strings.Contains(errb.String(), fmt.Sprintf("(%d/6", page-1)) {
			lagging = append(lagging, fmt.Sprintf("page %d requested before the bar showed %d/6", page, page-1))
		}
	})
	env := map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_TOKEN": privytest.DefaultToken}
	var out safeBuffer
	a := &app{ctx: t.Context(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb, env: func(k string) string { return env[k] }}
	if code := a.run([]string{"contacts", "export"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 150 {
		t.Errorf("%d contacts exported, want 150", n)
	}
	if len(lagging) > 0 {
		t.Errorf("the bar lags: %v", lagging)
	}
}

// TestExportReimports: a CSV export of seeded contacts imports into an empty account with
// every contact created (sms_consent "unsubscribed" omitted and counted), and into the same
// account with --upsert with every row applied.
func TestExportReimports(t *testing.T) {
	// Limits that never bind: the client paces on the real clock.
	src := newFake(t, privytest.WithLimits(1_000_000, 1_000_000))
	out := filepath.Join(t.TempDir(), "export.csv")
	if r := runInProcess(t, envFor(src, ""), "contacts", "export", "--format", "csv", "--out", out); r.code != 0 {
		t.Fatalf("export: %s", r)
	}
	data, _ := os.ReadFile(out)
	unsub := strings.Count(string(data), ",unsubscribed,") // sms_consent is before custom columns
	empty := privytest.NewServer(privytest.WithT(t), privytest.WithLimits(1_000_000, 1_000_000))
	t.Cleanup(empty.Close)
	r := runInProcess(t, envFor(empty, ""), "--output", "json", "contacts", "import", out)
	var sum importSummary
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &sum) != nil || sum.Created != 150 || sum.Rejected != 0 {
		rejects, _ := os.ReadFile(out + ".rejects.csv")
		t.Fatalf("import into an empty account: %s\nrejects:\n%s", r, rejects)
	}
	if sum.SMSUnsubscribedOmitted == 0 || sum.SMSUnsubscribedOmitted > unsub {
		t.Errorf("sms_unsubscribed_omitted = %d, the export has %d cells \"unsubscribed\"", sum.SMSUnsubscribedOmitted, unsub)
	}
	if !strings.Contains(r.stderr, `without their sms_consent "unsubscribed"`) {
		t.Errorf("no note about the omitted consent: %s", r.stderr)
	}
	byEmail := map[string]gen.Contact{}
	for _, c := range empty.Contacts() {
		byEmail[deref(c.Email)+"|"+deref(c.PhoneNumber)] = c
	}
	for _, c := range src.Contacts() {
		got, ok := byEmail[deref(c.Email)+"|"+deref(c.PhoneNumber)]
		if !ok {
			t.Errorf("%s|%s not re-imported", deref(c.Email), deref(c.PhoneNumber))
			continue
		}
		if deref(got.FirstName) != deref(c.FirstName) || got.EmailPermission != c.EmailPermission ||
			!reflect.DeepEqual(got.Tags, c.Tags) || !reflect.DeepEqual(normalizeJSON(t, got.CustomFields), normalizeJSON(t, c.CustomFields)) {
			t.Errorf("re-imported %s differs:\n got %+v\nwant %+v", deref(c.Email), got, c)
		}
	}
	os.Remove(out + ".state")
	r = runInProcess(t, envFor(src, ""), "--output", "json", "contacts", "import", "--upsert", out)
	sum = importSummary{}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &sum) != nil || sum.Updated+sum.Unchanged != 150 {
		t.Fatalf("import --upsert into the same account: %s", r)
	}
}

func normalizeJSON(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}
