package privytest_test

import (
	"testing"
	"time"

	"github.com/privy-go/privy-go/privy/privytest"
)

func TestClock(t *testing.T) {
	c := privytest.NewClock(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now = %v", c.Now())
	}
	c.Advance(time.Minute)
	select {
	case got := <-c.After(time.Hour):
		if want := start.Add(time.Hour + time.Minute); !got.Equal(want) || !c.Now().Equal(want) {
			t.Errorf("After fired with %v, Now %v; want both %v", got, c.Now(), want)
		}
	default:
		t.Fatal("After did not fire at once")
	}
}
