package trace

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// 0-RTT over HTTP/3, as browsers send it: a new QUIC connection that
// resumes a session whose ticket allows early data has its keys for
// 0-RTT as soon as the ClientHello is out (quic-go's DialEarly returns
// then), and a safe request goes in that first flight rather than a round
// trip later, once the handshake has completed.
//
// The phases stay on the hop's one clock and overlap: quic still spans
// the first Initial sent to the handshake complete, while send starts
// when the request really goes, inside it. When the server refuses the
// early data, quic-go discards everything sent in it (the request and
// the HTTP/3 control stream), and the request goes again on the 1-RTT
// connection (Conn.NextConnection) with a new HTTP/3 client: the hop's
// send, wait and receive are that second request's, Rejected0RTT says so.

// h3Early is a hop's QUIC connection that DialEarly returned before its
// handshake completed, while the hop's request goes in 0-RTT. watch waits
// for the handshake's end and only then gives the connection to the pool,
// so that other requests still wait for the handshake, as they do for any
// other.
type h3Early struct {
	t        *quicTry
	c        *h3conn // as opened: its HTTP/3 client sends in 0-RTT
	start    time.Duration
	attempts int

	done chan struct{} // closed when the handshake has ended; then:
	end  time.Duration // when it completed or failed, on the hop's clock
	err  error         // why it failed
	// rejected: the server refused the early data; next is the connection
	// the request goes again on (nil when the handshake failed).
	rejected bool
	next     *h3conn

	// The early request's failure, which roundTrip0RTT judges once the
	// handshake has ended (set on the hop's goroutine).
	reqErr   error
	reqPhase string
}

// may0RTT reports whether the hop's request may go in 0-RTT: GET or HEAD
// without a body, as RFC 8470 section 4 and browsers keep early data to
// safe requests (an attacker can replay it), and as quic-go's HTTP/3
// client sends early (MethodGet0RTT, MethodHead0RTT).
func (h *hopRun) may0RTT() bool {
	return (h.req.method == http.MethodGet || h.req.method == http.MethodHead) && len(h.req.body) == 0
}

// handshaking reports whether qc's handshake is still under way.
func handshaking(qc *quic.Conn) bool {
	select {
	case <-qc.HandshakeComplete():
		return false
	default:
		return true
	}
}

// openEarly makes the connection of the early handshake t, for the hop's
// 0-RTT request; the handshake's facts are recorded when it ends
// (finishEarly).
func (h *hopRun) openEarly(t *quicTry, start time.Duration, attempts []Attempt, via string) *h3conn {
	h.hop.Connect = &Connect{Address: t.remote.String(), Local: t.udp.LocalAddr().String(), Via: via, Transport: "udp", Attempts: attempts}
	c := &h3conn{id: h.s.p.newConnID(), qc: t.qc, cc: newH3Client(t.qc), tr: t.tr, udp: t.udp, events: t.events,
		addr: h.hop.Connect.Address, local: h.hop.Connect.Local, via: via}
	h.early = &h3Early{t: t, c: c, start: start, attempts: len(attempts), done: make(chan struct{})}
	return c
}

// watch waits, in a goroutine of its own, for the end of the handshake,
// and tells the pool how it went (see openH3), as openH3 does for a
// handshake that was waited for. It touches nothing of the hop's.
func (e *h3Early) watch(ctx context.Context, h *hopRun, key string, d *h3Dial) {
	go func() {
		defer close(e.done)
		qc := e.t.qc
		var err error
		select {
		case <-qc.HandshakeComplete():
		case <-qc.Context().Done():
			err = context.Cause(qc.Context())
		case <-ctx.Done(): // -m or an interrupt
			err = ctx.Err()
		}
		e.end = h.clock.since()
		if err == nil && !qc.ConnectionState().Used0RTT {
			e.rejected = true
			_, err = qc.NextConnection(ctx) // the same connection, its streams usable again
		}
		if err != nil {
			e.err = err
			e.t.mu.Lock()
			e.t.err = err
			e.t.mu.Unlock()
			e.t.close()
			fail, _ := e.t.handshakeError()
			h.s.p.h3Dialed(key, d, nil, fail, ctx.Err() != nil, h.o.HTTP != "3-only")
			return
		}
		next := e.c
		if e.rejected { // the early HTTP/3 client's control stream was discarded with the rest
			c := e.c
			next = &h3conn{id: c.id, key: c.key, qc: qc, cc: newH3Client(qc), tr: c.tr, udp: c.udp, events: c.events, addr: c.addr, local: c.local, via: c.via}
		}
		next.facts = *quicOf(e.t)
		e.next = next
		h.s.p.h3Dialed(key, d, next, nil, false, false)
	}()
}

// prepare makes req the 0-RTT request: quic-go's HTTP/3 client sends
// only GET_0RTT and HEAD_0RTT before the handshake has completed, and the
// stream's FIN waits for the handshake's end (finHold). Were the stream
// finished when the server refuses the early data, quic-go would later
// send its RESET_STREAM (http3 cancels the failed stream) in 1-RTT, for a
// stream ID that the request sent again reuses, and the server would
// reset that one; an unfinished stream is discarded without a trace.
func (e *h3Early) prepare(ctx context.Context, req *http.Request) {
	req.Method = map[string]string{http.MethodGet: http3.MethodGet0RTT, http.MethodHead: http3.MethodHead0RTT}[req.Method]
	req.Body, req.ContentLength = finHold{ctx, e.t.qc}, 0
}

// finHold is an empty request body that ends when the handshake has.
type finHold struct {
	ctx context.Context
	qc  *quic.Conn
}

func (f finHold) Read([]byte) (int, error) {
	select {
	case <-f.qc.HandshakeComplete():
	case <-f.qc.Context().Done():
	case <-f.ctx.Done():
	}
	return 0, io.EOF
}

func (finHold) Close() error { return nil }

// roundTrip0RTT sends the hop's request in 0-RTT on e's connection, then
// records the handshake; when the server refused the early data, the
// request goes again once the handshake has completed.
func (h *hopRun) roundTrip0RTT(ctx context.Context, e *h3Early) {
	h.roundTripH3(ctx, e.c.cc)
	h.early = nil
	<-e.done // bounded: the handshake idle timeout (--connect-timeout), ctx
	h.finishEarly(e)
	switch {
	case e.err != nil && h.hop.Response == nil:
		h.failQUIC(ctx, nil, e.t, e.attempts)
	case e.rejected && h.hop.Response == nil:
		// The server processed none of it: sending it again is safe.
		h.roundTripH3(ctx, e.next.cc)
	case e.reqErr != nil:
		h.fail(ctx, nil, h3Error(e.reqErr, e.reqPhase))
	}
}

// finishEarly records the handshake of e, now it has ended: the quic
// phase (which the request's send and wait overlap), TLS, QUIC.
func (h *hopRun) finishEarly(e *h3Early) {
	d := e.end - e.start
	h.hop.Timings.QUIC = &Span{e.start, d}
	h.hop.Connect.Duration = d
	if e.t.i < len(h.hop.Connect.Attempts) {
		a := &h.hop.Connect.Attempts[e.t.i]
		a.Duration = e.end - a.Start
		if e.err != nil {
			a.Err = dialErrorText(e.err)
		}
	}
	h.recordQUIC(e.t, d)
	if h.hop.QUIC != nil && e.err == nil {
		h.hop.QUIC.Used0RTT, h.hop.QUIC.Rejected0RTT = !e.rejected, e.rejected
	}
}
