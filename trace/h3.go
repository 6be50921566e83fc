package trace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// PhaseQUIC is the QUIC handshake: the first Initial packet sent to the
// handshake complete, TCP's connect and TLS's handshake in one.
const PhaseQUIC = "quic"

// QUIC describes the QUIC connection an HTTP/3 hop used. A Pool (and a
// trace's redirects) keeps one QUIC connection per origin, so several
// hops may describe the same connection: those after the first have
// Connect.Reused and share its ConnID.
type QUIC struct {
	Version string // "v1", "v2"
	// Used0RTT: the hop's request went in 0-RTT (early data, before the
	// handshake completed) on a resumed session, and the server accepted
	// it; only on the hop that made the handshake (see h3zerortt.go).
	// Rejected0RTT: it went early, but the server refused the early data,
	// so the request was sent again once the handshake had completed.
	Used0RTT, Rejected0RTT bool
	Datagrams              bool // the server supports QUIC datagrams (RFC 9221)
	// Round trips and losses as quic-go measured them on the connection,
	// read when the hop ended: connection totals since its handshake, not
	// the hop's own share. On a shared connection they include the
	// packets of the requests before it and of those running alongside.
	MinRTT, SmoothedRTT      time.Duration
	PacketsSent, PacketsLost uint64
	// Retries counts the Retry packets the server sent during the
	// connection's handshake (RFC 9000 section 8.1.2: an address check
	// costing a round trip; a client takes one); the same on every hop of
	// the connection.
	Retries int
	// Peer holds the server's transport parameters; nil when the
	// handshake did not get them.
	Peer *QUICParams
}

// wantsH3 reports whether the hop is to try HTTP/3: --http3 or
// --http3-only on an https:// URL without a proxy or a Unix socket (QUIC
// cannot go through either).
func (h *hopRun) wantsH3() bool {
	_, _, known := h.altSvcH3()
	if h.o.HTTP != "3" && h.o.HTTP != "3-only" && !known || h.req.url.Scheme != "https" || h.o.UnixSocket != "" {
		return false
	}
	px, _ := h.o.Proxy.For(h.req.url)
	return px == nil
}

// altSvcH3 is the origin's HTTP/3 alternative from the Alt-Svc cache,
// when there is one and the protocol is not forced to TCP.
func (h *hopRun) altSvcH3() (string, int, bool) {
	if h.o.H3Alternative == nil || h.o.HTTP != "" && h.o.HTTP != "3" && h.o.HTTP != "3-only" || h.req.url.Scheme != "https" {
		return "", 0, false
	}
	return h.o.H3Alternative(strings.ToLower(h.req.url.Hostname()), Port(h.req.url))
}

// h3Rejected reports whether the server refused the hop's request on a
// reused QUIC connection with H3_REQUEST_REJECTED, which says it did not
// process it (RFC 9114 section 4.1.1), as a server does to requests that
// crossed its GOAWAY: one more try, on a new connection, is safe whatever
// the method, as browsers retry.
func (h *hopRun) h3Rejected() bool {
	var stream *quic.StreamError
	e := h.hop.Err
	return h.hop.QUIC != nil && h.hop.Connect != nil && h.hop.Connect.Reused && h.hop.Response == nil && e != nil &&
		errors.As(e.Err, &stream) && stream.Remote && stream.ErrorCode == quic.StreamErrorCode(http3.ErrCodeRequestRejected)
}

// h3Failure reports whether the hop failed before any HTTP/3 response
// came back: the failure --http3 falls back to TCP from.
func (h *hopRun) h3Failure() bool {
	return h.hop.Err != nil && h.hop.Response == nil && h.hop.Err.Phase == PhaseQUIC
}

// exchangeH3 runs the whole hop over HTTP/3 with quic-go, on reqtrace's
// own UDP socket to the address reqtrace resolved, so DNS stays ours and
// every phase is on the hop's clock. The QUIC connection stays in the
// pool: later hops to the origin go on it as streams of their own, as a
// browser's do, and a hop that finds its handshake running waits for it.
// mayReuse false asks for a new connection (a retry: see h3Rejected).
func (h *hopRun) exchangeH3(ctx context.Context, mayReuse bool) {
	host, port := h.req.url.Hostname(), Port(h.req.url)
	dialHost, dialPort, via := h.o.target(host, port)
	if ah, ap, ok := h.altSvcH3(); ok && via == "" {
		dialHost, dialPort, via = ah, ap, fmt.Sprintf("Alt-Svc cache (h3 at %s)", net.JoinHostPort(ah, strconv.Itoa(ap)))
	}
	key := h3Key(origin(h.req.url), dialHost, dialPort)
	c, d, waited, shared, err := h.s.p.getH3(ctx, key, h.o.HTTP != "3-only", !mayReuse)
	if waited {
		h.blocked()
	}
	switch {
	case err != nil:
		h.hop.Err = h.h3BlockedError(ctx, err, key)
		return
	case shared != nil:
		h.fail(ctx, nil, shared)
		return
	case c != nil:
		h.reuseH3(c)
	default:
		if c = h.openH3(ctx, key, d, host, dialHost, dialPort, via); c == nil {
			return
		}
	}
	if !h.claim() { // TCP was ready first (an --http3 race); the connection stays for later requests
		return
	}
	h.hop.ConnID = c.id
	if e := h.early; e != nil {
		h.roundTrip0RTT(ctx, e)
	} else {
		h.roundTripH3(ctx, c.cc)
	}
	st := c.qc.ConnectionStats()
	h.hop.QUIC.MinRTT, h.hop.QUIC.SmoothedRTT = st.MinRTT, st.SmoothedRTT
	h.hop.QUIC.PacketsSent, h.hop.QUIC.PacketsLost = st.PacketsSent, st.PacketsLost
}

// openH3 opens the QUIC connection getH3 left to the hop and tells the
// pool how it went: the waiting requests share it, or its failure.
func (h *hopRun) openH3(ctx context.Context, key string, d *h3Dial, host, dialHost string, dialPort int, via string) *h3conn {
	c := h.dialH3(ctx, host, dialHost, dialPort, via)
	if c != nil {
		c.key = key
	}
	if c != nil && h.early != nil { // the handshake goes on: its end tells the pool
		h.early.watch(ctx, h, key, d)
		return c
	}
	if c == nil && h.race != nil && h.race.won() == sideTCP && !h.race.replied.Load() {
		// TCP and TLS connected before any QUIC answer came, as when UDP
		// is filtered: the origin's HTTP/3 is marked broken, as a browser
		// marks it, rather than raced again (and its head start paid) on
		// every later request.
		h.s.p.h3Dialed(key, d, nil, abandonedQUIC(h.hop, false), false, true)
		return nil
	}
	mine := c == nil && ctx.Err() != nil // the hop's own -m or cancel, nothing the origin did
	h.s.p.h3Dialed(key, d, c, h.hop.Err, mine, h.h3Failure() && h.o.HTTP != "3-only")
	return c
}

// dialH3 resolves the QUIC endpoint and handshakes, together bounded by
// --connect-timeout as TCP's DNS, connect and TLS are.
func (h *hopRun) dialH3(ctx context.Context, host, dialHost string, dialPort int, via string) *h3conn {
	cctx, cancel := context.WithTimeout(ctx, cmpDuration(h.o.ConnectTimeout, DefaultConnectTimeout))
	defer cancel()
	addrs, ok := h.resolve(ctx, cctx, dialHost, dialPort)
	if !ok {
		return nil
	}
	if p, ok := h3Discovery(h.hop.DNS, Port(h.req.url)); ok && via == "" && p != dialPort {
		// The host's HTTPS record names the UDP port HTTP/3 is on, as a
		// browser finds it before any Alt-Svc.
		dialPort, via = p, fmt.Sprintf("DNS HTTPS record (h3 on port %d)", p)
	}
	h.skip(PhaseConnect, "HTTP/3 runs over QUIC (UDP): the QUIC handshake replaces TCP's connect and TLS's")
	h.skip(PhaseTLS, "the TLS 1.3 handshake runs inside the QUIC handshake")
	return h.quicHandshake(ctx, cctx, addrs, dialPort, host, via)
}

// reuseH3 records that the hop goes on the pool's QUIC connection to its
// origin: no DNS and no handshake, as for a reused HTTP/2 connection.
func (h *hopRun) reuseH3(c *h3conn) {
	h.hop.Connect = &Connect{Address: c.addr, Local: c.local, Reused: true, Via: c.via, Transport: "udp"}
	q := c.facts
	if q.Peer != nil {
		peer := *q.Peer
		q.Peer = &peer
	}
	h.hop.QUIC = &q
	why := fmt.Sprintf("connection #%d was reused", c.id)
	h.skip(PhaseDNS, why)
	h.skip(PhaseConnect, why)
	h.skip(PhaseTLS, why)
	h.skip(PhaseQUIC, why)
}

// quicHandshake runs the QUIC handshake to one of addrs (Happy Eyeballs,
// see quicRace), each attempt on a UDP socket of its own, and records it.
func (h *hopRun) quicHandshake(ctx, cctx context.Context, addrs []netip.Addr, port int, host, via string) *h3conn {
	h.setPhase(PhaseQUIC)
	h.raceBegins(addrs)
	start := h.clock.since()
	t, attempts := h.quicRace(cctx, sortHappyEyeballs(addrs), port, host)
	if t.err == nil && t.early {
		return h.openEarly(t, start, attempts, via)
	}
	d := h.clock.since() - start
	h.hop.Timings.QUIC = &Span{start, d}
	h.hop.Connect = &Connect{Address: t.remote.String(), Via: via, Transport: "udp", Duration: d, Attempts: attempts}
	if t.udp != nil {
		h.hop.Connect.Local = t.udp.LocalAddr().String()
	}
	h.recordQUIC(t, d)
	if t.err != nil {
		h.failQUIC(ctx, cctx, t, len(attempts))
		return nil
	}
	return &h3conn{id: h.s.p.newConnID(), qc: t.qc, cc: newH3Client(t.qc),
		tr: t.tr, udp: t.udp, events: t.events, addr: h.hop.Connect.Address, local: h.hop.Connect.Local, via: via, facts: *h.hop.QUIC}
}

// newH3Client is the HTTP/3 client of a QUIC connection: its control
// stream (SETTINGS) and QPACK state.
func newH3Client(qc *quic.Conn) *http3.ClientConn {
	return (&http3.Transport{MaxResponseHeaderBytes: maxHeadBytes}).NewClientConn(qc)
}

// quicError classifies a failed QUIC handshake.
// retries and vn are what the server sent before it: Retry packets, and
// the versions of a Version Negotiation packet.
func quicError(err error, v *verdict, addr netip.Addr, port int, retries int, vn []string) *Error {
	if v != nil && v.err != nil {
		e := tlsError(err, v)
		e.Phase = PhaseQUIC
		return e
	}
	var idle *quic.IdleTimeoutError
	var hsTimeout *quic.HandshakeTimeoutError
	var vnErr *quic.VersionNegotiationError
	timedOut := errors.As(err, &idle) || errors.As(err, &hsTimeout) || errors.Is(err, context.DeadlineExceeded)
	switch {
	case errors.As(err, &vnErr):
		return &Error{Phase: PhaseQUIC, Kind: KindHandshake, Err: err,
			Message: fmt.Sprintf("the server offers only QUIC versions reqtrace does not speak (%s; reqtrace speaks %s)", strings.Join(vn, ", "), versionList(vnErr.Ours)),
			Hint:    "the server's QUIC stack is older or newer than RFC 9000/9369; without --http3-only reqtrace falls back to TCP"}
	case timedOut && retries > 0:
		return &Error{Phase: PhaseQUIC, Kind: KindQUICTimeout, Err: err,
			Message: "the server sent a Retry, then never completed the handshake once the client came back with its token (a client takes one Retry: RFC 9000 section 17.2.5.2)",
			Hint:    "a server or load balancer in a Retry loop: its address-validation tokens are not accepted back (check the token key shared between its instances)"}
	}
	if timedOut {
		return &Error{Phase: PhaseQUIC, Kind: KindQUICTimeout, Err: err,
			Message: fmt.Sprintf("no QUIC answer from %s within the connect timeout", net.JoinHostPort(addr.String(), strconv.Itoa(port))),
			Hint:    "UDP to this port may be filtered (many firewalls drop it), or the server does not speak HTTP/3 here; without --http3-only reqtrace falls back to TCP"}
	}
	var tErr *quic.TransportError
	if errors.As(err, &tErr) && tErr.ErrorCode.IsCryptoError() {
		return &Error{Phase: PhaseQUIC, Kind: KindHandshake, Err: err,
			Message: "the QUIC handshake failed: " + tErr.Error(),
			Hint:    "the server refused the TLS 1.3 handshake inside QUIC (ALPN h3, name or version); openssl s_client cannot test QUIC, try curl --http3"}
	}
	return &Error{Phase: PhaseQUIC, Kind: KindHandshake, Err: err, Message: "the QUIC handshake failed: " + dialErrorText(err),
		Hint: "check that the server serves HTTP/3 on this UDP port (its Alt-Svc header names the port)"}
}

func versionList(vs []quic.Version) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return strings.Join(out, ", ")
}

// roundTripH3 sends the request on the QUIC connection and reads the
// response, timed by quic-go's httptrace hooks as HTTP/2's are.
func (h *hopRun) roundTripH3(ctx context.Context, cc *http3.ClientConn) {
	all := h.s.headers(h.req)
	method := h.req.method
	h.hop.Request = h.sentRequest("HTTP/3.0", h2SentHeaders(all), headSize(method+" "+h.req.url.RequestURI()+" HTTP/3", all))
	req := h.h2Request(ctx, all)
	if req == nil {
		return
	}
	early := h.early != nil
	if early {
		h.early.prepare(ctx, req)
	}
	h.setPhase(PhaseSend)
	sendStart := h.clock.since()
	var sent, firstByte time.Duration = -1, -1
	mu := &h.mu
	wrote := func() {
		mu.Lock()
		defer mu.Unlock()
		if sent < 0 {
			sent, h.phase = h.clock.since(), PhaseWait
		}
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteHeaders: func() {
			if early { // the head is the whole request; its FIN waits (see h3Early.prepare)
				wrote()
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote() },
		GotFirstResponseByte: func() {
			mu.Lock()
			defer mu.Unlock()
			if firstByte < 0 {
				firstByte = h.clock.since()
			}
		},
		Got1xxResponse: func(code int, hdr textproto.MIMEHeader) error {
			at := h.clock.since()
			mu.Lock()
			defer mu.Unlock()
			if len(h.hop.Informational) >= maxInformatonal {
				return fmt.Errorf("more than %d informational responses", maxInformatonal)
			}
			h.hop.Informational = append(h.hop.Informational, Informational{Status: code, Headers: h.keepInformational(h2Headers(http.Header(hdr))), At: at})
			return nil
		},
	}))
	resp, err := cc.RoundTrip(req)
	got := h.clock.since()
	mu.Lock()
	sentAt, firstAt, informational := sent, firstByte, len(h.hop.Informational)
	mu.Unlock()
	if sentAt < 0 {
		sentAt = got
	}
	final := firstAt
	if final < 0 || informational > 0 {
		final = got
	}
	sentAt = min(sentAt, final)
	h.hop.Timings.Send = &Span{sendStart, max(sentAt-sendStart, 0)}
	if err != nil && h.early != nil { // roundTrip0RTT decides, once the handshake has ended
		h.early.reqErr, h.early.reqPhase = err, h.currentPhase()
		return
	}
	if err != nil {
		h.fail(ctx, nil, h3Error(err, h.currentPhase()))
		return
	}
	defer resp.Body.Close()
	h.hop.Timings.Wait = &Span{sentAt, final - sentAt}
	h.hop.Response = &Response{Proto: "HTTP/3.0", Status: resp.StatusCode, Headers: h2Headers(resp.Header), DecodedBytes: -1}
	h.capH2Headers()
	h.hop.Response.HeadBytes = h3HeadBytes(h.hop.Response.Status, h.hop.Response.Headers, h.hop.Informational)
	h.setPhase(PhaseReceive)
	var body io.Reader = resp.Body
	want := resp.ContentLength
	if method == "HEAD" { // no body, whatever Content-Length says
		body, want = bytes.NewReader(nil), 0
	}
	h.receive(ctx, body, want, final)
}

// h3HeadBytes counts HTTP/3 heads as HTTP/1.1 would write them, as curl's
// size_header does.
func h3HeadBytes(status int, hs []Header, infos []Informational) int64 {
	n := headSize(H3StatusLine(status), hs)
	for _, in := range infos {
		n += headSize(H3StatusLine(in.Status), in.Headers)
	}
	return n
}

// H3StatusLine is the status line curl writes for an HTTP/3 response, as
// for HTTP/2: no reason phrase, and a space where it would be.
func H3StatusLine(status int) string { return "HTTP/3 " + strconv.Itoa(status) + " " }

// isQUICError reports whether err is QUIC's: a stream reset or a closed
// connection, which HTTP/3 reports as its own errors.
func isQUICError(err error) bool {
	var app *quic.ApplicationError
	var stream *quic.StreamError
	return errors.As(err, &app) || errors.As(err, &stream)
}

// h3Error classifies an HTTP/3 failure after the handshake.
func h3Error(err error, phase string) *Error {
	var app *quic.ApplicationError
	var stream *quic.StreamError
	switch {
	case errors.As(err, &stream):
		return &Error{Phase: phase, Kind: KindHTTP3, Err: err, Message: "the server reset the HTTP/3 stream with " + H3ErrorText(uint64(stream.ErrorCode)),
			Hint: "the server or a proxy abandoned this request; check its logs"}
	case errors.As(err, &app):
		msg := "the server closed the QUIC connection: " + app.Error()
		if app.Remote {
			msg = "the server closed the QUIC connection with " + H3ErrorText(uint64(app.ErrorCode))
			if app.ErrorMessage != "" {
				msg += " (" + app.ErrorMessage + ")"
			}
		}
		return &Error{Phase: phase, Kind: KindHTTP3, Err: err, Message: msg,
			Hint: "the server ended the connection with an HTTP/3 error; check its logs"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Phase: phase, Kind: KindTimeout, Err: err, Message: "timed out in " + phase + " (-m)"}
	}
	return &Error{Phase: phase, Kind: KindHTTP3, Err: err, Message: "HTTP/3 failed: " + dialErrorText(err),
		Hint: "the QUIC connection broke; try again without --http3 to compare with TCP"}
}
