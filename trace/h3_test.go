package trace_test

import (
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func h3(mode string) func(*trace.Options) { return func(o *trace.Options) { o.HTTP = mode } }

// --http3 to the lab's HTTP/3 server: one QUIC handshake phase, never
// shorter than the delay the lab puts in it, and TLS facts as for TCP.
func TestHTTP3(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("https", "tlsdelay-40.www.lab.test", "/bytes/5000"), h3("3-only"))
	hop := ok(t, res)
	r, tl, q := hop.Response, hop.TLS, hop.QUIC
	if r.Proto != "HTTP/3.0" || r.Status != 200 || r.BodyBytes != 5000 {
		t.Fatalf("response %s %d, %d bytes", r.Proto, r.Status, r.BodyBytes)
	}
	within(t, "quic", hop.Timings.QUIC, 40*time.Millisecond)
	if hop.Timings.Connect != nil || hop.Timings.TLS != nil || hop.Timings.Skipped[trace.PhaseConnect] == "" {
		t.Errorf("TCP and TLS phases on an HTTP/3 hop: %+v", hop.Timings)
	}
	if tl == nil || tl.ALPN != "h3" || tl.Version != "TLS 1.3" || !tl.Verified || len(tl.Certificates) == 0 {
		t.Errorf("TLS: %+v", tl)
	}
	if q == nil || q.Version != "v1" || q.PacketsSent == 0 || hop.Connect.Transport != "udp" || hop.ConnID != 1 {
		t.Errorf("QUIC: %+v, connect %+v, conn %d", q, hop.Connect, hop.ConnID)
	}
	if hop.Timings.Wait == nil || hop.Timings.Receive == nil || hop.Timings.Send == nil {
		t.Errorf("send, wait, receive: %+v", hop.Timings)
	}
	if hop.Request.Proto != "HTTP/3.0" || hop.Fallback != nil {
		t.Errorf("request %s, fallback %+v", hop.Request.Proto, hop.Fallback)
	}
}

// The server's think time lands in wait, over HTTP/3 as over TCP.
func TestHTTP3Wait(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/wait/60"), h3("3")))
	if hop.Response.Proto != "HTTP/3.0" {
		t.Fatalf("proto %s", hop.Response.Proto)
	}
	total := hop.Timings.Send.Duration + hop.Timings.Wait.Duration
	if total < 60*time.Millisecond || total > 60*time.Millisecond+2*time.Second {
		t.Errorf("send+wait %v, want at least the lab's 60 ms", total)
	}
}

// A HEAD response has no body, whatever its Content-Length says.
func TestHTTP3Head(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/bytes/5000"), h3("3-only"), func(o *trace.Options) { o.Head = true }))
	if hop.Response.BodyBytes != 0 || hop.Request.Method != "HEAD" {
		t.Errorf("HEAD: %d body bytes", hop.Response.BodyBytes)
	}
}

// UDP that never answers: --http3-only fails as a QUIC timeout that says
// UDP may be filtered (--http3's race: TestHTTP3RaceNoQUIC).
func TestHTTP3NoAnswer(t *testing.T) {
	lab := tracetest.New(t)
	short := func(o *trace.Options) { o.ConnectTimeout = 700 * time.Millisecond }
	start := time.Now()
	res := run(t, lab, lab.URL("https", "noquic.lab.test", "/"), h3("3-only"), short)
	if res.Err == nil || res.Err.Kind != trace.KindQUICTimeout || res.Err.Phase != trace.PhaseQUIC || !strings.Contains(res.Err.Hint, "UDP") {
		t.Fatalf("--http3-only: %+v", res.Err)
	}
	if took := time.Since(start); took < 700*time.Millisecond || took > 20*time.Second {
		t.Errorf("gave up after %v, want the 700 ms connect timeout", took)
	}
}

// Certificate faults are classified exactly as over TCP.
func TestHTTP3CertificateFaults(t *testing.T) {
	lab := tracetest.New(t)
	for host, kind := range map[string]string{"wrong.lab.test": trace.KindHostnameMismatch, "expired.lab.test": trace.KindExpired,
		"untrusted.lab.test": trace.KindUnknownAuthority} {
		res := run(t, lab, lab.URL("https", host, "/"), h3("3-only"))
		if res.Err == nil || res.Err.Kind != kind {
			t.Errorf("%s: %+v, want %s", host, res.Err, kind)
		}
	}
	hop := ok(t, run(t, lab, lab.URL("https", "expired.lab.test", "/"), h3("3-only"), func(o *trace.Options) { o.Insecure = true }))
	if hop.TLS.Verified || hop.Response.Proto != "HTTP/3.0" {
		t.Errorf("-k: verified %v, proto %s", hop.TLS.Verified, hop.Response.Proto)
	}
}

// A second run on a fresh connection resumes the TLS session the first
// one got, as a browser's second visit does; without --fresh it goes on
// the first run's QUIC connection.
func TestHTTP3Resumes(t *testing.T) {
	lab := tracetest.New(t)
	u, _ := trace.ParseURL(lab.URL("https", "www.lab.test", "/"))
	o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf, HostsFile: lab.HostsFile,
		CACert: lab.CAPEM, MaxTime: 20 * time.Second, HTTP: "3-only"}
	ser := trace.Repeat(t.Context(), o, trace.RepeatOptions{Count: 2, Fresh: true}, nil)
	if len(ser.Runs) != 2 || ser.Runs[1].Err != nil {
		t.Fatalf("runs: %+v", ser.Runs)
	}
	if first, second := ser.Runs[0].Hops[0].TLS, ser.Runs[1].Hops[0].TLS; first.Resumed || !second.Resumed {
		t.Errorf("resumed: first %v, second %v", first.Resumed, second.Resumed)
	}
	ser = trace.Repeat(t.Context(), o, trace.RepeatOptions{Count: 2}, nil)
	if len(ser.Runs) != 2 || ser.Runs[1].Err != nil {
		t.Fatalf("runs: %+v", ser.Runs)
	}
	first, second := ser.Runs[0].Hops[0], ser.Runs[1].Hops[0]
	if !second.Connect.Reused || second.ConnID != first.ConnID || second.Timings.QUIC != nil || second.Response.Proto != "HTTP/3.0" {
		t.Errorf("second run without --fresh: reused %v, conn #%d (first #%d), quic %v, %s",
			second.Connect.Reused, second.ConnID, first.ConnID, second.Timings.QUIC, second.Response.Proto)
	}
}

// A response that advertises HTTP/3 gets a note saying so, and that
// --http3 traces what a browser would then do; over HTTP/3 it says that.
func TestAltSvcNote(t *testing.T) {
	lab := tracetest.New(t)
	for mode, want := range map[string]string{"": "The server offers HTTP/3 (UDP port", "3-only": "This response came over HTTP/3"} {
		res := run(t, lab, lab.URL("https", "h3.lab.test", "/"), h3(mode))
		hop := ok(t, res)
		annotate.Result(res, time.Now())
		found := false
		for _, n := range hop.Notes {
			found = found || n.ID == "timing.alt-svc-h3" && strings.Contains(n.Message, want)
		}
		if !found {
			t.Errorf("HTTP %q: no Alt-Svc note saying %q in %+v", mode, want, hop.Notes)
		}
	}
}
