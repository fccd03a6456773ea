package privytest_test

import (
	"testing"

	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
)

// README snippet begins.
func TestSignupCreatesContact(t *testing.T) {
	srv := privytest.NewServer(privytest.WithT(t), privytest.WithSeed(1, 50))
	defer srv.Close()
	client, err := privy.New(privy.WithBaseURL(srv.URL), privy.WithToken(privytest.DefaultToken))
	if err != nil {
		t.Fatal(err)
	}

	// The code under test, given client:
	_, _, err = client.CreateContact(t.Context(), privy.CreateContactRequest{Email: privy.Ptr("new@example.com")})
	if err != nil {
		t.Fatal(err)
	}

	if n := len(srv.Contacts()); n != 51 {
		t.Errorf("the fake holds %d contacts, want 51", n)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Operation != "createContact" {
		t.Errorf("requests: %+v, want one createContact", reqs)
	}
}

// README snippet ends.
