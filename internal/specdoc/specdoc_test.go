package specdoc_test

import (
	"testing"

	"github.com/privy-go/privy-go/internal/specdoc"
)

func TestLoadIsSharedAndComplete(t *testing.T) {
	a, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("Load parsed the document twice; want one shared document")
	}
	if a.Paths.Find("/contacts") == nil {
		t.Errorf("the embedded document has no /contacts path; paths: %v", a.Paths.InMatchingOrder())
	}
}
