package trace

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// h3conn is one QUIC connection the pool keeps for HTTP/3: every request
// to its origin goes on it as a stream of its own, as Chromium does.
type h3conn struct {
	id     int
	key    string // the pool's h3 key (see h3Key)
	qc     *quic.Conn
	cc     *http3.ClientConn // one per QUIC connection: it holds the control stream and QPACK state
	tr     *quic.Transport
	udp    *net.UDPConn
	events *quicEvents
	addr   string // remote ip:port
	local  string
	via    string
	// facts is what the handshake learnt about the connection (version,
	// datagrams, Retry packets, the server's transport parameters), for
	// the hops that reuse it.
	facts QUIC

	closing sync.Once
}

// usable reports whether the connection takes new requests: it is open
// and the server has not sent GOAWAY (RFC 9114 section 5.2).
func (c *h3conn) usable() bool {
	return c.qc.Context().Err() == nil && !c.events.goingAway()
}

// close ends the connection (CONNECTION_CLOSE with H3_NO_ERROR), then
// the transport's read loop and the UDP socket under it.
func (c *h3conn) close() {
	c.closing.Do(func() {
		c.qc.CloseWithError(quic.ApplicationErrorCode(http3.ErrCodeNoError), "")
		c.tr.Close()
		c.udp.Close()
	})
}

// h3Origin is the pool's HTTP/3 state for one h3 key.
type h3Origin struct {
	c *h3conn // the connection new requests go on; nil for none yet
	// dialing is the handshake in flight, which requests wait for rather
	// than handshake too, as HTTPS requests wait for the first ALPN.
	dialing *h3Dial
	// broken is the handshake failure that made an --http3 request fall
	// back to TCP: later requests of the pool go straight to TCP, as a
	// browser marks HTTP/3 broken for an origin. It is never cleared: a
	// Pool lives for a page load or a series of runs.
	broken *Error
}

// h3Dial is one QUIC handshake in flight and, once done is closed, how it ended.
type h3Dial struct {
	done chan struct{}
	err  *Error // the failure shared with the requests that waited for it
}

// h3Key is where an HTTP/3 connection leads: the origin, and the UDP
// endpoint chosen before any DNS (--connect-to, an Alt-Svc cache entry).
// A port found in the host's HTTPS record is the origin's own, the same
// for every request of the pool.
func h3Key(originKey, dialHost string, dialPort int) string {
	return fmt.Sprintf("%s over h3 at %s", originKey, net.JoinHostPort(dialHost, fmt.Sprint(dialPort)))
}

// getH3 finds the hop an HTTP/3 connection to key: one to share, or with
// none, leave to open it (dial), which the caller then reports to
// h3Dialed. A request that finds a handshake running waits for it
// (waited) and shares its failure (shared). fallback says the request may
// fall back to TCP: an origin marked broken then fails at once with the
// failure that marked it. fresh asks for a new connection, not the one
// the pool holds: a handshake already running is new enough.
func (p *Pool) getH3(ctx context.Context, key string, fallback, fresh bool) (c *h3conn, dial *h3Dial, waited bool, shared *Error, err error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, nil, waited, nil, errPoolClosed
		}
		o := p.h3[key]
		if o == nil {
			o = &h3Origin{}
			p.h3[key] = o
		}
		switch {
		case fallback && o.broken != nil:
			p.mu.Unlock()
			return nil, nil, waited, brokenH3Error(o.broken), nil
		case o.c != nil && o.c.usable() && !fresh:
			c := o.c
			p.mu.Unlock()
			return c, nil, waited, nil, nil
		case o.c != nil && !fresh:
			o.c = nil // closed or going away: its requests finish, nothing new goes on it
		}
		d := o.dialing
		if d == nil {
			o.dialing = &h3Dial{done: make(chan struct{})}
			p.mu.Unlock()
			return nil, o.dialing, waited, nil, nil
		}
		p.mu.Unlock()
		waited = true
		select {
		case <-d.done:
		case <-ctx.Done():
			return nil, nil, waited, nil, ctx.Err()
		}
		if d.err != nil && d.err != errH3Retry {
			return nil, nil, waited, waitedH3Error(d.err), nil
		}
		fresh = false // the connection it waited for is new
	}
}

// errH3Retry marks a handshake that failed for its own requester's sake
// (its -m ran out, it was canceled): the waiters try again themselves.
var errH3Retry = &Error{Message: "the requester gave up"}

// h3Dialed ends the handshake d that getH3 left to the caller: c is the
// new connection, or nil with fail why it could not be opened. mine says
// the failure was the requester's own (its time ran out): the waiters
// then try themselves. broken marks the origin's HTTP/3 broken.
func (p *Pool) h3Dialed(key string, d *h3Dial, c *h3conn, fail *Error, mine, broken bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer close(d.done)
	if mine {
		fail = errH3Retry
	}
	d.err = fail
	o := p.h3[key]
	if o != nil && o.dialing == d {
		o.dialing = nil
	}
	switch {
	case c != nil && (p.closed || o == nil):
		go c.close()
	case c != nil:
		o.c = c
		p.h3all[c] = true
		// A connection that dies (idle timeout, the server's close, an
		// error) leaves the pool at once and frees its socket.
		context.AfterFunc(c.qc.Context(), func() { p.dropH3(c); c.close() })
	case broken && !mine && o != nil:
		o.broken = fail
	}
}

// dropH3 forgets a connection that closed.
func (p *Pool) dropH3(c *h3conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.h3all, c)
	if o := p.h3[c.key]; o != nil && o.c == c {
		o.c = nil
	}
}

// brokenH3Error is the failure of a request to an origin whose HTTP/3 is
// marked broken: the earlier handshake's, said as such.
func brokenH3Error(e *Error) *Error {
	cp := *e
	cp.Message = "HTTP/3 is marked broken for this origin: an earlier QUIC handshake in this run failed, so it is not tried again (" + e.Message + ")"
	return &cp
}

// waitedH3Error is the failure of a request that waited for another's
// QUIC handshake: that handshake's.
func waitedH3Error(e *Error) *Error {
	cp := *e
	cp.Message = "the QUIC connection this request waited for could not be opened: " + e.Message
	return &cp
}

// h3BlockedError is why a hop got no HTTP/3 connection while it waited
// for another request's handshake: in connect, as blockedError's, so that
// no TCP fallback follows a request that ran out of time or was canceled.
func (h *hopRun) h3BlockedError(ctx context.Context, err error, key string) *Error {
	switch {
	case errors.Is(err, errPoolClosed):
		return &Error{Phase: PhaseConnect, Kind: KindCanceled, Message: "the connection pool was closed while the request waited for the QUIC handshake to " + key, Err: err}
	case expired(ctx):
		return &Error{Phase: PhaseConnect, Kind: KindTimeout, Err: err,
			Message: fmt.Sprintf("timed out waiting for another request's QUIC handshake to %s: the -m/--max-time limit of %s ran out", key, h.o.MaxTime),
			Hint:    "the handshake this request waited for was still running; raise -m, or --connect-timeout to bound the handshake"}
	}
	return &Error{Phase: PhaseConnect, Kind: KindCanceled, Message: "interrupted while waiting for the QUIC handshake to " + key, Err: err}
}

// closeH3 closes the pool's QUIC connections. p.mu is not held.
func closeH3(all map[*h3conn]bool) {
	var wg sync.WaitGroup
	for c := range all {
		wg.Go(c.close)
	}
	wg.Wait()
}
