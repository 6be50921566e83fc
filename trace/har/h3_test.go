package har

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
)

// A browser's HTTP/3 entry (Chrome exports the QUIC handshake as connect
// with ssl the same span) reads as one quic phase, TCP and TLS skipped,
// and a TLS 1.3 handshake with ALPN h3; a reused QUIC connection (connect
// -1) is a reused connection as over TCP.
func TestBrowserHTTP3(t *testing.T) {
	rs := readString(t, `{"log": {"entries": [
		{"startedDateTime": "2026-03-01T12:00:00.000Z", "serverIPAddress": "192.0.2.10", "time": 61.5,
		 "request": {"method": "GET", "url": "https://h3.test/", "httpVersion": "h3", "headers": []},
		 "response": {"status": 200, "httpVersion": "h3", "headers": [{"name": "content-length", "value": "2"}], "content": {"size": 2}},
		 "timings": {"blocked": 1, "dns": 10, "connect": 30, "ssl": 30, "send": 0.5, "wait": 20, "receive": 0}},
		{"startedDateTime": "2026-03-01T12:00:01.000Z", "serverIPAddress": "192.0.2.10", "time": 20.5,
		 "request": {"method": "GET", "url": "https://h3.test/b", "httpVersion": "h3", "headers": []},
		 "response": {"status": 200, "httpVersion": "h3", "headers": [], "content": {"size": 0}},
		 "timings": {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1, "send": 0.5, "wait": 20, "receive": 0}}
	]}}`)
	var hops []trace.Hop
	for _, r := range rs {
		hops = append(hops, r.Hops...)
	}
	if len(hops) != 2 {
		t.Fatalf("%d hops", len(hops))
	}
	h := hops[0]
	tm := h.Timings
	if tm.QUIC == nil || tm.QUIC.Start != 11*ms || tm.QUIC.Duration != 30*ms || tm.Connect != nil || tm.TLS != nil || tm.Send == nil || tm.Send.Start != 41*ms {
		t.Errorf("timings %+v quic %+v", tm, tm.QUIC)
	}
	if h.Response.Proto != "HTTP/3.0" || h.Connect == nil || h.Connect.Transport != "udp" || h.Connect.Address != "192.0.2.10:443" ||
		h.TLS == nil || h.TLS.ALPN != "h3" || h.TLS.Version != "TLS 1.3" || tm.Skipped[trace.PhaseConnect] == "" || tm.Skipped[trace.PhaseTLS] == "" {
		t.Errorf("hop: proto %s, connect %+v, tls %+v, skipped %v", h.Response.Proto, h.Connect, h.TLS, tm.Skipped)
	}
	if r := hops[1]; r.Timings.QUIC != nil || r.Connect == nil || !r.Connect.Reused {
		t.Errorf("reused: quic %v, connect %+v", r.Timings.QUIC, r.Connect)
	}
	var out bytes.Buffer
	if err := render.Text(&out, rs[0], render.Style{Width: 100}); err != nil || !strings.Contains(out.String(), "QUIC handshake    30.00 ms") {
		t.Errorf("%v\n%s", err, out.String())
	}
}
