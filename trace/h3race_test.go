package trace_test

import (
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// softHeadStart is how long --http3 gives QUIC alone when nothing comes
// back over UDP (trace's h3SoftHeadStart, curl's 200 ms / 2).
const softHeadStart = 100 * time.Millisecond

func labAddr(lab *tracetest.Lab, ip string) string {
	return net.JoinHostPort(ip, strconv.Itoa(lab.HTTPSPort))
}

// UDP that never answers, with the default connect timeout: --http3
// starts TCP after the head start and goes on over it, well under the
// 10 s QUIC would have waited, and keeps the abandoned QUIC attempt in
// the hop: its span, address, kind and the UDP hint.
func TestHTTP3RaceNoQUIC(t *testing.T) {
	lab := tracetest.New(t)
	start := time.Now()
	res := run(t, lab, lab.URL("https", "noquic.lab.test", "/"), h3("3"))
	took := time.Since(start)
	hop := ok(t, res)
	if took > 2*time.Second {
		t.Errorf("took %v, want well under 2 s", took)
	}
	if hop.Response.Proto != "HTTP/2.0" || hop.TLS == nil || hop.TLS.ALPN != "h2" || hop.QUIC != nil || hop.Timings.QUIC != nil {
		t.Fatalf("proto %s, TLS %+v, QUIC %+v", hop.Response.Proto, hop.TLS, hop.QUIC)
	}
	f := hop.Fallback
	if f == nil || f.Reason != trace.FallbackTCPFirst || f.Address != labAddr(lab, "127.0.0.1") || f.Span == nil {
		t.Fatalf("fallback %+v", f)
	}
	if e := f.Err; e == nil || e.Kind != trace.KindQUICTimeout || e.Phase != trace.PhaseQUIC || !strings.Contains(e.Hint, "UDP") ||
		!strings.Contains(e.Message, "no QUIC answer from "+f.Address) || !strings.Contains(f.Message, "abandoned") {
		t.Errorf("fallback %q, error %+v", f.Message, f.Err)
	}
	// TCP starts once the soft head start is over, and QUIC ran until TCP
	// and TLS were ready: the hop's timings and total cover all of it.
	tcp := hop.Timings.Connect
	if tcp == nil || tcp.Start < f.Span.Start+softHeadStart || f.Span.Duration < softHeadStart {
		t.Errorf("QUIC %+v, TCP connect %+v: want TCP at least %v after QUIC", f.Span, tcp, softHeadStart)
	}
	if hop.Timings.TLS == nil || f.Span.End() < hop.Timings.TLS.End() || hop.Timings.Total < f.Span.End() {
		t.Errorf("QUIC ended at %v, TLS at %+v, total %v", f.Span.End(), hop.Timings.TLS, hop.Timings.Total)
	}
	if _, skipped := hop.Timings.Skipped[trace.PhaseConnect]; skipped {
		t.Errorf("connect skipped on a TCP hop: %+v", hop.Timings.Skipped)
	}
	a := hop.Connect.Attempts
	if len(a) != 2 || a[0].Transport != "udp" || a[0].Address != f.Address || !strings.HasPrefix(a[0].Err, "abandoned") ||
		a[1].Transport != "" || a[1].Err != "" || a[1].Address != labAddr(lab, "127.0.0.1") || hop.Connect.Transport != "" {
		t.Errorf("attempts %+v", a)
	}
	// One lookup, before QUIC started: the TCP side took its answer.
	for _, q := range hop.DNS.Queries {
		if q.Start >= f.Span.Start {
			t.Errorf("query %s %s at %v, after QUIC started at %v", q.Type, q.Name, q.Start, f.Span.Start)
		}
	}
}

// A QUIC handshake slower than the head start still wins when TCP and
// TLS are slower still: the request goes over HTTP/3, and the TCP attempt
// it beat is recorded as abandoned.
func TestHTTP3RaceQUICWins(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "tlsdelay-300.www.lab.test", "/"), h3("3")))
	if hop.Response.Proto != "HTTP/3.0" || hop.Fallback != nil {
		t.Fatalf("proto %s, fallback %+v", hop.Response.Proto, hop.Fallback)
	}
	within(t, "quic", hop.Timings.QUIC, 300*time.Millisecond)
	a := hop.Connect.Attempts
	if len(a) != 2 || a[0].Transport != "udp" || a[0].Err != "" || a[1].Transport != "" || a[1].Err != "abandoned: the QUIC handshake completed first" {
		t.Fatalf("attempts %+v", a)
	}
	if a[1].Start < a[0].Start+softHeadStart {
		t.Errorf("TCP started at %v, QUIC at %v: want a head start of at least %v", a[1].Start, a[0].Start, softHeadStart)
	}
	if hop.Timings.Connect != nil || hop.Timings.TLS != nil || hop.TLS.ALPN != "h3" || hop.Connect.Transport != "udp" {
		t.Errorf("timings %+v, TLS %+v", hop.Timings, hop.TLS)
	}
}

// A QUIC handshake within the head start leaves TCP unstarted.
func TestHTTP3RaceQUICFast(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/"), h3("3")))
	if a := hop.Connect.Attempts; hop.Response.Proto != "HTTP/3.0" || len(a) != 1 || a[0].Transport != "udp" || hop.Fallback != nil {
		t.Errorf("proto %s, attempts %+v, fallback %+v", hop.Response.Proto, a, hop.Fallback)
	}
}

// -m running out while QUIC has its head start: the QUIC timeout, named
// as -m's, and no TCP attempt after the deadline.
func TestHTTP3MaxTimeDuringQUIC(t *testing.T) {
	lab := tracetest.New(t)
	start := time.Now()
	res := run(t, lab, lab.URL("https", "noquic.lab.test", "/"), h3("3"), func(o *trace.Options) { o.MaxTime = 80 * time.Millisecond })
	took := time.Since(start)
	e, hop := res.Err, res.Hops[0]
	if e == nil || e.Kind != trace.KindQUICTimeout || e.Phase != trace.PhaseQUIC || !strings.Contains(e.Message, "-m/--max-time") {
		t.Fatalf("error %+v", e)
	}
	if hop.Fallback != nil || hop.Timings.Connect != nil || len(hop.Connect.Attempts) != 1 || hop.Connect.Attempts[0].Transport != "udp" {
		t.Errorf("fallback %+v, connect %+v", hop.Fallback, hop.Connect)
	}
	if took < 80*time.Millisecond || took > 3*time.Second {
		t.Errorf("took %v, want the 80 ms of -m", took)
	}
}

// -m running out while both attempts are under way (no QUIC answer, a
// TLS handshake that stalls): TCP's timeout, with QUIC's in Fallback.
func TestHTTP3MaxTimeDuringRace(t *testing.T) {
	lab := tracetest.New(t)
	start := time.Now()
	res := run(t, lab, lab.URL("https", "tlsdelay-5000.noquic.lab.test", "/"), h3("3"), func(o *trace.Options) { o.MaxTime = time.Second })
	took := time.Since(start)
	e, hop := res.Err, res.Hops[0]
	if e == nil || e.Kind != trace.KindTimeout || e.Phase != trace.PhaseTLS || !strings.Contains(e.Message, "-m/--max-time") {
		t.Fatalf("error %+v", e)
	}
	f := hop.Fallback
	if f == nil || f.Reason != trace.FallbackQUICFailed || f.Err == nil || f.Err.Kind != trace.KindQUICTimeout || !strings.Contains(f.Err.Message, "-m/--max-time") {
		t.Fatalf("fallback %+v (error %+v)", f, f.Err)
	}
	if took < time.Second || took > 4*time.Second {
		t.Errorf("took %v, want the 1 s of -m", took)
	}
}

// --retry repeats a QUIC timeout as it does TCP's (curl's exit 28 both).
func TestHTTP3RetriesQUICTimeout(t *testing.T) {
	lab := tracetest.New(t)
	start := time.Now()
	res := run(t, lab, lab.URL("https", "noquic.lab.test", "/"), h3("3-only"), func(o *trace.Options) {
		o.ConnectTimeout, o.Retry, o.RetryDelay = 300*time.Millisecond, 2, 10*time.Millisecond
	})
	took := time.Since(start)
	if res.Err == nil || res.Err.Kind != trace.KindQUICTimeout || len(res.Retries) != 2 {
		t.Fatalf("error %+v, %d retries", res.Err, len(res.Retries))
	}
	for i, r := range res.Retries {
		if r.Attempt != i+1 || r.Err == nil || r.Err.Kind != trace.KindQUICTimeout || r.Wait != 10*time.Millisecond {
			t.Errorf("retry %d: %+v", i, r)
		}
	}
	if took < 3*300*time.Millisecond || took > 10*time.Second {
		t.Errorf("3 attempts took %v, want 3 connect timeouts of 300 ms", took)
	}
}

// QUIC Happy Eyeballs: dual.lab.test has ::1 first, where the lab does
// not listen; 127.0.0.1 is tried after the attempt delay (or at once if
// ::1 fails outright) and carries the request.
func TestQUICHappyEyeballs(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "dual.lab.test", "/"), h3("3-only")))
	a := hop.Connect.Attempts
	if hop.Response.Proto != "HTTP/3.0" || hop.Connect.Address != labAddr(lab, "127.0.0.1") || len(a) != 2 {
		t.Fatalf("proto %s, address %s, attempts %+v", hop.Response.Proto, hop.Connect.Address, a)
	}
	if a[0].Address != labAddr(lab, "::1") || a[0].Transport != "udp" || a[0].Err == "" || a[1].Address != hop.Connect.Address || a[1].Err != "" {
		t.Fatalf("attempts %+v", a)
	}
	if strings.HasPrefix(a[0].Err, "canceled") { // ::1 was silent: 127.0.0.1 after the delay
		if a[1].Start < a[0].Start+250*time.Millisecond {
			t.Errorf("127.0.0.1 started %v after ::1, want at least 250 ms", a[1].Start-a[0].Start)
		}
	} else if a[1].Start < a[0].End() {
		t.Errorf("::1 failed (%s) at %v, 127.0.0.1 started before, at %v", a[0].Err, a[0].End(), a[1].Start)
	}
	if hop.Timings.QUIC.Start > a[0].Start || hop.Timings.QUIC.End() < a[1].End() {
		t.Errorf("quic %+v does not cover the attempts %+v", hop.Timings.QUIC, a)
	}
}

// HTTP/3 cannot go through a proxy, a Unix socket or http://:
// --http3-only says so as bad input before sending anything; --http3
// goes over TCP and says why HTTP/3 was not tried.
func TestHTTP3NotPossible(t *testing.T) {
	lab := tracetest.New(t)
	sock := filepath.Join(t.TempDir(), "api.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatalf("unix socket: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("over a socket")) })}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	envProxy := func(o *trace.Options) {
		px, err := trace.ParseProxy(lab.ProxyURL())
		if err != nil {
			t.Fatal(err)
		}
		o.Proxy = trace.ProxyConfig{HTTPS: px, Sources: map[*url.URL]string{px: "HTTPS_PROXY"}}
	}
	for _, c := range []struct {
		name, url string
		edit      func(*trace.Options)
		only, not string // what --http3-only's error and --http3's fallback say
	}{
		{"-x", lab.URL("https", "www.lab.test", "/"), viaLab(lab, ""), "cannot go through the proxy " + lab.ProxyURL() + " (-x)", "a proxy cannot carry QUIC"},
		{"HTTPS_PROXY", lab.URL("https", "www.lab.test", "/"), envProxy, "(HTTPS_PROXY): a proxy cannot carry QUIC", "(HTTPS_PROXY)"},
		{"unix", "https://docker/", func(o *trace.Options) { o.UnixSocket = sock }, "cannot use --unix-socket", "--unix-socket is a stream socket"},
		{"http", lab.URL("http", "www.lab.test", "/"), nil, "needs an https:// URL", "an http:// URL has no HTTP/3"},
	} {
		edit := func(o *trace.Options) {
			if c.edit != nil {
				c.edit(o)
			}
		}
		res := run(t, lab, c.url, h3("3-only"), edit)
		hop := res.Hops[0]
		if e := res.Err; e == nil || e.Kind != trace.KindBadInput || e.Phase != trace.PhaseInput || !strings.HasPrefix(e.Message, "--http3-only ") || !strings.Contains(e.Message, c.only) ||
			!strings.Contains(e.Message, "or use --http3 ") || strings.Contains(e.Message, "\n") {
			t.Errorf("%s: --http3-only: %+v", c.name, res.Err)
		}
		if hop.DNS != nil || hop.Connect != nil || hop.Proxy != nil {
			t.Errorf("%s: --http3-only went out: dns %+v, connect %+v", c.name, hop.DNS, hop.Connect)
		}
		if c.name == "unix" {
			continue // the socket serves plain HTTP; an https:// URL over it fails its TLS
		}
		res = run(t, lab, c.url, h3("3"), edit)
		hop = res.Hops[0]
		if f := hop.Fallback; res.Err != nil || f == nil || f.Reason != trace.FallbackNotTried || !strings.Contains(f.Message, "HTTP/3 not tried: ") ||
			!strings.Contains(f.Message, c.not) || f.Span != nil || f.Err != nil || hop.QUIC != nil {
			t.Errorf("%s: --http3: error %+v, fallback %+v", c.name, res.Err, f)
		}
	}
	hop := ok(t, run(t, lab, "http://docker/v1/info", h3("3"), func(o *trace.Options) { o.UnixSocket = sock }))
	if f := hop.Fallback; f == nil || f.Reason != trace.FallbackNotTried || !strings.Contains(f.Message, "--unix-socket") {
		t.Errorf("--http3 --unix-socket: fallback %+v", f)
	}
	// Without --http3 nothing is said.
	if hop := ok(t, run(t, lab, lab.URL("http", "www.lab.test", "/"))); hop.Fallback != nil {
		t.Errorf("plain http://: fallback %+v", hop.Fallback)
	}
}

// A failed QUIC handshake leaves no hollow TLS block: none without an
// answer, the certificates and the verdict when the certificate failed;
// the local address is the socket's real one, never 0.0.0.0.
func TestQUICFailureRecords(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("https", "noquic.lab.test", "/"), h3("3-only"), func(o *trace.Options) { o.ConnectTimeout = 300 * time.Millisecond })
	hop := res.Hops[0]
	if res.Err == nil || hop.TLS != nil || hop.QUIC != nil {
		t.Errorf("no answer: error %+v, TLS %+v, QUIC %+v", res.Err, hop.TLS, hop.QUIC)
	}
	if !strings.HasPrefix(hop.Connect.Local, "127.0.0.1:") || hop.Connect.Address != labAddr(lab, "127.0.0.1") {
		t.Errorf("local %q, remote %q", hop.Connect.Local, hop.Connect.Address)
	}
	res = run(t, lab, lab.URL("https", "expired.lab.test", "/"), h3("3-only"))
	hop = res.Hops[0]
	if tl := hop.TLS; res.Err == nil || res.Err.Kind != trace.KindExpired || tl == nil || tl.Version != "TLS 1.3" || tl.Verify != trace.VerifyExpired ||
		len(tl.Certificates) == 0 || tl.Verified {
		t.Errorf("expired: error %+v, TLS %+v", res.Err, hop.TLS)
	}
	hop2 := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/"), h3("3-only")))
	if !strings.HasPrefix(hop2.Connect.Local, "127.0.0.1:") {
		t.Errorf("local %q", hop2.Connect.Local)
	}
}
