package trace_test

import (
	"testing"

	"golang.org/x/net/http2/hpack"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// TestHeadHasNoBody: a HEAD response's Content-Length tells the size of
// the body a GET would get; no body follows, over HTTP/1.1 or HTTP/2
// (real servers all send it; curl -I reads none).
func TestHeadHasNoBody(t *testing.T) {
	lab := tracetest.New(t)
	cases := []struct {
		name, scheme, http string
		head               bool
	}{
		{"http -I", "http", "", true},
		{"https h2 -I", "https", "", true},
		{"https h2 -X HEAD", "https", "", false},
		{"https --http1.1 -I", "https", "1.1", true},
	}
	for _, c := range cases {
		res := run(t, lab, lab.URL(c.scheme, "www.lab.test", "/bytes/100"), func(o *trace.Options) {
			o.HTTP = c.http
			if c.head {
				o.Head = true
			} else {
				o.Method = "HEAD"
			}
		})
		if res.Err != nil {
			t.Errorf("%s: %s/%s: %s", c.name, res.Err.Phase, res.Err.Kind, res.Err.Message)
			continue
		}
		r := res.Hops[0].Response
		if r.BodyBytes != 0 || headerOf(r.Headers, "Content-Length") != "100" || res.Hops[0].Request.Method != "HEAD" {
			t.Errorf("%s: %s, body %d bytes, Content-Length %q", c.name, r.Proto, r.BodyBytes, headerOf(r.Headers, "Content-Length"))
		}
	}
}

// TestNotModifiedOverHTTP2HasNoBody: a 304 may carry the Content-Length
// of the stored body; the stream ends with the head.
func TestNotModifiedOverHTTP2HasNoBody(t *testing.T) {
	lab := tracetest.New(t)
	port := rawH2Server(t, lab, []hpack.HeaderField{{Name: ":status", Value: "304"}, {Name: "content-length", Value: "100"}, {Name: "etag", Value: `"v1"`}})
	hop := ok(t, run(t, lab, "https://www.lab.test:"+port+"/"))
	if hop.Response.Status != 304 || hop.Response.BodyBytes != 0 {
		t.Errorf("status %d, body %d", hop.Response.Status, hop.Response.BodyBytes)
	}
}
