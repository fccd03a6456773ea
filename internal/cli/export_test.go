package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

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
