package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/privy-go/privy-go/privy"
)

// exitCode maps an error to the documented exit codes.
func exitCode(ctx context.Context, err error) int {
	var (
		usage  *usageError
		auth   *authError
		failed *failedError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usage):
		return exitUsage
	case errors.As(err, &auth),
		errors.Is(err, privy.ErrUnauthorized), errors.Is(err, privy.ErrInsufficientScope),
		errors.Is(err, privy.ErrInvalidClient), errors.Is(err, privy.ErrInvalidScope):
		return exitAuth
	case errors.Is(err, privy.ErrRateLimited):
		return exitRateLimit
	case errors.As(err, &failed):
		return exitFailure
	case ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return exitInterrupted
	default:
		return exitFailure
	}
}

// printError writes err as one line, "error: <code>: <message>" for API errors, then one
// indented line per field detail.
func printError(w io.Writer, err error) {
	var (
		apiErr   *privy.Error
		failed   *failedError
		lines    []string
		headline string
	)
	switch {
	case errors.As(err, &failed):
		headline = failed.msg
	case errors.Is(err, context.Canceled):
		headline = "interrupted"
	case errors.As(err, &apiErr):
		headline = apiErrorLine(apiErr)
		for _, d := range apiErr.Details {
			lines = append(lines, detailLine(d.Field, d.Message))
		}
	default:
		headline = err.Error()
	}
	fmt.Fprintf(w, "error: %s\n", oneLine(headline))
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", oneLine(l))
	}
}

// apiErrorLine formats an API error as "code: message", with the wait for rate limits.
func apiErrorLine(e *privy.Error) string {
	code := string(e.Code)
	if code == "" {
		code = fmt.Sprintf("HTTP %d", e.StatusCode)
	}
	line := code
	if e.Message != "" {
		line += ": " + e.Message
	} else if e.StatusCode != 0 {
		line += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if errors.Is(e, privy.ErrRateLimited) && e.RetryAfter > 0 {
		line += fmt.Sprintf(" (retry after %s)", e.RetryAfter.Round(1e9))
	}
	return line
}

func detailLine(field, msg string) string {
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

// oneLine folds line breaks so an error is always one line, and escapes any other control
// character (see escapeControl).
func oneLine(s string) string {
	return escapeControl(strings.Join(strings.Fields(s), " "))
}

// escapeControl escapes control characters (C0, DEL, C1), line and paragraph separators and
// bidirectional overrides as Go escapes (\n, \x1b, \u202e), so that text from the server or
// a CSV file cannot move the cursor, recolour the terminal or forge a line of output.
func escapeControl(s string) string {
	if !strings.ContainsFunc(s, mustEscape) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !mustEscape(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

func mustEscape(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r)
}
