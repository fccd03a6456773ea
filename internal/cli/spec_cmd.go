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
		Short: "Check fixtures against the API spec, and compare two revisions of the spec",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return &usageError{msg: "spec: name a subcommand (validate, diff)"}
		},
	}
	cmd.AddCommand(a.specValidateCommand(), a.specDiffCommand())
	return cmd
}

func (a *app) specValidateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate PATH...",
		Short: "Validate fixture files (and every *.json under directories) against the embedded spec",
		Long: `Validate fixture files against the spec embedded in this build. A fixture's path says
what it is: ` + spec.FixtureLayout + `.
Files under "valid" must break no rule; files under "invalid" must break at least one.
"privy --record DIR ..." writes recorded traffic in this layout.

Each failing file is reported with its violations (operation, status, JSON pointer, rule);
with --output json, every result is written as JSON. The exit status is 1 if any fixture
is not what its path says.`,
		Args: argsUsage(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			results := spec.ValidateFixtures(a.ctx, args...)
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
		Args: argsUsage(cobra.ExactArgs(2)),
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
