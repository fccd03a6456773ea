package spec_test

import (
	"net/url"
	"testing"
)

func TestValidatorOperationID(t *testing.T) {
	v := newValidator(t, "/v1")
	tests := []struct {
		method, url string
		want        string // "" means an error
	}{
		{"GET", "https://api.example.com/v1/contacts?page=2", "listContacts"},
		{"POST", "/v1/contacts", "createContact"},
		{"POST", "/oauth/token", "exchangeToken"},
		{"GET", "/contacts", ""},        // outside the base path
		{"PUT", "/v1/contacts", ""},     // no such method
		{"GET", "/v1/nothing/here", ""}, // no such path
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := v.OperationID(tt.method, u)
		if tt.want == "" {
			if err == nil {
				t.Errorf("OperationID(%s %s) = %q, want an error", tt.method, tt.url, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("OperationID(%s %s) = %q, %v; want %q", tt.method, tt.url, got, err, tt.want)
		}
	}
}
