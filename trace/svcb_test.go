package trace_test

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// An https:// URL asks for the host's HTTPS record with A and AAAA, on
// the port-prefixed name for a port other than 443, and parses every
// parameter; the ECH bytes are only noted as present.
func TestHTTPSRecord(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "h3rr.lab.test", "/")))
	d := hop.DNS
	want := fmt.Sprintf("_%d._https.h3rr.lab.test.", lab.HTTPSPort)
	if d.HTTPSName != want || d.HTTPSErr != "" || len(d.HTTPS) != 1 {
		t.Fatalf("HTTPS name %q, err %q, records %+v", d.HTTPSName, d.HTTPSErr, d.HTTPS)
	}
	r := d.HTTPS[0]
	if r.Name != want || r.Priority != 1 || r.Target != "." || !slices.Equal(r.ALPN, []string{"h3", "h2"}) || r.Port != lab.HTTPSPort ||
		!slices.Equal(r.IPv4Hint, []string{"127.0.0.1"}) || !slices.Equal(r.IPv6Hint, []string{"::1"}) || !r.ECH || !r.OffersH3() || r.TTL != 300 {
		t.Errorf("record %+v", r)
	}
	if n := lab.DNSQueriesOfType(want, dns.TypeHTTPS); n != 1 {
		t.Errorf("%d HTTPS queries for %s, want 1", n, want)
	}
	var types []string
	for _, q := range d.Queries {
		types = append(types, q.Type)
	}
	if !slices.Equal(types, []string{"A", "AAAA", "HTTPS"}) {
		t.Errorf("queries %v", types)
	}
	for _, rr := range d.Records {
		if rr.Type == "HTTPS" || strings.Contains(rr.Value, "ech") {
			t.Errorf("HTTPS record among the address records: %+v", rr)
		}
	}
}

// http:// URLs, --connect-to and NoHTTPSRecord ask no HTTPS question.
func TestHTTPSRecordNotAsked(t *testing.T) {
	lab := tracetest.New(t)
	for name, c := range map[string]struct {
		scheme string
		opt    func(*trace.Options)
	}{
		"http":   {"http", func(*trace.Options) {}},
		"option": {"https", func(o *trace.Options) { o.NoHTTPSRecord = true }},
	} {
		host := name + ".h3rr.lab.test"
		hop := ok(t, run(t, lab, lab.URL(c.scheme, host, "/"), c.opt))
		if hop.DNS.HTTPSName != "" || len(hop.DNS.HTTPS) != 0 || lab.DNSQueriesOfType(fmt.Sprintf("_%d._https.%s", lab.HTTPSPort, host), dns.TypeHTTPS) != 0 {
			t.Errorf("%s: HTTPS asked: %+v", name, hop.DNS)
		}
	}
}

// A name without HTTPS records: NODATA, no error, no records.
func TestHTTPSRecordNone(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/")))
	if hop.DNS.HTTPSName == "" || len(hop.DNS.HTTPS) != 0 || hop.DNS.HTTPSErr != "" {
		t.Errorf("%+v", hop.DNS)
	}
}

// An HTTPS answer that comes late does not hold up the addresses past
// Chrome's extra wait (at most 50 ms once A and AAAA are in); the report
// says it was missed.
func TestHTTPSRecordSlow(t *testing.T) {
	lab := tracetest.New(t)
	start := time.Now()
	hop := ok(t, run(t, lab, lab.URL("https", "slowrr.lab.test", "/")))
	if took := time.Since(start); took >= tracetest.SlowHTTPSDelay {
		t.Errorf("the trace took %v: it waited for the HTTPS answer", took)
	}
	if d := hop.Timings.DNS.Duration; d > time.Second {
		t.Errorf("DNS phase %v", d)
	}
	if len(hop.DNS.HTTPS) != 0 || !strings.Contains(hop.DNS.HTTPSErr, "Chrome") {
		t.Errorf("HTTPS %+v, err %q", hop.DNS.HTTPS, hop.DNS.HTTPSErr)
	}
}

// AliasMode is followed once, to the target's own records; an alias to
// an alias stops there and says so.
func TestHTTPSRecordAlias(t *testing.T) {
	lab := tracetest.New(t)
	d := ok(t, run(t, lab, lab.URL("https", "aliasrr.lab.test", "/"))).DNS
	if len(d.HTTPS) != 2 || !d.HTTPS[0].Alias() || d.HTTPS[0].Target != "h3rr.lab.test." ||
		d.HTTPS[1].Via != d.HTTPS[0].Name || d.HTTPS[1].Name != "h3rr.lab.test." || !d.HTTPS[1].OffersH3() || d.HTTPSErr != "" {
		t.Fatalf("alias: %+v, err %q", d.HTTPS, d.HTTPSErr)
	}
	before := lab.DNSQueriesOfType("h3rr.lab.test", dns.TypeHTTPS)
	d = ok(t, run(t, lab, lab.URL("https", "alias2rr.lab.test", "/"))).DNS
	if len(d.HTTPS) != 2 || !d.HTTPS[1].Alias() || !strings.Contains(d.HTTPSErr, "one alias only") {
		t.Errorf("alias to alias: %+v, err %q", d.HTTPS, d.HTTPSErr)
	}
	if n := lab.DNSQueriesOfType("h3rr.lab.test", dns.TypeHTTPS); n != before {
		t.Errorf("the second alias was followed: %d queries for h3rr", n-before)
	}
}

// --http3 takes the UDP port from the HTTPS record: the URL names the
// lab's plain-HTTP port, where no QUIC listens, and the record sends the
// QUIC handshake to the HTTPS port, where it does.
func TestHTTPSRecordDiscovery(t *testing.T) {
	lab := tracetest.New(t)
	u := fmt.Sprintf("https://h3rr.lab.test:%d/", lab.HTTPPort)
	hop := ok(t, run(t, lab, u, h3("3-only")))
	want := fmt.Sprintf("127.0.0.1:%d", lab.HTTPSPort)
	if hop.Response.Proto != "HTTP/3.0" || hop.Connect.Address != want || !strings.Contains(hop.Connect.Via, "HTTPS record") {
		t.Errorf("proto %s to %s via %q", hop.Response.Proto, hop.Connect.Address, hop.Connect.Via)
	}
	// h2rr offers no h3: the URL's port it is, where nothing answers (a
	// UDP socket of the test's own, so that no other test's server can
	// be there).
	silent, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	port := silent.LocalAddr().(*net.UDPAddr).Port
	res := run(t, lab, fmt.Sprintf("https://h2rr.lab.test:%d/", port), h3("3-only"), func(o *trace.Options) { o.ConnectTimeout = 300 * time.Millisecond })
	if res.Err == nil || res.Err.Kind != trace.KindQUICTimeout {
		t.Errorf("h2rr: %+v", res.Err)
	}
}
