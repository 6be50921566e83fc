package realtest

import "testing"

func TestServersUp(t *testing.T) {
	for n, why := range e.broken {
		t.Errorf("%s: %s", n, why)
	}
	t.Logf("ports %v", e.ports)
}
