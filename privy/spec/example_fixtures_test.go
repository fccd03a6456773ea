package spec_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/privy-go/privy-go/privy/spec"
)

// A fixture's path says what it is: here a createContact request that must be invalid.
func ExampleValidateFixture() {
	r := spec.ValidateFixture(context.Background(),
		"../../testdata/fixtures/createContact/request/invalid/missing_identifier.json")
	fmt.Println("negative:", r.Invalid, "ok:", r.OK())
	for _, v := range r.Violations {
		fmt.Println(v.Rule, v.Detail().Field, v.Detail().Message)
	}
	// Output:
	// negative: true ok: true
	// anyOf base email or phone_number is required
}

func ExampleValidator_CheckRequest() {
	v, err := spec.NewValidator("/v1")
	if err != nil {
		panic(err)
	}
	body := `{"phone_number": "555-0100"}`
	r := httptest.NewRequest("POST", "/v1/contacts", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	op, violations := v.CheckRequest(context.Background(), r, []byte(body))
	fmt.Println(op)
	for _, x := range violations {
		fmt.Println(x)
	}
	// Output:
	// createContact
	// createContact request body /phone_number: pattern: must be a valid phone number in E.164 format
}
