// Package specdoc gives the module's own packages the OpenAPI document embedded in package gen,
// parsed once. It is internal so that kin-openapi types stay out of the exported API of privy
// and privy/spec.
package specdoc

import (
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
)

var load = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := gen.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("spec: loading the embedded OpenAPI document: %w", err)
	}
	return doc, nil
})

// Load returns the OpenAPI document embedded in package gen, parsed on the first call and
// shared afterwards. Callers must not modify it.
func Load() (*openapi3.T, error) { return load() }
