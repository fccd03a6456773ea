package cli_test

import (
	"context"
	"os"
	"path/filepath"

	"github.com/privy-go/privy-go/internal/cli"
)

// A dry run checks every row of an import file locally, spending no request (and needing no
// credentials), and names each bad row by its line.
func ExampleRun_importDryRun() {
	dir, _ := os.MkdirTemp("", "privy-example")
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "contacts.csv")
	os.WriteFile(in, []byte("email,phone_number,tags,custom.tier\n"+
		"jane@example.com,+15551234567,vip;beta,gold\n"+
		"john@example.com,555-1234,,\n"+
		",,newsletter,\n"), 0o644)

	code := cli.Run(context.Background(), []string{"contacts", "import", "--dry-run", in},
		os.Stdin, os.Stdout, os.Stdout, func(string) string { return "" })
	_ = code // 1: some rows are invalid
	// Output:
	// line 3: phone_number: must be a valid phone number in E.164 format
	// line 4: base: email or phone_number is required
	// 3 rows checked, 2 invalid; nothing was sent
	// error: 2 of 3 rows are invalid
}
