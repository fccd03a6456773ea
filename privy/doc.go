// Package privy is a client for the Privy Contacts API, built over the generated package gen.
//
// A Client authenticates with an API token or OAuth client credentials, validates each request
// against the embedded OpenAPI document before sending it, paces itself by the API's
// X-RateLimit-* headers, retries only what is safe to retry, and turns every API error into an
// *Error that works with errors.Is and errors.As. The same behaviour is available on its own as
// a Transport, for code that uses package gen directly.
//
// By default only 429 responses are retried (up to 4 attempts), after Retry-After or an
// exponential backoff with jitter; a wait longer than WithMaxWait (65s: a minute window plus
// skew) or than the context's deadline returns the error at once, with the wait in
// Error.RetryAfter. WithTransientRetries also retries connection errors, timeouts and
// 502/503/504 for the operations the spec marks x-privy-idempotent (list, update, unsubscribe)
// and GET, never for create or delete.
//
// Hostile servers are bounded: each attempt by WithTimeout (30s), each response body by
// WithMaxResponseBytes (8 MiB after decompression); a success body that lacks what the spec
// requires is ErrMalformedResponse, never a zero value. Credentials the server echoes are
// replaced by [REDACTED] in errors and logs. Package privytest serves an in-memory API for tests.
package privy
