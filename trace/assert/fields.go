package assert

import (
	"maps"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// field is one name a check can read, with its type.
type field struct {
	k   kind
	doc string
	get func(*trace.Result) value
}

// now is the clock tls.days_left counts from; tests set it.
var now = time.Now

// fields is every name a check can read. Response fields are the final
// hop's; dns, connect and tls are those of the last hop that had them (a
// reused connection is the one an earlier hop opened); timings are summed
// over the hops, as curl sums them across redirects.
var fields = map[string]field{
	"status":       {kNum, "the final response's status code", resp(func(r *trace.Response) value { return num(float64(r.Status)) })},
	"reason":       {kStr, "its reason phrase", resp(func(r *trace.Response) value { return str(r.Reason) })},
	"http_version": {kNum, "1, 1.1, 2 or 3", resp(func(r *trace.Response) value { return num(httpVersion(r.Proto)) })},
	"body_bytes":   {kNum, "the final body's size on the wire", resp(func(r *trace.Response) value { return num(float64(r.BodyBytes)) })},
	"header_bytes": {kNum, "the response heads' size", resp(func(r *trace.Response) value { return num(float64(r.HeadBytes)) })},
	"url":          {kStr, "the final hop's URL", func(r *trace.Result) value { return str(final(r).URL) }},
	"method":       {kStr, "the final request's method", func(r *trace.Result) value { return str(final(r).Request.Method) }},
	"redirects":    {kNum, "redirects followed", func(r *trace.Result) value { return num(float64(max(0, len(r.Hops)-1))) }},
	"retries":      {kNum, "attempts --retry repeated", func(r *trace.Result) value { return num(float64(len(r.Retries))) }},
	"ok":           {kBool, "the trace completed without an error", func(r *trace.Result) value { return boolean(r.Err == nil) }},
	"error":        {kStr, `the error's kind ("" when none)`, func(r *trace.Result) value { return str(errKind(r)) }},

	"timings.dns":     {kDur, "DNS, summed over the hops", phase(func(t *trace.Timings) *trace.Span { return t.DNS })},
	"timings.connect": {kDur, "TCP connect", phase(func(t *trace.Timings) *trace.Span { return t.Connect })},
	"timings.proxy":   {kDur, "the proxy handshake", phase(func(t *trace.Timings) *trace.Span { return t.Proxy })},
	"timings.tls":     {kDur, "TLS handshake", phase(func(t *trace.Timings) *trace.Span { return t.TLS })},
	"timings.send":    {kDur, "sending the request", phase(func(t *trace.Timings) *trace.Span { return t.Send })},
	"timings.wait":    {kDur, "waiting for the first byte (TTFB)", phase(func(t *trace.Timings) *trace.Span { return t.Wait })},
	"timings.receive": {kDur, "reading the body", phase(func(t *trace.Timings) *trace.Span { return t.Receive })},
	"timings.total":   {kDur, "the whole trace", totalTime},

	"dns.answers": {kNum, "addresses the answer gave", dnsField(func(d *trace.DNS) value { return num(float64(len(d.Addresses))) })},
	"dns.rcode":   {kStr, `"NOERROR", "NXDOMAIN", …`, dnsField(func(d *trace.DNS) value { return str(d.Rcode) })},
	"dns.ttl":     {kNum, "the lowest TTL of the address records, in seconds", dnsField(minTTL)},
	"dns.source":  {kStr, `"dns", "hosts", "resolve" or "literal"`, dnsField(func(d *trace.DNS) value { return str(d.Source) })},
	"dns.server":  {kStr, "the DNS server that answered", dnsField(func(d *trace.DNS) value { return str(d.Server) })},

	"connect.address": {kStr, `"ip:port" connected to`, connField(func(c *trace.Connect) value { return str(c.Address) })},
	"connect.ip":      {kStr, "the address's IP", connField(func(c *trace.Connect) value { h, _, _ := net.SplitHostPort(c.Address); return str(h) })},
	"connect.reused":  {kBool, "the final hop reused a connection", func(r *trace.Result) value { return boolean(final(r).Connect != nil && final(r).Connect.Reused) }},

	"tls.version":   {kStr, `"TLS 1.3", "TLS 1.2"`, tlsField(func(t *trace.TLS) value { return str(t.Version) })},
	"tls.cipher":    {kStr, "the cipher suite", tlsField(func(t *trace.TLS) value { return str(t.CipherSuite) })},
	"tls.group":     {kStr, "the key exchange group", tlsField(func(t *trace.TLS) value { return str(t.Group) })},
	"tls.alpn":      {kStr, `"h2", "http/1.1"`, tlsField(func(t *trace.TLS) value { return str(t.ALPN) })},
	"tls.verified":  {kBool, "the chain verified", tlsField(func(t *trace.TLS) value { return boolean(t.Verified) })},
	"tls.resumed":   {kBool, "the session was resumed", tlsField(func(t *trace.TLS) value { return boolean(t.Resumed) })},
	"tls.days_left": {kNum, "days until the leaf certificate expires", tlsField(daysLeft)},
	"tls.issuer":    {kStr, "the leaf certificate's issuer", tlsField(func(t *trace.TLS) value { return leaf(t, func(c trace.Certificate) value { return str(c.Issuer) }) })},
}

// read is the field's value in one run: absent without a trace.
func (f field) read(s subject) value {
	if s.trace == nil {
		return absent()
	}
	return f.get(s.trace)
}

// Fields lists the names a check can read, sorted, each with its type and
// meaning, for --help and the README.
func Fields() []string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + " (" + fields[n].k.String() + "): " + fields[n].doc
	}
	return out
}

func resp(get func(*trace.Response) value) func(*trace.Result) value {
	return func(r *trace.Result) value {
		if rp := final(r).Response; rp != nil {
			return get(rp)
		}
		return absent()
	}
}

func phase(get func(*trace.Timings) *trace.Span) func(*trace.Result) value {
	return func(r *trace.Result) value {
		var sum time.Duration
		seen := false
		for i := range r.Hops {
			if s := get(&r.Hops[i].Timings); s != nil {
				sum += s.Duration
				seen = true
			}
		}
		if !seen {
			return absent()
		}
		return dur(sum)
	}
}

func totalTime(r *trace.Result) value {
	if len(r.Hops) == 0 {
		return absent()
	}
	var sum time.Duration
	for _, h := range r.Hops {
		sum += h.Timings.Total
	}
	return dur(sum)
}

// lastWith is the last hop for which has is true.
func lastWith(r *trace.Result, has func(*trace.Hop) bool) *trace.Hop {
	for i := len(r.Hops) - 1; i >= 0; i-- {
		if has(&r.Hops[i]) {
			return &r.Hops[i]
		}
	}
	return nil
}

func dnsField(get func(*trace.DNS) value) func(*trace.Result) value {
	return func(r *trace.Result) value {
		if h := lastWith(r, func(h *trace.Hop) bool { return h.DNS != nil }); h != nil {
			return get(h.DNS)
		}
		return absent()
	}
}

func connField(get func(*trace.Connect) value) func(*trace.Result) value {
	return func(r *trace.Result) value {
		if h := lastWith(r, func(h *trace.Hop) bool { return h.Connect != nil }); h != nil {
			return get(h.Connect)
		}
		return absent()
	}
}

func tlsField(get func(*trace.TLS) value) func(*trace.Result) value {
	return func(r *trace.Result) value {
		if h := lastWith(r, func(h *trace.Hop) bool { return h.TLS != nil }); h != nil {
			return get(h.TLS)
		}
		return absent()
	}
}

func leaf(t *trace.TLS, get func(trace.Certificate) value) value {
	if len(t.Certificates) == 0 {
		return absent()
	}
	return get(t.Certificates[0])
}

func daysLeft(t *trace.TLS) value {
	return leaf(t, func(c trace.Certificate) value {
		return num(float64(int(c.NotAfter.Sub(now()).Hours()/24*10)) / 10)
	})
}

func minTTL(d *trace.DNS) value {
	var ttls []uint32
	for _, rec := range d.Records {
		if rec.Type == "A" || rec.Type == "AAAA" {
			ttls = append(ttls, rec.TTL)
		}
	}
	if len(ttls) == 0 {
		return absent()
	}
	return num(float64(slices.Min(ttls)))
}

// httpVersion turns "HTTP/1.1" into 1.1 and "HTTP/2.0" into 2.
func httpVersion(proto string) float64 {
	v, err := strconv.ParseFloat(strings.TrimPrefix(proto, "HTTP/"), 64)
	if err != nil {
		return 0
	}
	return v
}

func errKind(r *trace.Result) string {
	if r.Err == nil {
		return ""
	}
	return r.Err.Kind
}

// suggest names the closest fields to a mistyped one.
func suggest(path string, page bool) string {
	var close []string
	names := slices.Collect(maps.Keys(fields))
	if page {
		names = slices.AppendSeq(names, maps.Keys(pageFields))
	}
	for _, n := range names {
		if strings.Contains(n, path) || strings.Contains(path, n) || distance(n, path) <= 2 {
			close = append(close, n)
		}
	}
	sort.Strings(close)
	if len(close) == 0 {
		return "; reqtrace trace --help lists them"
	}
	if len(close) > 4 {
		close = close[:4]
	}
	return "; did you mean " + strings.Join(close, ", ") + "?"
}

// distance is the Levenshtein distance, on short names only.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
