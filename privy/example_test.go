package privy_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/privy"
	"github.com/privy-go/privy-go/privy/privytest"
	"github.com/privy-go/privy-go/privy/spec"
)

// newExampleClient starts an in-memory API (in your code: privy.New(privy.WithToken(token))).
func newExampleClient() (*privy.Client, func()) {
	srv := privytest.NewServer(privytest.WithClock(privytest.NewClock(time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC))))
	c, err := privy.New(privy.WithToken(privytest.DefaultToken), privy.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, email := range []string{"jane@example.com", "john@example.com", "ada@example.com"} {
		if _, _, err := c.CreateContact(ctx, privy.CreateContactRequest{Email: privy.Ptr(email)}); err != nil {
			log.Fatal(err)
		}
	}
	return c, srv.Close
}

func ExampleNew() {
	c, err := privy.New(privy.WithToken("privy_0123456789abcdef0123456789abcdef01234567"),
		privy.WithMaxWait(30*time.Second), privy.WithTransientRetries())
	if err != nil {
		log.Fatal(err)
	}
	_ = c
	_, err = privy.New(privy.WithToken("privy_x"), privy.WithBaseURL("http://api.privy.com/v1"))
	fmt.Println(err)
	// Output:
	// privy: WithBaseURL: "http://api.privy.com/v1" uses plain http; use https (http is allowed only for loopback hosts)
}

func ExampleClient_ListContacts() {
	c, done := newExampleClient()
	defer done()
	list, resp, err := c.ListContacts(context.Background(), &privy.ListContactsParams{PerPage: privy.Ptr(2)})
	if err != nil {
		log.Fatal(err)
	}
	for _, ct := range list.Data {
		fmt.Println(*ct.Email)
	}
	fmt.Printf("page %d of %d; %d requests left this minute\n",
		list.Pagination.Page, list.Pagination.TotalPages, resp.RateLimit.RemainingMinute)
	// Output:
	// jane@example.com
	// john@example.com
	// page 1 of 2; 56 requests left this minute
}

func ExampleClient_CreateContact() {
	c, done := newExampleClient()
	defer done()
	ct, _, err := c.CreateContact(context.Background(), privy.CreateContactRequest{
		Email: privy.Ptr("grace@example.com"), FirstName: privy.Ptr("Grace"), EmailConsent: privy.Ptr(privy.ConsentSubscribed),
		Tags: []string{"vip"}, CustomFields: privy.CustomFields{"loyalty_tier": "gold"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*ct.FirstName, *ct.Email, ct.EmailPermission, ct.Tags)

	// The same email again is a conflict; a bad phone number never leaves the process.
	_, _, err = c.CreateContact(context.Background(), privy.CreateContactRequest{Email: privy.Ptr("grace@example.com")})
	fmt.Println(errors.Is(err, privy.ErrConflict), err)
	_, _, err = c.CreateContact(context.Background(), privy.CreateContactRequest{PhoneNumber: privy.Ptr("555-1234")})
	fmt.Println(err)
	// Output:
	// Grace grace@example.com subscribed [vip]
	// true privy: 409 conflict: A contact with this email already exists
	// privy: 422 validation_failed: One or more fields are invalid (phone_number: must be a valid phone number in E.164 format)
}

func ExampleClient_UpdateContact() {
	c, done := newExampleClient()
	defer done()
	ct, _, err := c.UpdateContact(context.Background(), privy.UpdateContactRequest{
		Email: privy.Ptr("jane@example.com"), FirstName: privy.Ptr("Jane"), LastName: privy.Ptr("Doe")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*ct.FirstName, *ct.LastName)
	_, _, err = c.UpdateContact(context.Background(), privy.UpdateContactRequest{Email: privy.Ptr("nobody@example.com"), FirstName: privy.Ptr("X")})
	var e *privy.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Code)
	}
	// Output:
	// Jane Doe
	// 404 not_found
}

func ExampleClient_UnsubscribeContact() {
	c, done := newExampleClient()
	defer done()
	ct, _, err := c.UnsubscribeContact(context.Background(), privy.UnsubscribeContactRequest{
		Email: privy.Ptr("jane@example.com"), Reason: privy.Ptr("asked by phone")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ct.EmailPermission)
	// Output: unsubscribed
}

func ExampleClient_DeleteContact() {
	c, done := newExampleClient()
	defer done()
	ct, _, err := c.DeleteContact(context.Background(), privy.DeleteContactRequest{Email: privy.Ptr("john@example.com")})
	if err != nil {
		log.Fatal(err)
	}
	if ct != nil { // nil when the API answers 204
		fmt.Println("deleted", *ct.Email)
	}
	_, _, err = c.DeleteContact(context.Background(), privy.DeleteContactRequest{Email: privy.Ptr("john@example.com")})
	fmt.Println(errors.Is(err, privy.ErrNotFound))
	// Output:
	// deleted john@example.com
	// true
}

func ExampleClient_Contacts() {
	c, done := newExampleClient()
	defer done()
	// Every contact, one page at a time; the loop may stop early with break.
	for ct, err := range c.Contacts(context.Background(), &privy.ListContactsParams{PerPage: privy.Ptr(2)}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(*ct.Email)
	}
	// Output:
	// jane@example.com
	// john@example.com
	// ada@example.com
}

func ExampleWithClientCredentials() {
	srv := privytest.NewServer()
	defer srv.Close()
	// The token URL defaults to the base URL without /v1, plus /oauth/token.
	c, err := privy.New(privy.WithBaseURL(srv.URL),
		privy.WithClientCredentials(privytest.DefaultClientID, privytest.DefaultClientSecret, "contacts_read", "contacts_write"))
	if err != nil {
		log.Fatal(err)
	}
	ct, _, err := c.CreateContact(context.Background(), privy.CreateContactRequest{PhoneNumber: privy.Ptr("+15551234567")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*ct.PhoneNumber)

	bad, _ := privy.New(privy.WithBaseURL(srv.URL), privy.WithClientCredentials(privytest.DefaultClientID, "wrong"))
	_, _, err = bad.ListContacts(context.Background(), nil)
	fmt.Println(errors.Is(err, privy.ErrInvalidClient))
	// Output:
	// +15551234567
	// true
}

// The Transport gives code that uses package gen directly the same authentication, validation,
// pacing and retries.
func ExampleNewTransport() {
	srv := privytest.NewServer()
	defer srv.Close()
	t, err := privy.NewTransport(privy.WithToken(privytest.DefaultToken), privy.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	g, err := gen.NewClientWithResponses(srv.URL, gen.WithHTTPClient(t))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := g.CreateContactWithResponse(context.Background(), privy.CreateContactRequest{Email: privy.Ptr("ada@example.com")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode(), *resp.JSON201.Data.Email)
	fmt.Println(t.RateLimit().LimitMinute)
	// Output:
	// 201 ada@example.com
	// 60
}

// CheckResponse gives a call made with package gen through a Transport the errors of a Client.
func ExampleCheckResponse() {
	srv := privytest.NewServer()
	defer srv.Close()
	t, err := privy.NewTransport(privy.WithToken(privytest.DefaultToken), privy.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	g, err := gen.NewClient(srv.URL, gen.WithHTTPClient(t))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := g.DeleteContact(context.Background(), privy.DeleteContactRequest{Email: privy.Ptr("nobody@example.com")})
	if err != nil {
		log.Fatal(err)
	}
	err = privy.CheckResponse(resp)
	fmt.Println(errors.Is(err, privy.ErrNotFound))
	// Output:
	// true
}

// Drift detection reports where live responses differ from openapi.yaml, without failing calls:
// here a later release that renamed email_permission.
func ExampleWithDriftDetection() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{"first_name":"Jane","last_name":null,"email":"jane@example.com",
			"email_consent":"subscribed","phone_number":null,"contact_phone_permission":"non_subscribed",
			"tags":[],"custom_fields":{},"created_at":"2025-01-15T10:30:00Z","updated_at":"2025-01-15T10:30:00Z"}}`)
	}))
	defer srv.Close()
	report := func(v spec.Violation) { fmt.Println(v) }
	c, err := privy.New(privy.WithToken("privy_example"), privy.WithBaseURL(srv.URL+"/v1"), privy.WithDriftDetection(report))
	if err != nil {
		log.Fatal(err)
	}
	ct, _, err := c.UnsubscribeContact(context.Background(), privy.UnsubscribeContactRequest{Email: privy.Ptr("jane@example.com")})
	fmt.Println(*ct.Email, err)
	// Output:
	// unsubscribeContact response 200 header /X-RateLimit-Limit-Day: required: is required
	// unsubscribeContact response 200 header /X-RateLimit-Limit-Minute: required: is required
	// unsubscribeContact response 200 header /X-RateLimit-Remaining-Day: required: is required
	// unsubscribeContact response 200 header /X-RateLimit-Remaining-Minute: required: is required
	// unsubscribeContact response 200 header /X-RateLimit-Reset-Day: required: is required
	// unsubscribeContact response 200 header /X-RateLimit-Reset-Minute: required: is required
	// unsubscribeContact response 200 body /data/email_permission: required: is required
	// jane@example.com <nil>
}
