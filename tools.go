//go:build tools

package privygo

// Pins the code generator's version in go.mod; see generate.go.
import _ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
