// Package mcp serves the Privy Contacts API as Model Context Protocol tools for AI agents.
// The tools are derived from the spec embedded in package gen at start-up: one tool per
// operation, with input and output schemas and annotations taken from openapi.yaml, so a new
// operation or property becomes a tool or an argument after "make generate" alone. Every call
// goes through a privy.Transport (credentials, pre-flight validation, pacing, 429 retries).
package mcp

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specdoc"
	"github.com/privy-go/privy-go/privy"
)

// ErrSelection is wrapped by the errors of a tool selection that cannot be served: an unknown
// name, or a write tool without AllowWrites.
var ErrSelection = errors.New("mcp: tool selection")

// RateLimitTool is the name of the read-only tool that reports the rate-limit state.
const RateLimitTool = "rate_limit_status"

// maxResponse caps how much of a response body a tool reads.
const maxResponse = 8 << 20

// Options configures a server.
type Options struct {
	// AllowWrites lists and serves the tools that change data; without it only read-only
	// tools exist.
	AllowWrites bool
	// Tools, when not empty, narrows the tools to these names; an unknown name, or a write
	// tool without AllowWrites, is an error.
	Tools []string
	// Logger receives the server's logs (default: discarded). Give it stderr, never stdout.
	Logger *slog.Logger
	// Now tells the time, for the retry_at of a rate-limit result (default time.Now).
	Now func() time.Time
	// Doc is the spec to derive the tools from (default: the one embedded in package gen).
	Doc *openapi3.T
	// CallTimeout bounds one tool call, waits and retries included (default DefaultCallTimeout).
	CallTimeout time.Duration
}

// DefaultCallTimeout bounds a tool call when Options.CallTimeout is zero.
const DefaultCallTimeout = 2 * time.Minute

// Server is an MCP server whose tools call the API through one privy.Transport.
type Server struct {
	*sdk.Server
	ops     []*Operation
	t       *privy.Transport
	base    string
	now     func() time.Time
	timeout time.Duration
}

// New returns a server for the API at baseURL (the URL the transport was configured with),
// sending every call through t. An error names what is wrong with opts.Tools.
func New(t *privy.Transport, baseURL string, opts Options) (*Server, error) {
	doc := opts.Doc
	if doc == nil {
		var err error
		if doc, err = specdoc.Load(); err != nil {
			return nil, err
		}
	}
	all, err := Derive(doc)
	if err != nil {
		return nil, err
	}
	ops, err := Select(all, opts.AllowWrites, opts.Tools)
	if err != nil {
		return nil, err
	}
	s := &Server{ops: ops, t: t, base: baseURL, now: opts.Now, timeout: cmp.Or(opts.CallTimeout, DefaultCallTimeout)}
	if s.now == nil {
		s.now = time.Now
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s.Server = sdk.NewServer(&sdk.Implementation{Name: "privy", Title: "Privy Contacts API", Version: privy.Version()},
		&sdk.ServerOptions{Logger: logger, Instructions: instructions(opts.AllowWrites)})
	for _, op := range ops {
		s.AddTool(op.Tool, s.handler(op))
	}
	if len(opts.Tools) == 0 || slices.Contains(opts.Tools, RateLimitTool) {
		s.AddTool(rateLimitTool(), s.rateLimit)
	}
	return s, nil
}

// Select returns the operations to serve: the read-only ones, plus the writes when
// allowWrites; only the named ones when names is not empty. The rate-limit tool may be
// named too.
func Select(all []*Operation, allowWrites bool, names []string) ([]*Operation, error) {
	known := []string{RateLimitTool}
	byName := map[string]*Operation{}
	for _, op := range all {
		known, byName[op.Tool.Name] = append(known, op.Tool.Name), op
	}
	if _, clash := byName[RateLimitTool]; clash {
		return nil, fmt.Errorf("mcp: the spec has an operation named %q, the name of the rate-limit tool", RateLimitTool)
	}
	var out []*Operation
	if len(names) == 0 {
		for _, op := range all {
			if op.ReadOnly || allowWrites {
				out = append(out, op)
			}
		}
		return out, nil
	}
	slices.Sort(known)
	for _, name := range names {
		op, ok := byName[name]
		switch {
		case name == RateLimitTool:
		case !ok:
			return nil, fmt.Errorf("%w: unknown tool %q (the tools are: %s)", ErrSelection, name, strings.Join(known, ", "))
		case !op.ReadOnly && !allowWrites:
			return nil, fmt.Errorf("%w: tool %q changes data; add --allow-writes to serve it", ErrSelection, name)
		case !slices.Contains(out, op):
			out = append(out, op)
		}
	}
	return out, nil
}

func instructions(writes bool) string {
	s := "Tools for the contacts of one Privy account, one per API operation. Each call is one API request " +
		"within the account's budget per minute and per day: list tools return one page (use page and " +
		"per_page), and " + RateLimitTool + " reports what is left. An error result carries the API's code, " +
		"message and details; correct the arguments it names and call again."
	if !writes {
		s += " This server is read-only: tools that change contacts are not offered."
	}
	return s
}

// handler calls op's endpoint with the call's arguments.
func (s *Server) handler(op *Operation) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		var raw json.RawMessage
		if req.Params != nil {
			raw = req.Params.Arguments
		}
		hreq, details := op.request(s.base, raw)
		if details != nil {
			return s.errorResult(argumentError(details)), nil
		}
		callCtx, cancel := context.WithTimeout(ctx, s.timeout)
		defer cancel()
		resp, err := s.t.Do(hreq.WithContext(callCtx))
		if err != nil {
			var pe *privy.Error
			if errors.As(err, &pe) {
				return s.errorResult(pe), nil
			}
			if ctx.Err() != nil {
				return nil, ctx.Err() // the client cancelled the call
			}
			return textError(err.Error()), nil
		}
		defer resp.Body.Close()
		if err := privy.CheckResponse(resp); err != nil {
			var e *privy.Error
			if errors.As(err, &e) {
				return s.errorResult(e), nil
			}
			return textError(err.Error()), nil
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
		if err != nil {
			return textError(fmt.Sprintf("reading the %d response: %v", resp.StatusCode, err)), nil
		}
		if len(body) > maxResponse {
			return textError(fmt.Sprintf("the %d response is larger than %d bytes", resp.StatusCode, maxResponse)), nil
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: fmt.Sprintf("done (HTTP %d, no body)", resp.StatusCode)}}}, nil
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return textError(fmt.Sprintf("the %d response is not JSON: %v", resp.StatusCode, err)), nil
		}
		res := &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(body)}}}
		if _, isObject := v.(map[string]any); isObject {
			res.StructuredContent = v
		}
		return res, nil
	}
}

// errorResult is the tool result of an API or validation error: isError, with the API's
// error envelope as structured content (plus the status and, for a rate limit, when to retry).
func (s *Server) errorResult(e *privy.Error) *sdk.CallToolResult {
	body := map[string]any{"code": e.Code, "message": e.Message}
	if len(e.Details) > 0 {
		body["details"] = e.Details
	}
	out := map[string]any{"error": body, "status": e.StatusCode}
	if e.RetryAfter > 0 {
		secs := int64((e.RetryAfter + time.Second - 1) / time.Second)
		out["retry_after_seconds"] = secs
		out["retry_at"] = s.now().Add(time.Duration(secs) * time.Second).UTC().Format(time.RFC3339)
	}
	text, _ := json.Marshal(out)
	return &sdk.CallToolResult{IsError: true, StructuredContent: out,
		Content: []sdk.Content{&sdk.TextContent{Text: e.Error() + "\n" + string(text)}}}
}

// argumentError is the error of arguments refused before any request is built, shaped as the
// API's validation failure.
func argumentError(details []gen.ErrorDetail) *privy.Error {
	return &privy.Error{StatusCode: http.StatusUnprocessableEntity, Code: gen.ErrorCodeValidationFailed,
		Message: "One or more arguments are invalid", Details: details}
}

func textError(msg string) *sdk.CallToolResult {
	return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: msg}}}
}
