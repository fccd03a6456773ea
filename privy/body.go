package privy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ErrResponseTooLarge is the error of reading a response body past the cap set by
// WithMaxResponseBytes; errors.Is(err, ErrResponseTooLarge) reports it.
var ErrResponseTooLarge = errors.New("privy: response body too large")

// sizeError is a body read past the cap.
type sizeError struct {
	method, path string
	max          int64
}

func (e *sizeError) Error() string {
	return fmt.Sprintf("privy: %s %s: the response body is larger than the %s response cap",
		e.method, e.path, byteSize(e.max))
}

func (e *sizeError) Is(target error) bool { return target == ErrResponseTooLarge }

// timeoutError is an attempt that ran past WithTimeout, while waiting for the response or
// while reading its body. errors.Is(err, context.DeadlineExceeded) reports it.
type timeoutError struct {
	method, path string
	after        time.Duration
	attempt      int
	reading      bool
}

func (e *timeoutError) Error() string {
	what := "no response"
	if e.reading {
		what = "the response body was not read"
	}
	return fmt.Sprintf("privy: %s %s timed out: %s within %v (attempt %d)", e.method, e.path, what, e.after, e.attempt)
}

func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }

// Timeout reports true, as net.Error does for a timeout.
func (e *timeoutError) Timeout() bool { return true }

// attemptBody is the body of a response as the transport hands it back: reading it is bounded
// by the attempt's deadline and by the size cap, and closing it ends the attempt's context.
type attemptBody struct {
	rc      io.ReadCloser
	ctx     context.Context // the attempt's; its deadline is WithTimeout's
	parent  context.Context // the caller's
	cancel  context.CancelFunc
	read    int64
	max     int64
	timeout time.Duration
	attempt int
	method  string
	path    string
}

func (b *attemptBody) Read(p []byte) (int, error) {
	if b.read > b.max {
		return 0, &sizeError{b.method, b.path, b.max}
	}
	if int64(len(p)) > b.max+1-b.read {
		p = p[:b.max+1-b.read] // one byte past the cap tells that there is more
	}
	n, err := b.rc.Read(p)
	b.read += int64(n)
	if b.read > b.max {
		return n - int(b.read-b.max), &sizeError{b.method, b.path, b.max}
	}
	if err != nil && err != io.EOF && b.timedOut() {
		err = &timeoutError{b.method, b.path, b.timeout, b.attempt, true}
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}

// timedOut reports whether the attempt, not the caller, ran out of time.
func (b *attemptBody) timedOut() bool {
	return errors.Is(b.ctx.Err(), context.DeadlineExceeded) && b.parent.Err() == nil
}

// byteSize formats n as "8 MiB", "64 KiB" or "100 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
