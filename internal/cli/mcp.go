package cli

import (
	"errors"
	"io"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/privy-go/privy-go/internal/mcp"
	"github.com/privy-go/privy-go/internal/specdoc"
	"github.com/privy-go/privy-go/privy"
)

// mcpOptions are the flags of "privy mcp".
type mcpOptions struct {
	allowWrites bool
	tools       []string
	maxWait     time.Duration
}

func (a *app) mcpCommand() *cobra.Command {
	var o mcpOptions
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the API as Model Context Protocol tools for AI agents, over stdio",
		Long: `Serve the Privy Contacts API to an AI agent as Model Context Protocol (MCP) tools, over
stdin and stdout. There is one tool per API operation, derived from the spec (its operationId,
description, argument and result schemas), plus ` + mcp.RateLimitTool + `, which reports the rate-limit state.

Credentials come from the environment (or --token-file), as for every other command; they are
never tool arguments and never appear in what the server returns or logs. With --fake the tools
work on a built-in fake API for the length of the session.

The server is read-only unless --allow-writes is given: tools that change data (every operation
but a GET) are neither listed nor callable without it. Every call is one API request, paced
within the rate limits; list tools return one page. A rate-limit wait longer than --max-wait is
not made: the call returns at once, saying when to retry. Logs go to stderr; stdout carries MCP
messages only.`,
		Example: `  privy mcp --fake
  privy mcp --tools ` + mcp.RateLimitTool + `
  privy mcp --allow-writes`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{noOutput: "speaks MCP on stdout"},
		RunE:        func(cmd *cobra.Command, args []string) error { return a.mcpRun(o) },
	}
	help := cmd.HelpFunc()
	cmd.SetHelpFunc(func(c *cobra.Command, args []string) {
		c.Long += toolsHelp() // derived from the spec only when help is asked for
		help(c, args)
	})
	f := cmd.Flags()
	f.BoolVar(&o.allowWrites, "allow-writes", false, "also serve the tools that change contacts (create, update, unsubscribe, delete)")
	f.StringSliceVar(&o.tools, "tools", nil, "serve only these tools (comma-separated names)")
	f.DurationVar(&o.maxWait, "max-wait", 10*time.Second, "the longest rate-limit wait a call makes before returning when to retry")
	return cmd
}

// toolsHelp lists the tools the spec gives, read-only ones first.
func toolsHelp() string {
	doc, err := specdoc.Load()
	if err != nil {
		return ""
	}
	ops, err := mcp.Derive(doc)
	if err != nil {
		return "\n\nThe spec's operations cannot be served: " + err.Error()
	}
	reads, writes := []string{mcp.RateLimitTool}, []string{}
	for _, op := range ops {
		if op.ReadOnly {
			reads = append(reads, op.Tool.Name)
		} else {
			writes = append(writes, op.Tool.Name)
		}
	}
	return "\n\nRead-only tools: " + strings.Join(reads, ", ") + ".\nWith --allow-writes also: " + strings.Join(writes, ", ") + "."
}

// mcpRun serves MCP on the app's stdin and stdout until the client closes stdin or the run is
// interrupted.
func (a *app) mcpRun(o mcpOptions) error {
	if o.maxWait < 0 {
		return usageErrorf("--max-wait must not be negative")
	}
	opts, base, err := a.clientOptions()
	if err != nil {
		return err
	}
	t, err := privy.NewTransport(append(opts, privy.WithMaxWait(o.maxWait))...)
	if err != nil {
		return a.clientError(err)
	}
	srv, err := mcp.New(t, base, mcp.Options{AllowWrites: o.allowWrites, Tools: o.tools, Logger: a.warnLogger()})
	if errors.Is(err, mcp.ErrSelection) {
		return &usageError{msg: strings.TrimPrefix(err.Error(), mcp.ErrSelection.Error()+": ")}
	}
	if err != nil {
		return err
	}
	err = srv.Run(a.ctx, &sdk.IOTransport{Reader: io.NopCloser(a.stdin), Writer: nopWriteCloser{a.stdout}})
	if err != nil && a.interrupted(err) {
		return nil // the client or the user ended the session
	}
	return err
}

// nopWriteCloser is a Writer whose Close does nothing: stdout stays open for the process.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
