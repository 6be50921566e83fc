package trace

import (
	"bufio"
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ProxyConfig says which proxy, if any, each URL goes through: -x first,
// else the environment curl reads (http_proxy for http:// -- lower case
// only, as curl does -- HTTPS_PROXY for https://, ALL_PROXY for both),
// except for hosts NO_PROXY or --noproxy lists.
type ProxyConfig struct {
	Explicit    *url.URL // -x/--proxy
	HTTP, HTTPS *url.URL // from the environment
	All         *url.URL
	NoProxy     []string // host names, domain suffixes, IPs, CIDR ranges, or "*"
	Sources     map[*url.URL]string
}

// Proxy describes the proxy a hop went through.
type Proxy struct {
	URL    string // the proxy, password hidden
	Source string // "-x", "HTTPS_PROXY", ...
	// Tunnel is true for CONNECT (https:// through the proxy); false when
	// the proxy forwarded a plain request it received in absolute form.
	Tunnel     bool
	Status     int      // the CONNECT response's status
	StatusLine string   // its status line as received ("HTTP/1.0 200 Connection established")
	Headers    []Header // the CONNECT response's headers
	// RequestBytes is the size of the CONNECT request sent (curl counts it
	// in size_request); 0 without a tunnel.
	RequestBytes int64
}

// ParseProxy reads a proxy URL as curl does: http:// by default, port
// 1080 when none is given. HTTP, HTTPS and SOCKS5 (socks5://, socks5h://)
// proxies are supported.
func ParseProxy(s string) (*url.URL, error) {
	raw := strings.TrimSpace(s)
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil, BadInput("bad proxy %q: write it as [http://][user:password@]host[:port]", s)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, BadInput("the %s:// proxy %q is not supported: use http://, https://, socks5:// or socks5h://", u.Scheme, s)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "1080")
	}
	if _, err := strconv.Atoi(u.Port()); err != nil {
		return nil, BadInput("bad proxy %q: the port is not a number", s)
	}
	return u, nil
}

// ProxyFromEnv reads the proxy variables curl reads.
func ProxyFromEnv(getenv func(string) string) (ProxyConfig, error) {
	pc := ProxyConfig{Sources: map[*url.URL]string{}}
	pick := func(names ...string) (*url.URL, error) {
		for _, n := range names {
			if v := getenv(n); v != "" {
				u, err := ParseProxy(v)
				if err != nil {
					return nil, BadInput("%s: %s", n, err.Error())
				}
				pc.Sources[u] = n
				return u, nil
			}
		}
		return nil, nil
	}
	var err error
	if pc.HTTP, err = pick("http_proxy"); err != nil {
		return pc, err
	}
	if pc.HTTPS, err = pick("HTTPS_PROXY", "https_proxy"); err != nil {
		return pc, err
	}
	if pc.All, err = pick("ALL_PROXY", "all_proxy"); err != nil {
		return pc, err
	}
	for _, n := range []string{"NO_PROXY", "no_proxy"} {
		if v := getenv(n); v != "" {
			pc.NoProxy = SplitNoProxy(v)
			break
		}
	}
	return pc, nil
}

// SplitNoProxy splits a NO_PROXY / --noproxy list.
func SplitNoProxy(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, strings.ToLower(p))
		}
	}
	return out
}

// For returns the proxy for u and where it came from, or nil.
func (pc ProxyConfig) For(u *url.URL) (*url.URL, string) {
	if pc.bypass(u.Hostname()) {
		return nil, ""
	}
	if pc.Explicit != nil {
		return pc.Explicit, "-x"
	}
	p := pc.HTTP
	if u.Scheme == "https" {
		p = pc.HTTPS
	}
	if p == nil {
		p = pc.All
	}
	if p == nil {
		return nil, ""
	}
	return p, pc.Sources[p]
}

// bypass applies NO_PROXY: "*", a host or any domain it ends with, an IP
// address or a CIDR range holding it.
func (pc ProxyConfig) bypass(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	ip, ipErr := netip.ParseAddr(host)
	for _, e := range pc.NoProxy {
		switch {
		case e == "*":
			return true
		case ipErr == nil && strings.Contains(e, "/"):
			if p, err := netip.ParsePrefix(e); err == nil && p.Contains(ip) {
				return true
			}
		default:
			e = strings.TrimPrefix(e, ".")
			if host == e || strings.HasSuffix(host, "."+e) {
				return true
			}
		}
	}
	return false
}

// viaProxy connects to the proxy and, for https:// targets, opens a
// CONNECT tunnel to host:port: the TLS handshake then runs through it.
func (h *hopRun) viaProxy(ctx, cctx context.Context, px *url.URL, source, host string, port int) (net.Conn, bool) {
	if px.Scheme == "socks5" || px.Scheme == "socks5h" {
		return h.viaSOCKS(ctx, cctx, px, source, host, port)
	}
	h.hop.Proxy = &Proxy{URL: px.Redacted(), Source: source, Tunnel: h.req.url.Scheme == "https"}
	conn, ok := h.dialTCP(ctx, cctx, px.Hostname(), Port(px))
	if !ok {
		return nil, false
	}
	if h.hop.DNS == nil {
		h.skip(PhaseDNS, "the proxy resolves the server's name, and its own address is an IP")
	}
	start := h.clock.since()
	if px.Scheme == "https" {
		h.setPhase(PhaseProxy)
		tc, err := newTLSSession(h.o, px.Hostname(), h.s.roots).handshake(cctx, conn, &TLS{})
		if err != nil {
			conn.Close()
			h.fail(ctx, cctx, &Error{Phase: PhaseProxy, Kind: KindProxy, Err: err,
				Message: "the TLS handshake with the https:// proxy failed: " + handshakeReason(err),
				Hint:    "check the proxy's address and certificate (--cacert), or use an http:// proxy"})
			return nil, false
		}
		conn = tc
	}
	if !h.hop.Proxy.Tunnel {
		h.hop.Timings.Proxy = spanIf(px.Scheme == "https", start, h.clock.since())
		return conn, true
	}
	tunnel, err := h.connectTunnel(cctx, conn, px, net.JoinHostPort(host, strconv.Itoa(port)))
	h.hop.Timings.Proxy = &Span{start, h.clock.since() - start}
	if err != nil {
		conn.Close()
		h.fail(ctx, cctx, err)
		return nil, false
	}
	return tunnel, true
}

func spanIf(ok bool, start, end time.Duration) *Span {
	if !ok {
		return nil
	}
	return &Span{start, end - start}
}

// connectTunnel sends CONNECT and reads the proxy's answer. Bytes that
// arrive with the answer belong to the tunnel and are kept for it.
func (h *hopRun) connectTunnel(ctx context.Context, conn net.Conn, px *url.URL, authority string) (net.Conn, *Error) {
	h.setPhase(PhaseProxy)
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
		defer conn.SetDeadline(time.Time{})
	}
	// The fields curl 7.88 sends with CONNECT, Proxy-Connection included.
	hs := []Header{{"Host", authority}, {"User-Agent", cmp.Or(h.o.UserAgent, "reqtrace/"+Version)}, {"Proxy-Connection", "Keep-Alive"}}
	if auth := proxyAuthorization(px); auth != "" {
		hs = append(hs, Header{"Proxy-Authorization", auth})
	}
	head0 := writeRequestHead("CONNECT", authority, hs, nil)
	h.hop.Proxy.RequestBytes = int64(len(head0))
	if _, err := conn.Write(head0); err != nil {
		return nil, &Error{Phase: PhaseProxy, Kind: KindProxy, Err: err, Message: "sending CONNECT to the proxy failed: " + dialErrorText(err),
			Hint: "the proxy closed the connection; check its address and logs"}
	}
	br := bufio.NewReader(conn)
	head, err := readHead(br)
	if err != nil {
		if isTimeout(err) {
			return nil, &Error{Phase: PhaseProxy, Kind: KindTimeout, Err: err, Message: "the proxy did not answer CONNECT in time"}
		}
		return nil, &Error{Phase: PhaseProxy, Kind: KindProxy, Err: err, Message: "the proxy's answer to CONNECT is not valid HTTP: " + err.Error(),
			Hint: "is this address really an HTTP proxy?"}
	}
	h.hop.Proxy.Status, h.hop.Proxy.StatusLine, h.hop.Proxy.Headers = head.status, head.line, head.headers
	if head.status/100 != 2 {
		return nil, proxyRefusal(head, authority)
	}
	return &bufferedConn{Conn: conn, r: br}, nil
}

func proxyRefusal(head *respHead, authority string) *Error {
	e := &Error{Phase: PhaseProxy, Kind: KindProxy,
		Message: fmt.Sprintf("the proxy refused the tunnel to %s: %d %s", authority, head.status, head.reason),
		Hint:    "the proxy does not allow this destination or port; check its access rules"}
	if head.status == 407 {
		e.Kind = KindProxyAuth
		e.Hint = "the proxy wants credentials: -x http://USER:PASSWORD@host:port (see its Proxy-Authenticate header)"
	}
	return e
}

// proxyAuthorization is the Basic credentials of the proxy URL, if any.
func proxyAuthorization(px *url.URL) string {
	if px.User == nil {
		return ""
	}
	pass, _ := px.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(px.User.Username()+":"+pass))
}

// bufferedConn reads through a bufio.Reader that may already hold bytes
// read from the connection.
type bufferedConn struct {
	net.Conn
	r io.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
