// Package privygo is the root of privy-go, an unofficial, spec-first Go client for the Privy
// Contacts API. The client lives in package privy, the generated code in package gen, the fake
// API in package privytest and the command-line tool in cmd/privy.
package privygo

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/oapi-codegen.yaml openapi.yaml
