// Package trace is reqtrace's engine: it resolves, connects, handshakes and
// exchanges one HTTP request itself, timing every phase on the monotonic
// clock, and returns everything it saw as one Result. It never prints.
package trace

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Do runs the trace o describes: one hop, or with FollowRedirects one
// hop per redirect. Failures are not returned but recorded in the Result
// (Err, and the failing hop's Err), next to everything that completed.
func Do(ctx context.Context, o *Options) *Result {
	roots, err := loadRoots(o)
	if err != nil {
		return &Result{URL: o.URL.String(), Started: time.Now(), Insecure: o.Insecure, Err: asError(err, PhaseInput)}
	}
	s := newSession(o, roots, newTickets(o))
	defer s.close()
	return withRetries(ctx, o, func() *Result { return runOnce(ctx, s) })
}

// runOnce is Do on an existing session.
func runOnce(ctx context.Context, s *session) *Result {
	res := &Result{URL: s.o.URL.String(), Started: time.Now(), Insecure: s.o.Insecure}
	if s.o.MaxTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.o.MaxTime)
		defer cancel()
	}
	s.follow(ctx, res, firstRequest(s.o))
	if s.o.Revalidate && res.Err == nil {
		s.revalidate(ctx, res)
	}
	res.Cookies = s.p.listCookies()
	return res
}

// follow runs req and, with -L, the redirects that follow it.
func (s *session) follow(ctx context.Context, res *Result, req request) {
	first := origin(req.url)
	seen := map[string]bool{req.key(): true}
	spent := 0 // header bytes kept over the redirects followed
	for {
		hop := s.hop(ctx, req)
		res.Hops = append(res.Hops, hop)
		last := &res.Hops[len(res.Hops)-1]
		s.storeCookies(req.url, last)
		if last.Err != nil {
			res.Err = last.Err
			return
		}
		rd, next, err := s.redirectOf(req, last, first)
		last.Redirect = rd
		if rd == nil || !s.o.FollowRedirects {
			return
		}
		if err == nil {
			err = s.checkRedirect(res, next, seen)
		}
		if err != nil {
			res.Err = err
			return
		}
		rd.Followed = true
		spent = spendHeads(last, spent)
		seen[next.key()] = true
		req = *next
	}
}

// checkRedirect stops a chain that is too long or goes round in a loop.
func (s *session) checkRedirect(res *Result, next *request, seen map[string]bool) *Error {
	limit := s.o.MaxRedirects
	if limit < 0 || limit > maxRedirectsHard {
		limit = maxRedirectsHard
	}
	if len(res.Hops) > limit {
		return &Error{Phase: PhaseRedirect, Kind: KindTooManyRedirs,
			Message: fmt.Sprintf("stopped after %d redirects (--max-redirs %d)", len(res.Hops)-1, limit),
			Hint:    "the chain may loop between URLs; read the Location of each hop, or raise --max-redirs"}
	}
	if seen[next.key()] {
		return &Error{Phase: PhaseRedirect, Kind: KindTooManyRedirs,
			Message: fmt.Sprintf("the redirects loop: %s %s was already requested", next.method, next.url),
			Hint:    "a redirect loop: often http→https→http, or a login page redirecting to itself; check each hop's Location"}
	}
	return nil
}

// maxRedirectsHard bounds --max-redirs -1 ("no limit").
const maxRedirectsHard = 1000

func asError(err error, phase string) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Phase: phase, Kind: KindBadInput, Message: err.Error(), Err: err}
}

// hopRun carries the state of one request/response exchange.
type hopRun struct {
	s     *session
	o     *Options
	req   request
	clock *clock
	hop   Hop

	mu    sync.Mutex // guards phase: http2 hooks move it from other goroutines
	phase string
	// certAsked: the server asked for a client certificate (see tlsSession).
	certAsked bool
	// coalesced is the HTTP/2 connection to another origin the hop found
	// it may ride once it had resolved the host (Pool.coalescable).
	coalesced *conn
	// headPartial counts the bytes of a response head that had come when
	// reading it failed: a timeout then is a head dripping in, not a wait.
	headPartial int64
	// race is the --http3 race the hop is the side of (see raceH3); nil
	// for a hop of its own. pre is the race's DNS answer, for its TCP side.
	race *h3Race
	side string
	pre  *preLookup
	// early is the 0-RTT state of the hop's new QUIC connection, while its
	// request goes before the handshake completes; nil otherwise.
	early *h3Early
}

// hop runs one exchange, on an idle connection to the origin if there is
// one, else on a new one.
func (s *session) hop(ctx context.Context, req request) Hop {
	span := s.traceparent(&req)
	h := &hopRun{s: s, o: s.o, req: req, clock: newClock()}
	h.run(ctx, true)
	if h.staleReuse() {
		// The server had closed the idle connection just before we used
		// it, as servers do at their keep-alive timeout: try once more on
		// a new connection, as browsers and curl do.
		h = &hopRun{s: s, o: s.o, req: req, clock: newClock()}
		h.run(ctx, false)
	}
	h.hop.Started, h.hop.SpanID = h.clock.start, span
	return h.hop
}

// staleReuse reports whether the hop failed on a reused connection before
// any byte of a response came back.
func (h *hopRun) staleReuse() bool {
	e := h.hop.Err
	return h.hop.Connect != nil && h.hop.Connect.Reused && e != nil && h.hop.Response == nil &&
		(e.Kind == KindEmptyReply || e.Kind == KindSend) && idempotent(h.req.method) || h.h3Rejected()
}

func (h *hopRun) setPhase(p string) {
	h.mu.Lock()
	h.phase = p
	h.mu.Unlock()
	h.o.emit(ProgressEvent{Kind: ProgressPhase, Phase: p, At: h.clock.since()})
}

func (h *hopRun) currentPhase() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.phase
}

// skip records why a phase did not take place.
func (h *hopRun) skip(phase, why string) {
	if h.hop.Timings.Skipped == nil {
		h.hop.Timings.Skipped = map[string]string{}
	}
	h.hop.Timings.Skipped[phase] = why
}

func (h *hopRun) run(ctx context.Context, mayReuse bool) {
	h.hop.URL = h.req.url.String()
	h.o.emit(ProgressEvent{Kind: ProgressHop, URL: h.hop.URL})
	// What was to be sent, kept when the hop fails before sending (HAR
	// needs the method of a failed entry too); the exchange fills the rest.
	h.hop.Request = Request{Method: h.req.method, Target: h.req.url.RequestURI()}
	defer func() {
		// A completed hop ends with its last body byte: closing or
		// pooling the connection afterwards is no part of it.
		h.hop.Timings.Total = h.clock.since()
		if r := h.hop.Timings.Receive; r != nil && h.hop.Err == nil {
			h.hop.Timings.Total = r.End()
		}
	}()
	// Nothing goes out, not even a DNS query, for a request whose head
	// could carry a header of the user's values' making.
	if err := h.checkRequest(); err != nil {
		h.fail(ctx, nil, err)
		return
	}

	if err := h.o.HTTP3OnlyError(h.req.url); err != nil {
		h.fail(ctx, nil, err)
		return
	}
	switch {
	case h.wantsH3() && h.racesTCP():
		// --http3 (or an Alt-Svc cache's h3) races QUIC against TCP as
		// curl does, and says why TCP carried the request if it did.
		h.raceH3(ctx, mayReuse)
	case h.wantsH3():
		h.exchangeH3(ctx, mayReuse)
	default:
		h.hop.Fallback = h.h3NotTried()
		h.exchangeTCP(ctx, mayReuse)
	}
}

// exchangeTCP runs the hop over TCP (HTTP/1.1 or HTTP/2), on a pooled
// connection or a new one.
func (h *hopRun) exchangeTCP(ctx context.Context, mayReuse bool) {
	c, ok := h.connection(ctx, mayReuse)
	if !ok {
		return
	}
	if !h.claim() { // the QUIC handshake completed first (an --http3 race)
		h.s.p.release(c, true)
		return
	}
	h.hop.ConnID = c.id
	// From here on -m bounds every read and write: cancelling ctx fails
	// whatever I/O is blocked. Not on an HTTP/2 connection that other
	// traces of a Pool share: there ctx cancels the request's stream only.
	stop := func() bool { return true }
	if !(h.s.p.browser && c.isH2()) {
		stop = context.AfterFunc(ctx, func() { c.sc.SetDeadline(time.Unix(1, 0)) })
	}
	var reusable bool
	if c.isH2() {
		reusable = h.exchangeH2(ctx, c)
	} else {
		reusable = h.exchangeH1(ctx, c)
	}
	h.s.p.release(c, stop() && reusable)
}

// connection finds the hop a connection from the pool, waiting if it
// must (the wait is the hop's blocked time), or opens a new one.
func (h *hopRun) connection(ctx context.Context, mayReuse bool) (*conn, bool) {
	u := h.req.url
	multiplex := u.Scheme == "https" && h.o.HTTP != "1.1" || u.Scheme == "http" && h.o.HTTP == "2-prior"
	key := h.s.poolKey(u)
	g, waited, err := h.s.p.get(ctx, key, multiplex, !mayReuse)
	if waited {
		h.blocked()
	}
	if err != nil {
		h.hop.Err = h.blockedError(ctx, err, key)
		return nil, false
	}
	if g.c != nil {
		h.reuse(g.c)
		if g.c.origin != key { // an HTTP/2 connection coalesced onto earlier
			h.hop.Connect.Coalesced = g.c.origin
		}
		return g.c, true
	}
	c := h.dial(ctx)
	switch {
	case c == nil:
		h.s.p.failed(key, g.probing)
		return nil, false
	case c == h.coalesced:
		h.s.p.coalesce(key, c, g.probing)
		h.coalesce(c, key)
		return c, true
	}
	h.s.p.opened(c, g.probing)
	return c, true
}

// reuse records that the hop runs on an idle connection: no DNS, TCP or TLS.
func (h *hopRun) reuse(c *conn) {
	if !c.isH2() { // an HTTP/2 connection's hops time themselves (httptrace)
		c.sc.startHop(h.clock)
	}
	h.hop.Connect = &Connect{Address: c.addr, Local: c.local, Reused: true}
	h.hop.Proxy, h.certAsked = c.proxy, c.certAsked
	why := fmt.Sprintf("connection #%d was reused", c.id)
	h.skip(PhaseDNS, why)
	h.skip(PhaseConnect, why)
	h.skip(PhaseTLS, why)
}

// coalesce records that the hop rides an HTTP/2 connection opened to
// another origin: its DNS lookup took place, TCP and TLS did not.
func (h *hopRun) coalesce(c *conn, key string) {
	h.hop.Connect = &Connect{Address: c.addr, Local: c.local, Reused: true, Coalesced: c.origin}
	h.certAsked = c.certAsked
	why := fmt.Sprintf("coalesced onto connection #%d to %s: its certificate covers %s, at the same address", c.id, c.origin, h.req.url.Hostname())
	h.skip(PhaseConnect, why)
	h.skip(PhaseTLS, why)
}

// dial opens a new connection for the hop: DNS, TCP and TLS, together
// bounded by --connect-timeout, as in curl.
func (h *hopRun) dial(ctx context.Context) *conn {
	cctx, cancel := context.WithTimeout(ctx, cmpDuration(h.o.ConnectTimeout, DefaultConnectTimeout))
	defer cancel()
	nc, ok := h.connect(ctx, cctx)
	if !ok {
		return nil
	}
	if c := h.coalesced; c != nil {
		return c
	}
	c := h.s.open(h.req.url, nc, h.hop.Connect, h.hop.TLS, h.clock)
	c.proxy, c.certAsked = h.hop.Proxy, h.certAsked
	if c.proxy != nil && !c.proxy.Tunnel {
		c.forward, _ = h.o.Proxy.For(h.req.url)
	}
	return c
}

func cmpDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// connect resolves, dials and (for https) handshakes, filling in the DNS,
// Connect and TLS sections and their spans.
func (h *hopRun) connect(ctx, cctx context.Context) (net.Conn, bool) {
	host, port := h.req.url.Hostname(), Port(h.req.url)
	conn, ok := h.transport(ctx, cctx, host, port)
	if !ok || h.coalesced != nil {
		return nil, ok
	}
	if h.req.url.Scheme != "https" {
		h.skip(PhaseTLS, "plain http:// has no TLS")
		return conn, true
	}
	h.setPhase(PhaseTLS)
	sess := newTLSSession(h.o, host, h.s.roots)
	sess.config.ClientSessionCache = h.s.tickets
	h.hop.TLS = &TLS{}
	start := h.clock.since()
	tc, terr := sess.handshake(cctx, conn, h.hop.TLS)
	h.certAsked = sess.certAsked
	h.hop.TLS.Duration = h.clock.since() - start
	h.hop.Timings.TLS = &Span{start, h.hop.TLS.Duration}
	if terr != nil {
		conn.Close()
		h.fail(ctx, cctx, tlsError(terr, sess.verdict))
		return nil, false
	}
	return tc, true
}

// transport opens the byte stream the request travels on: a Unix socket,
// or TCP to the server (or where --connect-to sends it).
func (h *hopRun) transport(ctx, cctx context.Context, host string, port int) (net.Conn, bool) {
	if h.o.UnixSocket != "" {
		return h.dialUnix(ctx, cctx)
	}
	if px, source := h.o.Proxy.For(h.req.url); px != nil {
		return h.viaProxy(ctx, cctx, px, source, host, port)
	}
	dialHost, dialPort, via := h.o.target(host, port)
	addrs, ok := h.resolve(ctx, cctx, dialHost, dialPort)
	if !ok {
		return nil, false
	}
	if h.coalesced = h.s.p.coalescable(h.o, h.req.url, addrs, dialPort); h.coalesced != nil {
		return nil, true
	}
	conn, ok := h.dialAddrs(ctx, cctx, addrs, dialPort)
	if h.hop.Connect != nil {
		h.hop.Connect.Via = via
	}
	return conn, ok
}

// dialTCP resolves host and connects to port on one of its addresses.
func (h *hopRun) dialTCP(ctx, cctx context.Context, host string, port int) (net.Conn, bool) {
	addrs, ok := h.resolve(ctx, cctx, host, port)
	if !ok {
		return nil, false
	}
	return h.dialAddrs(ctx, cctx, addrs, port)
}

// resolve looks host up, recording the DNS section and its span.
func (h *hopRun) resolve(ctx, cctx context.Context, host string, port int) ([]netip.Addr, bool) {
	h.setPhase(PhaseDNS)
	addrs, err, ok := h.lookup(ctx, cctx, host, port)
	if !ok {
		return nil, false
	}
	if err != nil {
		h.fail(ctx, cctx, err)
		return nil, false
	}
	if addrs = filterFamily(addrs, h.o.IPVersion); len(addrs) == 0 {
		h.fail(ctx, cctx, &Error{Phase: PhaseDNS, Kind: KindNoAddress,
			Message: fmt.Sprintf("%s has no IPv%d address", host, h.o.IPVersion),
			Hint:    "drop -4/-6, or give an address of that family"})
		return nil, false
	}
	return addrs, true
}

// lookup resolves host, or in a Pool finds the answer another request
// got or is getting (one lookup per host). ok is false when waiting for
// that answer failed (recorded as the hop's error).
func (h *hopRun) lookup(ctx, cctx context.Context, host string, port int) ([]netip.Addr, *Error, bool) {
	if p := h.pre; p != nil && strings.EqualFold(p.host, host) {
		return h.reuseLookup(p), nil, true
	}
	e, first := h.s.p.dnsEntryFor(h.o, host, port)
	if e != nil && !first {
		return h.sharedLookup(ctx, cctx, e, host, port)
	}
	start := h.clock.since()
	d, addrs, err := resolveHost(cctx, h.o, h.clock, host, port, h.httpsPort(host, port))
	end := h.clock.since() // before the waiters wake: their wait ends after the lookup
	if e != nil {
		h.s.p.settleLookup(host, e, addrs, err, cctx.Err() != nil)
	}
	h.hop.DNS = d
	switch {
	case d == nil:
		h.skip(PhaseDNS, "the URL's host is an IP address")
	case d.Source == SourceResolve:
		h.skip(PhaseDNS, "--resolve gave the address")
	default:
		h.hop.Timings.DNS = &Span{start, end - start}
	}
	return addrs, err, true
}

// sharedLookup takes the pool's answer for host: done already (cached),
// or awaited, the wait being the hop's blocked time.
func (h *hopRun) sharedLookup(ctx, cctx context.Context, e *dnsEntry, host string, port int) ([]netip.Addr, *Error, bool) {
	why := fmt.Sprintf("cached: an earlier request of this pool resolved %s (DNS once per host)", host)
	select {
	case <-e.done:
	default:
		select {
		case <-e.done:
		case <-cctx.Done():
			h.blocked()
			h.fail(ctx, cctx, &Error{Phase: PhaseDNS, Kind: KindCanceled, Err: cctx.Err(),
				Message: "interrupted while waiting for another request's lookup of " + host})
			return nil, nil, false
		}
		h.blocked()
		why = fmt.Sprintf("cached: another request of this pool was resolving %s; this one waited for its answer (one lookup per host)", host)
	}
	if e.retry { // the lookup ran out of its own request's time: ask again
		return h.lookup(ctx, cctx, host, port)
	}
	h.skip(PhaseDNS, why)
	if e.err != nil {
		err := *e.err
		return nil, &err, true
	}
	return e.addrs, nil, true
}

// httpsPort is the port to ask the HTTPS record for when resolving
// host:port, or 0: only for the https:// origin itself, dialled
// directly (not through --connect-to, which names another host), as
// browsers ask only for the origin they connect to.
func (h *hopRun) httpsPort(host string, port int) int {
	u := h.req.url
	if u.Scheme != "https" || !strings.EqualFold(host, u.Hostname()) || port != Port(u) || h.o.NoHTTPSRecord {
		return 0
	}
	return port
}

// dialAddrs connects to port on one of addrs (RFC 8305's race),
// recording every attempt.
func (h *hopRun) dialAddrs(ctx, cctx context.Context, addrs []netip.Addr, port int) (net.Conn, bool) {
	h.setPhase(PhaseConnect)
	start := h.clock.since()
	conn, attempts, derr := dialRace(cctx, sortHappyEyeballs(addrs), port, h.clock)
	h.hop.Connect = &Connect{Attempts: attempts, Duration: h.clock.since() - start}
	h.hop.Timings.Connect = &Span{start, h.hop.Connect.Duration}
	if derr != nil {
		h.fail(ctx, cctx, connectError(derr, attempts))
		return nil, false
	}
	h.hop.Connect.Address, h.hop.Connect.Local = conn.RemoteAddr().String(), conn.LocalAddr().String()
	return conn, true
}

// dialUnix connects to --unix-socket: no DNS, one attempt.
func (h *hopRun) dialUnix(ctx, cctx context.Context) (net.Conn, bool) {
	h.skip(PhaseDNS, "--unix-socket names the socket")
	h.setPhase(PhaseConnect)
	start := h.clock.since()
	var d net.Dialer
	conn, err := d.DialContext(cctx, "unix", h.o.UnixSocket)
	dur := h.clock.since() - start
	a := Attempt{Address: "unix:" + h.o.UnixSocket, Start: start, Duration: dur}
	if err != nil {
		a.Err = dialErrorText(err)
	}
	h.hop.Connect = &Connect{Address: a.Address, Local: "unix", Duration: dur, Attempts: []Attempt{a}}
	h.hop.Timings.Connect = &Span{start, dur}
	if err != nil {
		h.fail(ctx, cctx, connectError(err, h.hop.Connect.Attempts))
		return nil, false
	}
	return conn, true
}

// fail records err as the hop's error. A deadline turns it into a
// timeout of the phase in progress, naming the limit that ran out.
func (h *hopRun) fail(ctx, cctx context.Context, err *Error) {
	phase := h.currentPhase()
	switch {
	case expired(ctx):
		err = h.timeout(phase, fmt.Sprintf("the -m/--max-time limit of %s", h.o.MaxTime), err)
	case cctx != nil && expired(cctx):
		err = h.timeout(phase, fmt.Sprintf("the --connect-timeout limit of %s", cmpDuration(h.o.ConnectTimeout, DefaultConnectTimeout)), err)
	case ctx.Err() == context.Canceled:
		err = &Error{Phase: phase, Kind: KindCanceled, Message: "interrupted during the " + phase + " phase", Err: ctx.Err()}
	}
	if err.Phase == "" {
		err.Phase = phase
	}
	switch {
	case err.Kind == KindClientCert, h.certAsked && brokenConnection(err.Kind):
		err = clientCertError(err.Err, err.Phase, h.o.ClientCert != nil)
	}
	h.hop.Err = err
}

// brokenConnection reports whether an error kind means the server ended
// the connection, as it does after refusing a client certificate.
func brokenConnection(kind string) bool {
	switch kind {
	case KindSend, KindReceive, KindEmptyReply, KindHTTP2, KindHandshake:
		return true
	}
	return false
}

// expired reports whether ctx's deadline has passed. A socket deadline
// set from it can fire a moment before ctx's own timer does.
func expired(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ctx.Err() == context.DeadlineExceeded || ok && !time.Now().Before(d)
}

var phaseDoing = map[string]string{
	PhaseDNS:     "resolving the host name",
	PhaseConnect: "the TCP handshake",
	PhaseTLS:     "the TLS handshake",
	PhaseProxy:   "the proxy's handshake (CONNECT or SOCKS5)",
	PhaseQUIC:    "the QUIC handshake",
	PhaseSend:    "sending the request",
	PhaseWait:    "waiting for the server's first byte",
	PhaseReceive: "receiving the body",
}

var phaseTimeoutHint = map[string]string{
	PhaseDNS:     "no DNS answer in time: check the DNS server (--dns-servers) or raise the limit",
	PhaseConnect: "the server did not accept the connection in time: a firewall may drop packets, or the host is down",
	PhaseTLS:     "the server accepted TCP but did not finish the TLS handshake: is the port really TLS?",
	PhaseProxy:   "the proxy did not set up the tunnel in time: check that it can reach the server",
	PhaseQUIC:    "no QUIC answer in time: UDP to this port may be filtered (many firewalls drop it), or the server does not speak HTTP/3 here; without --http3-only reqtrace falls back to TCP",
	PhaseSend:    "the server stopped reading the request: it may be overloaded, or the body is too large for the limit",
	PhaseWait:    "the server is slow to answer: look at its processing time (logs, Server-Timing), or raise -m",
	PhaseReceive: "the body is slow or endless: raise -m, use -I for headers only, or check the server's streaming",
}

func (h *hopRun) timeout(phase, limit string, cause *Error) *Error {
	kind := KindTimeout
	switch phase {
	case PhaseDNS:
		kind = KindDNSTimeout
	case PhaseConnect:
		kind = KindConnectTimeout
	case PhaseQUIC:
		kind = KindQUICTimeout
	}
	doing, hint := phaseDoing[phase], phaseTimeoutHint[phase]
	if phase == PhaseWait && h.headPartial > 0 {
		doing = fmt.Sprintf("receiving the response head (%d bytes of it had come)", h.headPartial)
		hint = "the server sends its response head slowly, or stalled in the middle of it: a dripping or stuck server or proxy; raise -m, or check what holds the server up"
	}
	return &Error{Phase: phase, Kind: kind,
		Message: fmt.Sprintf("timed out during %s: %s ran out", doing, limit),
		Hint:    hint, Err: cause}
}
