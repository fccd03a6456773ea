package privy

import (
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/privy-go/privy-go/gen"
)

// Sentinel errors, one per documented error code; errors.Is(err, ErrNotFound) reports whether
// err is an *Error with that code.
var (
	ErrInvalidClient     = errors.New("privy: invalid_client")
	ErrInvalidScope      = errors.New("privy: invalid_scope")
	ErrUnauthorized      = errors.New("privy: unauthorized")
	ErrInsufficientScope = errors.New("privy: insufficient_scope")
	ErrNotFound          = errors.New("privy: not_found")
	ErrConflict          = errors.New("privy: conflict")
	ErrValidationFailed  = errors.New("privy: validation_failed")
	ErrRateLimited       = errors.New("privy: rate_limited")
)

var sentinels = map[ErrorCode]error{
	ErrorCodeInvalidClient: ErrInvalidClient, ErrorCodeInvalidScope: ErrInvalidScope,
	ErrorCodeUnauthorized: ErrUnauthorized, ErrorCodeInsufficientScope: ErrInsufficientScope,
	ErrorCodeNotFound: ErrNotFound, ErrorCodeConflict: ErrConflict,
	ErrorCodeValidationFailed: ErrValidationFailed, ErrorCodeRateLimited: ErrRateLimited,
}

// statusCodes gives the code of a status when the body names none (an HTML 429 from a proxy).
var statusCodes = map[int]ErrorCode{401: ErrorCodeUnauthorized, 403: ErrorCodeInsufficientScope,
	404: ErrorCodeNotFound, 409: ErrorCodeConflict, 422: ErrorCodeValidationFailed, 429: ErrorCodeRateLimited}

// Error is an error answered by the API, or one the client found before sending (pre-flight
// validation, a spent daily budget). Response is the final response, if any; its body has been
// read into Body (at most 64 KiB).
type Error struct {
	StatusCode int           // the HTTP status (429 for a request refused by local pacing)
	Code       ErrorCode     // the API's error code; "" when the body named none
	Message    string        // the API's message, or an excerpt of a body that is not JSON
	Details    []ErrorDetail // the fields that failed validation
	// RetryAfter is how long the server asked to wait, or how long until the spent budget resets.
	RetryAfter time.Duration
	RateLimit  RateLimit      // the rate-limit state of the response
	Response   *http.Response // the final response, body already read; nil if none was received
	Body       []byte         // the response body, at most 64 KiB
}

// Error formats the error as "privy: <status> <code>: <message> (<field>: <message>; ...)",
// on one line.
func (e *Error) Error() string {
	s := strings.TrimSpace("privy: " + strconv.Itoa(e.StatusCode) + " " + cmp.Or(clean(string(e.Code), 64), http.StatusText(e.StatusCode)))
	if e.Message != "" {
		s += ": " + clean(e.Message, 300)
	}
	var details []string
	for i, d := range e.Details {
		if i == 5 {
			details = append(details, strconv.Itoa(len(e.Details)-i)+" more")
			break
		}
		details = append(details, clean(d.Field, 64)+": "+clean(d.Message, 200))
	}
	if len(details) > 0 {
		s += " (" + strings.Join(details, "; ") + ")"
	}
	if e.RetryAfter > 0 {
		s += " [retry after " + e.RetryAfter.String() + "]"
	}
	return s
}

// Is reports whether target is the sentinel of e's code (or, when the body named no known
// code, of its status).
func (e *Error) Is(target error) bool {
	code := e.Code
	if _, ok := sentinels[code]; !ok {
		code = statusCodes[e.StatusCode]
	}
	return sentinels[code] == target && target != nil
}

// maxErrorBody caps how much of an error body is read.
const maxErrorBody = 64 << 10

// CheckResponse returns nil for a 2xx response; for any other it reads the body (at most 64
// KiB), closes it and returns an *Error, so that a call made with package gen through a
// Transport gets the same errors as a Client's. Retry-After dates are read by the real clock.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	return responseError(resp, time.Now())
}

// responseError reads the (capped) body of a non-2xx response and closes it.
func responseError(resp *http.Response, now time.Time) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	e := decodeError(resp.StatusCode, body)
	e.Response, e.RateLimit = resp, parseRateLimit(resp.Header, now)
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
		e.RetryAfter = d
	}
	return e
}

// decodeError turns an error body into an *Error without trusting its shape: the API's envelope,
// the OAuth form {"error": "invalid_client"}, or anything else (kept as an excerpt). Fields of
// an unexpected type are skipped, not fatal.
func decodeError(status int, body []byte) *Error {
	e := &Error{StatusCode: status, Body: body}
	var env gen.TokenError // {"error": ErrorBody or code string, "error_description": ...}
	var inner gen.ErrorBody
	if lenient(json.Unmarshal(body, &env)) && len(env.Error) > 0 {
		if json.Unmarshal(env.Error, &e.Code) == nil {
			if env.ErrorDescription != nil {
				e.Message = *env.ErrorDescription
			}
		} else if lenient(json.Unmarshal(env.Error, &inner)) {
			e.Code, e.Message = inner.Code, inner.Message
			if inner.Details != nil {
				e.Details = *inner.Details
			}
		}
	}
	if e.Code == "" && e.Message == "" {
		e.Message = clean(string(body), 200)
	}
	return e
}

func lenient(err error) bool {
	var te *json.UnmarshalTypeError
	return err == nil || errors.As(err, &te)
}

// clean returns s on one line, without control characters or invalid UTF-8, cut to max bytes.
func clean(s string, max int) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
