// Package curlargs is curl's request arguments with curl's meanings: the
// method, headers and body (-X, -H, -d, --data-*, -F, -G, -T, -r, -I),
// credentials and cookies (-u, --oauth2-bearer, -b, -e), TLS files and
// versions, where to connect (--resolve, --connect-to, -x, -4/-6, the
// HTTP version) and the time limits. Args.Options checks them and turns
// them into trace.Options, reading the local files and stdin they name;
// trace and cors both build their requests with it, cmd only binds the
// flags to an Args. A bad argument is a trace.BadInput error (exit 2).
package curlargs

import (
	"bytes"
	"crypto/tls"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// Args holds the arguments as given; Options checks them.
type Args struct {
	Method, UserAgent string   // -X, -A
	Headers           []string // -H, as given
	Data              []Data   // -d, --data-binary, --data-raw, --data-urlencode, in order
	Forms             []string // -F
	Get, Head         bool     // -G, -I
	Upload, Range     string   // -T FILE, -r RANGE
	User, Bearer      string   // -u USER:PASSWORD, --oauth2-bearer
	Cookie            string   // -b: "name=value; n2=v2" or a cookie file
	CookieSet         bool     // -b was given, even empty: the cookie engine is on
	CookieJar         bool     // -c was given: the cookie engine is on
	Referer           string   // -e, possibly ending in ";auto"
	Compressed        bool     // --compressed
	Revalidate        bool     // --revalidate
	Insecure          bool     // -k
	NoSessionID       bool     // --no-sessionid

	CACert, Cert, Key          string // --cacert, -E/--cert, --key
	TLS10, TLS11, TLS12, TLS13 bool   // --tlsv1.x: the lowest version
	TLSMax                     string // --tls-max

	Resolve, ConnectTo        []string // --resolve, --connect-to
	DNSServers, UnixSocket    string   // --dns-servers, --unix-socket
	IPv4, IPv6                bool     // -4, -6
	HTTP11, HTTP2, HTTP2Prior bool     // --http1.1, --http2, --http2-prior-knowledge
	HTTP3, HTTP3Only          bool     // --http3, --http3-only
	Proxy, NoProxy, ProxyUser string   // -x, --noproxy, -U
	Location, LocationTrusted bool     // -L, --location-trusted
	MaxRedirs                 int      // --max-redirs
	Retry                     int      // --retry
	RetryDelay, RetryMaxTime  float64  // seconds
	MaxTime, ConnectTimeout   float64  // -m, --connect-timeout, seconds
}

// Env is what Options reads besides the arguments.
type Env struct {
	Stdin  io.Reader           // for @- and -T -
	Getenv func(string) string // the proxy variables curl reads; nil reads none
	Warn   func(msg string)    // a warning curl would print; nil drops it (-s)
}

func (e Env) warn(msg string) {
	if e.Warn != nil {
		e.Warn(msg)
	}
}

// Options checks the arguments and turns them into engine options for
// rawURL, reading the files and stdin they name. a is not changed.
func (a Args) Options(rawURL string, env Env) (*trace.Options, error) {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	u, err := trace.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	o := &trace.Options{URL: u, Method: a.Method, UserAgent: a.UserAgent, Head: a.Head, Insecure: a.Insecure, NoSessionID: a.NoSessionID}
	if strings.ContainsFunc(a.Method, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return nil, trace.BadInput("-X %q is not a method name: use letters such as GET or PATCH", a.Method)
	}
	if err := a.checkHeaderValues(); err != nil {
		return nil, err
	}
	for _, h := range a.Headers {
		e, err := trace.ParseHeader(h)
		if err != nil {
			return nil, err
		}
		o.Headers = append(o.Headers, e)
	}
	if err := a.readInputs(env, o); err != nil {
		return nil, err
	}
	if err := a.network(o, env.Getenv); err != nil {
		return nil, err
	}
	if err := o.HTTP3OnlyError(o.URL); err != nil { // before anything runs
		return nil, err
	}
	return o, nil
}

// checkHeaderValues refuses a line break or NUL in the arguments whose
// values go into a request header as given: a CR or LF would end the
// header line and start one the user never wrote (header injection), on
// HTTP/1.1 and HTTP/2 alike. -H is checked by trace.ParseHeader, -F by
// addFormPart.
func (a *Args) checkHeaderValues() error {
	for _, v := range []struct{ flag, value string }{
		{"-A/--user-agent", a.UserAgent},
		{"-e/--referer", a.Referer},
		{"-b/--cookie", a.Cookie},
		{"-u/--user", a.User},
		{"-U/--proxy-user", a.ProxyUser},
		{"--oauth2-bearer", a.Bearer},
		{"-r/--range", a.Range},
	} {
		if err := headerSafe(v.flag, v.value); err != nil {
			return err
		}
	}
	return nil
}

// headerSafe refuses CR, LF and NUL in a value that goes into a header.
func headerSafe(flag, value string) error {
	if i := strings.IndexAny(value, "\r\n\x00"); i >= 0 {
		return trace.BadInput("%s holds %s, which would end the header line and inject another: give the value on one line, without control characters", flag, controlName(value[i]))
	}
	return nil
}

func controlName(c byte) string {
	switch c {
	case '\r':
		return "a carriage return (\\r)"
	case '\n':
		return "a line feed (\\n)"
	}
	return "a NUL byte (\\x00)"
}

// readInputs reads the files and stdin the arguments point at.
func (a *Args) readInputs(env Env, o *trace.Options) error {
	if len(a.Data) > 0 {
		body, err := requestBody(env.Stdin, a.Data)
		if err != nil {
			return err
		}
		o.Body, o.ContentType = body, "application/x-www-form-urlencoded"
	}
	if len(a.Forms) > 0 {
		body, ctype, err := formBody(env.Stdin, a.Forms)
		if err != nil {
			return err
		}
		o.Body, o.ContentType = body, ctype
	}
	if err := a.shapeRequest(env, o); err != nil {
		return err
	}
	if a.User != "" {
		name, pass, ok := strings.Cut(a.User, ":")
		if !ok {
			return trace.BadInput("-u %q has no password: write -u USER:PASSWORD (reqtrace does not prompt)", a.User)
		}
		o.User = url.UserPassword(name, pass)
	}
	if err := a.cookies(o); err != nil {
		return err
	}
	ref, auto := strings.CutSuffix(a.Referer, ";auto")
	o.Referer, o.RefererAuto, o.Compressed, o.Revalidate = ref, auto, a.Compressed, a.Revalidate
	if a.CACert != "" {
		b, err := ReadInput("--cacert", a.CACert, nil, MaxPEM)
		if err != nil {
			return err
		}
		o.CACert = b
	}
	if a.Cert != "" {
		cert, err := loadClientCert(a.Cert, a.Key)
		if err != nil {
			return err
		}
		o.ClientCert = cert
	} else if a.Key != "" {
		return trace.BadInput("--key needs --cert: give the certificate with -E/--cert FILE")
	}
	return nil
}

// cookies reads -b: a "name=value" string is sent as it is, anything else
// names a cookie file; either way the cookie engine is on, as in curl.
func (a *Args) cookies(o *trace.Options) error {
	if a.Cookie == "" && !a.CookieSet {
		o.CookieJar = a.CookieJar // -c alone turns the engine on too, as in curl
		return nil
	}
	o.CookieJar = true
	if strings.Contains(a.Cookie, "=") || a.Cookie == "" {
		o.Cookie = a.Cookie
		return nil
	}
	b, err := ReadInput("-b", a.Cookie, nil, MaxCookies)
	if err != nil {
		return err
	}
	o.Cookies, err = trace.ParseCookieFile(bytes.NewReader(b))
	if err != nil {
		return trace.BadInput("-b %s: %v", a.Cookie, err)
	}
	for _, fc := range o.Cookies { // they go into the Cookie header as written
		if err := headerSafe("-b "+a.Cookie+": the cookie "+strconv.Quote(fc.Cookie.Name), fc.Cookie.Name+fc.Cookie.Value); err != nil {
			return err
		}
	}
	return nil
}

// proxies reads -x, -U, --noproxy and the proxy environment curl reads.
func (a *Args) proxies(o *trace.Options, getenv func(string) string) error {
	pc, err := trace.ProxyFromEnv(getenv)
	if err != nil {
		return err
	}
	if a.Proxy != "" {
		if pc.Explicit, err = trace.ParseProxy(a.Proxy); err != nil {
			return err
		}
	}
	if a.NoProxy != "" {
		pc.NoProxy = trace.SplitNoProxy(a.NoProxy)
	}
	if a.ProxyUser != "" {
		user, pass, ok := strings.Cut(a.ProxyUser, ":")
		if !ok {
			return trace.BadInput("-U %q has no password: write -U USER:PASSWORD", a.ProxyUser)
		}
		for _, px := range []*url.URL{pc.Explicit, pc.HTTP, pc.HTTPS, pc.All} {
			if px != nil {
				px.User = url.UserPassword(user, pass)
			}
		}
	}
	o.Proxy = pc
	return nil
}

// network checks the arguments that shape DNS, connect and timing.
func (a *Args) network(o *trace.Options, getenv func(string) string) error {
	for _, r := range a.Resolve {
		e, err := trace.ParseResolve(r)
		if err != nil {
			return err
		}
		o.Resolve = append(o.Resolve, e)
	}
	if a.DNSServers != "" {
		s, err := trace.ParseDNSServers(a.DNSServers)
		if err != nil {
			return err
		}
		o.DNSServers = s
	}
	switch {
	case a.IPv4:
		o.IPVersion = 4
	case a.IPv6:
		o.IPVersion = 6
	}
	switch {
	case a.HTTP11:
		o.HTTP = "1.1"
	case a.HTTP2:
		o.HTTP = "2"
	case a.HTTP2Prior:
		o.HTTP = "2-prior"
	case a.HTTP3:
		o.HTTP = "3"
	case a.HTTP3Only:
		o.HTTP = "3-only"
	}
	for _, c := range a.ConnectTo {
		rule, err := trace.ParseConnectTo(c)
		if err != nil {
			return err
		}
		o.ConnectTo = append(o.ConnectTo, rule)
	}
	o.UnixSocket = a.UnixSocket
	if err := a.proxies(o, getenv); err != nil {
		return err
	}
	if err := a.tlsVersions(o); err != nil {
		return err
	}
	if a.Retry < 0 {
		return trace.BadInput("--retry %d: give a number of retries, 0 or more", a.Retry)
	}
	o.Retry = a.Retry
	var err error
	if o.RetryDelay, err = Seconds("--retry-delay", a.RetryDelay); err != nil {
		return err
	}
	if o.RetryMaxTime, err = Seconds("--retry-max-time", a.RetryMaxTime); err != nil {
		return err
	}
	if a.MaxRedirs < -1 {
		return trace.BadInput("--max-redirs %d: give a number of redirects, or -1 for no limit", a.MaxRedirs)
	}
	o.FollowRedirects, o.MaxRedirects = a.Location || a.LocationTrusted, a.MaxRedirs
	o.LocationTrusted = a.LocationTrusted
	if o.MaxTime, err = Seconds("-m/--max-time", a.MaxTime); err != nil {
		return err
	}
	o.ConnectTimeout, err = Seconds("--connect-timeout", a.ConnectTimeout)
	return err
}

var tlsVersions = map[string]uint16{"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

// tlsVersions reads --tlsv1.x (the lowest version) and --tls-max.
func (a *Args) tlsVersions(o *trace.Options) error {
	switch {
	case a.TLS13:
		o.TLSMin = tls.VersionTLS13
	case a.TLS12:
		o.TLSMin = tls.VersionTLS12
	case a.TLS11:
		o.TLSMin = tls.VersionTLS11
	case a.TLS10:
		o.TLSMin = tls.VersionTLS10
	}
	if a.TLSMax == "" || a.TLSMax == "default" {
		return nil
	}
	v, ok := tlsVersions[a.TLSMax]
	if !ok {
		return trace.BadInput("--tls-max %q: want 1.0, 1.1, 1.2, 1.3 or default", a.TLSMax)
	}
	if o.TLSMin > v {
		return trace.BadInput("--tls-max %s is below the lowest version asked for: drop one of the two", a.TLSMax)
	}
	o.TLSMax = v
	return nil
}

// Seconds checks a curl-style time in seconds, flag naming it.
func Seconds(flag string, s float64) (time.Duration, error) {
	if s < 0 || math.IsNaN(s) || math.IsInf(s, 0) || s > 1e6 {
		return 0, trace.BadInput("%s %v is not a number of seconds between 0 and 1000000", flag, s)
	}
	return time.Duration(s * float64(time.Second)), nil
}

func loadClientCert(certFile, keyFile string) (*tls.Certificate, error) {
	certPEM, err := ReadInput("--cert", certFile, nil, MaxPEM)
	if err != nil {
		return nil, err
	}
	keyPEM := certPEM
	if keyFile != "" {
		if keyPEM, err = ReadInput("--key", keyFile, nil, MaxPEM); err != nil {
			return nil, err
		}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, trace.BadInput("--cert %s: %v; give a PEM certificate and its key (--key FILE if separate)", certFile, err)
	}
	return &cert, nil
}
