package trace

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/miekg/dns"
)

func TestParseURL(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{in: "example.com", want: "http://example.com/"},
		{in: "  https://Example.com:8443/a?b=1#frag ", want: "https://Example.com:8443/a?b=1"},
		{in: "HTTPS://example.com", want: "https://example.com/"},
		{in: "http://[::1]:8080", want: "http://[::1]:8080/"},
		{in: "http://user:pw@example.com/x", want: "http://user:pw@example.com/x"},
		{in: "", err: "empty"},
		{in: "ftp://example.com/", err: `scheme "ftp" is not supported`},
		{in: "https://", err: "no host name"},
		{in: "http://example.com:0/", err: "port"},
		{in: "http://example.com:99999/", err: "port"},
		{in: "http://exa mple.com/", err: "spaces or control characters"},
		{in: "http://example.com/\x1b[2J", err: "control characters"},
		{in: "http://[::1/", err: "does not parse"},
	}
	for _, c := range cases {
		u, err := ParseURL(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseURL(%q) error = %v, want one with %q", c.in, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("ParseURL(%q): %v", c.in, err)
		case c.err == "" && u.String() != c.want:
			t.Errorf("ParseURL(%q) = %q, want %q", c.in, u, c.want)
		}
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Kind != KindBadInput || e.Phase != PhaseInput {
				t.Errorf("ParseURL(%q) error %#v is not a bad-input Error", c.in, err)
			}
		}
	}
}

func TestParseHeader(t *testing.T) {
	cases := []struct {
		in   string
		want HeaderEdit
		err  bool
	}{
		{in: "X-A: 1", want: HeaderEdit{Name: "X-A", Value: "1", Typed: " 1"}},
		{in: "X-A:1  ", want: HeaderEdit{Name: "X-A", Value: "1", Typed: "1  "}}, // sent as typed, as curl does
		{in: "Accept:", want: HeaderEdit{Name: "Accept", Remove: true}},
		{in: "X-Empty;", want: HeaderEdit{Name: "X-Empty"}},
		{in: "X-A: a:b;c", want: HeaderEdit{Name: "X-A", Value: "a:b;c", Typed: " a:b;c"}},
		{in: "no colon", err: true},
		{in: ": value", err: true},
		{in: "Bad Name: x", err: true},
		{in: "X-A: 1\r\nX-B: 2", err: true},
		{in: "X-A: \x1b[31m", err: true},
	}
	for _, c := range cases {
		got, err := ParseHeader(c.in)
		if (err != nil) != c.err || err == nil && got != c.want {
			t.Errorf("ParseHeader(%q) = %+v, %v", c.in, got, err)
		}
	}
}

func TestParseResolve(t *testing.T) {
	e, err := ParseResolve("Example.com.:443:127.0.0.1,[::1]")
	if err != nil {
		t.Fatal(err)
	}
	if e.Host != "example.com" || e.Port != 443 || len(e.Addrs) != 2 || e.Addrs[1] != netip.MustParseAddr("::1") {
		t.Errorf("got %+v", e)
	}
	if e, err := ParseResolve("+*:80:192.0.2.1"); err != nil || e.Host != "*" {
		t.Errorf("wildcard: %+v %v", e, err)
	}
	for _, bad := range []string{"example.com:443", "example.com:x:127.0.0.1", ":443:127.0.0.1", "h:443:not-an-ip", "h:70000:127.0.0.1", "h:443:"} {
		if _, err := ParseResolve(bad); err == nil || !strings.Contains(err.Error(), "HOST:PORT:ADDR") {
			t.Errorf("ParseResolve(%q) error = %v", bad, err)
		}
	}
}

func TestParseDNSServers(t *testing.T) {
	got, err := ParseDNSServers("192.0.2.53, 192.0.2.54:5353,[2001:db8::53]:53,2001:db8::1")
	want := "192.0.2.53:53 192.0.2.54:5353 [2001:db8::53]:53 [2001:db8::1]:53"
	if err != nil || strings.Join(got, " ") != want {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := ParseDNSServers("dns.example"); err == nil {
		t.Error("a host name was accepted")
	}
}

func TestReadHead(t *testing.T) {
	in := "HTTP/1.1 404 Not Found\r\nX-B: 1\r\nx-a:  two  \r\n folded\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\nbody"
	h, err := readHead(bufio.NewReader(strings.NewReader(in)))
	if err != nil {
		t.Fatal(err)
	}
	want := []Header{{"X-B", "1"}, {"x-a", "two folded"}, {"Set-Cookie", "a"}, {"Set-Cookie", "b"}}
	if h.proto != "HTTP/1.1" || h.status != 404 || h.reason != "Not Found" || len(h.headers) != len(want) {
		t.Fatalf("got %+v", h)
	}
	for i := range want {
		if h.headers[i] != want[i] {
			t.Errorf("header %d = %+v, want %+v", i, h.headers[i], want[i])
		}
	}
	// Bare LF line endings and an empty reason are accepted.
	if h, err := readHead(bufio.NewReader(strings.NewReader("HTTP/1.0 200\nA: b\n\n"))); err != nil || h.reason != "" || h.proto != "HTTP/1.0" {
		t.Errorf("bare LF: %+v %v", h, err)
	}
}

func TestReadHeadLimits(t *testing.T) {
	many := "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: 1\r\n", maxHeadersKept+5) + "\r\n"
	h, err := readHead(bufio.NewReader(strings.NewReader(many)))
	if err != nil || len(h.headers) != maxHeadersKept || h.linesCut != 5 {
		t.Errorf("kept %d cut %d err %v", len(h.headers), h.linesCut, err)
	}
	long := "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("a", maxValueKept+10) + "\r\n\r\n"
	h, err = readHead(bufio.NewReader(strings.NewReader(long)))
	if err != nil || len(h.headers[0].Value) != maxValueKept || h.valuesCut != 1 || h.linesCut != 0 {
		t.Errorf("long value kept %d cut %d err %v", len(h.headers[0].Value), h.valuesCut, err)
	}
	huge := "HTTP/1.1 200 OK\r\nX-Huge: " + strings.Repeat("a", maxHeadBytes) + "\r\n\r\n"
	if _, err := readHead(bufio.NewReader(strings.NewReader(huge))); err != errHeadLarge {
		t.Errorf("huge head: %v", err)
	}
}

func TestContentLength(t *testing.T) {
	if n, err := contentLength([]string{"10", "10, 10"}); n != 10 || err != nil {
		t.Errorf("repeats: %d %v", n, err)
	}
	for _, bad := range [][]string{{"-1"}, {"1", "2"}, {"ten"}, {"99999999999999999999"}} {
		if _, err := contentLength(bad); err == nil {
			t.Errorf("contentLength(%q) accepted", bad)
		}
	}
}

func TestParseHosts(t *testing.T) {
	file := "# comment\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n192.0.2.1 a.example b.example # c.example\nbad line\n"
	if got := parseHosts(strings.NewReader(file), "LOCALHOST."); len(got) != 2 || got[1] != netip.MustParseAddr("::1") {
		t.Errorf("localhost: %v", got)
	}
	if got := parseHosts(strings.NewReader(file), "b.example"); len(got) != 1 {
		t.Errorf("b.example: %v", got)
	}
	if got := parseHosts(strings.NewReader(file), "c.example"); len(got) != 0 {
		t.Errorf("a commented name matched: %v", got)
	}
}

func TestSearchCandidates(t *testing.T) {
	r := &resolver{search: []string{"corp.example", "example"}, ndots: 2}
	if got := strings.Join(r.candidates("api"), " "); got != "api.corp.example. api.example. api." {
		t.Errorf("short name: %s", got)
	}
	if got := strings.Join(r.candidates("a.b.c"), " "); got != "a.b.c. a.b.c.corp.example. a.b.c.example." {
		t.Errorf("long name: %s", got)
	}
	if got := strings.Join(r.candidates("abs.example."), " "); got != "abs.example." {
		t.Errorf("absolute name: %s", got)
	}
}

func TestHappyEyeballsOrder(t *testing.T) {
	var in []netip.Addr
	for _, s := range []string{"192.0.2.1", "192.0.2.2", "2001:db8::1", "192.0.2.3", "2001:db8::2"} {
		in = append(in, netip.MustParseAddr(s))
	}
	var got []string
	for _, a := range sortHappyEyeballs(in) {
		got = append(got, a.String())
	}
	if strings.Join(got, " ") != "2001:db8::1 192.0.2.1 2001:db8::2 192.0.2.2 192.0.2.3" {
		t.Errorf("order: %v", got)
	}
}

// Fuzz targets for every parser of untrusted input: none may panic, and
// what they accept must be well formed.

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"example.com", "https://a.b:1/x?y#z", "http://[::1]:80", "ftp://x", "http://u:p@h/", "\x00", "http://%zz",
		"http://bücher.example:8080/", "http://b%C3%BCcher.example/", "http://127.1:80/", "http://0x7f.1/", "http://1.2.3.256/", "http://u@2130706433:/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			return
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Fragment != "" {
			t.Errorf("ParseURL(%q) accepted %q", s, u)
		}
		if !isASCII(u.Hostname()) { // what goes into DNS, SNI and Host
			t.Errorf("ParseURL(%q) kept the non-ASCII host %q", s, u.Hostname())
		}
		if p := Port(u); p < 1 || p > 65535 {
			t.Errorf("port %d", p)
		}
		if again, err := ParseURL(u.String()); err != nil || again.String() != u.String() {
			t.Errorf("not stable: %q -> %q -> %v %v", s, u, again, err)
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"X-A: 1", "Accept:", "X;", "a:b:c", "\r\n", ": x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHeader(s)
		if err != nil {
			return
		}
		if !validToken(h.Name) || strings.ContainsAny(h.Value, "\r\n\x00") {
			t.Errorf("ParseHeader(%q) accepted %+v", s, h)
		}
	})
}

func FuzzParseResolve(f *testing.F) {
	for _, s := range []string{"a:1:127.0.0.1", "+*:443:[::1],192.0.2.1", "a::", "::::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseResolve(s)
		if err != nil {
			return
		}
		if e.Host == "" || e.Port < 1 || e.Port > 65535 || len(e.Addrs) == 0 {
			t.Errorf("ParseResolve(%q) accepted %+v", s, e)
		}
	})
}

func FuzzReadHead(f *testing.F) {
	for _, s := range []string{"HTTP/1.1 200 OK\r\nA: b\r\n\r\n", "HTTP/1.0 999\n\n", "HTTP/1.1 103 Early\r\n x\r\n\r\n", "SSH-2.0\r\n", "HTTP/1.1 200 OK\r\nA: " + strings.Repeat("b", 5000), "HTTP/1.1 200 OK\r\n0:\r0\r\n\r\n", "HTTP/1.1 200 OK\r\nA: b\r\n \rc\r\n\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := readHead(bufio.NewReader(strings.NewReader(string(b))))
		if err != nil {
			return
		}
		if h.status < 100 || h.status > 999 || len(h.headers) > maxHeadersKept {
			t.Errorf("accepted status %d with %d headers", h.status, len(h.headers))
		}
		for _, hd := range h.headers {
			if !validToken(hd.Name) || len(hd.Value) > maxValueKept || strings.ContainsAny(hd.Value, "\r\n") {
				t.Errorf("bad header kept: %q", hd)
			}
		}
		_, _, _ = bodyReader("GET", h, bufio.NewReader(strings.NewReader("")))
	})
}

func FuzzParseHosts(f *testing.F) {
	f.Add("127.0.0.1 localhost\n::1 localhost # x\n", "localhost")
	f.Fuzz(func(t *testing.T, file, host string) {
		for _, a := range parseHosts(strings.NewReader(file), host) {
			if !a.IsValid() || a.Zone() != "" || !utf8.ValidString(a.String()) {
				t.Errorf("bad address %v", a)
			}
		}
	})
}

func TestParseServerTiming(t *testing.T) {
	got := ParseServerTiming([]string{`db;dur=53.2;desc="Postgres, primary", cache;desc=hit`, `total;dur=123;dur=5, bad name;dur=1, app;dur=x`})
	want := []ServerTiming{
		{Name: "db", Duration: 53200 * time.Microsecond, HasDuration: true, Description: "Postgres, primary"},
		{Name: "cache", Description: "hit"},
		{Name: "total", Duration: 123 * time.Millisecond, HasDuration: true},
		{Name: "app"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("metric %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func FuzzParseServerTiming(f *testing.F) {
	for _, s := range []string{`db;dur=53.2;desc="x, y"`, `a, b;desc="\"q\""`, `;;,,"`, `x;dur=1e400`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms := ParseServerTiming([]string{s})
		if len(ms) > maxServerTimings {
			t.Errorf("%d metrics kept", len(ms))
		}
		for _, m := range ms {
			if !validToken(m.Name) || m.Duration < 0 || m.Duration != 0 && !m.HasDuration {
				t.Errorf("bad metric %+v", m)
			}
		}
	})
}

// FuzzDNSAnswer feeds raw DNS messages, as a server could send them,
// through unpacking and the conversion into records and addresses.
func FuzzDNSAnswer(f *testing.F) {
	seed := func(build func(m *dns.Msg)) {
		m := new(dns.Msg).SetQuestion("www.lab.test.", dns.TypeA)
		m.Response = true
		build(m)
		if b, err := m.Pack(); err == nil {
			f.Add(b)
		}
	}
	seed(func(m *dns.Msg) {
		m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: "www.lab.test.", Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 300}, Target: "edge.lab.test."},
			&dns.A{Hdr: dns.RR_Header{Name: "edge.lab.test.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: []byte{192, 0, 2, 1}})
	})
	seed(func(m *dns.Msg) {
		m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: "www.lab.test.", Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 1}, Target: "www.lab.test."})
	})
	seed(func(m *dns.Msg) { // a chain of 20 CNAMEs, longer than the limit
		owner := "www.lab.test."
		for i := range 20 {
			next := fmt.Sprintf("c%d.lab.test.", i)
			m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 1}, Target: next})
			owner = next
		}
	})
	seed(func(m *dns.Msg) {
		m.Answer = append(m.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: "www.lab.test.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 5}, Txt: []string{"\x1b[2J"}})
	})
	seed(func(m *dns.Msg) {
		m.Rcode = dns.RcodeNameError
		m.Ns = append(m.Ns, &dns.SOA{Hdr: dns.RR_Header{Name: "lab.test.", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 60},
			Ns: "ns.lab.test.", Mbox: "h.lab.test.", Serial: 1, Refresh: 2, Retry: 3, Expire: 4, Minttl: 30})
	})
	f.Add([]byte{0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if err := m.Unpack(b); err != nil {
			return
		}
		recs := appendNew(nil, m.Answer)
		if len(recs) > len(m.Answer) {
			t.Errorf("%d records from %d answers", len(recs), len(m.Answer))
		}
		soas := appendNew(nil, soaOnly(m.Ns))
		if ttl := negativeTTL(m.Ns); (ttl != nil) != (len(soas) > 0) || ttl != nil && *ttl > soas[0].TTL {
			t.Errorf("negative TTL %v from authority %v", ttl, soas)
		}
		if fl := headerFlags(m); strings.Contains(fl, "  ") || len(fl) > len("qr aa tc rd ra ad cd") {
			t.Errorf("flags %q", fl)
		}
		name := "www.lab.test."
		if len(m.Question) > 0 {
			name = m.Question[0].Name
		}
		addrs, ch := addressesOf(name, m.Answer)
		for _, a := range addrs {
			if !a.IsValid() {
				t.Errorf("invalid address from %v", m.Answer)
			}
		}
		if len(ch.path) == 0 || len(ch.path) > maxCNAMEChain+2 || ch.fault != "" && len(addrs) > 0 {
			t.Errorf("chain %+v with %d addresses", ch, len(addrs))
		}
	})
}

// FuzzDNSReply feeds raw datagrams to the reply matcher: it may only pick
// a flight whose ID the reply carries, and a reply it accepts without an
// error must ask exactly the flight's question.
func FuzzDNSReply(f *testing.F) {
	q := new(dns.Msg).SetQuestion("www.lab.test.", dns.TypeA)
	q.Id = 0x1234
	reply := new(dns.Msg).SetReply(q)
	reply.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "www.lab.test.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: []byte{127, 0, 0, 1}}}
	for _, edit := range []func(m *dns.Msg){func(*dns.Msg) {}, func(m *dns.Msg) { m.Question[0].Name = "WwW.LaB.tEsT." },
		func(m *dns.Msg) { m.Question[0].Qtype = dns.TypeAAAA }, func(m *dns.Msg) { m.Id++ }} {
		m := reply.Copy()
		edit(m)
		if b, err := m.Pack(); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("noise"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs := []*flight{{qname: "www.lab.test.", qtype: dns.TypeA, id: 0x1234}, {qname: "www.lab.test.", qtype: dns.TypeAAAA, id: 0x4321},
			{qname: "_8443._https.www.lab.test.", qtype: dns.TypeHTTPS, id: 0x5678, optional: true}}
		got, m, err := match(fs, b)
		if got == nil {
			return
		}
		if binary.BigEndian.Uint16(b) != got.id || m == nil {
			t.Fatalf("matched flight %#x for a reply with ID %#x", got.id, binary.BigEndian.Uint16(b))
		}
		if err == nil && (len(m.Question) != 1 || m.Question[0].Qtype != got.qtype || !strings.EqualFold(m.Question[0].Name, "www.lab.test.")) {
			t.Errorf("accepted %v for flight %d", m.Question, got.qtype)
		}
		r := &resolver{clock: newClock()}
		r.settle(got, m, err)
		if !got.done || (got.msg == nil) == (got.err == nil) {
			t.Errorf("settled flight: msg %v err %v", got.msg != nil, got.err)
		}
	})
}

func FuzzFlagSyntax(f *testing.F) {
	for _, s := range []string{"a:1:b:2", "::[::1]:8443", "192.0.2.1,[2001:db8::1]:53", "http://u:p@proxy:3128", "socks5://x", "x.test\tTRUE\t/\tFALSE\t0\tn\tv"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := ParseConnectTo(s); err == nil && (c.FromPort < 0 || c.FromPort > 65535 || c.ToPort < 0 || c.ToPort > 65535) {
			t.Errorf("ParseConnectTo(%q) = %+v", s, c)
		}
		if servers, err := ParseDNSServers(s); err == nil {
			for _, sv := range servers {
				if _, err := netip.ParseAddrPort(sv); err != nil {
					t.Errorf("ParseDNSServers(%q) gave %q", s, sv)
				}
			}
		}
		if u, err := ParseProxy(s); err == nil && (u.Hostname() == "" || !slices.Contains([]string{"http", "https", "socks5", "socks5h"}, u.Scheme)) {
			t.Errorf("ParseProxy(%q) = %v", s, u)
		}
		if cs, err := ParseCookieFile(strings.NewReader(s)); err == nil {
			for _, c := range cs {
				if c.Host == "" || c.Cookie == nil || c.Cookie.Name == "" {
					t.Errorf("ParseCookieFile(%q) = %+v", s, c)
				}
			}
		}
	})
}

// FuzzChunkedTrailers reads a chunked body and the trailer section after
// it: the fields kept obey a head's caps, and nothing raw gets through.
func FuzzChunkedTrailers(f *testing.F) {
	for _, s := range []string{"3\r\nabc\r\n0\r\nX-Checksum: 1\r\n\r\n", "0\r\n\r\n", "0\r\n bad\r\n\r\n", "0\r\nA: b\r\n c\r\n\r\n", "0\r\nno colon\r\n\r\n", "5\r\nab"} {
		f.Add([]byte(s))
	}
	head := &respHead{proto: "HTTP/1.1", status: 200}
	head.add("Transfer-Encoding", "chunked")
	f.Fuzz(func(t *testing.T, b []byte) {
		body, _, err := bodyReader("GET", head, bufio.NewReader(strings.NewReader(string(b))))
		if err != nil {
			t.Fatal(err)
		}
		var buf [4096]byte
		for {
			if _, err := body.Read(buf[:]); err != nil {
				break
			}
		}
		tr := body.(*chunkedBody).trailers
		if len(tr.headers) > maxHeadersKept || tr.bytes > maxHeadKept {
			t.Errorf("%d trailer fields, %d bytes kept", len(tr.headers), tr.bytes)
		}
		for _, hd := range tr.headers {
			if !validToken(hd.Name) || strings.ContainsAny(hd.Value, "\r\n") {
				t.Errorf("bad trailer kept: %q", hd)
			}
		}
	})
}

func TestParseIPv4Host(t *testing.T) {
	for _, c := range []struct {
		host, want string // want: the address, "" for not IPv4, "!" for an invalid one
	}{
		{"127.1", "127.0.0.1"}, {"2130706433", "127.0.0.1"}, {"0x7f.1", "127.0.0.1"}, {"0177.0.0.1", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"}, {"127.0.1", "127.0.0.1"}, {"017700000001", "127.0.0.1"}, {"127.0.0.1.", "127.0.0.1"},
		{"0X7F.0.0.0x1", "127.0.0.1"}, {"0x", "0.0.0.0"}, {"255.255.255.255", "255.255.255.255"}, {"4294967295", "255.255.255.255"},
		{"1.2.3.256", "!"}, {"0x100000000", "!"}, {"127.0.0.1.1", "!"}, {"08", "!"}, {"1.2.3.09", "!"}, {"256.1", "!"},
		{"99999999999999999999999", "!"}, {"1..2", "!"}, {"a.1", "!"}, {"1.0x", "1.0.0.0"},
		{"example.com", ""}, {"1e3", ""}, {"0xg", ""}, {"a.b.", ""}, {"::1", ""}, {"1.2.3.4a", ""}, {"x.0xz", ""},
	} {
		ip, isIPv4, err := parseIPv4Host(c.host)
		got := ""
		switch {
		case isIPv4 && err != nil:
			got = "!"
		case isIPv4:
			got = ip.String()
		}
		if got != c.want {
			t.Errorf("parseIPv4Host(%q) = %q (err %v), want %q", c.host, got, err, c.want)
		}
	}
}

func TestWireHost(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"bücher.example", "xn--bcher-kva.example"}, {"BÜCHER.example", "xn--bcher-kva.example"},
		{"Straße.de", "xn--strae-oqa.de"}, // nontransitional, as libidn2 in curl and browsers
		{"例え.テスト", "xn--r8jz45g.xn--zckzah"}, {"my_host.example", "my_host.example"}, {"127.1", "127.0.0.1"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example"}, {"１２７.０.０.１", "127.0.0.1"}, // IDNA maps full-width digits first
	} {
		if got, err := wireHost(c.in); got != c.want || err != nil {
			t.Errorf("wireHost(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"a\u202eb.example", "\u200d.example", "1.2.3.256"} {
		if got, err := wireHost(bad); err == nil {
			t.Errorf("wireHost(%q) = %q, want an error", bad, got)
		}
	}
	if e, err := ParseResolve("Bücher.example:443:127.0.0.1"); err != nil || e.Host != "xn--bcher-kva.example" {
		t.Errorf("--resolve with an IDN host: %+v %v", e, err)
	}
	if u := UnicodeHost("xn--bcher-kva.example"); u != "bücher.example" {
		t.Errorf("UnicodeHost = %q", u)
	}
}

// FuzzWireHost: whatever the host, its wire form is ASCII, stable (a
// second pass changes nothing) and, when numeric, a valid IPv4 address.
func FuzzWireHost(f *testing.F) {
	for _, s := range []string{"bücher.example", "127.1", "0x7f.1", "0177.0.0.1", "2130706433", "1.2.3.256", "xn--bcher-kva.example", "a\u202eb", "Straße.de", "0x", "1..2", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := wireHost(s)
		if err != nil {
			return
		}
		if !isASCII(w) {
			t.Fatalf("wireHost(%q) = %q: not ASCII", s, w)
		}
		if w2, err := wireHost(w); err != nil || w2 != w {
			t.Errorf("wireHost(%q) = %q, then %q (%v)", s, w, w2, err)
		}
		if ip, isIPv4, err := parseIPv4Host(s); isASCII(s) && isIPv4 && (err != nil || ip.String() != w) {
			t.Errorf("numeric %q became %q (ip %v, err %v)", s, w, ip, err)
		}
	})
}
