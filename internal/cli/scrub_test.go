package cli

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy/privytest"
)

// TestEchoedSecretsScrubbed: a server that echoes the API token (in a contact's name, in an
// error message and its details) and the OAuth client secret (in error_description) gets
// nothing of them printed or written to --record files.
func TestEchoedSecretsScrubbed(t *testing.T) {
	const clientSecret = "cl1ent-s3cret-echoed"
	fake := privytest.New(privytest.WithT(t), privytest.WithoutContractCheck())
	fake.AddToken(secretToken, time.Time{}, privytest.ScopeRead, privytest.ScopeWrite)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case strings.HasSuffix(r.URL.Path, "/oauth/token"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client","error_description":"unknown secret `+clientSecret+`"}`)
		case r.Method == http.MethodDelete:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"code":"not_found","message":"no contact for `+tok+`","details":[{"field":"base","message":"token `+tok+`"}]}}`)
		default: // the fake's answer, with "Echo" replaced by the token
			rec := httptest.NewRecorder()
			fake.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			body := bytes.ReplaceAll(rec.Body.Bytes(), []byte("Echo"), []byte(tok))
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			w.Write(body)
		}
	}))
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec")
	tokenEnv := map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_TOKEN": secretToken}
	oauthEnv := map[string]string{"PRIVY_BASE_URL": ts.URL + "/v1", "PRIVY_CLIENT_ID": "app", "PRIVY_CLIENT_SECRET": clientSecret}
	var printed strings.Builder
	for _, run := range []struct {
		env  map[string]string
		args []string
	}{
		{tokenEnv, []string{"contacts", "create", "--email", "echo@example.com", "--first-name", "Echo", "-o", "table"}},
		{tokenEnv, []string{"contacts", "create", "--email", "echo2@example.com", "--first-name", "Echo"}},
		{tokenEnv, []string{"contacts", "list", "-o", "table"}},
		{tokenEnv, []string{"contacts", "list", "-o", "json"}},
		{tokenEnv, []string{"contacts", "export", "--format", "csv"}},
		{tokenEnv, []string{"contacts", "delete", "--email", "echo@example.com"}},
		{oauthEnv, []string{"contacts", "list"}},
	} {
		for _, rn := range runners {
			r := rn.run(t, run.env, append([]string{"--record", rec}, run.args...)...)
			printed.WriteString(r.stdout + r.stderr)
		}
	}
	out := printed.String()
	for _, s := range []string{secretToken, clientSecret} {
		if strings.Contains(out, s) {
			t.Errorf("%q printed:\n%s", s, out)
		}
	}
	if n := strings.Count(out, redacted); n < 10 {
		t.Errorf("only %d [REDACTED] in the output; did the echoes happen?\n%s", n, out)
	}
	files := 0
	filepath.Walk(rec, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		b, _ := os.ReadFile(p)
		for _, s := range []string{secretToken, clientSecret} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q: %s", p, s, b)
			}
		}
		return nil
	})
	if files < 5 {
		t.Errorf("%d files recorded", files)
	}
}

// TestScrubWriterSplitSecret: a credential split across writes is scrubbed, and text that
// only starts like one is written in full by Flush.
func TestScrubWriterSplitSecret(t *testing.T) {
	var s secrets
	s.add("s3cr3t-value")
	var buf bytes.Buffer
	w := &scrubWriter{w: &buf, s: &s}
	for _, part := range []string{"a s3c", "r3t-va", "lue b s3cr"} {
		w.Write([]byte(part))
	}
	w.Flush()
	if got := buf.String(); got != "a [REDACTED] b s3cr" {
		t.Errorf("got %q", got)
	}
}
