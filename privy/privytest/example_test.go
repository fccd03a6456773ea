package privytest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy/privytest"
)

// Start a fake Privy API, call it with the generated client, and assert on what it holds
// and on what it was sent.
func Example() {
	clock := privytest.NewClock(time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC))
	srv := privytest.NewServer(privytest.WithClock(clock))
	defer srv.Close()

	client, _ := gen.NewClientWithResponses(srv.URL, gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+privytest.DefaultToken)
		return nil
	}))
	email := "jane@example.com"
	created, _ := client.CreateContactWithResponse(context.Background(), gen.CreateContactRequest{Email: &email})
	fmt.Println(created.StatusCode(), *created.JSON201.Data.Email, created.JSON201.Data.EmailPermission, created.JSON201.Data.CreatedAt)
	fmt.Println("remaining this minute:", created.HTTPResponse.Header.Get("X-RateLimit-Remaining-Minute"))

	again, _ := client.CreateContactWithResponse(context.Background(), gen.CreateContactRequest{Email: &email})
	fmt.Println(again.StatusCode(), again.JSON409.Error.Message)

	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path, r.Operation, r.Status)
	}
	// Output:
	// 201 jane@example.com non_subscribed 2025-01-15 10:30:00 +0000 UTC
	// remaining this minute: 59
	// 409 A contact with this email already exists
	// POST /v1/contacts createContact 201
	// POST /v1/contacts createContact 409
}

// Make the next two list requests fail with 503 to test a client's retry logic.
func ExampleFake_Inject() {
	srv := privytest.NewServer()
	defer srv.Close()
	srv.Inject("listContacts", 2, privytest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "1"})

	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+privytest.DefaultToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Output:
	// 503 1
	// 503 1
	// 200
}
