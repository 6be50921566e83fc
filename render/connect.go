package render

import (
	"strings"

	"github.com/fatih/color"

	"github.com/reqtrace/reqtrace/trace"
)

// connect shows the TCP connection: every dial when there was more than
// one (Happy Eyeballs winners and losers), and -v adds the local address.
// A single successful dial is already on the headline and the waterfall.
func (pr *Printer) connect(h *trace.Hop) {
	c := h.Connect
	if c == nil || (len(c.Attempts) <= 1 && !pr.St.Verbose && !c.Reused) {
		return
	}
	summary := []string{Safe(c.Address)}
	if pr.St.Verbose && c.Local != "" {
		summary[0] += pr.Pal.Dim.Sprint(" from " + Safe(c.Local))
	}
	if len(c.Attempts) > 1 {
		summary = append(summary, pr.Pal.Dim.Sprint("won after "+Plural(len(c.Attempts), "attempt")))
	}
	pr.Title("Connection", summary...)
	switch {
	case c.Reused && c.Transport == "udp":
		pr.Line(Indent + "reused the QUIC connection" + pr.Pal.Dim.Sprint(": no DNS and no QUIC handshake for this hop"))
	case c.Reused:
		pr.Line(Indent + "reused an idle connection" + pr.Pal.Dim.Sprint(": no DNS, TCP or TLS for this hop"))
	}
	if len(c.Attempts) == 0 {
		return
	}
	cols := []column{{head: "ADDRESS"}, {head: "START", right: true}, {head: "TIME", right: true}, {head: "RESULT", fill: true}}
	rows := make([][]string, len(c.Attempts))
	for i, a := range c.Attempts {
		result := "✓ connected"
		switch {
		case a.Err == "":
		case a.Err == "canceled":
			result = "– canceled: another address won"
		case strings.HasPrefix(a.Err, "abandoned"): // the loser of an --http3 race: not a failure
			result = "– " + Safe(a.Err)
		default:
			result = "✗ " + Safe(a.Err)
		}
		addr := Safe(a.Address)
		if a.Transport == "udp" { // an --http3 hop races QUIC and TCP
			addr += " QUIC"
		}
		rows[i] = []string{addr, fmtDur(a.Start), fmtDur(a.Duration), result}
	}
	pr.table(Indent, cols, rows, func(r, col int) *color.Color {
		if col != 3 {
			return nil
		}
		if c.Attempts[r].Err != "" {
			return pr.Pal.Dim
		}
		return pr.Pal.OK
	})
}
