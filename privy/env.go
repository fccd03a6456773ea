package privy

import (
	"fmt"
	"os"
	"strings"
)

// NewFromEnv returns a Client configured from the environment: PRIVY_TOKEN, or PRIVY_CLIENT_ID
// and PRIVY_CLIENT_SECRET (with PRIVY_SCOPES, separated by spaces or commas), and
// PRIVY_BASE_URL. PRIVY_TOKEN wins over client credentials; opts are applied after the
// environment, so they win over both.
func NewFromEnv(opts ...Option) (*Client, error) {
	var env []Option
	named := func(name string, o Option) Option {
		return func(opts *options) error {
			if err := o(opts); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		}
	}
	if u := os.Getenv("PRIVY_BASE_URL"); u != "" {
		env = append(env, named("PRIVY_BASE_URL", WithBaseURL(u)))
	}
	id, secret := os.Getenv("PRIVY_CLIENT_ID"), os.Getenv("PRIVY_CLIENT_SECRET")
	switch tok := os.Getenv("PRIVY_TOKEN"); {
	case tok != "":
		env = append(env, named("PRIVY_TOKEN", WithToken(tok)))
	case id != "" || secret != "":
		scopes := strings.FieldsFunc(os.Getenv("PRIVY_SCOPES"), func(r rune) bool { return r == ',' || r == ' ' })
		env = append(env, named("PRIVY_CLIENT_ID/PRIVY_CLIENT_SECRET", WithClientCredentials(id, secret, scopes...)))
	}
	return New(append(env, opts...)...)
}
