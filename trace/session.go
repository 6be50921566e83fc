package trace

//lint:file-ignore SA1019 x/net/http2's Transport and ClientConn stay until net/http's HTTP/2 ClientConn is shown to keep every measured behaviour (header order, timings, 1xx, errors): issue 12 item 8.

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/http2"
)

// session is one trace's view of its Pool: the trace's options, and
// what outlives one hop (connections, roots, TLS sessions, cookies) shared
// through the pool, as a browser's or curl's connection pool would.
type session struct {
	o     *Options
	p     *Pool
	roots *x509.CertPool
	jar   *cookiejar.Jar // the cookie engine; nil unless -b or -c turned it on
	// tickets keeps the TLS sessions new connections resume; it outlives
	// the session with -n --fresh. Nil with --no-sessionid.
	tickets tls.ClientSessionCache
}

// quicTickets is the TLS session cache for QUIC: a later hop or run to
// the same server resumes (0-RTT) as a browser's would.
func (s *session) quicTickets() tls.ClientSessionCache { return s.p.quicTickets() }

// newSession is a trace's own pool of one.
func newSession(o *Options, roots *x509.CertPool, tickets tls.ClientSessionCache) *session {
	return newPool(o, roots, tickets).session(o)
}

// newTickets is the TLS session cache of a trace or a series of runs; nil
// (no resumption) with --no-sessionid.
func newTickets(o *Options) tls.ClientSessionCache {
	if o.NoSessionID {
		return nil
	}
	return tls.NewLRUClientSessionCache(16)
}

// conn is one connection the session opened.
type conn struct {
	id     int
	origin string
	sc     *stampConn
	addr   string // remote ip:port
	local  string
	tls    *TLS // the handshake that opened it; nil for plain TCP
	h2c    bool // HTTP/2 without TLS, by prior knowledge
	// forward is the proxy that takes absolute-form requests on this
	// connection (http:// through a proxy, no tunnel); nil otherwise.
	forward   *url.URL
	proxy     *Proxy // the proxy it goes through, reported again on reuse
	certAsked bool   // the server asked for a client certificate

	// peerCerts is the chain the server sent, kept to tell whether
	// another origin may ride the connection (Pool.coalescable).
	peerCerts []*x509.Certificate
	// aliases are the other origins (pool keys) whose HTTP/2 connection
	// this is, by coalescing; guarded by the Pool's mu.
	aliases []string

	br *bufio.Reader // HTTP/1.1: the reader outlives a hop

	// mu guards the HTTP/2 client's creation; opening is held while a
	// hop opens a stream, so that the tap can tell whose stream it is.
	mu      sync.Mutex
	opening sync.Mutex
	h2      *http2.ClientConn // HTTP/2: opened on first use
	tap     *h2Tap
}

func (c *conn) isH2() bool { return c.h2c || c.tls != nil && c.tls.ALPN == "h2" }

// covers reports whether the connection's certificate is valid for host
// (with -k: names it).
func (c *conn) covers(host string, roots *x509.CertPool, insecure bool) bool {
	if len(c.peerCerts) == 0 {
		return false
	}
	if insecure {
		return c.peerCerts[0].VerifyHostname(host) == nil
	}
	return verifyChain(c.peerCerts, host, roots, time.Now()).err == nil
}

// usable reports whether an HTTP/2 connection takes new streams.
func (c *conn) usable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.h2 == nil || c.h2.CanTakeNewRequest()
}

func (c *conn) close() {
	c.mu.Lock()
	h2 := c.h2
	c.mu.Unlock()
	if h2 != nil {
		h2.Close()
	}
	c.sc.Close()
}

// origin is the pool key: scheme, host and port, as RFC 6454 defines it.
func origin(u *url.URL) string {
	return u.Scheme + "://" + strings.ToLower(u.Hostname()) + ":" + strconv.Itoa(Port(u))
}

// poolKey is where a connection leads: the origin, and the proxy on the
// way when there is one.
func (s *session) poolKey(u *url.URL) string {
	if px, _ := s.o.Proxy.For(u); px != nil {
		return origin(u) + " via " + px.String()
	}
	return origin(u)
}

// alive reports whether an idle connection can carry another request:
// an HTTP/2 connection says so itself; an HTTP/1.1 one must not have
// been closed by the server, nor have sent anything unasked.
func (c *conn) alive() bool {
	if c.isH2() {
		return c.usable()
	}
	if c.br.Buffered() > 0 {
		return false
	}
	// Look at the socket without waiting: waiting out a read timeout here
	// would add time to the hop that no phase accounts for.
	if raw, overTLS := socketOf(c.sc.Conn); raw != nil {
		switch peekSocket(raw) {
		case socketIdle:
			return true
		case socketClosed:
			return false
		case socketPending:
			if !overTLS {
				return false // bytes nobody asked for
			}
		}
	}
	// Bytes are waiting under TLS (a close_notify, or a post-handshake
	// message such as a session ticket, which is no reason to give up the
	// connection), or the socket is out of reach: let a short read tell.
	c.sc.SetReadDeadline(time.Now().Add(time.Millisecond))
	_, err := c.br.Peek(1)
	c.sc.SetReadDeadline(time.Time{})
	return isTimeout(err)
}

// socketState is what a look at a socket's receive queue found.
type socketState int

const (
	socketUnknown socketState = iota // could not look
	socketIdle                       // open, nothing to read
	socketPending                    // bytes are waiting
	socketClosed                     // the peer closed or reset it
)

// socketOf finds the socket under a connection, through TLS; nil when
// there is none to reach (a tunnel's buffered reader, a Unix pipe in
// tests). overTLS says a TLS layer sits between.
func socketOf(nc net.Conn) (raw syscall.Conn, overTLS bool) {
	for {
		switch c := nc.(type) {
		case *tls.Conn:
			nc, overTLS = c.NetConn(), true
		case syscall.Conn:
			return c, overTLS
		default:
			return nil, overTLS
		}
	}
}

func (s *session) close() { s.p.Close() }

// open wraps a freshly connected (and handshaken) connection.
func (s *session) open(u *url.URL, nc net.Conn, at *Connect, info *TLS, clk *clock) *conn {
	c := &conn{id: s.p.newConnID(), origin: s.poolKey(u), sc: newStampConn(nc, clk), tls: info,
		addr: at.Address, local: at.Local, h2c: s.o.HTTP == "2-prior" && u.Scheme == "http"}
	if !c.isH2() {
		c.br = bufio.NewReaderSize(c.sc, copyBuffer)
	}
	if tc, ok := nc.(*tls.Conn); ok {
		c.peerCerts = tc.ConnectionState().PeerCertificates
	}
	return c
}
