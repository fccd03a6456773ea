package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/privy-go/privy-go/privy/spec"
)

// recorder is an http.RoundTripper that saves every exchange as fixture files in the layout
// of spec.FixtureLayout, so that `privy spec validate DIR` checks recorded traffic against
// the spec:
//
//	DIR/<operationId>/request/valid/<run>-<seq>.json          the JSON body (list: the query as an object)
//	DIR/<operationId>/response/<status>/valid/<run>-<seq>.json the response body
//
// <run> names the process (its start time and pid), so that runs never overwrite each other,
// and <seq> numbers the exchanges of a run, so a request and its response share a name.
//
// Secrets are never written: the token exchange's request (it carries the client secret) is
// not recorded and its access_token is replaced by "REDACTED"; headers are never recorded.
// Recording never fails a request: problems are logged as warnings.
type recorder struct {
	dir       string
	next      http.RoundTripper
	validator *spec.Validator
	log       *slog.Logger
	secrets   *secrets

	run string

	mu  sync.Mutex
	seq int
}

const opExchangeToken = "exchangeToken"

// recordBodyCap is the largest response body --record reads and saves (4 MiB): a larger or
// endless one is passed on unread and not recorded, so memory stays bounded.
const recordBodyCap = 4 << 20

// newRecorder wraps next; basePath is the path prefix of the API (usually "/v1"). What it
// writes is scrubbed of the credentials in s.
func newRecorder(dir, basePath string, next http.RoundTripper, log *slog.Logger, s *secrets) (*recorder, error) {
	v, err := spec.NewValidator(basePath)
	if err != nil {
		return nil, err
	}
	if err := mkdirPrivate(dir); err != nil {
		return nil, fmt.Errorf("--record: %w", err)
	}
	run := fmt.Sprintf("%s-%d", time.Now().UTC().Format("20060102T150405"), os.Getpid())
	return &recorder{dir: dir, next: next, validator: v, log: log, secrets: s, run: run}, nil
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		clone := req.Clone(req.Context())
		clone.Body = io.NopCloser(bytes.NewReader(b))
		clone.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		req = clone
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	respBody, readErr := io.ReadAll(io.LimitReader(resp.Body, recordBodyCap+1))
	if readErr == nil && len(respBody) > recordBodyCap {
		// Too large to record: hand it on whole, unbuffered, for the client's own cap to judge.
		r.log.Warn("record: response body larger than the cap; not recorded", "cap_bytes", recordBodyCap, "status", resp.StatusCode)
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(respBody), resp.Body), resp.Body}
		return resp, nil
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if readErr != nil {
		// Hand the partial body on with the read error, as the network would have.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(respBody), errReader{readErr}))
		return resp, nil
	}
	r.save(req, reqBody, resp.StatusCode, respBody)
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// save writes the fixtures of one exchange; it only logs on failure.
func (r *recorder) save(req *http.Request, reqBody []byte, status int, respBody []byte) {
	op, err := r.validator.OperationID(req.Method, req.URL)
	if err != nil {
		r.log.Warn("record: no operation in the spec for this request; not recorded", "method", req.Method, "path", req.URL.Path)
		return
	}
	r.mu.Lock()
	r.seq++
	seq := r.seq
	r.mu.Unlock()

	switch {
	case op == opExchangeToken:
		// The request holds the client secret: never written.
	case req.Method == http.MethodGet:
		q := map[string]any{}
		for k, vs := range req.URL.Query() {
			if len(vs) == 1 {
				q[k] = vs[0]
			} else {
				q[k] = vs
			}
		}
		b, _ := json.Marshal(q)
		r.write(filepath.Join(r.dir, op, "request", "valid"), seq, b)
	case len(reqBody) > 0:
		r.write(filepath.Join(r.dir, op, "request", "valid"), seq, reqBody)
	}

	if len(bytes.TrimSpace(respBody)) == 0 {
		return // nothing to validate (a 204)
	}
	if op == opExchangeToken {
		respBody = redactToken(respBody)
		if respBody == nil {
			r.log.Warn("record: the token response is not a JSON object; not recorded", "status", status)
			return
		}
	}
	r.write(filepath.Join(r.dir, op, "response", strconv.Itoa(status), "valid"), seq, respBody)
}

// write stores data as <run>-<seq>.json in dir, never replacing an existing file.
func (r *recorder) write(dir string, seq int, data []byte) {
	if err := mkdirPrivate(dir); err != nil {
		r.log.Warn("record: cannot create the fixture directory", "dir", dir, "err", err)
		return
	}
	data = r.secrets.scrub(data)
	name := filepath.Join(dir, fmt.Sprintf("%s-%04d.json", r.run, seq))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, privateFile)
	if err != nil {
		r.log.Warn("record: cannot write a fixture", "file", name, "err", err)
		return
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		r.log.Warn("record: cannot write a fixture", "file", name, "err", err)
	}
}

// redactToken replaces the value of access_token in a token response. It returns nil when
// the body is not a JSON object (it is then not recorded at all).
func redactToken(body []byte) []byte {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil
	}
	if _, ok := obj["access_token"]; ok {
		obj["access_token"] = json.RawMessage(`"REDACTED"`)
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil
	}
	return b
}
