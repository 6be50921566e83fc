package rendertest

import (
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// HTTPSH3: --http3 to a host whose HTTPS record (reached through an
// AliasMode record) puts h3 on UDP 8443; the QUIC handshake stands for
// TCP and TLS, with the server's transport parameters.
func HTTPSH3() *trace.Result {
	return &trace.Result{
		URL:     "https://www.example.test/",
		Started: Started,
		Hops: []trace.Hop{{
			URL: "https://www.example.test/",
			Request: trace.Request{
				Method: "GET", Target: "/", Proto: "HTTP/3.0", HeadBytes: 61,
				Headers: []trace.Header{
					{Name: "user-agent", Value: "reqtrace/0.1"},
					{Name: "accept", Value: "*/*"},
				},
			},
			DNS: &trace.DNS{
				Host: "www.example.test", Source: trace.SourceDNS, Server: "192.0.2.53:53",
				Rcode: "NOERROR", Name: "www.example.test.",
				Records:   []trace.Record{{Name: "www.example.test.", Type: "A", TTL: 60, Value: "192.0.2.10"}},
				HTTPSName: "www.example.test.",
				HTTPS: []trace.HTTPSRecord{
					{Name: "www.example.test.", TTL: 300, Priority: 0, Target: "svc.example.test."},
					{Name: "svc.example.test.", TTL: 300, Priority: 1, Target: ".", ALPN: []string{"h3", "h2"}, NoDefaultALPN: true,
						Port: 8443, IPv4Hint: []string{"192.0.2.10", "192.0.2.11"}, IPv6Hint: []string{"2001:db8::10"}, Via: "www.example.test."},
				},
				Addresses: []string{"192.0.2.10"},
				Queries: []trace.Query{
					{Name: "www.example.test.", Type: "A", Server: "192.0.2.53:53", Transport: "udp",
						Start: Msec(0.02), Duration: Msec(8.1), Rcode: "NOERROR", Flags: "qr rd ra", Answers: 1},
					{Name: "www.example.test.", Type: "AAAA", Server: "192.0.2.53:53", Transport: "udp",
						Start: Msec(0.03), Duration: Msec(8.2), Rcode: "NOERROR", Flags: "qr rd ra"},
					{Name: "www.example.test.", Type: "HTTPS", Server: "192.0.2.53:53", Transport: "udp",
						Start: Msec(0.04), Duration: Msec(8.3), Rcode: "NOERROR", Flags: "qr rd ra", Answers: 2},
				},
				Duration: Msec(8.4),
			},
			Connect: &trace.Connect{
				Address: "192.0.2.10:8443", Local: "192.0.2.99:51000", Transport: "udp", Duration: Msec(21.6),
				Via:      "DNS HTTPS record (h3 on port 8443)",
				Attempts: []trace.Attempt{{Address: "192.0.2.10:8443", Transport: "udp", Start: Msec(8.45), Duration: Msec(21.6)}},
			},
			TLS: &trace.TLS{
				Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ALPN: "h3",
				Group: "X25519MLKEM768", ServerName: "www.example.test",
				Verified: true, Verify: trace.VerifyOK, Duration: Msec(21.6),
				Certificates: []trace.Certificate{{
					Subject:            "CN=www.example.test",
					Issuer:             "CN=Example Test CA R1,O=Example Test PKI,C=US",
					DNSNames:           []string{"www.example.test"},
					NotBefore:          time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
					NotAfter:           time.Date(2026, 4, 15, 23, 59, 59, 0, time.UTC),
					SerialNumber:       "04:a1:9c:2e",
					SignatureAlgorithm: "ECDSA-SHA256",
					PublicKey:          "ECDSA P-256",
				}},
			},
			QUIC: &trace.QUIC{
				Version: "v1", MinRTT: Msec(20.1), SmoothedRTT: Msec(20.8), PacketsSent: 9, PacketsLost: 1,
				Peer: &trace.QUICParams{IdleTimeout: 30 * time.Second, MaxStreamsBidi: 100, MaxStreamsUni: 103,
					MaxData: 16 << 20, MaxUDPPayload: 1472, MaxDatagramFrame: 65536, ActiveConnIDLimit: 8, DisableMigration: true},
			},
			ConnID: 1,
			Response: &trace.Response{
				Proto: "HTTP/3.0", Status: 200, HeadBytes: 173, DecodedBytes: -1,
				Headers: []trace.Header{
					{Name: "content-type", Value: "text/plain; charset=utf-8"},
					{Name: "content-length", Value: "28"},
					{Name: "cache-control", Value: "max-age=60"},
					{Name: "date", Value: "Sun, 01 Mar 2026 12:00:00 GMT"},
					{Name: "alt-svc", Value: `h3=":8443"; ma=86400`},
				},
				BodyBytes:   28,
				BodyPreview: []byte("hello from www.example.test\n"),
			},
			Timings: trace.Timings{
				DNS:     Span(0, 8.4),
				QUIC:    Span(8.45, 21.6),
				Send:    Span(30.06, 0.08),
				Wait:    Span(30.14, 21.2),
				Receive: Span(51.34, 0.1),
				Total:   Msec(51.44),
				Skipped: map[string]string{
					trace.PhaseConnect: "HTTP/3 runs over QUIC (UDP): the QUIC handshake replaces TCP's connect and TLS's",
					trace.PhaseTLS:     "the TLS 1.3 handshake runs inside the QUIC handshake",
				},
			},
		}},
	}
}

// HTTPSRRLate: the HTTPS record's answer came after the wait a browser
// gives it once the addresses are in; the request went on over HTTP/2.
func HTTPSRRLate() *trace.Result {
	return &trace.Result{
		URL:     "https://slow.example.test/",
		Started: Started,
		Hops: []trace.Hop{{
			URL: "https://slow.example.test/",
			Request: trace.Request{
				Method: "GET", Target: "/", Proto: "HTTP/2.0",
				Headers: []trace.Header{{Name: "user-agent", Value: "reqtrace/0.1"}, {Name: "accept", Value: "*/*"}},
			},
			DNS: &trace.DNS{
				Host: "slow.example.test", Source: trace.SourceDNS, Server: "192.0.2.53:53",
				Rcode: "NOERROR", Name: "slow.example.test.",
				Records:   []trace.Record{{Name: "slow.example.test.", Type: "A", TTL: 60, Value: "192.0.2.12"}},
				HTTPSName: "slow.example.test.",
				HTTPSErr:  "no answer within the 5ms reqtrace waits for HTTPS once the addresses are in (Chrome's rule: 20% of the lookup so far, 5 to 50 ms)",
				Addresses: []string{"192.0.2.12"},
				Queries: []trace.Query{
					{Name: "slow.example.test.", Type: "A", Server: "192.0.2.53:53", Transport: "udp",
						Start: Msec(0.02), Duration: Msec(2.1), Rcode: "NOERROR", Flags: "qr rd ra", Answers: 1},
					{Name: "slow.example.test.", Type: "AAAA", Server: "192.0.2.53:53", Transport: "udp",
						Start: Msec(0.03), Duration: Msec(2.2), Rcode: "NOERROR", Flags: "qr rd ra"},
				},
				Duration: Msec(7.3),
			},
			Connect: &trace.Connect{
				Address: "192.0.2.12:443", Local: "192.0.2.99:52000", Duration: Msec(1.1),
				Attempts: []trace.Attempt{{Address: "192.0.2.12:443", Start: Msec(7.35), Duration: Msec(1.1)}},
			},
			TLS: &trace.TLS{
				Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ALPN: "h2", Group: "X25519",
				ServerName: "slow.example.test", Verified: true, Verify: trace.VerifyOK, Duration: Msec(2.4),
			},
			ConnID: 1,
			Response: &trace.Response{
				Proto: "HTTP/2.0", Status: 204, HeadBytes: 60, DecodedBytes: -1,
				Headers: []trace.Header{{Name: "date", Value: "Sun, 01 Mar 2026 12:00:00 GMT"}},
			},
			Timings: trace.Timings{
				DNS:     Span(0, 7.3),
				Connect: Span(7.35, 1.1),
				TLS:     Span(8.46, 2.4),
				Send:    Span(10.9, 0.05),
				Wait:    Span(10.95, 1.5),
				Receive: Span(12.45, 0),
				Total:   Msec(12.45),
			},
		}},
	}
}
