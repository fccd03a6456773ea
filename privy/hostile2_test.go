package privy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestScrubsEchoedCredentials: whatever the server echoes, no credential the client knows
// reaches Error.Message, Error.Body, Error.Error() or the log.
func TestScrubsEchoedCredentials(t *testing.T) {
	echo := func(secret string) string {
		return `{"error":{"code":"unauthorized","message":"token ` + secret + ` is revoked","details":[{"field":"base","message":"got ` + secret + `"}]}}`
	}
	check := func(t *testing.T, err error, logs string, secrets ...string) {
		t.Helper()
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("err = %v, want *Error", err)
		}
		dump := fmt.Sprintf("%s|%s|%s|%+v|%s", err.Error(), e.Message, e.Body, e.Details, logs)
		for _, s := range secrets {
			if strings.Contains(dump, s) {
				t.Errorf("a credential shows: %s", dump)
			}
		}
		if !strings.Contains(e.Message, redacted) {
			t.Errorf("Message = %q, want the secret replaced by %s", e.Message, redacted)
		}
	}
	t.Run("API token", func(t *testing.T) {
		var logs bytes.Buffer
		s := newServer(t, newFakeClock(), reply{status: 403, body: echo(testToken)})
		c := newTestClient(t, s, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		_, _, err := c.ListContacts(context.Background(), nil)
		check(t, err, logs.String(), testToken)
	})
	t.Run("client secret and access token", func(t *testing.T) {
		c, s, _, _ := newOAuthClient(t)
		s.queue = []reply{{status: 403, body: echo("access-1")}}
		_, _, err := c.ListContacts(context.Background(), nil)
		check(t, err, "", "access-1")

		c, _, ti, _ := newOAuthClient(t)
		ti.status, ti.body = 401, `{"error":"invalid_client","error_description":"secret `+clientSecret+` is wrong"}`
		_, _, err = c.ListContacts(context.Background(), nil)
		check(t, err, "", clientSecret)
	})
	t.Run("a base URL with a password", func(t *testing.T) {
		for _, u := range []string{"https://user:hunter2pw@api.example.com/v1", "https://user:hunter2pw@api.example.com:bad/v1", "ftp://user:hunter2pw@x/"} {
			_, err := New(WithToken(testToken), WithBaseURL(u))
			if err == nil || strings.Contains(err.Error(), "hunter2pw") {
				t.Errorf("WithBaseURL(%q): err = %v, want an error without the password", u, err)
			}
		}
	})
}

// TestRateLimitResetCapped: a reset days ahead cannot block the client for longer than the
// window it belongs to.
func TestRateLimitResetCapped(t *testing.T) {
	clock := newFakeClock()
	far := strconv.FormatInt(clock.Now().Add(72*time.Hour).Unix(), 10)
	s := newServer(t, clock, reply{status: 200, body: `{"data":[],"pagination":{"page":1,"per_page":25,"total_count":0,"total_pages":0}}`,
		header: map[string]string{"X-RateLimit-Remaining-Minute": "0", "X-RateLimit-Reset-Minute": far,
			"X-RateLimit-Remaining-Day": "0", "X-RateLimit-Reset-Day": far}})
	c := newTestClient(t, s)
	if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	rl := c.RateLimit()
	if d := rl.ResetMinute.Sub(clock.Now()); d > time.Minute+resetSkew {
		t.Errorf("minute reset %v ahead, want at most a minute plus skew", d)
	}
	_, _, err := c.ListContacts(context.Background(), nil)
	var e *Error
	if !errors.As(err, &e) || e.RetryAfter > 24*time.Hour+resetSkew {
		t.Errorf("err = %v, want the daily budget spent for at most a day", err)
	}
}

// TestRetryAfterMinuteWindowWaited: a Retry-After of a minute window plus skew is waited out
// by default, not returned.
func TestRetryAfterMinuteWindowWaited(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, clock, reply{status: 429, header: map[string]string{"Retry-After": "61"}, body: envelope("rate_limited", "slow down")})
	if _, _, err := newTestClient(t, s).ListContacts(context.Background(), nil); err != nil {
		t.Fatalf("err = %v, want the 61s wait made", err)
	}
	if w := clock.Waits(); len(w) != 1 || w[0] != 61*time.Second {
		t.Errorf("waits = %v, want [61s]", w)
	}
}

// TestOAuthExpiresInLenient: expires_in as a string, a fraction, nonsense or missing never
// fails the exchange; a usable value sets the refresh time, otherwise the default does.
func TestOAuthExpiresInLenient(t *testing.T) {
	for _, tt := range []struct {
		expires string // the JSON value, "" for none
		life    time.Duration
	}{
		{`"7200"`, 7200 * time.Second}, {`7200.9`, 7200 * time.Second}, {`" 600 "`, 600 * time.Second},
		{`"soon"`, defaultTokenLife}, {``, defaultTokenLife}, {`null`, defaultTokenLife}, {`-5`, defaultTokenLife},
		{`1e300`, 1e8 * time.Second},
	} {
		t.Run(tt.expires, func(t *testing.T) {
			c, s, ti, clock := newOAuthClient(t)
			field := ""
			if tt.expires != "" {
				field = `,"expires_in":` + tt.expires
			}
			ti.status, ti.body = 200, `{"access_token":"access-x","token_type":"Bearer"`+field+`}`
			if _, _, err := c.ListContacts(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			src := c.t.creds.(*oauthSource)
			if got := src.refresh.Sub(clock.Now()); got != tt.life-min(refreshBefore, tt.life/10) {
				t.Errorf("refresh in %v, want %v", got, tt.life-min(refreshBefore, tt.life/10))
			}
			if r := s.Requests(); len(r) != 1 || r[0].Auth != "Bearer access-x" {
				t.Errorf("requests %+v", r)
			}
		})
	}
}

// TestCheckResponse: a generated call made through the Transport gets a *privy.Error.
func TestCheckResponse(t *testing.T) {
	s := newServer(t, newFakeClock(), reply{status: 404, body: envelope("not_found", "No contact "+testToken)})
	tr, err := NewTransport(WithToken(testToken), WithBaseURL(s.URL1()), WithClock(s.clock))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL1()+"/contacts", nil)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	err = CheckResponse(resp)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrNotFound) || e.Response != resp || strings.Contains(err.Error(), testToken) {
		t.Errorf("CheckResponse = %v, want a scrubbed *Error not_found", err)
	}
	ok := &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}"))}
	if err := CheckResponse(ok); err != nil {
		t.Errorf("CheckResponse(200) = %v", err)
	}
}

// TestEnvOptions: the environment is read in one place; a bad value names the variable, not
// a library option, and never shows the value.
func TestEnvOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string // EnvError.Name; "" for success, "-" for ErrNoCredentials
	}{
		{"token trimmed", map[string]string{"PRIVY_TOKEN": " " + testToken + "\n"}, ""},
		{"token wins", map[string]string{"PRIVY_TOKEN": testToken, "PRIVY_CLIENT_ID": "x"}, ""},
		{"client credentials", map[string]string{"PRIVY_CLIENT_ID": "x", "PRIVY_CLIENT_SECRET": "y", "PRIVY_SCOPES": "contacts_read,contacts_write"}, ""},
		{"token with a space", map[string]string{"PRIVY_TOKEN": "abc def"}, "PRIVY_TOKEN"},
		{"secret alone", map[string]string{"PRIVY_CLIENT_SECRET": "y"}, "PRIVY_CLIENT_ID"},
		{"plain http", map[string]string{"PRIVY_TOKEN": testToken, "PRIVY_BASE_URL": "http://api.example.com/v1"}, "PRIVY_BASE_URL"},
		{"a password in the URL", map[string]string{"PRIVY_TOKEN": testToken, "PRIVY_BASE_URL": "https://u:hunter2pw@api.example.com/v1"}, "PRIVY_BASE_URL"},
		{"nothing", map[string]string{}, "-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(EnvOptions(func(k string) string { return tt.env[k] })...)
			var ee *EnvError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.want == "-" && !errors.Is(err, ErrNoCredentials):
				t.Errorf("err = %v, want ErrNoCredentials", err)
			case tt.want != "" && tt.want != "-" && (!errors.As(err, &ee) || ee.Name != tt.want):
				t.Errorf("err = %v, want an *EnvError naming %s", err, tt.want)
			}
			if err != nil && tt.want != "-" && (strings.Contains(err.Error(), "With") || strings.Contains(err.Error(), "hunter2pw") || strings.Contains(err.Error(), "abc def")) {
				t.Errorf("err = %q names a library option or shows a value", err)
			}
		})
	}
}

// TestTransportErrorHidesQuery: a connection failure names the request by method and path,
// without the query string (filters hold emails and phone numbers).
func TestTransportErrorHidesQuery(t *testing.T) {
	s := newServer(t, newFakeClock(), reply{hangup: true})
	_, _, err := newTestClient(t, s).ListContacts(context.Background(), &ListContactsParams{Email: ptr("private.person@example.com")})
	if err == nil || !strings.Contains(err.Error(), "GET /v1/contacts") || strings.Contains(err.Error(), "private.person") {
		t.Errorf("err = %v, want the request named without its query", err)
	}
}

// TestTokenExchangeTimeout: a token endpoint that stalls fails the call within WithTimeout.
func TestTokenExchangeTimeout(t *testing.T) {
	s := newServer(t, newFakeClock())
	s.oauth = func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so that the server notices the client hanging up
		<-r.Context().Done()
	}
	c, err := New(WithClientCredentials(clientID, clientSecret), WithBaseURL(s.URL1()), WithTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _, err = c.ListContacts(context.Background(), nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second || strings.Contains(err.Error(), clientSecret) {
		t.Errorf("err = %v after %v, want a timeout within 100ms", err, time.Since(start))
	}
}
