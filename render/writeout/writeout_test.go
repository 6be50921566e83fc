package writeout

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace"
)

// --- fixtures with whole microseconds, so expected figures are exact

func woUS(n int64) time.Duration { return time.Duration(n) * time.Microsecond }

func woSpan(start, dur int64) *trace.Span {
	return &trace.Span{Start: woUS(start), Duration: woUS(dur)}
}

// woHTTPS is the https_h2 fixture with head sizes and a connection id.
func woHTTPS() *trace.Result {
	r := rendertest.HTTPSH2()
	h := &r.Hops[0]
	h.ConnID = 1
	h.Request.HeadBytes = 60
	h.Response.HeadBytes = 420
	return r
}

// woChain3: -L through http:// → https:// (a new connection) → a relative
// redirect on the reused TLS connection.
func woChain3() *trace.Result {
	dns := func() *trace.DNS {
		return &trace.DNS{Host: "example.test", Source: trace.SourceDNS, Server: "192.0.2.53:53",
			Rcode: "NOERROR", Addresses: []string{"192.0.2.40"}}
	}
	return &trace.Result{
		URL:     "http://example.test/old",
		Started: rendertest.Started,
		Hops: []trace.Hop{
			{
				URL:     "http://example.test/old",
				ConnID:  1,
				Request: trace.Request{Method: "GET", Target: "/old", Proto: "HTTP/1.1", HeadBytes: 80},
				DNS:     dns(),
				Connect: &trace.Connect{Address: "192.0.2.40:80", Local: "192.0.2.99:50001"},
				Response: &trace.Response{Proto: "HTTP/1.1", Status: 301, HeadBytes: 120, Headers: []trace.Header{
					{Name: "Location", Value: "https://example.test/old"},
					{Name: "X-Hop", Value: "one"},
					{Name: "X-Hop", Value: "two"},
				}},
				Redirect: &trace.Redirect{Location: "https://example.test/old", Method: "GET", Followed: true},
				Timings: trace.Timings{
					DNS: woSpan(0, 10000), Connect: woSpan(10000, 5000),
					Send: woSpan(15000, 100), Wait: woSpan(15100, 9900), Receive: woSpan(25000, 200),
					Total: woUS(25200),
				},
			},
			{
				URL:     "https://example.test/old",
				ConnID:  2,
				Request: trace.Request{Method: "GET", Target: "/old", Proto: "HTTP/1.1", HeadBytes: 81},
				DNS:     dns(),
				Connect: &trace.Connect{Address: "192.0.2.40:443", Local: "192.0.2.99:50002"},
				TLS: &trace.TLS{Version: "TLS 1.3", ServerName: "example.test", Verified: true, Verify: trace.VerifyOK,
					Certificates: []trace.Certificate{{Subject: "CN=example.test", Issuer: "CN=Example Test CA R1", DNSNames: []string{"example.test"}}}},
				Response: &trace.Response{Proto: "HTTP/1.1", Status: 302, HeadBytes: 110, Headers: []trace.Header{
					{Name: "Location", Value: "/new"},
					{Name: "x-hop", Value: "three"},
				}},
				Redirect: &trace.Redirect{Location: "https://example.test/new", Method: "GET", Followed: true},
				Timings: trace.Timings{
					DNS: woSpan(0, 1000), Connect: woSpan(1000, 5000), TLS: woSpan(6000, 14000),
					Send: woSpan(20000, 200), Wait: woSpan(20200, 9800), Receive: woSpan(30000, 100),
					Total: woUS(30100),
				},
			},
			{
				URL:     "https://example.test/new",
				ConnID:  2,
				Request: trace.Request{Method: "GET", Target: "/new", Proto: "HTTP/1.1", HeadBytes: 82},
				Connect: &trace.Connect{Address: "192.0.2.40:443", Local: "192.0.2.99:50002", Reused: true},
				Response: &trace.Response{Proto: "HTTP/1.1", Status: 200, HeadBytes: 100, BodyBytes: 1000, Headers: []trace.Header{
					{Name: "Content-Type", Value: "text/plain"},
					{Name: "X-Hop", Value: "four"},
					{Name: "Content-Length", Value: "1000"},
				}},
				Timings: trace.Timings{
					Send: woSpan(0, 100), Wait: woSpan(100, 7900), Receive: woSpan(8000, 1000),
					Total: woUS(9000),
					Skipped: map[string]string{
						trace.PhaseDNS: "connection #2 was reused", trace.PhaseConnect: "connection #2 was reused",
						trace.PhaseTLS: "connection #2 was reused",
					},
				},
			},
		},
	}
}

type woFixture struct {
	name string
	res  func() *trace.Result
	exit int
}

func woFixtures() []woFixture {
	return []woFixture{
		{"https_h2", woHTTPS, 0},
		{"http_ip", rendertest.HTTPIP, 0},
		{"redirect", rendertest.Redirect, 0},
		{"chain3", woChain3, 0},
		{"tls_expired", rendertest.TLSExpired, 60},
		{"dns_nxdomain", rendertest.DNSNXDomain, 6},
		{"insecure", rendertest.Insecure, 0},
	}
}

func woRun(t testing.TB, format string, r *trace.Result, exit int, opts Options) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := Write(&out, &errOut, format, r, exit, opts); err != nil {
		t.Fatalf("WriteOut(%q): %v", format, err)
	}
	return out.String(), errOut.String()
}

// --- variables

func TestWriteOutVariables(t *testing.T) {
	type row struct{ variable, want string }
	cases := []struct {
		name string
		res  *trace.Result
		exit int
		rows []row
	}{
		{"https single hop", woHTTPS(), 0, []row{
			{"time_queue", "0.000000"},
			{"time_namelookup", "0.012300"},
			{"time_connect", "0.017450"},
			{"time_appconnect", "0.027660"},
			{"time_pretransfer", "0.027700"},
			{"time_posttransfer", "0.027914"},
			{"time_starttransfer", "0.030120"}, // the 103 Early Hints is the first byte, as in curl
			{"time_redirect", "0.000000"},
			{"time_total", "0.042300"},
			{"http_code", "200"},
			{"response_code", "200"},
			{"http_connect", "000"},
			{"http_version", "2"},
			{"remote_ip", "192.0.2.10"},
			{"remote_port", "443"},
			{"local_ip", "192.0.2.99"},
			{"local_port", "53124"},
			{"num_connects", "1"},
			{"num_redirects", "0"},
			{"num_headers", "12"},
			{"num_certs", "2"},
			{"num_retries", "0"},
			{"size_download", "1256"},
			{"size_upload", "0"},
			{"size_header", "420"},
			{"size_request", "60"},
			{"speed_download", "29692"}, // 1256 B / 0.0423 s, integer as in curl
			{"speed_upload", "0"},
			{"ssl_verify_result", "0"},
			{"url", "https://www.example.test/"},
			{"url_effective", "https://www.example.test/"},
			{"redirect_url", ""},
			{"method", "GET"},
			{"scheme", "HTTPS"},
			{"content_type", "text/html; charset=utf-8"},
			{"filename_effective", ""},
			{"exitcode", "0"},
			{"errormsg", ""},
			{"conn_id", "0"},
			{"xfer_id", "0"},
			{"urlnum", "0"},
			{"referer", ""},
			{"proxy_used", "0"},
			{"tls_earlydata", "0"},
		}},
		{"plain http to an IP literal", rendertest.HTTPIP(), 0, []row{
			{"time_namelookup", "0.000000"}, // curl shows a few µs here
			{"time_connect", "0.000420"},
			{"time_appconnect", "0.000000"}, // no TLS: 0, as in curl
			{"time_pretransfer", "0.000430"},
			{"time_posttransfer", "0.000481"},
			{"time_starttransfer", "0.002418"},
			{"time_total", "0.002430"},
			{"http_version", "1.1"},
			{"remote_ip", "192.0.2.20"},
			{"remote_port", "8080"},
			{"scheme", "HTTP"},
			{"num_certs", "0"},
			{"certs", ""},
			{"ssl_verify_result", "0"},
			{"content_type", "application/json"},
			{"url.host", "192.0.2.20"},
			{"url.port", "8080"},
			{"url.path", "/health"},
		}},
		{"redirect chain of 3", woChain3(), 0, []row{
			// each phase adds up the hops' own marks (libcurl's Curl_pgrsTime)
			{"time_namelookup", "0.011000"},    // 10 ms + 1 ms + 0 (reused)
			{"time_connect", "0.021000"},       // 15 + 6 + 0
			{"time_appconnect", "0.020000"},    // 0 (http) + 20 + 0
			{"time_pretransfer", "0.035000"},   // 15 + 20 + 0
			{"time_posttransfer", "0.035400"},  // 15.1 + 20.2 + 0.1
			{"time_starttransfer", "0.063000"}, // 25 + 30 + 8
			{"time_redirect", "0.055300"},      // 25.2 + 30.1
			{"time_total", "0.064300"},         // 25.2 + 30.1 + 9
			{"num_connects", "2"},
			{"num_redirects", "2"},
			{"http_code", "200"},
			{"url", "http://example.test/old"},
			{"url_effective", "https://example.test/new"},
			{"urle.path", "/new"},
			{"url.scheme", "http"},
			{"urle.scheme", "https"},
			{"scheme", "HTTPS"},
			{"redirect_url", ""},
			{"size_header", "330"},  // every hop, as curl
			{"size_request", "243"}, // every hop, as curl
			{"size_download", "1000"},
			{"speed_download", "15552"},
			{"remote_port", "443"},
			{"local_port", "50002"},
			{"conn_id", "1"},
			{"num_headers", "3"},
			{"num_certs", "1"},
			{"content_type", "text/plain"},
		}},
		{"failure in TLS", rendertest.TLSExpired(), 60, []row{
			{"time_namelookup", "0.003200"},
			{"time_connect", "0.004350"},
			{"time_appconnect", "0.000000"},
			{"time_pretransfer", "0.000000"},
			{"time_posttransfer", "0.000000"},
			{"time_starttransfer", "0.000000"},
			{"time_total", "0.011200"},
			{"http_code", "000"},
			{"http_version", "0"},
			{"ssl_verify_result", "10"},
			{"exitcode", "60"},
			{"errormsg", "the certificate of expired.example.test expired on 2026-02-01 (28 days ago)"},
			{"remote_ip", "192.0.2.30"},
			{"remote_port", "443"},
			{"local_ip", ""},
			{"local_port", "0"},
			{"num_connects", "1"},
			{"num_certs", "0"}, // curl collects the chain only after a handshake that succeeded
			{"size_download", "0"},
			{"size_request", "0"},
			{"content_type", ""},
		}},
		{"failure in DNS", rendertest.DNSNXDomain(), 6, []row{
			{"time_namelookup", "0.000000"},
			{"time_connect", "0.000000"},
			{"time_total", "0.008400"},
			{"http_code", "000"},
			{"remote_ip", ""},
			{"remote_port", "0"},
			{"num_connects", "0"},
			{"conn_id", "-1"},
			{"errormsg", `no such host "nope.example.test" (NXDOMAIN from 192.0.2.53:53)`},
		}},
		{"through a proxy, after retries", func() *trace.Result {
			r := woHTTPS()
			r.Hops[0].Proxy = &trace.Proxy{URL: "http://192.0.2.8:3128", Tunnel: true, Status: 200}
			r.Retries = []trace.Retry{{Attempt: 1, Reason: "HTTP 503", Status: 503}, {Attempt: 2, Reason: "HTTP 503", Status: 503}}
			return r
		}(), 0, []row{
			{"http_connect", "200"},
			{"proxy_used", "1"},
			{"num_retries", "2"},
		}},
		{"the proxy refused the tunnel", func() *trace.Result {
			err := &trace.Error{Phase: trace.PhaseProxy, Kind: trace.KindProxyAuth, Message: "the proxy refused the tunnel"}
			return &trace.Result{URL: "https://a.test/", Err: err, Hops: []trace.Hop{{
				URL: "https://a.test/", Request: trace.Request{Method: "GET"},
				Proxy: &trace.Proxy{URL: "http://192.0.2.8:3128", Tunnel: true, Status: 407},
				Err:   err,
			}}}
		}(), 56, []row{
			{"http_connect", "407"},
			{"http_code", "000"},
			{"proxy_used", "1"},
		}},
		{"through SOCKS5", func() *trace.Result {
			r := woHTTPS()
			r.Hops[0].Proxy = &trace.Proxy{URL: "socks5h://192.0.2.8:1080", Tunnel: true}
			return r
		}(), 0, []row{
			{"http_connect", "000"},
			{"proxy_used", "1"},
		}},
		{"failure in connect", func() *trace.Result {
			err := &trace.Error{Phase: trace.PhaseConnect, Kind: trace.KindConnRefused, Message: "connection refused"}
			return &trace.Result{URL: "http://192.0.2.1:1/", Err: err, Hops: []trace.Hop{{
				URL: "http://192.0.2.1:1/", Request: trace.Request{Method: "GET"},
				Connect: &trace.Connect{Attempts: []trace.Attempt{{Address: "192.0.2.1:1", Duration: woUS(300), Err: "connection refused"}}},
				Timings: trace.Timings{Connect: woSpan(5, 300), Total: woUS(310)},
				Err:     err,
			}}}
		}(), 7, []row{
			{"time_connect", "0.000000"},
			{"time_total", "0.000310"},
			{"remote_ip", ""}, // as curl 7.88 shows a refused connection
			{"remote_port", "0"},
			{"num_connects", "0"},
			{"http_code", "000"},
			{"errormsg", "connection refused"},
		}},
		{"failure while sending", func() *trace.Result {
			r := rendertest.HTTPIP()
			h := &r.Hops[0]
			h.Timings.Send, h.Timings.Wait, h.Timings.Receive, h.Response = nil, nil, nil, nil
			h.Err = &trace.Error{Phase: trace.PhaseSend, Kind: trace.KindSend, Message: "sending the request failed"}
			r.Err = h.Err
			return r
		}(), 55, []row{
			{"time_connect", "0.000420"},
			{"time_pretransfer", "0.000420"}, // the connection was ready
			{"time_posttransfer", "0.000000"},
			{"time_starttransfer", "0.000000"},
			{"size_request", "0"},
		}},
		{"-k against a self-signed certificate", rendertest.Insecure(), 0, []row{
			{"ssl_verify_result", "18"},
			{"http_code", "404"},
			{"errormsg", ""},
		}},
		{"a redirect not followed", func() *trace.Result {
			r := rendertest.Redirect()
			r.Hops = r.Hops[:1]
			r.Hops[0].Redirect = &trace.Redirect{Location: "http://192.0.2.20:8080/health"}
			return r
		}(), 0, []row{
			{"redirect_url", "http://192.0.2.20:8080/health"},
			{"num_redirects", "0"},
			{"http_code", "301"},
		}},
		{"no request made", &trace.Result{URL: "http://[bad", Err: trace.BadInput("bad URL")}, 2, []row{
			{"time_total", "0.000000"},
			{"http_code", "000"},
			{"url_effective", "http://[bad"},
			{"method", ""},
			{"errormsg", "bad URL"},
			{"remote_ip", ""},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range c.rows {
				out, errOut := woRun(t, "%{"+r.variable+"}", c.res, c.exit, Options{})
				if out != r.want || errOut != "" {
					t.Errorf("%%{%s} = %q (stderr %q), want %q", r.variable, out, errOut, r.want)
				}
			}
		})
	}
}

func TestWriteOutErrormsgWithoutTraceError(t *testing.T) {
	out, _ := woRun(t, "%{errormsg}|%{exitcode}", rendertest.Insecure(), 22, Options{})
	if out != "The requested URL returned error: 404|22" {
		t.Errorf("--fail: %q", out)
	}
	out, _ = woRun(t, "%{errormsg}", rendertest.HTTPIP(), 28, Options{})
	if out != "Timeout was reached" {
		t.Errorf("exit 28 without a trace error: %q", out)
	}
}

// curl prints the -o name in filename_effective whatever happened to the
// transfer (found by trace/realtest against curl 7.88).
func TestWriteOutFilenameEffectiveOnFailure(t *testing.T) {
	if out, _ := woRun(t, "%{filename_effective}", rendertest.DNSNXDomain(), 6, Options{Filename: "out.html"}); out != "out.html" {
		t.Errorf("after a DNS failure with -o out.html: %q", out)
	}
	if out, _ := woRun(t, "%{filename_effective}", rendertest.DNSNXDomain(), 6, Options{}); out != "" {
		t.Errorf("without -o: %q", out)
	}
}

func TestWriteOutNesting(t *testing.T) {
	// Within any one result the marks are in curl's order (appconnect aside,
	// which is 0 without TLS).
	for _, fx := range woFixtures() {
		f := newWoFacts(fx.res(), fx.exit, Options{})
		// A failed run leaves the later marks at 0: compare those it set.
		var seq []time.Duration
		for _, d := range []time.Duration{f.namelookup, f.connect, f.pretransfer, f.posttransfer, f.total} {
			if d != 0 {
				seq = append(seq, d)
			}
		}
		if !slices.IsSorted(seq) {
			t.Errorf("%s: marks out of order: %v", fx.name, seq)
		}
		if f.starttransfer != 0 && f.starttransfer < f.pretransfer {
			t.Errorf("%s: starttransfer %v before pretransfer %v", fx.name, f.starttransfer, f.pretransfer)
		}
		if f.redirect > f.total {
			t.Errorf("%s: time_redirect over time_total", fx.name)
		}
	}
}

func TestWriteOutSSLVerifyResult(t *testing.T) {
	leaf := trace.Certificate{Subject: "CN=a.test", Issuer: "CN=CA"}
	root := trace.Certificate{Subject: "CN=Root", Issuer: "CN=Root"}
	self := trace.Certificate{Subject: "CN=a.test", Issuer: "CN=a.test"}
	one, two, lone := []trace.Certificate{leaf}, []trace.Certificate{leaf, root}, []trace.Certificate{self}
	cases := []struct {
		reason   trace.VerifyReason
		chain    []trace.Certificate
		insecure bool
		want     int64
	}{
		{"", nil, false, 1}, // the handshake ended before the check: curl's starting value (the real-server suite: protocol version)
		{trace.VerifyOK, one, false, 0},
		{trace.VerifyExpired, one, false, 10},
		{trace.VerifyNotYetValid, one, false, 9},
		{trace.VerifySelfSigned, lone, false, 18},
		{trace.VerifyUntrustedRoot, two, false, 19},
		{trace.VerifyUnknownAuthority, one, false, 20},
		{trace.VerifyMissingIntermediate, one, false, 20},
		{trace.VerifyHostnameMismatch, one, false, 1},
		{trace.VerifyNotCA, two, false, 24},
		{trace.VerifyPathLength, two, false, 25},
		{trace.VerifyKeyUsage, one, false, 26},
		{trace.VerifyNameConstraints, two, false, 47},
		{trace.VerifyOther, one, false, 1},
		{"from a HAR file", one, false, 1},
		// -k: curl loads no CA store, so only the chain's shape counts
		{trace.VerifyOK, one, true, 20},
		{trace.VerifyExpired, one, true, 20},
		{trace.VerifySelfSigned, lone, true, 18},
		{trace.VerifyUntrustedRoot, two, true, 19},
	}
	for _, c := range cases {
		got := woVerifyResult(&trace.TLS{Verify: c.reason, Verified: c.reason == trace.VerifyOK, Certificates: c.chain}, c.insecure)
		if got != c.want {
			t.Errorf("%q (insecure %v): %d, want %d", c.reason, c.insecure, got, c.want)
		}
	}
	if got := woVerifyResult(nil, false); got != 0 {
		t.Errorf("no TLS: %d", got)
	}
}

func TestWriteOutURLParts(t *testing.T) {
	r := &trace.Result{URL: "https://user:pw@[fe80::1%25eth0]:8443/p/a%20th?q=1#frag"}
	want := map[string]string{
		"url.scheme":   "https",
		"url.user":     "user",
		"url.password": "xxxxx",
		"url.host":     "[fe80::1]",
		"url.zoneid":   "eth0",
		"url.port":     "8443",
		"url.path":     "/p/a%20th",
		"url.query":    "q=1",
		"url.fragment": "frag",
		"url.options":  "",
		"url":          "https://user:xxxxx@[fe80::1%25eth0]:8443/p/a%20th?q=1#frag",
		"urle.host":    "[fe80::1]", // no hop: the effective URL is the one given
	}
	for v, w := range want {
		if out, _ := woRun(t, "%{"+v+"}", r, 0, Options{}); out != w {
			t.Errorf("%%{%s} = %q, want %q", v, out, w)
		}
	}
	if out, _ := woRun(t, "%{url.password} %{url}", r, 0, Options{ShowSecrets: true}); out != "pw "+r.URL {
		t.Errorf("ShowSecrets: %q", out)
	}
	r = &trace.Result{URL: "http://example.test"}
	if out, _ := woRun(t, "%{url.path}|%{url.port}|%{url.query}|%{url.user}|%{url.host}", r, 0, Options{}); out != "/|80|||example.test" {
		t.Errorf("defaults: %q", out)
	}
}

func TestWriteOutCerts(t *testing.T) {
	out, _ := woRun(t, "%{certs}", woHTTPS(), 0, Options{})
	for _, want := range []string{
		"Subject:CN=www.example.test,O=Example Corp,C=US\n",
		"Issuer:CN=Example Test CA R1,O=Example Test PKI,C=US\n",
		"X509v3 Subject Alternative Name:DNS:www.example.test, DNS:example.test,",
		"Start date:Jan 15 00:00:00 2026 GMT\n",
		"Expire date:Mar 12 23:59:59 2029 GMT\n",
		"X509v3 Basic Constraints:CA:TRUE\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("certs lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "Subject:") != 2 || strings.Contains(out, "BEGIN CERTIFICATE") {
		t.Errorf("certs: want two certificates without PEM:\n%s", out)
	}
}

// --- syntax

func TestWriteOutEscapes(t *testing.T) {
	r := rendertest.HTTPIP()
	cases := []struct{ format, want string }{
		{`a\nb`, "a\nb"},
		{`\r\t`, "\r\t"},
		{`\\`, `\\`}, // curl prints an unknown backslash pair as it stands, \\ included
		{`\\n`, `\\n`},
		{`\q`, `\q`},
		{`end\`, `end\`},
		{`100%%`, "100%"},
		{`50%`, "50%"},
		{`%q%`, "%q%"},
		{`%{`, "%{"},
		{`%{http_code`, "%{http_code"},
		{`%header{x`, "%header{x"},
		{`%time{x`, "%time{x"},
		{`%output{x`, "%output{x"},
		{`%output{>>x`, "%output{x"}, // curl has passed the >> by then
		{`%%{http_code}`, "%{http_code}"},
		{`[%{http_code}]\n`, "[200]\n"},
		{`%{http_code}%{http_code}`, "200200"},
		{"héllo ✓ %{http_version}", "héllo ✓ 1.1"},
		{"", ""},
	}
	for _, c := range cases {
		if out, errOut := woRun(t, c.format, r, 0, Options{}); out != c.want || errOut != "" {
			t.Errorf("%q: %q (stderr %q), want %q", c.format, out, errOut, c.want)
		}
	}
}

func TestWriteOutUnknownVariable(t *testing.T) {
	out, errOut := woRun(t, `a%{nope}b%{nope}c%{HTTP_CODE}%{}\n`, rendertest.HTTPIP(), 0, Options{})
	if out != "abc\n" {
		t.Errorf("stdout %q", out)
	}
	want := "reqtrace: unknown --write-out variable: 'nope'\n" +
		"reqtrace: unknown --write-out variable: 'HTTP_CODE'\n" + // names are case-sensitive, as in curl 7.75+
		"reqtrace: unknown --write-out variable: ''\n"
	if errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	// A hostile name is shown escaped.
	_, errOut = woRun(t, "%{\x1b[2J}", rendertest.HTTPIP(), 0, Options{})
	if errOut != "reqtrace: unknown --write-out variable: '\\x1b[2J'\n" {
		t.Errorf("escaped name: %q", errOut)
	}
}

func TestWriteOutStreams(t *testing.T) {
	out, errOut := woRun(t, `1%{stderr}2%{nope}3%{stdout}4%{stderr}5\n`, rendertest.HTTPIP(), 0, Options{})
	if out != "14" {
		t.Errorf("stdout %q", out)
	}
	if errOut != "2reqtrace: unknown --write-out variable: 'nope'\n35\n" {
		t.Errorf("stderr %q", errOut)
	}
	// One writer for both keeps the order.
	var both bytes.Buffer
	if err := Write(&both, &both, `a%{stderr}b%{stdout}c`, rendertest.HTTPIP(), 0, Options{}); err != nil || both.String() != "abc" {
		t.Errorf("shared writer: %q %v", both.String(), err)
	}
	// nil writers discard.
	if err := Write(nil, nil, `%{json}%{stderr}%{nope}`, rendertest.HTTPIP(), 0, Options{}); err != nil {
		t.Error(err)
	}
}

type woFailWriter struct{}

func (woFailWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteOutWriteError(t *testing.T) {
	err := Write(woFailWriter{}, io.Discard, "x", rendertest.HTTPIP(), 0, Options{})
	if err == nil || err.Error() != "broken pipe" {
		t.Errorf("err = %v", err)
	}
}

func TestWriteOutOnError(t *testing.T) {
	const format = `%{http_code}\n%{onerror}failed: %{errormsg} (%{exitcode})\n`
	if out, _ := woRun(t, format, rendertest.HTTPIP(), 0, Options{}); out != "200\n" {
		t.Errorf("success: %q", out)
	}
	out, _ := woRun(t, format, rendertest.TLSExpired(), 60, Options{})
	if out != "000\nfailed: the certificate of expired.example.test expired on 2026-02-01 (28 days ago) (60)\n" {
		t.Errorf("failure: %q", out)
	}
	// --fail: no trace error, but a non-zero exit
	if out, _ := woRun(t, format, rendertest.Insecure(), 22, Options{}); out != "404\nfailed: The requested URL returned error: 404 (22)\n" {
		t.Errorf("--fail: %q", out)
	}
	// Nothing after %{onerror} runs: no warning either.
	if _, errOut := woRun(t, "%{onerror}%{nope}", rendertest.HTTPIP(), 0, Options{}); errOut != "" {
		t.Errorf("warned after onerror: %q", errOut)
	}
}

func TestWriteOutHeader(t *testing.T) {
	chain := woChain3()
	h := woHTTPS()
	h.Hops[0].Response.Headers = append(h.Hops[0].Response.Headers,
		trace.Header{Name: "Authorization", Value: "Bearer abc.def"},
		trace.Header{Name: "X-Token", Value: "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl; x"},
		trace.Header{Name: "X-Space", Value: "  padded\t"},
	)
	cases := []struct {
		res    *trace.Result
		format string
		show   bool
		want   string
	}{
		{h, `%header{Content-Type}`, false, "text/html; charset=utf-8"},
		{h, `%header{CONTENT-TYPE}`, false, "text/html; charset=utf-8"},
		{h, `%header{nope}`, false, ""},
		{h, `%header{link}`, false, ""}, // only in the 103: not the final response
		{h, `%header{x-space}`, false, "padded"},
		// repeated fields: curl prints the first
		{h, `%header{set-cookie}`, false, "sid=[redacted]; Path=/; Secure; HttpOnly; SameSite=Lax"},
		{h, `%header{set-cookie}`, true, "sid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax"},
		{h, `%header{set-cookie:all:, }`, false, "sid=[redacted]; Path=/; Secure; HttpOnly; SameSite=Lax, theme=[redacted]; Path=/; Max-Age=31536000"},
		{h, `%header{authorization}`, false, "Bearer [redacted]"},
		{h, `%header{authorization}`, true, "Bearer abc.def"},
		{h, `%header{x-token}`, false, "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.[redacted]; x"},
		{h, `%header{x-token}`, true, "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl; x"},
		// the last hop only, unless :all:
		{chain, `%header{x-hop}`, false, "four"},
		{chain, `%header{x-hop:all:***}`, false, "one***two***three***four"},          // curl's test 764
		{chain, `%header{x-hop:all:-{\}-}\n`, false, "one-{}-two-{}-three-{}-four\n"}, // curl's test 765
		{chain, `%header{x-hop:all:\n}`, false, "one\ntwo\nthree\nfour"},
		{chain, `%header{x-hop:all:}`, false, "onetwothreefour"},
		{chain, `%header{x-hop:foo}`, false, ""},
		{chain, `%header{location:all: > }`, false, "https://example.test/old > /new"},
		{chain, `%header{x-hop\}}`, false, ""}, // \} does not end it; the name has a brace
		{chain, `%header{}`, false, ""},
		{rendertest.DNSNXDomain(), `%header{x-hop}|%header{x-hop:all:,}`, false, "|"},
	}
	for _, c := range cases {
		out, errOut := woRun(t, c.format, c.res, 0, Options{ShowSecrets: c.show})
		if out != c.want || errOut != "" {
			t.Errorf("%s (show %v): %q (stderr %q), want %q", c.format, c.show, out, errOut, c.want)
		}
	}
}

func TestWriteOutTime(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("X", 3600)) }
	cases := []struct{ format, want string }{
		{`%time{%Y-%m-%dT%H:%M:%S.%f%z}`, "2026-03-01T11:00:00.123456+0000"},
		{`%time{%a %A %b %B %C %d %D %e %F %g %G %H %I %j %k %l %m %M %p %r %R %S %T %u %U %V %w %W %x %X %y %Y %c %Z}`,
			"Sun Sunday Mar March 20 01 03/01/26  1 2026-03-01 26 2026 11 11 060 11 11 03 00 AM 11:00:00 AM 11:00 00 11:00:00 7 09 09 0 08 03/01/26 11:00:00 26 2026 Sun Mar  1 11:00:00 2026 UTC"},
		{`%time{%s}`, "1772362800"},
		{`%time{100%% %q}`, "100% %q"},
		{`%time{}`, ""},
		{"%time{" + strings.Repeat("x", 256) + "}", ""}, // too long for curl's buffer
	}
	for _, c := range cases {
		if out, _ := woRun(t, c.format, rendertest.HTTPIP(), 0, Options{Now: now}); out != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.format, out, c.want)
		}
	}
	late := time.Date(2026, 12, 31, 23, 5, 9, 0, time.UTC)
	if got := woStrftime("%j %U %V %W %G %I %p", late); got != "365 52 53 52 2026 11 PM" {
		t.Errorf("Dec 31: %q", got)
	}
	if got := woStrftime("%G %g %V %U %W %j %I %l %p %P", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); got != "2026 26 53 00 00 001 12 12 AM am" {
		t.Errorf("Jan 1: %q", got)
	}
}

func TestWriteOutOutputFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "wo.txt")
	format := "a%output{" + file + "}b%{http_code}%output{>>" + file + "}c%{stdout}d\n"
	out, errOut := woRun(t, format, rendertest.HTTPIP(), 0, Options{Output: OpenFile})
	if out != "ad\n" || errOut != "" {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	got, err := os.ReadFile(file)
	if err != nil || string(got) != "b200c" {
		t.Errorf("file: %q %v", got, err)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode: %v %v", fi.Mode(), err)
	}
	// A file that cannot be created leaves the output where it was.
	out, errOut = woRun(t, "a%output{"+filepath.Join(dir, "no", "such")+"}b", rendertest.HTTPIP(), 0, Options{Output: OpenFile})
	if out != "ab" || !strings.Contains(errOut, "cannot write to") {
		t.Errorf("unopenable: %q %q", out, errOut)
	}
	// Without Output, %output{} is ignored with one warning.
	out, errOut = woRun(t, "a%output{x}b%output{y}c", rendertest.HTTPIP(), 0, Options{})
	if out != "abc" || strings.Count(errOut, "%output{} is not available") != 1 {
		t.Errorf("no Output: %q %q", out, errOut)
	}
}

// --- JSON

// woCurlKeys are the keys of curl 8.17's %{json} (tool_writeout.c's
// variables[] that have a write function), in its order.
var woCurlKeys = []string{
	"certs", "conn_id", "content_type", "errormsg", "exitcode", "filename_effective",
	"ftp_entry_path", "http_code", "http_connect", "http_version", "local_ip", "local_port",
	"method", "num_certs", "num_connects", "num_headers", "num_redirects", "num_retries",
	"proxy_ssl_verify_result", "proxy_used", "redirect_url", "referer", "remote_ip",
	"remote_port", "response_code", "scheme", "size_download", "size_header", "size_request",
	"size_upload", "speed_download", "speed_upload", "ssl_verify_result", "time_appconnect",
	"time_connect", "time_namelookup", "time_posttransfer", "time_pretransfer", "time_queue",
	"time_redirect", "time_starttransfer", "time_total", "tls_earlydata", "url",
	"url.fragment", "url.host", "url.options", "url.password", "url.path", "url.port",
	"url.query", "url.scheme", "url.user", "url.zoneid", "url_effective", "urle.fragment",
	"urle.host", "urle.options", "urle.password", "urle.path", "urle.port", "urle.query",
	"urle.scheme", "urle.user", "urle.zoneid", "urlnum", "xfer_id", "curl_version",
}

// woJSONKeys returns the object's keys in document order and its values.
func woJSONKeys(t *testing.T, doc string) ([]string, map[string]any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %v %v\n%s", tok, err, doc)
	}
	var order []string
	vals := map[string]any{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		order = append(order, k.(string))
		vals[k.(string)] = v
	}
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("trailing data after the object: %v", err)
	}
	return order, vals
}

func TestWriteOutJSON(t *testing.T) {
	for _, fx := range woFixtures() {
		t.Run(fx.name, func(t *testing.T) {
			out, _ := woRun(t, "%{json}", fx.res(), fx.exit, Options{})
			order, vals := woJSONKeys(t, out)
			if !slices.Equal(order, woCurlKeys) {
				t.Fatalf("keys differ from curl's:\n got %v\nwant %v", order, woCurlKeys)
			}
			for _, k := range order {
				v := vals[k]
				switch {
				case strings.HasPrefix(k, "time_"):
					n, ok := v.(json.Number)
					if !ok || !strings.Contains(n.String(), ".") || len(n.String())-strings.Index(n.String(), ".") != 7 {
						t.Errorf("%s = %v: want seconds with six decimals", k, v)
					}
				case k == "http_code", k == "response_code", strings.HasPrefix(k, "num_"), strings.HasPrefix(k, "size_"),
					strings.HasPrefix(k, "speed_"), k == "exitcode", k == "ssl_verify_result", k == "local_port",
					k == "remote_port", k == "conn_id", k == "urlnum", k == "xfer_id", k == "proxy_used":
					if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
						t.Errorf("%s = %v: want an integer", k, v)
					}
				case k == "http_version", k == "remote_ip", k == "local_ip", k == "certs", k == "curl_version":
					if _, ok := v.(string); !ok {
						t.Errorf("%s = %v: want a string", k, v)
					}
				}
			}
			if vals["curl_version"] != "reqtrace/"+trace.Version {
				t.Errorf("curl_version = %v", vals["curl_version"])
			}
			if vals["ftp_entry_path"] != nil || vals["url.options"] != nil {
				t.Errorf("want null for what reqtrace has not")
			}
			rendertest.AssertTerminalSafe(t, []byte(out), false)
		})
	}
	out, _ := woRun(t, "%{json}", woHTTPS(), 0, Options{})
	for _, want := range []string{
		`{"certs":"Subject:CN=www.example.test,O=Example Corp,C=US\n`,
		`"errormsg":null,`, `"exitcode":0,`, `"http_code":200,`, `"http_version":"2",`,
		`"redirect_url":null,`, `"time_total":0.042300,`, `"url.port":"443",`, `"url.query":null,`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("json lacks %s", want)
		}
	}
	out, _ = woRun(t, "%{json}", rendertest.DNSNXDomain(), 6, Options{})
	_, vals := woJSONKeys(t, out)
	if vals["http_code"] != json.Number("0") || vals["errormsg"] == nil || vals["exitcode"] != json.Number("6") {
		t.Errorf("failure: http_code %v errormsg %v exitcode %v", vals["http_code"], vals["errormsg"], vals["exitcode"])
	}
}

func TestWriteOutHeaderJSON(t *testing.T) {
	out, _ := woRun(t, "%{header_json}", woChain3(), 0, Options{})
	want := "{\"content-type\":[\"text/plain\"],\n\"x-hop\":[\"four\"],\n\"content-length\":[\"1000\"]\n}"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	out, _ = woRun(t, "%{header_json}", woHTTPS(), 0, Options{})
	var m map[string][]string
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := m["set-cookie"]; len(got) != 2 || got[0] != "sid=[redacted]; Path=/; Secure; HttpOnly; SameSite=Lax" {
		t.Errorf("set-cookie grouped and redacted: %q", got)
	}
	if len(m) != 11 {
		t.Errorf("%d names, want 11 (set-cookie twice)", len(m))
	}
	if out, _ := woRun(t, "%{header_json}", rendertest.DNSNXDomain(), 6, Options{}); out != "{\n}" {
		t.Errorf("no response: %q", out)
	}
}

func TestWriteOutHostile(t *testing.T) {
	r := rendertest.Hostile()
	format := `%header{x-evil}|%header{x-title}|%header{x-c1}|%header{x-bad}|%{certs}|%{errormsg}|%{json}|%{header_json}` +
		`|%header{x-evil` + rendertest.Clear + `:all:,}`
	out, errOut := woRun(t, format, r, 56, Options{})
	rendertest.AssertTerminalSafe(t, []byte(out), false)
	rendertest.AssertTerminalSafe(t, []byte(errOut), false)
	for _, want := range []string{`\x1b]0;pwned\x07`, `\x1b[2J`, `\u009b31m`, `\xff\xfe`, `\u202e`, `\u2028`} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks the escaped form %s", want)
		}
	}
	// The JSON parts parse and give the data back.
	_, rest, _ := strings.Cut(out, "|{")
	jsonDoc := "{" + rest[:strings.Index(rest, "}|{")+1]
	if _, vals := woJSONKeys(t, jsonDoc); !strings.Contains(vals["errormsg"].(string), "\x1b]0;pwned\x07") {
		t.Errorf("errormsg did not round-trip: %q", vals["errormsg"])
	}
}

// --- the budget

func TestWriteOutCap(t *testing.T) {
	var out, errOut bytes.Buffer
	format := strings.Repeat("%{json}", 1000) // about 3 MB
	if err := Write(&out, &errOut, format, woHTTPS(), 0, Options{}); err != nil {
		t.Fatal(err)
	}
	if out.Len() != Max {
		t.Errorf("stdout %d bytes, want the cap %d", out.Len(), Max)
	}
	if errOut.String() != "reqtrace: --write-out output cut at 1 MiB\n" {
		t.Errorf("stderr %q", errOut.String())
	}
	// The budget is shared by both streams.
	out.Reset()
	errOut.Reset()
	format = strings.Repeat("%{stdout}%{json}%{stderr}%{json}", 500)
	if err := Write(&out, &errOut, format, woHTTPS(), 0, Options{}); err != nil {
		t.Fatal(err)
	}
	if total := out.Len() + errOut.Len(); total > Max+100 {
		t.Errorf("%d bytes in all", total)
	}
}

// --- golden files

const (
	// woHTTPStatFormat is the classic curl-format.txt of httpstat-style
	// timing posts, with \n escapes as they appear in the file.
	woHTTPStatFormat = `     time_namelookup:  %{time_namelookup}s\n` +
		`        time_connect:  %{time_connect}s\n` +
		`     time_appconnect:  %{time_appconnect}s\n` +
		`    time_pretransfer:  %{time_pretransfer}s\n` +
		`   time_posttransfer:  %{time_posttransfer}s\n` +
		`       time_redirect:  %{time_redirect}s\n` +
		`  time_starttransfer:  %{time_starttransfer}s\n` +
		`                     ----------\n` +
		`          time_total:  %{time_total}s\n`
	woOneLiner = `%{http_code} HTTP/%{http_version} %{remote_ip}:%{remote_port} connects=%{num_connects} redirects=%{num_redirects} ` +
		`%{size_download}B %{speed_download}B/s ssl=%{ssl_verify_result} %{time_total}s %{url_effective}\n` +
		`%{onerror}error %{exitcode}: %{errormsg}\n`
)

func woGolden(t *testing.T, name, out string) {
	t.Helper()
	rendertest.Golden(t, name, []byte(strings.ReplaceAll(out, "reqtrace/"+trace.Version, "reqtrace/VERSION")))
}

func TestWriteOutGolden(t *testing.T) {
	for _, fx := range woFixtures() {
		t.Run(fx.name, func(t *testing.T) {
			out, errOut := woRun(t, woHTTPStatFormat, fx.res(), fx.exit, Options{})
			if errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
			woGolden(t, "writeout_httpstat_"+fx.name, out)
			out, _ = woRun(t, woOneLiner, fx.res(), fx.exit, Options{})
			woGolden(t, "writeout_oneliner_"+fx.name, out)
		})
	}
	out, _ := woRun(t, `%{json}\n`, woHTTPS(), 0, Options{})
	woGolden(t, "writeout_json_https_h2", out)
	out, _ = woRun(t, `%{json}\n`, woChain3(), 0, Options{})
	woGolden(t, "writeout_json_chain3", out)
	out, _ = woRun(t, `%{header_json}\n`, woHTTPS(), 0, Options{})
	woGolden(t, "writeout_header_json_https_h2", out)
}

func TestWriteOutVarsSorted(t *testing.T) {
	names := make([]string, len(woVars))
	for i, v := range woVars {
		names[i] = v.name
	}
	if !slices.IsSorted(names) {
		t.Error("woVars must be in strcmp order, as curl's %{json}")
	}
	if !slices.Equal(append(names, "curl_version"), woCurlKeys) {
		t.Error("woVars differ from curl's variables")
	}
}

// --- fuzzing

type woCounter struct{ n int }

func (c *woCounter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }
func (c *woCounter) Close() error                { return nil }

// FuzzWriteOut checks that no format panics and that the output, on both
// streams and in %output{} files together, stays within Max (plus
// the one line that says it was cut).
func FuzzWriteOut(f *testing.F) {
	for _, s := range []string{
		woHTTPStatFormat, woOneLiner, `%{json}`, `%{header_json}`, `%header{x-hop:all:-{\}-}`,
		`%header{set-cookie:all:\n}`, `%{stderr}%{nope}%{stdout}`, `%output{>>f}x%output{g}`,
		`%time{%Y-%m-%dT%H:%M:%S.%f%z %c %%}`, `%{onerror}x`, `\`, `%`, `%{`, `%header{`, `\\\n\t\r\q`,
		"%{\x00}", "%header{\xff:all:\\", strings.Repeat("%{certs}", 50),
	} {
		f.Add(s)
	}
	results := []*trace.Result{woChain3(), rendertest.Hostile(), rendertest.DNSNXDomain(), {}}
	f.Fuzz(func(t *testing.T, format string) {
		for i, r := range results {
			var out, errOut woCounter
			files := &woCounter{}
			opts := Options{
				ShowSecrets: i%2 == 0,
				Now:         func() time.Time { return rendertest.Started },
				Output:      func(string, bool) (io.WriteCloser, error) { return files, nil },
			}
			if err := Write(&out, &errOut, format, r, i, opts); err != nil {
				t.Fatal(err)
			}
			if total := out.n + errOut.n + files.n; total > Max+100 {
				t.Fatalf("%d bytes written for a %d-byte format", total, len(format))
			}
		}
	})
}

// TestHostileWriteOut: -w (plain and %{json}) shows the attacks escaped, as the
// HAR file does (TestHostileHAR); JSON keeps the data.
func TestHostileWriteOut(t *testing.T) {
	var out, errb bytes.Buffer
	if err := Write(&out, &errb, "%{http_code} %header{x-evil\x1b[2J} %{errormsg}\n%{json}\n%{header_json}\n", rendertest.Hostile(), 56, Options{}); err != nil {
		t.Fatal(err)
	}
	rendertest.AssertTerminalSafe(t, out.Bytes(), false)
	rendertest.AssertTerminalSafe(t, errb.Bytes(), false)
	if !strings.Contains(out.String(), `\u200b`) || !strings.Contains(out.String(), `\U000e0041`) {
		t.Errorf("-w does not show the invisible characters escaped:\n%s", out.String())
	}
}

// With 0-RTT the request goes inside the QUIC handshake: time_connect and
// time_appconnect still end with the handshake, time_pretransfer and
// time_posttransfer come before them, and none is negative.
func TestWriteOut0RTT(t *testing.T) {
	r := rendertest.HTTPSH3()
	h := &r.Hops[0]
	h.QUIC.Used0RTT = true
	h.Timings.Send, h.Timings.Wait = woSpan(8500, 50), woSpan(8550, 42790)
	out, _ := woRun(t, "%{time_connect} %{time_appconnect} %{time_pretransfer} %{time_posttransfer} %{time_starttransfer}", r, 0, Options{})
	if want := "0.030050 0.030050 0.008500 0.008550 0.051340"; out != want {
		t.Errorf("-w = %q, want %q", out, want)
	}
}
