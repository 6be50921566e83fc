package tracetest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// query sends one question to the lab over netw ("udp" or "tcp") with a
// 1232-byte EDNS0 buffer.
func query(t *testing.T, l *Lab, netw, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype)
	m.SetEdns0(1232, false)
	c := &dns.Client{Net: netw, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, l.DNSAddr)
	if r != nil && r.Truncated {
		return r // miekg/dns may report an error with a truncated reply
	}
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qtype], netw, err)
	}
	return r
}

// addrs lists the A and AAAA values of the answer, in order.
func addrs(r *dns.Msg) []string {
	var out []string
	for _, rr := range r.Answer {
		switch v := rr.(type) {
		case *dns.A:
			out = append(out, v.A.String())
		case *dns.AAAA:
			out = append(out, v.AAAA.String())
		}
	}
	return out
}

func TestDNSDefault(t *testing.T) {
	l := New(t)
	r := query(t, l, "udp", "www.lab.test", dns.TypeA)
	if r.Rcode != dns.RcodeSuccess || !r.Authoritative {
		t.Fatalf("rcode %s aa %v, want NOERROR aa", dns.RcodeToString[r.Rcode], r.Authoritative)
	}
	if got := addrs(r); len(got) != 1 || got[0] != "127.0.0.1" || r.Answer[0].Header().Ttl != 60 {
		t.Fatalf("answer %v, want A 127.0.0.1 ttl 60", r.Answer)
	}
	r = query(t, l, "udp", "www.lab.test", dns.TypeAAAA)
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 || len(r.Ns) != 1 || r.Ns[0].Header().Rrtype != dns.TypeSOA {
		t.Fatalf("AAAA: %v, want NODATA with SOA", r)
	}
	if n := l.DNSQueries("WWW.lab.test."); n != 2 {
		t.Errorf("DNSQueries = %d, want 2", n)
	}
	if n := l.DNSQueriesOfType("www.lab.test", dns.TypeAAAA); n != 1 {
		t.Errorf("DNSQueriesOfType(AAAA) = %d, want 1", n)
	}
	if n := l.DNSQueries("other.lab.test"); n != 0 {
		t.Errorf("DNSQueries(other) = %d, want 0", n)
	}
}

func TestDNSAliases(t *testing.T) {
	l := New(t)
	for name, chain := range map[string][]string{
		"alias.lab.test":            {"alias.lab.test.", "www.lab.test."},
		"dnsdelay-1.alias.lab.test": {"dnsdelay-1.alias.lab.test.", "www.lab.test."},
		"chain.lab.test":            {"chain.lab.test.", "alias.lab.test.", "www.lab.test."},
	} {
		r := query(t, l, "udp", name, dns.TypeA)
		var got []string
		for _, rr := range r.Answer {
			if c, ok := rr.(*dns.CNAME); ok {
				if len(got) == 0 {
					got = append(got, c.Hdr.Name)
				}
				got = append(got, c.Target)
				if c.Hdr.Ttl != 300 {
					t.Errorf("%s: CNAME ttl %d, want 300", name, c.Hdr.Ttl)
				}
			}
		}
		last := r.Answer[len(r.Answer)-1]
		if strings.Join(got, " ") != strings.Join(chain, " ") || last.Header().Name != "www.lab.test." || addrs(r)[0] != "127.0.0.1" {
			t.Errorf("%s: answer %v, want chain %v then A", name, r.Answer, chain)
		}
	}
}

func TestDNSRcodes(t *testing.T) {
	l := New(t)
	for name, want := range map[string]int{
		"nxdomain.lab.test": dns.RcodeNameError,
		"a.b.nx.lab.test":   dns.RcodeNameError,
		"servfail.lab.test": dns.RcodeServerFailure,
		"refused.lab.test":  dns.RcodeRefused,
		"example.com":       dns.RcodeRefused,
		"noaddr.lab.test":   dns.RcodeSuccess,
	} {
		r := query(t, l, "udp", name, dns.TypeA)
		if r.Rcode != want {
			t.Errorf("%s: rcode %s, want %s", name, dns.RcodeToString[r.Rcode], dns.RcodeToString[want])
		}
		if want == dns.RcodeNameError && (len(r.Ns) != 1 || r.Ns[0].Header().Rrtype != dns.TypeSOA) {
			t.Errorf("%s: authority %v, want the SOA", name, r.Ns)
		}
	}
	r := query(t, l, "udp", "noaddr.lab.test", dns.TypeA)
	if len(r.Answer) != 1 || r.Answer[0].Header().Rrtype != dns.TypeTXT {
		t.Errorf("noaddr: answer %v, want one TXT", r.Answer)
	}
}

func TestDNSAddressKinds(t *testing.T) {
	l := New(t)
	cases := []struct {
		name  string
		qtype uint16
		want  string
	}{
		{"dual.lab.test", dns.TypeA, "127.0.0.1"},
		{"dual.lab.test", dns.TypeAAAA, "::1"},
		{"v6only.lab.test", dns.TypeA, ""},
		{"v6only.lab.test", dns.TypeAAAA, "::1"},
	}
	for _, c := range cases {
		r := query(t, l, "udp", c.name, c.qtype)
		if got := strings.Join(addrs(r), " "); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.name, dns.TypeToString[c.qtype], got, c.want)
		}
	}
}

func TestDNSTruncation(t *testing.T) {
	l := New(t)
	r := query(t, l, "udp", "big.lab.test", dns.TypeA)
	if !r.Truncated || len(r.Answer) >= BigRecords {
		t.Fatalf("udp: TC=%v with %d records, want TC=1 and fewer than %d", r.Truncated, len(r.Answer), BigRecords)
	}
	r = query(t, l, "tcp", "big.lab.test", dns.TypeA)
	got := addrs(r)
	if r.Truncated || len(got) != BigRecords || got[0] != "127.0.0.1" || got[1] != "127.0.0.2" {
		t.Fatalf("tcp: TC=%v with %d records (%v...), want all %d from 127.0.0.1", r.Truncated, len(got), got[:2], BigRecords)
	}
	if n, tcp := l.DNSQueries("big.lab.test"), l.DNSTCPQueries("big.lab.test"); n != 2 || tcp != 1 {
		t.Errorf("queries %d (tcp %d), want 2 (tcp 1)", n, tcp)
	}
}

func TestDNSDelayAndTimeout(t *testing.T) {
	l := New(t)
	start := time.Now()
	query(t, l, "udp", "dnsdelay-50.www.lab.test", dns.TypeA)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("dnsdelay-50 answered in %v", d)
	}

	m := new(dns.Msg).SetQuestion("timeout.lab.test.", dns.TypeA)
	c := &dns.Client{Timeout: 100 * time.Millisecond}
	if r, _, err := c.Exchange(m, l.DNSAddr); err == nil {
		t.Errorf("timeout.lab.test answered: %v", r)
	}
}

// client trusts the lab CA and reaches any host name on the lab.
func client(l *Lab) *http.Client {
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	return &http.Client{Transport: &http.Transport{
		DialContext:     l.DialContext,
		TLSClientConfig: &tls.Config{RootCAs: l.CertPool()},
		Protocols:       &p,
	}}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestHTTPSProtocols(t *testing.T) {
	l := New(t)
	c := client(l)
	cases := []struct {
		host, proto, alpn string
		tlsVersion        uint16
	}{
		{"www.lab.test", "HTTP/2.0", "h2", tls.VersionTLS13},
		{"h1only.lab.test", "HTTP/1.1", "http/1.1", tls.VersionTLS13},
		{"tls12.lab.test", "HTTP/2.0", "h2", tls.VersionTLS12},
	}
	for _, tc := range cases {
		resp, body := get(t, c, l.URL("https", tc.host, "/"))
		if resp.Proto != tc.proto || resp.TLS.NegotiatedProtocol != tc.alpn || resp.TLS.Version != tc.tlsVersion {
			t.Errorf("%s: %s alpn %q %s, want %s alpn %q %s", tc.host, resp.Proto, resp.TLS.NegotiatedProtocol,
				tls.VersionName(resp.TLS.Version), tc.proto, tc.alpn, tls.VersionName(tc.tlsVersion))
		}
		if body != HelloBody || resp.Header.Get("Server") != ServerHeader || resp.Header.Get("Cache-Control") != "max-age=60" {
			t.Errorf("%s: %q %v", tc.host, body, resp.Header)
		}
		if san := resp.TLS.PeerCertificates[0].DNSNames; len(san) != 1 || san[0] != tc.host {
			t.Errorf("%s: leaf SAN %v", tc.host, san)
		}
	}
	if n := l.Requests("/"); n != len(cases) {
		t.Errorf("Requests(/) = %d, want %d", n, len(cases))
	}
}

func TestHTTPSByIP(t *testing.T) {
	l := New(t)
	resp, _ := get(t, client(l), l.URL("https", "127.0.0.1", "/"))
	if leaf := resp.TLS.PeerCertificates[0]; len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("leaf IP SANs %v, want 127.0.0.1", leaf.IPAddresses)
	}
}

func TestCertificateFailures(t *testing.T) {
	l := New(t)
	c := client(l)
	check := func(host string, ok func(error) bool) {
		t.Helper()
		resp, err := c.Get(l.URL("https", host, "/"))
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: no error", host)
			return
		}
		if !ok(err) {
			t.Errorf("%s: unexpected error %T: %v", host, err, err)
		}
	}
	invalid := func(reason x509.InvalidReason) func(error) bool {
		return func(err error) bool {
			var e x509.CertificateInvalidError
			return errors.As(err, &e) && e.Reason == reason
		}
	}
	check("expired.lab.test", invalid(x509.Expired))
	check("notyet.lab.test", invalid(x509.Expired)) // Go reports both as Expired
	check("wrong.lab.test", func(err error) bool {
		var e x509.HostnameError
		return errors.As(err, &e) && e.Certificate.DNSNames[0] == "other.lab.test"
	})
	unknown := func(err error) bool {
		var e x509.UnknownAuthorityError
		return errors.As(err, &e)
	}
	for _, host := range []string{"untrusted.lab.test", "untrustedroot.lab.test", "selfsigned.lab.test", "nointermediate.lab.test"} {
		check(host, unknown)
	}
}

// TestCertificateChains checks the chains the lab sends: their length,
// and that fullchain verifies through the intermediate it sends.
func TestCertificateChains(t *testing.T) {
	l := New(t)
	for host, want := range map[string]int{"www.lab.test": 1, "fullchain.lab.test": 2, "nointermediate.lab.test": 1,
		"untrustedroot.lab.test": 2, "selfsigned.lab.test": 1} {
		conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(l.HTTPSPort)),
			&tls.Config{ServerName: host, InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		certs := conn.ConnectionState().PeerCertificates
		conn.Close()
		if len(certs) != want {
			t.Errorf("%s: %d certificates, want %d", host, len(certs), want)
		}
		if host == "selfsigned.lab.test" && certs[0].Subject.String() != certs[0].Issuer.String() {
			t.Errorf("selfsigned: issuer %s", certs[0].Issuer)
		}
	}
	resp, err := client(l).Get(l.URL("https", "fullchain.lab.test", "/"))
	if err != nil {
		t.Fatalf("fullchain: %v", err)
	}
	resp.Body.Close()
}

func TestTLSDelay(t *testing.T) {
	l := New(t)
	cfg := &tls.Config{RootCAs: l.CertPool(), ServerName: "tlsdelay-40.www.lab.test"}
	raw, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(l.HTTPSPort)))
	if err != nil {
		t.Fatal(err)
	}
	conn := tls.Client(raw, cfg)
	defer conn.Close()
	start := time.Now()
	if err := conn.Handshake(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("handshake took %v, want >= 40ms", d)
	}
}

func TestHTTPRoutes(t *testing.T) {
	l := New(t)
	c := client(l)
	for _, scheme := range []string{"http", "https"} {
		url := func(path string) string { return l.URL(scheme, "www.lab.test", path) }

		start := time.Now()
		if _, body := get(t, c, url("/wait/50")); body != "waited\n" || time.Since(start) < 50*time.Millisecond {
			t.Errorf("%s /wait/50: %q after %v", scheme, body, time.Since(start))
		}

		start = time.Now()
		resp, body := get(t, c, url("/drip?bytes=100&ms=60"))
		if len(body) != 100 || resp.ContentLength != 100 || time.Since(start) < 60*time.Millisecond {
			t.Errorf("%s /drip: %d bytes after %v", scheme, len(body), time.Since(start))
		}

		if resp, body := get(t, c, url("/bytes/100000")); len(body) != 100000 || resp.ContentLength != 100000 {
			t.Errorf("%s /bytes: %d bytes, length %d", scheme, len(body), resp.ContentLength)
		}

		for path, want := range map[string]int{"/status/418": 418, "/status/204": 204, "/status/101": 200, "/nope": 404, "/status/x": 400} {
			if resp, _ := get(t, c, url(path)); resp.StatusCode != want {
				t.Errorf("%s %s: %d, want %d", scheme, path, resp.StatusCode, want)
			}
		}

		if resp, body := get(t, c, url("/chunked")); body != ChunkedBody || (scheme == "http" && resp.TransferEncoding[0] != "chunked") {
			t.Errorf("%s /chunked: %q %v", scheme, body, resp.TransferEncoding)
		}

		if resp, body := get(t, c, url("/redirect/3")); resp.StatusCode != 200 || body != "redirects done\n" {
			t.Errorf("%s /redirect/3: %d %q", scheme, resp.StatusCode, body)
		}

		var echo echoReply
		resp, err := c.Post(url("/echo?a=1"), "text/plain", strings.NewReader("12345"))
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&echo)
		resp.Body.Close()
		if echo.Method != "POST" || echo.Path != "/echo" || echo.Query != "a=1" || echo.BodyBytes != 5 || echo.Headers["Content-Type"][0] != "text/plain" {
			t.Errorf("%s /echo: %+v", scheme, echo)
		}
	}
	if n := l.Requests("/redirect/0"); n != 2 {
		t.Errorf("Requests(/redirect/0) = %d, want 2", n)
	}
}

func TestEarlyHints(t *testing.T) {
	l := New(t)
	c := client(l)
	for _, scheme := range []string{"http", "https"} {
		var hints []int
		req, _ := http.NewRequest("GET", l.URL(scheme, "www.lab.test", "/early-hints"), nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			Got1xxResponse: func(code int, _ textproto.MIMEHeader) error {
				hints = append(hints, code)
				return nil
			},
		}))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || len(hints) != 1 || hints[0] != 103 {
			t.Errorf("%s: status %d, 1xx %v", scheme, resp.StatusCode, hints)
		}
	}
}

func TestRawOrder(t *testing.T) {
	l := New(t)
	conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(l.HTTPPort)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /raw-order HTTP/1.1\r\nHost: www.lab.test\r\n\r\n")
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != RawOrderResponse {
		t.Errorf("got %q\nwant %q", got, RawOrderResponse)
	}

	// Over h2 the same fields come through the normal API.
	resp, body := get(t, client(l), l.URL("https", "www.lab.test", "/raw-order"))
	if resp.Proto != "HTTP/2.0" || body != "ok\n" || len(resp.Header["Set-Cookie"]) != 2 || resp.Header.Get("X-Lower-Case") != "a" {
		t.Errorf("h2: %s %q %v", resp.Proto, body, resp.Header)
	}
}

func TestFiles(t *testing.T) {
	l := New(t)
	ca, err := os.ReadFile(l.CAFile)
	if err != nil || string(ca) != string(l.CAPEM) {
		t.Errorf("CAFile: %v", err)
	}
	cfg, err := dns.ClientConfigFromFile(l.ResolvConf)
	if err != nil || cfg.Servers[0] != "127.0.0.1" || cfg.Ndots != 1 || cfg.Timeout != 2 {
		t.Errorf("ResolvConf: %+v %v", cfg, err)
	}
	hosts, err := os.ReadFile(l.HostsFile)
	if err != nil || !strings.Contains(string(hosts), "127.0.0.1 hosts.lab.test") {
		t.Errorf("HostsFile: %q %v", hosts, err)
	}
	if got := l.URL("https", "www.lab.test", "x"); got != "https://www.lab.test:"+strconv.Itoa(l.HTTPSPort)+"/x" {
		t.Errorf("URL = %q", got)
	}
}

// TestCloseInterrupts checks Close cuts pending delays short and removes
// the temp files.
func TestCloseInterrupts(t *testing.T) {
	l, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := client(l).Get(l.URL("http", "www.lab.test", "/wait/60000"))
		errc <- err
	}()
	go func() { // answered only if Close failed to cut the delay
		m := new(dns.Msg).SetQuestion("dnsdelay-60000.lab.test.", dns.TypeA)
		(&dns.Client{Timeout: time.Second}).Exchange(m, l.DNSAddr)
	}()
	for l.Requests("/wait/60000") == 0 || l.DNSQueries("dnsdelay-60000.lab.test") == 0 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	l.Close()
	l.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	<-errc
	if _, err := os.Stat(l.CAFile); !os.IsNotExist(err) {
		t.Errorf("CAFile still there: %v", err)
	}
}

func TestStartIsFast(t *testing.T) {
	start := time.Now()
	l, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	l.Close()
	if d > 3*time.Second { // generous: -race on a busy 2-core machine; it must not wait on anything
		t.Errorf("Start took %v", d)
	}
}
