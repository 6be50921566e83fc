package cmd

// This file holds the trace flags, curl's names and meanings, and turns
// them into engine options; cors reuses part of them.

import (
	"fmt"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/altsvc"
	"github.com/reqtrace/reqtrace/trace/curlargs"
)

// traceFlags holds the trace flags as given: curl's request arguments in
// req (checked by curlargs), the rest here; toOptions checks them.
type traceFlags struct {
	req                                    curlargs.Args
	output                                 string
	include, silent, showError, remoteName bool
	writeOut                               string
	harFile                                string
	asserts                                []string
	otlp, traceparent                      string
	fresh, writeOutSet                     bool // writeOutSet: -w given, even '' (prints nothing, as curl)
	count                                  int
	interval                               float64
	fail, verbose, json, showSecrets       bool
	dumpHeader                             string // -D
	cookieJar                              string // -c
	altSvc                                 string // --alt-svc (altsvc.go)
	altSvcCache                            *altsvc.Cache
	compare                                bool // --compare-protocols (compare.go)
}

// addTraceFlags registers the trace flags (curl's names) on c; the root
// command carries them too, for the `reqtrace URL` shortcut.
func addTraceFlags(c *cobra.Command, o *traceFlags) {
	f := c.Flags()
	f.SortFlags = false
	f.StringVarP(&o.req.Method, "request", "X", "", "`METHOD` to send: GET, POST, ... (default GET, or POST with -d)")
	f.StringArrayVarP(&o.req.Headers, "header", "H", nil, "`HEADER` to add, \"Name: value\" (repeatable; \"Name:\" removes one of ours)")
	f.VarP(dataFlag{"data", &o.req.Data}, "data", "d", "`DATA` to send as the body, with POST; @file reads a file (CR/LF stripped), @- stdin (repeatable, joined with &)")
	f.Var(dataFlag{"data-binary", &o.req.Data}, "data-binary", "`DATA` like -d, but @file is sent exactly as it is")
	f.Var(dataFlag{"data-raw", &o.req.Data}, "data-raw", "`DATA` like -d, but @ has no special meaning")
	f.Var(dataFlag{"data-urlencode", &o.req.Data}, "data-urlencode", "`DATA` like -d, URL-encoded: content, name=content, @file or name@file")
	f.StringArrayVarP(&o.req.Forms, "form", "F", nil, "`FIELD` of a multipart form: name=value, name=@file[;type=T][;filename=F] or name=<file (repeatable)")
	f.StringVarP(&o.req.User, "user", "u", "", "`USER:PASSWORD` for basic authentication")
	f.StringVarP(&o.req.UserAgent, "user-agent", "A", "", "`NAME` to send as User-Agent (default reqtrace/VERSION)")
	f.BoolVarP(&o.req.Head, "head", "I", false, "send HEAD and read no body")
	f.BoolVarP(&o.req.Get, "get", "G", false, "put the -d data in the URL's query and send GET (HEAD with -I)")
	f.StringVarP(&o.req.Upload, "upload-file", "T", "", "`FILE` to send as the body of a PUT (- for stdin); a URL ending in / gets the file's name")
	f.StringVarP(&o.req.Range, "range", "r", "", "`RANGE` of bytes to ask for: 0-499, 500-, -500 or several joined by commas")
	f.StringVar(&o.req.Bearer, "oauth2-bearer", "", "`TOKEN` to send as Authorization: Bearer (dropped on a redirect to another origin, like -u)")
	f.StringVarP(&o.req.Cookie, "cookie", "b", "", "`COOKIES` to send, \"name=value; n2=v2\", or a cookie file to load; turns on the cookie engine across redirects")
	f.StringVarP(&o.cookieJar, "cookie-jar", "c", "", "`FILE` to save the cookie engine's cookies in at the end (Netscape format, -b reads it); turns the engine on")
	f.StringVarP(&o.req.Referer, "referer", "e", "", "`URL` to send as Referer; \";auto\" (alone or after a URL) sets it on redirects")
	f.BoolVar(&o.req.Revalidate, "revalidate", false, "then send the conditional request a cache would (If-None-Match/If-Modified-Since) and show whether 304 comes back")
	f.BoolVar(&o.req.Compressed, "compressed", false, "ask for a compressed body (gzip, deflate), decode it, report wire and decoded sizes")
	f.BoolVarP(&o.req.Insecure, "insecure", "k", false, "do not fail on certificate problems (they are still reported)")
	f.StringVar(&o.req.CACert, "cacert", "", "`FILE` of PEM CA certificates to trust instead of the system's")
	f.StringVarP(&o.req.Cert, "cert", "E", "", "`FILE` of the client certificate, PEM (it may also hold the key)")
	f.StringVar(&o.req.Key, "key", "", "`FILE` of the private key for --cert, PEM")
	f.StringArrayVar(&o.req.Resolve, "resolve", nil, "`HOST:PORT:ADDR[,ADDR]` use these addresses, skip DNS (repeatable)")
	f.StringVar(&o.req.DNSServers, "dns-servers", "", "`ADDR[:PORT][,...]` DNS servers to ask instead of /etc/resolv.conf's")
	f.StringVarP(&o.req.Proxy, "proxy", "x", "", "`URL` of the proxy: [http://|https://|socks5://|socks5h://][user:password@]host[:port] (default port 1080; HTTPS through CONNECT)")
	f.StringVarP(&o.req.ProxyUser, "proxy-user", "U", "", "`USER:PASSWORD` for the proxy")
	f.StringVar(&o.req.NoProxy, "noproxy", "", "`LIST` of hosts, domains, IPs or CIDR ranges to reach without the proxy (\"*\": all)")
	f.StringArrayVar(&o.req.ConnectTo, "connect-to", nil, "`HOST1:PORT1:HOST2:PORT2` connect there instead, keeping Host and TLS name (repeatable)")
	f.StringVar(&o.req.UnixSocket, "unix-socket", "", "`PATH` connect through this Unix socket instead of TCP")
	f.BoolVarP(&o.req.IPv4, "ipv4", "4", false, "use IPv4 addresses only")
	f.BoolVarP(&o.req.IPv6, "ipv6", "6", false, "use IPv6 addresses only")
	f.BoolVar(&o.req.HTTP11, "http1.1", false, "use HTTP/1.1 only")
	f.BoolVar(&o.req.HTTP2, "http2", false, "use HTTP/2 (over TLS, via ALPN; the default for https)")
	f.BoolVar(&o.req.HTTP2Prior, "http2-prior-knowledge", false, "speak HTTP/2 at once, without TLS on http:// (h2c)")
	f.BoolVar(&o.req.HTTP3, "http3", false, "try HTTP/3 over QUIC (UDP) first on https://, falling back to TCP and saying why")
	f.BoolVar(&o.req.HTTP3Only, "http3-only", false, "use HTTP/3 over QUIC only: no TCP fallback")
	f.BoolVar(&o.req.TLS10, "tlsv1.0", false, "TLS 1.0 or later")
	f.BoolVar(&o.req.TLS10, "tlsv1", false, "TLS 1.0 or later")
	f.BoolVar(&o.req.TLS11, "tlsv1.1", false, "TLS 1.1 or later")
	f.BoolVar(&o.req.TLS12, "tlsv1.2", false, "TLS 1.2 or later (the default)")
	f.BoolVar(&o.req.TLS13, "tlsv1.3", false, "TLS 1.3 only")
	f.StringVar(&o.req.TLSMax, "tls-max", "", "`VERSION` the newest TLS to offer: 1.0, 1.1, 1.2, 1.3 or default")
	f.Float64VarP(&o.req.MaxTime, "max-time", "m", 0, "`SECONDS` a trace may take, redirects included (each --retry attempt gets its own; 0: no limit)")
	f.Float64Var(&o.req.ConnectTimeout, "connect-timeout", 0, "`SECONDS` DNS, TCP and TLS may take together (default 30)")
	f.BoolVarP(&o.req.Location, "location", "L", false, "follow redirects, hop by hop (each hop timed on its own)")
	f.IntVar(&o.req.MaxRedirs, "max-redirs", 50, "`N` redirects -L follows at most (-1: no limit; 50 as curl)")
	f.BoolVar(&o.req.LocationTrusted, "location-trusted", false, "like -L, and send -u/--oauth2-bearer credentials and -H Authorization on to other hosts too (as curl)")
	f.IntVarP(&o.count, "count", "n", 1, "`N` runs of the same request, with per-phase statistics (run 1 is cold, the rest reuse the connection)")
	f.Float64Var(&o.interval, "interval", 0, "`SECONDS` to pause between runs with -n")
	f.BoolVar(&o.fresh, "fresh", false, "with -n, open a new connection for every run (no reuse; the TLS session is still resumed, as curl and browsers do)")
	f.BoolVar(&o.req.NoSessionID, "no-sessionid", false, "do not resume TLS sessions: every new connection makes a full handshake")
	f.StringVarP(&o.output, "output", "o", "", "`FILE` to write the response body to")
	f.BoolVarP(&o.remoteName, "remote-name", "O", false, "write the body to a file named like the URL's last path segment")
	f.BoolVarP(&o.include, "include", "i", false, "show the response body in the report (up to 64 KiB, made safe for the terminal)")
	f.BoolVarP(&o.silent, "silent", "s", false, "no error message on stderr (the exit code still tells)")
	f.BoolVarP(&o.showError, "show-error", "S", false, "with -s, still show the error message")
	f.IntVar(&o.req.Retry, "retry", 0, "`N` times to repeat a request that timed out or got 408/429/500/502/503/504 (idempotent methods only)")
	f.Float64Var(&o.req.RetryDelay, "retry-delay", 0, "`SECONDS` between retries (default: Retry-After, else 1 s doubling)")
	f.Float64Var(&o.req.RetryMaxTime, "retry-max-time", 0, "`SECONDS` after which no retry starts (0: no limit)")
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
	c.MarkFlagsMutuallyExclusive("http1.1", "http2", "http2-prior-knowledge", "http3", "http3-only", "compare-protocols")
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

// toOptions validates the flags and turns them into engine options:
// curl's request arguments through curlargs, then what only trace has
// (-n, -i, -w @FILE, -c, -D, -o/-O). It returns a func that closes the -o
// file; ok says the transfer succeeded (see outputFile).
func (f *traceFlags) toOptions(ios *IO, rawURL string) (*trace.Options, func(ok bool) error, error) {
	noop := func(bool) error { return nil }
	env := curlargs.Env{Stdin: ios.In, Getenv: ios.Getenv}
	if !f.silent {
		env.Warn = func(msg string) { fmt.Fprintf(ios.ErrOut, "reqtrace: warning: %s\n", msg) }
	}
	req := f.req
	req.CookieJar = f.cookieJar != ""
	o, err := req.Options(rawURL, env)
	if err != nil {
		return nil, noop, err
	}
	if name, ok := strings.CutPrefix(f.writeOut, "@"); ok {
		b, err := curlargs.ReadInput("-w", name, ios.In, maxWriteOut)
		if err != nil {
			return nil, noop, err
		}
		f.writeOut = string(b)
	}
	if f.include {
		o.PreviewBytes = includeBytes
	}
	if f.count < 1 || f.count > 100000 {
		return nil, noop, trace.BadInput("-n %d: give a number of runs from 1 to 100000", f.count)
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
		name := path.Base(o.URL.Path)
		if name == "/" || name == "." || name == "" {
			return nil, noop, trace.BadInput("-O: the URL %s has no file name to save to; use -o FILE", o.URL.Redacted())
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

// Caps on what trace reads besides curl's request arguments (curlargs
// holds those: README "Limits").
const (
	maxWriteOut = 1 << 20 // -w @FILE
	maxJWT      = 1 << 20 // jwt -
)

// includeBytes is how much body -i keeps and shows.
const includeBytes = 64 << 10

// dataFlag is a pflag.Value that appends to the ordered list of -d and
// --data-* arguments, as curl joins them in the order given.
type dataFlag struct {
	kind string
	list *[]curlargs.Data
}

func (d dataFlag) String() string { return "" }
func (d dataFlag) Type() string   { return "string" }
func (d dataFlag) Set(v string) error {
	*d.list = append(*d.list, curlargs.Data{Kind: d.kind, Value: v})
	return nil
}
