package cli

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// fakeSeed and fakeContacts seed the --fake server.
const (
	fakeSeed     = 1
	fakeContacts = 150
)

// newClient builds the API client from the global flags and the environment, exactly as
// privy.NewFromEnv reads it (but through the env function given to Run).
func (a *app) newClient() (*privy.Client, error) {
	opts := []privy.Option{privy.WithLogger(a.log), privy.WithUserAgent("privy-cli/" + privy.Version)}
	baseURL := strings.TrimSpace(a.env("PRIVY_BASE_URL"))
	switch {
	case a.fake:
		srv := privytest.NewServer(privytest.WithSeed(fakeSeed, fakeContacts), privytest.WithLogger(a.warnLogger()))
		a.cleanups = append(a.cleanups, srv.Close)
		baseURL = srv.URL
		opts = append(opts, privy.WithToken(privytest.DefaultToken), privy.WithTokenURL(srv.TokenURL))
	case a.tokenFile != "":
		b, err := os.ReadFile(a.tokenFile)
		if err != nil {
			return nil, &authError{msg: fmt.Sprintf("--token-file: %v", err)}
		}
		// Editors on Windows save a byte order mark and CRLF: neither is part of the token.
		tok := strings.TrimSpace(strings.TrimPrefix(string(b), utf8BOM))
		if tok == "" {
			return nil, &authError{msg: fmt.Sprintf("--token-file %s is empty", a.tokenFile)}
		}
		if info, err := os.Stat(a.tokenFile); err == nil && runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(a.stderr, "warning: --token-file %s can be read by other users; chmod 600 it\n", a.tokenFile)
		}
		a.secrets.add(tok)
		opts = append(opts, privy.WithToken(tok))
	case strings.TrimSpace(a.env("PRIVY_TOKEN")) != "":
		a.secrets.add(strings.TrimSpace(a.env("PRIVY_TOKEN")))
		opts = append(opts, privy.WithToken(strings.TrimSpace(a.env("PRIVY_TOKEN"))))
	case a.env("PRIVY_CLIENT_ID") != "" || a.env("PRIVY_CLIENT_SECRET") != "":
		id, secret := strings.TrimSpace(a.env("PRIVY_CLIENT_ID")), strings.TrimSpace(a.env("PRIVY_CLIENT_SECRET"))
		if id == "" || secret == "" {
			return nil, &authError{msg: "PRIVY_CLIENT_ID and PRIVY_CLIENT_SECRET must both be set"}
		}
		a.secrets.add(secret)
		scopes := strings.FieldsFunc(a.env("PRIVY_SCOPES"), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		opts = append(opts, privy.WithClientCredentials(id, secret, scopes...))
	default:
		return nil, &authError{msg: "no credentials: set PRIVY_TOKEN (or PRIVY_CLIENT_ID and PRIVY_CLIENT_SECRET), pass --token-file PATH, or try --fake"}
	}
	if baseURL != "" {
		opts = append(opts, privy.WithBaseURL(baseURL))
	}
	transport, err := a.transport(baseURL)
	if err != nil {
		return nil, err
	}
	opts = append(opts, privy.WithHTTPClient(&http.Client{Transport: transport}))
	if a.drift {
		opts = append(opts, privy.WithDriftDetection(nil), privy.WithLogger(a.warnLogger()))
	}
	opts = append(opts, a.clientOpts...)
	c, err := privy.New(opts...)
	if err != nil {
		// Option errors name the option, never the secret's value; say what the user set.
		return nil, &usageError{msg: a.userSettings().Replace(err.Error())}
	}
	a.baseURL = cmp.Or(baseURL, privy.DefaultBaseURL)
	return c, nil
}

// userSettings rewrites the library's option names in an error into what the user set: an
// environment variable or a flag.
func (a *app) userSettings() *strings.Replacer {
	token := "PRIVY_TOKEN"
	if a.tokenFile != "" {
		token = "--token-file " + a.tokenFile
	}
	return strings.NewReplacer(
		"privy: ", "",
		"use WithToken or WithClientCredentials", "set PRIVY_TOKEN (or PRIVY_CLIENT_ID and PRIVY_CLIENT_SECRET) or use --token-file",
		"WithToken", token,
		"WithClientCredentials", "PRIVY_CLIENT_ID/PRIVY_CLIENT_SECRET/PRIVY_SCOPES",
		"WithBaseURL", "PRIVY_BASE_URL",
		"WithTokenURL", "the token URL (from PRIVY_BASE_URL)",
	)
}

// transport stacks the --debug logger and the --record recorder on the default transport.
func (a *app) transport(baseURL string) (http.RoundTripper, error) {
	var rt http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if a.recordDir != "" {
		base := "/v1"
		if baseURL != "" {
			if u, err := url.Parse(baseURL); err == nil {
				base = strings.TrimRight(u.Path, "/")
			}
		}
		// Recording never fails the command: without a usable directory it is skipped.
		if rec, err := newRecorder(a.recordDir, base, rt, a.warnLogger(), &a.secrets); err != nil {
			a.warnLogger().Warn("--record: not recording", "err", err)
		} else {
			rt = rec
		}
	}
	if a.debug {
		rt = &logTransport{next: rt, log: a.log, now: time.Now}
	}
	return hookTransport{next: rt}, nil
}

// warnLogger is the debug logger with --debug, else a logger of warnings to stderr.
func (a *app) warnLogger() *slog.Logger {
	if a.debug {
		return a.log
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
