package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
)

// redacted replaces a credential in anything the CLI prints or records.
const redacted = "[REDACTED]"

// minSecret is the shortest value scrubbed: shorter ones would redact ordinary words.
const minSecret = 6

// secrets holds the credentials this process knows (the API token, the OAuth client secret),
// so that whatever a server echoes is scrubbed of them before it is printed or recorded.
type secrets struct {
	mu   sync.Mutex
	vals [][]byte
}

// add registers credentials; empty and very short values are ignored.
func (s *secrets) add(vals ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vals {
		if len(v) < minSecret {
			continue
		}
		s.vals = append(s.vals, []byte(v))
		// As it appears inside a JSON string, when JSON escapes some of its characters.
		if q, err := json.Marshal(v); err == nil && string(q[1:len(q)-1]) != v {
			s.vals = append(s.vals, q[1:len(q)-1])
		}
	}
}

func (s *secrets) list() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vals
}

// scrub returns b with every known credential replaced by [REDACTED].
func (s *secrets) scrub(b []byte) []byte {
	for _, v := range s.list() {
		if bytes.Contains(b, v) {
			b = bytes.ReplaceAll(b, v, []byte(redacted))
		}
	}
	return b
}

// scrubWriter writes through to w with every credential of s replaced. A write that ends
// with the start of a credential holds that part back until the next write (or Flush)
// shows whether the credential follows, so one split across writes is scrubbed too.
type scrubWriter struct {
	w       io.Writer
	s       *secrets
	mu      sync.Mutex
	pending []byte
}

func (sw *scrubWriter) Write(p []byte) (int, error) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	vals := sw.s.list()
	if len(vals) == 0 && len(sw.pending) == 0 {
		return sw.w.Write(p)
	}
	buf := sw.s.scrub(append(sw.pending, p...))
	keep := 0
	for _, v := range vals {
		for k := min(len(v)-1, len(buf)); k > keep; k-- {
			if bytes.HasSuffix(buf, v[:k]) {
				keep = k
				break
			}
		}
	}
	sw.pending = bytes.Clone(buf[len(buf)-keep:])
	if _, err := sw.w.Write(buf[:len(buf)-keep]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back.
func (sw *scrubWriter) Flush() error {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if len(sw.pending) == 0 {
		return nil
	}
	_, err := sw.w.Write(sw.pending)
	sw.pending = nil
	return err
}

// IsTerminal reports whether the underlying writer is a terminal (see isTerminal).
func (sw *scrubWriter) IsTerminal() bool { return isTerminal(sw.w) }
