package trace

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/quic-go/quic-go/qlog"
	"github.com/quic-go/quic-go/qlogwriter"
)

// How long --http3 lets QUIC run alone before TCP and TLS start alongside
// it, as curl's cf-https-connect.c does with its Happy Eyeballs timeout
// (200 ms): after half of it when no QUIC packet has come back at all,
// after all of it when the handshake is under way but not complete. Over
// UDP that is filtered, the TCP fallback costs the soft head start.
const (
	h3SoftHeadStart = 100 * time.Millisecond
	h3HeadStart     = 200 * time.Millisecond
)

// The two sides of an --http3 race.
const (
	sideQUIC = "quic"
	sideTCP  = "tcp"
)

// h3Race is one --http3 hop's race between QUIC and TCP+TLS: the first
// side with a connection ready claims the hop, and the other is cancelled.
type h3Race struct {
	mu      sync.Mutex
	winner  string        // "", sideQUIC or sideTCP
	at      time.Duration // when the winner claimed the hop, on its clock
	cancels map[string]context.CancelFunc

	replied atomic.Bool // a QUIC packet came back (curl's "h3 has seen data")

	begun   sync.Once
	started chan struct{} // closed when the QUIC handshake begins
	lookup  *preLookup    // the QUIC side's DNS answer, set before started closes
}

// preLookup is a DNS answer the QUIC side of a race got, which the TCP
// side takes for the same host instead of asking again: one lookup, on
// the hop's one clock.
type preLookup struct {
	host    string
	dns     *DNS
	span    *Span
	skipped string // Timings.Skipped[PhaseDNS], when there was no lookup
	addrs   []netip.Addr
}

// join adds a side that cancel stops when the other side wins; false when
// a side has won already.
func (r *h3Race) join(side string, cancel context.CancelFunc) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cancels[side] = cancel
	return r.winner == ""
}

// claim makes side the winner unless the other side won first, and
// cancels the loser.
func (r *h3Race) claim(side string, at time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.winner == "" {
		r.winner, r.at = side, at
		for s, cancel := range r.cancels {
			if s != side {
				cancel()
			}
		}
	}
	return r.winner == side
}

func (r *h3Race) won() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.winner
}

// claim says whether the hop may use the connection it has just got:
// always, unless it is one side of an --http3 race the other has won.
func (h *hopRun) claim() bool { return h.race == nil || h.race.claim(h.side, h.clock.since()) }

// raceBegins tells an --http3 race that its QUIC handshake starts now,
// to addrs: the head start counts from here, and the TCP side may take
// the lookup.
func (h *hopRun) raceBegins(addrs []netip.Addr) {
	if h.race == nil {
		return
	}
	l := &preLookup{dns: h.hop.DNS, span: h.hop.Timings.DNS, skipped: h.hop.Timings.Skipped[PhaseDNS], addrs: addrs}
	h.race.begun.Do(func() {
		h.race.lookup = l
		close(h.race.started)
	})
}

// racesTCP reports whether an HTTP/3 hop races TCP: all but --http3-only.
func (h *hopRun) racesTCP() bool { return h.o.HTTP != "3-only" }

// raceH3 runs an --http3 hop as curl does: QUIC first and, when its
// handshake has not completed after the head start (or has failed), TCP
// and TLS alongside it. The first connection ready carries the request
// and the other attempt is abandoned; both run on the hop's clock, and
// the hop records both (Connect.Attempts, Fallback).
func (h *hopRun) raceH3(ctx context.Context, mayReuse bool) {
	r := &h3Race{cancels: map[string]context.CancelFunc{}, started: make(chan struct{})}
	qctx, qcancel := context.WithCancel(ctx)
	defer qcancel()
	r.join(sideQUIC, qcancel)
	q := h.raceSide(h.o, r, sideQUIC)
	qdone := make(chan struct{})
	go func() {
		defer close(qdone)
		q.exchangeH3(qctx, mayReuse)
	}()
	tctx, tcancel := context.WithCancel(ctx)
	defer tcancel()
	if !h.headStart(ctx, r, q, qdone) || !r.join(sideTCP, tcancel) {
		<-qdone
		h.hop = q.hop
		return
	}
	o := *h.o
	o.HTTP, o.H3Alternative = "", nil
	t := h.raceSide(&o, r, sideTCP)
	tcpHost, _, _ := h.o.target(h.req.url.Hostname(), Port(h.req.url))
	if l := r.lookup; l != nil && strings.EqualFold(tcpHost, h.quicHost()) {
		pre := *l
		pre.host = tcpHost
		t.pre = &pre
	}
	t.exchangeTCP(tctx, mayReuse)
	<-qdone
	h.hop = settleRace(r, q, t)
}

// raceSide is one side of an --http3 race: a hop of its own on the hop's
// clock, merged into the hop by settleRace.
func (h *hopRun) raceSide(o *Options, r *h3Race, side string) *hopRun {
	return &hopRun{s: h.s, o: o, req: h.req, clock: h.clock, hop: h.hop, race: r, side: side}
}

// quicHost is the host the QUIC side resolves (exchangeH3's choice).
func (h *hopRun) quicHost() string {
	host, _, via := h.o.target(h.req.url.Hostname(), Port(h.req.url))
	if ah, _, ok := h.altSvcH3(); ok && via == "" {
		return ah
	}
	return host
}

// headStart waits while QUIC has its head start and reports whether TCP
// is to start: not when QUIC has won, or failed in a way TCP would too
// (DNS), nor once the hop's time is up (-m, an interrupt).
func (h *hopRun) headStart(ctx context.Context, r *h3Race, q *hopRun, qdone chan struct{}) bool {
	select {
	case <-r.started:
	case <-qdone:
		return q.h3Failure() && ctx.Err() == nil
	}
	soft, hard := time.NewTimer(h3SoftHeadStart), time.NewTimer(h3HeadStart)
	defer soft.Stop()
	defer hard.Stop()
	for {
		select {
		case <-qdone:
			return q.h3Failure() && ctx.Err() == nil
		case <-soft.C:
			if !r.replied.Load() {
				return ctx.Err() == nil
			}
		case <-hard.C:
			return ctx.Err() == nil
		}
	}
}

// settleRace makes the hop of a race in which TCP started: the winner's,
// with the loser's attempts; when neither connected, TCP's failure, with
// QUIC's in Fallback.
func settleRace(r *h3Race, q, t *hopRun) Hop {
	qc := q.hop.Connect
	if r.won() == sideQUIC {
		hop := q.hop
		hop.Connect = mergeAttempts(qc, t.hop.Connect, "abandoned: the QUIC handshake completed first")
		return hop
	}
	hop := t.hop
	f := &Fallback{Reason: FallbackQUICFailed, Span: q.hop.Timings.QUIC, Err: q.hop.Err}
	if qc != nil {
		f.Address = qc.Address
	}
	abandoned := r.won() == sideTCP && (q.hop.Err == nil || q.hop.Err.Kind == KindCanceled)
	if abandoned {
		// The QUIC attempt ended when TCP claimed the hop; its goroutine
		// noticing that a moment later is no part of the hop.
		f.Span = endBy(f.Span, r.at)
		q.hop.Timings.QUIC = f.Span
		if qc != nil {
			cut := *qc
			cut.Attempts = slices.Clone(qc.Attempts)
			for i := range cut.Attempts {
				a := &cut.Attempts[i]
				a.Duration = min(a.Duration, max(r.at-a.Start, 0))
			}
			qc = &cut
		}
	}
	switch {
	case abandoned:
		f.Reason, f.Err = FallbackTCPFirst, abandonedQUIC(q.hop, r.replied.Load())
		f.Message = "HTTP/3 not used: TCP and TLS were ready first, and the QUIC attempt was abandoned"
		if f.Span != nil {
			f.Message += " after " + roundMS(f.Span.Duration)
		}
	case q.hop.Err != nil:
		f.Message = "HTTP/3 failed (" + q.hop.Err.Message + "); fell back to TCP"
	}
	hop.Fallback = f
	hop.Connect = mergeAttempts(hop.Connect, qc, "abandoned: TCP and TLS connected first")
	return hop
}

// endBy is s cut to end by at, at the latest.
func endBy(s *Span, at time.Duration) *Span {
	if s == nil || s.End() <= at {
		return s
	}
	return &Span{s.Start, max(at-s.Start, 0)}
}

// abandonedQUIC is why an abandoned QUIC attempt did not carry the hop:
// nil when its handshake had completed (after TCP's and TLS's).
func abandonedQUIC(q Hop, replied bool) *Error {
	if q.Err == nil {
		return nil
	}
	addr, took := "the server", ""
	if q.Connect != nil {
		addr = q.Connect.Address
	}
	if q.Timings.QUIC != nil {
		took = " after " + roundMS(q.Timings.QUIC.Duration)
	}
	if !replied {
		return &Error{Phase: PhaseQUIC, Kind: KindQUICTimeout,
			Message: "no QUIC answer from " + addr + took + ", by when TCP and TLS had connected: the QUIC attempt was abandoned",
			Hint:    "UDP to this port may be filtered (many firewalls drop it), or the server does not speak HTTP/3 here; --http3-only waits the whole --connect-timeout for it"}
	}
	return &Error{Phase: PhaseQUIC, Kind: KindQUICTimeout,
		Message: "the QUIC handshake with " + addr + " was still under way" + took + ", when TCP and TLS had connected: the QUIC attempt was abandoned",
		Hint:    "the server answers over QUIC, but its handshake was slower than TCP's and TLS's together; --http3-only waits for it"}
}

func roundMS(d time.Duration) string { return d.Round(time.Millisecond).String() }

// mergeAttempts is c with the loser's attempts too, in the order started;
// the loser's attempts that were cut short say why.
func mergeAttempts(c, loser *Connect, why string) *Connect {
	if loser == nil || len(loser.Attempts) == 0 {
		return c
	}
	if c == nil {
		c = &Connect{}
	}
	out := *c
	out.Attempts = append([]Attempt(nil), c.Attempts...)
	for _, a := range loser.Attempts {
		if a.Err == "" || a.Err == "canceled" {
			a.Err = why
		}
		out.Attempts = append(out.Attempts, a)
	}
	slices.SortStableFunc(out.Attempts, func(a, b Attempt) int { return cmp.Compare(a.Start, b.Start) })
	return &out
}

// reuseLookup gives the hop the DNS answer of its race's QUIC side.
func (h *hopRun) reuseLookup(p *preLookup) []netip.Addr {
	h.hop.DNS, h.hop.Timings.DNS = p.dns, p.span
	if p.skipped != "" {
		h.skip(PhaseDNS, p.skipped)
	}
	return p.addrs
}

// h3Obstacle is why HTTP/3 cannot carry the hop's request: a Unix
// socket, a proxy or an http:// URL; "" when it can.
func (h *hopRun) h3Obstacle() string {
	u := h.req.url
	switch {
	case h.o.UnixSocket != "":
		return "--unix-socket is a stream socket, and QUIC runs over UDP to the server's address"
	case u.Scheme != "https":
		return "an http:// URL has no HTTP/3 (QUIC always encrypts)"
	}
	if px, source := h.o.Proxy.For(u); px != nil {
		return fmt.Sprintf("a proxy cannot carry QUIC, and this request goes through %s (%s)", px.Redacted(), source)
	}
	return ""
}

// HTTP3OnlyError is --http3-only's refusal of a request to u that HTTP/3
// cannot carry (a Unix socket, a proxy, http://): a one-line bad_input
// error naming the fix; nil when it can, or without --http3-only. The
// engine checks every hop (a redirect to http://); callers may check the
// URL first so that nothing runs.
func (o *Options) HTTP3OnlyError(u *url.URL) *Error {
	if o.HTTP != "3-only" {
		return nil
	}
	switch {
	case o.UnixSocket != "":
		return BadInput("--http3-only cannot use --unix-socket: QUIC runs over UDP to the server's address; drop --unix-socket, or use --http3 to go over the socket")
	case u.Scheme != "https":
		return BadInput("--http3-only needs an https:// URL, and %s is http://: HTTP/3 has no cleartext form; give https://, or use --http3 to let http:// go over TCP", u.Redacted())
	}
	if px, source := o.Proxy.For(u); px != nil {
		return BadInput("--http3-only cannot go through the proxy %s (%s): a proxy cannot carry QUIC; drop it (or list the host in NO_PROXY), or use --http3 to go through it over TCP", px.Redacted(), source)
	}
	return nil
}

// h3NotTried is the Fallback of an --http3 hop that HTTP/3 cannot carry:
// why it went over TCP without trying; nil when --http3 was not given.
func (h *hopRun) h3NotTried() *Fallback {
	if h.o.HTTP != "3" {
		return nil
	}
	if why := h.h3Obstacle(); why != "" {
		return &Fallback{Reason: FallbackNotTried, Message: "HTTP/3 not tried: " + why}
	}
	return nil
}

// quicTry is one QUIC handshake to one address.
type quicTry struct {
	i      int // its index among the race's attempts
	addr   netip.Addr
	port   int
	remote *net.UDPAddr
	udp    *net.UDPConn
	tr     *quic.Transport
	qc     *quic.Conn
	events *quicEvents
	sess   *tlsSession
	err    error
	// early: DialEarly returned before the handshake completed, and the
	// hop's request is to go in 0-RTT (see h3Early).
	early bool

	mu      sync.Mutex
	cs      *tls.ConnectionState // as far as the handshake got, seen by VerifyConnection
	verdict *verdict
}

// tlsState is the TLS state the handshake reached: the connection's,
// else what the certificate check saw before the handshake failed.
func (t *quicTry) tlsState() (*tls.ConnectionState, *verdict) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.qc != nil {
		cs := t.qc.ConnectionState().TLS
		return &cs, t.verdict
	}
	return t.cs, t.verdict
}

func (t *quicTry) close() {
	if t.qc != nil {
		t.qc.CloseWithError(0, "")
	}
	if t.tr != nil {
		t.tr.Close()
	}
	if t.udp != nil {
		t.udp.Close()
	}
}

// dialQUIC runs one QUIC handshake to addr on a UDP socket of its own.
// It records nothing in the hop: attempts to several addresses run at once.
func (h *hopRun) dialQUIC(ctx context.Context, i int, addr netip.Addr, port int, host string, replied *atomic.Bool) *quicTry {
	t := &quicTry{i: i, addr: addr, port: port, remote: net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, uint16(port))), events: &quicEvents{}}
	if t.udp, t.err = listenUDP(t.remote); t.err != nil {
		return t
	}
	t.sess = newTLSSession(h.o, host, h.s.roots)
	cfg := t.sess.config.Clone()
	cfg.NextProtos = []string{http3.NextProtoH3}
	cfg.MinVersion = tls.VersionTLS13 // QUIC carries TLS 1.3 only
	cfg.ClientSessionCache = h.s.quicTickets()
	verify := cfg.VerifyConnection
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		err := verify(cs)
		t.mu.Lock()
		t.cs, t.verdict = &cs, t.sess.verdict
		t.mu.Unlock()
		return err
	}
	t.tr = &quic.Transport{Conn: t.udp}
	w := replyWatch{t.events, replied}
	qc, err := t.tr.DialEarly(ctx, t.remote, cfg, &quic.Config{HandshakeIdleTimeout: cmpDuration(h.o.ConnectTimeout, DefaultConnectTimeout),
		Tracer: func(context.Context, bool, quic.ConnectionID) qlogwriter.Trace { return w }})
	switch {
	case err == nil && h.may0RTT() && handshaking(qc):
		// DialEarly returned before the handshake completed: the session
		// ticket allows early data, and the request goes now (h3zerortt.go).
		t.early = true
	case err == nil:
		select {
		case <-qc.HandshakeComplete():
		case <-qc.Context().Done():
			err = context.Cause(qc.Context())
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	t.mu.Lock()
	t.qc, t.err = qc, err
	t.mu.Unlock()
	if err != nil {
		t.close()
	}
	return t
}

// listenUDP opens a UDP socket bound to the local address the kernel
// routes remote from (connecting a UDP socket sends nothing), so that the
// report names the real one rather than 0.0.0.0.
func listenUDP(remote *net.UDPAddr) (*net.UDPConn, error) {
	network := "udp6"
	if remote.IP.To4() != nil {
		network = "udp4"
	}
	probe, err := net.DialUDP(network, nil, remote)
	if err != nil {
		return nil, err
	}
	local := probe.LocalAddr().(*net.UDPAddr).IP
	probe.Close()
	return net.ListenUDP(network, &net.UDPAddr{IP: local})
}

// replyWatch is a quicEvents that also notes the server's first answer
// to the handshake: whether it is under way (see h3SoftHeadStart).
type replyWatch struct {
	*quicEvents
	replied *atomic.Bool
}

func (w replyWatch) AddProducer() qlogwriter.Recorder { return w }

func (w replyWatch) RecordEvent(ev qlogwriter.Event) {
	// Once answered, every packet of the connection passes here: no
	// frame scan for them.
	if p, ok := ev.(qlog.PacketReceived); ok && !w.replied.Load() && answers(p) {
		w.replied.Store(true)
	}
	w.quicEvents.RecordEvent(ev)
}

// answers reports whether a packet answers the handshake: a Retry, or
// CRYPTO data (the ServerHello on). A bare ACK does not: a server can
// acknowledge the Initial and never take up the handshake.
func answers(p qlog.PacketReceived) bool {
	if p.Header.PacketType == qlog.PacketTypeRetry {
		return true
	}
	for _, f := range p.Frames {
		if _, ok := f.Frame.(*qlog.CryptoFrame); ok {
			return true
		}
	}
	return false
}

// quicRace handshakes with the first of addrs to complete, as dialRace
// connects over TCP (raceAddrs: RFC 8305), the losers closed. It returns
// the winner, or the last attempt to fail.
func (h *hopRun) quicRace(ctx context.Context, addrs []netip.Addr, port int, host string) (*quicTry, []Attempt) {
	replied := new(atomic.Bool)
	if h.race != nil {
		replied = &h.race.replied
	}
	dial := func(ctx context.Context, i int, addr netip.Addr) (*quicTry, error) {
		t := h.dialQUIC(ctx, i, addr, port, host, replied)
		return t, t.err
	}
	t, attempts, _ := raceAddrs(ctx, addrs, port, "udp", h.clock, dial, (*quicTry).close)
	return t, attempts
}

// recordQUIC fills the hop's TLS and QUIC sections from the handshake t:
// TLS only once a version was agreed (a failed handshake leaves none, or
// the certificates that failed), QUIC only for a connection.
func (h *hopRun) recordQUIC(t *quicTry, d time.Duration) {
	if cs, v := t.tlsState(); cs != nil && cs.Version != 0 {
		h.hop.TLS = &TLS{Duration: d}
		fillTLS(h.hop.TLS, *cs, v)
	}
	if t.qc != nil {
		h.hop.QUIC = quicOf(t)
	}
}

// quicOf is what the handshake t learnt about its connection. Used0RTT is
// the hop's to set: the connection state says the server accepted early
// data even when the request waited for the handshake.
func quicOf(t *quicTry) *QUIC {
	cs := t.qc.ConnectionState()
	q := &QUIC{Version: cs.Version.String(), Datagrams: cs.SupportsDatagrams.Remote}
	t.events.fill(q)
	return q
}

// handshakeError classifies t's failed handshake (quicError), and says
// whether the server sent Retry packets before it.
func (t *quicTry) handshakeError() (*Error, bool) {
	_, v := t.tlsState()
	retries, vn := t.events.snapshot()
	return quicError(t.err, v, t.addr, t.port, retries, vn), retries > 0
}

// failQUIC records the failure of the handshake t, the last of tried
// attempts.
func (h *hopRun) failQUIC(ctx, cctx context.Context, t *quicTry, tried int) {
	var e *Error
	if t.sess == nil { // no socket: the route or the system refused it
		e = connectError(t.err, h.hop.Connect.Attempts)
		e.Phase, e.Message = PhaseQUIC, "cannot send QUIC to "+t.remote.String()+": "+dialErrorText(t.err)
	} else {
		var retried bool
		if e, retried = t.handshakeError(); retried {
			cctx = nil // the Retry loop, not the connect timeout, is the news
		}
	}
	if tried > 1 {
		e.Message += fmt.Sprintf(" (%d addresses tried)", tried)
	}
	h.fail(ctx, cctx, e)
}
