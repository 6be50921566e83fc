package tracetest

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// BigRecords is how many A records big.lab.test has: enough that the
// answer overflows a 1232-byte UDP payload even with name compression
// (miekg/dns compresses when truncating, which fits about 75), so a UDP
// query gets TC=1 and a TCP retry gets them all.
const BigRecords = 100

// EDNSSize is the UDP payload size the lab advertises in its own OPT record.
const EDNSSize = 1232

// Record TTLs, in seconds.
const (
	ttlAddr  = 60
	ttlCNAME = 300
	ttlSOA   = 60
	// NegativeTTL is the SOA's MINIMUM, below its TTL, so that a negative
	// answer's caching time (RFC 2308: the lesser) is told apart.
	NegativeTTL = 30
	// AltNegativeTTL is AltZone's: its SOA's TTL, below its MINIMUM.
	AltNegativeTTL = 45
	altMinimum     = 90
)

// dnsKey indexes the query counters.
type dnsKey struct {
	name  string // lower case, fully qualified
	qtype uint16
	tcp   bool
}

// startDNS serves the zone over UDP and TCP on one loopback port, since a
// client retries a truncated UDP answer over TCP on the same address.
func (l *Lab) startDNS() error {
	tcp, udp, err := listenSamePort()
	if err != nil {
		return err
	}
	l.DNSAddr = tcp.Addr().String()
	h := dns.HandlerFunc(l.serveDNS)
	for _, s := range []*dns.Server{{Listener: tcp, Handler: h}, {PacketConn: udp, Handler: h}} {
		if err := l.runDNSServer(s); err != nil {
			tcp.Close()
			udp.Close()
			return err
		}
	}
	return nil
}

// runDNSServer starts s and waits until it is serving, because Shutdown on
// a server that has not started yet fails and would leave it running.
func (l *Lab) runDNSServer(s *dns.Server) error {
	up := make(chan struct{})
	s.NotifyStartedFunc = func() { close(up) }
	failed := make(chan error, 1)
	l.serving.Go(func() { failed <- s.ActivateAndServe() })
	select {
	case <-up:
		l.dnsServers = append(l.dnsServers, s)
		return nil
	case err := <-failed:
		return fmt.Errorf("tracetest: dns server: %w", err)
	}
}

// listenSamePort opens TCP and UDP on the same free loopback port. The
// port is free for TCP when chosen but may be taken for UDP, so retry.
func listenSamePort() (net.Listener, net.PacketConn, error) {
	var lastErr error
	for range 10 {
		tcp, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		udp, err := net.ListenPacket("udp", tcp.Addr().String())
		if err == nil {
			return tcp, udp, nil
		}
		tcp.Close()
		lastErr = err
	}
	return nil, nil, fmt.Errorf("tracetest: no port free for both tcp and udp: %w", lastErr)
}

// serveDNS answers one query. Each query runs on its own goroutine, so a
// delayed or dropped answer does not hold up the others.
func (l *Lab) serveDNS(w dns.ResponseWriter, r *dns.Msg) {
	done, ok := l.track()
	if !ok {
		return
	}
	defer done()
	if len(r.Question) != 1 {
		w.WriteMsg(new(dns.Msg).SetRcode(r, dns.RcodeFormatError))
		return
	}
	q := r.Question[0]
	overTCP := w.LocalAddr().Network() == "tcp"
	l.countDNS(q.Name, q.Qtype, overTCP)
	n := parseName(q.Name)
	if !l.sleep(context.Background(), n.dnsDelay) {
		return // the lab is closing
	}
	var m *dns.Msg
	if q.Qtype == dns.TypeHTTPS && n.inZone {
		if m, ok = l.httpsAnswer(r, n); !ok {
			return // the lab is closing
		}
	}
	if m == nil {
		m = answer(r, n)
	}
	if m == nil {
		return // timeout.lab.test: drop the query, the client times out
	}
	if r.IsEdns0() != nil {
		m.SetEdns0(EDNSSize, false) // RFC 6891: answer EDNS with EDNS
	}
	if !overTCP {
		m.Truncate(udpSize(r))
	}
	w.WriteMsg(m)
}

// udpSize is the largest UDP answer the client said it accepts.
func udpSize(r *dns.Msg) int {
	if opt := r.IsEdns0(); opt != nil {
		return max(int(opt.UDPSize()), dns.MinMsgSize)
	}
	return dns.MinMsgSize
}

// answer builds the reply for a query about n, or returns nil when the
// query must go unanswered.
func answer(r *dns.Msg, n labName) *dns.Msg {
	m := new(dns.Msg).SetReply(r)
	if !n.inZone {
		m.Rcode = dns.RcodeRefused // not our zone, and we do not recurse
		return m
	}
	m.Authoritative = true
	q := r.Question[0]
	if n.alt {
		return altAnswer(m, n)
	}
	switch n.kind {
	case "timeout":
		return nil
	case "servfail":
		m.Rcode = dns.RcodeServerFailure
		return m
	case "refused":
		m.Rcode = dns.RcodeRefused
		return m
	case "nxdomain", "nx":
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{soa(Zone)} // RFC 2308: the SOA gives the negative TTL
		return m
	}

	// owner is the name the address records belong to, after any CNAMEs.
	owner := q.Name
	switch n.kind {
	case "alias":
		m.Answer = append(m.Answer, cname(owner, "www."+Zone))
		owner = "www." + Zone
	case "chain":
		m.Answer = append(m.Answer, cname(owner, "alias."+Zone), cname("alias."+Zone, "www."+Zone))
		owner = "www." + Zone
	case "noaddr":
		m.Answer = append(m.Answer, &dns.TXT{Hdr: header(owner, dns.TypeTXT, ttlAddr), Txt: []string{"no addresses here"}})
	}
	for _, ip := range addresses(n.kind, q.Qtype) {
		m.Answer = append(m.Answer, addressRecord(owner, ip))
	}
	if !hasType(m.Answer, q.Qtype) {
		m.Ns = []dns.RR{soa(Zone)} // NODATA
	}
	return m
}

// addresses lists the addresses of type qtype a name of this kind has.
func addresses(kind string, qtype uint16) []net.IP {
	switch {
	case kind == "noaddr":
		return nil
	case kind == "big" && qtype == dns.TypeA:
		ips := make([]net.IP, BigRecords)
		for i := range ips {
			ips[i] = net.IPv4(127, 0, 0, byte(i+1))
		}
		return ips
	case (kind == "dual" || kind == "v6only") && qtype == dns.TypeAAAA:
		return []net.IP{net.IPv6loopback}
	case kind == "v6only":
		return nil
	case qtype == dns.TypeA:
		return []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	return nil
}

func addressRecord(owner string, ip net.IP) dns.RR {
	if ip4 := ip.To4(); ip4 != nil {
		return &dns.A{Hdr: header(owner, dns.TypeA, ttlAddr), A: ip4}
	}
	return &dns.AAAA{Hdr: header(owner, dns.TypeAAAA, ttlAddr), AAAA: ip}
}

func cname(owner, target string) dns.RR {
	return &dns.CNAME{Hdr: header(owner, dns.TypeCNAME, ttlCNAME), Target: target}
}

// altAnswer answers for AltZone: www has an A record, nothing else exists.
func altAnswer(m *dns.Msg, n labName) *dns.Msg {
	q := m.Question[0]
	if n.host != "www."+strings.TrimSuffix(AltZone, ".") {
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{soa(AltZone)}
		return m
	}
	if q.Qtype == dns.TypeA {
		m.Answer = []dns.RR{addressRecord(q.Name, net.IPv4(127, 0, 0, 1))}
	} else {
		m.Ns = []dns.RR{soa(AltZone)}
	}
	return m
}

func soa(zone string) dns.RR {
	ttl, minimum := uint32(ttlSOA), uint32(NegativeTTL)
	if zone == AltZone {
		ttl, minimum = AltNegativeTTL, altMinimum
	}
	return &dns.SOA{
		Hdr:     header(zone, dns.TypeSOA, ttl),
		Ns:      "ns." + zone,
		Mbox:    "hostmaster." + zone,
		Serial:  1,
		Refresh: 3600,
		Retry:   600,
		Expire:  86400,
		Minttl:  minimum,
	}
}

func header(owner string, rrtype uint16, ttl uint32) dns.RR_Header {
	return dns.RR_Header{Name: owner, Rrtype: rrtype, Class: dns.ClassINET, Ttl: ttl}
}

func hasType(rrs []dns.RR, rrtype uint16) bool {
	for _, rr := range rrs {
		if rr.Header().Rrtype == rrtype {
			return true
		}
	}
	return false
}

func (l *Lab) countDNS(name string, qtype uint16, tcp bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dnsCounts[dnsKey{name: dns.CanonicalName(name), qtype: qtype, tcp: tcp}]++
}

// dnsCount sums the counters for name that match keep.
func (l *Lab) dnsCount(name string, keep func(dnsKey) bool) int {
	name = dns.CanonicalName(strings.TrimSpace(name))
	l.mu.Lock()
	defer l.mu.Unlock()
	total := 0
	for k, c := range l.dnsCounts {
		if k.name == name && keep(k) {
			total += c
		}
	}
	return total
}

// DNSQueries counts the queries received for name (any type, UDP and TCP).
// The name is matched case-insensitively, with or without a trailing dot.
func (l *Lab) DNSQueries(name string) int {
	return l.dnsCount(name, func(dnsKey) bool { return true })
}

// DNSQueriesOfType counts the queries received for name and type qtype
// (dns.TypeA, dns.TypeAAAA, ...), over UDP and TCP.
func (l *Lab) DNSQueriesOfType(name string, qtype uint16) int {
	return l.dnsCount(name, func(k dnsKey) bool { return k.qtype == qtype })
}

// DNSTCPQueries counts the queries for name (any type) that came over TCP.
func (l *Lab) DNSTCPQueries(name string) int {
	return l.dnsCount(name, func(k dnsKey) bool { return k.tcp })
}
