package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/privy-go/privy-go/privy/privytest"
)

func (a *app) fakeServerCommand() *cobra.Command {
	var (
		addr              string
		seed              int64
		count             int
		perMinute, perDay int
	)
	cmd := &cobra.Command{
		Use:   "fake-server",
		Short: "Serve the fake Privy API over HTTP (loopback only) for curl and other tools",
		Long: `Serve privytest, the in-memory fake of the Privy API, on a loopback address until
interrupted. It prints the base URL and a token to use, as lines a shell can source:

  privy fake-server --addr 127.0.0.1:8080 > fake.env &
  . ./fake.env && privy contacts list

The fake checks its own responses against the spec and enforces the documented rate limits
(60 a minute, 10,000 a day; --per-minute and --per-day change them). Its state lives in
memory and ends with the process.`,
		Example: `  privy fake-server
  privy fake-server --addr 127.0.0.1:8080 --seed 7 --contacts 200 > fake.env &
  . ./fake.env && privy contacts list`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{noOutput: "prints the base URL and a token as shell lines"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkLoopback(addr); err != nil {
				return err
			}
			if perMinute < 1 || perDay < 1 {
				return usageErrorf("--per-minute and --per-day must be at least 1")
			}
			opts := []privytest.Option{privytest.WithSeed(seed, count), privytest.WithLogger(a.warnLogger()),
				privytest.WithLimits(perMinute, perDay)}
			fake := privytest.New(opts...)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
			base := "http://" + ln.Addr().String()
			fmt.Fprintf(a.stdout, "export PRIVY_BASE_URL=%s%s\n", base, privytest.BasePath)
			fmt.Fprintf(a.stdout, "export PRIVY_TOKEN=%s\n", privytest.DefaultToken)
			fmt.Fprintf(a.stdout, "# token endpoint: %s/oauth/token; serving %d contacts until interrupted\n", base, count)
			if f, ok := a.stdout.(interface{ Sync() error }); ok {
				_ = f.Sync()
			}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-a.ctx.Done():
			}
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "loopback address to listen on (port 0 picks a free one)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed of the sample contacts")
	cmd.Flags().IntVar(&count, "contacts", 150, "how many sample contacts to seed")
	cmd.Flags().IntVar(&perMinute, "per-minute", 60, "the account's rate limit per minute")
	cmd.Flags().IntVar(&perDay, "per-day", 10000, "the account's rate limit per day")
	return cmd
}

// checkLoopback refuses an address that is not on the loopback interface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErrorf("--addr %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return usageErrorf("--addr %q: the fake server listens on loopback only (127.0.0.1 or ::1)", addr)
	}
	return nil
}
