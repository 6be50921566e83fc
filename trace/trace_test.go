package trace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// slack is the generous upper bound on top of an injected delay: the lower
// bound is exact (a phase cannot be shorter than what was injected into
// it), the upper one only has to keep a busy CI machine from flaking
// (seen: 850 ms for a 30 ms DNS answer while fuzzers used every core).
// Precision is the benchmark's job (examples/bench).
const slack = 1500 * time.Millisecond

// run traces rawURL against the lab with the lab's DNS server and CA.
func run(t *testing.T, lab *tracetest.Lab, rawURL string, edit ...func(*trace.Options)) *trace.Result {
	t.Helper()
	u, err := trace.ParseURL(rawURL)
	if err != nil {
		t.Fatalf("ParseURL(%q): %v", rawURL, err)
	}
	o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
		HostsFile: lab.HostsFile, CACert: lab.CAPEM, MaxTime: 20 * time.Second}
	for _, e := range edit {
		e(o)
	}
	res := trace.Do(context.Background(), o)
	if len(res.Hops) != 1 && !o.FollowRedirects {
		t.Fatalf("got %d hops, want 1", len(res.Hops))
	}
	return res
}

func ok(t *testing.T, res *trace.Result) *trace.Hop {
	t.Helper()
	if res.Err != nil {
		t.Fatalf("trace failed: %s/%s: %s", res.Err.Phase, res.Err.Kind, res.Err.Message)
	}
	return &res.Hops[0]
}

// within checks lo <= got < lo+slack.
func within(t *testing.T, what string, s *trace.Span, lo time.Duration) {
	t.Helper()
	if s == nil {
		t.Fatalf("%s: phase missing", what)
	}
	if s.Duration < lo || s.Duration >= lo+slack {
		t.Errorf("%s = %v, want in [%v, %v)", what, s.Duration, lo, lo+slack)
	}
}

func TestPhasesMatchInjectedDelays(t *testing.T) {
	lab := tracetest.New(t)
	host := "dnsdelay-30.tlsdelay-40.api.lab.test"
	hop := ok(t, run(t, lab, lab.URL("https", host, "/wait/120")))
	within(t, "dns", hop.Timings.DNS, 30*time.Millisecond)
	within(t, "tls", hop.Timings.TLS, 40*time.Millisecond)
	within(t, "wait", hop.Timings.Wait, 120*time.Millisecond)
	if st := hop.Response.ServerTiming; len(st) != 2 || st[0].Name != "think" || st[0].Duration != 120*time.Millisecond || st[0].Description != "injected think time" {
		t.Errorf("server timing = %+v", st)
	}
	within(t, "connect", hop.Timings.Connect, 0)
	within(t, "send", hop.Timings.Send, 0)

	// Phases follow one another on the hop's clock.
	tm := hop.Timings
	order := []*trace.Span{tm.DNS, tm.Connect, tm.TLS, tm.Send, tm.Wait, tm.Receive}
	for i := 1; i < len(order); i++ {
		if order[i].Start < order[i-1].End() {
			t.Errorf("phase %d starts at %v, before phase %d ends at %v", i, order[i].Start, i-1, order[i-1].End())
		}
	}
	if tm.Total < tm.Receive.End() {
		t.Errorf("total %v is shorter than the last phase's end %v", tm.Total, tm.Receive.End())
	}
}

func TestReceivePhaseCoversDrip(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"http", "https"} {
		hop := ok(t, run(t, lab, lab.URL(scheme, "www.lab.test", "/drip?bytes=5000&ms=80")))
		within(t, scheme+" receive", hop.Timings.Receive, 80*time.Millisecond)
		if hop.Response.BodyBytes != 5000 {
			t.Errorf("%s body bytes = %d, want 5000", scheme, hop.Response.BodyBytes)
		}
	}
}

func TestDNSRecordsAndQueries(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("http", "chain.lab.test", "/")))
	d := hop.DNS
	if d.Source != trace.SourceDNS || d.Server != lab.DNSAddr || d.Rcode != "NOERROR" || d.Name != "chain.lab.test." {
		t.Errorf("dns = source %q server %q rcode %q name %q", d.Source, d.Server, d.Rcode, d.Name)
	}
	want := []trace.Record{
		{Name: "chain.lab.test.", Type: "CNAME", TTL: 300, Value: "alias.lab.test."},
		{Name: "alias.lab.test.", Type: "CNAME", TTL: 300, Value: "www.lab.test."},
		{Name: "www.lab.test.", Type: "A", TTL: 60, Value: "127.0.0.1"},
	}
	if !equalJSON(d.Records, want) {
		t.Errorf("records = %+v\nwant %+v", d.Records, want)
	}
	if !equalJSON(d.Addresses, []string{"127.0.0.1"}) {
		t.Errorf("addresses = %v", d.Addresses)
	}
	types := map[string]bool{}
	for _, q := range d.Queries {
		types[q.Type] = true
		if q.Transport != "udp" || q.Server != lab.DNSAddr || q.Rcode != "NOERROR" || q.Duration <= 0 {
			t.Errorf("query %+v", q)
		}
	}
	if !types["A"] || !types["AAAA"] || len(d.Queries) != 2 {
		t.Errorf("queries = %+v, want one A and one AAAA", d.Queries)
	}
	if hop.Timings.DNS.Duration < d.Queries[0].Duration {
		t.Errorf("dns phase %v shorter than its query %v", hop.Timings.DNS.Duration, d.Queries[0].Duration)
	}
}

func TestDNSTruncatedAnswerRetriesOverTCP(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("http", "big.lab.test", "/"), func(o *trace.Options) { o.IPVersion = 4 }))
	q := hop.DNS.Queries
	if len(q) != 2 || q[0].Transport != "udp" || !q[0].Truncated || q[1].Transport != "tcp" || q[1].Truncated {
		t.Fatalf("queries = %+v, want udp (truncated) then tcp", q)
	}
	if len(hop.DNS.Addresses) != tracetest.BigRecords || q[1].Answers != tracetest.BigRecords {
		t.Errorf("got %d addresses, %d answers; want %d", len(hop.DNS.Addresses), q[1].Answers, tracetest.BigRecords)
	}
	if lab.DNSTCPQueries("big.lab.test") != 1 {
		t.Errorf("lab saw %d TCP queries, want 1", lab.DNSTCPQueries("big.lab.test"))
	}
	if hop.Connect.Address != "127.0.0.1:"+strconv.Itoa(lab.HTTPPort) {
		t.Errorf("connected to %s, want the first address", hop.Connect.Address)
	}
}

func TestDNSFailures(t *testing.T) {
	lab := tracetest.New(t)
	cases := []struct {
		host, kind, msg string
		edit            func(*trace.Options)
	}{
		{host: "nxdomain.lab.test", kind: trace.KindNXDomain, msg: "does not exist"},
		{host: "servfail.lab.test", kind: trace.KindServFail, msg: "SERVFAIL"},
		{host: "refused.lab.test", kind: trace.KindRefused, msg: "REFUSED"},
		{host: "noaddr.lab.test", kind: trace.KindNoAddress, msg: "no A or AAAA record"},
		{host: "v6only.lab.test", kind: trace.KindNoAddress, msg: "no A (IPv4) record", edit: func(o *trace.Options) { o.IPVersion = 4 }},
		{host: "timeout.lab.test", kind: trace.KindDNSTimeout, msg: "connect-timeout", edit: func(o *trace.Options) { o.ConnectTimeout = 300 * time.Millisecond }},
		{host: "timeout.lab.test", kind: trace.KindDNSTimeout, msg: "max-time", edit: func(o *trace.Options) { o.MaxTime = 300 * time.Millisecond }},
	}
	for _, c := range cases {
		t.Run(c.host+"/"+c.kind, func(t *testing.T) {
			start := time.Now()
			res := run(t, lab, lab.URL("https", c.host, "/"), func(o *trace.Options) {
				if c.edit != nil {
					c.edit(o)
				}
			})
			e := res.Err
			if e == nil || e.Phase != trace.PhaseDNS || e.Kind != c.kind || !strings.Contains(e.Message, c.msg) || e.Hint == "" {
				t.Fatalf("err = %+v, want phase dns, kind %s, message with %q and a hint", e, c.kind, c.msg)
			}
			if res.Hops[0].Connect != nil || res.Hops[0].Timings.DNS == nil {
				t.Errorf("want DNS timed and no connect")
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			d := res.Hops[0].DNS
			// the outcome's own rcode, and the server that sent it
			wantRcode := map[string]string{trace.KindNXDomain: "NXDOMAIN", trace.KindServFail: "SERVFAIL", trace.KindRefused: "REFUSED", trace.KindNoAddress: "NOERROR"}[c.kind]
			if d.Rcode != wantRcode || (wantRcode != "") != (d.Server == lab.DNSAddr) {
				t.Errorf("rcode %q from %q, want %q from %s", d.Rcode, d.Server, wantRcode, lab.DNSAddr)
			}
			if negative := c.kind == trace.KindNXDomain || c.kind == trace.KindNoAddress; negative {
				// dig's AUTHORITY SECTION, and how long resolvers cache the answer
				if len(d.Authority) != 1 || d.Authority[0].Type != "SOA" || d.NegativeTTL == nil ||
					*d.NegativeTTL != tracetest.NegativeTTL || !strings.Contains(e.Hint, "30s") {
					t.Errorf("negative answer: authority %+v, negative TTL %v, hint %q", d.Authority, d.NegativeTTL, e.Hint)
				}
			} else if d.NegativeTTL != nil || len(d.Authority) != 0 {
				t.Errorf("not a negative answer, yet authority %+v, negative TTL %v", d.Authority, d.NegativeTTL)
			}
			for _, q := range d.Queries {
				if q.Rcode != "" && q.Flags != "qr aa rd" {
					t.Errorf("query %s %s: flags %q, want the lab's \"qr aa rd\"", q.Name, q.Type, q.Flags)
				}
			}
		})
	}
}

func TestAddressSources(t *testing.T) {
	lab := tracetest.New(t)
	t.Run("hosts file", func(t *testing.T) {
		hop := ok(t, run(t, lab, lab.URL("http", "hosts.lab.test", "/")))
		if hop.DNS.Source != trace.SourceHosts || hop.DNS.Server != "" || len(hop.DNS.Queries) != 0 {
			t.Errorf("dns = %+v", hop.DNS)
		}
		if n := lab.DNSQueries("hosts.lab.test"); n != 0 {
			t.Errorf("%d DNS queries sent for a hosts-file name", n)
		}
	})
	t.Run("ip literal", func(t *testing.T) {
		hop := ok(t, run(t, lab, "http://127.0.0.1:"+strconv.Itoa(lab.HTTPPort)+"/"))
		if hop.DNS != nil || hop.Timings.DNS != nil || hop.Timings.Skipped[trace.PhaseDNS] == "" {
			t.Errorf("dns = %+v, timing %v, skipped %q", hop.DNS, hop.Timings.DNS, hop.Timings.Skipped)
		}
		if hop.TLS != nil || hop.Timings.TLS != nil || hop.Timings.Skipped[trace.PhaseTLS] == "" {
			t.Errorf("plain http should skip TLS with a reason: %q", hop.Timings.Skipped)
		}
	})
	t.Run("resolve", func(t *testing.T) {
		e, err := trace.ParseResolve("nowhere.example:" + strconv.Itoa(lab.HTTPSPort) + ":127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		res := run(t, lab, "https://nowhere.example:"+strconv.Itoa(lab.HTTPSPort)+"/", func(o *trace.Options) { o.Resolve = []trace.ResolveEntry{e} })
		hop := ok(t, res)
		if hop.DNS.Source != trace.SourceResolve || hop.Timings.DNS != nil || hop.Timings.Skipped[trace.PhaseDNS] == "" {
			t.Errorf("dns = %+v skipped %q", hop.DNS, hop.Timings.Skipped)
		}
		if hop.TLS.ServerName != "nowhere.example" {
			t.Errorf("SNI = %q, want the URL's host", hop.TLS.ServerName)
		}
	})
}

func TestHappyEyeballsRecordsEveryAttempt(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("http", "dual.lab.test", "/")))
	a := hop.Connect.Attempts
	if len(a) != 2 {
		t.Fatalf("attempts = %+v, want ::1 then 127.0.0.1", a)
	}
	if !strings.HasPrefix(a[0].Address, "[::1]:") || a[0].Err == "" {
		t.Errorf("first attempt = %+v, want a failed IPv6 one", a[0])
	}
	if !strings.HasPrefix(a[1].Address, "127.0.0.1:") || a[1].Err != "" || a[1].Start < a[0].Start {
		t.Errorf("second attempt = %+v, want the IPv4 winner", a[1])
	}
	// A failed attempt starts the next at once, not after the 250 ms delay.
	if a[1].Start-a[0].End() > 200*time.Millisecond {
		t.Errorf("fallback started %v after the failure", a[1].Start-a[0].Start)
	}
	if hop.Connect.Address != a[1].Address {
		t.Errorf("winner %s, want %s", hop.Connect.Address, a[1].Address)
	}
}

func TestConnectRefused(t *testing.T) {
	lab := tracetest.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	res := run(t, lab, "http://127.0.0.1:"+strconv.Itoa(port)+"/")
	e := res.Err
	if e == nil || e.Phase != trace.PhaseConnect || e.Kind != trace.KindConnRefused || e.Hint == "" {
		t.Fatalf("err = %+v", e)
	}
	if a := res.Hops[0].Connect.Attempts; len(a) != 1 || a[0].Err != "connection refused" {
		t.Errorf("attempts = %+v", a)
	}
}

func TestTLSDetails(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/")))
	s := hop.TLS
	if s.Version != "TLS 1.3" || s.ALPN != "h2" || s.CipherSuite == "" || s.Group == "" || s.ServerName != "www.lab.test" || !s.Verified {
		t.Errorf("tls = %+v", s)
	}
	if len(s.Certificates) == 0 || s.Certificates[0].DNSNames[0] != "www.lab.test" || !strings.Contains(s.Certificates[0].Issuer, "reqtrace lab CA") {
		t.Errorf("certificates = %+v", s.Certificates)
	}
	if hop.Response.Proto != "HTTP/2.0" || hop.Request.Proto != "HTTP/2.0" {
		t.Errorf("proto = %s / %s, want HTTP/2.0", hop.Response.Proto, hop.Request.Proto)
	}

	hop = ok(t, run(t, lab, lab.URL("https", "tls12.lab.test", "/")))
	if hop.TLS.Version != "TLS 1.2" {
		t.Errorf("tls12: version %s", hop.TLS.Version)
	}
	hop = ok(t, run(t, lab, lab.URL("https", "h1only.lab.test", "/")))
	if hop.TLS.ALPN != "http/1.1" || hop.Response.Proto != "HTTP/1.1" {
		t.Errorf("h1only: alpn %q proto %s", hop.TLS.ALPN, hop.Response.Proto)
	}
	hop = ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/"), func(o *trace.Options) { o.HTTP = "1.1" }))
	if hop.TLS.ALPN != "http/1.1" || hop.Response.Proto != "HTTP/1.1" {
		t.Errorf("--http1.1: alpn %q proto %s", hop.TLS.ALPN, hop.Response.Proto)
	}
}

func TestTLSFailures(t *testing.T) {
	lab := tracetest.New(t)
	cases := []struct {
		host, kind, msg string
		reason          trace.VerifyReason
		edit            func(*trace.Options)
	}{
		{"expired.lab.test", trace.KindExpired, "expired on", trace.VerifyExpired, nil},
		{"notyet.lab.test", trace.KindExpired, "not valid yet", trace.VerifyNotYetValid, nil},
		{"wrong.lab.test", trace.KindHostnameMismatch, "covers other.lab.test, not wrong.lab.test", trace.VerifyHostnameMismatch, nil},
		{"untrusted.lab.test", trace.KindUnknownAuthority, "not a trusted authority", trace.VerifyUnknownAuthority, nil},
		{"untrustedroot.lab.test", trace.KindUnknownAuthority, `ends at the root "CN=reqtrace untrusted CA,O=reqtrace"`, trace.VerifyUntrustedRoot, nil},
		{"selfsigned.lab.test", trace.KindUnknownAuthority, "self-signed", trace.VerifySelfSigned, nil},
		{"nointermediate.lab.test", trace.KindUnknownAuthority, `did not send the intermediate certificate "CN=reqtrace lab intermediate,O=reqtrace"`, trace.VerifyMissingIntermediate, nil},
		{"www.lab.test", trace.KindUnknownAuthority, "not a trusted authority", trace.VerifyUnknownAuthority, func(o *trace.Options) { o.CACert = nil }},
	}
	hints := map[trace.VerifyReason]string{trace.VerifyNotYetValid: "check the clocks", trace.VerifyMissingIntermediate: "serve the full chain"}
	for _, c := range cases {
		t.Run(c.host+"/"+string(c.reason), func(t *testing.T) {
			res := run(t, lab, lab.URL("https", c.host, "/"), func(o *trace.Options) {
				if c.edit != nil {
					c.edit(o)
				}
			})
			e := res.Err
			if e == nil || e.Phase != trace.PhaseTLS || e.Kind != c.kind || !strings.Contains(e.Message, c.msg) || e.Hint == "" || !strings.Contains(e.Hint, hints[c.reason]) {
				t.Fatalf("err = %+v, want tls/%s with %q", e, c.kind, c.msg)
			}
			if c.reason == trace.VerifyNotYetValid && strings.Contains(e.Hint, "renew the") {
				t.Errorf("a certificate not valid yet is not renewed: %q", e.Hint)
			}
			hop := res.Hops[0]
			if hop.Timings.TLS == nil || len(hop.TLS.Certificates) == 0 || hop.TLS.Verified || hop.Response != nil {
				t.Errorf("want the failed handshake timed, with the chain recorded and no response")
			}
			if hop.TLS.Verify != c.reason || hop.TLS.VerifyError != e.Message {
				t.Errorf("verify = %q (%q), want %q", hop.TLS.Verify, hop.TLS.VerifyError, c.reason)
			}
		})
	}
	t.Run("full chain verifies", func(t *testing.T) {
		hop := ok(t, run(t, lab, lab.URL("https", "fullchain.lab.test", "/")))
		if !hop.TLS.Verified || hop.TLS.Verify != trace.VerifyOK || len(hop.TLS.Certificates) != 2 {
			t.Errorf("verified=%v verify=%q chain=%d", hop.TLS.Verified, hop.TLS.Verify, len(hop.TLS.Certificates))
		}
	})
	t.Run("insecure still reports", func(t *testing.T) {
		res := run(t, lab, lab.URL("https", "expired.lab.test", "/"), func(o *trace.Options) { o.Insecure = true })
		hop := ok(t, res)
		if !res.Insecure || hop.TLS.Verified || hop.TLS.Verify != trace.VerifyExpired || !strings.Contains(hop.TLS.VerifyError, "expired") || hop.Response.Status != 200 {
			t.Errorf("insecure=%v verified=%v verifyError=%q", res.Insecure, hop.TLS.Verified, hop.TLS.VerifyError)
		}
	})
	t.Run("plain port", func(t *testing.T) {
		res := run(t, lab, "https://www.lab.test:"+strconv.Itoa(lab.HTTPPort)+"/")
		if e := res.Err; e == nil || e.Phase != trace.PhaseTLS || e.Kind != trace.KindHandshake || !strings.Contains(e.Message, "http://") {
			t.Fatalf("err = %+v", e)
		}
	})
}

func TestHTTP1KeepsHeaderOrderAndSpelling(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("http", "www.lab.test", "/raw-order")))
	want := []trace.Header{{"Z-Last", "1"}, {"x-lower-case", "a"}, {"A-First", "2"}, {"Set-Cookie", "a=1"},
		{"Set-Cookie", "b=2"}, {"Content-Length", "3"}, {"Connection", "close"}}
	if !equalJSON(hop.Response.Headers, want) {
		t.Errorf("headers = %v\nwant %v", hop.Response.Headers, want)
	}
	if string(hop.Response.BodyPreview) != "ok\n" || hop.Response.Reason != "OK" {
		t.Errorf("body %q reason %q", hop.Response.BodyPreview, hop.Response.Reason)
	}
}

func TestInformationalResponses(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"http", "https"} {
		hop := ok(t, run(t, lab, lab.URL(scheme, "www.lab.test", "/early-hints")))
		if len(hop.Informational) != 1 || hop.Informational[0].Status != 103 {
			t.Fatalf("%s: informational = %+v", scheme, hop.Informational)
		}
		in := hop.Informational[0]
		var link string
		for _, h := range in.Headers {
			if strings.EqualFold(h.Name, "Link") {
				link = h.Value
			}
		}
		if link != tracetest.EarlyHintsLink {
			t.Errorf("%s: 103 Link = %q", scheme, link)
		}
		// The lab waits 20 ms between the 103 and the 200: the wait phase
		// ends at the final response, after the hint.
		if in.At > hop.Timings.Wait.End()-20*time.Millisecond || in.At < hop.Timings.Wait.Start {
			t.Errorf("%s: 103 at %v, wait %v..%v", scheme, in.At, hop.Timings.Wait.Start, hop.Timings.Wait.End())
		}
	}
}

func TestRequestAsSent(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"http", "https"} {
		var edits []trace.HeaderEdit
		for _, h := range []string{"X-Trace: 1", "Accept: application/json", "User-Agent:"} {
			e, err := trace.ParseHeader(h)
			if err != nil {
				t.Fatal(err)
			}
			edits = append(edits, e)
		}
		res := run(t, lab, lab.URL(scheme, "www.lab.test", "/echo"), func(o *trace.Options) {
			o.Headers, o.Body, o.ContentType = edits, []byte("a=1&b=2"), "application/x-www-form-urlencoded"
		})
		hop := ok(t, res)
		var echo struct {
			Method    string              `json:"method"`
			Headers   map[string][]string `json:"headers"`
			BodyBytes int                 `json:"body_bytes"`
		}
		if err := json.Unmarshal(hop.Response.BodyPreview, &echo); err != nil {
			t.Fatalf("%s: echo: %v: %s", scheme, err, hop.Response.BodyPreview)
		}
		if echo.Method != "POST" || echo.BodyBytes != 7 || echo.Headers["X-Trace"][0] != "1" ||
			echo.Headers["Accept"][0] != "application/json" || len(echo.Headers["User-Agent"]) != 0 {
			t.Errorf("%s: server saw %+v", scheme, echo)
		}
		if hop.Request.Method != "POST" || hop.Request.BodyBytes != 7 {
			t.Errorf("%s: request = %+v", scheme, hop.Request)
		}
		names := []string{}
		for _, h := range hop.Request.Headers {
			names = append(names, strings.ToLower(h.Name))
		}
		want := "host,accept,x-trace,content-length,content-type"
		if scheme == "https" { // HTTP/2: Host travels as :authority
			want = "accept,x-trace,content-length,content-type"
		}
		if strings.Join(names, ",") != want {
			t.Errorf("%s: sent %v, want %s", scheme, names, want)
		}
	}
}

func TestDefaultUserAgentAndHead(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("http", "www.lab.test", "/"), func(o *trace.Options) { o.Head = true }))
	if hop.Request.Method != "HEAD" || hop.Response.BodyBytes != 0 {
		t.Errorf("HEAD: method %s body %d", hop.Request.Method, hop.Response.BodyBytes)
	}
	if got := hop.Request.Headers[1]; got.Name != "User-Agent" || got.Value != "reqtrace/"+trace.Version {
		t.Errorf("user agent = %+v", got)
	}
}

func TestChunkedAndOutput(t *testing.T) {
	lab := tracetest.New(t)
	var out bytes.Buffer
	hop := ok(t, run(t, lab, lab.URL("http", "www.lab.test", "/chunked"), func(o *trace.Options) {
		o.Output, o.OutputName = &out, "out.txt"
	}))
	if out.String() != tracetest.ChunkedBody || hop.Response.BodyBytes != int64(len(tracetest.ChunkedBody)) || hop.Response.SavedTo != "out.txt" {
		t.Errorf("body %q (%d bytes) saved to %q", out.String(), hop.Response.BodyBytes, hop.Response.SavedTo)
	}
}

func TestBodyIsStreamedNotKept(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"http", "https"} {
		hop := ok(t, run(t, lab, lab.URL(scheme, "www.lab.test", "/bytes/5000000")))
		if hop.Response.BodyBytes != 5000000 || len(hop.Response.BodyPreview) != 1024 {
			t.Errorf("%s: body %d bytes, preview %d", scheme, hop.Response.BodyBytes, len(hop.Response.BodyPreview))
		}
	}
}

func TestMaxTimeNamesThePhase(t *testing.T) {
	lab := tracetest.New(t)
	cases := []struct{ scheme, host, path, phase string }{
		{"http", "www.lab.test", "/wait/20000", trace.PhaseWait},
		{"https", "www.lab.test", "/wait/20000", trace.PhaseWait},
		{"http", "www.lab.test", "/drip?bytes=100&ms=20000", trace.PhaseReceive},
		{"https", "tlsdelay-20000.lab.test", "/", trace.PhaseTLS},
	}
	for _, c := range cases {
		t.Run(c.scheme+c.path+"/"+c.phase, func(t *testing.T) {
			start := time.Now()
			res := run(t, lab, lab.URL(c.scheme, c.host, c.path), func(o *trace.Options) { o.MaxTime = 400 * time.Millisecond })
			e := res.Err
			if e == nil || e.Phase != c.phase || e.Kind != trace.KindTimeout || !strings.Contains(e.Message, "max-time") || e.Hint == "" {
				t.Fatalf("err = %+v, want a %s timeout", e, c.phase)
			}
			// The server would take 20 s: ending in a few seconds proves
			// the limit cut it short.
			if d := time.Since(start); d < 400*time.Millisecond || d > 400*time.Millisecond+3*slack {
				t.Errorf("took %v, want about the 400 ms limit", d)
			}
		})
	}
}

func TestBadServers(t *testing.T) {
	lab := tracetest.New(t)
	cases := []struct {
		name, reply, kind string
	}{
		{"empty reply", "", trace.KindEmptyReply},
		{"not http", "SSH-2.0-OpenSSH_9.6\r\n", trace.KindBadResponse},
		{"bad status", "HTTP/1.1 2x0 OK\r\n\r\n", trace.KindBadResponse},
		{"bad header", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", trace.KindBadResponse},
		{"cut head", "HTTP/1.1 200 OK\r\nA: b\r\n", trace.KindReceive},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", trace.KindReceive},
		{"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", trace.KindBadResponse},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := rawServer(t, c.reply)
			res := run(t, lab, "http://"+addr+"/")
			if e := res.Err; e == nil || e.Kind != c.kind || e.Message == "" {
				t.Fatalf("err = %+v, want kind %s", e, c.kind)
			}
		})
	}
}

// rawServer answers one connection with reply, after reading the request
// head, then closes it.
func rawServer(t *testing.T, reply string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOnce(t, l, func(c net.Conn) {
		buf := make([]byte, 4096)
		var got []byte
		for !bytes.Contains(got, []byte("\r\n\r\n")) {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			got = append(got, buf[:n]...)
		}
		c.Write([]byte(reply))
	})
}

// serveOnce hands the first connection l accepts to serve, closes it
// afterwards, closes l when the test ends, and returns l's address.
func serveOnce(t *testing.T, l net.Listener, serve func(net.Conn)) string {
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	}()
	return l.Addr().String()
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestDNSNoAnswer: a DNS port where nothing listens (ICMP port
// unreachable) or where a socket never answers is "no answer" (a
// timeout, exit 28), never "a malformed answer".
func TestDNSNoAnswer(t *testing.T) {
	lab := tracetest.New(t)
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	closed, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.LocalAddr().String()
	closed.Close()
	for _, c := range []struct{ name, server, msg string }{
		{"silent", silent.LocalAddr().String(), "within 2s"},
		{"closed", closedAddr, "nothing listens"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := run(t, lab, "http://x.example/", func(o *trace.Options) {
				o.DNSServers = []string{c.server}
				o.ConnectTimeout = 10 * time.Second
			})
			e := res.Err
			if e == nil || e.Kind != trace.KindDNSTimeout || !strings.Contains(e.Message, "no answer from "+c.server) ||
				!strings.Contains(e.Message, c.msg) || strings.Contains(e.Message+e.Hint, "malformed") {
				t.Fatalf("err = %+v, want dns_timeout \"no answer from %s\" with %q", e, c.server, c.msg)
			}
		})
	}
}

// TestDNSSearchListPerName: with a search list, every name asked is
// reported with its own rcode, SOA and negative TTL, and the outcome is
// the answer of the name glibc's res_search would return: the name as
// given when it was asked first, else the first NODATA, else the first
// SERVFAIL, else the last name asked (issue 9). Each name's facts are
// checked against dig asking that name.
func TestDNSSearchListPerName(t *testing.T) {
	if _, err := exec.LookPath("dig"); err != nil {
		t.Skip("dig is not installed (dnsutils)")
	}
	lab := tracetest.New(t)
	cases := []struct {
		search, host string
		kind         string // "" for success
		tried        []string
		decided      string
		rcode        string
		negTTL       uint32 // 0: none
	}{
		{"alt.test", "x.nx.lab.test", trace.KindNXDomain,
			[]string{"x.nx.lab.test.", "x.nx.lab.test.alt.test."}, "x.nx.lab.test.", "NXDOMAIN", tracetest.NegativeTTL},
		{"alt.test", "refused.lab.test", trace.KindRefused,
			[]string{"refused.lab.test.", "refused.lab.test.alt.test."}, "refused.lab.test.", "REFUSED", 0},
		{"alt.test lab.test", "noaddr", trace.KindNoAddress,
			[]string{"noaddr.alt.test.", "noaddr.lab.test.", "noaddr."}, "noaddr.lab.test.", "NOERROR", tracetest.NegativeTTL},
		{"alt.test lab.test", "servfail", trace.KindServFail,
			[]string{"servfail.alt.test.", "servfail.lab.test.", "servfail."}, "servfail.lab.test.", "SERVFAIL", 0},
		{"lab.test alt.test", "refused", trace.KindRefused, // REFUSED ends the search list
			[]string{"refused.lab.test.", "refused."}, "refused.", "REFUSED", 0},
		{"alt.test lab.test", "www", "", []string{"www.alt.test."}, "www.alt.test.", "NOERROR", 0},
	}
	for _, c := range cases {
		t.Run(c.search+"/"+c.host, func(t *testing.T) {
			conf := filepath.Join(t.TempDir(), "resolv.conf")
			if err := os.WriteFile(conf, []byte("nameserver 127.0.0.1\nsearch "+c.search+"\noptions ndots:1 timeout:2 attempts:1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			res := run(t, lab, "http://"+c.host+":"+strconv.Itoa(lab.HTTPPort)+"/", func(o *trace.Options) { o.ResolvConf = conf })
			if c.kind == "" && res.Err != nil || c.kind != "" && (res.Err == nil || res.Err.Kind != c.kind) {
				t.Fatalf("err = %+v, want kind %q", res.Err, c.kind)
			}
			d := res.Hops[0].DNS
			var names []string
			for _, n := range d.Tried {
				names = append(names, n.Name)
			}
			if strings.Join(names, " ") != strings.Join(c.tried, " ") {
				t.Fatalf("names tried %v, want %v", names, c.tried)
			}
			if d.Name != c.decided || d.Rcode != c.rcode || (c.negTTL == 0) != (d.NegativeTTL == nil) ||
				d.NegativeTTL != nil && *d.NegativeTTL != c.negTTL {
				t.Errorf("decided by %s %s (negative TTL %v), want %s %s (%d)", d.Name, d.Rcode, d.NegativeTTL, c.decided, c.rcode, c.negTTL)
			}
			if c.kind != "" && len(d.Tried) > 1 && !strings.Contains(res.Err.Message, "names tried: ") {
				t.Errorf("message %q does not list the names tried", res.Err.Message)
			}
			for _, n := range d.Tried {
				compareWithDig(t, lab.DNSAddr, n)
			}
		})
	}
}

// compareWithDig asks dig about n.Name (A and AAAA, combined as the
// engine combines them) and compares the rcode, the SOA and the negative
// TTL it shows with the engine's.
func compareWithDig(t *testing.T, server string, n trace.NameTried) {
	t.Helper()
	host, port, _ := net.SplitHostPort(server)
	rcode, soa, answered := "", "", false
	for _, qtype := range []string{"A", "AAAA"} {
		out, err := exec.Command("dig", "@"+host, "-p", port, "+tries=1", "+time=2", n.Name, qtype).Output()
		if err != nil {
			t.Fatalf("dig %s %s: %v", n.Name, qtype, err)
		}
		st, auth := digStatus(string(out))
		// an address record makes the name's answer positive (a TXT does not)
		answered = answered || strings.Contains(string(out), "\tIN\tA\t") || strings.Contains(string(out), "\tIN\tAAAA\t")
		if rcode == "" || st == "NOERROR" {
			rcode = st
		}
		if soa == "" {
			soa = auth
		}
	}
	if n.Rcode != rcode {
		t.Errorf("%s: rcode %q, dig says %q", n.Name, n.Rcode, rcode)
	}
	if soa == "" || answered { // not a negative answer
		if len(n.Authority) != 0 || n.NegativeTTL != nil {
			t.Errorf("%s: authority %+v, negative TTL %v; dig shows no negative answer", n.Name, n.Authority, n.NegativeTTL)
		}
		return
	}
	f := strings.Fields(soa) // owner ttl class SOA mname rname serial refresh retry expire minimum
	if len(n.Authority) != 1 || len(f) != 11 {
		t.Fatalf("%s: authority %+v, dig's %q", n.Name, n.Authority, soa)
	}
	a := n.Authority[0]
	if got := fmt.Sprintf("%s %d IN %s %s", a.Name, a.TTL, a.Type, a.Value); got != strings.Join(f, " ") {
		t.Errorf("%s: SOA %q, dig's %q", n.Name, got, strings.Join(f, " "))
	}
	ttl, _ := strconv.ParseUint(f[1], 10, 32)
	minimum, _ := strconv.ParseUint(f[10], 10, 32)
	if n.NegativeTTL == nil || uint64(*n.NegativeTTL) != min(ttl, minimum) {
		t.Errorf("%s: negative TTL %v, want %d (dig's SOA)", n.Name, n.NegativeTTL, min(ttl, minimum))
	}
}

// digStatus reads the rcode and the AUTHORITY section's SOA line from
// dig's output.
func digStatus(out string) (rcode, soa string) {
	inAuth := false
	for line := range strings.SplitSeq(out, "\n") {
		if _, st, ok := strings.Cut(line, "status: "); ok {
			rcode, _, _ = strings.Cut(st, ",")
		}
		if strings.HasPrefix(line, ";; AUTHORITY SECTION") {
			inAuth = true
			continue
		}
		if inAuth && strings.Contains(line, "\tSOA\t") && soa == "" {
			soa = line
		}
		if line == "" {
			inAuth = false
		}
	}
	return rcode, soa
}

// TestURLHostForms: numeric IPv4 hosts in the forms curl and browsers
// accept are IPv4 literals (no DNS; curl's %{remote_ip} is the same
// address), and an internationalized name is asked of DNS, sent in SNI and
// in Host as its A-labels, as curl (libidn2) sends it (issue 9, 10.7).
func TestURLHostForms(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}
	lab := tracetest.New(t)
	port := strconv.Itoa(lab.HTTPPort)
	for _, host := range []string{"127.1", "2130706433", "0x7f.1", "0177.0.0.1", "0x7f000001", "127.0.1"} {
		t.Run(host, func(t *testing.T) {
			hop := ok(t, run(t, lab, "http://"+host+":"+port+"/"))
			if hop.DNS != nil || hop.Timings.DNS != nil || !strings.HasPrefix(hop.URL, "http://127.0.0.1:") {
				t.Errorf("dns %+v, URL %q: want an IP literal, no DNS", hop.DNS, hop.URL)
			}
			out, err := exec.Command(curl, "-s", "-o", "/dev/null", "-m", "5", "-w", "%{remote_ip}", "http://"+host+":"+port+"/").Output()
			if err != nil {
				t.Fatalf("curl: %v", err)
			}
			got, _, _ := net.SplitHostPort(hop.Connect.Address)
			if got != string(out) {
				t.Errorf("connected to %s, curl's remote_ip %q", got, out)
			}
		})
	}
	t.Run("idn", func(t *testing.T) {
		const uni, ace = "bücher.lab.test", "xn--bcher-kva.lab.test"
		res := run(t, lab, "http://"+uni+":"+port+"/echo")
		hop := ok(t, res)
		if d := hop.DNS; d.Host != ace || d.HostUnicode != uni || d.Name != ace+"." {
			t.Errorf("dns host %q (unicode %q), name %q", d.Host, d.HostUnicode, d.Name)
		}
		for _, q := range hop.DNS.Queries {
			if q.Name != ace+"." {
				t.Errorf("asked DNS about %q, want the A-label form", q.Name)
			}
		}
		if n := lab.DNSQueries(ace); n == 0 {
			t.Errorf("the lab saw no query for %s", ace)
		}
		out, err := exec.Command(curl, "-s", "-m", "5", "--resolve", ace+":"+port+":127.0.0.1", "http://"+uni+":"+port+"/echo").Output()
		if err != nil {
			t.Fatalf("curl: %v", err)
		}
		var ours, curls struct{ Host string }
		if json.Unmarshal(hop.Response.BodyPreview, &ours) != nil || json.Unmarshal(out, &curls) != nil || ours.Host != curls.Host || curls.Host != ace+":"+port {
			t.Errorf("Host sent %q, curl's %q, want %q", ours.Host, curls.Host, ace+":"+port)
		}
		tlsHop := ok(t, run(t, lab, lab.URL("https", uni, "/")))
		if tlsHop.TLS.ServerName != ace || !tlsHop.TLS.Verified {
			t.Errorf("SNI %q verified %v, want %s", tlsHop.TLS.ServerName, tlsHop.TLS.Verified, ace)
		}
	})
	for _, bad := range []string{"1.2.3.256", "a\u202eb.lab.test"} {
		if _, err := trace.ParseURL("http://" + bad + "/"); err == nil {
			t.Errorf("ParseURL accepted the host %q", bad)
		}
	}
}
