package tracetest

import (
	"context"
	"net"
	"time"

	"github.com/miekg/dns"
)

// HTTPS records (RFC 9460, type 65), keyed on the label before lab.test
// as the other kinds are, so "_8443._https.h3rr.lab.test" (the name a
// client asks for port 8443) answers like "h3rr.lab.test".
const (
	ttlHTTPS = 300
	// SlowHTTPSDelay is how late slowrr's HTTPS answer comes: far past
	// the 50 ms a browser waits for it once A and AAAA are in.
	SlowHTTPSDelay = 2 * time.Second
)

// LabECH is the ech value of the lab's ServiceMode records: opaque bytes
// (not a real ECHConfigList), for checking that reqtrace only says
// "present" and never prints them.
var LabECH = []byte("lab-ech-config-bytes")

// httpsAnswer answers an HTTPS query for the kinds that have records;
// nil leaves the query to answer's usual rules (NODATA for most names).
// It returns false when the lab is closing.
func (l *Lab) httpsAnswer(r *dns.Msg, n labName) (*dns.Msg, bool) {
	q := r.Question[0]
	var rr dns.RR
	switch n.kind {
	case "h3rr", "slowrr":
		rr = l.serviceRecord(q.Name, []string{"h3", "h2"})
	case "h2rr":
		rr = l.serviceRecord(q.Name, []string{"h2"})
	case "aliasrr":
		rr = aliasRecord(q.Name, "h3rr."+Zone)
	case "alias2rr":
		rr = aliasRecord(q.Name, "aliasrr."+Zone)
	default:
		return nil, true
	}
	if n.kind == "slowrr" && !l.sleep(context.Background(), SlowHTTPSDelay) {
		return nil, false
	}
	m := new(dns.Msg).SetReply(r)
	m.Authoritative = true
	m.Answer = []dns.RR{rr}
	return m, true
}

// serviceRecord is `1 . alpn=... port=HTTPSPort ipv4hint=127.0.0.1
// ipv6hint=::1 ech=...`.
func (l *Lab) serviceRecord(owner string, alpn []string) dns.RR {
	return &dns.HTTPS{SVCB: dns.SVCB{Hdr: header(owner, dns.TypeHTTPS, ttlHTTPS), Priority: 1, Target: ".",
		Value: []dns.SVCBKeyValue{
			&dns.SVCBAlpn{Alpn: alpn},
			&dns.SVCBPort{Port: uint16(l.httpsPort.Load())},
			&dns.SVCBIPv4Hint{Hint: []net.IP{net.IPv4(127, 0, 0, 1)}},
			&dns.SVCBECHConfig{ECH: LabECH},
			&dns.SVCBIPv6Hint{Hint: []net.IP{net.IPv6loopback}},
		}}}
}

func aliasRecord(owner, target string) dns.RR {
	return &dns.HTTPS{SVCB: dns.SVCB{Hdr: header(owner, dns.TypeHTTPS, ttlHTTPS), Priority: 0, Target: target}}
}
