package privy

import (
	"bytes"
	"net/url"
)

// redacted replaces a credential in whatever the client hands back or logs.
const redacted = "[REDACTED]"

// scrub returns b with every credential the client knows replaced: the API token, the OAuth
// client secret and the access tokens it was issued, as sent and as URL-encoded.
func (t *Transport) scrub(b []byte) []byte {
	return scrubSecrets(b, t.secrets())
}

// secrets lists the credentials of t.
func (t *Transport) secrets() []string {
	return append([]string{t.o.token, t.o.clientSecret}, t.creds.issued()...)
}

func scrubSecrets(b []byte, secrets []string) []byte {
	for _, s := range secrets {
		if len(s) < 4 { // too short to be a credential, and would mangle the text
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if bytes.Contains(b, []byte(form)) {
				b = bytes.ReplaceAll(b, []byte(form), []byte(redacted))
			}
		}
	}
	return b
}
