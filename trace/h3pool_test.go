package trace_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// doAllWith is doAll with edit applied to every request's options.
func doAllWith(t *testing.T, lab *tracetest.Lab, p *trace.Pool, urls []string, edit func(*trace.Options)) []*trace.Result {
	t.Helper()
	out := make([]*trace.Result, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		o := labOptions(t, lab, u)
		edit(o)
		wg.Go(func() { out[i] = p.Do(context.Background(), o) })
	}
	wg.Wait()
	return out
}

func h3Pool(t *testing.T, lab *tracetest.Lab, mode string, edit ...func(*trace.Options)) *trace.Pool {
	t.Helper()
	o := labOptions(t, lab, "")
	o.HTTP = mode
	for _, e := range edit {
		e(o)
	}
	p, err := trace.NewPool(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// -L over HTTP/3 on one origin: one QUIC handshake, as curl reuses its
// connection; the later hops are marked reused, as over HTTP/2.
func TestHTTP3RedirectsReuseConnection(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("https", "tlsdelay-40.www.lab.test", "/redirect/3"), h3("3-only"), func(o *trace.Options) { o.FollowRedirects, o.MaxRedirects = true, 10 })
	if res.Err != nil || len(res.Hops) != 4 {
		t.Fatalf("%d hops, error %+v", len(res.Hops), res.Err)
	}
	first := res.Hops[0]
	within(t, "quic", first.Timings.QUIC, 40*time.Millisecond)
	if first.Connect.Reused || first.QUIC == nil || first.TLS == nil || first.ConnID != 1 {
		t.Fatalf("first hop: connect %+v, quic %+v, conn #%d", first.Connect, first.QUIC, first.ConnID)
	}
	sent := first.QUIC.PacketsSent
	for i, h := range res.Hops[1:] {
		if h.Response == nil || h.Response.Proto != "HTTP/3.0" {
			t.Fatalf("hop %d: response %+v", i+2, h.Response)
		}
		c := h.Connect
		if c == nil || !c.Reused || c.Transport != "udp" || c.Address != first.Connect.Address || h.ConnID != first.ConnID {
			t.Errorf("hop %d: connect %+v on conn #%d, want connection #%d reused", i+2, c, h.ConnID, first.ConnID)
		}
		if h.Timings.QUIC != nil || h.Timings.DNS != nil || h.TLS != nil || h.Timings.Skipped[trace.PhaseQUIC] != "connection #1 was reused" {
			t.Errorf("hop %d: a handshake on a reused connection: %+v, TLS %+v", i+2, h.Timings, h.TLS)
		}
		// The connection's totals at each hop's end: they only grow.
		if q := h.QUIC; q == nil || q.Version != "v1" || q.PacketsSent <= sent || q.Used0RTT || q.Peer == nil || q.Peer == first.QUIC.Peer {
			t.Errorf("hop %d: QUIC %+v, packets sent before %d", i+2, q, sent)
		} else {
			sent = q.PacketsSent
		}
	}
	if n := lab.QUICConnections(); n != 1 {
		t.Errorf("the lab accepted %d QUIC connections, want 1", n)
	}
}

// Ten requests at once to one origin over HTTP/3: one QUIC connection,
// the requests as streams on it; those that came during the handshake
// waited for it, and that wait is their blocked time.
func TestPoolHTTP3OneConnection(t *testing.T) {
	lab := tracetest.New(t)
	p := h3Pool(t, lab, "3-only")
	const delay = 200 * time.Millisecond
	rs := doAllWith(t, lab, p, repeatURL(10, lab.URL("https", "tlsdelay-200.pool.lab.test", "/wait/100")), h3("3-only"))
	ids := conns(t, rs)
	if len(ids) != 1 {
		t.Fatalf("%d connections %v, want 1", len(ids), ids)
	}
	handshakes := 0
	for i, r := range rs {
		h := r.Hops[0]
		if h.Response.Proto != "HTTP/3.0" || h.QUIC == nil {
			t.Fatalf("request %d over %s", i, h.Response.Proto)
		}
		within(t, "send+wait", sendWait(h), 100*time.Millisecond)
		if !h.Connect.Reused {
			handshakes++
			within(t, "quic", h.Timings.QUIC, delay)
			continue
		}
		// It waited out (nearly all of) the other request's handshake.
		if b := h.Timings.Blocked; b == nil || b.Start != 0 || b.Duration < delay*3/4 || b.Duration > delay+slack {
			t.Errorf("request %d: blocked %+v, want about the %v handshake", i, b, delay)
		}
		if h.Timings.QUIC != nil || h.Timings.DNS != nil {
			t.Errorf("request %d: its own DNS or handshake on a shared connection: %+v", i, h.Timings)
		}
	}
	if handshakes != 1 {
		t.Errorf("%d requests handshook, want 1", handshakes)
	}
	if n := lab.QUICConnections(); n != 1 {
		t.Errorf("the lab accepted %d QUIC connections, want 1", n)
	}
	// A later request goes on it too, without waiting.
	h := ok(t, p.Do(context.Background(), labOptionsWith(t, lab, lab.URL("https", "tlsdelay-200.pool.lab.test", "/"), h3("3-only"))))
	if !h.Connect.Reused || h.ConnID != rs[0].Hops[0].ConnID || h.Timings.Blocked != nil {
		t.Errorf("later request: reused %v, conn #%d, blocked %+v", h.Connect.Reused, h.ConnID, h.Timings.Blocked)
	}
}

func labOptionsWith(t *testing.T, lab *tracetest.Lab, u string, edit func(*trace.Options)) *trace.Options {
	o := labOptions(t, lab, u)
	edit(o)
	return o
}

// --http3 to an origin that never answers QUIC: the first request races
// TCP, which connects after QUIC's head start while the others wait for
// that handshake; TCP winning with no QUIC answer marks the origin's
// HTTP/3 broken, so they fall back at once, and later requests of the
// pool go straight to TCP, as a browser's do.
func TestPoolHTTP3BrokenFallsBackOnce(t *testing.T) {
	lab := tracetest.New(t)
	const timeout = 600 * time.Millisecond
	short := func(o *trace.Options) { o.HTTP, o.ConnectTimeout = "3", timeout }
	p := h3Pool(t, lab, "3", short)
	u := lab.URL("https", "noquic.lab.test", "/")
	start := time.Now()
	rs := doAllWith(t, lab, p, repeatURL(4, u), short)
	if took := time.Since(start); took >= timeout {
		t.Errorf("the first requests took %v: TCP should have started after QUIC's head start, not the %v timeout", took, timeout)
	}
	for i, r := range rs {
		h := ok(t, r)
		if f := h.Fallback; h.Response.Proto != "HTTP/2.0" || f == nil || f.Err == nil || f.Err.Kind != trace.KindQUICTimeout || !strings.Contains(f.Err.Hint, "UDP") {
			t.Errorf("request %d: %s, fallback %+v", i, h.Response.Proto, f)
		}
	}
	start = time.Now()
	rs = doAllWith(t, lab, p, repeatURL(4, u), short)
	if took := time.Since(start); took >= timeout {
		t.Errorf("the later requests took %v: they tried QUIC again", took)
	}
	for i, r := range rs {
		h := ok(t, r)
		if h.Response.Proto != "HTTP/2.0" || h.Fallback == nil || !strings.Contains(h.Fallback.Message, "marked broken") || h.QUIC != nil {
			t.Errorf("later request %d: %s, fallback %+v", i, h.Response.Proto, h.Fallback)
		}
	}
	if n := lab.QUICConnections(); n != 0 {
		t.Errorf("the lab accepted %d QUIC connections, want 0", n)
	}
	// --http3-only has nothing to fall back to: it tries QUIC itself.
	start = time.Now()
	res := p.Do(context.Background(), labOptionsWith(t, lab, u, func(o *trace.Options) { short(o); o.HTTP = "3-only" }))
	if res.Err == nil || res.Err.Kind != trace.KindQUICTimeout || time.Since(start) < timeout {
		t.Errorf("--http3-only after the fallback: %+v after %v", res.Err, time.Since(start))
	}
}

// A QUIC connection the server closed leaves the pool: the next request
// handshakes anew.
func TestPoolHTTP3DeadConnection(t *testing.T) {
	lab := tracetest.New(t)
	p := h3Pool(t, lab, "3-only")
	do := func(path string) *trace.Hop {
		t.Helper()
		return ok(t, p.Do(context.Background(), labOptionsWith(t, lab, lab.URL("https", "dead.lab.test", path), h3("3-only"))))
	}
	first := do("/quic/close")
	if first.Response.Status != 200 || first.Response.BodyBytes != 8 {
		t.Fatalf("/quic/close: %d, %d bytes", first.Response.Status, first.Response.BodyBytes)
	}
	time.Sleep(tracetest.QUICCloseDelay + 200*time.Millisecond) // the CONNECTION_CLOSE arrives
	second := do("/")
	if second.Connect.Reused || second.ConnID == first.ConnID || second.Timings.QUIC == nil {
		t.Errorf("after the server closed connection #%d: conn #%d, reused %v, quic %v", first.ConnID, second.ConnID, second.Connect.Reused, second.Timings.QUIC)
	}
	if third := do("/"); !third.Connect.Reused || third.ConnID != second.ConnID {
		t.Errorf("third request: conn #%d reused %v, want #%d", third.ConnID, third.Connect.Reused, second.ConnID)
	}
	if n := lab.QUICConnections(); n != 2 {
		t.Errorf("the lab accepted %d QUIC connections, want 2", n)
	}
}

// A stream reset fails only its own request: the requests alongside and
// after it go on, on the same connection.
func TestPoolHTTP3StreamReset(t *testing.T) {
	lab := tracetest.New(t)
	p := h3Pool(t, lab, "3-only")
	at := func(path string) string { return lab.URL("https", "reset.lab.test", path) }
	rs := doAllWith(t, lab, p, []string{at("/wait/300"), at("/reset/1000"), at("/wait/300")}, h3("3-only"))
	if e := rs[1].Err; e == nil || e.Kind != trace.KindHTTP3 || e.Phase != trace.PhaseReceive {
		t.Fatalf("/reset/1000: %+v, want an http3_error in receive", e)
	}
	for _, i := range []int{0, 2} {
		h := ok(t, rs[i])
		if h.ConnID != rs[1].Hops[0].ConnID || h.Response.Status != 200 {
			t.Errorf("request %d: conn #%d status %d, want the reset's conn #%d", i, h.ConnID, h.Response.Status, rs[1].Hops[0].ConnID)
		}
	}
	h := ok(t, p.Do(context.Background(), labOptionsWith(t, lab, at("/"), h3("3-only"))))
	if !h.Connect.Reused || h.ConnID != rs[1].Hops[0].ConnID {
		t.Errorf("after the reset: conn #%d reused %v", h.ConnID, h.Connect.Reused)
	}
	if n := lab.QUICConnections(); n != 1 {
		t.Errorf("the lab accepted %d QUIC connections, want 1", n)
	}
}

// Close ends the pool's QUIC connections, their UDP sockets and every
// goroutine quic-go ran for them.
func TestPoolHTTP3CloseLeavesNoGoroutines(t *testing.T) {
	lab := tracetest.New(t)
	ok(t, run(t, lab, lab.URL("https", "warm.lab.test", "/"), h3("3-only"))) // the lab's own server goroutines start
	before := settleGoroutines(1 << 20)
	time.Sleep(100 * time.Millisecond)
	before = settleGoroutines(before)
	p := h3Pool(t, lab, "3-only")
	var urls []string
	for i := range 6 {
		urls = append(urls, lab.URL("https", fmt.Sprintf("c%d.close.lab.test", i%2), "/bytes/20000"), lab.URL("https", "close.lab.test", "/reset/500"))
	}
	rs := doAllWith(t, lab, p, urls, h3("3-only"))
	ids := map[int]bool{}
	for _, r := range rs {
		ids[r.Hops[0].ConnID] = true
	}
	if len(ids) != 3 || lab.QUICConnections() != 4 { // the warm-up's and three
		t.Errorf("%d connections %v, the lab counts %d", len(ids), ids, lab.QUICConnections())
	}
	p.Close()
	if n := settleGoroutines(before); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	if r := p.Do(context.Background(), labOptionsWith(t, lab, lab.URL("https", "close.lab.test", "/"), h3("3-only"))); r.Err == nil {
		t.Error("a request on a closed pool did not fail")
	}
}

// A GOAWAY takes the connection out of the pool for new requests, while
// the requests already on it finish there.
func TestPoolHTTP3GoAway(t *testing.T) {
	lab := tracetest.New(t)
	p := h3Pool(t, lab, "3-only")
	var slow *trace.Result
	var wg sync.WaitGroup
	wg.Go(func() {
		slow = p.Do(context.Background(), labOptionsWith(t, lab, lab.URL("https", "goaway.lab.test", "/wait/2500"), h3("3-only")))
	})
	time.Sleep(300 * time.Millisecond) // its stream is open
	lab.GoAwayHTTP3()
	// Until the GOAWAY arrives requests still go on connection #1; from
	// then on on a new one. quic-go's server, shutting down, takes the new
	// connection but no request on it: those requests run out of their -m.
	probe := func() trace.Hop {
		return p.Do(context.Background(), labOptionsWith(t, lab, lab.URL("https", "goaway.lab.test", "/"), func(o *trace.Options) { o.HTTP, o.MaxTime = "3-only", 200*time.Millisecond })).Hops[0]
	}
	var next trace.Hop
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if next = probe(); next.ConnID != 1 {
			break
		}
	}
	if next.Connect == nil || next.Connect.Reused || next.ConnID == 1 || next.Timings.QUIC == nil {
		t.Errorf("after the GOAWAY: conn #%d, connect %+v, want a new connection, not #1", next.ConnID, next.Connect)
	}
	if again := probe(); again.ConnID == 1 {
		t.Errorf("a later request went on connection #1 again")
	}
	wg.Wait()
	first := ok(t, slow)
	if first.Response.Proto != "HTTP/3.0" || first.Response.Status != 200 || first.ConnID != 1 {
		t.Errorf("the request running at the GOAWAY: %s %d on conn #%d", first.Response.Proto, first.Response.Status, first.ConnID)
	}
}

// A request's own -m bounds its wait for another's QUIC handshake; a
// handshake whose requester ran out of time is not the origin's failure:
// the request that waited for it handshakes itself.
func TestPoolHTTP3HandshakeWaitDeadlines(t *testing.T) {
	lab := tracetest.New(t)
	p := h3Pool(t, lab, "3")
	u := lab.URL("https", "tlsdelay-600.slow.lab.test", "/")
	within3 := func(maxTime time.Duration) func(*trace.Options) {
		return func(o *trace.Options) { o.HTTP, o.MaxTime = "3", maxTime }
	}
	var first, second *trace.Result
	var wg sync.WaitGroup
	wg.Go(func() { first = p.Do(context.Background(), labOptionsWith(t, lab, u, within3(20*time.Second))) })
	time.Sleep(100 * time.Millisecond) // the first handshake runs
	second = p.Do(context.Background(), labOptionsWith(t, lab, u, within3(200*time.Millisecond)))
	wg.Wait()
	h := second.Hops[0]
	if e := second.Err; e == nil || e.Kind != trace.KindTimeout || e.Phase != trace.PhaseConnect || h.Fallback != nil || !strings.Contains(e.Message, "QUIC handshake") {
		t.Errorf("the request that ran out of time waiting: %+v, fallback %+v", e, h.Fallback)
	}
	// -m started a moment before the hop's clock: the wait is a hair under it.
	if b := h.Timings.Blocked; b == nil || b.Duration < 150*time.Millisecond || b.Duration > 200*time.Millisecond+slack {
		t.Errorf("blocked %+v, want the 200 ms of -m", b)
	}
	if hop := ok(t, first); hop.Response.Proto != "HTTP/3.0" || hop.Connect.Reused {
		t.Errorf("the handshaking request: %s, reused %v", hop.Response.Proto, hop.Connect.Reused)
	}

	p = h3Pool(t, lab, "3")
	wg.Go(func() {
		first = p.Do(context.Background(), labOptionsWith(t, lab, u, func(o *trace.Options) { o.HTTP, o.MaxTime = "3-only", 300*time.Millisecond }))
	})
	time.Sleep(100 * time.Millisecond)
	second = p.Do(context.Background(), labOptionsWith(t, lab, u, within3(20*time.Second)))
	wg.Wait()
	// Its time runs out in the handshake, or on a busy machine even before.
	if first.Err == nil || !strings.Contains(first.Err.Kind, "timeout") || !strings.Contains(first.Err.Message, "-m/--max-time") {
		t.Errorf("the handshake that ran out of its request's time: %+v", first.Err)
	}
	hop := ok(t, second)
	if hop.Response.Proto != "HTTP/3.0" || hop.Connect.Reused || hop.Fallback != nil || hop.Timings.QUIC == nil {
		t.Errorf("the request that waited for it: %s, reused %v, fallback %+v", hop.Response.Proto, hop.Connect.Reused, hop.Fallback)
	}
	// It waited from 100 ms into the first request until that one's 300 ms ran out.
	if b := hop.Timings.Blocked; b == nil || b.Duration < 150*time.Millisecond || b.Duration > 200*time.Millisecond+slack {
		t.Errorf("blocked %+v, want about 200 ms", b)
	}
}

// A request the server rejected on a reused QUIC connection
// (H3_REQUEST_REJECTED: not processed, as after a GOAWAY) is tried once
// more, on a new connection, as browsers do; a POST too.
func TestPoolHTTP3RequestRejected(t *testing.T) {
	lab := tracetest.New(t)
	p := h3Pool(t, lab, "3-only")
	first := ok(t, p.Do(context.Background(), labOptionsWith(t, lab, lab.URL("https", "reject.lab.test", "/"), h3("3-only"))))
	res := p.Do(context.Background(), labOptionsWith(t, lab, lab.URL("https", "reject.lab.test", "/quic/reject-once"), func(o *trace.Options) {
		o.HTTP, o.Method, o.Body = "3-only", "POST", []byte("x=1")
	}))
	h := ok(t, res)
	if h.Response.Status != 200 || h.Response.BodyBytes != 3 || h.Connect.Reused || h.ConnID == first.ConnID || h.Timings.QUIC == nil {
		t.Errorf("after the rejection: %d, %d bytes on conn #%d (reused %v), want a new connection, not #%d",
			h.Response.Status, h.Response.BodyBytes, h.ConnID, h.Connect.Reused, first.ConnID)
	}
	if n := lab.QUICConnections(); n != 2 {
		t.Errorf("the lab accepted %d QUIC connections, want 2", n)
	}
	// The retry's connection is the origin's now.
	if next := ok(t, p.Do(context.Background(), labOptionsWith(t, lab, lab.URL("https", "reject.lab.test", "/"), h3("3-only")))); !next.Connect.Reused || next.ConnID != h.ConnID {
		t.Errorf("next request: conn #%d reused %v, want #%d", next.ConnID, next.Connect.Reused, h.ConnID)
	}
}
