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

// maxDriftBody caps how much of a body drift detection reads; a larger one is passed on
// unread (and unchecked), so memory stays bounded.
const maxDriftBody = 4 << 20

// checkDrift validates resp, a response to req, putting back the body it reads.
func (t *Transport) checkDrift(req *http.Request, resp *http.Response) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDriftBody+1))
	if err == nil && len(body) > maxDriftBody {
		t.o.logger.LogAttrs(req.Context(), slog.LevelWarn, "privy: response body too large to check against the spec",
			slog.Int("cap_bytes", maxDriftBody), slog.Int("status", resp.StatusCode))
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		return
	}
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
