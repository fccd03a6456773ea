// Package privygo is the root of privy-go, an unofficial, spec-first Go client for the Privy
// Contacts API. The client lives in package privy, the generated code in package gen, the fake
// API in package privytest and the command-line tool in cmd/privy.
package privygo

// Package gen: the client, the models and the embedded spec.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/oapi-codegen.yaml openapi.yaml
// The server code privytest needs, in a package of its own that uses gen's models.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/server.oapi-codegen.yaml openapi.yaml
