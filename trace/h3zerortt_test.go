package trace_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// warmH3 runs rawURL twice over HTTP/3 on fresh connections (-n 2
// --fresh --http3-only), and returns the second run's hop, which resumes
// the first run's session.
func warmH3(t *testing.T, lab *tracetest.Lab, rawURL string, edit ...func(*trace.Options)) *trace.Hop {
	t.Helper()
	u, _ := trace.ParseURL(rawURL)
	o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf, HostsFile: lab.HostsFile,
		CACert: lab.CAPEM, MaxTime: 20 * time.Second, HTTP: "3-only"}
	for _, e := range edit {
		e(o)
	}
	ser := trace.Repeat(t.Context(), o, trace.RepeatOptions{Count: 2, Fresh: true}, nil)
	if len(ser.Runs) != 2 {
		t.Fatalf("%d runs", len(ser.Runs))
	}
	for i, r := range ser.Runs {
		if r.Err != nil {
			t.Fatalf("run %d: %s/%s: %s", i+1, r.Err.Phase, r.Err.Kind, r.Err.Message)
		}
	}
	first := &ser.Runs[0].Hops[0]
	if first.TLS.Resumed || first.QUIC.Used0RTT || first.QUIC.Rejected0RTT {
		t.Errorf("first run: resumed %v, 0-RTT %v, rejected %v", first.TLS.Resumed, first.QUIC.Used0RTT, first.QUIC.Rejected0RTT)
	}
	return &ser.Runs[1].Hops[0]
}

// echoedH3 is what /echo saw of the request.
func echoedH3(t *testing.T, hop *trace.Hop) (method, proto string, bodyBytes int64) {
	t.Helper()
	var e struct {
		Method    string `json:"method"`
		Proto     string `json:"proto"`
		BodyBytes int64  `json:"body_bytes"`
	}
	if err := json.Unmarshal(hop.Response.BodyPreview, &e); err != nil {
		t.Fatalf("/echo's reply %q: %v", hop.Response.BodyPreview, err)
	}
	return e.Method, e.Proto, e.BodyBytes
}

// A warm run's GET goes in 0-RTT: the resumed session's first flight
// carries it, so its send starts inside the QUIC handshake (which still
// lasts the lab's delay) and its wait ends after it.
func TestHTTP3ZeroRTT(t *testing.T) {
	lab := tracetest.New(t)
	hop := warmH3(t, lab, lab.URL("https", "tlsdelay-40.www.lab.test", "/echo"))
	q, tm := hop.QUIC, hop.Timings
	if !hop.TLS.Resumed || !q.Used0RTT || q.Rejected0RTT {
		t.Fatalf("second run: resumed %v, 0-RTT %v, rejected %v", hop.TLS.Resumed, q.Used0RTT, q.Rejected0RTT)
	}
	within(t, "quic", tm.QUIC, 40*time.Millisecond)
	if tm.Send == nil || tm.Wait == nil || tm.Receive == nil {
		t.Fatalf("send, wait, receive: %+v", tm)
	}
	if tm.Send.Start >= tm.QUIC.End() || tm.Send.Start < tm.QUIC.Start {
		t.Errorf("send starts at %v, want inside the quic phase %v..%v", tm.Send.Start, tm.QUIC.Start, tm.QUIC.End())
	}
	if tm.Wait.End() < tm.QUIC.End() {
		t.Errorf("first byte at %v, before the handshake completed at %v", tm.Wait.End(), tm.QUIC.End())
	}
	if c := hop.Connect; c.Duration != tm.QUIC.Duration || len(c.Attempts) != 1 || c.Attempts[0].Duration < 40*time.Millisecond || c.Reused {
		t.Errorf("connect %+v, quic %v", c, tm.QUIC)
	}
	if m, proto, _ := echoedH3(t, hop); hop.Response.Status != 200 || m != "GET" || proto != "HTTP/3.0" {
		t.Errorf("response %d, the server saw %s over %s", hop.Response.Status, m, proto)
	}
}

// A POST with a body never goes early (a replay could repeat it): the
// warm run resumes, and sends once the handshake has completed.
func TestHTTP3ZeroRTTNotForPOST(t *testing.T) {
	lab := tracetest.New(t)
	hop := warmH3(t, lab, lab.URL("https", "tlsdelay-20.www.lab.test", "/echo"), func(o *trace.Options) { o.Body = []byte("a=1") })
	if !hop.TLS.Resumed || hop.QUIC.Used0RTT || hop.QUIC.Rejected0RTT {
		t.Fatalf("POST: resumed %v, 0-RTT %v, rejected %v", hop.TLS.Resumed, hop.QUIC.Used0RTT, hop.QUIC.Rejected0RTT)
	}
	if tm := hop.Timings; tm.Send.Start < tm.QUIC.End() {
		t.Errorf("send starts at %v, before the handshake completed at %v", tm.Send.Start, tm.QUIC.End())
	}
	if m, _, n := echoedH3(t, hop); hop.Response.Status != 200 || m != "POST" || n != 3 {
		t.Errorf("response %d, the server saw %s with %d body bytes", hop.Response.Status, m, n)
	}
}

// A server that resumes the session but refuses its early data: the GET
// sent in 0-RTT is discarded, and goes again after the handshake, on the
// same connection; the hop says so.
func TestHTTP3ZeroRTTRejected(t *testing.T) {
	lab := tracetest.New(t)
	hop := warmH3(t, lab, lab.URL("https", "tlsdelay-30.no0rtt.lab.test", "/echo"))
	q, tm := hop.QUIC, hop.Timings
	if !hop.TLS.Resumed || q.Used0RTT || !q.Rejected0RTT {
		t.Fatalf("no0rtt: resumed %v, 0-RTT %v, rejected %v", hop.TLS.Resumed, q.Used0RTT, q.Rejected0RTT)
	}
	within(t, "quic", tm.QUIC, 30*time.Millisecond)
	if tm.Send.Start < tm.QUIC.End() {
		t.Errorf("the resent request's send starts at %v, before the handshake completed at %v", tm.Send.Start, tm.QUIC.End())
	}
	if m, _, _ := echoedH3(t, hop); hop.Response.Status != 200 || m != "GET" {
		t.Errorf("response %d, the server saw %s", hop.Response.Status, m)
	}
	if n := lab.QUICConnections(); n != 2 {
		t.Errorf("%d QUIC connections, want 2 (the resend goes on the same one)", n)
	}
}

// With --http3 (QUIC raced against TCP) a warm run's 0-RTT request
// claims the race at once: nothing goes over TCP, no fallback.
func TestHTTP3ZeroRTTRace(t *testing.T) {
	lab := tracetest.New(t)
	hop := warmH3(t, lab, lab.URL("https", "tlsdelay-250.www.lab.test", "/echo"), h3("3"))
	if !hop.QUIC.Used0RTT || hop.Fallback != nil || hop.Response.Proto != "HTTP/3.0" {
		t.Fatalf("--http3: 0-RTT %v, fallback %+v, proto %s", hop.QUIC.Used0RTT, hop.Fallback, hop.Response.Proto)
	}
	for _, a := range hop.Connect.Attempts {
		if a.Transport != "udp" {
			t.Errorf("a TCP attempt after the 0-RTT request went: %+v", a)
		}
	}
	within(t, "quic", hop.Timings.QUIC, 250*time.Millisecond)
}

// A Pool's new QUIC connection that goes in 0-RTT still holds the other
// requests until its handshake has completed: they wait (blocked) and
// then share it, while the first request went in the first flight.
func TestPoolHTTP3ZeroRTTOthersWait(t *testing.T) {
	lab := tracetest.New(t)
	p := h3Pool(t, lab, "3-only")
	const delay = 150 * time.Millisecond
	host := "tlsdelay-150.pool.lab.test"
	// The first connection gets a session ticket, then the server closes it.
	if r := p.Do(t.Context(), labOptionsWith(t, lab, lab.URL("https", host, "/quic/close"), h3("3-only"))); r.Err != nil {
		t.Fatalf("first request: %+v", r.Err)
	}
	time.Sleep(tracetest.QUICCloseDelay + 200*time.Millisecond) // the pool drops the closed connection
	rs := doAllWith(t, lab, p, repeatURL(5, lab.URL("https", host, "/bytes/100")), h3("3-only"))
	if ids := conns(t, rs); len(ids) != 1 {
		t.Fatalf("%d connections %v, want 1", len(ids), ids)
	}
	early := 0
	for i, r := range rs {
		h := r.Hops[0]
		if r.Err != nil || h.Response.Status != 200 || h.Response.BodyBytes != 100 {
			t.Fatalf("request %d: %+v", i, r.Err)
		}
		if !h.Connect.Reused {
			early++
			if !h.QUIC.Used0RTT || !h.TLS.Resumed || h.Timings.Send.Start >= h.Timings.QUIC.End() {
				t.Errorf("the handshaking request: 0-RTT %v, resumed %v, send at %v, quic %v", h.QUIC.Used0RTT, h.TLS.Resumed, h.Timings.Send.Start, h.Timings.QUIC)
			}
			within(t, "quic", h.Timings.QUIC, delay)
			continue
		}
		if b := h.Timings.Blocked; b == nil || b.Duration < delay*3/4 || b.Duration > delay+slack || h.QUIC.Used0RTT {
			t.Errorf("request %d: blocked %+v, 0-RTT %v; want the handshake waited out, then 1-RTT", i, b, h.QUIC.Used0RTT)
		}
	}
	if early != 1 {
		t.Errorf("%d requests handshook, want 1", early)
	}
	if n := lab.QUICConnections(); n != 2 {
		t.Errorf("the lab accepted %d QUIC connections, want 2", n)
	}
}
