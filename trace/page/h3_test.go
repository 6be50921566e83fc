package page_test

import (
	"testing"

	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// A page over --http3 goes over one QUIC connection per origin, as
// Chromium loads it, not one per subresource.
func TestLabPageHTTP3(t *testing.T) {
	lab := tracetest.New(t)
	o := labOptions(t, lab, tracetest.PagePath)
	o.Trace.HTTP = "3"
	res := load(t, o)
	origins := map[string]int{}
	carried := 0
	for _, c := range res.Connections {
		origins[page.Origin(c.Origin)]++
		carried += c.Requests
		if c.Proto != "HTTP/3.0" {
			t.Errorf("connection #%d to %s: %s", c.ID, c.Origin, c.Proto)
		}
	}
	for _, host := range []string{"www.lab.test", tracetest.CDNHost, tracetest.H1OnlyHost} {
		if n := origins[page.Origin(lab.URL("https", host, "/"))]; n != 1 {
			t.Errorf("%s: %d connections, want one QUIC connection", host, n)
		}
	}
	if len(origins) != 3 || lab.QUICConnections() != 3 || carried < 40 {
		t.Errorf("%d origins %v, the lab accepted %d QUIC connections, carrying %d requests", len(origins), origins, lab.QUICConnections(), carried)
	}
}
