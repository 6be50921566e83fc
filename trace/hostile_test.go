package trace_test

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// The hostile-server suite: every way a server (or DNS server) can try to
// hang, exhaust or confuse the engine ends in a classified error (kind,
// phase, hint) within the time limit, with no goroutine left behind. What
// the terminal sees is checked end to end in cmd/hostile_test.go; here the
// engine must keep the raw bytes (render escapes them) and stay bounded.

// want is the expected end of a hostile trace.
type want struct {
	kind, phase string
	msg         string // a substring of the message ("" for any)
	hint        string // a substring of the hint ("" for any non-empty hint)
	max         time.Duration
}

// hostileSlack is hostileRun's upper bound on top of w.max: floods are
// CPU-bound, and under -race on a busy 2-core machine they took 5.4 s (a
// 32 MiB 1xx flood at load 20). A hang still shows: run's -m is 20 s.
const hostileSlack = 10 * time.Second

// hostileRun traces rawURL with run's lab defaults, checks that it ended
// as w says within w.max (plus slack), and that the engine left no
// goroutine behind.
func hostileRun(t *testing.T, lab *tracetest.Lab, rawURL string, w want, edit ...func(*trace.Options)) *trace.Result {
	t.Helper()
	start := time.Now()
	res := run(t, lab, rawURL, edit...)
	took := time.Since(start)
	if took > w.max+hostileSlack {
		t.Errorf("took %v, want at most %v", took, w.max+hostileSlack)
	}
	checkErr(t, res, w)
	noEngineGoroutines(t)
	return res
}

func checkErr(t *testing.T, res *trace.Result, w want) {
	t.Helper()
	e := res.Err
	if w.kind == "" {
		if e != nil {
			t.Fatalf("trace failed: %s/%s: %s (hint %q)", e.Phase, e.Kind, e.Message, e.Hint)
		}
		return
	}
	if e == nil {
		t.Fatalf("trace succeeded, want a %s error in phase %s", w.kind, w.phase)
	}
	if e.Kind != w.kind || e.Phase != w.phase {
		t.Fatalf("error %s/%s %q, want %s/%s", e.Phase, e.Kind, e.Message, w.phase, w.kind)
	}
	if !strings.Contains(e.Message, w.msg) {
		t.Errorf("message %q lacks %q", e.Message, w.msg)
	}
	if e.Hint == "" || !strings.Contains(e.Hint, w.hint) {
		t.Errorf("hint %q, want one containing %q", e.Hint, w.hint)
	}
	if last := res.Hops[len(res.Hops)-1].Err; last != e && w.phase != trace.PhaseRedirect {
		t.Errorf("the hop's error %+v is not the result's", last)
	}
}

// noEngineGoroutines waits (a little) until no goroutine runs engine code:
// trace.Do must release its resolver, dialers, connections and HTTP/2
// read loops before it returns, or soon after.
func noEngineGoroutines(t *testing.T) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(3 * time.Second); ; {
		left = engineGoroutines()
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("%d engine goroutines still running after trace.Do returned:\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// engineGoroutines lists the stacks of goroutines running the engine or
// the HTTP/2 client it drives (not the lab, not the tests).
func engineGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "reqtrace/trace/tracetest.") || strings.Contains(g, "reqtrace/trace_test.") {
			continue
		}
		if strings.Contains(g, "github.com/reqtrace/reqtrace/trace.") || strings.Contains(g, "http2.(*ClientConn)") ||
			strings.Contains(g, "http2.(*clientConnReadLoop)") || strings.Contains(g, "miekg/dns.(*Client)") {
			out = append(out, g)
		}
	}
	return out
}

// plainURL is an http:// URL for a hostile server (its host resolves
// through the lab's DNS to 127.0.0.1).
func plainURL(h *tracetest.Hostile, path string) string {
	return "http://www.lab.test:" + strconv.Itoa(h.Port) + path
}

func tlsURL(h *tracetest.Hostile, path string) string {
	return "https://www.lab.test:" + strconv.Itoa(h.Port) + path
}

func labCert(t *testing.T, lab *tracetest.Lab) *tls.Certificate {
	t.Helper()
	c, err := lab.Certificate("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

func hasRaw(s string) bool {
	return strings.ContainsAny(s, "\x1b\x07\x7f\u009b") || strings.Contains(s, "\x9b")
}

// ---- terminal escapes: the engine keeps them raw, untouched ----

func TestHostileEscapesReachTheResultRaw(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			o := tracetest.HostileOptions{}
			if scheme == "https" {
				o.Certificate = labCert(t, lab) // no ALPN: HTTP/1.1
			}
			h := tracetest.NewHostile(t, tracetest.Reply(tracetest.EscapesResponse()), o)
			res := hostileRun(t, lab, scheme+"://www.lab.test:"+strconv.Itoa(h.Port)+"/", want{max: 0})
			rs := res.Hops[0].Response
			if rs.Status != 200 || rs.Reason != "OK"+tracetest.EscClear+tracetest.EscBell {
				t.Errorf("status %d reason %q", rs.Status, rs.Reason)
			}
			if v := headerOf(rs.Headers, "X-All"); v != tracetest.EscAll {
				t.Errorf("X-All = %q, want the escapes byte for byte", v)
			}
			if string(rs.BodyPreview) != tracetest.HostileBody {
				t.Errorf("preview %q", rs.BodyPreview)
			}
		})
	}
}

func headerOf(hs []trace.Header, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

func TestHostileEscapeInHeaderName(t *testing.T) {
	lab := tracetest.New(t)
	for _, name := range []string{"X-Evil" + tracetest.EscClear, "X" + tracetest.EscC1, tracetest.EscTitle} {
		h := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 200 OK\r\n"+name+": v\r\nContent-Length: 0\r\n\r\n"), tracetest.HostileOptions{})
		res := hostileRun(t, lab, plainURL(h, "/"), want{kind: trace.KindBadResponse, phase: trace.PhaseWait, msg: "malformed header line", max: 0})
		if hasRaw(res.Err.Message) {
			t.Errorf("the message quotes the line raw: %q", res.Err.Message)
		}
	}
}

func TestHostileCertificateFields(t *testing.T) {
	lab := tracetest.New(t)
	cert, err := lab.EvilCertificate()
	if err != nil {
		t.Fatal(err)
	}
	h := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 204 No Content\r\n\r\n"), tracetest.HostileOptions{Certificate: &cert})
	res := hostileRun(t, lab, tlsURL(h, "/"), want{max: 0})
	tl := res.Hops[0].TLS
	if !tl.Verified || len(tl.Certificates) != 1 {
		t.Fatalf("tls = %+v", tl)
	}
	c := tl.Certificates[0]
	if !strings.Contains(c.Subject, tracetest.EscClear) || !strings.Contains(c.Subject, tracetest.EscC1) || len(c.DNSNames) != 2 ||
		!strings.Contains(c.DNSNames[1], tracetest.EscBell) {
		t.Errorf("subject %q names %q: the fields should reach the Result as sent", c.Subject, c.DNSNames)
	}
}

func TestHostileUntrustedCertificateNames(t *testing.T) {
	lab := tracetest.New(t)
	cert := tracetest.EvilSelfSigned(t)
	h := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 204 No Content\r\n\r\n"), tracetest.HostileOptions{Certificate: &cert})
	res := hostileRun(t, lab, tlsURL(h, "/"), want{kind: trace.KindUnknownAuthority, phase: trace.PhaseTLS, max: 0})
	if res.Hops[0].TLS == nil || len(res.Hops[0].TLS.Certificates) != 1 {
		t.Fatalf("the presented chain is not recorded: %+v", res.Hops[0].TLS)
	}
	// -k goes on and still says why the chain would fail.
	res = hostileRun(t, lab, tlsURL(h, "/"), want{max: 0}, func(o *trace.Options) { o.Insecure = true })
	if tl := res.Hops[0].TLS; tl.Verified || tl.VerifyError == "" {
		t.Errorf("tls = %+v", tl)
	}
}

// ---- sizes: what a server can make the engine hold ----

func TestHostileThousandsOfHeaders(t *testing.T) {
	lab := tracetest.New(t)
	h := tracetest.NewHostile(t, tracetest.ManyHeaders(5000, 8), tracetest.HostileOptions{})
	res := hostileRun(t, lab, plainURL(h, "/"), want{max: 0})
	rs := res.Hops[0].Response
	// Content-Length and Connection come first, then 5000 X-Hostile-N.
	if len(rs.Headers) != 1000 || rs.HeadersCut != 5002-1000 {
		t.Errorf("kept %d headers, cut %d; want 1000 kept, 4002 cut", len(rs.Headers), rs.HeadersCut)
	}
}

func TestHostileLongHeaderValues(t *testing.T) {
	lab := tracetest.New(t)
	h := tracetest.NewHostile(t, tracetest.ManyHeaders(3, 100<<10), tracetest.HostileOptions{})
	res := hostileRun(t, lab, plainURL(h, "/"), want{max: 0})
	rs := res.Hops[0].Response
	if len(rs.Headers) != 5 || rs.HeadersCut != 0 || rs.ValuesCut != 3 {
		t.Fatalf("kept %d headers, %d lines cut, %d values cut; want 5 kept, no line cut, 3 values cut", len(rs.Headers), rs.HeadersCut, rs.ValuesCut)
	}
	for _, hd := range rs.Headers[2:] {
		if len(hd.Value) != 16<<10 {
			t.Errorf("%s kept %d bytes, want 16 KiB", hd.Name, len(hd.Value))
		}
	}
}

func TestHostileHeadOverOneMiB(t *testing.T) {
	lab := tracetest.New(t)
	for name, b := range map[string]tracetest.Behaviour{
		"20 values of 64 KiB": tracetest.ManyHeaders(20, 64<<10),
		"endless head":        tracetest.EndlessHead(),
		"endless status line": tracetest.ReplyHold("HTTP/1.1 200 " + strings.Repeat("O", 2<<20)),
	} {
		t.Run(name, func(t *testing.T) {
			h := tracetest.NewHostile(t, b, tracetest.HostileOptions{})
			hostileRun(t, lab, plainURL(h, "/"), want{kind: trace.KindBadResponse, phase: trace.PhaseWait, msg: "larger than 1048576 bytes", max: 0})
		})
	}
}

// TestHostileHeadOverOneMiBHint: a valid but huge head is not "not HTTP".
func TestHostileHeadOverOneMiBHint(t *testing.T) {
	lab := tracetest.New(t)
	h := tracetest.NewHostile(t, tracetest.EndlessHead(), tracetest.HostileOptions{})
	res := run(t, lab, plainURL(h, "/"))
	if res.Err == nil || strings.Contains(res.Err.Hint, "speaking HTTP") || !strings.Contains(res.Err.Hint, "header") {
		t.Errorf("hint %q should say the head (headers) is too large, not that the port is not HTTP", res.Err.Hint)
	}
}

// TestHostileEndlessTrailers sends a chunked body whose trailer section
// never ends: the 1 MiB cap stops it, and the error must say it was the
// trailers, not the head (which arrived whole).
func TestHostileEndlessTrailers(t *testing.T) {
	lab := tracetest.New(t)
	trailers := strings.Repeat("X-Trailer: "+strings.Repeat("t", 1000)+"\r\n", 1100)
	h := tracetest.NewHostile(t, tracetest.ReplyHold("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n"+trailers), tracetest.HostileOptions{})
	res := run(t, lab, plainURL(h, "/"))
	noEngineGoroutines(t)
	e := res.Err
	if e == nil || e.Phase != trace.PhaseReceive || res.Hops[0].Response == nil || res.Hops[0].Response.BodyBytes != 1 {
		t.Fatalf("err = %+v, want a failure in the receive phase after the 1-byte body", e)
	}
	if e.Kind != trace.KindBadResponse || !strings.Contains(e.Message, "trailer") {
		t.Errorf("endless trailers end as %s %q; want bad_response naming the trailers, not the head (which was fine)", e.Kind, e.Message)
	}
}

// TestHostileInformationalFlood sends 32 103 responses of 1 MiB each
// before the final one: everything kept is bounded by the caps, so the
// Result holds at most 32 × 1000 lines (about 32 MiB here).
func TestHostileInformationalFlood(t *testing.T) {
	lab := tracetest.New(t)
	h := tracetest.NewHostile(t, tracetest.Reply(informationalFlood(32)), tracetest.HostileOptions{})
	w := watchHeap()
	// 33 MiB of heads to parse: seconds under -race on a busy machine.
	res := hostileRun(t, lab, plainURL(h, "/"), want{max: 5 * time.Second})
	w.end()
	t.Logf("heap in use %d MiB before, %d MiB at most", w.base/mib, w.peak/mib)
	if n := len(res.Hops[0].Informational); n != 32 {
		t.Errorf("%d informational responses kept", n)
	}
	// One more is refused.
	h = tracetest.NewHostile(t, tracetest.Reply(informationalFlood(33)), tracetest.HostileOptions{})
	hostileRun(t, lab, plainURL(h, "/"), want{kind: trace.KindBadResponse, phase: trace.PhaseWait, msg: "more than 32 1xx", max: 5 * time.Second})
}

// informationalFlood is n 103 responses of 1000 header lines of 1 KiB,
// then a 200.
func informationalFlood(n int) string {
	line := "Link: </" + strings.Repeat("x", 1000) + ">\r\n"
	block := "HTTP/1.1 103 Early Hints\r\n" + strings.Repeat(line, 1000) + "\r\n"
	return strings.Repeat(block, n) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
}

// heapWatch samples the heap while a trace runs and reports the peak.
type heapWatch struct {
	stop chan struct{}
	done chan struct{}
	base uint64
	peak uint64
	n    int
	mid  uint64 // the peak over the first half of the samples
}

func watchHeap() *heapWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w := &heapWatch{stop: make(chan struct{}), done: make(chan struct{}), base: ms.HeapInuse, peak: ms.HeapInuse}
	var samples []uint64
	go func() {
		defer close(w.done)
		tick := time.NewTicker(25 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				w.n = len(samples)
				for i, s := range samples {
					w.peak = max(w.peak, s)
					if i < len(samples)/2 {
						w.mid = max(w.mid, s)
					}
				}
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				samples = append(samples, ms.HeapInuse)
			}
		}
	}()
	return w
}

func (w *heapWatch) end() {
	close(w.stop)
	<-w.done
}

const mib = 1 << 20

// ---- endless and dripping bodies ----

func TestHostileEndlessBody(t *testing.T) {
	lab := tracetest.New(t)
	endless := tracetest.NewHostile(t, tracetest.EndlessBody(), tracetest.HostileOptions{})
	cases := map[string]string{
		"http/1.1 until close":  plainURL(endless, "/"),
		"http/1.1 1 TiB length": lab.URL("http", "www.lab.test", "/bytes/1099511627776"),
		"http/2 1 TiB length":   lab.URL("https", "www.lab.test", "/bytes/1099511627776"),
	}
	for name, u := range cases {
		t.Run(name, func(t *testing.T) {
			w := watchHeap()
			start := time.Now()
			res := hostileRun(t, lab, u, want{kind: trace.KindTimeout, phase: trace.PhaseReceive, msg: "max-time", hint: "endless", max: time.Second},
				func(o *trace.Options) { o.MaxTime = time.Second })
			w.end()
			if d := time.Since(start); d < time.Second {
				t.Errorf("ended after %v, before the 1 s limit", d)
			}
			rs := res.Hops[0].Response
			if rs == nil || rs.BodyBytes < 1<<20 || len(rs.BodyPreview) != 1024 {
				t.Fatalf("response %+v: want megabytes received and a 1 KiB preview", rs)
			}
			t.Logf("%d MiB in 1 s; heap in use %d MiB at the start, %d MiB at most", rs.BodyBytes/mib, w.base/mib, w.peak/mib)
			if w.peak > w.base+64*mib {
				t.Errorf("heap grew from %d MiB to %d MiB while the body streamed", w.base/mib, w.peak/mib)
			}
		})
	}
}

func TestHostileBodyDripsOneByteAtATime(t *testing.T) {
	lab := tracetest.New(t)
	const body = "drip, drip, drip...\n" // 20 bytes
	const every = 25 * time.Millisecond
	head := "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	h := tracetest.NewHostile(t, tracetest.Drip(head, body, every), tracetest.HostileOptions{})
	res := hostileRun(t, lab, plainURL(h, "/"), want{max: 2 * time.Second})
	hop := res.Hops[0]
	if string(hop.Response.BodyPreview) != body || hop.Response.BodyBytes != int64(len(body)) {
		t.Errorf("body %q (%d bytes)", hop.Response.BodyPreview, hop.Response.BodyBytes)
	}
	within(t, "receive", hop.Timings.Receive, time.Duration(len(body)-1)*every)

	// Dripping forever ends at -m, in the receive phase.
	forever := tracetest.NewHostile(t, tracetest.Drip("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n", "", 10*time.Millisecond), tracetest.HostileOptions{})
	res = hostileRun(t, lab, plainURL(forever, "/"), want{kind: trace.KindTimeout, phase: trace.PhaseReceive, msg: "max-time", max: 700 * time.Millisecond},
		func(o *trace.Options) { o.MaxTime = 700 * time.Millisecond })
	if n := res.Hops[0].Response.BodyBytes; n < 10 {
		t.Errorf("only %d bytes received in 700 ms", n)
	}

	// HTTP/2: one byte per DATA frame.
	h2 := tracetest.NewHostile(t, tracetest.H2(func(c *tracetest.H2Conn) {
		c.Headers(false, tracetest.H2Field(":status", "200"), tracetest.H2Field("content-length", strconv.Itoa(len(body))))
		for i := range len(body) {
			if !c.Sleep(every) || c.Data([]byte{body[i]}, i == len(body)-1) != nil {
				return
			}
		}
		c.Hold()
	}), tracetest.HostileOptions{Certificate: labCert(t, lab), ALPN: []string{"h2"}})
	res = hostileRun(t, lab, tlsURL(h2, "/"), want{max: 2 * time.Second})
	hop = res.Hops[0]
	if string(hop.Response.BodyPreview) != body || hop.Response.Proto != "HTTP/2.0" {
		t.Errorf("%s body %q", hop.Response.Proto, hop.Response.BodyPreview)
	}
	within(t, "h2 receive", hop.Timings.Receive, time.Duration(len(body)-1)*every)
}

// TestHostileHeadDrips drips a 103 response of 300 bytes before the final
// response: the wait phase must still end when the final response's first
// byte arrived, after the 103.
func TestHostileHeadDrips(t *testing.T) {
	lab := tracetest.New(t)
	const every = 2 * time.Millisecond
	info := "HTTP/1.1 103 Early Hints\r\nLink: </" + strings.Repeat("x", 250) + ".css>; rel=preload\r\n\r\n"
	final := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	h := tracetest.NewHostile(t, tracetest.Drip("", info+final, every), tracetest.HostileOptions{})
	res := hostileRun(t, lab, plainURL(h, "/"), want{max: 3 * time.Second})
	hop := res.Hops[0]
	if len(hop.Informational) != 1 || hop.Response.Status != 200 {
		t.Fatalf("informational %+v, status %d", hop.Informational, hop.Response.Status)
	}
	wait := hop.Timings.Wait
	lo := time.Duration(len(info)) * every
	if wait.End() < lo || wait.End() < hop.Informational[0].At {
		t.Errorf("wait ends at %v, before the final response could arrive (the 103 alone took %v to drip, it arrived at %v)",
			wait.End(), lo, hop.Informational[0].At)
	}
	if rc := hop.Timings.Receive; rc.Start < wait.End() {
		t.Errorf("receive starts at %v, before wait ends at %v", rc.Start, wait.End())
	}
}

// ---- TLS and protocol confusion ----

func TestHostileTLSNeverAnswers(t *testing.T) {
	lab := tracetest.New(t)
	h := tracetest.NewHostile(t, tracetest.Silent(), tracetest.HostileOptions{})
	const limit = 500 * time.Millisecond
	start := time.Now()
	hostileRun(t, lab, tlsURL(h, "/"), want{kind: trace.KindTimeout, phase: trace.PhaseTLS, msg: "--connect-timeout", hint: "TLS", max: limit},
		func(o *trace.Options) { o.ConnectTimeout = limit })
	if d := time.Since(start); d < limit {
		t.Errorf("gave up after %v, before the %v limit", d, limit)
	}
	// -m is the other bound; the one that runs out first is named.
	hostileRun(t, lab, tlsURL(h, "/"), want{kind: trace.KindTimeout, phase: trace.PhaseTLS, msg: "max-time", hint: "TLS", max: limit},
		func(o *trace.Options) { o.MaxTime = limit })
}

func TestHostileTLSGarbage(t *testing.T) {
	lab := tracetest.New(t)
	for name, b := range map[string][]byte{
		"http answer": []byte("HTTP/1.1 400 Bad Request\r\n\r\n"),
		"binary":      {0x16, 0x03, 0x03, 0xff, 0xff, 0, 1, 2, 3},
		"escapes":     []byte(tracetest.EscAll),
	} {
		t.Run(name, func(t *testing.T) {
			h := tracetest.NewHostile(t, tracetest.Garbage(b), tracetest.HostileOptions{})
			res := hostileRun(t, lab, tlsURL(h, "/"), want{kind: trace.KindHandshake, phase: trace.PhaseTLS, max: 0},
				func(o *trace.Options) { o.ConnectTimeout = 5 * time.Second })
			if hasRaw(res.Err.Message) {
				t.Logf("note: the message carries raw bytes (render escapes them): %q", res.Err.Message)
			}
		})
	}
}

func TestHostileNotHTTP(t *testing.T) {
	lab := tracetest.New(t)
	cases := map[string]string{
		"ssh banner": "SSH-2.0-OpenSSH_9.6\r\n",
		"html":       "<html><body>hello</body></html>\n",
		"binary":     "\x00\x01\x02\x03\xff\xfe\r\n\r\n",
		"escapes":    tracetest.EscAll + "\r\n\r\n",
		"http/0.9":   "hello\n",
		"smtp":       "220 mail.example ESMTP\r\n",
	}
	for name, reply := range cases {
		for _, scheme := range []string{"http", "https"} {
			t.Run(name+"/"+scheme, func(t *testing.T) {
				o := tracetest.HostileOptions{}
				if scheme == "https" {
					o.Certificate = labCert(t, lab)
				}
				h := tracetest.NewHostile(t, tracetest.Reply(reply), o)
				res := hostileRun(t, lab, scheme+"://www.lab.test:"+strconv.Itoa(h.Port)+"/",
					want{kind: trace.KindBadResponse, phase: trace.PhaseWait, msg: "not valid HTTP", hint: "HTTP", max: 0})
				if hasRaw(res.Err.Message) {
					t.Errorf("the message carries raw bytes: %q", res.Err.Message)
				}
			})
		}
	}
	// ALPN said h2, the server speaks HTTP/1.1.
	h := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
		tracetest.HostileOptions{Certificate: labCert(t, lab), ALPN: []string{"h2"}})
	// The connection may fail before the request is written (send) or
	// after (wait): the server's bytes race the client's.
	res := run(t, lab, tlsURL(h, "/"))
	noEngineGoroutines(t)
	if e := res.Err; e == nil || e.Kind != trace.KindHTTP2 || (e.Phase != trace.PhaseSend && e.Phase != trace.PhaseWait) || !strings.Contains(e.Hint, "--http1.1") {
		t.Errorf("h2 negotiated, HTTP/1.1 spoken: err = %+v, want an http2_error in send or wait", e)
	}
}

// ---- HTTP/2 ----

func h2Server(t *testing.T, lab *tracetest.Lab, script func(c *tracetest.H2Conn)) *tracetest.Hostile {
	return tracetest.NewHostile(t, tracetest.H2(script), tracetest.HostileOptions{Certificate: labCert(t, lab), ALPN: []string{"h2"}})
}

func h2Head(c *tracetest.H2Conn, end bool) error {
	return c.Headers(end, tracetest.H2Field(":status", "200"), tracetest.H2Field("content-type", "text/plain"),
		tracetest.H2Field("content-length", "100000"))
}

func TestHostileHTTP2BeforeTheResponse(t *testing.T) {
	lab := tracetest.New(t)
	cases := map[string]struct {
		script func(c *tracetest.H2Conn)
		msg    string
	}{
		"RST_STREAM": {func(c *tracetest.H2Conn) { c.Reset(http2.ErrCodeInternal); c.Hold() }, "reset the HTTP/2 stream (INTERNAL_ERROR)"},
		"GOAWAY": {func(c *tracetest.H2Conn) {
			c.GoAway(0, http2.ErrCodeProtocol, "no"+tracetest.EscAll)
		}, "GOAWAY"},
		"GOAWAY and hold": {func(c *tracetest.H2Conn) {
			c.GoAway(0, http2.ErrCodeEnhanceYourCalm, "calm down")
			c.Hold()
		}, "GOAWAY"},
		"frame garbage": {func(c *tracetest.H2Conn) { c.Raw([]byte("HTTP/1.1 200 OK\r\n\r\n")); c.Hold() }, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := h2Server(t, lab, c.script)
			hostileRun(t, lab, tlsURL(h, "/"), want{kind: trace.KindHTTP2, phase: trace.PhaseWait, msg: c.msg, hint: "--http1.1", max: 2 * time.Second})
		})
	}
}

func TestHostileHTTP2MidStream(t *testing.T) {
	lab := tracetest.New(t)
	chunk := bytes.Repeat([]byte("x"), 1000)
	for _, frame := range []string{"RST_STREAM", "GOAWAY"} {
		for _, length := range []bool{false, true} {
			name := frame + " without content-length"
			if length {
				name = frame + " with content-length"
			}
			t.Run(name, func(t *testing.T) {
				h := h2Server(t, lab, func(c *tracetest.H2Conn) {
					fields := []hpack.HeaderField{tracetest.H2Field(":status", "200")}
					if length {
						fields = append(fields, tracetest.H2Field("content-length", "100000"))
					}
					c.Headers(false, fields...)
					c.Data(chunk, false)
					c.Sleep(20 * time.Millisecond)
					if frame == "RST_STREAM" {
						c.Reset(http2.ErrCodeInternal)
						c.Hold()
					} else {
						c.GoAway(1, http2.ErrCodeInternal, "bye"+tracetest.EscClear)
					}
				})
				res := run(t, lab, tlsURL(h, "/"))
				noEngineGoroutines(t)
				checkErr(t, res, want{kind: trace.KindHTTP2, phase: trace.PhaseReceive, msg: map[string]string{"RST_STREAM": "INTERNAL_ERROR", "GOAWAY": "GOAWAY"}[frame]})
				if rs := res.Hops[0].Response; rs == nil || rs.Status != 200 || rs.BodyBytes != 1000 {
					t.Errorf("response %+v, want the 200 and the 1000 bytes that came before", rs)
				}
			})
		}
	}
}

// TestHostileHTTP2MidStreamEnds checks what the engine does today with a
// reset during the body: whatever the kind, it ends at once, in the
// receive phase, keeping the status and the bytes received.
func TestHostileHTTP2MidStreamEnds(t *testing.T) {
	lab := tracetest.New(t)
	h := h2Server(t, lab, func(c *tracetest.H2Conn) {
		h2Head(c, false)
		c.Data(bytes.Repeat([]byte("x"), 1000), false)
		c.Sleep(20 * time.Millisecond)
		c.Reset(http2.ErrCodeCancel)
		c.Hold()
	})
	start := time.Now()
	res := run(t, lab, tlsURL(h, "/"))
	if d := time.Since(start); d > slack {
		t.Errorf("took %v", d)
	}
	noEngineGoroutines(t)
	e := res.Err
	if e == nil || e.Phase != trace.PhaseReceive || (e.Kind != trace.KindHTTP2 && e.Kind != trace.KindReceive) || e.Hint == "" {
		t.Fatalf("err = %+v", e)
	}
	if rs := res.Hops[0].Response; rs == nil || rs.Status != 200 || rs.BodyBytes != 1000 {
		t.Errorf("response %+v", rs)
	}
}

func TestHostileHTTP2ThousandsOfHeaders(t *testing.T) {
	lab := tracetest.New(t)
	h := h2Server(t, lab, func(c *tracetest.H2Conn) {
		fields := []hpack.HeaderField{tracetest.H2Field(":status", "200"), tracetest.H2Field("content-length", "0")}
		for i := range 5000 {
			fields = append(fields, tracetest.H2Field("x-hostile-"+strconv.Itoa(i), "v"))
		}
		c.Headers(true, fields...)
		c.Hold()
	})
	res := hostileRun(t, lab, tlsURL(h, "/"), want{max: 0})
	rs := res.Hops[0].Response
	if len(rs.Headers) > 1000 {
		t.Errorf("kept %d header lines, the cap is 1000", len(rs.Headers))
	}
	if rs.HeadersCut != 5001-1000 {
		t.Errorf("over HTTP/2, %d headers kept and HeadersCut = %d; want 1000 and 4001", len(rs.Headers), rs.HeadersCut)
	}
}

func TestHostileHTTP2LongHeaderValue(t *testing.T) {
	lab := tracetest.New(t)
	h := h2Server(t, lab, func(c *tracetest.H2Conn) {
		c.Headers(true, tracetest.H2Field(":status", "200"), tracetest.H2Field("x-long", strings.Repeat("v", 100<<10)))
		c.Hold()
	})
	res := hostileRun(t, lab, tlsURL(h, "/"), want{max: 0})
	rs := res.Hops[0].Response
	if v := headerOf(rs.Headers, "x-long"); len(v) != 16<<10 || rs.ValuesCut != 1 || rs.HeadersCut != 0 {
		t.Errorf("kept %d bytes of the 100 KiB value, %d values and %d lines cut; want 16 KiB, 1, 0", len(v), rs.ValuesCut, rs.HeadersCut)
	}
}

func TestHostileHTTP2HeaderBlockOverLimit(t *testing.T) {
	lab := tracetest.New(t)
	h := h2Server(t, lab, func(c *tracetest.H2Conn) {
		fields := []hpack.HeaderField{tracetest.H2Field(":status", "200")}
		for i := range 40 {
			fields = append(fields, tracetest.H2Field("x-big-"+strconv.Itoa(i), strings.Repeat("v", 64<<10)))
		}
		c.Headers(true, fields...)
		c.Hold()
	})
	hostileRun(t, lab, tlsURL(h, "/"), want{kind: trace.KindHTTP2, phase: trace.PhaseWait, max: 2 * time.Second})
}

func TestHostileHTTP2Escapes(t *testing.T) {
	lab := tracetest.New(t)
	// HTTP/2 forbids control characters in field values (x/net refuses
	// them), but not C1 controls or bidi overrides, which are UTF-8 text.
	h := h2Server(t, lab, func(c *tracetest.H2Conn) {
		c.Headers(false, tracetest.H2Field(":status", "200"), tracetest.H2Field("x-c1", tracetest.EscC1+"\u202eevil"),
			tracetest.H2Field("content-length", strconv.Itoa(len(tracetest.HostileBody))))
		c.Data([]byte(tracetest.HostileBody), true)
		c.Hold()
	})
	res := hostileRun(t, lab, tlsURL(h, "/"), want{max: 0})
	rs := res.Hops[0].Response
	if headerOf(rs.Headers, "x-c1") != tracetest.EscC1+"\u202eevil" || string(rs.BodyPreview) != tracetest.HostileBody {
		t.Errorf("headers %q body %q", rs.Headers, rs.BodyPreview)
	}
	// An ESC in a value is a protocol error.
	bad := h2Server(t, lab, func(c *tracetest.H2Conn) {
		c.Headers(true, tracetest.H2Field(":status", "200"), tracetest.H2Field("x-evil", tracetest.EscClear))
		c.Hold()
	})
	res = hostileRun(t, lab, tlsURL(bad, "/"), want{kind: trace.KindHTTP2, phase: trace.PhaseWait, max: 2 * time.Second})
	if hasRaw(res.Err.Message) {
		t.Errorf("message carries raw bytes: %q", res.Err.Message)
	}
}

// ---- DNS ----

func dnsRun(t *testing.T, lab *tracetest.Lab, b tracetest.DNSBehaviour, w want, edit ...func(*trace.Options)) (*trace.Result, *tracetest.HostileDNS) {
	t.Helper()
	d := tracetest.NewHostileDNS(t, b)
	edit = append([]func(*trace.Options){func(o *trace.Options) { o.DNSServers = []string{d.Addr} }}, edit...)
	res := hostileRun(t, lab, "http://hostile.example:"+strconv.Itoa(lab.HTTPPort)+"/", w, edit...)
	return res, d
}

func TestHostileDNSAnswers(t *testing.T) {
	lab := tracetest.New(t)
	t.Run("many records over tcp", func(t *testing.T) {
		// 3000 records: a few ms, but the records are deduplicated in
		// quadratic time, which the race detector makes seconds.
		res, _ := dnsRun(t, lab, tracetest.DNSManyRecords, want{max: 3 * time.Second})
		d := res.Hops[0].DNS
		if len(d.Addresses) != tracetest.ManyRecords || d.Addresses[0] != "127.0.0.1" || len(d.Queries) < 2 {
			t.Errorf("%d addresses (first %v), queries %+v", len(d.Addresses), d.Addresses[:1], d.Queries)
		}
	})
	t.Run("escapes in a CNAME target", func(t *testing.T) {
		res, _ := dnsRun(t, lab, tracetest.DNSEscapes, want{max: 0})
		d := res.Hops[0].DNS
		if len(d.Records) < 2 || d.Records[0].Type != "CNAME" || !strings.Contains(d.Records[0].Value, `\027`) {
			t.Fatalf("records %+v", d.Records)
		}
		for _, r := range d.Records {
			if hasRaw(r.Name + r.Value) {
				t.Errorf("record %+v carries raw control bytes", r)
			}
		}
	})
	t.Run("cname loop", func(t *testing.T) {
		dnsRun(t, lab, tracetest.DNSCNAMELoop, want{kind: trace.KindCNAMELoop, phase: trace.PhaseDNS,
			msg: "loops: hostile.example. → loop-back.hostile.example. → hostile.example.", hint: "point back", max: 0})
	})
	t.Run("cname chain too long", func(t *testing.T) {
		// Not "no A record": the chain ends in one, past the limit.
		res, _ := dnsRun(t, lab, tracetest.DNSCNAMELong, want{kind: trace.KindCNAMETooLong, phase: trace.PhaseDNS,
			msg: "too long: more than 16 CNAMEs", hint: "at most 16", max: 0})
		if d := res.Hops[0].DNS; len(d.Records) != tracetest.LongChain+1 || len(d.Addresses) != 0 {
			t.Errorf("records %d (want the whole chain, %d), addresses %v", len(d.Records), tracetest.LongChain+1, d.Addresses)
		}
	})
	t.Run("wrong id", func(t *testing.T) {
		dnsRun(t, lab, tracetest.DNSWrongID, want{kind: trace.KindDNSTimeout, phase: trace.PhaseDNS, msg: "--connect-timeout", max: time.Second},
			func(o *trace.Options) { o.ConnectTimeout = time.Second })
	})
}

// TestHostileDNSMismatchedReplies: a reply counts only when its ID and its
// question (name, type, class) are those of a query in flight (issue 10).
// Anything else (a forged answer for another name, the wrong type, another
// ID, noise) is ignored while the resolver keeps waiting for the real one.
func TestHostileDNSMismatchedReplies(t *testing.T) {
	lab := tracetest.New(t)
	short := func(o *trace.Options) { o.ConnectTimeout = time.Second }
	for _, b := range []tracetest.DNSBehaviour{tracetest.DNSWrongQuestion, tracetest.DNSWrongType, tracetest.DNSGarbage} {
		t.Run(string(b), func(t *testing.T) {
			res, _ := dnsRun(t, lab, b, want{kind: trace.KindDNSTimeout, phase: trace.PhaseDNS, msg: "--connect-timeout", max: time.Second}, short)
			d := res.Hops[0].DNS
			if len(d.Addresses) != 0 || len(d.Records) != 0 {
				t.Errorf("a mismatched reply was used: addresses %v, records %+v", d.Addresses, d.Records)
			}
			for _, q := range d.Queries {
				if q.Rcode != "" || !strings.Contains(q.Err, "ignored") {
					t.Errorf("query %+v: want no rcode and the ignored replies counted in its error", q)
				}
			}
		})
	}
	t.Run("forgeries before the answer", func(t *testing.T) {
		res, _ := dnsRun(t, lab, tracetest.DNSForgeriesFirst, want{max: 0})
		d := res.Hops[0].DNS
		if !equalJSON(d.Addresses, []string{"127.0.0.1"}) || len(d.Records) != 1 || d.Records[0].Name != "hostile.example." {
			t.Errorf("addresses %v, records %+v: want only the real answer", d.Addresses, d.Records)
		}
	})
	t.Run("0x20 case in the question", func(t *testing.T) {
		res, _ := dnsRun(t, lab, tracetest.DNSCaseChanged, want{max: 0})
		if d := res.Hops[0].DNS; !equalJSON(d.Addresses, []string{"127.0.0.1"}) {
			t.Errorf("addresses %v: a question differing only in case must match", d.Addresses)
		}
	})
}

// TestHostileDNSMalformed: a server that answers, but not with a usable
// DNS message, is a DNS error (exit 6), not a timeout (exit 28), and it
// ends at once, not after the resolver's timeouts.
func TestHostileDNSMalformed(t *testing.T) {
	lab := tracetest.New(t)
	for _, b := range []tracetest.DNSBehaviour{tracetest.DNSMalformed, tracetest.DNSPointerLoop,
		tracetest.DNSTruncatedNoTCP, tracetest.DNSTruncatedTCPClose, tracetest.DNSTruncatedTCPGarbage, tracetest.DNSOversize} {
		t.Run(string(b), func(t *testing.T) {
			d := tracetest.NewHostileDNS(t, b)
			start := time.Now()
			res := run(t, lab, "http://hostile.example:"+strconv.Itoa(lab.HTTPPort)+"/", func(o *trace.Options) { o.DNSServers = []string{d.Addr} })
			if took := time.Since(start); took > slack {
				t.Errorf("took %v to give up on answers that came at once", took)
			}
			noEngineGoroutines(t)
			e := res.Err
			if b == tracetest.DNSOversize { // more than our buffer: asked again over TCP, which got it all
				q := res.Hops[0].DNS
				if e != nil || len(q.Addresses) != tracetest.OversizeRecords || q.Queries[len(q.Queries)-1].Transport != "tcp" {
					t.Fatalf("oversize answer: err %+v, %d addresses, queries %+v", e, len(q.Addresses), q.Queries)
				}
				return
			}
			if e == nil || e.Phase != trace.PhaseDNS || e.Hint == "" {
				t.Fatalf("err = %+v, want a DNS error", e)
			}
			if e.Kind == trace.KindDNSTimeout {
				t.Fatalf("%s: classified %s (exit 28) %q; the server answered, so it is dns_error (exit 6)", b, e.Kind, e.Message)
			}
			checkErr(t, res, want{kind: trace.KindDNS, phase: trace.PhaseDNS})
		})
	}
}

// ---- redirects ----

func TestHostileRedirectLoop(t *testing.T) {
	lab := tracetest.New(t)
	h := tracetest.NewHostile(t, tracetest.RedirectLoop(), tracetest.HostileOptions{})
	res := hostileRun(t, lab, plainURL(h, "/"), want{kind: trace.KindTooManyRedirs, phase: trace.PhaseRedirect, msg: "loop", hint: "loop", max: 0},
		func(o *trace.Options) { o.FollowRedirects, o.MaxRedirects = true, 50 })
	if len(res.Hops) != 3 || h.Accepted() != 1 {
		t.Errorf("%d hops on %d connections, want 3 hops (/, /a, /b) on one", len(res.Hops), h.Accepted())
	}
	// Without a limit the hard cap still ends a chain that never repeats.
	chain := tracetest.NewHostile(t, tracetest.RedirectChain(0), tracetest.HostileOptions{})
	start := time.Now()
	res = hostileRun(t, lab, plainURL(chain, "/"),
		want{kind: trace.KindTooManyRedirs, phase: trace.PhaseRedirect, msg: "1000 redirects", hint: "--max-redirs", max: 10 * time.Second},
		func(o *trace.Options) { o.FollowRedirects, o.MaxRedirects = true, -1 })
	t.Logf("%d hops in %v", len(res.Hops), time.Since(start))
	if len(res.Hops) != 1001 {
		t.Errorf("%d hops, want 1001 (1000 redirects followed)", len(res.Hops))
	}
	// The default limit, as curl's.
	hostileRun(t, lab, plainURL(chain, "/"),
		want{kind: trace.KindTooManyRedirs, phase: trace.PhaseRedirect, msg: "stopped after 10 redirects", max: 0},
		func(o *trace.Options) { o.FollowRedirects, o.MaxRedirects = true, 10 })
}

// ---- bounded resources ----

func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return true
			}
		}
	}
	return false
}

// vmHWM reads the process's peak resident set size, after resetting it
// when reset is true (Linux only; 0 when unavailable).
func vmHWM(reset bool) uint64 {
	if reset {
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n << 10
		}
	}
	return 0
}

// TestGiBStreamsInFlatMemory streams 1 GiB through trace.Do over
// HTTP/1.1 and HTTP/2 and checks that the heap stays flat and that every
// engine goroutine is gone afterwards. The lab's server runs in the same
// process, so the figures bound client and server together.
func TestGiBStreamsInFlatMemory(t *testing.T) {
	if testing.Short() || raceEnabled() {
		t.Skip("streams 1 GiB: skipped with -short and under the race detector")
	}
	lab := tracetest.New(t)
	const size = 1 << 30
	cases := []struct {
		name, scheme, http string
	}{
		{"http/1.1", "http", ""},
		{"https http/1.1", "https", "1.1"},
		{"https h2", "https", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			hwm := vmHWM(true)
			w := watchHeap()
			start := time.Now()
			res := run(t, lab, lab.URL(c.scheme, "www.lab.test", "/bytes/"+strconv.Itoa(size)), func(o *trace.Options) {
				o.HTTP, o.MaxTime = c.http, 5*time.Minute
			})
			took := time.Since(start)
			w.end()
			hop := ok(t, res)
			if hop.Response.BodyBytes != size {
				t.Fatalf("received %d bytes", hop.Response.BodyBytes)
			}
			after := vmHWM(false)
			t.Logf("%s: 1 GiB in %v (%.0f MiB/s); heap in use: %d MiB before, peak %d MiB (%d samples); VmHWM %d MiB → %d MiB",
				hop.Response.Proto, took.Round(time.Millisecond), float64(size)/mib/took.Seconds(), w.base/mib, w.peak/mib, w.n, hwm/mib, after/mib)
			if w.peak > w.base+48*mib {
				t.Errorf("heap peaked at %d MiB, %d MiB above the start: memory grows with the body", w.peak/mib, (w.peak-w.base)/mib)
			}
			if w.n > 4 && w.peak > w.mid+16*mib {
				t.Errorf("heap still growing: %d MiB peak in the first half, %d MiB overall", w.mid/mib, w.peak/mib)
			}
			if hwm > 0 && after > 256*mib {
				t.Errorf("peak RSS %d MiB (client and lab server together)", after/mib)
			}
			noEngineGoroutines(t)
			// The lab's own connection goroutines wind down too.
			deadline := time.Now().Add(3 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Errorf("%d goroutines after the trace, %d before", n, before)
			}
		})
	}
}

// TestGoroutinesReleasedAfterFailures runs failing traces in a row and
// checks the goroutine count returns to where it was.
func TestGoroutinesReleasedAfterFailures(t *testing.T) {
	lab := tracetest.New(t)
	silent := tracetest.NewHostile(t, tracetest.Silent(), tracetest.HostileOptions{})
	urls := []string{
		tlsURL(silent, "/"),
		lab.URL("https", "www.lab.test", "/wait/5000"),
		lab.URL("https", "timeout.lab.test", "/"),
		lab.URL("http", "www.lab.test", "/drip?bytes=100&ms=5000"),
	}
	// Warm up once so lazily started runtime goroutines are counted.
	run(t, lab, lab.URL("https", "www.lab.test", "/"))
	time.Sleep(50 * time.Millisecond)
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	for _, u := range urls {
		u, err := trace.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			trace.Do(context.Background(), &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
				HostsFile: lab.HostsFile, CACert: lab.CAPEM, MaxTime: 300 * time.Millisecond})
		})
	}
	wg.Wait()
	noEngineGoroutines(t)
	silent.Close()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines, %d before", n, before)
	}
}

// TestHostileCookieForPublicSuffix: a site may not set a cookie for a
// public suffix (Domain=co.uk, Domain=github.io, or a bare TLD such as
// .test, which the list's default rule makes one): the cookie engine
// neither sends it to another site under that suffix nor lists it for
// -c. A registrable domain (lab.test) still works.
func TestHostileCookieForPublicSuffix(t *testing.T) {
	lab := tracetest.New(t)
	for _, c := range []struct {
		from, domain, to string
		sent             bool
	}{
		{"shop.co.uk", "co.uk", "bank.co.uk", false},
		{"evil.github.io", "github.io", "victim.github.io", false},
		{"www.hostile.test", "test", "other.test", false},
		{"a.lab.test", "lab.test", "b.lab.test", true},
	} {
		to := "http://" + c.to + ":" + strconv.Itoa(lab.HTTPPort) + "/echo"
		setter := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 302 Found\r\nSet-Cookie: planted=1; Domain="+c.domain+
			"; Path=/\r\nLocation: "+to+"\r\nContent-Length: 0\r\n\r\n"), tracetest.HostileOptions{})
		loop := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
		res := run(t, lab, "http://"+c.from+":"+strconv.Itoa(setter.Port)+"/", follow, func(o *trace.Options) {
			o.CookieJar = true
			o.Resolve = []trace.ResolveEntry{{Host: c.from, Port: setter.Port, Addrs: loop}, {Host: c.to, Port: lab.HTTPPort, Addrs: loop}}
		})
		if res.Err != nil || len(res.Hops) != 2 {
			t.Fatalf("%s: %d hops, %v", c.from, len(res.Hops), res.Err)
		}
		sent := strings.Contains(strings.Join(echoed(t, &res.Hops[1])["Cookie"], ";"), "planted=1")
		listed := false
		for _, k := range res.Cookies {
			listed = listed || k.Name == "planted"
		}
		if sent != c.sent || listed != c.sent {
			t.Errorf("Domain=%s set by %s: sent to %s %v, listed for -c %v; want %v", c.domain, c.from, c.to, sent, listed, c.sent)
		}
	}
}

// ---- HTTP/2 floods ----

// cpuTime is the CPU time this process (engine and hostile server
// together) has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestHostileHTTP2Floods: a server that sends frames without end, none of
// them a response, is stopped at a documented cap with an error that says
// so, long before -m, and without burning a core until then.
func TestHostileHTTP2Floods(t *testing.T) {
	lab := tracetest.New(t)
	// x/net logs a line for each unknown frame type (cmd drops them).
	log.SetOutput(io.Discard)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	ping := func(c *tracetest.H2Conn) error { return c.Frame(http2.FramePing, 0, 0, make([]byte, 8)) }
	cases := map[string]struct {
		script func(c *tracetest.H2Conn)
		w      want
	}{
		"endless 103": {tracetest.H2Flood(nil, func(c *tracetest.H2Conn) error {
			return c.Headers(false, tracetest.H2Field(":status", "103"), tracetest.H2Field("link", "</a.css>; rel=preload"))
		}), want{kind: trace.KindBadResponse, msg: "more than 32 1xx", hint: "the server sent 33 interim (1xx) responses without a response"}},
		"endless empty CONTINUATION": {tracetest.H2Flood(func(c *tracetest.H2Conn) error {
			return c.Frame(http2.FrameHeaders, 0, c.Stream, []byte{0x88})
		}, func(c *tracetest.H2Conn) error {
			return c.Frame(http2.FrameContinuation, 0, c.Stream, nil)
		}), want{kind: trace.KindHTTP2, msg: "sent 10000 HTTP/2 frames without a response", hint: "CONTINUATION"}},
		"PING storm": {tracetest.H2Flood(nil, ping),
			want{kind: trace.KindHTTP2, msg: "sent 10000 HTTP/2 frames without a response", hint: "PING"}},
		"SETTINGS storm": {tracetest.H2Flood(nil, func(c *tracetest.H2Conn) error {
			return c.Frame(http2.FrameSettings, 0, 0, nil)
		}), want{kind: trace.KindHTTP2, msg: "sent 10000 HTTP/2 frames without a response", hint: "SETTINGS"}},
		"WINDOW_UPDATE storm": {tracetest.H2Flood(nil, func(c *tracetest.H2Conn) error {
			return c.Frame(http2.FrameWindowUpdate, 0, 0, []byte{0, 0, 0, 1})
		}), want{kind: trace.KindHTTP2, msg: "sent 10000 HTTP/2 frames without a response", hint: "WINDOW_UPDATE"}},
		"PING storm after the head": {tracetest.H2Flood(func(c *tracetest.H2Conn) error { return h2Head(c, false) }, ping),
			want{kind: trace.KindHTTP2, phase: trace.PhaseReceive, msg: "sent 10000 HTTP/2 frames without a response", hint: "PING"}},
		"unknown frame types": {tracetest.H2Flood(nil, func(c *tracetest.H2Conn) error {
			return c.Frame(0xee, 0, 0, []byte("x"))
		}), want{kind: trace.KindHTTP2, msg: "sent 10000 HTTP/2 frames without a response", hint: "UNKNOWN_FRAME_TYPE_238"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := h2Server(t, lab, c.script)
			// Far less than -m, even under -race on a busy machine.
			c.w.phase, c.w.max = cmp.Or(c.w.phase, trace.PhaseWait), 15*time.Second
			cpu := cpuTime()
			hostileRun(t, lab, tlsURL(h, "/"), c.w, func(o *trace.Options) { o.MaxTime = 30 * time.Second })
			used := cpuTime() - cpu
			t.Logf("CPU time used (engine and server): %v", used)
			if used > 3*time.Second {
				t.Errorf("the flood used %v of CPU time before it was stopped", used)
			}
		})
	}
}

// ---- header injection ----

// TestHostileHeaderInjectionRefused: a CR, LF or NUL (or any control
// character) in a value reqtrace would send is bad input, refused before
// anything goes out, the same over HTTP/1.1 and HTTP/2, wherever the
// value came from: Options built without cmd's flag checks must not
// slip through either.
func TestHostileHeaderInjectionRefused(t *testing.T) {
	lab := tracetest.New(t)
	cases := map[string]struct {
		edit   func(o *trace.Options)
		header string
	}{
		"-H value with CRLF": {func(o *trace.Options) {
			o.Headers = append(o.Headers, trace.HeaderEdit{Name: "X-A", Value: "b\r\nX-Injected: 1"})
		}, "X-A"},
		"-H name with LF": {func(o *trace.Options) {
			o.Headers = append(o.Headers, trace.HeaderEdit{Name: "X-A\nX-B", Value: "1"})
		}, "X-A"},
		"-A with LF":              {func(o *trace.Options) { o.UserAgent = "ua\nX-Injected: 1" }, "User-Agent"},
		"-e with CR":              {func(o *trace.Options) { o.Referer = "http://a.test/\rX: 1" }, "Referer"},
		"-b with NUL":             {func(o *trace.Options) { o.Cookie = "a=b\x00c" }, "Cookie"},
		"--oauth2-bearer with LF": {func(o *trace.Options) { o.Bearer = "tok\nX-Injected: 1" }, "Authorization"},
		"-X with CRLF":            {func(o *trace.Options) { o.Method = "GET / HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET" }, "method"},
	}
	for _, proto := range []string{"http/1.1", "h2"} {
		for name, c := range cases {
			t.Run(proto+"/"+name, func(t *testing.T) {
				var h *tracetest.Hostile
				var u string
				if proto == "h2" {
					h = h2Server(t, lab, func(c *tracetest.H2Conn) { h2Head(c, true); c.Hold() })
					u = tlsURL(h, "/")
				} else {
					h = tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 204 No Content\r\n\r\n"), tracetest.HostileOptions{})
					u = plainURL(h, "/")
				}
				res := hostileRun(t, lab, u, want{kind: trace.KindBadInput, phase: trace.PhaseInput, msg: c.header, hint: "injection", max: 0}, c.edit)
				if n := h.Accepted(); n != 0 {
					t.Errorf("the server accepted %d connections: something was sent before the input was refused", n)
				}
				if hasRaw(res.Err.Message) || strings.ContainsAny(res.Err.Message, "\r\n\x00") {
					t.Errorf("the message quotes the value raw: %q", res.Err.Message)
				}
			})
		}
	}
	// The check cmd calls for its flags is the same one.
	if err := trace.CheckField("X-A", "ok\tvalue"); err != nil {
		t.Errorf("a tab is allowed: %v", err)
	}
	if err := trace.CheckField("X-A", "a\r\nb"); err == nil || err.Kind != trace.KindBadInput {
		t.Errorf("CheckField(CRLF) = %v", err)
	}
}

// ---- messages that name the real cause ----

// TestHostileChunkedFaults: a broken chunked encoding is named as such
// (curl says "Malformed encoding found in chunked-encoding", exit 56),
// not as a head's "header line too long" or a broken connection.
func TestHostileChunkedFaults(t *testing.T) {
	lab := tracetest.New(t)
	const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	cases := map[string]struct {
		reply string
		msg   string
	}{
		"chunk size not hex":       {head + "zz\r\nab\r\n0\r\n\r\n", "chunk size"},
		"no CRLF after the data":   {head + "3\r\nabcXX\r\n0\r\n\r\n", "chunk"},
		"chunk-size line too long": {head + "1;" + strings.Repeat("x", 70<<10) + "\r\na\r\n0\r\n\r\n", "longer than 65536 bytes"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := tracetest.NewHostile(t, tracetest.ReplyHold(c.reply), tracetest.HostileOptions{})
			res := hostileRun(t, lab, plainURL(h, "/"), want{kind: trace.KindReceive, phase: trace.PhaseReceive,
				msg: "the chunked encoding of the body is broken", hint: "chunk", max: 0})
			if !strings.Contains(res.Err.Message, c.msg) || strings.Contains(res.Err.Message, "header line") {
				t.Errorf("message %q, want one naming the chunk (%q)", res.Err.Message, c.msg)
			}
		})
	}
}

// TestHostileHeadDripsUntilTimeout: a head that trickles in, a byte at a
// time, until -m runs out is not "waiting for the server's first byte":
// the first byte came long ago.
func TestHostileHeadDripsUntilTimeout(t *testing.T) {
	lab := tracetest.New(t)
	const limit = 700 * time.Millisecond
	drip := "HTTP/1.1 200 OK\r\nX-Slow: " + strings.Repeat("s", 1000) + "\r\n\r\n"
	h1 := tracetest.NewHostile(t, tracetest.Drip("", drip, 10*time.Millisecond), tracetest.HostileOptions{})
	// Over HTTP/2: a HEADERS frame without END_HEADERS, then CONTINUATION
	// frames of one byte each, slowly (one literal field, never finished).
	h2 := h2Server(t, lab, func(c *tracetest.H2Conn) {
		if c.Frame(http2.FrameHeaders, 0, c.Stream, []byte{0x88, 0x40, 0x7f, 0x7f}) != nil {
			return
		}
		for c.Sleep(10*time.Millisecond) && c.Frame(http2.FrameContinuation, 0, c.Stream, []byte("x")) == nil {
		}
	})
	for name, u := range map[string]string{"http/1.1": plainURL(h1, "/"), "h2": tlsURL(h2, "/")} {
		t.Run(name, func(t *testing.T) {
			res := hostileRun(t, lab, u, want{kind: trace.KindTimeout, phase: trace.PhaseWait, msg: "response head", hint: "slowly", max: limit},
				func(o *trace.Options) { o.MaxTime = limit })
			t.Logf("%s (hint: %s)", res.Err.Message, res.Err.Hint)
			if strings.Contains(res.Err.Message, "first byte") {
				t.Errorf("message %q blames the wait for the first byte", res.Err.Message)
			}
		})
	}
	// A server that sends nothing is still waited for.
	silent := tracetest.NewHostile(t, tracetest.ReplyHold(""), tracetest.HostileOptions{})
	hostileRun(t, lab, plainURL(silent, "/"), want{kind: trace.KindTimeout, phase: trace.PhaseWait, msg: "first byte", max: limit},
		func(o *trace.Options) { o.MaxTime = limit })
}

// TestHostileHTTP2ClientRaisedErrors: when reqtrace's own HTTP/2 client
// refuses what the server sent (a header list over the limit, bad
// padding) and resets the stream or closes the connection itself, the
// message says so; it is not "the server reset the stream".
func TestHostileHTTP2ClientRaisedErrors(t *testing.T) {
	lab := tracetest.New(t)
	log.SetOutput(io.Discard) // x/net logs some of these itself (cmd drops them)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	bigHead := func(n int) func(c *tracetest.H2Conn) {
		return func(c *tracetest.H2Conn) {
			fields := []hpack.HeaderField{tracetest.H2Field(":status", "200")}
			for i := range n {
				fields = append(fields, tracetest.H2Field("x-big-"+strconv.Itoa(i), strings.Repeat("v", 64<<10)))
			}
			c.Headers(true, fields...)
			c.Hold()
		}
	}
	cases := map[string]struct {
		script func(c *tracetest.H2Conn)
		phase  string
		msg    string
	}{
		"header list of 1.5 MiB": {bigHead(24), trace.PhaseWait, "larger than 1048576 bytes"},
		"header list of 3 MiB":   {bigHead(48), trace.PhaseWait, "reqtrace's HTTP/2 client"},
		"DATA padding longer than the frame": {func(c *tracetest.H2Conn) {
			h2Head(c, false)
			c.Frame(http2.FrameData, http2.FlagDataPadded, c.Stream, []byte{200, 'a', 'b'})
			c.Hold()
		}, trace.PhaseReceive, "padding"},
		"DATA before HEADERS": {func(c *tracetest.H2Conn) {
			c.Data([]byte("early"), false)
			c.Hold()
		}, trace.PhaseWait, "DATA before the response's HEADERS"},
		"HEADERS padding longer than the frame": {func(c *tracetest.H2Conn) {
			c.Frame(http2.FrameHeaders, http2.FlagHeadersEndHeaders|http2.FlagHeadersPadded, c.Stream, []byte{9, 0x88})
			c.Hold()
		}, trace.PhaseWait, "padding"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := h2Server(t, lab, c.script)
			res := hostileRun(t, lab, tlsURL(h, "/"), want{kind: trace.KindHTTP2, phase: c.phase, msg: c.msg, hint: "reqtrace's HTTP/2 client", max: 10 * time.Second})
			t.Logf("%s (hint: %s)", res.Err.Message, res.Err.Hint)
			if m := res.Err.Message; strings.Contains(m, "server reset") || strings.Contains(m, "GOAWAY") {
				t.Errorf("message %q blames the server for a reset it did not send", m)
			}
		})
	}
}

// ---- framing: Content-Length and Transfer-Encoding ----

// TestHostileContentLengthSigned: RFC 9110 section 8.6 allows digits only;
// strconv accepts "+5", and a proxy that does not would frame the body
// differently.
func TestHostileContentLengthSigned(t *testing.T) {
	lab := tracetest.New(t)
	for _, cl := range []string{"+5", "-0", " 5 5", "0x5", "5_0"} {
		h := tracetest.NewHostile(t, tracetest.ReplyHold("HTTP/1.1 200 OK\r\nContent-Length: "+cl+"\r\n\r\nhello"), tracetest.HostileOptions{})
		hostileRun(t, lab, plainURL(h, "/"), want{kind: trace.KindBadResponse, phase: trace.PhaseReceive, msg: "malformed Content-Length", hint: "digits", max: 0})
	}
	// Repeats that agree, as a list or as lines, stay fine.
	h := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello"), tracetest.HostileOptions{})
	hostileRun(t, lab, plainURL(h, "/"), want{max: 0})
}

// TestHostileTransferEncodingWithContentLength: both framings in one
// response is how response smuggling works (RFC 9112 section 6.3):
// reqtrace reads the chunks, as the RFC says, and warns.
func TestHostileTransferEncodingWithContentLength(t *testing.T) {
	lab := tracetest.New(t)
	h := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), tracetest.HostileOptions{})
	res := hostileRun(t, lab, plainURL(h, "/"), want{max: 0})
	if rs := res.Hops[0].Response; string(rs.BodyPreview) != "abc" {
		t.Errorf("body %q, want the chunks' abc (Transfer-Encoding wins)", rs.BodyPreview)
	}
	annotate.Result(res, time.Now())
	var found *trace.Note
	for i, n := range res.Hops[0].Notes {
		if n.ID == "framing.te-and-cl" {
			found = &res.Hops[0].Notes[i]
		}
	}
	if found == nil || found.Level != trace.LevelWarn || !strings.Contains(found.Message, "smuggling") {
		t.Errorf("no smuggling warning among the notes: %+v", res.Hops[0].Notes)
	}
	// One framing alone: no such note.
	h = tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"), tracetest.HostileOptions{})
	res = hostileRun(t, lab, plainURL(h, "/"), want{max: 0})
	annotate.Result(res, time.Now())
	for _, n := range res.Hops[0].Notes {
		if n.ID == "framing.te-and-cl" {
			t.Errorf("a smuggling note without Transfer-Encoding: %+v", n)
		}
	}
}
