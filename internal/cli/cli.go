// Package cli implements the privy command-line tool: everyday contact work, bulk import and
// export within the API's rate budget, spec tools and the built-in fake server. Run is its
// entry point; cmd/privy wires it to the process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/privy"
)

const rootLong = `privy works with the contacts of a Privy account from the command line.

Authentication and target come from the environment, as in privy.NewFromEnv:
  PRIVY_TOKEN            an API token, or
  PRIVY_CLIENT_ID and    an OAuth application's credentials, with PRIVY_SCOPES
  PRIVY_CLIENT_SECRET    (space- or comma-separated, e.g. "contacts_read contacts_write")
  PRIVY_BASE_URL         the API base URL (default https://api.privy.com/v1)
or from --token-file PATH (a file holding the token; it wins over the environment). Secrets are never accepted as flag
values. With --fake, commands run against a built-in fake API seeded with sample contacts
(its state lasts for one command; use "privy fake-server" for a lasting one).

Exit codes:
  0    success
  1    an API error, or rows that failed (import); also a flag value the API's spec
       refuses (checked before anything is sent, with the API's own validation_failed
       answer naming the field), since it is the same refusal the API would give
  2    usage error: a command line that cannot be parsed (an unknown flag, a flag value
       of the wrong type such as --page abc, a bad --output, missing arguments), an
       unknown CSV column
  3    authentication or authorization: missing credentials, 401/403, invalid_client,
       invalid_scope
  4    rate limit: the daily budget is spent, retries ran out, or the server asked for a
       wait too long to make
  130  interrupted (Ctrl-C or SIGTERM); an import resumes where it stopped when rerun`

// app holds the global flags and the streams of one run.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	env    func(string) string

	// baseURL is the API base URL in use, once a client is built (for hints).
	baseURL string

	fake      bool
	debug     bool
	tokenFile string
	recordDir string
	output    string
	drift     bool
	timeout   time.Duration

	// clientOpts are appended to the client's options (tests inject clocks with them).
	clientOpts []privy.Option

	log      *slog.Logger
	started  bool // a command's RunE began: later errors are not usage errors
	cleanups []func()

	// secrets are the credentials in use: stdout, stderr and --record files are scrubbed of them.
	secrets secrets
}

// Run runs the privy command line with args (without the program name) and returns the exit
// code. env looks up environment variables (os.Getenv in the real program; nil means an
// empty environment).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	if env == nil {
		env = func(string) string { return "" }
	}
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	return a.run(args)
}

// run executes args with a's streams and settings.
func (a *app) run(args []string) int {
	a.log = slog.New(slog.DiscardHandler)
	stdout, stderr := &scrubWriter{w: a.stdout, s: &a.secrets}, &scrubWriter{w: a.stderr, s: &a.secrets}
	a.stdout, a.stderr = stdout, stderr
	defer func() {
		stdout.Flush()
		stderr.Flush()
	}()
	defer a.cleanup()
	if err := refuseSecretFlags(args); err != nil {
		return a.fail(err)
	}
	if _, err := specmodel.Load(); err != nil { // the flags, columns and help derive from it
		return a.fail(err)
	}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(a.ctx)
	if err != nil && !a.started && !isUsage(err) && a.ctx.Err() == nil {
		// The one place cobra's own refusals become usage errors (exit 2): whatever fails
		// before a command's RunE starts (an unknown command or flag, a bad flag value,
		// arguments, flag groups) is a mistake in the command line.
		err = &usageError{msg: err.Error()}
	}
	return a.fail(err)
}

// fail prints err (if any) and returns its exit code.
func (a *app) fail(err error) int {
	if err == nil {
		return exitOK
	}
	code := exitCode(a.ctx, err)
	printError(a.stderr, err)
	if errors.Is(err, privy.ErrNotFound) && a.baseURL != "" && !strings.HasSuffix(strings.TrimRight(a.baseURL, "/"), "/v1") {
		fmt.Fprintf(a.stderr, "hint: the base URL %s does not end in /v1, where the API lives (PRIVY_BASE_URL=%s/v1?)\n",
			a.baseURL, strings.TrimRight(a.baseURL, "/"))
	}
	if code == exitUsage {
		fmt.Fprintln(a.stderr, `Run "privy --help" for usage.`)
	}
	return code
}

func (a *app) cleanup() {
	for i := len(a.cleanups) - 1; i >= 0; i-- {
		a.cleanups[i]()
	}
	a.cleanups = nil
}

// refuseSecretFlags explains, before flag parsing, that secrets are not flags.
func refuseSecretFlags(args []string) error {
	for _, arg := range args {
		if arg == "--" {
			return nil
		}
		name, _, _ := strings.Cut(arg, "=")
		switch name {
		case "--token", "--access-token", "--api-token":
			return usageErrorf("%s: secrets are never accepted as flag values (they would show in the process list and shell history); set PRIVY_TOKEN or use --token-file PATH", name)
		case "--client-secret", "--secret":
			return usageErrorf("%s: secrets are never accepted as flag values; set PRIVY_CLIENT_ID and PRIVY_CLIENT_SECRET in the environment", name)
		}
	}
	return nil
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "privy",
		Short: "Work with Privy contacts: list, export, import, create, update, unsubscribe, delete",
		Long:  rootLong,
		Example: `  privy --fake contacts list
  privy --token-file ~/.privy-token contacts export --format csv --out contacts.csv
  privy contacts import contacts.csv --upsert
  privy spec validate testdata/fixtures`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       versionString(),
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(cmd, a.output); err != nil {
				return err
			}
			if a.timeout < 0 {
				return usageErrorf("--timeout %v: must not be negative", a.timeout)
			}
			if a.debug {
				a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			return nil
		},
	}
	pf := root.PersistentFlags()
	pf.BoolVar(&a.fake, "fake", false, "run against a built-in fake API seeded with sample contacts (no credentials needed)")
	pf.BoolVar(&a.debug, "debug", false, "log each request and response line to stderr (credentials redacted)")
	pf.StringVar(&a.tokenFile, "token-file", "", "read the API token from this file instead of PRIVY_TOKEN")
	pf.StringVar(&a.recordDir, "record", "", "save each exchange as a fixture under this directory (see \"privy spec validate\")")
	pf.BoolVar(&a.drift, "check-drift", false, "warn on stderr about each way a response differs from the API spec (never fails the command)")
	pf.DurationVar(&a.timeout, "timeout", privy.DefaultTimeout, "give up on a request after this long without its whole response (e.g. 10s, 2m; 0 for no limit)")
	pf.StringVarP(&a.output, "output", "o", outputAuto, "output: table (text) or json; by default contacts list, create, update, unsubscribe and delete print a table on a terminal and json otherwise, and import, sync, spec validate and spec diff print text; export (use --format), spec fixtures, fake-server and mcp refuse it")

	root.AddCommand(a.contactsCommand(), a.specCommand(), a.fakeServerCommand(), a.mcpCommand())
	a.markStarts(root)
	return root
}

// markStarts wraps every command's RunE so that errors from before it (flag parsing,
// arguments, flag groups, unknown commands) are told apart as usage errors.
func (a *app) markStarts(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			a.started = true
			return run(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		a.markStarts(sub)
	}
}

// changed reports whether a flag was given on the command line.
func changed(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed
}

// interrupted reports whether err is the end of the run's context.
func (a *app) interrupted(err error) bool {
	return a.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}
