package privy

import (
	"errors"
	"os"
	"strings"
)

// The environment variables read by EnvOptions and NewFromEnv.
const (
	EnvToken        = "PRIVY_TOKEN"
	EnvClientID     = "PRIVY_CLIENT_ID"
	EnvClientSecret = "PRIVY_CLIENT_SECRET"
	EnvScopes       = "PRIVY_SCOPES"
	EnvBaseURL      = "PRIVY_BASE_URL"
)

// ErrNoCredentials is the error of New, NewTransport and NewFromEnv when neither an option nor
// the environment supplies credentials.
var ErrNoCredentials = errors.New("privy: no credentials: use WithToken or WithClientCredentials (or PRIVY_TOKEN, or PRIVY_CLIENT_ID and PRIVY_CLIENT_SECRET, with NewFromEnv)")

// EnvError is a bad value of an environment variable read by EnvOptions; it names the variable,
// never its value.
type EnvError struct {
	Name string // the variable, e.g. "PRIVY_TOKEN"
	Err  error
}

func (e *EnvError) Error() string { return e.Name + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *EnvError) Unwrap() error { return e.Err }

// Credentials reports whether the variable holds credentials (a bad one is an authentication
// problem rather than a configuration one).
func (e *EnvError) Credentials() bool { return e.Name != EnvBaseURL }

// EnvOptions returns the options the environment sets, read through getenv (os.Getenv for the
// process's own): PRIVY_TOKEN, or PRIVY_CLIENT_ID and PRIVY_CLIENT_SECRET with PRIVY_SCOPES
// (separated by spaces or commas), and PRIVY_BASE_URL. Values are trimmed of white space;
// PRIVY_TOKEN wins over client credentials. A bad value fails New with an *EnvError.
func EnvOptions(getenv func(string) string) []Option {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	env := func(name string, o Option) Option {
		return func(opts *options) error {
			if err := o(opts); err != nil {
				return &EnvError{Name: name, Err: err}
			}
			return nil
		}
	}
	var opts []Option
	if u := get(EnvBaseURL); u != "" {
		opts = append(opts, env(EnvBaseURL, setBaseURL(u)))
	}
	id, secret := get(EnvClientID), get(EnvClientSecret)
	switch tok := get(EnvToken); {
	case tok != "":
		opts = append(opts, env(EnvToken, setToken(tok)))
	case id == "" && secret != "":
		opts = append(opts, env(EnvClientID, fail("is not set, but PRIVY_CLIENT_SECRET is; both are required")))
	case id != "" && secret == "":
		opts = append(opts, env(EnvClientSecret, fail("is not set, but PRIVY_CLIENT_ID is; both are required")))
	case id != "":
		scopes := strings.FieldsFunc(getenv(EnvScopes), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		opts = append(opts, env(EnvClientID+"/"+EnvClientSecret, setClientCredentials(id, secret, scopes...)))
	}
	return opts
}

func fail(msg string) Option { return func(*options) error { return errors.New(msg) } }

// NewFromEnv returns a Client configured by EnvOptions(os.Getenv), then by opts, which win.
func NewFromEnv(opts ...Option) (*Client, error) {
	return New(append(EnvOptions(os.Getenv), opts...)...)
}
