package trace_test

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// TestHTTP2KeepsHeaderOrder runs a hand-written HTTP/2 server that sends
// its header fields unsorted, in an order no map would give back.
func TestHTTP2KeepsHeaderOrder(t *testing.T) {
	lab := tracetest.New(t)
	addr := rawH2Server(t, lab,
		[]hpack.HeaderField{{Name: ":status", Value: "103"}, {Name: "link", Value: "</b.css>"}, {Name: "link", Value: "</a.css>"}},
		[]hpack.HeaderField{{Name: ":status", Value: "200"}, {Name: "z-last", Value: "1"}, {Name: "a-first", Value: "2"},
			{Name: "set-cookie", Value: "b=2"}, {Name: "set-cookie", Value: "a=1"}})
	res := run(t, lab, "https://www.lab.test:"+addr+"/")
	hop := ok(t, res)
	want := []trace.Header{{"z-last", "1"}, {"a-first", "2"}, {"set-cookie", "b=2"}, {"set-cookie", "a=1"}}
	if !equalJSON(hop.Response.Headers, want) {
		t.Errorf("headers = %v\nwant %v", hop.Response.Headers, want)
	}
	if len(hop.Informational) != 1 || !equalJSON(hop.Informational[0].Headers, []trace.Header{{"link", "</b.css>"}, {"link", "</a.css>"}}) {
		t.Errorf("informational = %+v", hop.Informational)
	}
}

// rawH2Server answers one HTTP/2 request on stream 1 with the given header
// blocks (the last ends the stream) and returns its port.
func rawH2Server(t *testing.T, lab *tracetest.Lab, blocks ...[]hpack.HeaderField) string {
	t.Helper()
	cert, err := lab.Certificate("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveOnce(t, l, func(c net.Conn) {
		preface := make([]byte, len(http2.ClientPreface))
		if _, err := io.ReadFull(c, preface); err != nil {
			return
		}
		fr := http2.NewFramer(c, c)
		fr.WriteSettings()
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			if s, ok := f.(*http2.SettingsFrame); ok && !s.IsAck() {
				fr.WriteSettingsAck()
			}
			if h, ok := f.(*http2.HeadersFrame); ok && h.StreamID == 1 {
				for i, b := range blocks {
					var buf bytes.Buffer
					enc := hpack.NewEncoder(&buf)
					for _, f := range b {
						enc.WriteField(f)
					}
					fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: buf.Bytes(), EndHeaders: true, EndStream: i == len(blocks)-1})
				}
				io.Copy(io.Discard, c) // wait for the client to close
				return
			}
		}
	})
	_, port, _ := net.SplitHostPort(addr)
	return port
}
