package trace

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// PoolPerOrigin is how many HTTP/1.1 connections a Pool opens to one
// origin at most, as browsers do (Chrome's and Firefox's limit is 6): a
// request that finds them all busy waits for one to become idle.
const PoolPerOrigin = 6

// Pool runs many traces at once over shared connections, DNS answers, TLS
// sessions and cookies, as a browser's network stack does: at most
// PoolPerOrigin HTTP/1.1 connections per origin, one multiplexed HTTP/2
// connection per origin (and per certificate and address, coalescing
// origins as Chrome does), one QUIC connection per origin for HTTP/3
// (see getH3), one DNS lookup per host.
type Pool struct {
	o       *Options
	roots   *x509.CertPool
	tickets tls.ClientSessionCache
	jar     *cookiejar.Jar
	// browser turns on what only concurrent page loads need: the DNS
	// cache, coalescing, per-request cancellation on shared connections.
	// Do's pool of one runs without, as a single trace always has.
	browser bool

	mu      sync.Mutex
	cookies cookieStore // what jar holds, for -c; nil with jar
	nextID  int
	origins map[string]*originConns
	all     map[*conn]bool // every open connection, for Close
	dns     map[string]*dnsEntry
	h3      map[string]*h3Origin // HTTP/3 connections and handshakes, by h3Key
	h3all   map[*h3conn]bool     // every open QUIC connection, for Close
	closed  bool
}

// originConns is the pool's state for one origin (and proxy).
type originConns struct {
	idle []*conn // idle HTTP/1.1 connections, the most recently used last
	open int     // HTTP/1.1 connections counted against the limit: busy, idle and being opened
	h2   *conn   // the HTTP/2 connection new requests multiplex on
	// probing: an https connection is being opened whose ALPN is not yet
	// known; requests wait for it rather than open more sockets, as
	// Chrome waits for a possible HTTP/2 session.
	probing bool
	waiters []*waiter // FIFO
}

// waiter is a request waiting for a connection or a slot to open one.
type waiter struct {
	ch        chan grant // buffered: the grant never blocks the granter
	multiplex bool       // the request may go over HTTP/2
	fresh     bool       // it wants a new connection: the one it was given had gone stale
}

// grant is what a waiter gets: a connection to use, or leave to open one.
type grant struct {
	c       *conn
	probing bool // the new connection is the origin's ALPN probe
}

var errPoolClosed = errors.New("the connection pool was closed")

// NewPool makes a pool for o's shared settings (roots, -k, DNS, proxy,
// TLS and HTTP versions, the cookie engine, timeouts).
func NewPool(o *Options) (*Pool, error) {
	roots, err := loadRoots(o)
	if err != nil {
		return nil, err
	}
	p := newPool(o, roots, newTickets(o))
	p.browser = true
	return p, nil
}

func newPool(o *Options, roots *x509.CertPool, tickets tls.ClientSessionCache) *Pool {
	jar, cookies := newJar(o)
	return &Pool{o: o, roots: roots, tickets: tickets, jar: jar, cookies: cookies,
		origins: map[string]*originConns{}, all: map[*conn]bool{}, dns: map[string]*dnsEntry{},
		h3: map[string]*h3Origin{}, h3all: map[*h3conn]bool{}}
}

// Do runs one trace (a request and, with FollowRedirects, its redirects)
// on the pool. It is safe for concurrent use. o is the request's own
// (URL, method, headers, output) and must carry the pool's shared settings.
func (p *Pool) Do(ctx context.Context, o *Options) *Result {
	s := p.session(o)
	return withRetries(ctx, o, func() *Result { return runOnce(ctx, s) })
}

// Close closes every connection the pool holds. Traces still running on
// it fail; a trace started after Close fails at once.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	all, h3all := p.all, p.h3all
	p.all, p.origins = map[*conn]bool{}, map[string]*originConns{}
	p.h3all, p.h3 = map[*h3conn]bool{}, map[string]*h3Origin{}
	p.mu.Unlock()
	for c := range all {
		c.close()
	}
	closeH3(h3all)
}

// session is the per-trace view of the pool.
func (p *Pool) session(o *Options) *session {
	return &session{o: o, p: p, roots: p.roots, jar: p.jar, tickets: p.tickets}
}

// quicTickets is the pool's TLS session cache for QUIC: the TCP one's
// store under keys of their own (a session QUIC's TLS got carries QUIC
// transport parameters and is no use over TCP), so it outlives the pool
// with -n --fresh as the TCP one does, and --no-sessionid turns it off.
func (p *Pool) quicTickets() tls.ClientSessionCache {
	if p.tickets == nil {
		return nil
	}
	return quicSessions{p.tickets}
}

// quicSessions is a view of a TLS session cache for QUIC's sessions.
type quicSessions struct{ tls.ClientSessionCache }

func (q quicSessions) Get(key string) (*tls.ClientSessionState, bool) {
	return q.ClientSessionCache.Get("quic " + key)
}

func (q quicSessions) Put(key string, cs *tls.ClientSessionState) {
	q.ClientSessionCache.Put("quic "+key, cs)
}

// newConnID numbers a connection, uniquely over the pool.
func (p *Pool) newConnID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextID++
	return p.nextID
}

func (p *Pool) originOf(key string) *originConns {
	oc := p.origins[key]
	if oc == nil {
		oc = &originConns{}
		p.origins[key] = oc
	}
	return oc
}

// get finds the hop a connection to key: one to use (an HTTP/2
// connection to share, or an idle HTTP/1.1 one), or, with a nil conn,
// leave to open a new one, which the caller then hands to opened or
// failed. It waits while the origin's connections are all busy or its
// first HTTPS connection is still negotiating; waited says it did.
// fresh asks for a new connection (a retry after a stale one).
func (p *Pool) get(ctx context.Context, key string, multiplex, fresh bool) (g grant, waited bool, err error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return grant{}, waited, errPoolClosed
		}
		oc := p.originOf(key)
		w := &waiter{ch: make(chan grant, 1), multiplex: multiplex, fresh: fresh}
		oc.waiters = append(oc.waiters, w)
		p.dispatch(oc)
		var got grant
		select {
		case got = <-w.ch:
			p.mu.Unlock()
		default:
			p.mu.Unlock()
			waited = true
			select {
			case got = <-w.ch:
			case <-ctx.Done():
				p.abandon(key, w)
				return grant{}, waited, ctx.Err()
			}
		}
		if got.c == nil || got.c.isH2() || got.c.alive() {
			return got, waited, nil
		}
		// The idle connection had been closed by the server: drop it, ask again.
		p.drop(got.c)
		got.c.close()
	}
}

// dispatch serves an origin's waiters in order as far as it can. p.mu is held.
func (p *Pool) dispatch(oc *originConns) {
	for len(oc.waiters) > 0 {
		w := oc.waiters[0]
		var g grant
		switch {
		case w.fresh && oc.open >= PoolPerOrigin && len(oc.idle) > 0:
			// Room for the new connection: the oldest idle one goes.
			c := oc.idle[0]
			oc.idle = oc.idle[1:]
			p.forget(oc, c)
			c.close()
			continue
		case w.fresh && oc.open < PoolPerOrigin:
		case w.fresh:
			return
		case oc.h2 != nil && oc.h2.usable():
			g.c = oc.h2
		case oc.h2 != nil:
			oc.h2 = nil // it takes no new streams: its users close it
			continue
		case len(oc.idle) > 0:
			g.c = oc.idle[len(oc.idle)-1]
			oc.idle = oc.idle[:len(oc.idle)-1]
		case oc.probing:
			return
		case oc.open < PoolPerOrigin:
		default:
			return
		}
		if g.c == nil {
			oc.open++
			// Until a handshake has told whether the origin speaks h2,
			// the first connection is the only one.
			g.probing = w.multiplex && oc.open == 1
			oc.probing = g.probing
		}
		oc.waiters = oc.waiters[1:]
		w.ch <- g
	}
}

// abandon takes a waiter that gave up out of the queue, passing on
// whatever it was granted meanwhile.
func (p *Pool) abandon(key string, w *waiter) {
	p.mu.Lock()
	oc := p.originOf(key)
	for i, x := range oc.waiters {
		if x == w {
			oc.waiters = append(oc.waiters[:i:i], oc.waiters[i+1:]...)
			p.mu.Unlock()
			return
		}
	}
	p.mu.Unlock()
	g := <-w.ch
	switch {
	case g.c == nil:
		p.failed(key, g.probing)
	case !g.c.isH2():
		p.put(g.c)
	}
}

// opened adds a connection the caller opened after get left it to. An
// HTTP/2 one becomes the origin's shared connection.
func (p *Pool) opened(c *conn, probing bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	oc := p.originOf(c.origin)
	if p.closed {
		go c.close()
		return
	}
	p.all[c] = true
	if probing {
		oc.probing = false
	}
	if c.isH2() {
		oc.open-- // HTTP/2 connections are not counted against the HTTP/1.1 limit
		if oc.h2 == nil || !oc.h2.usable() {
			oc.h2 = c
		}
	}
	p.dispatch(oc)
}

// failed gives back the slot of a connection that could not be opened.
func (p *Pool) failed(key string, probing bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	oc := p.originOf(key)
	oc.open--
	if probing {
		oc.probing = false
	}
	p.dispatch(oc)
}

// put returns an HTTP/1.1 connection for reuse, to a waiter first.
func (p *Pool) put(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || !p.all[c] {
		go c.close()
		return
	}
	oc := p.originOf(c.origin)
	oc.idle = append(oc.idle, c)
	p.dispatch(oc)
}

// drop forgets a connection its user is about to close.
func (p *Pool) drop(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.all[c] {
		return
	}
	oc := p.originOf(c.origin)
	p.forget(oc, c)
	p.dispatch(oc)
}

// forget removes c from the pool's books. p.mu is held.
func (p *Pool) forget(oc *originConns, c *conn) {
	delete(p.all, c)
	if oc.h2 == c {
		oc.h2 = nil
	}
	for _, k := range c.aliases {
		if a := p.origins[k]; a != nil && a.h2 == c {
			a.h2 = nil
		}
	}
	if !c.isH2() {
		oc.open--
	}
}

// release ends a hop's use of a connection: an HTTP/1.1 one goes back to
// the pool when it can carry another request, else it is closed; an
// HTTP/2 one stays shared while it takes new streams.
func (p *Pool) release(c *conn, reusable bool) {
	if c.isH2() {
		if !reusable && (!p.browser || !c.usable()) {
			p.drop(c)
			c.close()
		}
		return
	}
	if reusable {
		p.put(c)
		return
	}
	p.drop(c)
	c.close()
}

// dnsEntry is a host's lookup, shared by the pool's requests: the first
// makes it, the others wait for it (single flight) or find it done.
type dnsEntry struct {
	done  chan struct{}
	addrs []netip.Addr
	err   *Error
	retry bool // the lookup ran out of its requester's time: ask again
}

// dnsEntryFor returns the pool's lookup of host, and first when the
// caller is to make it (then settleLookup). Nil when the pool does not
// cache it: Do's pool of one, an IP address, a --resolve entry.
func (p *Pool) dnsEntryFor(o *Options, host string, port int) (e *dnsEntry, first bool) {
	if !p.browser {
		return nil, false
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil, false
	}
	key := strings.ToLower(strings.TrimSuffix(host, "."))
	for _, r := range o.Resolve {
		if (r.Host == key || r.Host == "*") && r.Port == port {
			return nil, false
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e = p.dns[key]; e == nil {
		e, first = &dnsEntry{done: make(chan struct{})}, true
		p.dns[key] = e
	}
	return e, first
}

// settleLookup records the answer of the lookup the caller made for the
// requests waiting on e. A failure is not cached: a later request asks
// again. One that ran out of its own request's time makes the waiters ask
// again themselves (retry).
func (p *Pool) settleLookup(host string, e *dnsEntry, addrs []netip.Addr, err *Error, timedOut bool) {
	e.addrs = addrs
	if err != nil {
		cp := *err
		e.err, e.retry = &cp, timedOut
		p.mu.Lock()
		if key := strings.ToLower(strings.TrimSuffix(host, ".")); p.dns[key] == e {
			delete(p.dns, key)
		}
		p.mu.Unlock()
	}
	close(e.done)
}

// coalescable finds an HTTP/2 connection opened to another origin that
// u's request may ride, as Chrome pools connections: one whose
// certificate is valid for u's host, at an address (and port) u's host
// resolved to, with no proxy in between. Nil for none.
func (p *Pool) coalescable(o *Options, u *url.URL, addrs []netip.Addr, port int) *conn {
	if !p.browser || u.Scheme != "https" || o.HTTP == "1.1" || o.UnixSocket != "" {
		return nil
	}
	if px, _ := o.Proxy.For(u); px != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var best *conn
	for _, oc := range p.origins {
		c := oc.h2
		if c == nil || c.tls == nil || c.proxy != nil || (best != nil && best.id < c.id) {
			continue
		}
		ap, err := netip.ParseAddrPort(c.addr)
		if err != nil || int(ap.Port()) != port || !slices.Contains(addrs, ap.Addr().Unmap()) {
			continue
		}
		if c.covers(u.Hostname(), p.roots, o.Insecure) && c.usable() {
			best = c
		}
	}
	return best
}

// coalesce makes c, found by coalescable, the HTTP/2 connection of key's
// origin too, giving back the slot the caller had to open one.
func (p *Pool) coalesce(key string, c *conn, probing bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	oc := p.originOf(key)
	oc.open--
	if probing {
		oc.probing = false
	}
	if p.all[c] && (oc.h2 == nil || !oc.h2.usable()) {
		oc.h2 = c
		c.aliases = append(c.aliases, key)
	}
	p.dispatch(oc)
}

// blockedError is why a hop got no connection.
func (h *hopRun) blockedError(ctx context.Context, err error, key string) *Error {
	switch {
	case errors.Is(err, errPoolClosed):
		return &Error{Phase: PhaseConnect, Kind: KindCanceled, Message: "the connection pool was closed while the request waited for a connection to " + key, Err: err}
	case expired(ctx):
		return &Error{Phase: PhaseConnect, Kind: KindTimeout, Err: err,
			Message: fmt.Sprintf("timed out waiting for a connection to %s (all %d busy): the -m/--max-time limit of %s ran out", key, PoolPerOrigin, h.o.MaxTime),
			Hint:    "the origin's connections were all busy with other requests; raise -m, or serve the origin over HTTP/2"}
	}
	return &Error{Phase: PhaseConnect, Kind: KindCanceled, Message: "interrupted while waiting for a connection to " + key, Err: err}
}

// waitedSince records a wait that began at the hop's start as blocked time.
func (h *hopRun) blocked() {
	h.hop.Timings.Blocked = &Span{0, h.clock.since()}
}

// storeCookies records what the jar accepted, for -c.
func (p *Pool) storeCookies(u *url.URL, cs []*http.Cookie) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	for _, c := range cs {
		p.cookies.set(u, c, now)
	}
}

// listCookies is what the cookie engine holds now; nil when it is off.
func (p *Pool) listCookies() []Cookie {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cookies == nil {
		return nil
	}
	return p.cookies.list(time.Now())
}
