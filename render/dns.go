package render

import (
	"strconv"
	"strings"

	"github.com/fatih/color"

	"github.com/reqtrace/reqtrace/trace"
)

// dns shows how the host became addresses: which resolver answered, with
// what rcode, and every record of the answer, CNAME chain included
// (-v: every query sent, in the order started).
func (pr *Printer) dns(h *trace.Hop) {
	d := h.DNS
	if d == nil {
		return
	}
	summary := Safe(d.Host)
	if d.HostUnicode != "" { // both forms: the one asked, and the one people read
		summary += pr.Pal.Dim.Sprint(" (" + Safe(d.HostUnicode) + ")")
	}
	if len(d.Addresses) > 0 {
		summary += " → " + joinFit(d.Addresses, pr.Width-TextWidth(summary)-10)
	}
	pr.Title("DNS", summary)
	pr.KV("source", pr.dnsSource(d))
	if d.Name != "" && !sameName(d.Name, d.Host) {
		pr.KV("name", Safe(d.Name)+pr.Pal.Dim.Sprint(" (after the search list)"))
	}
	if len(d.Tried) > 1 {
		pr.tried(d.Tried, d.Name)
	}
	if len(d.Records) > 0 {
		pr.records(d.Records)
	}
	for _, r := range d.Authority { // a negative answer: dig's AUTHORITY SECTION
		pr.kvParts(Indent, "authority", soaParts(r)...)
	}
	pr.httpsRecords(d)
	if pr.St.Verbose && len(d.Queries) > 0 {
		pr.queries(d.Queries)
	}
}

// dnsSource says where the addresses came from, in one line.
func (pr *Printer) dnsSource(d *trace.DNS) string {
	switch d.Source {
	case trace.SourceHosts:
		return "the hosts file" + pr.Pal.Dim.Sprint(" (no DNS query)")
	case trace.SourceResolve:
		return "--resolve" + pr.Pal.Dim.Sprint(" (no DNS query)")
	case trace.SourceLiteral:
		return "the URL" + pr.Pal.Dim.Sprint(" (the host is an IP address)")
	}
	s := "DNS server " + Safe(d.Server)
	if d.Server == "" {
		s = "DNS"
	}
	if d.Rcode != "" {
		s += pr.Pal.Dim.Sprint(" · ") + pr.rcode(d.Rcode).Sprint(Safe(d.Rcode))
	}
	return s + pr.Pal.Dim.Sprint(" · "+fmtDur(d.Duration))
}

// rcode colours a DNS response code: NOERROR is fine, NXDOMAIN is the
// usual typo, anything else is the resolver's trouble.
func (pr *Printer) rcode(rc string) *color.Color {
	switch rc {
	case "NOERROR":
		return pr.Pal.OK
	case "NXDOMAIN":
		return pr.Pal.Warn
	}
	return pr.Pal.Bad
}

// sameName compares a host with a fully qualified name ("a.test" and "a.test.").
func sameName(fqdn, host string) bool {
	return fqdn == host || fqdn == host+"."
}

// records is the answer as dig would show it: name, type, TTL, value.
func (pr *Printer) records(rs []trace.Record) {
	cols := []column{{head: "NAME"}, {head: "TYPE"}, {head: "TTL", right: true}, {head: "VALUE", fill: true}}
	rows := make([][]string, len(rs))
	for i, r := range rs {
		rows[i] = []string{Safe(r.Name), Safe(r.Type), strconv.FormatUint(uint64(r.TTL), 10), Safe(r.Value)}
	}
	pr.table(Indent, cols, rows, func(_, c int) *color.Color {
		if c == 1 {
			return pr.Pal.Name
		}
		return nil
	})
}

// soaParts shows the SOA of a negative answer by what its fields mean;
// MINIMUM bounds how long resolvers cache the answer (RFC 2308), and the
// failure's hint says for how long.
func soaParts(r trace.Record) []string {
	parts := []string{Safe(r.Name) + " " + Safe(r.Type), "TTL " + strconv.FormatUint(uint64(r.TTL), 10)}
	f := strings.Fields(r.Value) // mname rname serial refresh retry expire minimum
	if r.Type != "SOA" || len(f) != 7 {
		return append(parts, Safe(r.Value))
	}
	return append(parts, "minimum "+Safe(f[6]), "serial "+Safe(f[2]), "primary "+Safe(f[0]), "contact "+Safe(f[1]))
}

// queries lists every question sent (-v): the A/AAAA pair, the search list,
// UDP answers retried over TCP ("AAAA/tcp"), servers that failed.
func (pr *Printer) queries(qs []trace.Query) {
	pr.Line(Indent + pr.Pal.Dim.Sprint("queries, in the order sent:"))
	cols := []column{
		{head: "NAME", fill: true}, {head: "TYPE"}, {head: "SERVER"},
		{head: "START", right: true, optional: true}, {head: "TIME", right: true},
		{head: "RCODE"}, {head: "ANS", right: true, optional: true}, {head: "FLAGS", optional: true}, {head: "NOTE", fill: true},
	}
	rows := make([][]string, len(qs))
	notes := false
	for i, q := range qs {
		note := Safe(q.Err)
		if q.Truncated {
			note = joinNote("truncated (TC), retried over TCP", note)
		}
		notes = notes || note != ""
		rcode := Safe(q.Rcode)
		if rcode == "" {
			rcode = "—"
		}
		qtype := Safe(q.Type)
		if q.Transport != "" && q.Transport != "udp" { // UDP is the norm; say when not
			qtype += "/" + Safe(q.Transport)
		}
		rows[i] = []string{
			Safe(q.Name), qtype, Safe(q.Server),
			fmtDur(q.Start), fmtDur(q.Duration), rcode, strconv.Itoa(q.Answers), Safe(q.Flags), note,
		}
	}
	if !notes { // an empty NOTE column is noise
		cols = cols[:len(cols)-1]
		for i := range rows {
			rows[i] = rows[i][:len(cols)]
		}
	}
	pr.table(Indent, cols, rows, func(r, c int) *color.Color {
		switch {
		case c == 5 && qs[r].Rcode != "":
			return pr.rcode(qs[r].Rcode)
		case c == 8 && qs[r].Err != "":
			return pr.Pal.Bad
		}
		return nil
	})
}

// tried lists the names of the search list, each with its own answer:
// rcode, the zone whose SOA came with a negative answer, and how long
// resolvers cache that answer. The name that decided the outcome is marked.
func (pr *Printer) tried(ts []trace.NameTried, decided string) {
	pr.Line(Indent + pr.Pal.Dim.Sprint("search list, in the order asked:"))
	cols := []column{{head: "NAME", fill: true}, {head: "RCODE"}, {head: "NEG TTL", right: true},
		{head: "SOA", optional: true}, {head: "TIME", right: true}, {head: "NOTE", fill: true}}
	rows := make([][]string, len(ts))
	for i, t := range ts {
		neg, zone := "—", "—"
		if t.NegativeTTL != nil {
			neg = strconv.FormatUint(uint64(*t.NegativeTTL), 10) + "s"
		}
		if len(t.Authority) > 0 {
			zone = Safe(t.Authority[0].Name)
		}
		note := ""
		if t.Rcode == "" { // the rcode says it all when there is one
			note = Safe(t.Err)
		}
		if t.Name == decided {
			note = joinNote("← the outcome", note)
		}
		rows[i] = []string{Safe(t.Name), cmpDash(Safe(t.Rcode)), neg, zone, fmtDur(t.Duration), note}
	}
	pr.table(Indent, cols, rows, func(r, c int) *color.Color {
		if c == 1 && ts[r].Rcode != "" {
			return pr.rcode(ts[r].Rcode)
		}
		return nil
	})
}

func cmpDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func joinNote(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// httpsRecords shows the host's HTTPS records (RFC 9460) by what each
// parameter says; the ECH configuration only as present or not.
func (pr *Printer) httpsRecords(d *trace.DNS) {
	if d.HTTPSName == "" {
		return
	}
	if len(d.HTTPS) == 0 {
		why := "none"
		if d.HTTPSErr != "" {
			why = "none (" + Safe(d.HTTPSErr) + ")"
		}
		pr.dimWrap("HTTPS", why)
		return
	}
	for _, r := range d.HTTPS {
		pr.kvParts(Indent, "HTTPS", HTTPSRecordParts(r)...)
	}
	if d.HTTPSErr != "" {
		pr.dimWrap("HTTPS", Safe(d.HTTPSErr))
	}
}

// dimWrap is KVWrap for a dim value: why a record is missing can be a
// long sentence (the wait for a slow answer).
func (pr *Printer) dimWrap(key, value string) {
	for _, l := range Wrap(value, pr.kvRoom(Indent)) {
		pr.KV(key, pr.Pal.Dim.Sprint(l))
		key = ""
	}
}

// HTTPSRecordParts is one HTTPS record in words: priority and target,
// then each parameter.
func HTTPSRecordParts(r trace.HTTPSRecord) []string {
	parts := []string{strconv.Itoa(int(r.Priority)) + " " + Safe(r.Target)}
	if r.Alias() {
		parts = append(parts, "AliasMode: use its records")
	}
	if r.Via != "" {
		parts = append(parts, "via "+Safe(r.Via))
	}
	if r.Alias() {
		return append(parts, "TTL "+strconv.FormatUint(uint64(r.TTL), 10))
	}
	if len(r.ALPN) > 0 {
		parts = append(parts, "alpn "+Safe(strings.Join(r.ALPN, ",")))
	}
	if r.NoDefaultALPN {
		parts = append(parts, "no-default-alpn")
	}
	if r.Port > 0 {
		parts = append(parts, "port "+strconv.Itoa(r.Port))
	}
	if len(r.IPv4Hint) > 0 {
		parts = append(parts, "ipv4hint "+strings.Join(r.IPv4Hint, ","))
	}
	if len(r.IPv6Hint) > 0 {
		parts = append(parts, "ipv6hint "+strings.Join(r.IPv6Hint, ","))
	}
	ech := "ECH no"
	if r.ECH {
		ech = "ECH yes"
	}
	return append(parts, ech, "TTL "+strconv.FormatUint(uint64(r.TTL), 10))
}
