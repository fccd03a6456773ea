// Package privytest provides an in-memory Privy Contacts API for tests, in the manner of
// net/http/httptest: NewServer starts it on a loopback port, and a Fake is also a plain
// http.Handler.
//
// The fake is stateful and behaves like the documented API: contacts keyed by email and by
// phone number, the token exchange, scopes, validation with the documented messages, rate
// limits with their headers, all from an injectable clock. It implements the operations
// through the strict server interface generated from openapi.yaml and proves on every call
// that both sides honour the spec: requests are validated with package spec (a violation is
// the API's 422), and so is every response the fake itself produces; a violation there is a
// bug of the fake, reported to the test given with WithT (naming the operation, the JSON
// pointer and the rule), to WithViolationHandler, or else logged.
//
// # What the spec drives
//
// The store derives from openapi.yaml (through internal/specmodel) what a contact is: it keeps
// every property the spec's Contact declares and returns them in the spec's order (Contacts
// decodes them into gen.Contact; ContactsJSON keeps them all); a create or update request's
// properties are applied from the raw body, each onto the contact property it sets
// (x-privy-contact-fields when the names differ); a property nobody set takes the request
// field's default:, else null, [] or {} (absent when the contact does not require it); a list
// filter named like a contact property matches by equality (membership for an array
// property; case-insensitively for values marked x-privy-case-insensitive). Error messages
// come from the spec's x-privy-message, x-privy-messages and x-privy-value-errors. An
// additive spec change thus reaches the fake after `make generate`; a spec that lacks a name
// the fake's own behaviour hangs on (created_at, updated_at, email_permission, a message)
// makes New panic, naming it.
//
// # Order of checks
//
// For the contacts operations (below /v1): authentication (401 unauthorized), then the rate
// limit (429 rate_limited with Retry-After), then an injected fault if any (see Inject), then
// the token's scope (403 insufficient_scope), then request validation (422
// validation_failed, one details entry per violation; a malformed JSON body is reported on
// field "base"), then the operation. POST /oauth/token is not authenticated or rate limited.
//
// # Rate limits
//
// Every token of a Fake belongs to one account, which has a minute window (aligned on the
// minute) and a day window (aligned on midnight UTC); WithLimits sets their sizes. A request
// counts against both windows once it is authenticated and within budget, whatever its
// outcome (403, 422, 404, an injected fault). Requests that fail authentication do not count
// (they cannot be attributed to the account, and a stranger must not be able to drain it), nor
// do requests refused with 429, nor token exchanges. Every response, errors included, carries
// the six X-RateLimit-* headers; a 429 also carries Retry-After, the seconds until the
// exhausted window resets.
//
// # Cost
//
// Checking every response against the spec is on by default; WithoutContractCheck turns it
// off (requests are always validated: that is how the fake answers 422). On a 2-core
// machine, through loopback HTTP with the generated client, a 100-contact list page took
// about 2.2 to 4.5 ms with the check and 1.1 to 1.7 ms without; a create about 0.19 to 0.37
// ms with and 0.15 to 0.18 ms without (BenchmarkListPage, BenchmarkCreate). Contacts are
// stored as the JSON of each property, so a page is written without re-encoding (about
// 312 KB and 2,500 allocations per 100-contact page without the check, against 402 KB and
// 3,800 when contacts were generated structs), and seeding encodes up front: 100,000
// contacts cost about 0.45 s of CPU and 155 MB (0.2 s and 76 MB before). An unfiltered page
// costs O(per_page) whatever the size of the store.
//
// # Decisions where the documentation is open
//
//   - Emails are matched case-insensitively (uniqueness, lookups and the email filter); the
//     contact keeps the spelling it was created with.
//   - sms_consent "subscribed" needs a phone number from one of the calling codes of
//     WithSMSCountries (+1, +44 and +61 by default); sms_consent "unsubscribed" is refused for
//     a new contact. Both are 422 on field sms_consent with the spec's x-privy-value-errors
//     messages, checked before conflicts (409). sms_consent defaults to non_subscribed, as the
//     spec's default: says.
//   - Creating a contact whose email (or, failing that, phone number) belongs to a deleted
//     contact restores that contact: it keeps its created_at and takes the new data; the
//     answer is 201 like any creation.
//   - A null custom field value clears the field: it is not stored.
//   - Lists are ordered by created_at, then by creation order; a page past the end has
//     data [] and the true totals.
//   - The token endpoint takes the client's credentials from the form (client_id,
//     client_secret) or from HTTP Basic (RFC 6749 §2.3.1, the id and secret form-urlencoded),
//     not both. Its errors follow RFC 6749 §5.2: 400 invalid_request (a missing or repeated
//     parameter, two authentication methods, a malformed form), 400 unsupported_grant_type,
//     400 invalid_scope for a scope the spec does not declare; 401 invalid_client (no, or
//     wrong, credentials; with WWW-Authenticate: Basic when HTTP Basic was used) in the API's
//     error envelope, and 401 invalid_scope for a declared scope not enabled on the
//     application, as the docs say (the OAuth 2.0 form, so that clients meet both shapes).
//     Access tokens expire 7200 seconds after the exchange, on the fake's clock.
//   - Timestamps are the clock's time in UTC, truncated to the second.
//   - An unknown path answers 404 not_found outside the contract.
package privytest
