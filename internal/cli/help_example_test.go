package cli

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasExample walks the command tree: the root and every runnable command's
// help has an Example section, and each "privy ..." line in it names a real command with flags it
// accepts and arguments it takes, so an example cannot go stale when a flag is renamed.
func TestEveryCommandHasExample(t *testing.T) {
	newRoot := func() *cobra.Command {
		a := &app{ctx: t.Context(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
			env: func(string) string { return "" }}
		return a.rootCommand()
	}
	var walk func(c *cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if (!c.Runnable() && c.HasParent()) || c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		checked++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example in its help", c.CommandPath())
			return
		}
		lines := 0
		for _, line := range strings.Split(c.Example, "\n") {
			for _, segment := range strings.Split(line, "&&") {
				args := exampleArgs(segment)
				if args == nil {
					continue
				}
				lines++
				root := newRoot()
				cmd, rest, err := root.Find(args)
				if err != nil {
					t.Errorf("%q example %q: %v", c.CommandPath(), segment, err)
					continue
				}
				if err := cmd.ParseFlags(rest); err != nil {
					t.Errorf("%q example %q: %v", c.CommandPath(), segment, err)
					continue
				}
				if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
					t.Errorf("%q example %q: %v", c.CommandPath(), segment, err)
				}
			}
		}
		if lines == 0 {
			t.Errorf("%q: its Example has no \"privy ...\" command line:\n%s", c.CommandPath(), c.Example)
		}
	}
	walk(newRoot())
	if checked < 15 {
		t.Errorf("checked %d commands; the tree has at least 15 runnable ones", checked)
	}
}

// exampleArgs returns the arguments of a "privy ..." command in one shell segment of an
// example, up to a redirection, a pipe, "&" or a comment; nil when the segment runs something else.
func exampleArgs(segment string) []string {
	fields := shellWords(segment)
	for len(fields) > 0 && strings.Contains(fields[0], "=") { // NAME=value before the command
		fields = fields[1:]
	}
	if len(fields) == 0 || fields[0] != "privy" {
		return nil
	}
	args := []string{}
	for _, f := range fields[1:] {
		if f == ">" || f == "|" || f == "&" || strings.HasPrefix(f, "#") || strings.HasPrefix(f, ">") {
			break
		}
		args = append(args, f)
	}
	return args
}

// shellWords splits s as a shell would split a simple command: on blanks, with single and
// double quotes grouping words.
func shellWords(s string) []string {
	var (
		words []string
		word  strings.Builder
		quote rune
		in    bool
	)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, word.String())
				word.Reset()
				in = false
			}
		default:
			word.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, word.String())
	}
	return words
}
