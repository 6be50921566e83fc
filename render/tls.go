package render

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// tls shows the handshake's outcome, whether the server is trusted, and
// the leaf certificate (-v: every certificate, as sent).
func (pr *Printer) tls(h *trace.Hop) {
	t := h.TLS
	if t == nil {
		return
	}
	pr.Title("TLS", Safe(t.Version), Safe(t.CipherSuite))
	conn := []string{"no ALPN"}
	if t.ALPN != "" {
		conn[0] = "ALPN " + Safe(t.ALPN)
	}
	if t.Group != "" {
		conn = append(conn, Safe(t.Group))
	}
	if t.Resumed {
		conn = append(conn, "resumed session")
	} else {
		conn = append(conn, "new session")
	}
	if t.OCSPStapled {
		conn = append(conn, "OCSP stapled")
	}
	pr.kvParts(Indent, "handshake", conn...)
	if q := h.QUIC; q != nil {
		parts := []string{"QUIC " + Safe(q.Version), "RTT " + fmt.Sprintf("%.2f ms", float64(q.SmoothedRTT.Microseconds())/1000),
			fmt.Sprintf("%d packets sent, %d lost", q.PacketsSent, q.PacketsLost)}
		switch {
		case q.Used0RTT:
			parts = append(parts, "0-RTT")
		case q.Rejected0RTT:
			parts = append(parts, "0-RTT rejected (request sent again after the handshake)")
		}
		if q.Retries > 0 {
			parts = append(parts, Plural(q.Retries, "Retry packet")+" (address validation)")
		}
		pr.kvParts(Indent, "transport", parts...)
		if p := q.Peer; p != nil {
			// The server's transport parameters; the key fits the
			// column so that wrapped lines stay under the values.
			pr.kvParts(Indent, "QUIC params", QUICParamParts(p)...)
		}
	}
	if t.ServerName != "" {
		pr.KV("SNI", Safe(t.ServerName))
	}
	pr.trust(t)
	switch {
	case len(t.Certificates) == 0:
	case pr.St.Verbose:
		pr.chain(t.Certificates)
	default:
		pr.cert(t.Certificates[0], Indent, false)
	}
}

// trust says in one line whether the certificate was checked and passed.
// With -k it says so plainly, and whether it would have passed.
func (pr *Printer) trust(t *trace.TLS) {
	switch {
	case pr.res.Insecure && t.VerifyError != "":
		pr.KV("trust", pr.Pal.Warn.Sprint("⚠ certificate verification was skipped (-k)"))
		pr.KVWrap(Indent, "", "without -k it fails: "+Safe(t.VerifyError))
	case pr.res.Insecure:
		pr.kvParts(Indent, "trust", pr.Pal.Warn.Sprint("⚠ certificate verification was skipped (-k)"),
			pr.Pal.Dim.Sprint("it would have passed"))
	case t.VerifyError != "":
		pr.KVWrap(Indent, "trust", "✗ "+Safe(t.VerifyError))
	case t.Verified:
		who := ""
		if t.ServerName != "" {
			who = " for " + Safe(t.ServerName)
		}
		pr.KV("trust", pr.Pal.OK.Sprint("✓ ")+"chain verified"+who)
	}
}

// chain lists every certificate the server sent, leaf first (-v).
func (pr *Printer) chain(certs []trace.Certificate) {
	pr.KV("chain", Plural(len(certs), "certificate")+pr.Pal.Dim.Sprint(", leaf first, as sent"))
	for i, c := range certs {
		role := "leaf"
		switch {
		case c.IsCA && c.Subject == c.Issuer:
			role = "root CA"
		case c.IsCA:
			role = "intermediate CA"
		case i > 0:
			role = "not a CA"
		}
		pr.Line(Indent + pr.Pal.Dim.Sprintf("[%d] ", i) + pr.Pal.Title.Sprint(Cut(Safe(c.Subject), pr.Width-20)) + pr.Pal.Dim.Sprint("  "+role))
		pr.cert(c, Indent+"    ", true)
	}
}

// cert prints one certificate's identity and validity. The subject line
// is printed by the caller in verbose mode (it heads each chain entry).
func (pr *Printer) cert(c trace.Certificate, lead string, verbose bool) {
	room := pr.kvRoom(lead)
	if !verbose {
		pr.kvAt(lead, "certificate", Cut(Safe(c.Subject), room))
	}
	pr.kvAt(lead, "issuer", Cut(Safe(c.Issuer), room))
	names := append(append([]string{}, c.DNSNames...), c.IPAddresses...)
	switch {
	case len(names) == 0:
	case verbose:
		pr.KVWrap(lead, "names", Safe(strings.Join(names, ", ")))
	default:
		pr.kvAt(lead, "names", joinFit(names, room))
	}
	pr.kvParts(lead, "valid", pr.validity(c, verbose)...)
	if verbose {
		pr.kvParts(lead, "key", Safe(c.PublicKey), Safe(c.SignatureAlgorithm))
		if c.SerialNumber != "" {
			pr.kvAt(lead, "serial", Cut(Safe(c.SerialNumber), room))
		}
	}
}

// validity is "until 2026-04-01", "45 days left", coloured when close to
// or past expiry; -v shows both ends with times.
func (pr *Printer) validity(c trace.Certificate, verbose bool) []string {
	span := "until " + c.NotAfter.UTC().Format(time.DateOnly)
	if verbose {
		const f = "2006-01-02 15:04 MST"
		span = c.NotBefore.UTC().Format(f) + " → " + c.NotAfter.UTC().Format(f)
	}
	days, ok := daysLeft(pr.res.Started, c.NotAfter)
	switch {
	case !ok:
		return []string{span}
	case days < 0:
		return []string{span, pr.Pal.Bad.Sprint(expiredAgo(pr.res.Started, c.NotAfter))}
	case pr.res.Started.Before(c.NotBefore):
		return []string{span, pr.Pal.Bad.Sprint("not valid yet")}
	case days < 14:
		return []string{span, pr.Pal.Warn.Sprintf("%s left", Plural(days, "day"))}
	}
	return []string{span, pr.Pal.Dim.Sprint(fmtInt(int64(days)) + " days left")}
}

// daysLeft counts whole days from the trace's start to notAfter, rounding
// down, so it is negative exactly when the certificate had expired.
func daysLeft(start, notAfter time.Time) (int, bool) {
	if start.IsZero() || notAfter.IsZero() {
		return 0, false
	}
	return int(math.Floor(notAfter.Sub(start).Hours() / 24)), true
}

// joinFit joins names with ", " until the room runs out, then says how
// many more there are, so one line still shows the most useful names.
func joinFit(names []string, room int) string {
	out := ""
	for i, n := range names {
		n = Safe(n)
		more := ""
		if rest := len(names) - i - 1; rest > 0 {
			more = fmt.Sprintf(" +%d more", rest)
		}
		next := n
		if out != "" {
			next = out + ", " + n
		}
		if TextWidth(next)+TextWidth(more) > room && out != "" {
			return out + fmt.Sprintf(" +%d more", len(names)-i)
		}
		out = next
	}
	return Cut(out, room)
}

// nonEmpty drops empty strings, for joining optional parts.
func nonEmpty(parts ...string) []string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// expiredAgo says how long ago a certificate expired, in whole days
// elapsed (daysLeft rounds the other way so that it turns negative at once).
func expiredAgo(start, notAfter time.Time) string {
	days := int(start.Sub(notAfter).Hours() / 24)
	if days == 0 {
		return "expired today"
	}
	return "expired " + Plural(days, "day") + " ago"
}

// QUICParamParts are the server's QUIC transport parameters in words.
func QUICParamParts(p *trace.QUICParams) []string {
	idle := "no idle timeout"
	if p.IdleTimeout > 0 {
		idle = "idle timeout " + p.IdleTimeout.String()
	}
	dgram := "no datagrams"
	if p.MaxDatagramFrame > 0 {
		dgram = fmt.Sprintf("datagrams up to %d bytes", p.MaxDatagramFrame)
	}
	parts := []string{idle, fmt.Sprintf("%d request streams", p.MaxStreamsBidi), fmt.Sprintf("%d uni streams", p.MaxStreamsUni),
		fmt.Sprintf("window %s", sizeText(p.MaxData)), dgram}
	if p.DisableMigration {
		parts = append(parts, "no migration")
	}
	return parts
}

// sizeText is a byte count as KiB/MiB when round enough.
func sizeText(n uint64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
