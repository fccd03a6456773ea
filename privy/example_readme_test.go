package privy_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// Example is the README's snippet (TestREADMESnippets keeps the two in step): create a
// contact, tell errors apart, iterate. It needs package privy alone (privytest only stands
// in for the API here).
func Example() {
	srv := privytest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	// The environment a deployment sets (PRIVY_BASE_URL only to reach the fake here).
	os.Setenv(privy.EnvToken, privytest.DefaultToken)
	os.Setenv(privy.EnvBaseURL, srv.URL)
	defer os.Unsetenv(privy.EnvToken)
	defer os.Unsetenv(privy.EnvBaseURL)

	// README snippet begins.
	client, err := privy.NewFromEnv() // or privy.New(privy.WithToken(token))
	if err != nil {
		log.Fatal(err)
	}

	for _, req := range []privy.CreateContactRequest{
		{Email: privy.Ptr("jane@example.com"), FirstName: privy.Ptr("Jane"), EmailConsent: privy.Ptr(privy.ConsentSubscribed)},
		{PhoneNumber: privy.Ptr("+15551234567"), EmailConsent: privy.Ptr(privy.ConsentSubscribed)},
		{Email: privy.Ptr("jane@example.com")}, // already there
	} {
		_, _, err := client.CreateContact(ctx, req)
		var apiErr *privy.Error
		switch {
		case errors.Is(err, privy.ErrConflict):
			fmt.Println("already there")
		case errors.As(err, &apiErr):
			log.Fatalf("%d %s: %s %v", apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.Details)
		case err != nil:
			log.Fatal(err)
		}
	}

	params := &privy.ListContactsParams{EmailPermission: privy.Ptr(privy.ConsentSubscribed)}
	for contact, err := range client.Contacts(ctx, params) {
		if err != nil {
			log.Fatal(err)
		}
		switch {
		case contact.Email != nil: // optional: a contact may have a phone number only
			fmt.Println(*contact.Email)
		case contact.PhoneNumber != nil:
			fmt.Println(*contact.PhoneNumber)
		}
	}
	// README snippet ends.

	// Output:
	// already there
	// jane@example.com
	// +15551234567
}
