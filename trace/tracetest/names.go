package tracetest

import (
	"strconv"
	"strings"
	"time"
)

// Zone is the DNS zone the lab is authoritative for (fully qualified).
const Zone = "lab.test."

// AltZone is the lab's second zone, for search-list tests: www.alt.test
// has A 127.0.0.1 and every other name under it is NXDOMAIN, with a SOA of
// its own (negative TTL AltNegativeTTL), so that a report can be checked
// to give each name its own zone's facts.
const AltZone = "alt.test."

// maxDelay caps dnsdelay-N and tlsdelay-N so a typo cannot park a
// goroutine for days; Close interrupts any delay anyway.
const maxDelay = time.Hour

// labName is what a query name or TLS server name asks the lab to do.
type labName struct {
	host   string // lower case, no trailing dot
	inZone bool   // host is lab.test or alt.test, or a name under one
	alt    bool   // the zone is AltZone
	// kind is the label just before "lab.test" once instruction labels are
	// dropped ("alias", "nx", "expired", ...); empty outside the zone and
	// for the apex. Special behaviour keys on it, so "x.nx.lab.test" and
	// "dnsdelay-30.alias.lab.test" behave like "nx" and "alias".
	kind     string
	dnsDelay time.Duration // from a dnsdelay-N label
	tlsDelay time.Duration // from a tlsdelay-N label
}

// parseName reads the instruction labels (dnsdelay-N, tlsdelay-N) found
// anywhere in name and the special kind of an in-zone name.
func parseName(name string) labName {
	host := strings.TrimSuffix(strings.ToLower(name), ".")
	n := labName{host: host}
	var rest []string
	for _, label := range strings.Split(host, ".") {
		if d, ok := delayLabel(label, "dnsdelay-"); ok {
			n.dnsDelay = d
			continue
		}
		if d, ok := delayLabel(label, "tlsdelay-"); ok {
			n.tlsDelay = d
			continue
		}
		rest = append(rest, label)
	}
	for _, zone := range []string{Zone, AltZone} {
		apex := strings.TrimSuffix(zone, ".")
		if host == apex || strings.HasSuffix(host, "."+apex) {
			n.inZone, n.alt = true, zone == AltZone
		}
	}
	if n.inZone && len(rest) > 2 {
		n.kind = rest[len(rest)-3] // rest ends with "lab" (or "alt"), "test"
	}
	return n
}

// delayLabel parses a label such as "dnsdelay-30" (milliseconds).
func delayLabel(label, prefix string) (time.Duration, bool) {
	digits, ok := strings.CutPrefix(label, prefix)
	if !ok {
		return 0, false
	}
	ms, err := strconv.Atoi(digits)
	if err != nil || ms < 0 {
		return 0, false
	}
	return min(time.Duration(ms)*time.Millisecond, maxDelay), true
}
