// Command specdiff prints the changes between two revisions of an OpenAPI document and exits
// with status 1 when any of them is breaking. It backs `make spec-diff`:
//
//	go run ./internal/cmd/specdiff OLD NEW
//
// Exit status: 0 no breaking change, 1 breaking changes, 2 usage or input error.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/privy-go/privy-go/privy/spec"
)

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: specdiff OLD.yaml NEW.yaml")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	oldSpec, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "specdiff:", err)
		return 2
	}
	newSpec, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "specdiff:", err)
		return 2
	}
	report, err := spec.Diff(ctx, oldSpec, newSpec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "specdiff:", err)
		return 2
	}
	if err := report.WriteText(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "specdiff:", err)
		return 2
	}
	if report.Breaking() {
		return 1
	}
	return 0
}
