// Package trace is reqtrace's engine: it resolves, connects, handshakes and
// exchanges one HTTP request itself, timing every phase on the monotonic
// clock, and returns everything it saw as one Result. It never prints.
package trace

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"
)

// Do runs the trace o describes. Failures are not returned but recorded in
// the Result (Err, and the hop's Err), next to everything that completed.
func Do(ctx context.Context, o *Options) *Result {
	res := &Result{URL: o.URL.String(), Started: time.Now(), Insecure: o.Insecure}
	if o.MaxTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.MaxTime)
		defer cancel()
	}
	roots, err := loadRoots(o.CACert)
	if err != nil {
		res.Err = asError(err, PhaseInput)
		return res
	}
	h := &hopRun{o: o, u: o.URL, clock: newClock(), roots: roots}
	h.run(ctx)
	res.Hops = append(res.Hops, h.hop)
	res.Err = h.hop.Err
	return res
}

func asError(err error, phase string) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Phase: phase, Kind: KindBadInput, Message: err.Error(), Err: err}
}

// hopRun carries the state of one request/response exchange.
type hopRun struct {
	o     *Options
	u     *url.URL
	clock *clock
	roots *x509.CertPool
	hop   Hop

	mu    sync.Mutex // guards phase: http2 hooks move it from other goroutines
	phase string
}

func (h *hopRun) setPhase(p string) {
	h.mu.Lock()
	h.phase = p
	h.mu.Unlock()
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

func (h *hopRun) run(ctx context.Context) {
	h.hop.URL = h.u.String()
	defer func() { h.hop.Timings.Total = h.clock.since() }()

	// DNS, TCP and TLS together are bounded by --connect-timeout, as in curl.
	cctx, cancel := context.WithTimeout(ctx, cmpDuration(h.o.ConnectTimeout, DefaultConnectTimeout))
	defer cancel()
	conn, ok := h.connect(ctx, cctx)
	if !ok {
		return
	}
	defer conn.Close()
	// From here on -m bounds every read and write: cancelling ctx fails
	// whatever I/O is blocked.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	sc := newStampConn(conn, h.clock)
	if h.hop.TLS != nil && h.hop.TLS.ALPN == "h2" {
		h.exchangeH2(ctx, sc)
	} else {
		h.exchangeH1(ctx, sc)
	}
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
	host, port := h.u.Hostname(), Port(h.u)
	h.setPhase(PhaseDNS)
	start := h.clock.since()
	d, addrs, err := resolveHost(cctx, h.o, h.clock, host, port)
	h.hop.DNS = d
	switch {
	case d == nil:
		h.skip(PhaseDNS, "the URL's host is an IP address")
	case d.Source == SourceResolve:
		h.skip(PhaseDNS, "--resolve gave the address")
	default:
		h.hop.Timings.DNS = &Span{start, h.clock.since() - start}
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

	h.setPhase(PhaseConnect)
	start = h.clock.since()
	conn, attempts, derr := dialRace(cctx, sortHappyEyeballs(addrs), port, h.clock)
	h.hop.Connect = &Connect{Attempts: attempts, Duration: h.clock.since() - start}
	h.hop.Timings.Connect = &Span{start, h.hop.Connect.Duration}
	if derr != nil {
		h.fail(ctx, cctx, connectError(derr, attempts))
		return nil, false
	}
	h.hop.Connect.Address, h.hop.Connect.Local = conn.RemoteAddr().String(), conn.LocalAddr().String()

	if h.u.Scheme != "https" {
		h.skip(PhaseTLS, "plain http:// has no TLS")
		return conn, true
	}
	h.setPhase(PhaseTLS)
	sess := newTLSSession(h.o, host, h.roots)
	h.hop.TLS = &TLS{}
	start = h.clock.since()
	tc, terr := sess.handshake(cctx, conn, h.hop.TLS)
	h.hop.TLS.Duration = h.clock.since() - start
	h.hop.Timings.TLS = &Span{start, h.hop.TLS.Duration}
	if terr != nil {
		conn.Close()
		h.fail(ctx, cctx, tlsError(terr, sess.verifyErr, host, h.hop.TLS.Certificates))
		return nil, false
	}
	return tc, true
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
	h.hop.Err = err
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
	PhaseSend:    "sending the request",
	PhaseWait:    "waiting for the server's first byte",
	PhaseReceive: "receiving the body",
}

var phaseTimeoutHint = map[string]string{
	PhaseDNS:     "no DNS answer in time: check the DNS server (--dns-servers) or raise the limit",
	PhaseConnect: "the server did not accept the connection in time: a firewall may drop packets, or the host is down",
	PhaseTLS:     "the server accepted TCP but did not finish the TLS handshake: is the port really TLS?",
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
	}
	return &Error{Phase: phase, Kind: kind,
		Message: fmt.Sprintf("timed out during %s: %s ran out", phaseDoing[phase], limit),
		Hint:    phaseTimeoutHint[phase], Err: cause}
}
