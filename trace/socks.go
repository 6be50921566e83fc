package trace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"time"
)

// SOCKS5 proxies (RFC 1928, with RFC 1929's username and password), as
// curl speaks them: socks5:// resolves the server's name here and sends
// the proxy an address; socks5h:// sends the name and lets the proxy
// resolve it. Either way the proxy opens a tunnel: the request goes
// through it as to the server (TLS and origin-form included).

// viaSOCKS connects to the server through the SOCKS5 proxy px. The
// handshake is the hop's proxy span.
func (h *hopRun) viaSOCKS(ctx, cctx context.Context, px *url.URL, source, host string, port int) (net.Conn, bool) {
	h.hop.Proxy = &Proxy{URL: px.Redacted(), Source: source, Tunnel: true}
	dest := socksName(host)
	var conn net.Conn
	if px.Scheme == "socks5" {
		// The server's name is resolved here, and its DNS is the hop's;
		// the proxy's own address (usually an IP or localhost) quietly.
		addrs, ok := h.resolve(ctx, cctx, host, port)
		if !ok {
			return nil, false
		}
		dest = socksAddr(sortHappyEyeballs(addrs)[0])
		_, paddrs, err := resolveHost(cctx, h.o, h.clock, px.Hostname(), Port(px), 0)
		if err == nil && len(paddrs) == 0 {
			err = &Error{Phase: PhaseDNS, Kind: KindNoAddress, Message: "the proxy " + px.Hostname() + " has no address"}
		}
		if err != nil {
			err.Message = "the SOCKS proxy's address: " + err.Message
			h.fail(ctx, cctx, err)
			return nil, false
		}
		if conn, ok = h.dialAddrs(ctx, cctx, sortHappyEyeballs(paddrs), Port(px)); !ok {
			return nil, false
		}
	} else {
		var ok bool
		if conn, ok = h.dialTCP(ctx, cctx, px.Hostname(), Port(px)); !ok {
			return nil, false
		}
		if h.hop.DNS == nil {
			h.skip(PhaseDNS, "socks5h: the proxy resolves the server's name")
		}
	}
	h.setPhase(PhaseProxy)
	start := h.clock.since()
	if d, ok := cctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	err := socksHandshake(conn, px.User, dest, port)
	conn.SetDeadline(time.Time{})
	h.hop.Timings.Proxy = &Span{start, h.clock.since() - start}
	if err != nil {
		conn.Close()
		h.fail(ctx, cctx, socksError(err, px, host, port))
		return nil, false
	}
	return conn, true
}

// socksName and socksAddr are a CONNECT request's destination: ATYP and
// address as RFC 1928 section 5 writes them.
func socksName(host string) []byte {
	if a, err := netip.ParseAddr(host); err == nil {
		return socksAddr(a)
	}
	return append([]byte{3, byte(len(host))}, host...)
}

func socksAddr(a netip.Addr) []byte {
	if a.Is4() || a.Is4In6() {
		b := a.Unmap().As4()
		return append([]byte{1}, b[:]...)
	}
	b := a.As16()
	return append([]byte{4}, b[:]...)
}

// socksRefusal is a reply code other than success (RFC 1928 section 6).
type socksRefusal byte

var socksReplies = map[socksRefusal]string{
	1: "general SOCKS server failure", 2: "connection not allowed by the proxy's rules",
	3: "network unreachable", 4: "host unreachable", 5: "connection refused by the server",
	6: "TTL expired", 7: "command not supported", 8: "address type not supported",
}

func (r socksRefusal) Error() string {
	if s, ok := socksReplies[r]; ok {
		return s
	}
	return "reply code " + strconv.Itoa(int(r))
}

var (
	errSOCKSAuth       = errors.New("the proxy refused the user name and password")
	errSOCKSNoMethod   = errors.New("the proxy accepts none of the offered authentication methods")
	errSOCKSNotSOCKS5  = errors.New("the answer is not SOCKS version 5")
	errSOCKSLongName   = errors.New("the host name is longer than SOCKS's 255 bytes")
	errSOCKSLongCreds  = errors.New("the user name or password is longer than SOCKS's 255 bytes")
	errSOCKSBadAddress = errors.New("the proxy's reply holds an unknown address type")
)

// socksHandshake greets the proxy, authenticates when asked, and asks it
// to CONNECT to dest:port.
func socksHandshake(c net.Conn, user *url.Userinfo, dest []byte, port int) error {
	methods := []byte{0} // no authentication
	if user != nil {
		methods = []byte{0, 2} // or username/password
	}
	if _, err := c.Write(append([]byte{5, byte(len(methods))}, methods...)); err != nil {
		return err
	}
	var choice [2]byte
	if _, err := io.ReadFull(c, choice[:]); err != nil {
		return err
	}
	switch {
	case choice[0] != 5:
		return errSOCKSNotSOCKS5
	case choice[1] == 2 && user != nil:
		if err := socksLogin(c, user); err != nil {
			return err
		}
	case choice[1] != 0:
		return errSOCKSNoMethod
	}
	if len(dest) > 2+255 {
		return errSOCKSLongName
	}
	req := append(append([]byte{5, 1, 0}, dest...), byte(port>>8), byte(port))
	if _, err := c.Write(req); err != nil {
		return err
	}
	return socksReply(c)
}

// socksLogin is RFC 1929's sub-negotiation.
func socksLogin(c net.Conn, user *url.Userinfo) error {
	name, pass := user.Username(), ""
	if p, ok := user.Password(); ok {
		pass = p
	}
	if len(name) > 255 || len(pass) > 255 {
		return errSOCKSLongCreds
	}
	msg := append(append(append([]byte{1, byte(len(name))}, name...), byte(len(pass))), pass...)
	if _, err := c.Write(msg); err != nil {
		return err
	}
	var status [2]byte
	if _, err := io.ReadFull(c, status[:]); err != nil {
		return err
	}
	if status[1] != 0 {
		return errSOCKSAuth
	}
	return nil
}

// socksReply reads the CONNECT reply, bound address included, so the
// tunnel starts right after it.
func socksReply(c net.Conn) error {
	var head [4]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		return err
	}
	if head[0] != 5 {
		return errSOCKSNotSOCKS5
	}
	if head[1] != 0 {
		return socksRefusal(head[1])
	}
	n := 0
	switch head[3] {
	case 1:
		n = 4
	case 4:
		n = 16
	case 3:
		var l [1]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return err
		}
		n = int(l[0])
	default:
		return errSOCKSBadAddress
	}
	_, err := io.ReadFull(c, make([]byte, n+2)) // the bound address and port: not needed
	return err
}

// socksError words a failed handshake, curl's exit 97 unless it timed out.
func socksError(err error, px *url.URL, host string, port int) *Error {
	target := net.JoinHostPort(host, strconv.Itoa(port))
	e := &Error{Phase: PhaseProxy, Kind: KindSOCKS, Err: err,
		Message: fmt.Sprintf("the SOCKS5 proxy %s did not open the tunnel to %s: %s", px.Host, target, dialErrorText(err)),
		Hint:    "check the proxy's address and that it allows this destination"}
	var refusal socksRefusal
	switch {
	case isTimeout(err):
		e.Kind, e.Message = KindTimeout, "the SOCKS5 proxy did not finish its handshake in time"
	case errors.Is(err, errSOCKSAuth), errors.Is(err, errSOCKSNoMethod):
		e.Hint = "give the proxy's credentials in its URL: -x socks5h://USER:PASSWORD@host:port"
	case errors.As(err, &refusal) && (refusal == 3 || refusal == 4) && px.Scheme == "socks5h":
		e.Hint = "the proxy could not resolve or reach " + host + "; check the name, or resolve it here with socks5://"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Message = fmt.Sprintf("the SOCKS5 proxy %s closed the connection during the handshake", px.Host)
		e.Hint = "is this a SOCKS5 proxy? an HTTP proxy wants http://"
	}
	return e
}
