// Package rendertest holds what the tests of render and its sub-packages
// share: hand-built Results, golden files, hostile input and JSON checks.
package rendertest

import (
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// Fixtures are hand-built Results with fixed times, so the golden files
// never depend on the network or the clock.

var Started = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func Msec(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func Span(start, dur float64) *trace.Span {
	return &trace.Span{Start: Msec(start), Duration: Msec(dur)}
}

type Fixture struct {
	Name string
	Res  *trace.Result
}

func Fixtures() []Fixture {
	return []Fixture{
		{"https_h2", HTTPSH2()},
		{"http_ip", HTTPIP()},
		{"dns_nxdomain", DNSNXDomain()},
		{"tls_expired", TLSExpired()},
		{"insecure", Insecure()},
		{"redirect", Redirect()},
		{"https_h3", HTTPSH3()},
		{"https_rr_late", HTTPSRRLate()},
		{"h3_fallback", H3Fallback()},
	}
}

// HTTPSH2: a CNAME chain, Happy Eyeballs with a refused IPv6 attempt, a
// TLS 1.3 chain of two, a 103 Early Hints and a long header.
func HTTPSH2() *trace.Result {
	return &trace.Result{
		URL:     "https://www.example.test/",
		Started: Started,
		Hops: []trace.Hop{{
			URL: "https://www.example.test/",
			Request: trace.Request{
				Method: "GET", Target: "/", Proto: "HTTP/2.0",
				Headers: []trace.Header{
					{Name: "user-agent", Value: "reqtrace/0.1"},
					{Name: "accept", Value: "*/*"},
				},
			},
			DNS: &trace.DNS{
				Host: "www.example.test", Source: trace.SourceDNS, Server: "192.0.2.53:53",
				Rcode: "NOERROR", Name: "www.example.test.",
				Records: []trace.Record{
					{Name: "www.example.test.", Type: "CNAME", TTL: 300, Value: "cdn.example.test."},
					{Name: "cdn.example.test.", Type: "CNAME", TTL: 300, Value: "edge-7.cdn.example.test."},
					{Name: "edge-7.cdn.example.test.", Type: "AAAA", TTL: 60, Value: "::1"},
					{Name: "edge-7.cdn.example.test.", Type: "A", TTL: 60, Value: "192.0.2.10"},
				},
				HTTPSName: "www.example.test.",
				HTTPS: []trace.HTTPSRecord{{Name: "www.example.test.", TTL: 300, Priority: 1, Target: ".", ALPN: []string{"h3", "h2"},
					Port: 443, IPv4Hint: []string{"192.0.2.10"}, IPv6Hint: []string{"::1"}, ECH: true}},
				Addresses: []string{"::1", "192.0.2.10"},
				Queries: []trace.Query{
					{Name: "www.example.test.", Type: "A", Server: "192.0.2.53:53", Transport: "udp",
						Start: Msec(0.021), Duration: Msec(12.104), Rcode: "NOERROR", Flags: "qr rd ra", Answers: 3},
					{Name: "www.example.test.", Type: "AAAA", Server: "192.0.2.53:53", Transport: "udp",
						Start: Msec(0.034), Duration: Msec(12.266), Rcode: "NOERROR", Flags: "qr rd ra", Answers: 3},
				},
				Duration: Msec(12.3),
			},
			Connect: &trace.Connect{
				Address: "192.0.2.10:443", Local: "192.0.2.99:53124", Duration: Msec(5.1),
				Attempts: []trace.Attempt{
					{Address: "[::1]:443", Start: Msec(12.35), Duration: Msec(0.214), Err: "connection refused"},
					{Address: "192.0.2.10:443", Start: Msec(12.6), Duration: Msec(4.85)},
				},
			},
			TLS: &trace.TLS{
				Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ALPN: "h2",
				Group: "X25519MLKEM768", ServerName: "www.example.test", OCSPStapled: true,
				Verified: true, Verify: trace.VerifyOK, Duration: Msec(10.2),
				Certificates: []trace.Certificate{
					{
						Subject:            "CN=www.example.test,O=Example Corp,C=US",
						Issuer:             "CN=Example Test CA R1,O=Example Test PKI,C=US",
						DNSNames:           []string{"www.example.test", "example.test", "*.cdn.example.test", "api.example.test", "static.example.test"},
						NotBefore:          time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
						NotAfter:           time.Date(2026, 4, 15, 23, 59, 59, 0, time.UTC),
						SerialNumber:       "04:a1:9c:2e:7f:10:66:3b",
						SignatureAlgorithm: "ECDSA-SHA256",
						PublicKey:          "ECDSA P-256",
					},
					{
						Subject:            "CN=Example Test CA R1,O=Example Test PKI,C=US",
						Issuer:             "CN=Example Test Root X1,O=Example Test PKI,C=US",
						NotBefore:          time.Date(2024, 3, 13, 0, 0, 0, 0, time.UTC),
						NotAfter:           time.Date(2029, 3, 12, 23, 59, 59, 0, time.UTC),
						SerialNumber:       "8a:7d:3e:13",
						SignatureAlgorithm: "SHA256-RSA",
						PublicKey:          "RSA 2048",
						IsCA:               true,
					},
				},
			},
			Informational: []trace.Informational{{
				Status: 103,
				Headers: []trace.Header{
					{Name: "link", Value: "</style.css>; rel=preload; as=style"},
					{Name: "link", Value: "</app.js>; rel=preload; as=script"},
				},
				At: Msec(30.12),
			}},
			ConnID: 1,
			Response: &trace.Response{
				Proto: "HTTP/2.0", Status: 200, HeadBytes: 712, DecodedBytes: -1,
				ServerTiming: []trace.ServerTiming{
					{Name: "db", Duration: Msec(6.5), HasDuration: true, Description: "primary"},
					{Name: "cache", Description: "miss"},
				},
				Headers: []trace.Header{
					{Name: "content-type", Value: "text/html; charset=utf-8"},
					{Name: "content-length", Value: "1256"},
					{Name: "cache-control", Value: "public, max-age=300, stale-while-revalidate=60"},
					{Name: "etag", Value: `"5f2b-1a9c"`},
					{Name: "date", Value: "Sun, 01 Mar 2026 12:00:00 GMT"},
					{Name: "server", Value: "edge-7"},
					{Name: "strict-transport-security", Value: "max-age=63072000; includeSubDomains; preload"},
					{Name: "content-security-policy", Value: "default-src 'self'; script-src 'self' https://cdn.example.test 'nonce-r4nd0m'; style-src 'self' 'unsafe-inline'; img-src * data:; frame-ancestors 'none'"},
					{Name: "set-cookie", Value: "sid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax"},
					{Name: "set-cookie", Value: "theme=dark; Path=/; Max-Age=31536000"},
					{Name: "vary", Value: "Accept-Encoding"},
					{Name: "alt-svc", Value: `h3=":443"; ma=86400`},
				},
				BodyBytes:   1256,
				BodyPreview: []byte("<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>Example</title>\n  <link rel=\"stylesheet\" href=\"/style.css\">\n</head>\n"),
			},
			Timings: trace.Timings{
				DNS:     Span(0, 12.3),
				Connect: Span(12.35, 5.1),
				TLS:     Span(17.46, 10.2),
				Send:    Span(27.7, 0.214),
				Wait:    Span(27.914, 12.0),
				Receive: Span(39.914, 2.3),
				Total:   Msec(42.3),
			},
		}},
	}
}

// HTTPIP: plain HTTP/1.1 to an IP literal: no DNS, no TLS.
func HTTPIP() *trace.Result {
	return &trace.Result{
		URL:     "http://192.0.2.20:8080/health",
		Started: Started,
		Hops: []trace.Hop{{
			URL: "http://192.0.2.20:8080/health",
			Request: trace.Request{
				Method: "GET", Target: "/health", Proto: "HTTP/1.1",
				Headers: []trace.Header{
					{Name: "Host", Value: "192.0.2.20:8080"},
					{Name: "User-Agent", Value: "reqtrace/0.1"},
					{Name: "Accept", Value: "*/*"},
				},
			},
			Connect: &trace.Connect{
				Address: "192.0.2.20:8080", Local: "192.0.2.99:40112", Duration: Msec(0.412),
				Attempts: []trace.Attempt{{Address: "192.0.2.20:8080", Start: Msec(0.008), Duration: Msec(0.412)}},
			},
			ConnID: 1,
			Response: &trace.Response{
				Proto: "HTTP/1.1", Status: 200, Reason: "OK", HeadBytes: 98, DecodedBytes: -1,
				Headers: []trace.Header{
					{Name: "Content-Type", Value: "application/json"},
					{Name: "Content-Length", Value: "15"},
					{Name: "Date", Value: "Sun, 01 Mar 2026 12:00:00 GMT"},
				},
				BodyBytes:   15,
				BodyPreview: []byte(`{"status":"ok"}`),
			},
			Timings: trace.Timings{
				Connect: Span(0.008, 0.412),
				Send:    Span(0.43, 0.051),
				Wait:    Span(0.481, 1.937),
				Receive: Span(2.418, 0.006),
				Total:   Msec(2.43),
				Skipped: map[string]string{
					trace.PhaseDNS: "the URL host is an IP address",
					trace.PhaseTLS: "http:// has no TLS",
				},
			},
		}},
	}
}

// DNSNXDomain: the name does not exist; only the DNS span.
func DNSNXDomain() *trace.Result {
	err := &trace.Error{
		Phase: trace.PhaseDNS, Kind: trace.KindNXDomain,
		Message: `no such host "nope.example.test" (NXDOMAIN from 192.0.2.53:53)`,
		Hint:    "check the spelling of the host name, or ask another resolver with --dns-servers",
	}
	return &trace.Result{
		URL:     "https://nope.example.test/",
		Started: Started,
		Hops: []trace.Hop{{
			URL:     "https://nope.example.test/",
			Request: trace.Request{Method: "GET", Target: "/", Proto: "HTTP/1.1"},
			DNS: &trace.DNS{
				Host: "nope.example.test", Source: trace.SourceDNS, Server: "192.0.2.53:53",
				Rcode: "NXDOMAIN", Name: "nope.example.test.",
				Queries: []trace.Query{
					{Name: "nope.example.test.", Type: "A", Server: "192.0.2.53:53", Transport: "udp",
						Start: Msec(0.02), Duration: Msec(8.31), Rcode: "NXDOMAIN", Flags: "qr rd ra"},
					{Name: "nope.example.test.", Type: "AAAA", Server: "192.0.2.53:53", Transport: "udp",
						Start: Msec(0.03), Duration: Msec(8.37), Rcode: "NXDOMAIN", Flags: "qr rd ra"},
				},
				Authority: []trace.Record{{Name: "example.test.", Type: "SOA", TTL: 900,
					Value: "ns1.example.test. hostmaster.example.test. 2026112501 7200 3600 1209600 300"}},
				NegativeTTL: Ptr(uint32(300)),
				// the search list's name has its own zone's SOA; the name
				// as given, asked first, decides the outcome
				Tried: []trace.NameTried{
					{Name: "nope.example.test.", Server: "192.0.2.53:53", Rcode: "NXDOMAIN", Start: Msec(0.02), Duration: Msec(8.37),
						Authority: []trace.Record{{Name: "example.test.", Type: "SOA", TTL: 900,
							Value: "ns1.example.test. hostmaster.example.test. 2026112501 7200 3600 1209600 300"}},
						NegativeTTL: Ptr(uint32(300))},
					{Name: "nope.example.test.corp.example.", Rcode: "REFUSED", Start: Msec(8.38), Duration: Msec(0.02),
						Err: "the DNS server refused to resolve nope.example.test.corp.example (REFUSED from 192.0.2.53:53)"},
				},
				Duration: Msec(8.4),
			},
			Timings: trace.Timings{DNS: Span(0, 8.4), Total: Msec(8.4)},
			Err:     err,
		}},
		Err: err,
	}
}

// TLSExpired: the handshake fails on an expired certificate.
func TLSExpired() *trace.Result {
	err := &trace.Error{
		Phase: trace.PhaseTLS, Kind: trace.KindExpired,
		Message: "the certificate of expired.example.test expired on 2026-02-01 (28 days ago)",
		Hint:    "renew the certificate on the server; -k skips the check, but only for testing",
	}
	return &trace.Result{
		URL:     "https://expired.example.test/",
		Started: Started,
		Hops: []trace.Hop{{
			URL:     "https://expired.example.test/",
			Request: trace.Request{Method: "GET", Target: "/", Proto: "HTTP/1.1"},
			DNS: &trace.DNS{
				Host: "expired.example.test", Source: trace.SourceDNS, Server: "192.0.2.53:53",
				Rcode: "NOERROR", Name: "expired.example.test.",
				Records:   []trace.Record{{Name: "expired.example.test.", Type: "A", TTL: 3600, Value: "192.0.2.30"}},
				Addresses: []string{"192.0.2.30"},
				Duration:  Msec(3.2),
			},
			Connect: &trace.Connect{
				Address: "192.0.2.30:443", Duration: Msec(1.1),
				Attempts: []trace.Attempt{{Address: "192.0.2.30:443", Start: Msec(3.25), Duration: Msec(1.1)}},
			},
			TLS: &trace.TLS{
				Version: "TLS 1.3", CipherSuite: "TLS_AES_256_GCM_SHA384", Group: "X25519",
				ServerName:  "expired.example.test",
				Verify:      trace.VerifyExpired,
				VerifyError: "the certificate expired on 2026-02-01 (28 days ago)",
				Duration:    Msec(6.8),
				Certificates: []trace.Certificate{{
					Subject:   "CN=expired.example.test",
					Issuer:    "CN=Example Test CA R1,O=Example Test PKI,C=US",
					DNSNames:  []string{"expired.example.test"},
					NotBefore: time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC),
					NotAfter:  time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
				}},
			},
			Timings: trace.Timings{
				DNS:     Span(0, 3.2),
				Connect: Span(3.25, 1.1),
				TLS:     Span(4.4, 6.8),
				Total:   Msec(11.2),
			},
			Err: err,
		}},
		Err: err,
	}
}

// Insecure: -k against a self-signed server found in the hosts file; the
// server answers 404 over HTTP/1.1.
func Insecure() *trace.Result {
	return &trace.Result{
		URL:      "https://self-signed.example.test:8443/admin",
		Started:  Started,
		Insecure: true,
		Hops: []trace.Hop{{
			URL: "https://self-signed.example.test:8443/admin",
			Request: trace.Request{
				Method: "GET", Target: "/admin", Proto: "HTTP/1.1",
				Headers: []trace.Header{
					{Name: "Host", Value: "self-signed.example.test:8443"},
					{Name: "User-Agent", Value: "reqtrace/0.1"},
				},
			},
			DNS: &trace.DNS{
				Host: "self-signed.example.test", Source: trace.SourceHosts,
				Addresses: []string{"127.0.0.1"}, Duration: Msec(0.031),
			},
			Connect: &trace.Connect{
				Address: "127.0.0.1:8443", Duration: Msec(0.09),
				Attempts: []trace.Attempt{{Address: "127.0.0.1:8443", Start: Msec(0.04), Duration: Msec(0.09)}},
			},
			TLS: &trace.TLS{
				Version: "TLS 1.2", CipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", ALPN: "http/1.1",
				Group: "X25519", ServerName: "self-signed.example.test",
				Verify:      trace.VerifySelfSigned,
				VerifyError: "the certificate is self-signed (\"CN=self-signed.example.test\" signed itself), : no trusted authority vouches for it",
				Duration:    Msec(2.61),
				Certificates: []trace.Certificate{{
					Subject:     "CN=self-signed.example.test",
					Issuer:      "CN=self-signed.example.test",
					DNSNames:    []string{"self-signed.example.test"},
					IPAddresses: []string{"127.0.0.1"},
					NotBefore:   time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC),
					NotAfter:    time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
					IsCA:        true,
				}},
			},
			ConnID: 1,
			Response: &trace.Response{
				Proto: "HTTP/1.1", Status: 404, Reason: "Not Found", HeadBytes: 120, DecodedBytes: -1,
				Headers: []trace.Header{
					{Name: "Content-Type", Value: "text/plain; charset=utf-8"},
					{Name: "X-Content-Type-Options", Value: "nosniff"},
					{Name: "Content-Length", Value: "19"},
				},
				BodyBytes:   19,
				BodyPreview: []byte("404 page not found\n"),
			},
			Timings: trace.Timings{
				DNS:     Span(0, 0.031),
				Connect: Span(0.04, 0.09),
				TLS:     Span(0.14, 2.61),
				Send:    Span(2.76, 0.04),
				Wait:    Span(2.8, 0.733),
				Receive: Span(3.533, 0.012),
				Total:   Msec(3.55),
			},
		}},
	}
}

// H3Fallback: --http3 where UDP is filtered: QUIC got no answer within
// the head start, TCP and TLS started alongside it and were ready first,
// and the abandoned QUIC attempt is kept.
func H3Fallback() *trace.Result {
	return &trace.Result{
		URL:     "https://udp-blocked.example.test/",
		Started: Started,
		Hops: []trace.Hop{{
			URL: "https://udp-blocked.example.test/",
			Request: trace.Request{
				Method: "GET", Target: "/", Proto: "HTTP/2.0",
				Headers: []trace.Header{{Name: "user-agent", Value: "reqtrace/0.1"}},
			},
			DNS: &trace.DNS{
				Host: "udp-blocked.example.test", Source: trace.SourceHosts,
				Addresses: []string{"192.0.2.40"}, Duration: Msec(0.03),
			},
			Connect: &trace.Connect{
				Address: "192.0.2.40:443", Local: "192.0.2.1:50312", Duration: Msec(0.9),
				Attempts: []trace.Attempt{
					{Address: "192.0.2.40:443", Transport: "udp", Start: Msec(0.05), Duration: Msec(104.2), Err: "abandoned: TCP and TLS connected first"},
					{Address: "192.0.2.40:443", Start: Msec(100.3), Duration: Msec(0.9)},
				},
			},
			TLS: &trace.TLS{
				Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ALPN: "h2", Group: "X25519MLKEM768",
				ServerName: "udp-blocked.example.test", Verified: true, Verify: trace.VerifyOK, Duration: Msec(2.9),
			},
			ConnID: 1,
			Fallback: &trace.Fallback{
				Reason: trace.FallbackTCPFirst, Address: "192.0.2.40:443", Span: Span(0.05, 104.2),
				Message: "HTTP/3 not used: TCP and TLS were ready first, and the QUIC attempt was abandoned after 104ms",
				Err: &trace.Error{Phase: trace.PhaseQUIC, Kind: trace.KindQUICTimeout,
					Message: "no QUIC answer from 192.0.2.40:443 after 104ms, by when TCP and TLS had connected: the QUIC attempt was abandoned",
					Hint:    "UDP to this port may be filtered (many firewalls drop it), or the server does not speak HTTP/3 here; --http3-only waits the whole --connect-timeout for it"},
			},
			Response: &trace.Response{
				Proto: "HTTP/2.0", Status: 200, HeadBytes: 60, DecodedBytes: -1, BodyBytes: 3,
				Headers:     []trace.Header{{Name: "content-length", Value: "3"}},
				BodyPreview: []byte("ok\n"),
			},
			Timings: trace.Timings{
				DNS:     Span(0, 0.03),
				Connect: Span(100.3, 0.9),
				TLS:     Span(101.2, 2.9),
				Send:    Span(104.3, 0.05),
				Wait:    Span(104.35, 1.2),
				Receive: Span(105.55, 0.01),
				Total:   Msec(105.56),
			},
		}},
	}
}

// Redirect: -L through a 301, the second hop on the reused connection.
func Redirect() *trace.Result {
	first := HTTPIP().Hops[0]
	first.URL = "http://192.0.2.20:8080/old"
	first.Request.Target = "/old"
	first.Response = &trace.Response{
		Proto: "HTTP/1.1", Status: 301, Reason: "Moved Permanently", HeadBytes: 64, DecodedBytes: -1,
		Headers: []trace.Header{
			{Name: "Location", Value: "/health"},
			{Name: "Content-Length", Value: "0"},
		},
	}
	first.Redirect = &trace.Redirect{Location: "http://192.0.2.20:8080/health", Method: "GET",
		Rule: "301: the next request repeats GET", Followed: true}
	first.Timings.Receive = Span(2.418, 0)
	second := HTTPIP().Hops[0]
	second.Connect = &trace.Connect{Address: "192.0.2.20:8080", Local: "192.0.2.99:40112", Reused: true}
	second.ConnID = 1
	second.Timings = trace.Timings{
		Send:    Span(0.01, 0.04),
		Wait:    Span(0.05, 1.2),
		Receive: Span(1.25, 0.006),
		Total:   Msec(1.26),
		Skipped: map[string]string{
			trace.PhaseDNS:     "reused connection",
			trace.PhaseConnect: "reused connection",
			trace.PhaseTLS:     "reused connection",
		},
	}
	return &trace.Result{
		URL:     "http://192.0.2.20:8080/old",
		Started: Started,
		Hops:    []trace.Hop{first, second},
	}
}

func Ptr[T any](v T) *T { return &v }
