package trace

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// DNS HTTPS records (RFC 9460, type 65). For an https:// URL reqtrace asks
// for the host's HTTPS record alongside A and AAAA, on the same socket, as
// Chrome does. Chrome does not let the HTTPS answer hold up the addresses
// for long: once A and AAAA are in, it waits for HTTPS at most 20% of the
// time the lookup took so far, clamped to [5 ms, 50 ms]
// (UseDnsHttpsSvcbInsecureExtraTime{Percent,Min,Max} in net/base/features.cc).
// reqtrace applies the same rule, so the DNS phase costs what a browser's
// does; an HTTPS answer that comes later is reported as missed.

// HTTPSRecord is one DNS HTTPS record of the URL's host, its parameters
// parsed. The ECH configuration is only noted as present: its bytes are
// the server's key material and tell a reader nothing.
type HTTPSRecord struct {
	Name     string // owner name, fully qualified ("_8443._https.example.com." for a port other than 443)
	TTL      uint32
	Priority uint16 // 0: AliasMode (Target names another host's records); else ServiceMode, lower first
	Target   string // "." means the owner itself
	ALPN     []string
	// NoDefaultALPN: the no-default-alpn key; http/1.1 is then not implied.
	NoDefaultALPN bool
	Port          int // 0 when the record has no port key
	IPv4Hint      []string
	IPv6Hint      []string
	ECH           bool // an ech key is present
	// Via is the AliasMode name this record was reached through; empty
	// for the host's own records.
	Via string
}

// Alias reports whether the record is in AliasMode (priority 0).
func (r HTTPSRecord) Alias() bool { return r.Priority == 0 }

// OffersH3 reports whether the record's ALPN list includes h3.
func (r HTTPSRecord) OffersH3() bool { return slices.Contains(r.ALPN, "h3") }

// Chrome's extra wait for an HTTPS answer once A and AAAA are in.
const (
	httpsExtraPercent = 20
	httpsExtraMin     = 5 * time.Millisecond
	httpsExtraMax     = 50 * time.Millisecond
	// httpsAliasWait bounds the one extra query an AliasMode record
	// takes; it is asked after the addresses, on the DNS phase's clock.
	httpsAliasWait = 500 * time.Millisecond
	// maxHTTPSRecords caps the records kept from one answer.
	maxHTTPSRecords = 16
)

// httpsExtraTime is how long to wait for HTTPS once the addresses came
// in after elapsed.
func httpsExtraTime(elapsed time.Duration) time.Duration {
	return min(max(elapsed*httpsExtraPercent/100, httpsExtraMin), httpsExtraMax)
}

// httpsQName is the name an HTTPS query asks for the origin name:port
// (RFC 9460 section 9.1: a port prefix for a port other than 443).
func httpsQName(name string, port int) string {
	if port == 443 || port == 0 {
		return name
	}
	return "_" + strconv.Itoa(port) + "._https." + name
}

// httpsRecordsOf parses the HTTPS records that answer qname, following
// CNAMEs in the answer.
func httpsRecordsOf(qname string, rrs []dns.RR) []HTTPSRecord {
	ch := followCNAMEs(qname, rrs)
	if ch.fault != "" {
		return nil
	}
	owner := ch.path[len(ch.path)-1]
	var out []HTTPSRecord
	for _, rr := range rrs {
		h, ok := rr.(*dns.HTTPS)
		if !ok || dns.CanonicalName(h.Hdr.Name) != owner || len(out) >= maxHTTPSRecords {
			continue
		}
		out = append(out, httpsRecord(h))
	}
	// Clients use them in priority order; AliasMode (0) first.
	slices.SortStableFunc(out, func(a, b HTTPSRecord) int { return int(a.Priority) - int(b.Priority) })
	return out
}

func httpsRecord(h *dns.HTTPS) HTTPSRecord {
	r := HTTPSRecord{Name: h.Hdr.Name, TTL: h.Hdr.Ttl, Priority: h.Priority, Target: h.Target}
	if r.Alias() {
		return r // RFC 9460 section 2.4.2: AliasMode parameters are ignored
	}
	for _, kv := range h.Value {
		switch v := kv.(type) {
		case *dns.SVCBAlpn:
			r.ALPN = slices.Clone(v.Alpn)
		case *dns.SVCBNoDefaultAlpn:
			r.NoDefaultALPN = true
		case *dns.SVCBPort:
			r.Port = int(v.Port)
		case *dns.SVCBIPv4Hint:
			for _, ip := range v.Hint {
				r.IPv4Hint = append(r.IPv4Hint, ip.String())
			}
		case *dns.SVCBIPv6Hint:
			for _, ip := range v.Hint {
				r.IPv6Hint = append(r.IPv6Hint, ip.String())
			}
		case *dns.SVCBECHConfig:
			r.ECH = true
		}
	}
	return r
}

// followHTTPSAlias asks once for the HTTPS records of an AliasMode
// record's target (RFC 9460 section 2.4.2), bounded by httpsAliasWait. A
// second alias is not followed: reqtrace says so instead.
func (r *resolver) followHTTPSAlias(ctx context.Context, server string, d *DNS) {
	if len(d.HTTPS) == 0 || !d.HTTPS[0].Alias() {
		return
	}
	target := dns.Fqdn(d.HTTPS[0].Target)
	if target == "." || strings.EqualFold(target, d.HTTPS[0].Name) {
		d.HTTPSErr = "the AliasMode record points at itself (\".\"): the name has no HTTPS service"
		return
	}
	actx, cancel := context.WithTimeout(ctx, httpsAliasWait)
	defer cancel()
	res := r.exchangeAll(actx, server, target, []uint16{dns.TypeHTTPS})[0]
	d.Queries = append(d.Queries, res.records...)
	if res.err != nil {
		d.HTTPSErr = "following the alias to " + target + ": " + res.err.Error()
		return
	}
	recs := httpsRecordsOf(target, res.msg.Answer)
	for i := range recs {
		recs[i].Via = d.HTTPS[0].Name
	}
	d.HTTPS = append(d.HTTPS, recs...)
	if len(recs) > 0 && recs[0].Alias() {
		d.HTTPSErr = "the alias target " + target + " is an alias again; reqtrace follows one alias only"
	}
}

// h3Discovery is the UDP port an --http3 hop takes from the host's HTTPS
// record: the first ServiceMode record for the host itself (target ".")
// whose ALPN list offers h3, its port or else the URL's. ok is false when
// no record offers h3 for the host itself.
func h3Discovery(d *DNS, urlPort int) (port int, ok bool) {
	if d == nil {
		return 0, false
	}
	for _, r := range d.HTTPS {
		if r.Alias() || r.Via != "" || r.Target != "." {
			continue
		}
		if !r.OffersH3() {
			return 0, false // the highest-priority record decides
		}
		if r.Port > 0 {
			return r.Port, true
		}
		return urlPort, true
	}
	return 0, false
}
