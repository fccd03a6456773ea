package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/privy-go/privy-go/privy/spec"
	"github.com/privy-go/privy-go/privy/specdiff"
)

func (a *app) specCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spec",
		Short: "Check fixtures against the API spec, write its examples as fixtures, and compare two revisions of it",
		Example: `  privy spec validate testdata/fixtures
  privy spec fixtures testdata/fixtures
  privy spec diff testdata/releases/openapi-v0.1.0.yaml openapi.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return &usageError{msg: "spec: name a subcommand (validate, fixtures, diff)"}
		},
	}
	cmd.AddCommand(a.specValidateCommand(), a.specFixturesCommand(), a.specDiffCommand())
	return cmd
}

// loadSpec returns the spec in file, or the embedded one when file is "".
func (a *app) loadSpec(file string) (*spec.Spec, error) {
	if file == "" {
		return spec.Embedded()
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, &usageError{msg: "--spec: " + err.Error()}
	}
	s, err := spec.Load(a.ctx, data)
	if err != nil {
		return nil, usageErrorf("--spec %s: %v", file, err)
	}
	return s, nil
}

func (a *app) specValidateCommand() *cobra.Command {
	var specFile, operation string
	var status int
	var request bool
	cmd := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Validate fixture files (and every *.json under directories) against the spec",
		Long: `Validate fixture files against the spec embedded in this build, or against another
revision of it with --spec FILE. A fixture's path says what it is: ` + spec.FixtureLayout + `.
Files under "valid" must break no rule; files under "invalid" must break at least one.
"privy --record DIR ..." writes recorded traffic in this layout.

A file outside this layout (a recorded response of your own, say) is validated with
--operation ID and either --status N (a response body) or --request (a request); every such
file must break no rule.

A request fixture is the JSON body; for a form body, or the query of an operation without
a body, a JSON object of parameters. The values of path parameters go in a "` + spec.PathKey + `" object:
{"` + spec.PathKey + `": {"id": "ct_123"}, "first_name": "Jane"}.

Each failing file is reported with its violations (operation, status, JSON pointer, rule);
with --output json, every result is written as JSON. The exit status is 1 if any fixture
is not what its path says.`,
		Example: `  privy spec validate testdata/fixtures
  privy spec validate --spec testdata/releases/openapi-v0.1.0.yaml testdata/fixtures
  privy spec validate --operation listContacts --status 200 recorded/page1.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if operation == "" && (status != 0 || request) {
				return usageErrorf("--status and --request need --operation")
			}
			if operation != "" && (status == 0) == !request {
				return usageErrorf("--operation needs exactly one of --status N or --request")
			}
			if status != 0 && (status < 100 || status > 599) {
				return usageErrorf("--status %d is not an HTTP status", status)
			}
			s, err := a.loadSpec(specFile)
			if err != nil {
				return err
			}
			var results []spec.FixtureResult
			if operation != "" {
				results = s.ValidateFiles(a.ctx, spec.Target{Operation: operation, Status: status}, args...)
			} else {
				results = s.ValidateFixtures(a.ctx, args...)
			}
			failed := 0
			for _, r := range results {
				if !r.OK() {
					failed++
				}
			}
			if a.output == outputJSON {
				if err := writeJSON(a.stdout, results); err != nil {
					return err
				}
			} else {
				for _, r := range results {
					if r.OK() {
						continue
					}
					if r.Invalid && len(r.Violations) == 0 {
						fmt.Fprintf(a.stdout, "FAIL %s: a negative fixture that breaks no rule\n", r.File)
						continue
					}
					fmt.Fprintf(a.stdout, "FAIL %s\n", r.File)
					for _, v := range r.Violations {
						v.File = ""
						fmt.Fprintf(a.stdout, "  %s\n", v)
					}
				}
				fmt.Fprintf(a.stdout, "%d fixtures, %d ok, %d failed\n", len(results), len(results)-failed, failed)
			}
			if failed > 0 {
				return &failedError{msg: fmt.Sprintf("%d of %d fixtures failed", failed, len(results))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&specFile, "spec", "", "validate against this OpenAPI file (YAML or JSON) instead of the embedded spec")
	f.StringVar(&operation, "operation", "", "treat every file as this operation's request or response (files outside the layout)")
	f.IntVar(&status, "status", 0, "with --operation: the files are response bodies of this status")
	f.BoolVar(&request, "request", false, "with --operation: the files are requests")
	return cmd
}

func (a *app) specFixturesCommand() *cobra.Command {
	var specFile string
	var check bool
	cmd := &cobra.Command{
		Use:   "fixtures DIR",
		Short: "Write every example of the spec as a positive fixture under DIR",
		Long: `Write every request and response example of the spec (the embedded one, or --spec FILE)
as a positive fixture under DIR, in the layout "privy spec validate" reads:
<operationId>/request/valid/` + spec.ExamplePrefix + `<name>.json and
<operationId>/response/<status>/valid/` + spec.ExamplePrefix + `<name>.json. Path parameter values
come from the parameters' examples, under "` + spec.PathKey + `". Files named ` + spec.ExamplePrefix + `*.json that
no example produces any more are removed; other files are left alone.

With --check nothing is written: the exit status is 1 when DIR is not in step with the spec.`,
		Example: `  privy spec fixtures testdata/fixtures
  privy spec fixtures --check testdata/fixtures`,
		Args:        cobra.ExactArgs(1),
		Annotations: map[string]string{noOutput: "prints the files it changes, one a line"},
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.loadSpec(specFile)
			if err != nil {
				return err
			}
			fixtures, err := s.ExampleFixtures()
			if err != nil {
				return err
			}
			changes, err := syncExampleFixtures(args[0], fixtures, !check)
			if err != nil {
				return err
			}
			for _, c := range changes {
				fmt.Fprintln(a.stdout, c)
			}
			if check && len(changes) > 0 {
				return &failedError{msg: fmt.Sprintf("%s is not in step with the spec's examples (%d files): run make fixtures", args[0], len(changes))}
			}
			fmt.Fprintf(a.stdout, "%d example fixtures in step under %s\n", len(fixtures), args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&specFile, "spec", "", "take the examples from this OpenAPI file instead of the embedded spec")
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; fail when a fixture is missing, different or stale")
	return cmd
}

func (a *app) specDiffCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "diff OLD.yaml NEW.yaml",
		Short: "Report the breaking and other changes between two revisions of the spec",
		Long: `Compare two revisions of openapi.yaml and report the breaking changes and the other
changes. oasdiff does the comparison; on top of it, an operation whose operationId moved to
another method or path is one finding (old -> new), a property or parameter removed while
another of the same shape was added in the same place is reported as a likely rename
(old -> new), and the enum values of a renamed field are compared: values dropped from or
added to a response enum break clients that map every value.

With --format json (or --output json) the report carries the changes, the moves and the
rename map. The exit status is 1 when something breaks, 2 when a file cannot be read as an
OpenAPI document.`,
		Example: `  privy spec diff testdata/releases/openapi-v0.1.0.yaml openapi.yaml
  privy spec diff --format json old.yaml new.yaml | jq .renames`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON := a.output == outputJSON
			switch format {
			case "":
			case "json":
				asJSON = true
			case "text":
				asJSON = false
			default:
				return usageErrorf("--format %q: want text or json", format)
			}
			oldSpec, err := os.ReadFile(args[0])
			if err != nil {
				return &usageError{msg: err.Error()}
			}
			newSpec, err := os.ReadFile(args[1])
			if err != nil {
				return &usageError{msg: err.Error()}
			}
			report, err := specdiff.Diff(a.ctx, oldSpec, newSpec)
			if input, ok := errors.AsType[*specdiff.InputError](err); ok {
				name := args[0]
				if input.Side == "new" {
					name = args[1]
				}
				return usageErrorf("%s: %v", name, input)
			}
			if err != nil {
				return err
			}
			if asJSON {
				err = writeJSON(a.stdout, report)
			} else {
				err = report.WriteText(a.stdout)
			}
			if err != nil {
				return err
			}
			if report.Breaking() {
				return &failedError{msg: "the new spec breaks the old one"}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "report format: text or json (default: json with --output json, else text)")
	return cmd
}
