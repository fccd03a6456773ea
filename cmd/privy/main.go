// Command privy works with the contacts of a Privy account: list, export, import, create,
// update, unsubscribe and delete, plus spec tools and a fake server. Run "privy --help".
//
// Install it with:
//
//	go install github.com/privy-go/privy-go/cmd/privy@latest
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/privy-go/privy-go/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
