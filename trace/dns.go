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
	"syscall"
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
	// httpsPort, when not 0, has each round ask for the HTTPS record of
	// the origin name:httpsPort too (see svcb.go).
	httpsPort int
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

func cmpErr(err, def error) error {
	if err == nil {
		return def
	}
	return err
}

// lookup resolves host to addresses, filling in d (Queries, Tried, and
// the facts of the answer that decided the outcome).
//
// The search list runs as glibc's res_search runs it: the first name with
// addresses wins; NXDOMAIN, NODATA and SERVFAIL move on to the next name,
// anything else (REFUSED, no answer, a malformed one) ends the search list
// (the name as given is still asked if it has not been). When no name has
// addresses, the outcome is that of the name as given if it was asked
// first, else of the first NODATA, else of the first SERVFAIL, else of the
// last name asked.
func (r *resolver) lookup(ctx context.Context, host string, d *DNS) ([]netip.Addr, *Error) {
	names := r.candidates(host)
	asIs := dns.Fqdn(host)
	var outcomes []outcome
	for i := 0; i < len(names); i++ {
		name := names[i]
		start := r.clock.since()
		ans, rc, err := r.askServers(ctx, name, d)
		o := outcome{ans: ans, err: err}
		t := NameTried{Name: name, Server: rc.server, Rcode: rc.rcode, Start: start, Duration: r.clock.since() - start}
		if ans != nil {
			t.Server, t.Rcode = ans.server, ans.rcode
			if len(ans.addrs) == 0 {
				t.Authority, t.NegativeTTL = ans.authority, ans.negativeTTL
			}
		} else {
			t.Err = err.Message
		}
		d.Tried = append(d.Tried, t)
		outcomes = append(outcomes, o)
		if ans != nil && len(ans.addrs) > 0 {
			d.setAnswer(t, ans)
			r.followHTTPSAlias(ctx, ans.server, d)
			return ans.addrs, nil
		}
		if expired(ctx) {
			break
		}
		if name != asIs && !o.searchGoesOn() && names[len(names)-1] == asIs {
			i = len(names) - 2 // end the search list; the name as given is last
		} else if name != asIs && !o.searchGoesOn() {
			break
		}
	}
	k := decide(d.Tried, outcomes, asIs)
	o := outcomes[k]
	if o.ans != nil {
		d.setAnswer(d.Tried[k], o.ans)
	} else {
		d.Name, d.Server, d.Rcode = d.Tried[k].Name, d.Tried[k].Server, d.Tried[k].Rcode
	}
	e := r.outcomeError(host, o, d)
	if len(d.Tried) > 1 {
		e.Message += " " + triedNote(d.Tried)
	}
	return nil, e
}

// outcome is what the servers said about one name of the search list.
type outcome struct {
	ans *answer // nil when no definite answer came
	err *Error  // why not
}

// searchGoesOn reports whether glibc moves on to the next search-list name
// after this outcome: on NXDOMAIN, NODATA and SERVFAIL only.
func (o outcome) searchGoesOn() bool {
	return o.ans != nil || o.err.Kind == KindServFail
}

// decide picks the name whose answer is the lookup's outcome (see lookup).
func decide(tried []NameTried, outcomes []outcome, asIs string) int {
	if tried[0].Name == asIs && len(tried) > 1 {
		return 0
	}
	for i, o := range outcomes {
		if o.ans != nil && o.ans.rcode == "NOERROR" {
			return i
		}
	}
	for i, o := range outcomes {
		if o.ans == nil && o.err.Kind == KindServFail {
			return i
		}
	}
	return len(outcomes) - 1
}

// setAnswer makes ans, the answer for t.Name, the one d reports.
func (d *DNS) setAnswer(t NameTried, ans *answer) {
	d.Name, d.Server, d.Rcode, d.Records = t.Name, ans.server, ans.rcode, ans.records
	d.Authority, d.NegativeTTL = t.Authority, t.NegativeTTL
	d.HTTPSName, d.HTTPS, d.HTTPSErr = ans.httpsName, ans.https, ans.httpsErr
}

// triedNote lists the names of the search list with what each got.
func triedNote(tried []NameTried) string {
	parts := make([]string, len(tried))
	for i, t := range tried {
		parts[i] = t.Name + " " + cmp.Or(t.Rcode, "no answer")
	}
	return "[names tried: " + strings.Join(parts, ", ") + "]"
}

// outcomeError is the lookup's error when the deciding name o has no
// addresses.
func (r *resolver) outcomeError(host string, o outcome, d *DNS) *Error {
	if o.ans == nil {
		return o.err
	}
	if o.ans.chain.fault != "" {
		return chainError(host, o.ans.chain)
	}
	if o.ans.rcode == "NOERROR" {
		fam := map[int]string{4: "A (IPv4) record", 6: "AAAA (IPv6) record", 0: "A or AAAA record"}[r.family]
		return &Error{Phase: PhaseDNS, Kind: KindNoAddress,
			Message: fmt.Sprintf("%s exists in DNS but has no %s", nameOf(host, d.Name), fam),
			Hint:    "the name has other records only; check the zone, or drop -4/-6 if the other family has addresses" + cachedFor(d.NegativeTTL)}
	}
	return &Error{Phase: PhaseDNS, Kind: KindNXDomain,
		Message: fmt.Sprintf("%s does not exist in DNS (NXDOMAIN from %s)", nameOf(host, d.Name), d.Server),
		Hint:    "check the spelling of the host; to test a host not in DNS yet, use --resolve HOST:PORT:ADDR" + cachedFor(d.NegativeTTL)}
}

// nameOf names the host, and the name asked when the search list made it.
func nameOf(host, name string) string {
	if name == "" || name == dns.Fqdn(host) {
		return host
	}
	return fmt.Sprintf("%s (as %s)", host, name)
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
	chain       cnameChain // set when the CNAME chain loops or runs too long
	// The HTTPS question asked with A and AAAA, when one was.
	httpsName string
	https     []HTTPSRecord
	httpsErr  string
}

// failedRcode is the rcode a failure came with, and the server that sent it.
type failedRcode struct{ rcode, server string }

// askServers tries each server in turn (resolv.conf's attempts times)
// until one gives a definite answer: NOERROR or NXDOMAIN.
func (r *resolver) askServers(ctx context.Context, name string, d *DNS) (*answer, failedRcode, *Error) {
	var failures []string
	kind := KindDNSTimeout
	var rc failedRcode // of the failure reported, when a server sent one
	for range r.attempts {
		for _, server := range r.servers {
			if expired(ctx) {
				return nil, rc, dnsTimeout(name, failures, cmpErr(ctx.Err(), context.DeadlineExceeded))
			}
			ans, rcodeFail, fail, err := r.askServer(ctx, server, name, d)
			switch {
			case err == nil:
				return ans, failedRcode{}, nil
			case rcodeFail == dns.RcodeServerFailure && kind != KindRefused:
				kind, rc = KindServFail, failedRcode{"SERVFAIL", server}
			case rcodeFail == dns.RcodeRefused:
				kind, rc = KindRefused, failedRcode{"REFUSED", server}
			case rcodeFail > 0 && (kind == KindDNSTimeout || kind == KindDNS):
				kind, rc = KindDNS, failedRcode{dns.RcodeToString[rcodeFail], server} // FORMERR, NOTIMP, ...
			case rcodeFail < 0 && fail == failBad && kind == KindDNSTimeout:
				kind = KindDNS // an answer came, but not one that parses
			}
			failures = append(failures, fmt.Sprintf("%s: %v", server, err))
		}
	}
	switch kind {
	case KindServFail:
		return nil, rc, &Error{Phase: PhaseDNS, Kind: kind,
			Message: fmt.Sprintf("the DNS server could not resolve %s (SERVFAIL from %s)", strings.TrimSuffix(name, "."), strings.Join(r.servers, ", ")),
			Hint:    "the server failed, often a broken DNSSEC chain or unreachable authoritative servers; try another with --dns-servers"}
	case KindRefused:
		return nil, rc, &Error{Phase: PhaseDNS, Kind: kind,
			Message: fmt.Sprintf("the DNS server refused to resolve %s (REFUSED from %s)", strings.TrimSuffix(name, "."), strings.Join(r.servers, ", ")),
			Hint:    "the server does not answer for this name or for you (no recursion offered); use another with --dns-servers"}
	}
	if kind == KindDNS {
		return nil, rc, &Error{Phase: PhaseDNS, Kind: kind,
			Message: fmt.Sprintf("the DNS answer for %s is not usable (%s)", strings.TrimSuffix(name, "."), failures[len(failures)-1]),
			Hint:    "the server sent a malformed or oversized answer; try another with --dns-servers"}
	}
	return nil, failedRcode{}, r.noAnswerError(name, failures)
}

// noAnswerError says that no server answered at all: every query timed
// out, or nothing listens on the server's port. Neither is a malformed
// answer: there was none.
func (r *resolver) noAnswerError(name string, failures []string) *Error {
	msg := fmt.Sprintf("no answer from %s within %s for %s", strings.Join(r.servers, ", "), r.timeout, strings.TrimSuffix(name, "."))
	if r.attempts > 1 {
		msg = fmt.Sprintf("no answer from %s within %s (%d tries each) for %s", strings.Join(r.servers, ", "), r.timeout, r.attempts, strings.TrimSuffix(name, "."))
	}
	if len(failures) > 0 && !strings.HasSuffix(failures[len(failures)-1], ": timeout") {
		msg += " (" + failures[len(failures)-1] + ")"
	}
	return &Error{Phase: PhaseDNS, Kind: KindDNSTimeout, Message: msg, Err: context.DeadlineExceeded,
		Hint: "check that the DNS server is running and reachable on its port (UDP and TCP), or try another with --dns-servers"}
}

func dnsTimeout(name string, failures []string, err error) *Error {
	msg := fmt.Sprintf("no DNS server answered for %s", strings.TrimSuffix(name, "."))
	if len(failures) > 0 {
		msg += " (" + failures[len(failures)-1] + ")"
	}
	return &Error{Phase: PhaseDNS, Kind: KindDNSTimeout, Message: msg, Err: err,
		Hint: "check that the DNS server is reachable on port 53 (UDP and TCP), or try another with --dns-servers"}
}

// askServer asks one server about name, A and AAAA together. It returns
// an error for anything but NOERROR/NXDOMAIN, with the failing rcode when
// there was one, else how the exchange failed.
func (r *resolver) askServer(ctx context.Context, server, name string, d *DNS) (*answer, int, failure, error) {
	types := []uint16{dns.TypeA, dns.TypeAAAA}
	switch r.family {
	case 4:
		types = types[:1]
	case 6:
		types = types[1:]
	}
	httpsName := ""
	if r.httpsPort > 0 {
		httpsName = httpsQName(name, r.httpsPort)
	}
	res := r.exchangeWith(ctx, server, name, types, httpsName)
	for _, x := range res {
		d.Queries = append(d.Queries, x.records...)
	}
	slices.SortStableFunc(d.Queries, func(a, b Query) int { return int(a.Start - b.Start) })
	var hres *exchangeResult
	if httpsName != "" {
		hres, res = &res[len(res)-1], res[:len(res)-1]
	}

	ans := &answer{server: server}
	for _, x := range res {
		if x.err != nil {
			return nil, -1, x.fail, x.err
		}
		if m := x.msg; m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
			return nil, m.Rcode, failBad, fmt.Errorf("%s", dns.RcodeToString[m.Rcode])
		}
	}
	ans.rcode = dns.RcodeToString[res[0].msg.Rcode]
	for _, x := range res {
		m := x.msg
		if m.Rcode == dns.RcodeSuccess {
			ans.rcode = "NOERROR"
		}
		ans.records = appendNew(ans.records, m.Answer)
		ans.authority = appendNew(ans.authority, soaOnly(m.Ns))
		if t := negativeTTL(m.Ns); t != nil && (ans.negativeTTL == nil || *t < *ans.negativeTTL) {
			ans.negativeTTL = t
		}
		addrs, ch := addressesOf(name, m.Answer)
		ans.addrs = append(ans.addrs, addrs...)
		if ch.fault != "" {
			ans.chain = ch
		}
	}
	if hres != nil {
		ans.httpsName = httpsName
		ans.https, ans.httpsErr = httpsOutcome(httpsName, hres)
	}
	return ans, 0, failNone, nil
}

// httpsOutcome reads the answer to the HTTPS question: its records, or
// why there are none to read. It never fails the lookup.
func httpsOutcome(name string, x *exchangeResult) ([]HTTPSRecord, string) {
	switch {
	case x.err != nil:
		return nil, x.err.Error()
	case x.msg.Rcode != dns.RcodeSuccess && x.msg.Rcode != dns.RcodeNameError:
		return nil, "the HTTPS query got " + dns.RcodeToString[x.msg.Rcode]
	}
	return httpsRecordsOf(name, x.msg.Answer), ""
}

// errNoListener is a query's error when the server's port sent back ICMP
// port unreachable: nothing listens there, so no answer will come.
const errNoListener = "nothing listens on this port (connection refused)"

// noAnswer tells the failures where no reply came at all (a timeout, a
// refused or unreachable port) from those where a reply came but was
// unusable.
func noAnswer(s string) bool {
	return s == "timeout" || s == errNoListener || strings.HasPrefix(s, "network: ")
}

func queryError(err error) string {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return errNoListener
	}
	var oe *net.OpError
	if errors.As(err, &oe) && !oe.Timeout() {
		return "network: " + oe.Err.Error()
	}
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

// CNAME chain faults: a chain that comes back to a name it passed, or
// one longer than maxCNAMEChain.
const (
	chainLoop = "loop"
	chainLong = "long"
)

// cnameChain is the CNAME chain from name through the answer records.
type cnameChain struct {
	path  []string // the names passed, name first, canonical
	fault string   // "", chainLoop or chainLong
}

// followCNAMEs follows the CNAME chain from name, as a stub resolver
// would, at most maxCNAMEChain steps.
func followCNAMEs(name string, rrs []dns.RR) cnameChain {
	cname := map[string]string{}
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok {
			cname[dns.CanonicalName(c.Hdr.Name)] = dns.CanonicalName(c.Target)
		}
	}
	owner := dns.CanonicalName(name)
	ch := cnameChain{path: []string{owner}}
	seen := map[string]bool{owner: true}
	for {
		next, ok := cname[owner]
		switch {
		case !ok:
			return ch
		case seen[next]:
			ch.path, ch.fault = append(ch.path, next), chainLoop
			return ch
		case len(ch.path) > maxCNAMEChain:
			ch.fault = chainLong
			return ch
		}
		seen[next] = true
		ch.path = append(ch.path, next)
		owner = next
	}
}

// addressesOf returns the addresses owned by the end of the CNAME chain
// from name, and the chain.
func addressesOf(name string, rrs []dns.RR) ([]netip.Addr, cnameChain) {
	ch := followCNAMEs(name, rrs)
	if ch.fault != "" {
		return nil, ch
	}
	owner := ch.path[len(ch.path)-1]
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
	return addrs, ch
}

// chainError explains a CNAME chain that loops or runs too long: the name
// does not fail to have addresses, its chain never reaches them.
func chainError(host string, ch cnameChain) *Error {
	shown := ch.path
	if len(shown) > 6 {
		shown = append(append(slices.Clone(shown[:3]), "…"), shown[len(shown)-2:]...)
	}
	path := strings.Join(shown, " → ")
	if ch.fault == chainLoop {
		return &Error{Phase: PhaseDNS, Kind: KindCNAMELoop,
			Message: fmt.Sprintf("the CNAME chain of %s loops: %s", host, path),
			Hint:    "the zone's CNAME records point back at each other; a CNAME must lead to a name with addresses"}
	}
	return &Error{Phase: PhaseDNS, Kind: KindCNAMETooLong,
		Message: fmt.Sprintf("the CNAME chain of %s is too long: more than %d CNAMEs (%s)", host, maxCNAMEChain, path),
		Hint:    fmt.Sprintf("reqtrace follows at most %d CNAMEs, as stub resolvers cap the chain; shorten it in the zone", maxCNAMEChain)}
}
