//go:build !unix

package cli

// oNoFollow is not available here: openPrivate relies on its Lstat check alone.
const oNoFollow = 0
