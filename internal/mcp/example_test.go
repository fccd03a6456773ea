package mcp_test

import (
	"context"
	"fmt"
	"log"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/privy-go/privy-go/internal/mcp"
	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// Serve the API to an MCP client over an in-memory transport, against the fake API.
func ExampleNew() {
	ctx := context.Background()
	fake := privytest.NewServer(privytest.WithSeed(1, 3))
	defer fake.Close()
	t, err := privy.NewTransport(privy.WithToken(privytest.DefaultToken), privy.WithBaseURL(fake.URL))
	if err != nil {
		log.Fatal(err)
	}
	srv, err := mcp.New(t, fake.URL, mcp.Options{}) // read-only: no write tools
	if err != nil {
		log.Fatal(err)
	}
	serverEnd, clientEnd := sdk.NewInMemoryTransports()
	if _, err := srv.Connect(ctx, serverEnd, nil); err != nil {
		log.Fatal(err)
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "example", Version: "1"}, nil).Connect(ctx, clientEnd, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cs.Close()

	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, tool := range tools.Tools {
		fmt.Println(tool.Name, "read-only:", tool.Annotations.ReadOnlyHint)
	}
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "listContacts", Arguments: map[string]any{"per_page": 2}})
	if err != nil {
		log.Fatal(err)
	}
	page := res.StructuredContent.(map[string]any)
	fmt.Println("contacts:", len(page["data"].([]any)), "pagination:", page["pagination"])
	// Output:
	// listContacts read-only: true
	// rate_limit_status read-only: true
	// contacts: 2 pagination: map[page:1 per_page:2 total_count:3 total_pages:2]
}
