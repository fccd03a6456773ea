package cli

import (
	"errors"
	"fmt"
)

// Exit codes, documented in the root command's long help.
const (
	exitOK          = 0
	exitFailure     = 1 // an API error, or rows that failed
	exitUsage       = 2 // bad flags, arguments or CSV header
	exitAuth        = 3 // authentication or authorization
	exitRateLimit   = 4 // daily budget spent, retries exhausted, Retry-After too long
	exitInterrupted = 130
)

// usageError is a mistake in how the command was called (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// authError is a local authentication problem, such as missing credentials (exit 3).
type authError struct{ msg string }

func (e *authError) Error() string { return e.msg }

// failedError reports that the command ran to its end but some of its work failed (exit 1);
// the details have been printed already.
type failedError struct{ msg string }

func (e *failedError) Error() string { return e.msg }

func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}
