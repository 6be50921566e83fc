package trace_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// labOptions is the lab's shared settings for a pool, and for each of
// its requests with the URL set.
func labOptions(t *testing.T, lab *tracetest.Lab, rawURL string) *trace.Options {
	t.Helper()
	o := &trace.Options{DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
		HostsFile: lab.HostsFile, CACert: lab.CAPEM, MaxTime: 20 * time.Second}
	if rawURL != "" {
		u, err := trace.ParseURL(rawURL)
		if err != nil {
			t.Fatalf("ParseURL(%q): %v", rawURL, err)
		}
		o.URL = u
	}
	return o
}

func newPool(t *testing.T, lab *tracetest.Lab) *trace.Pool {
	t.Helper()
	p, err := trace.NewPool(labOptions(t, lab, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// doAll runs every URL on the pool at once and returns the results in order.
func doAll(t *testing.T, lab *tracetest.Lab, p *trace.Pool, urls []string) []*trace.Result {
	t.Helper()
	out := make([]*trace.Result, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		o := labOptions(t, lab, u)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = p.Do(context.Background(), o)
		}()
	}
	wg.Wait()
	return out
}

func repeatURL(n int, u string) []string {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = u
	}
	return urls
}

func conns(t *testing.T, rs []*trace.Result) map[int]int {
	t.Helper()
	ids := map[int]int{}
	for i, r := range rs {
		if r.Err != nil {
			t.Fatalf("request %d failed: %s/%s: %s", i, r.Err.Phase, r.Err.Kind, r.Err.Message)
		}
		ids[r.Hops[0].ConnID]++
	}
	return ids
}

func TestPoolHTTP1SixConnectionsPerOrigin(t *testing.T) {
	lab := tracetest.New(t)
	p := newPool(t, lab)
	const delay = 300 * time.Millisecond
	rs := doAll(t, lab, p, repeatURL(12, lab.URL("https", "pool.h1only.lab.test", "/wait/300")))
	ids := conns(t, rs)
	if len(ids) != trace.PoolPerOrigin {
		t.Fatalf("%d connections %v, want %d", len(ids), ids, trace.PoolPerOrigin)
	}
	first := rs[0].Started
	for _, r := range rs {
		if r.Started.Before(first) {
			first = r.Started
		}
	}
	blocked := 0
	for i, r := range rs {
		h := r.Hops[0]
		if h.Response.Proto != "HTTP/1.1" {
			t.Fatalf("request %d over %s", i, h.Response.Proto)
		}
		if h.Connect.Reused {
			// It waited for one of the first six to finish its /wait/300,
			// which began at the earliest when the first request did.
			blocked++
			within(t, "blocked", h.Timings.Blocked, delay-r.Started.Sub(first))
		}
		// send and wait together: the server's 300 ms start when the
		// request arrives, which may be a moment before the client, one
		// of twelve goroutines on a busy machine, stamps it sent.
		within(t, "send+wait", sendWait(h), delay)
	}
	if blocked != 12-trace.PoolPerOrigin {
		t.Errorf("%d requests reused a connection, want %d", blocked, 12-trace.PoolPerOrigin)
	}
}

func TestPoolHTTP2OneConnection(t *testing.T) {
	lab := tracetest.New(t)
	p := newPool(t, lab)
	rs := doAll(t, lab, p, repeatURL(12, lab.URL("https", "pool.lab.test", "/wait/100")))
	ids := conns(t, rs)
	if len(ids) != 1 {
		t.Fatalf("%d connections %v, want 1", len(ids), ids)
	}
	for i, r := range rs {
		h := r.Hops[0]
		if h.Response.Proto != "HTTP/2.0" {
			t.Fatalf("request %d over %s", i, h.Response.Proto)
		}
		within(t, "send+wait", sendWait(h), 100*time.Millisecond)
	}
}

// rawH2Streams serves HTTP/2 by hand on one TLS connection at a time:
// each stream's request for /wait/{ms} is answered after ms, the streams
// interleaved, with header fields in an order no map gives back, naming
// the stream and the path they answer.
func rawH2Streams(t *testing.T, lab *tracetest.Lab, name string) string {
	t.Helper()
	cert, err := lab.Certificate(name)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serveH2Streams(c, &wg)
			}()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func serveH2Streams(c net.Conn, wg *sync.WaitGroup) {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil {
		return
	}
	var wmu sync.Mutex // the framer and the encoder: one block at a time, in order
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100})
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				wmu.Lock()
				fr.WriteSettingsAck()
				wmu.Unlock()
			}
		case *http2.MetaHeadersFrame:
			id, path := f.StreamID, f.PseudoValue("path")
			ms, _ := strconv.Atoi(strings.TrimPrefix(path, "/wait/"))
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(ms) * time.Millisecond)
				wmu.Lock()
				defer wmu.Unlock()
				buf.Reset()
				for _, hf := range []hpack.HeaderField{{Name: ":status", Value: "200"}, {Name: "z-stream", Value: strconv.Itoa(int(id))},
					{Name: "m-path", Value: path}, {Name: "a-last", Value: "x"}} {
					enc.WriteField(hf)
				}
				fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: buf.Bytes(), EndHeaders: true})
				fr.WriteData(id, true, []byte("ok\n"))
			}()
		}
	}
}

// TestPoolHTTP2ConcurrentStreams: 12 requests at once multiplex on one
// connection, each on its own stream, each with its own wait and its own
// response's headers in wire order.
func TestPoolHTTP2ConcurrentStreams(t *testing.T) {
	lab := tracetest.New(t)
	port := rawH2Streams(t, lab, "www.lab.test")
	p := newPool(t, lab)
	var urls []string
	for i := range 12 {
		urls = append(urls, fmt.Sprintf("https://www.lab.test:%s/wait/%d", port, 300-20*i))
	}
	start := time.Now()
	rs := doAll(t, lab, p, urls)
	elapsed := time.Since(start)
	if ids := conns(t, rs); len(ids) != 1 {
		t.Fatalf("%d connections %v, want 1", len(ids), ids)
	}
	streams := map[uint32]bool{}
	for i, r := range rs {
		h := r.Hops[0]
		path := fmt.Sprintf("/wait/%d", 300-20*i)
		if h.Stream == 0 || h.Stream%2 == 0 || streams[h.Stream] {
			t.Errorf("request %d: stream %d (seen: %v)", i, h.Stream, streams)
		}
		streams[h.Stream] = true
		want := []trace.Header{{"z-stream", strconv.Itoa(int(h.Stream))}, {"m-path", path}, {"a-last", "x"}}
		if !equalJSON(h.Response.Headers, want) {
			t.Errorf("request %d: headers %v, want %v", i, h.Response.Headers, want)
		}
		within(t, "send+wait", sendWait(h), time.Duration(300-20*i)*time.Millisecond)
	}
	// One at a time the requests would take 12 × their mean of 190 ms.
	if serial := 12 * 190 * time.Millisecond; elapsed >= serial {
		t.Errorf("12 requests took %v: not concurrent (serially %v)", elapsed, serial)
	}
}

// endAt is when a span of hop h ended, on the wall clock.
// sendWait is the span from the request's first byte sent to the
// response's first byte: what a server's delay bounds from below when
// many requests run at once (the client may stamp the end of its send a
// moment after the server has the request and started its delay).
func sendWait(h trace.Hop) *trace.Span {
	if h.Timings.Send == nil || h.Timings.Wait == nil {
		return nil
	}
	return &trace.Span{Start: h.Timings.Send.Start, Duration: h.Timings.Wait.End() - h.Timings.Send.Start}
}

func endAt(h trace.Hop, s *trace.Span) time.Time { return h.Started.Add(s.End()) }

// TestPoolHTTPSWaitsForALPN: while the first connection to an origin is
// still in its TLS handshake, the other requests wait for it (it may be
// HTTP/2) rather than open sockets of their own; they then ride it.
func TestPoolHTTPSWaitsForALPN(t *testing.T) {
	lab := tracetest.New(t)
	p := newPool(t, lab)
	rs := doAll(t, lab, p, repeatURL(8, lab.URL("https", "tlsdelay-200.alpn.lab.test", "/wait/0")))
	if ids := conns(t, rs); len(ids) != 1 {
		t.Fatalf("%d connections %v, want 1", len(ids), ids)
	}
	var opener trace.Hop
	for _, r := range rs {
		if h := r.Hops[0]; !h.Connect.Reused {
			opener = h
		}
	}
	within(t, "tls", opener.Timings.TLS, 200*time.Millisecond)
	if opener.Timings.Blocked != nil {
		t.Errorf("the first request was blocked %v", opener.Timings.Blocked)
	}
	for i, r := range rs {
		h := r.Hops[0]
		if !h.Connect.Reused {
			continue
		}
		if h.Timings.Blocked == nil || endAt(h, h.Timings.Blocked).Before(endAt(opener, opener.Timings.TLS)) {
			t.Errorf("request %d: blocked %v, ends before the handshake it waited for", i, h.Timings.Blocked)
		}
		if h.Timings.DNS != nil || h.Timings.TLS != nil || h.Timings.Send.Start < h.Timings.Blocked.End() {
			t.Errorf("request %d: timings %+v", i, h.Timings)
		}
	}

	// An HTTP/1.1-only origin: the others wait for the handshake too,
	// then open connections of their own, up to the limit.
	rs = doAll(t, lab, p, repeatURL(8, lab.URL("https", "tlsdelay-100.alpn.h1only.lab.test", "/wait/200")))
	if ids := conns(t, rs); len(ids) != trace.PoolPerOrigin {
		t.Fatalf("%d connections %v, want %d", len(ids), ids, trace.PoolPerOrigin)
	}
	unblocked := 0
	for _, r := range rs {
		if h := r.Hops[0]; h.Timings.Blocked == nil {
			unblocked++
		}
	}
	if unblocked != 1 {
		t.Errorf("%d requests did not wait, want 1 (the first connection's)", unblocked)
	}
}

// TestPoolDNSOncePerHost: concurrent first lookups of a host go out once
// (the others wait for that answer: blocked), and later connections to it
// take the answer from the pool.
func TestPoolDNSOncePerHost(t *testing.T) {
	lab := tracetest.New(t)
	baseline := "dnsdelay-150.once.lab.test"
	ok(t, run(t, lab, lab.URL("http", baseline, "/")))
	perTrace := lab.DNSQueries(baseline)

	host := "dnsdelay-150.flight.lab.test"
	p := newPool(t, lab)
	rs := doAll(t, lab, p, repeatURL(12, lab.URL("http", host, "/wait/100")))
	ids := conns(t, rs)
	if len(ids) != trace.PoolPerOrigin {
		t.Fatalf("%d connections, want %d", len(ids), trace.PoolPerOrigin)
	}
	if n := lab.DNSQueries(host); n != perTrace {
		t.Errorf("%d DNS queries for %s, want %d (one trace's)", n, host, perTrace)
	}
	var looked []trace.Hop
	waited := 0
	for _, r := range rs {
		h := r.Hops[0]
		if h.Timings.DNS != nil {
			looked = append(looked, h)
		}
	}
	if len(looked) != 1 {
		t.Fatalf("%d requests made the lookup, want 1", len(looked))
	}
	first := looked[0]
	within(t, "dns", first.Timings.DNS, 150*time.Millisecond)
	for i, r := range rs {
		h := r.Hops[0]
		why := h.Timings.Skipped["dns"]
		switch {
		case h.Timings.DNS != nil:
		case h.Connect.Reused:
			if !strings.Contains(why, "was reused") {
				t.Errorf("request %d: dns skipped because %q", i, why)
			}
		default:
			waited++
			if !strings.HasPrefix(why, "cached: another request") {
				t.Errorf("request %d: dns skipped because %q", i, why)
			}
			if h.Timings.Blocked == nil || endAt(h, h.Timings.Blocked).Before(endAt(first, first.Timings.DNS)) {
				t.Errorf("request %d: blocked %v ends before the lookup it waited for", i, h.Timings.Blocked)
			}
		}
	}
	if waited != trace.PoolPerOrigin-1 {
		t.Errorf("%d requests waited for the lookup, want %d", waited, trace.PoolPerOrigin-1)
	}

	// A new connection later (another port: another origin) asks no one.
	r := p.Do(context.Background(), labOptions(t, lab, lab.URL("https", host, "/")))
	h := ok(t, r)
	if h.Timings.DNS != nil || !strings.HasPrefix(h.Timings.Skipped["dns"], "cached: an earlier request") || h.Timings.Blocked != nil {
		t.Errorf("dns %v, skipped %q, blocked %v", h.Timings.DNS, h.Timings.Skipped["dns"], h.Timings.Blocked)
	}
	if n := lab.DNSQueries(host); n != perTrace {
		t.Errorf("%d DNS queries for %s after a new connection, want %d", n, host, perTrace)
	}
}

// TestPoolCoalescing: a request to an origin whose host the certificate
// of an HTTP/2 connection to another origin covers, at the same address,
// rides that connection; not at another port, nor for a name the
// certificate does not cover.
func TestPoolCoalescing(t *testing.T) {
	lab := tracetest.New(t)
	p := newPool(t, lab)
	first := ok(t, p.Do(context.Background(), labOptions(t, lab, lab.URL("https", "a.coalesce.lab.test", "/"))))
	if first.TLS == nil || first.TLS.ALPN != "h2" {
		t.Fatalf("the first connection is not HTTP/2: %+v", first.TLS)
	}
	rs := doAll(t, lab, p, []string{lab.URL("https", "b.coalesce.lab.test", "/wait/50"), lab.URL("https", "c.coalesce.lab.test", "/wait/50"),
		lab.URL("https", "b.coalesce.lab.test", "/wait/50")})
	want := fmt.Sprintf("https://a.coalesce.lab.test:%d", lab.HTTPSPort)
	for i, r := range rs {
		h := ok(t, r)
		if h.ConnID != first.ConnID || h.Connect.Coalesced != want || !h.Connect.Reused || h.Response.Proto != "HTTP/2.0" {
			t.Errorf("request %d: conn #%d (first #%d), coalesced %q, want %q", i, h.ConnID, first.ConnID, h.Connect.Coalesced, want)
		}
		// The first request to an origin coalesces; the next to it finds
		// the connection the origin's own already.
		why := h.Timings.Skipped["connect"]
		if h.TLS != nil || h.Timings.Connect != nil || !strings.HasPrefix(why, "coalesced onto connection") && !strings.HasSuffix(why, "was reused") {
			t.Errorf("request %d: tls %v, skipped %v", i, h.TLS, h.Timings.Skipped)
		}
	}

	for _, u := range []string{
		lab.URL("https", "www.lab.test", "/"),                                                    // not in the certificate
		"https://b.coalesce.lab.test:" + rawH2Streams(t, lab, "x.coalesce.lab.test") + "/wait/0", // another port
	} {
		h := ok(t, p.Do(context.Background(), labOptions(t, lab, u)))
		if h.Connect.Coalesced != "" || h.Connect.Reused || h.ConnID == first.ConnID {
			t.Errorf("%s: coalesced %q onto conn #%d", u, h.Connect.Coalesced, h.ConnID)
		}
	}
}

// TestPoolFailuresStayPerRequest: a request that fails (no such host, a
// refused port, its own time limit on a shared HTTP/2 connection) fails
// alone; the others, on the same connection too, complete.
func TestPoolFailuresStayPerRequest(t *testing.T) {
	lab := tracetest.New(t)
	p := newPool(t, lab)
	urls := []string{
		lab.URL("https", "shared.lab.test", "/wait/1500"), // times out (MaxTime below)
		lab.URL("https", "shared.lab.test", "/wait/400"),
		lab.URL("https", "shared.lab.test", "/wait/0"),
		lab.URL("https", "x.nxdomain.lab.test", "/"),
		"http://127.0.0.1:1/",
	}
	out := make([]*trace.Result, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		o := labOptions(t, lab, u)
		if i == 0 {
			o.MaxTime = 700 * time.Millisecond
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = p.Do(context.Background(), o)
		}()
	}
	wg.Wait()
	for i, kind := range []string{trace.KindTimeout, "", "", trace.KindNXDomain, trace.KindConnRefused} {
		r := out[i]
		switch {
		case kind == "" && r.Err != nil:
			t.Errorf("%s failed: %s: %s", urls[i], r.Err.Kind, r.Err.Message)
		case kind != "" && (r.Err == nil || r.Err.Kind != kind):
			t.Errorf("%s: error %+v, want kind %s", urls[i], r.Err, kind)
		}
	}
	if a, b, c := out[0].Hops[0].ConnID, out[1].Hops[0].ConnID, out[2].Hops[0].ConnID; a != b || b != c {
		t.Errorf("connections #%d, #%d, #%d: want one shared", a, b, c)
	}
	// The connection outlives the request that timed out on it.
	h := ok(t, p.Do(context.Background(), labOptions(t, lab, lab.URL("https", "shared.lab.test", "/"))))
	if h.ConnID != out[1].Hops[0].ConnID || !h.Connect.Reused {
		t.Errorf("after the timeout: conn #%d reused %v, want #%d", h.ConnID, h.Connect.Reused, out[1].Hops[0].ConnID)
	}
}

// settleGoroutines waits up to 10 s for the goroutine count to fall to
// atMost, and returns it.
func settleGoroutines(atMost int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); n > atMost && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	return n
}

// TestPoolCloseLeavesNoGoroutines: Close ends every connection and the
// goroutines that served them (HTTP/2 read loops included).
func TestPoolCloseLeavesNoGoroutines(t *testing.T) {
	lab := tracetest.New(t)
	ok(t, run(t, lab, lab.URL("https", "warm.lab.test", "/"))) // the lab's own server goroutines start
	before := settleGoroutines(1 << 20)
	time.Sleep(100 * time.Millisecond)
	before = settleGoroutines(before)
	p, err := trace.NewPool(labOptions(t, lab, ""))
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for i := range 8 {
		urls = append(urls, lab.URL("https", "close.lab.test", "/"), lab.URL("http", fmt.Sprintf("c%d.close.lab.test", i%2), "/"),
			lab.URL("https", "close.h1only.lab.test", "/"))
	}
	rs := doAll(t, lab, p, urls)
	conns(t, rs)
	if n := runtime.NumGoroutine(); n <= before {
		t.Logf("goroutines: %d before, %d with the pool's connections open", before, n)
	}
	p.Close()
	if n := settleGoroutines(before); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	if r := p.Do(context.Background(), labOptions(t, lab, lab.URL("https", "close.lab.test", "/"))); r.Err == nil {
		t.Error("a request on a closed pool did not fail")
	}
}

// TestPoolStaleConnections: a server that closes idle HTTP/1.1
// connections, at once or only when the next request comes: the pool
// drops the ones it sees closed and retries once, on a new connection,
// a request that found its connection dead.
func TestPoolStaleConnections(t *testing.T) {
	lab := tracetest.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	var mu sync.Mutex
	accepted := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			accepted++
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				// One answer per connection, kept alive; the next
				// request finds the connection closed without a reply.
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
				if req.URL.Path == "/close-now" {
					return
				}
				http.ReadRequest(br)
			}()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	p := newPool(t, lab)
	for _, path := range []string{"/close-now", "/close-later"} {
		u := "http://stale.lab.test:" + port + path
		for round := range 2 {
			for i, r := range doAll(t, lab, p, repeatURL(4, u)) {
				h := ok(t, r)
				if h.Connect.Reused {
					t.Errorf("%s round %d, request %d: reused a dead connection", path, round, i)
				}
			}
			time.Sleep(50 * time.Millisecond) // the closes arrive
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if accepted != 16 {
		t.Errorf("%d connections, want 16 (4 per round)", accepted)
	}
}
