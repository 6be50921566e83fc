package trace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// resolver asks DNS servers directly with miekg/dns, the way the system
// stub resolver would (resolv.conf's servers, search list, ndots, timeout),
// so that every query, answer and TTL can be shown. The Go resolver hides
// all of that, and its httptrace hooks would not fire for our dials anyway.
type resolver struct {
	servers  []string // "ip:port"
	search   []string
	ndots    int
	timeout  time.Duration // per query, as resolv.conf's "timeout:"
	attempts int
	family   int // 4, 6 or 0 for both
	clock    *clock
}

const (
	defaultResolvConf = "/etc/resolv.conf"
	defaultHostsFile  = "/etc/hosts"
	ednsBufferSize    = 1232 // the DNS flag day 2020 value: avoids IP fragmentation
	maxCNAMEChain     = 16
)

func newResolver(o *Options, c *clock) (*resolver, *Error) {
	r := &resolver{ndots: 1, timeout: 5 * time.Second, attempts: 2, family: o.IPVersion, clock: c}
	path := cmp.Or(o.ResolvConf, defaultResolvConf)
	cfg, err := dns.ClientConfigFromFile(path)
	if err == nil {
		r.search, r.ndots = cfg.Search, cfg.Ndots
		r.timeout = time.Duration(max(cfg.Timeout, 1)) * time.Second
		r.attempts = min(max(cfg.Attempts, 1), 5)
		for _, s := range cfg.Servers {
			r.servers = append(r.servers, net.JoinHostPort(s, cfg.Port))
		}
	}
	if len(o.DNSServers) > 0 {
		r.servers = o.DNSServers
	}
	if len(r.servers) == 0 {
		msg := fmt.Sprintf("no DNS server to ask: %s lists none", path)
		if err != nil {
			msg = fmt.Sprintf("no DNS server to ask: cannot read %s", path)
		}
		return nil, &Error{Phase: PhaseDNS, Kind: KindDNS, Message: msg,
			Hint: "name one with --dns-servers ADDR, or skip DNS with --resolve HOST:PORT:ADDR"}
	}
	return r, nil
}

// lookup resolves host to addresses, filling in d (Queries, Records, ...).
func (r *resolver) lookup(ctx context.Context, host string, d *DNS) ([]netip.Addr, *Error) {
	nodata := false
	var asIsErr *Error
	for _, name := range r.candidates(host) {
		ans, err := r.askServers(ctx, name, d)
		if err != nil {
			// Like the stub resolver, a failing search-list name does not
			// end the search; only the name as given is reported.
			if name == dns.Fqdn(host) || ctx.Err() != nil {
				asIsErr = err
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		// Report the most telling answer: the one with addresses, else
		// the first NODATA (the name exists), else the last NXDOMAIN.
		if len(ans.addrs) > 0 || !nodata {
			d.Name, d.Server, d.Rcode, d.Records = name, ans.server, ans.rcode, ans.records
			d.Authority, d.NegativeTTL = nil, nil
			if len(ans.addrs) == 0 {
				d.Authority, d.NegativeTTL = ans.authority, ans.negativeTTL
			}
		}
		if len(ans.addrs) > 0 {
			return ans.addrs, nil
		}
		nodata = nodata || ans.rcode == "NOERROR"
	}
	if asIsErr != nil && !nodata {
		return nil, asIsErr
	}
	if nodata {
		fam := map[int]string{4: "A (IPv4) record", 6: "AAAA (IPv6) record", 0: "A or AAAA record"}[r.family]
		return nil, &Error{Phase: PhaseDNS, Kind: KindNoAddress,
			Message: fmt.Sprintf("%s exists in DNS but has no %s", host, fam),
			Hint:    "the name has other records only; check the zone, or drop -4/-6 if the other family has addresses" + cachedFor(d.NegativeTTL)}
	}
	return nil, &Error{Phase: PhaseDNS, Kind: KindNXDomain,
		Message: fmt.Sprintf("%s does not exist in DNS (NXDOMAIN from %s)", host, d.Server),
		Hint:    "check the spelling of the host; to test a host not in DNS yet, use --resolve HOST:PORT:ADDR" + cachedFor(d.NegativeTTL)}
}

// cachedFor tells how long a negative answer outlives a fix of the zone.
func cachedFor(ttl *uint32) string {
	if ttl == nil {
		return ""
	}
	return fmt.Sprintf("; resolvers keep this answer for up to %s (the zone's SOA), so a record added now shows after that", (time.Duration(*ttl) * time.Second).String())
}

// negativeTTL is RFC 2308's negative caching time: the lesser of the
// SOA record's own TTL and its MINIMUM field.
func negativeTTL(ns []dns.RR) *uint32 {
	for _, rr := range ns {
		if soa, ok := rr.(*dns.SOA); ok {
			ttl := min(soa.Hdr.Ttl, soa.Minttl)
			return &ttl
		}
	}
	return nil
}

// candidates applies the search list and ndots like the stub resolver.
func (r *resolver) candidates(host string) []string {
	if strings.HasSuffix(host, ".") {
		return []string{host}
	}
	var withSearch []string
	for _, s := range r.search {
		withSearch = append(withSearch, dns.Fqdn(host+"."+strings.TrimSuffix(s, ".")))
	}
	if strings.Count(host, ".") >= r.ndots {
		return append([]string{dns.Fqdn(host)}, withSearch...)
	}
	return append(withSearch, dns.Fqdn(host))
}

// answer is what one server said about one name, A and AAAA together.
type answer struct {
	server    string
	rcode     string
	records   []Record
	authority []Record // the SOA of a negative answer
	// negativeTTL is the shortest negative caching time of the answers
	// (A and AAAA may come from different zones' views).
	negativeTTL *uint32
	addrs       []netip.Addr
}

// askServers tries each server in turn (resolv.conf's attempts times)
// until one gives a definite answer: NOERROR or NXDOMAIN.
func (r *resolver) askServers(ctx context.Context, name string, d *DNS) (*answer, *Error) {
	var failures []string
	kind := KindDNSTimeout
	for range r.attempts {
		for _, server := range r.servers {
			if ctx.Err() != nil {
				return nil, dnsTimeout(name, failures, ctx.Err())
			}
			ans, rcodeFail, err := r.askServer(ctx, server, name, d)
			switch {
			case err == nil:
				return ans, nil
			case rcodeFail == dns.RcodeServerFailure && kind != KindRefused:
				kind = KindServFail
			case rcodeFail == dns.RcodeRefused:
				kind = KindRefused
			case rcodeFail < 0 && err.Error() != "timeout" && kind == KindDNSTimeout:
				kind = KindDNS // an answer came, but not one that parses
			}
			failures = append(failures, fmt.Sprintf("%s: %v", server, err))
		}
	}
	switch kind {
	case KindServFail:
		return nil, &Error{Phase: PhaseDNS, Kind: kind,
			Message: fmt.Sprintf("the DNS server could not resolve %s (SERVFAIL from %s)", strings.TrimSuffix(name, "."), strings.Join(r.servers, ", ")),
			Hint:    "the server failed, often a broken DNSSEC chain or unreachable authoritative servers; try another with --dns-servers"}
	case KindRefused:
		return nil, &Error{Phase: PhaseDNS, Kind: kind,
			Message: fmt.Sprintf("the DNS server refused to resolve %s (REFUSED from %s)", strings.TrimSuffix(name, "."), strings.Join(r.servers, ", ")),
			Hint:    "the server does not answer for this name or for you (no recursion offered); use another with --dns-servers"}
	}
	if kind == KindDNS {
		return nil, &Error{Phase: PhaseDNS, Kind: kind,
			Message: fmt.Sprintf("the DNS answer for %s is not usable (%s)", strings.TrimSuffix(name, "."), failures[len(failures)-1]),
			Hint:    "the server sent a malformed or oversized answer; try another with --dns-servers"}
	}
	return nil, dnsTimeout(name, failures, context.DeadlineExceeded)
}

func dnsTimeout(name string, failures []string, err error) *Error {
	msg := fmt.Sprintf("no DNS server answered for %s", strings.TrimSuffix(name, "."))
	if len(failures) > 0 {
		msg += " (" + failures[len(failures)-1] + ")"
	}
	return &Error{Phase: PhaseDNS, Kind: KindDNSTimeout, Message: msg, Err: err,
		Hint: "check that the DNS server is reachable on port 53 (UDP and TCP), or try another with --dns-servers"}
}

// askServer sends the A and AAAA queries for name to one server in parallel.
// It returns an error for anything but NOERROR/NXDOMAIN, with the failing
// rcode when there was one.
func (r *resolver) askServer(ctx context.Context, server, name string, d *DNS) (*answer, int, error) {
	types := []uint16{dns.TypeA, dns.TypeAAAA}
	switch r.family {
	case 4:
		types = types[:1]
	case 6:
		types = types[1:]
	}
	msgs := make([]*dns.Msg, len(types))
	errs := make([]error, len(types))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, t := range types {
		wg.Go(func() {
			q := r.exchange(ctx, server, name, t)
			msgs[i], errs[i] = q.msg, q.err
			mu.Lock()
			d.Queries = append(d.Queries, q.records...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.SortStableFunc(d.Queries, func(a, b Query) int { return int(a.Start - b.Start) })

	ans := &answer{server: server}
	for i, m := range msgs {
		if errs[i] != nil {
			return nil, -1, errs[i]
		}
		if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
			return nil, m.Rcode, fmt.Errorf("%s", dns.RcodeToString[m.Rcode])
		}
	}
	ans.rcode = dns.RcodeToString[msgs[0].Rcode]
	for _, m := range msgs {
		if m.Rcode == dns.RcodeSuccess {
			ans.rcode = "NOERROR"
		}
		ans.records = appendNew(ans.records, m.Answer)
		ans.authority = appendNew(ans.authority, soaOnly(m.Ns))
		if t := negativeTTL(m.Ns); t != nil && (ans.negativeTTL == nil || *t < *ans.negativeTTL) {
			ans.negativeTTL = t
		}
		ans.addrs = append(ans.addrs, addressesOf(name, m.Answer)...)
	}
	return ans, 0, nil
}

type exchangeResult struct {
	msg     *dns.Msg
	err     error
	records []Query
}

// exchange sends one question over UDP, and again over TCP if the answer
// came back truncated, timing each try including its dial.
func (r *resolver) exchange(ctx context.Context, server, name string, qtype uint16) exchangeResult {
	m := new(dns.Msg).SetQuestion(name, qtype) // random ID, RD=1
	m.SetEdns0(ednsBufferSize, false)
	var out exchangeResult
	for _, transport := range []string{"udp", "tcp"} {
		c := &dns.Client{Net: transport, Timeout: r.timeout, UDPSize: ednsBufferSize}
		q := Query{Name: name, Type: dns.TypeToString[qtype], Server: server, Transport: transport, Start: r.clock.since()}
		in, _, err := c.ExchangeContext(ctx, m, server)
		q.Duration = r.clock.since() - q.Start
		truncated := in != nil && in.Truncated // TC may arrive together with an unpack error
		if in != nil {
			q.Rcode, q.Truncated, q.Answers = dns.RcodeToString[in.Rcode], in.Truncated, len(in.Answer)
			q.Flags = headerFlags(in)
		}
		if err != nil && !truncated {
			q.Err = queryError(err)
		}
		out.records = append(out.records, q)
		out.msg, out.err = in, err
		if !truncated || transport == "tcp" {
			break
		}
	}
	if out.err == nil && out.msg == nil {
		out.err = errors.New("no answer")
	}
	if out.err != nil {
		out.err = errors.New(queryError(out.err))
	}
	return out
}

func queryError(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return "timeout"
	}
	return err.Error()
}

// soaOnly keeps the SOA records of an authority section: the rest
// (referral NS records) say nothing about the name.
func soaOnly(rrs []dns.RR) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if _, ok := rr.(*dns.SOA); ok {
			out = append(out, rr)
		}
	}
	return out
}

// headerFlags are an answer's header flags in dig's order and spelling.
func headerFlags(m *dns.Msg) string {
	var f []string
	for _, b := range []struct {
		on   bool
		name string
	}{{m.Response, "qr"}, {m.Authoritative, "aa"}, {m.Truncated, "tc"}, {m.RecursionDesired, "rd"},
		{m.RecursionAvailable, "ra"}, {m.AuthenticatedData, "ad"}, {m.CheckingDisabled, "cd"}} {
		if b.on {
			f = append(f, b.name)
		}
	}
	return strings.Join(f, " ")
}

// appendNew adds the records of rrs not already in list (the A and AAAA
// answers both repeat the CNAME chain). A set keeps it linear: a hostile
// answer may hold thousands of records.
func appendNew(list []Record, rrs []dns.RR) []Record {
	seen := make(map[Record]bool, len(list)+len(rrs))
	for _, r := range list {
		seen[r] = true
	}
	for _, rr := range rrs {
		h := rr.Header()
		rec := Record{Name: h.Name, Type: dns.TypeToString[h.Rrtype], TTL: h.Ttl, Value: rdata(rr)}
		if !seen[rec] {
			seen[rec] = true
			list = append(list, rec)
		}
	}
	return list
}

// rdata is the record's data as dig prints it, without the header.
func rdata(rr dns.RR) string {
	switch v := rr.(type) {
	case *dns.A:
		return v.A.String()
	case *dns.AAAA:
		return v.AAAA.String()
	case *dns.CNAME:
		return v.Target
	}
	full, hdr := rr.String(), rr.Header().String()
	return strings.TrimSpace(strings.TrimPrefix(full, hdr))
}

// addressesOf follows the CNAME chain from name and returns the addresses
// owned by its end, as a stub resolver would.
func addressesOf(name string, rrs []dns.RR) []netip.Addr {
	cname := map[string]string{}
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok {
			cname[dns.CanonicalName(c.Hdr.Name)] = dns.CanonicalName(c.Target)
		}
	}
	owner := dns.CanonicalName(name)
	for i := 0; i < maxCNAMEChain; i++ {
		next, ok := cname[owner]
		if !ok {
			break
		}
		owner = next
	}
	var addrs []netip.Addr
	for _, rr := range rrs {
		if dns.CanonicalName(rr.Header().Name) != owner {
			continue
		}
		switch v := rr.(type) {
		case *dns.A:
			if a, ok := netip.AddrFromSlice(v.A.To4()); ok {
				addrs = append(addrs, a)
			}
		case *dns.AAAA:
			if a, ok := netip.AddrFromSlice(v.AAAA.To16()); ok {
				addrs = append(addrs, a)
			}
		}
	}
	return addrs
}
