package privy

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"

	"github.com/privy-go/privy-go/privy/spec"
)

// WithDriftDetection validates every API response against the embedded spec and reports each
// mismatch (operation, status, JSON pointer, rule) at warn level through the logger and to
// report, which may be nil. The call itself never fails because of it: the point is to see
// where the real API and openapi.yaml differ.
func WithDriftDetection(report func(spec.Violation)) Option {
	return func(o *options) error {
		o.drift = true
		o.driftReport = report
		return nil
	}
}

// checkDrift validates resp, a response to req, putting back the body it reads.
func (t *Transport) checkDrift(req *http.Request, resp *http.Response) {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
	if err != nil {
		return // the caller meets the read error itself
	}
	for _, v := range t.validator.CheckResponse(req, resp.StatusCode, resp.Header, body) {
		t.o.logger.LogAttrs(req.Context(), slog.LevelWarn, "privy: response differs from the spec",
			slog.String("operation", v.Operation), slog.Int("status", v.Status), slog.String("in", v.In),
			slog.String("pointer", v.Pointer), slog.String("rule", v.Rule), slog.String("message", v.Message))
		if t.o.driftReport != nil {
			t.o.driftReport(v)
		}
	}
}

// errReader returns err (io.EOF when nil) once the body before it has been read.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) {
	if r.err == nil {
		return 0, io.EOF
	}
	return 0, r.err
}
