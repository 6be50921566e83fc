package cmd

// This file holds the trace flags, curl's names and meanings, and turns
// them into engine options; cors reuses part of them.

import (
	"bytes"
	"crypto/tls"
	"math"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/altsvc"
)

// traceFlags holds the trace flags as given; toOptions checks them.
type traceFlags struct {
	method, userAgent, user, cacert, cert, key string
	headers, forms, resolve                    []string
	data                                       []dataArg
	dnsServers, output                         string
	cookie, referer                            string
	compressed, cookieSet, revalidate          bool
	connectTo                                  []string
	unixSocket, tlsMax                         string
	tls10, tls11, tls12, tls13, h2Prior        bool
	http3, http3Only                           bool
	include, silent, showError, remoteName     bool
	retry                                      int
	retryDelay, retryMaxTime                   float64
	writeOut, proxy, noProxy, proxyUser        string
	harFile                                    string
	asserts                                    []string
	otlp, traceparent                          string
	insecure, ipv4, ipv6, http11, http2, head  bool
	location, fresh, writeOutSet, noSessionID  bool // writeOutSet: -w given, even '' (prints nothing, as curl)
	locationTrusted                            bool
	maxRedirs, count                           int
	interval                                   float64
	fail, verbose, json, showSecrets           bool
	maxTime, connectTimeout                    float64
	get                                        bool   // -G
	bearer, byteRange, uploadFile, dumpHeader  string // --oauth2-bearer, -r, -T, -D
	cookieJar                                  string // -c
	altSvc                                     string // --alt-svc (altsvc.go)
	altSvcCache                                *altsvc.Cache
}

// addTraceFlags registers the trace flags (curl's names) on c; the root
// command carries them too, for the `reqtrace URL` shortcut.
func addTraceFlags(c *cobra.Command, o *traceFlags) {
	f := c.Flags()
	f.SortFlags = false
	f.StringVarP(&o.method, "request", "X", "", "`METHOD` to send: GET, POST, ... (default GET, or POST with -d)")
	f.StringArrayVarP(&o.headers, "header", "H", nil, "`HEADER` to add, \"Name: value\" (repeatable; \"Name:\" removes one of ours)")
	f.VarP(dataFlag{"data", &o.data}, "data", "d", "`DATA` to send as the body, with POST; @file reads a file (CR/LF stripped), @- stdin (repeatable, joined with &)")
	f.Var(dataFlag{"data-binary", &o.data}, "data-binary", "`DATA` like -d, but @file is sent exactly as it is")
	f.Var(dataFlag{"data-raw", &o.data}, "data-raw", "`DATA` like -d, but @ has no special meaning")
	f.Var(dataFlag{"data-urlencode", &o.data}, "data-urlencode", "`DATA` like -d, URL-encoded: content, name=content, @file or name@file")
	f.StringArrayVarP(&o.forms, "form", "F", nil, "`FIELD` of a multipart form: name=value, name=@file[;type=T][;filename=F] or name=<file (repeatable)")
	f.StringVarP(&o.user, "user", "u", "", "`USER:PASSWORD` for basic authentication")
	f.StringVarP(&o.userAgent, "user-agent", "A", "", "`NAME` to send as User-Agent (default reqtrace/VERSION)")
	f.BoolVarP(&o.head, "head", "I", false, "send HEAD and read no body")
	f.BoolVarP(&o.get, "get", "G", false, "put the -d data in the URL's query and send GET (HEAD with -I)")
	f.StringVarP(&o.uploadFile, "upload-file", "T", "", "`FILE` to send as the body of a PUT (- for stdin); a URL ending in / gets the file's name")
	f.StringVarP(&o.byteRange, "range", "r", "", "`RANGE` of bytes to ask for: 0-499, 500-, -500 or several joined by commas")
	f.StringVar(&o.bearer, "oauth2-bearer", "", "`TOKEN` to send as Authorization: Bearer (dropped on a redirect to another origin, like -u)")
	f.StringVarP(&o.cookie, "cookie", "b", "", "`COOKIES` to send, \"name=value; n2=v2\", or a cookie file to load; turns on the cookie engine across redirects")
	f.StringVarP(&o.cookieJar, "cookie-jar", "c", "", "`FILE` to save the cookie engine's cookies in at the end (Netscape format, -b reads it); turns the engine on")
	f.StringVarP(&o.referer, "referer", "e", "", "`URL` to send as Referer; \";auto\" (alone or after a URL) sets it on redirects")
	f.BoolVar(&o.revalidate, "revalidate", false, "then send the conditional request a cache would (If-None-Match/If-Modified-Since) and show whether 304 comes back")
	f.BoolVar(&o.compressed, "compressed", false, "ask for a compressed body (gzip, deflate), decode it, report wire and decoded sizes")
	f.BoolVarP(&o.insecure, "insecure", "k", false, "do not fail on certificate problems (they are still reported)")
	f.StringVar(&o.cacert, "cacert", "", "`FILE` of PEM CA certificates to trust instead of the system's")
	f.StringVarP(&o.cert, "cert", "E", "", "`FILE` of the client certificate, PEM (it may also hold the key)")
	f.StringVar(&o.key, "key", "", "`FILE` of the private key for --cert, PEM")
	f.StringArrayVar(&o.resolve, "resolve", nil, "`HOST:PORT:ADDR[,ADDR]` use these addresses, skip DNS (repeatable)")
	f.StringVar(&o.dnsServers, "dns-servers", "", "`ADDR[:PORT][,...]` DNS servers to ask instead of /etc/resolv.conf's")
	f.StringVarP(&o.proxy, "proxy", "x", "", "`URL` of the proxy: [http://|https://|socks5://|socks5h://][user:password@]host[:port] (default port 1080; HTTPS through CONNECT)")
	f.StringVarP(&o.proxyUser, "proxy-user", "U", "", "`USER:PASSWORD` for the proxy")
	f.StringVar(&o.noProxy, "noproxy", "", "`LIST` of hosts, domains, IPs or CIDR ranges to reach without the proxy (\"*\": all)")
	f.StringArrayVar(&o.connectTo, "connect-to", nil, "`HOST1:PORT1:HOST2:PORT2` connect there instead, keeping Host and TLS name (repeatable)")
	f.StringVar(&o.unixSocket, "unix-socket", "", "`PATH` connect through this Unix socket instead of TCP")
	f.BoolVarP(&o.ipv4, "ipv4", "4", false, "use IPv4 addresses only")
	f.BoolVarP(&o.ipv6, "ipv6", "6", false, "use IPv6 addresses only")
	f.BoolVar(&o.http11, "http1.1", false, "use HTTP/1.1 only")
	f.BoolVar(&o.http2, "http2", false, "use HTTP/2 (over TLS, via ALPN; the default for https)")
	f.BoolVar(&o.h2Prior, "http2-prior-knowledge", false, "speak HTTP/2 at once, without TLS on http:// (h2c)")
	f.BoolVar(&o.http3, "http3", false, "try HTTP/3 over QUIC (UDP) first on https://, falling back to TCP and saying why")
	f.BoolVar(&o.http3Only, "http3-only", false, "use HTTP/3 over QUIC only: no TCP fallback")
	f.BoolVar(&o.tls10, "tlsv1.0", false, "TLS 1.0 or later")
	f.BoolVar(&o.tls10, "tlsv1", false, "TLS 1.0 or later")
	f.BoolVar(&o.tls11, "tlsv1.1", false, "TLS 1.1 or later")
	f.BoolVar(&o.tls12, "tlsv1.2", false, "TLS 1.2 or later (the default)")
	f.BoolVar(&o.tls13, "tlsv1.3", false, "TLS 1.3 only")
	f.StringVar(&o.tlsMax, "tls-max", "", "`VERSION` the newest TLS to offer: 1.0, 1.1, 1.2, 1.3 or default")
	f.Float64VarP(&o.maxTime, "max-time", "m", 0, "`SECONDS` a trace may take, redirects included (each --retry attempt gets its own; 0: no limit)")
	f.Float64Var(&o.connectTimeout, "connect-timeout", 0, "`SECONDS` DNS, TCP and TLS may take together (default 30)")
	f.BoolVarP(&o.location, "location", "L", false, "follow redirects, hop by hop (each hop timed on its own)")
	f.IntVar(&o.maxRedirs, "max-redirs", 50, "`N` redirects -L follows at most (-1: no limit; 50 as curl)")
	f.BoolVar(&o.locationTrusted, "location-trusted", false, "like -L, and send -u/--oauth2-bearer credentials and -H Authorization on to other hosts too (as curl)")
	f.IntVarP(&o.count, "count", "n", 1, "`N` runs of the same request, with per-phase statistics (run 1 is cold, the rest reuse the connection)")
	f.Float64Var(&o.interval, "interval", 0, "`SECONDS` to pause between runs with -n")
	f.BoolVar(&o.fresh, "fresh", false, "with -n, open a new connection for every run (no reuse; the TLS session is still resumed, as curl and browsers do)")
	f.BoolVar(&o.noSessionID, "no-sessionid", false, "do not resume TLS sessions: every new connection makes a full handshake")
	f.StringVarP(&o.output, "output", "o", "", "`FILE` to write the response body to")
	f.BoolVarP(&o.remoteName, "remote-name", "O", false, "write the body to a file named like the URL's last path segment")
	f.BoolVarP(&o.include, "include", "i", false, "show the response body in the report (up to 64 KiB, made safe for the terminal)")
	f.BoolVarP(&o.silent, "silent", "s", false, "no error message on stderr (the exit code still tells)")
	f.BoolVarP(&o.showError, "show-error", "S", false, "with -s, still show the error message")
	f.IntVar(&o.retry, "retry", 0, "`N` times to repeat a request that timed out or got 408/429/500/502/503/504 (idempotent methods only)")
	f.Float64Var(&o.retryDelay, "retry-delay", 0, "`SECONDS` between retries (default: Retry-After, else 1 s doubling)")
	f.Float64Var(&o.retryMaxTime, "retry-max-time", 0, "`SECONDS` after which no retry starts (0: no limit)")
	f.BoolVarP(&o.fail, "fail", "f", false, "exit 22 when the HTTP status is 400 or more")
	f.StringVar(&o.otlp, "otlp", "", "`ENDPOINT` (OTLP/HTTP, e.g. http://127.0.0.1:4318) to send the trace to as OpenTelemetry spans; OTEL_EXPORTER_OTLP_ENDPOINT works too")
	f.StringVar(&o.traceparent, "traceparent", "", "W3C `TRACEPARENT` to join (00-TRACEID-SPANID-01), or off; with --otlp a new trace is started and sent on every request")
	f.StringArrayVar(&o.asserts, "assert", nil, "`EXPR` that must hold, or exit 4 (repeatable): 'status == 200', 'timings.wait < 200ms', 'p95(timings.total) < 300ms' with -n")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "also show the request headers, the certificate chain and every DNS query")
	f.BoolVar(&o.json, "json", false, "print one JSON document (schema reqtrace.trace/v1) instead of text")
	f.StringVar(&o.harFile, "har", "", "`FILE` to write the trace to as HAR 1.2, as well (one entry per hop)")
	f.StringVarP(&o.dumpHeader, "dump-header", "D", "", "`FILE` to write the response headers to, as received, as well (every hop and 1xx)")
	f.BoolVar(&o.showSecrets, "show-secrets", false, "show Authorization, Cookie and Set-Cookie values, URL passwords and JWT signatures (hidden by default)")
	f.StringVarP(&o.writeOut, "write-out", "w", "", "`FORMAT` to print with curl's %{variables} instead of the report (@file, @- for stdin)")
	addH3Flags(c, o)
	groupTraceFlags(c)
	c.MarkFlagsMutuallyExclusive("ipv4", "ipv6")
	c.MarkFlagsMutuallyExclusive("http1.1", "http2", "http2-prior-knowledge", "http3", "http3-only")
	c.MarkFlagsMutuallyExclusive("output", "remote-name")
	c.MarkFlagsMutuallyExclusive("json", "write-out")
	c.MarkFlagsMutuallyExclusive("head", "form")
	c.MarkFlagsMutuallyExclusive("data", "form")
	c.MarkFlagsMutuallyExclusive("data-binary", "form")
	c.MarkFlagsMutuallyExclusive("data-raw", "form")
	c.MarkFlagsMutuallyExclusive("data-urlencode", "form")
	for _, other := range []string{"data", "data-binary", "data-raw", "data-urlencode", "form", "head", "get"} {
		c.MarkFlagsMutuallyExclusive("upload-file", other) // each pair: -d and --data-urlencode go together
	}
	c.MarkFlagsMutuallyExclusive("get", "form")
	c.MarkFlagsMutuallyExclusive("user", "oauth2-bearer")
	_ = c.RegisterFlagCompletionFunc("request", cobra.FixedCompletions([]cobra.Completion{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}, cobra.ShellCompDirectiveNoFileComp))
}

func (f *traceFlags) style(ios *IO) (render.Style, error) {
	on, err := colorOn(ios)
	if err != nil {
		return render.Style{}, err
	}
	return render.Style{Color: on, Width: ios.Width, Verbose: f.verbose, Include: f.include}, nil
}

// toOptions validates the flags and turns them into engine options. It
// returns a func that closes the -o file; ok says the transfer succeeded
// (see outputFile).
func (f *traceFlags) toOptions(ios *IO, rawURL string) (*trace.Options, func(ok bool) error, error) {
	noop := func(bool) error { return nil }
	u, err := trace.ParseURL(rawURL)
	if err != nil {
		return nil, noop, err
	}
	o := &trace.Options{URL: u, Method: f.method, UserAgent: f.userAgent, Head: f.head, Insecure: f.insecure, NoSessionID: f.noSessionID}
	if strings.ContainsFunc(f.method, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return nil, noop, trace.BadInput("-X %q is not a method name: use letters such as GET or PATCH", f.method)
	}
	if err := f.checkHeaderValues(); err != nil {
		return nil, noop, err
	}
	for _, h := range f.headers {
		e, err := trace.ParseHeader(h)
		if err != nil {
			return nil, noop, err
		}
		o.Headers = append(o.Headers, e)
	}
	if err := f.readInputs(ios, o); err != nil {
		return nil, noop, err
	}
	if err := f.network(o, ios.Getenv); err != nil {
		return nil, noop, err
	}
	if err := f.loadAltSvc(o); err != nil {
		return nil, noop, err
	}
	if f.cookieJar == "-" {
		return nil, noop, trace.BadInput("-c - is not supported: the report uses stdout; give a file name")
	}
	if f.dumpHeader == "-" {
		return nil, noop, trace.BadInput("-D - is not supported: the report already shows the headers on stdout; give a file name")
	}
	if f.remoteName {
		name := path.Base(u.Path)
		if name == "/" || name == "." || name == "" {
			return nil, noop, trace.BadInput("-O: the URL %s has no file name to save to; use -o FILE", u.Redacted())
		}
		f.output = name
	}
	if f.output == "" {
		return o, noop, nil
	}
	if f.output == "-" {
		return nil, noop, trace.BadInput("-o - is not supported: the report uses stdout; give a file name")
	}
	file, err := openOutput(f.output)
	if err != nil {
		return nil, noop, err
	}
	o.Output, o.OutputName, o.SkipErrorBody = file, f.output, f.fail
	return o, file.finish, nil
}

// checkHeaderValues refuses a line break or NUL in the flags whose values
// go into a request header as given: a CR or LF would end the header line
// and start one the user never wrote (header injection), on HTTP/1.1 and
// HTTP/2 alike. -H is checked by trace.ParseHeader, -F by addFormPart.
func (f *traceFlags) checkHeaderValues() error {
	for _, v := range []struct{ flag, value string }{
		{"-A/--user-agent", f.userAgent},
		{"-e/--referer", f.referer},
		{"-b/--cookie", f.cookie},
		{"-u/--user", f.user},
		{"-U/--proxy-user", f.proxyUser},
		{"--oauth2-bearer", f.bearer},
		{"-r/--range", f.byteRange},
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

// readInputs reads the files and stdin the flags point at.
func (f *traceFlags) readInputs(ios *IO, o *trace.Options) error {
	if len(f.data) > 0 {
		body, err := requestBody(ios.In, f.data)
		if err != nil {
			return err
		}
		o.Body, o.ContentType = body, "application/x-www-form-urlencoded"
	}
	if len(f.forms) > 0 {
		body, ctype, err := formBody(ios.In, f.forms)
		if err != nil {
			return err
		}
		o.Body, o.ContentType = body, ctype
	}
	if err := f.shapeRequest(ios, o); err != nil {
		return err
	}
	if f.user != "" {
		name, pass, ok := strings.Cut(f.user, ":")
		if !ok {
			return trace.BadInput("-u %q has no password: write -u USER:PASSWORD (reqtrace does not prompt)", f.user)
		}
		o.User = urlUser(name, pass)
	}
	if name, ok := strings.CutPrefix(f.writeOut, "@"); ok {
		b, err := readInput("-w", name, ios.In, maxWriteOut)
		if err != nil {
			return err
		}
		f.writeOut = string(b)
	}
	if err := f.cookies(o); err != nil {
		return err
	}
	ref, auto := strings.CutSuffix(f.referer, ";auto")
	o.Referer, o.RefererAuto, o.Compressed, o.Revalidate = ref, auto, f.compressed, f.revalidate
	if f.cacert != "" {
		b, err := readInput("--cacert", f.cacert, nil, maxPEM)
		if err != nil {
			return err
		}
		o.CACert = b
	}
	if f.cert != "" {
		cert, err := loadClientCert(f.cert, f.key)
		if err != nil {
			return err
		}
		o.ClientCert = cert
	} else if f.key != "" {
		return trace.BadInput("--key needs --cert: give the certificate with -E/--cert FILE")
	}
	return nil
}

// cookies reads -b: a "name=value" string is sent as it is, anything else
// names a cookie file; either way the cookie engine is on, as in curl.
func (f *traceFlags) cookies(o *trace.Options) error {
	if f.cookie == "" && !f.cookieSet {
		o.CookieJar = f.cookieJar != "" // -c alone turns the engine on too, as in curl
		return nil
	}
	o.CookieJar = true
	if strings.Contains(f.cookie, "=") || f.cookie == "" {
		o.Cookie = f.cookie
		return nil
	}
	b, err := readInput("-b", f.cookie, nil, maxCookies)
	if err != nil {
		return err
	}
	o.Cookies, err = trace.ParseCookieFile(bytes.NewReader(b))
	if err != nil {
		return trace.BadInput("-b %s: %v", f.cookie, err)
	}
	for _, fc := range o.Cookies { // they go into the Cookie header as written
		if err := headerSafe("-b "+f.cookie+": the cookie "+strconv.Quote(fc.Cookie.Name), fc.Cookie.Name+fc.Cookie.Value); err != nil {
			return err
		}
	}
	return nil
}

// proxies reads -x, -U, --noproxy and the proxy environment curl reads.
func (f *traceFlags) proxies(o *trace.Options, getenv func(string) string) error {
	pc, err := trace.ProxyFromEnv(getenv)
	if err != nil {
		return err
	}
	if f.proxy != "" {
		if pc.Explicit, err = trace.ParseProxy(f.proxy); err != nil {
			return err
		}
	}
	if f.noProxy != "" {
		pc.NoProxy = trace.SplitNoProxy(f.noProxy)
	}
	if f.proxyUser != "" {
		user, pass, ok := strings.Cut(f.proxyUser, ":")
		if !ok {
			return trace.BadInput("-U %q has no password: write -U USER:PASSWORD", f.proxyUser)
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

// network checks the flags that shape DNS, connect and timing.
func (f *traceFlags) network(o *trace.Options, getenv func(string) string) error {
	for _, r := range f.resolve {
		e, err := trace.ParseResolve(r)
		if err != nil {
			return err
		}
		o.Resolve = append(o.Resolve, e)
	}
	if f.dnsServers != "" {
		s, err := trace.ParseDNSServers(f.dnsServers)
		if err != nil {
			return err
		}
		o.DNSServers = s
	}
	switch {
	case f.ipv4:
		o.IPVersion = 4
	case f.ipv6:
		o.IPVersion = 6
	}
	switch {
	case f.http11:
		o.HTTP = "1.1"
	case f.http2:
		o.HTTP = "2"
	case f.h2Prior:
		o.HTTP = "2-prior"
	case f.http3:
		o.HTTP = "3"
	case f.http3Only:
		o.HTTP = "3-only"
	}
	for _, c := range f.connectTo {
		rule, err := trace.ParseConnectTo(c)
		if err != nil {
			return err
		}
		o.ConnectTo = append(o.ConnectTo, rule)
	}
	o.UnixSocket = f.unixSocket
	if err := f.proxies(o, getenv); err != nil {
		return err
	}
	if err := f.tlsVersions(o); err != nil {
		return err
	}
	if f.retry < 0 {
		return trace.BadInput("--retry %d: give a number of retries, 0 or more", f.retry)
	}
	o.Retry = f.retry
	var derr error
	if o.RetryDelay, derr = seconds("--retry-delay", f.retryDelay); derr != nil {
		return derr
	}
	if o.RetryMaxTime, derr = seconds("--retry-max-time", f.retryMaxTime); derr != nil {
		return derr
	}
	if f.include {
		o.PreviewBytes = includeBytes
	}
	if f.count < 1 || f.count > 100000 {
		return trace.BadInput("-n %d: give a number of runs from 1 to 100000", f.count)
	}
	if f.maxRedirs < -1 {
		return trace.BadInput("--max-redirs %d: give a number of redirects, or -1 for no limit", f.maxRedirs)
	}
	o.FollowRedirects, o.MaxRedirects = f.location || f.locationTrusted, f.maxRedirs
	o.LocationTrusted = f.locationTrusted
	var err error
	if o.MaxTime, err = seconds("-m/--max-time", f.maxTime); err != nil {
		return err
	}
	o.ConnectTimeout, err = seconds("--connect-timeout", f.connectTimeout)
	return err
}

// includeBytes is how much body -i keeps and shows.
const includeBytes = 64 << 10

var tlsVersions = map[string]uint16{"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

// tlsVersions reads --tlsv1.x (the lowest version) and --tls-max.
func (f *traceFlags) tlsVersions(o *trace.Options) error {
	switch {
	case f.tls13:
		o.TLSMin = tls.VersionTLS13
	case f.tls12:
		o.TLSMin = tls.VersionTLS12
	case f.tls11:
		o.TLSMin = tls.VersionTLS11
	case f.tls10:
		o.TLSMin = tls.VersionTLS10
	}
	if f.tlsMax == "" || f.tlsMax == "default" {
		return nil
	}
	v, ok := tlsVersions[f.tlsMax]
	if !ok {
		return trace.BadInput("--tls-max %q: want 1.0, 1.1, 1.2, 1.3 or default", f.tlsMax)
	}
	if o.TLSMin > v {
		return trace.BadInput("--tls-max %s is below the lowest version asked for: drop one of the two", f.tlsMax)
	}
	o.TLSMax = v
	return nil
}

func seconds(flag string, s float64) (time.Duration, error) {
	if s < 0 || math.IsNaN(s) || math.IsInf(s, 0) || s > 1e6 {
		return 0, trace.BadInput("%s %v is not a number of seconds between 0 and 1000000", flag, s)
	}
	return time.Duration(s * float64(time.Second)), nil
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func loadClientCert(certFile, keyFile string) (*tls.Certificate, error) {
	certPEM, err := readInput("--cert", certFile, nil, maxPEM)
	if err != nil {
		return nil, err
	}
	keyPEM := certPEM
	if keyFile != "" {
		if keyPEM, err = readInput("--key", keyFile, nil, maxPEM); err != nil {
			return nil, err
		}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, trace.BadInput("--cert %s: %v; give a PEM certificate and its key (--key FILE if separate)", certFile, err)
	}
	return &cert, nil
}
