package cli

import "github.com/privy-go/privy-go/privy"

func versionString() string { return privy.Version() }
