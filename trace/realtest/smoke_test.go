package realtest

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// TestServersUp fails when a server did not start; REALTEST_HOLD=SECONDS
// keeps them running that long, to try requests by hand (the ports and the
// directory are logged; REALTEST_KEEP=1 keeps the directory).
func TestServersUp(t *testing.T) {
	need(t)
	for n, why := range e.broken {
		t.Errorf("%s did not start: %s", n, why)
	}
	for n, why := range e.missing {
		if os.Getenv("CI") != "" {
			t.Errorf("%s: %s", n, why)
		} else {
			t.Logf("%s: %s", n, why)
		}
	}
	t.Logf("dir %s ports %v", e.dir, e.ports)
	if s, _ := strconv.Atoi(os.Getenv("REALTEST_HOLD")); s > 0 {
		time.Sleep(time.Duration(s) * time.Second)
	}
}
