// Command consumer is a program in a module of its own that uses package privy alone, as an
// adopter would: TestConsumerModule builds it against this repository (a replace directive)
// and runs it against privytest, with PRIVY_TOKEN and PRIVY_BASE_URL set.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/privy-go/privy-go/privy"
)

func main() {
	ctx := context.Background()
	client, err := privy.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	req := privy.CreateContactRequest{Email: privy.Ptr("consumer@example.com"), Tags: []string{"vip"},
		EmailConsent: privy.Ptr(privy.ConsentSubscribed)}
	created, _, err := client.CreateContact(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", *created.Email, created.Tags)
	_, _, err = client.CreateContact(ctx, req)
	if !errors.Is(err, privy.ErrConflict) {
		log.Fatalf("second create: %v, want privy.ErrConflict", err)
	}
	var apiErr *privy.Error
	if errors.As(err, &apiErr) {
		fmt.Println("conflict", apiErr.StatusCode, apiErr.Code)
	}
	page, _, err := client.ListContacts(ctx, &privy.ListContactsParams{Email: privy.Ptr("consumer@example.com")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listed", len(page.Data))
	n := 0
	for contact, err := range client.Contacts(ctx, &privy.ListContactsParams{EmailPermission: privy.Ptr(privy.ConsentSubscribed)}) {
		if err != nil {
			log.Fatal(err)
		}
		if contact.Email != nil && *contact.Email == "consumer@example.com" {
			n++
		}
	}
	fmt.Println("iterated", n)
}
