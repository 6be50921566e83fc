package trace

import (
	"cmp"
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Options says what to trace and how. The zero value of every field but
// URL means "as curl would by default".
type Options struct {
	URL     *url.URL // from ParseURL
	Method  string   // "" means GET, or POST when Body is set
	Headers []HeaderEdit
	Body    []byte // request body (-d); nil means none
	// Upload marks Body as a file upload (-T): PUT unless Method says
	// otherwise, kept on 301/302 as curl does, sent after a 100 Continue.
	Upload bool
	// ContentType is sent when Body is set and no Content-Type header was
	// given (curl's -d sends application/x-www-form-urlencoded).
	ContentType string
	User        *url.Userinfo // -u USER:PASS, or user info in the URL
	Bearer      string        // --oauth2-bearer: sent as Authorization: Bearer, like User's credentials
	UserAgent   string        // "" means "reqtrace/" + Version
	Head        bool          // -I: HEAD, and no body is read
	Referer     string        // -e: the Referer to send
	RefererAuto bool          // -e ";auto": set Referer to the previous URL on redirects
	// Cookie is -b's "name=value; ..." string, sent to the first origin.
	Cookie string
	// CookieJar turns on the cookie engine (curl does with any -b): cookies
	// set by a hop are sent on later hops and runs, per RFC 6265 rules.
	// Cookies holds those loaded from a -b file.
	CookieJar  bool
	Cookies    []FileCookie
	Compressed bool // --compressed: ask for gzip/deflate and decode it
	Revalidate bool // --revalidate: repeat the request with its validators and see if 304 comes back

	Insecure bool   // -k: do not fail on certificate problems
	CACert   []byte // PEM bundle that replaces the system roots (--cacert)
	// ClientCert is presented when the server asks for one (-E/--cert).
	ClientCert *tls.Certificate

	Resolve    []ResolveEntry // --resolve
	DNSServers []string       // --dns-servers, "ip:port"; nil means resolv.conf's
	IPVersion  int            // 4 or 6 to allow only that family; 0 for both
	HTTP       string         // "" (ALPN: h2 then http/1.1), "1.1", "2" or "2-prior" (h2c on http://)
	// NoHTTPSRecord: do not ask DNS for the HTTPS record (type 65) of an
	// https:// host, which reqtrace does by default as browsers do.
	NoHTTPSRecord bool
	// H3Alternative, when set, names a known HTTP/3 alternative for an
	// https:// origin (from an Alt-Svc cache: --alt-svc): a hop to an
	// origin it knows goes over HTTP/3 to dstHost:dstPort, falling back
	// to TCP as --http3 does, unless --http1.1 or --http2 is given.
	H3Alternative func(host string, port int) (dstHost string, dstPort int, ok bool)
	ConnectTo     []ConnectTo // --connect-to
	Proxy         ProxyConfig // -x, --noproxy and the proxy environment
	UnixSocket    string      // --unix-socket: connect to this socket instead
	TLSMin        uint16      // --tlsv1.x: lowest TLS version (default 1.2)
	TLSMax        uint16      // --tls-max: highest TLS version (0: the newest)
	// NoSessionID turns TLS session resumption off (curl's --no-sessionid):
	// every new connection makes a full handshake. By default a new
	// connection to a host resumes the session of an earlier one, within a
	// trace and across -n runs, --fresh included, as curl and browsers do.
	NoSessionID bool

	FollowRedirects bool // -L
	// SkipRedirectBody keeps a redirect's body (a 3xx with a Location)
	// out of Output, as -L does, for callers that follow redirects
	// themselves one request at a time (cors).
	SkipRedirectBody bool
	// SkipErrorBody keeps the body of a status of 400 or more out of
	// Output, as curl -f writes nothing to -o then (the body is still read,
	// counted and previewed).
	SkipErrorBody bool
	MaxRedirects  int // --max-redirs; -1 means no limit
	// LocationTrusted sends -u/--oauth2-bearer credentials and -H
	// Authorization on to other origins too (--location-trusted, as curl).
	LocationTrusted bool

	Retry        int           // --retry: attempts to repeat after a transient failure
	RetryDelay   time.Duration // --retry-delay: fixed pause (else Retry-After, else backoff)
	RetryMaxTime time.Duration // --retry-max-time: no retry past this since the start

	MaxTime        time.Duration // -m: bounds each attempt; 0 means no bound
	ConnectTimeout time.Duration // bounds DNS+TCP+TLS; 0 means DefaultConnectTimeout

	// PreviewBytes is how much of the body to keep in the Result (-i
	// keeps more); 0 means 1 KiB.
	PreviewBytes int
	// Output receives the response body as it streams (-o); nil discards it.
	Output     io.Writer
	OutputName string // the name to report for Output

	// TraceParent, when set, sends a W3C traceparent header on every
	// request (--otlp, --traceparent): its trace ID, and a new parent span
	// ID for each hop, kept in Hop.SpanID, so that the server's spans join
	// the client's trace.
	TraceParent *TraceParent

	// ResolvConf and HostsFile default to the system files; tests and the
	// demo point them at the lab.
	ResolvConf string
	HostsFile  string

	// Progress, if set, is told of each step as it happens (runs, hops,
	// phases, body bytes), for a live display; the engine never prints.
	// It is called on the engine's goroutines and must return quickly.
	Progress func(ProgressEvent)
	// OnResponse, when set, is handed each response that came back, once
	// its body is read (or failed), before the next hop or run starts:
	// client state kept outside the engine learns from it in time, as
	// --alt-svc's cache does so that -L and -n move to HTTP/3 within one
	// invocation, as curl's does. It runs on the trace's goroutine, off
	// the hop's clock, and must not keep r.
	OnResponse func(u *url.URL, r *Response)
}

// HeaderEdit is one -H argument: set a header, or remove one of ours.
type HeaderEdit struct {
	Name   string
	Value  string
	Remove bool // "-H 'Name:'" removes a header reqtrace would send
	// Typed is the text after the colon as typed ("1" in "X-A:1", " 1"
	// in "X-A: 1"): HTTP/1.1 sends the line so, as curl does.
	Typed string
}

// ResolveEntry is one --resolve HOST:PORT:ADDR[,ADDR...] mapping.
type ResolveEntry struct {
	Host  string // lower-case; "*" matches any host
	Port  int
	Addrs []netip.Addr
}

// ConnectTo is one --connect-to HOST1:PORT1:HOST2:PORT2 rule: requests
// for HOST1:PORT1 connect to HOST2:PORT2 instead, keeping the URL's host
// for Host and TLS. An empty HOST1 or zero PORT1 matches any; an empty
// HOST2 or zero PORT2 keeps the original.
type ConnectTo struct {
	FromHost string
	FromPort int
	ToHost   string
	ToPort   int
}

// ParseConnectTo parses one --connect-to argument (IPv6 hosts bracketed).
func ParseConnectTo(s string) (ConnectTo, error) {
	bad := func(why string) (ConnectTo, error) {
		return ConnectTo{}, BadInput("bad --connect-to %q: %s; write it as HOST1:PORT1:HOST2:PORT2, e.g. example.com:443:127.0.0.1:8443", s, why)
	}
	var parts []string
	rest := s
	for range 4 {
		var p string
		if strings.HasPrefix(rest, "[") {
			end := strings.Index(rest, "]")
			if end < 0 {
				return bad("an IPv6 address lacks its ]")
			}
			p, rest = rest[1:end], rest[end+1:]
			rest = strings.TrimPrefix(rest, ":")
		} else {
			p, rest, _ = strings.Cut(rest, ":")
		}
		parts = append(parts, p)
	}
	if rest != "" || len(parts) != 4 || strings.Count(s, ":") < 3 && !strings.Contains(s, "[") {
		return bad("it needs four parts separated by colons")
	}
	c := ConnectTo{FromHost: strings.ToLower(parts[0]), ToHost: parts[2]}
	var err error
	if c.FromPort, err = optionalPort(parts[1]); err != nil {
		return bad("the first port is not a number from 1 to 65535")
	}
	if c.ToPort, err = optionalPort(parts[3]); err != nil {
		return bad("the second port is not a number from 1 to 65535")
	}
	return c, nil
}

func optionalPort(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, strconv.ErrRange
	}
	return n, nil
}

// target applies the first matching --connect-to rule to host:port.
func (o *Options) target(host string, port int) (string, int, string) {
	for _, c := range o.ConnectTo {
		if (c.FromHost == "" || strings.EqualFold(c.FromHost, host)) && (c.FromPort == 0 || c.FromPort == port) {
			h, p := cmp.Or(c.ToHost, host), port
			if c.ToPort != 0 {
				p = c.ToPort
			}
			return h, p, "--connect-to " + net.JoinHostPort(h, strconv.Itoa(p))
		}
	}
	return host, port, ""
}

// Defaults.
const (
	DefaultConnectTimeout = 30 * time.Second
	maxURLLength          = 64 << 10
)

// Version is the reqtrace version, sent in the default User-Agent.
var Version = "0.1.0-dev"

// ParseURL turns a command-line URL into a request URL the way curl does:
// a missing scheme means http://, an empty path means "/", the fragment
// is dropped. Only http and https are accepted.
func ParseURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return nil, BadInput("the URL is empty: give one such as https://example.com/")
	case len(s) > maxURLLength:
		return nil, BadInput("the URL is %d bytes long: the limit is %d", len(s), maxURLLength)
	case strings.ContainsFunc(s, isCtlOrSpace):
		return nil, BadInput("the URL %q contains spaces or control characters: percent-encode them (space is %%20)", s)
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, BadInput("the URL %q does not parse (%s): check it for typos", raw, urlErrReason(err))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, BadInput("the URL scheme %q is not supported: use http:// or https://", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, BadInput("the URL %q has no host name: give one such as https://example.com/", raw)
	}
	if err := normalizeHost(u); err != nil {
		return nil, BadInput("%s", err.Error())
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, BadInput("the URL's port %q is not a number from 1 to 65535", p)
		}
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	return u, nil
}

func urlErrReason(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}

func isCtlOrSpace(r rune) bool { return r <= ' ' || r == 0x7f }

// Port returns the URL's port, or the scheme's default.
func Port(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "https" {
		return 443
	}
	return 80
}

// ParseHeader parses one -H argument as curl does: "Name: value" sets a
// header, "Name:" removes one reqtrace would send, "Name;" sends it empty.
func ParseHeader(s string) (HeaderEdit, error) {
	if strings.ContainsAny(s, "\r\n") {
		return HeaderEdit{}, BadInput("the header %q contains a line break: give one header per -H", s)
	}
	if name, ok := strings.CutSuffix(s, ";"); ok && !strings.Contains(name, ":") {
		if !validToken(name) {
			return HeaderEdit{}, badHeader(s)
		}
		return HeaderEdit{Name: name}, nil
	}
	name, value, ok := strings.Cut(s, ":")
	if !ok || !validToken(name) {
		return HeaderEdit{}, badHeader(s)
	}
	typed := value
	value = strings.TrimSpace(value)
	if strings.ContainsFunc(value, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
		return HeaderEdit{}, BadInput("the value of header %q contains control characters: remove them", name)
	}
	return HeaderEdit{Name: name, Value: value, Remove: value == "", Typed: typed}, nil
}

func badHeader(s string) *Error {
	return BadInput("bad header %q: write it as -H \"Name: value\" (the name is letters, digits and !#$%%&'*+-.^_`|~)", s)
}

// validToken reports whether s is an RFC 9110 token (a field name).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// ParseResolve parses one --resolve HOST:PORT:ADDR[,ADDR...] argument
// (curl's syntax; IPv6 addresses may be bracketed, a leading "+" is
// accepted and ignored, HOST may be "*").
func ParseResolve(s string) (ResolveEntry, error) {
	bad := func(why string) (ResolveEntry, error) {
		return ResolveEntry{}, BadInput("bad --resolve %q: %s; write it as HOST:PORT:ADDR, e.g. example.com:443:127.0.0.1", s, why)
	}
	spec := strings.TrimPrefix(s, "+")
	host, rest, ok1 := strings.Cut(spec, ":")
	port, addrs, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 {
		return bad("it needs three parts separated by colons")
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" || strings.ContainsAny(host, " /[]") {
		return bad("the host is empty or not a host name")
	}
	if !isASCII(host) { // an IDN matches the URL's host in its A-label form
		w, err := wireHost(host)
		if err != nil {
			return bad("the host is not a valid internationalized domain name")
		}
		host = w
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return bad("the port is not a number from 1 to 65535")
	}
	e := ResolveEntry{Host: strings.ToLower(host), Port: n}
	for a := range strings.SplitSeq(addrs, ",") {
		a = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(a), "["), "]")
		ip, err := netip.ParseAddr(a)
		if err != nil || ip.Zone() != "" {
			return bad("the address " + strconv.Quote(a) + " is not an IP address")
		}
		e.Addrs = append(e.Addrs, ip.Unmap())
	}
	return e, nil
}

// ParseDNSServers parses --dns-servers ADDR[:PORT][,...]; the port defaults to 53.
func ParseDNSServers(s string) ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if ap, err := netip.ParseAddrPort(part); err == nil && ap.Port() != 0 {
			out = append(out, ap.String())
			continue
		}
		ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(part, "["), "]"))
		if err != nil || ip.Zone() != "" {
			return nil, BadInput("bad --dns-servers entry %q: give IP addresses with optional ports, e.g. 192.0.2.53 or 192.0.2.53:5353,[2001:db8::53]:53", part)
		}
		out = append(out, netip.AddrPortFrom(ip.Unmap(), 53).String())
	}
	return out, nil
}
