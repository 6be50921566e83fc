package writeout

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// --- the values: curl's variables and the facts they are computed from

// woKind is how curl prints a variable: its writeTime, writeLong,
// writeOffset or writeString.
type woKind uint8

const (
	woTime   woKind = iota // seconds with six decimals
	woLong                 // a C long; http_code and http_connect print as %03ld
	woOffset               // a curl_off_t
	woString
)

type woVar struct {
	name string
	kind woKind
	get  func(*woFacts) woVal
}

// woVal is one value; ok false means curl has none (nothing printed, JSON
// null).
type woVal struct {
	ok   bool
	n    int64
	d    time.Duration
	s    string
	safe bool // s is already terminal-safe
}

func woNum(n int64) woVal         { return woVal{ok: true, n: n} }
func woDur(d time.Duration) woVal { return woVal{ok: true, d: d} }
func woStr(s string) woVal        { return woVal{ok: true, s: s} }
func woStrOrNull(s string) woVal  { return woVal{ok: s != "", s: s} }
func woZero(*woFacts) woVal       { return woNum(0) }
func woNull(*woFacts) woVal       { return woVal{} }
func woURLVar(part string) func(*woFacts) woVal {
	return func(f *woFacts) woVal { return woURLPart(f.r.URL, part, f.opts.ShowSecrets) }
}
func woURLEVar(part string) func(*woFacts) woVal {
	return func(f *woFacts) woVal { return woURLPart(f.effectiveURL(), part, f.opts.ShowSecrets) }
}

// woVars are curl's variables in curl's order (strcmp order, which is also
// the order of %{json}); json, header_json, onerror, stdout and stderr are
// handled apart, as in curl.
var woVars = []woVar{
	{"certs", woString, (*woFacts).certs},
	{"conn_id", woOffset, func(f *woFacts) woVal {
		if f.last == nil || f.last.ConnID == 0 {
			return woNum(-1)
		}
		return woNum(int64(f.last.ConnID) - 1)
	}},
	{"content_type", woString, func(f *woFacts) woVal {
		if f.last == nil || f.last.Response == nil {
			return woVal{}
		}
		for _, h := range f.last.Response.Headers {
			if strings.EqualFold(h.Name, "content-type") {
				return woStr(woTrim(h.Value))
			}
		}
		return woVal{}
	}},
	{"errormsg", woString, (*woFacts).errormsg},
	{"exitcode", woLong, func(f *woFacts) woVal { return woNum(int64(f.exit)) }},
	{"filename_effective", woString, func(f *woFacts) woVal {
		if f.last != nil && f.last.Response != nil && f.last.Response.SavedTo != "" {
			return woStr(f.last.Response.SavedTo)
		}
		return woStrOrNull(f.opts.Filename)
	}},
	{"ftp_entry_path", woString, woNull},
	{"http_code", woLong, (*woFacts).status},
	{"http_connect", woLong, func(f *woFacts) woVal { return woNum(int64(f.connectStatus)) }},
	{"http_version", woString, func(f *woFacts) woVal {
		if f.last == nil || f.last.Response == nil {
			return woStr("0")
		}
		switch strings.ToUpper(f.last.Response.Proto) {
		case "HTTP/1.0":
			return woStr("1")
		case "HTTP/1.1":
			return woStr("1.1")
		case "HTTP/2", "HTTP/2.0":
			return woStr("2")
		case "HTTP/3", "HTTP/3.0":
			return woStr("3")
		}
		return woStr("0")
	}},
	{"local_ip", woString, func(f *woFacts) woVal { ip, _ := f.local(); return woStr(ip) }},
	{"local_port", woLong, func(f *woFacts) woVal { _, port := f.local(); return woNum(port) }},
	{"method", woString, func(f *woFacts) woVal {
		if f.last == nil {
			return woVal{}
		}
		return woStrOrNull(f.last.Request.Method)
	}},
	{"num_certs", woLong, func(f *woFacts) woVal {
		if f.tls == nil || f.handshakeFailed() {
			return woNum(0)
		}
		return woNum(int64(len(f.tls.Certificates)))
	}},
	{"num_connects", woLong, func(f *woFacts) woVal { return woNum(f.connects) }},
	{"num_headers", woLong, func(f *woFacts) woVal {
		if f.last == nil || f.last.Response == nil {
			return woNum(0)
		}
		if t := f.last.Response.Trailers; len(t) > 0 {
			return woNum(int64(len(t))) // curl counts the last block of fields it read: the trailers
		}
		return woNum(int64(len(f.last.Response.Headers) + f.last.Response.HeadersCut))
	}},
	{"num_redirects", woLong, func(f *woFacts) woVal { return woNum(f.redirects) }},
	{"num_retries", woLong, func(f *woFacts) woVal { return woNum(int64(len(f.r.Retries))) }},
	{"proxy_ssl_verify_result", woLong, woZero},
	{"proxy_used", woLong, func(f *woFacts) woVal {
		if f.last != nil && f.last.Proxy != nil {
			return woNum(1)
		}
		return woNum(0)
	}},
	{"redirect_url", woString, func(f *woFacts) woVal {
		if f.last == nil || f.last.Redirect == nil || f.last.Redirect.Followed {
			return woVal{}
		}
		return woStrOrNull(f.showURL(f.last.Redirect.Location))
	}},
	{"referer", woString, func(f *woFacts) woVal {
		if f.last == nil {
			return woVal{}
		}
		for _, h := range f.last.Request.Headers {
			if strings.EqualFold(h.Name, "referer") {
				return woStr(f.showURL(woTrim(h.Value)))
			}
		}
		return woVal{}
	}},
	{"remote_ip", woString, func(f *woFacts) woVal { ip, _ := f.remote(); return woStr(ip) }},
	{"remote_port", woLong, func(f *woFacts) woVal { _, port := f.remote(); return woNum(port) }},
	{"response_code", woLong, (*woFacts).status},
	{"scheme", woString, func(f *woFacts) woVal {
		if f.last == nil || f.last.Connect == nil || f.last.Connect.Address == "" {
			return woVal{} // curl 7.88 knows the scheme only once it is connected
		}
		v := woURLPart(f.last.URL, "scheme", false)
		v.s = strings.ToUpper(v.s) // curl 7.88 prints "HTTPS" (8.8 and later: "https")
		return v
	}},
	{"size_download", woOffset, func(f *woFacts) woVal { return woNum(f.sizeDownload()) }},
	{"size_header", woLong, func(f *woFacts) woVal { return woNum(f.sizeHeader) }},
	{"size_request", woLong, func(f *woFacts) woVal { return woNum(f.sizeRequest) }},
	{"size_upload", woOffset, func(f *woFacts) woVal { return woNum(f.sizeUpload()) }},
	{"speed_download", woOffset, func(f *woFacts) woVal { return woNum(woSpeed(f.sizeDownload(), f.total)) }},
	{"speed_upload", woOffset, func(f *woFacts) woVal { return woNum(woSpeed(f.sizeUpload(), f.total)) }},
	{"ssl_verify_result", woLong, func(f *woFacts) woVal { return woNum(woVerifyResult(f.tls, f.r.Insecure)) }},
	{"time_appconnect", woTime, func(f *woFacts) woVal { return woDur(f.appconnect) }},
	{"time_connect", woTime, func(f *woFacts) woVal { return woDur(f.connect) }},
	{"time_namelookup", woTime, func(f *woFacts) woVal { return woDur(f.namelookup) }},
	{"time_posttransfer", woTime, func(f *woFacts) woVal { return woDur(f.posttransfer) }},
	{"time_pretransfer", woTime, func(f *woFacts) woVal { return woDur(f.pretransfer) }},
	{"time_queue", woTime, func(*woFacts) woVal { return woDur(0) }},
	{"time_redirect", woTime, func(f *woFacts) woVal { return woDur(f.redirect) }},
	{"time_starttransfer", woTime, func(f *woFacts) woVal { return woDur(f.starttransfer) }},
	{"time_total", woTime, func(f *woFacts) woVal { return woDur(f.total) }},
	{"tls_earlydata", woOffset, woZero},
	{"url", woString, func(f *woFacts) woVal { return woStrOrNull(f.showURL(f.r.URL)) }},
	{"url.fragment", woString, woURLVar("fragment")},
	{"url.host", woString, woURLVar("host")},
	{"url.options", woString, woNull},
	{"url.password", woString, woURLVar("password")},
	{"url.path", woString, woURLVar("path")},
	{"url.port", woString, woURLVar("port")},
	{"url.query", woString, woURLVar("query")},
	{"url.scheme", woString, woURLVar("scheme")},
	{"url.user", woString, woURLVar("user")},
	{"url.zoneid", woString, woURLVar("zoneid")},
	{"url_effective", woString, func(f *woFacts) woVal { return woStrOrNull(f.showURL(f.effectiveURL())) }},
	{"urle.fragment", woString, woURLEVar("fragment")},
	{"urle.host", woString, woURLEVar("host")},
	{"urle.options", woString, woNull},
	{"urle.password", woString, woURLEVar("password")},
	{"urle.path", woString, woURLEVar("path")},
	{"urle.port", woString, woURLEVar("port")},
	{"urle.query", woString, woURLEVar("query")},
	{"urle.scheme", woString, woURLEVar("scheme")},
	{"urle.user", woString, woURLEVar("user")},
	{"urle.zoneid", woString, woURLEVar("zoneid")},
	{"urlnum", woOffset, woZero},
	{"xfer_id", woOffset, woZero},
}

var woIndex = func() map[string]*woVar {
	m := make(map[string]*woVar, len(woVars))
	for i := range woVars {
		m[woVars[i].name] = &woVars[i]
	}
	return m
}()

// woFacts is what the variables are computed from, summed over the hops
// once per WriteOut call.
type woFacts struct {
	r    *trace.Result
	last *trace.Hop // nil when no request was made
	exit int
	opts Options

	tls    *trace.TLS   // the most recent handshake
	tlsErr *trace.Error // the error of its hop
	// connectStatus is the status of the last CONNECT answer a proxy
	// gave (curl's http_connect); 0 for none.
	connectStatus int

	namelookup, connect, appconnect          time.Duration
	pretransfer, posttransfer, starttransfer time.Duration
	redirect, total                          time.Duration

	connects, redirects     int64
	sizeHeader, sizeRequest int64

	certsText, json, headers *string // computed once, on first use
	hdrIndex                 *woHeaders
}

func newWoFacts(r *trace.Result, exit int, opts Options) *woFacts {
	f := &woFacts{r: r, exit: exit, opts: opts}
	n := len(r.Hops)
	if n > 0 {
		f.last = &r.Hops[n-1]
	}
	for i := range r.Hops {
		h := &r.Hops[i]
		m := woMarksOf(h)
		f.namelookup += m.namelookup
		f.connect += m.connect
		f.appconnect += m.appconnect
		f.pretransfer += m.pretransfer
		f.posttransfer += m.posttransfer
		f.starttransfer += m.starttransfer
		total := max(h.Timings.Total, 0)
		f.total += total
		if i < n-1 {
			f.redirect += total
		}
		if h.TLS != nil {
			f.tls, f.tlsErr = h.TLS, h.Err
		}
		if h.Proxy != nil && h.Proxy.Tunnel && h.Proxy.Status != 0 {
			f.connectStatus = h.Proxy.Status
		}
		if h.Connect != nil && !h.Connect.Reused && h.Connect.Address != "" {
			f.connects++
		}
		if h.Redirect != nil && h.Redirect.Followed {
			f.redirects++
		}
		if h.Response != nil {
			f.sizeHeader += max(h.Response.HeadBytes, 0)
		}
		if h.Timings.Send != nil {
			f.sizeRequest += max(h.Request.HeadBytes, 0)
			if !h.Request.Upload { // curl leaves a -T upload out of size_request
				f.sizeRequest += max(h.Request.BodyBytes, 0)
			}
		}
		if h.Proxy != nil && h.Proxy.Tunnel && (h.Connect == nil || !h.Connect.Reused) {
			f.sizeRequest += h.Proxy.RequestBytes // and counts the CONNECT request in it
		}
	}
	return f
}

// woMarks are one hop's curl timers: each the time from the start of the
// hop to the moment the phase completed, 0 when it did not.
type woMarks struct {
	namelookup, connect, appconnect          time.Duration
	pretransfer, posttransfer, starttransfer time.Duration
}

func woMarksOf(h *trace.Hop) woMarks {
	var m woMarks
	t := &h.Timings
	done := func(s *trace.Span, phase string) time.Duration {
		if s == nil || h.Err != nil && h.Err.Phase == phase {
			return 0
		}
		return max(s.End(), 0)
	}
	m.namelookup = done(t.DNS, trace.PhaseDNS)
	m.connect = done(t.Connect, trace.PhaseConnect)
	m.appconnect = done(t.TLS, trace.PhaseTLS)
	if t.QUIC != nil { // curl's HTTP/3: connect and appconnect both end with the QUIC handshake
		m.connect = done(t.QUIC, trace.PhaseQUIC)
		m.appconnect = m.connect
	}
	switch {
	case t.Send != nil:
		m.pretransfer = max(t.Send.Start, 0)
		m.posttransfer = max(t.Send.End(), 0)
	case h.Err != nil && h.Err.Phase == trace.PhaseSend:
		// Writing failed: the connection was ready when the TLS or TCP
		// handshake ended (0 on a reused connection).
		m.pretransfer = max(m.connect, m.appconnect)
	}
	// curl's starttransfer is the first byte of any response, a 1xx too.
	if t.Wait != nil {
		m.starttransfer = max(t.Wait.End(), 0)
	}
	if len(h.Informational) > 0 {
		if at := max(h.Informational[0].At, 0); m.starttransfer == 0 || at < m.starttransfer {
			m.starttransfer = at
		}
	}
	return m
}

func (f *woFacts) failed() bool { return f.exit != 0 || f.r.Err != nil }

func (f *woFacts) effectiveURL() string {
	if f.last != nil && f.last.URL != "" {
		return f.last.URL
	}
	return f.r.URL
}

func (f *woFacts) status() woVal {
	if f.last == nil || f.last.Response == nil {
		return woNum(0)
	}
	return woNum(int64(f.last.Response.Status))
}

func (f *woFacts) sizeDownload() int64 {
	if f.last == nil || f.last.Response == nil {
		return 0
	}
	return max(f.last.Response.BodyBytes, 0)
}

func (f *woFacts) sizeUpload() int64 {
	if f.last == nil || f.last.Timings.Send == nil {
		return 0
	}
	return max(f.last.Request.BodyBytes, 0)
}

// remote is the address of the last hop's connection; "" when it did not
// connect (curl 7.88 shows nothing for a refused connection either).
func (f *woFacts) remote() (string, int64) {
	if f.last == nil || f.last.Connect == nil {
		return "", 0
	}
	return woSplitAddr(f.last.Connect.Address)
}

func (f *woFacts) local() (string, int64) {
	if f.last == nil || f.last.Connect == nil {
		return "", 0
	}
	return woSplitAddr(f.last.Connect.Local)
}

func woSplitAddr(addr string) (string, int64) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0
	}
	p, err := strconv.ParseInt(port, 10, 64)
	if err != nil {
		p = 0
	}
	return host, p
}

// curl_easy_strerror's text for the exit codes reqtrace uses, for
// %{errormsg} when no trace error carries a message.
var woStrerror = map[int]string{
	1:  "Unsupported protocol",
	2:  "Failed initialization",
	3:  "URL using bad/illegal format or missing URL",
	6:  "Could not resolve hostname",
	7:  "Could not connect to server",
	22: "HTTP response code said error",
	23: "Failed writing received data to disk/application",
	28: "Timeout was reached",
	35: "SSL connect error",
	47: "Number of redirects hit maximum amount",
	52: "Server returned nothing (no headers, no data)",
	55: "Failed sending data to the peer",
	56: "Failure when receiving data from the peer",
	60: "SSL peer certificate or SSH remote key was not OK",
}

func (f *woFacts) errormsg() woVal {
	if f.r.Err != nil && f.r.Err.Message != "" {
		return woStr(f.r.Err.Message)
	}
	if f.exit == 0 {
		return woVal{}
	}
	if f.exit == 22 && f.last != nil && f.last.Response != nil && f.last.Response.Status >= 400 {
		return woStr("The requested URL returned error: " + strconv.Itoa(f.last.Response.Status))
	}
	if msg, ok := woStrerror[f.exit]; ok {
		return woStr(msg)
	}
	return woStr("Unknown error")
}

// handshakeFailed: the most recent TLS handshake did not complete, so
// curl has no certificates to report. A name mismatch is not one: curl
// checks the name after the handshake, with the chain in hand.
func (f *woFacts) handshakeFailed() bool {
	return f.tlsErr != nil && f.tlsErr.Phase == trace.PhaseTLS && f.tlsErr.Kind != trace.KindHostnameMismatch
}

// certs lays the chain out as curl's OpenSSL backend does, minus the PEM.
func (f *woFacts) certs() woVal {
	if f.certsText == nil {
		var b strings.Builder
		if f.tls != nil && !f.handshakeFailed() {
			for _, c := range f.tls.Certificates {
				line := func(k, v string) {
					if v != "" {
						b.WriteString(k + ":" + woSafe(v) + "\n")
					}
				}
				line("Subject", c.Subject)
				line("Issuer", c.Issuer)
				line("Serial Number", c.SerialNumber)
				line("Signature Algorithm", c.SignatureAlgorithm)
				line("Public Key Algorithm", c.PublicKey)
				sans := make([]string, 0, len(c.DNSNames)+len(c.IPAddresses))
				for _, n := range c.DNSNames {
					sans = append(sans, "DNS:"+n)
				}
				for _, ip := range c.IPAddresses {
					sans = append(sans, "IP Address:"+ip)
				}
				line("X509v3 Subject Alternative Name", strings.Join(sans, ", "))
				if c.IsCA {
					line("X509v3 Basic Constraints", "CA:TRUE")
				}
				if !c.NotBefore.IsZero() {
					line("Start date", c.NotBefore.UTC().Format("Jan _2 15:04:05 2006 GMT"))
				}
				if !c.NotAfter.IsZero() {
					line("Expire date", c.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT"))
				}
			}
		}
		s := b.String()
		f.certsText = &s
	}
	return woVal{ok: true, s: *f.certsText, safe: true}
}

// text is a variable as %{name} prints it.
func (f *woFacts) text(v *woVar) string {
	val := v.get(f)
	if !val.ok {
		return ""
	}
	switch v.kind {
	case woTime:
		return woSeconds(val.d)
	case woLong:
		if v.name == "http_code" || v.name == "response_code" || v.name == "http_connect" {
			s := strconv.FormatInt(val.n, 10)
			if val.n >= 0 && len(s) < 3 {
				s = strings.Repeat("0", 3-len(s)) + s
			}
			return s
		}
		return strconv.FormatInt(val.n, 10)
	case woOffset:
		return strconv.FormatInt(val.n, 10)
	}
	if val.safe {
		return val.s
	}
	return woSafe(val.s)
}

// jsonObject is %{json}: every variable in curl's order, then curl_version.
func (f *woFacts) jsonObject() string {
	if f.json != nil {
		return *f.json
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := range woVars {
		v := &woVars[i]
		woJSONString(&b, v.name, false)
		b.WriteByte(':')
		val := v.get(f)
		switch {
		case !val.ok:
			b.WriteString("null")
		case v.kind == woTime:
			b.WriteString(woSeconds(val.d))
		case v.kind == woString:
			woJSONString(&b, val.s, false)
		default:
			b.WriteString(strconv.FormatInt(val.n, 10))
		}
		b.WriteByte(',')
	}
	b.WriteString(`"curl_version":`)
	woJSONString(&b, "reqtrace/"+trace.Version, false)
	b.WriteByte('}')
	s := b.String()
	f.json = &s
	return s
}

// headerJSON is %{header_json}: the last response's headers grouped by
// name at the first occurrence, names in lower case, one name per line.
func (f *woFacts) headerJSON() string {
	if f.headers != nil {
		return *f.headers
	}
	var b strings.Builder
	b.WriteByte('{')
	if f.last != nil && f.last.Response != nil {
		hs := f.last.Response.Headers
		var order []string
		groups := map[string][]int{}
		for i, h := range hs {
			k := woLowerASCII(h.Name)
			if _, seen := groups[k]; !seen {
				order = append(order, k)
			}
			groups[k] = append(groups[k], i)
		}
		for n, k := range order {
			if n > 0 {
				b.WriteString(",\n")
			}
			idx := groups[k]
			woJSONString(&b, hs[idx[0]].Name, true)
			b.WriteString(":[")
			for j, i := range idx {
				if j > 0 {
					b.WriteByte(',')
				}
				woJSONString(&b, f.headerValue(hs[i]), false)
			}
			b.WriteByte(']')
			if b.Len() > Max {
				break // the output budget cuts it anyway
			}
		}
	}
	b.WriteString("\n}")
	s := b.String()
	f.headers = &s
	return s
}
