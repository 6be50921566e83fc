package cmd_test

import (
	"encoding/json"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// page --http3: every request of the lab's big page goes over HTTP/3, on
// one QUIC connection per origin, as Chromium's with QUIC on.
func TestPageHTTP3(t *testing.T) {
	lab := tracetest.New(t)
	o := reqtrace(t, nil, append(append([]string{"page"}, labArgs(lab)...), "--http3", "--json", lab.PageURL(tracetest.PagePath))...)
	var doc struct {
		Connections []struct{ Origin, Proto string }
		Requests    []struct {
			Hops []struct {
				Response *struct{ Proto string }
			}
		}
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || o.code != 0 {
		t.Fatalf("exit %d, %v: %s", o.code, err, o.stderr)
	}
	if len(doc.Connections) != 3 {
		t.Errorf("%d connections, want one per origin: %+v", len(doc.Connections), doc.Connections)
	}
	for _, c := range doc.Connections {
		if c.Proto != "HTTP/3.0" {
			t.Errorf("connection to %s over %s", c.Origin, c.Proto)
		}
	}
	for i, r := range doc.Requests {
		if n := len(r.Hops); n == 0 || r.Hops[n-1].Response == nil || r.Hops[n-1].Response.Proto != "HTTP/3.0" {
			t.Errorf("request %d not over HTTP/3: %+v", i, r.Hops)
		}
	}
	if o := reqtrace(t, nil, append(append([]string{"page"}, labArgs(lab)...), "--http3", "--http2", lab.PageURL(tracetest.PagePath))...); o.code != 2 {
		t.Errorf("--http3 with --http2: exit %d", o.code)
	}
}
