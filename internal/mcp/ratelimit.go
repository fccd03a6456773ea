package mcp

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy"
)

// window is one rate-limit window as the rate-limit tool reports it.
type window struct {
	Limit     int    `json:"limit"`
	Remaining int    `json:"remaining"`
	Reset     string `json:"reset,omitempty"`
}

// rateLimitStatus is the structured result of the rate-limit tool.
type rateLimitStatus struct {
	Known  bool   `json:"known"`
	Minute window `json:"minute"`
	Day    window `json:"day"`
	Note   string `json:"note"`
}

func rateLimitTool() *sdk.Tool {
	win := schema{"type": "object", "required": []any{"limit", "remaining"}, "additionalProperties": false,
		"properties": schema{
			"limit":     schema{"type": "integer", "minimum": 0, "description": "Requests allowed in the window."},
			"remaining": schema{"type": "integer", "minimum": 0, "description": "Requests left in the window."},
			"reset":     schema{"type": "string", "format": "date-time", "description": "When the window resets."},
		}}
	f := false
	return &sdk.Tool{
		Name:  RateLimitTool,
		Title: "Rate-limit status",
		Description: "Reports the account's rate-limit state as of the last API response: requests left this " +
			"minute and today, and when each window resets. It sends no request and costs nothing.",
		InputSchema: schema{"type": "object", "properties": schema{}, "additionalProperties": false},
		OutputSchema: withErrors(schema{"type": "object", "required": []any{"known", "minute", "day", "note"}, "additionalProperties": false,
			"properties": schema{
				"known":  schema{"type": "boolean", "description": "False until the first API response of this session."},
				"minute": win, "day": win,
				"note": schema{"type": "string"},
			}}),
		Annotations: &sdk.ToolAnnotations{Title: "Rate-limit status", ReadOnlyHint: true, IdempotentHint: true,
			DestructiveHint: &f, OpenWorldHint: &f},
	}
}

// rateLimit reports the transport's last known rate-limit state.
func (s *Server) rateLimit(_ context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
	var args map[string]json.RawMessage
	if req.Params != nil && len(req.Params.Arguments) > 0 {
		if err := json.Unmarshal(req.Params.Arguments, &args); err != nil {
			args = map[string]json.RawMessage{"base": nil}
		}
	}
	if len(args) > 0 {
		var details []gen.ErrorDetail
		for _, name := range slices.Sorted(maps.Keys(args)) {
			details = append(details, gen.ErrorDetail{Field: name, Message: "is not an argument of " + RateLimitTool})
		}
		return s.errorResult(argumentError(details)), nil
	}
	rl := s.t.RateLimit()
	st := rateLimitStatus{
		Known:  rl != privy.RateLimit{},
		Minute: window{Limit: rl.LimitMinute, Remaining: rl.RemainingMinute, Reset: stamp(rl.ResetMinute)},
		Day:    window{Limit: rl.LimitDay, Remaining: rl.RemainingDay, Reset: stamp(rl.ResetDay)},
		Note:   "No request has been answered yet in this session, so the budget left is not known.",
	}
	if st.Known {
		st.Note = "As of the last API response; other clients of the account spend the same budget."
	}
	b, _ := json.Marshal(st)
	var v map[string]any
	_ = json.Unmarshal(b, &v)
	return &sdk.CallToolResult{StructuredContent: v, Content: []sdk.Content{&sdk.TextContent{Text: string(b)}}}, nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
