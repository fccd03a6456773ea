package cli

import (
	"cmp"
	"errors"
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

// newClient builds the API client from the global flags and the environment, read by
// privy.EnvOptions (through the env function given to Run); --token-file wins over it.
func (a *app) newClient() (*privy.Client, error) {
	opts, _, err := a.clientOptions()
	if err != nil {
		return nil, err
	}
	c, err := privy.New(opts...)
	if err != nil {
		return nil, a.clientError(err)
	}
	return c, nil
}

// clientOptions returns the client's options from the global flags and the environment, and
// the API base URL they configure ("" for the default).
func (a *app) clientOptions() ([]privy.Option, string, error) {
	opts := []privy.Option{privy.WithLogger(a.log), privy.WithUserAgent("privy-cli/" + privy.Version()), privy.WithTimeout(a.timeout)}
	baseURL := strings.TrimSpace(a.env(privy.EnvBaseURL)) // for the recorder's paths; privy reads it too
	if a.fake {
		srv := privytest.NewServer(privytest.WithSeed(fakeSeed, fakeContacts), privytest.WithLogger(a.warnLogger()))
		a.cleanups = append(a.cleanups, srv.Close)
		baseURL = srv.URL
		opts = append(opts, privy.WithBaseURL(srv.URL), privy.WithToken(privytest.DefaultToken), privy.WithTokenURL(srv.TokenURL))
	} else {
		getenv := a.env
		if a.tokenFile != "" { // the file wins: credentials in the environment are not read
			getenv = func(k string) string {
				if k == privy.EnvBaseURL {
					return a.env(k)
				}
				return ""
			}
		}
		opts = append(opts, privy.EnvOptions(getenv)...)
	}
	if a.tokenFile != "" && !a.fake {
		tok, err := a.readTokenFile()
		if err != nil {
			return nil, "", err
		}
		opts = append(opts, privy.WithToken(tok))
	}
	if !a.fake && a.tokenFile == "" {
		// What the process knows of credentials is scrubbed from all it prints or records.
		a.secrets.add(strings.TrimSpace(a.env(privy.EnvToken)))
		a.secrets.add(strings.TrimSpace(a.env(privy.EnvClientSecret)))
	}
	transport, err := a.transport(baseURL)
	if err != nil {
		return nil, "", err
	}
	opts = append(opts, privy.WithHTTPClient(&http.Client{Transport: transport}))
	if a.drift {
		opts = append(opts, privy.WithDriftDetection(nil), privy.WithLogger(a.warnLogger()))
	}
	a.baseURL = cmp.Or(baseURL, privy.DefaultBaseURL)
	return append(opts, a.clientOpts...), baseURL, nil
}

// clientError turns an error of privy.New or privy.NewTransport into the CLI's error: missing
// or bad credentials are authentication errors, other option errors usage errors naming what
// the user set (an environment variable or a flag), not the library's option.
func (a *app) clientError(err error) error {
	var envErr *privy.EnvError
	switch {
	case errors.Is(err, privy.ErrNoCredentials):
		return &authError{msg: "no credentials: set PRIVY_TOKEN (or PRIVY_CLIENT_ID and PRIVY_CLIENT_SECRET), pass --token-file PATH, or try --fake"}
	case errors.As(err, &envErr) && envErr.Credentials():
		return &authError{msg: envErr.Error()}
	case err != nil:
		// Option errors name the option or variable, never the secret's value.
		return &usageError{msg: a.userSettings().Replace(err.Error())}
	}
	return nil
}

// readTokenFile reads --token-file: one token, white space and a byte-order mark trimmed.
func (a *app) readTokenFile() (string, error) {
	b, err := os.ReadFile(a.tokenFile)
	if err != nil {
		return "", &authError{msg: fmt.Sprintf("--token-file: %v", err)}
	}
	// Editors on Windows save a byte order mark and CRLF: neither is part of the token.
	tok := strings.TrimSpace(strings.TrimPrefix(string(b), utf8BOM))
	if tok == "" {
		return "", &authError{msg: fmt.Sprintf("--token-file %s is empty", a.tokenFile)}
	}
	if info, err := os.Stat(a.tokenFile); err == nil && runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(a.stderr, "warning: --token-file %s can be read by other users; chmod 600 it\n", a.tokenFile)
	}
	return tok, nil
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
