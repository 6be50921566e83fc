// Package compare renders a protocol comparison (trace.Comparison, from
// --compare-protocols): the text report, the phases of HTTP/1.1, HTTP/2
// and HTTP/3 side by side with what QUIC saved (Text), and the
// reqtrace.compare/v1 document (JSON). Like package render it never
// touches the network.
package compare

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fatih/color"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
)

// columns are the table's phases, in wire order; setup sums TCP, proxy,
// TLS and QUIC, what HTTP/3 exists to cut.
var columns = []struct{ key, head string }{
	{trace.PhaseDNS, "DNS"},
	{trace.PhaseConnect, "TCP"},
	{trace.PhaseTLS, "TLS"},
	{trace.PhaseQUIC, "QUIC"},
	{"setup", "SETUP"},
	{trace.PhaseWait, "WAIT"},
	{trace.PhaseReceive, "DOWNLOAD"},
	{"total", "TOTAL"},
}

// Text writes the comparison: a table of each protocol's phases (medians
// over the rounds), a timeline drawn to one scale, what QUIC saved, and
// each failed protocol's error.
func Text(w io.Writer, c *trace.Comparison, st render.Style) error {
	if c == nil {
		return errNil
	}
	pr := render.NewPrinter(w, st)
	pr.Title("Protocol comparison", render.Safe(c.URL), roundsLabel(c), "fresh connections")
	if c.Rounds == 0 {
		pr.Line(render.Indent + "no round completed")
		return pr.Err
	}
	table(pr, c)
	timeline(pr, c)
	saving(pr, c)
	for i := range c.Protocols {
		p := &c.Protocols[i]
		if e := p.Err(); e != nil {
			pr.ErrorBlockTitled(p.Asked+" failed", e)
		}
	}
	return pr.Err
}

func roundsLabel(c *trace.Comparison) string {
	s := render.Plural(c.Rounds, "round")
	if c.Rounds > 1 {
		s += ", medians"
	}
	if c.Interrupted {
		s += ", interrupted"
	}
	return s
}

// compact are the columns kept on a narrow terminal.
var compact = []struct{ key, head string }{{"setup", "SETUP"}, {trace.PhaseWait, "WAIT"}, {"total", "TOTAL"}}

// cells are the table's rows with the phase columns given, and their heads.
func cells(c *trace.Comparison, phases []struct{ key, head string }) ([][]string, []string) {
	var heads []string
	for _, col := range phases {
		heads = append(heads, col.head)
	}
	rows := make([][]string, len(c.Protocols))
	for i := range c.Protocols {
		p := &c.Protocols[i]
		rows[i] = []string{protoLabel(p), status(p)}
		for _, col := range phases {
			cell := "—"
			if d, ok := median(p, col.key); ok {
				cell = render.FmtDur(d)
			}
			rows[i] = append(rows[i], cell)
		}
	}
	return rows, heads
}

// width is the table's width: its widest cell per column, and gutters.
func width(rows [][]string, heads []string) int {
	w := make([]int, len(heads)+2)
	w[0], w[1] = len("PROTOCOL"), len("STATUS")
	for i, h := range heads {
		w[i+2] = len(h)
	}
	sum := 2 * (len(w) - 1)
	for i := range w {
		for _, r := range rows {
			w[i] = max(w[i], render.TextWidth(r[i]))
		}
		sum += w[i]
	}
	return sum
}

// median is a phase's median over a protocol's runs, false when no run
// had the phase.
func median(p *trace.ProtocolRuns, key string) (time.Duration, bool) {
	ps := p.Setup
	if key != "setup" {
		ps = p.Stats.Phase(key)
	}
	return ps.Median, ps.N > 0
}

func table(pr *render.Printer, c *trace.Comparison) {
	rows, heads := cells(c, columns)
	if width(rows, heads) > pr.Width-1-len(render.Indent) {
		rows, heads = cells(c, compact) // SETUP stands for TCP, TLS and QUIC
	}
	cols := []render.Column{{Head: "PROTOCOL"}, {Head: "STATUS"}}
	for _, h := range heads {
		cols = append(cols, render.Column{Head: h, Right: true})
	}
	pal := pr.Pal
	pr.Table(render.Indent, cols, rows, func(row, col int) *color.Color {
		switch {
		case col == 1 && c.Protocols[row].Err() != nil:
			return pal.Bad
		case col == 1:
			return pal.Status(lastStatus(&c.Protocols[row]))
		case cols[col].Head == "SETUP":
			return pal.Title
		}
		return nil
	})
}

// protoLabel is what was asked for, and what the server spoke when that
// differs (an HTTP/2 row on a server without h2).
func protoLabel(p *trace.ProtocolRuns) string {
	spoke := strings.TrimSuffix(p.Proto(), ".0")
	if spoke == "" || spoke == p.Asked {
		return p.Asked
	}
	return p.Asked + " → " + render.Safe(spoke)
}

func lastStatus(p *trace.ProtocolRuns) int {
	r := p.Runs[len(p.Runs)-1]
	if len(r.Hops) == 0 || r.Hops[len(r.Hops)-1].Response == nil {
		return 0
	}
	return r.Hops[len(r.Hops)-1].Response.Status
}

func status(p *trace.ProtocolRuns) string {
	s := "✗ " + render.Safe(kindOf(p.Err()))
	if p.Err() == nil {
		s = strconv.Itoa(lastStatus(p))
	}
	if f := p.Stats.Failed; f > 0 && f < len(p.Runs) {
		s += fmt.Sprintf(" (%d/%d failed)", f, len(p.Runs))
	}
	return s
}

func kindOf(e *trace.Error) string {
	if e == nil {
		return ""
	}
	return e.Kind
}

// segments are the timeline's parts: each glyph stands for a phase even
// without colour.
var segments = []struct {
	keys  []string
	glyph string
	name  string
}{
	{[]string{trace.PhaseDNS}, "░", "DNS"},
	{[]string{trace.PhaseConnect, trace.PhaseProxy}, "▒", "TCP"},
	{[]string{trace.PhaseTLS, trace.PhaseQUIC}, "▓", "TLS or QUIC"},
	{[]string{trace.PhaseSend, trace.PhaseWait}, "█", "request and wait"},
	{[]string{trace.PhaseReceive}, "▬", "download"},
}

// timeline draws each protocol's median phases end to end on one scale,
// so the rows' lengths compare at a glance.
func timeline(pr *render.Printer, c *trace.Comparison) {
	const labelCol = 10
	spans := make([][]time.Duration, len(c.Protocols))
	var longest time.Duration
	for i := range c.Protocols {
		if failedAll(&c.Protocols[i]) {
			continue // its phases end in a failure: no row to compare
		}
		var sum time.Duration
		for _, sg := range segments {
			var d time.Duration
			for _, k := range sg.keys {
				m, _ := median(&c.Protocols[i], k)
				d += m
			}
			spans[i] = append(spans[i], d)
			sum += d
		}
		longest = max(longest, sum)
	}
	if longest <= 0 {
		return
	}
	room := max(pr.Width-1-len(render.Indent)-labelCol-len("  1234.5 ms"), 10)
	pr.Blank()
	for i := range c.Protocols {
		label := render.Indent + render.PadRight(c.Protocols[i].Asked, labelCol)
		if failedAll(&c.Protocols[i]) {
			pr.Line(label + pr.Pal.Bad.Sprint("✗ failed"))
			continue
		}
		var bar strings.Builder
		var sum time.Duration
		for j, d := range spans[i] {
			n := cellsOf(sum+d, longest, room) - cellsOf(sum, longest, room)
			if d > 0 && n == 0 && j != 3 { // a phase that happened stays visible...
				n = 1 // ...except a hair of request time inside the wait
			}
			bar.WriteString(phaseColor(pr, segments[j].keys).Sprint(strings.Repeat(segments[j].glyph, n)))
			sum += d
		}
		total, _ := median(&c.Protocols[i], "total")
		pr.Line(label + bar.String() + "  " + pr.Pal.Dim.Sprint(render.FmtDur(total)))
	}
	var legend []string
	for _, sg := range segments {
		legend = append(legend, phaseColor(pr, sg.keys).Sprint(sg.glyph)+" "+sg.name)
	}
	for _, l := range render.Pack(legend, "  ", pr.Width-1-len(render.Indent)-labelCol) {
		pr.Line(render.Indent + strings.Repeat(" ", labelCol) + pr.Pal.Dim.Sprint(l))
	}
}

func failedAll(p *trace.ProtocolRuns) bool { return p.Stats.Failed == p.Stats.Runs }

func cellsOf(d, axis time.Duration, room int) int {
	return int(math.Round(float64(d) / float64(axis) * float64(room)))
}

func phaseColor(pr *render.Printer, keys []string) *color.Color {
	if c, ok := pr.Pal.Phase[keys[0]]; ok {
		return c
	}
	return pr.Pal.Dim
}

// saving says what the QUIC handshake saved against TCP and TLS, and why:
// QUIC needs one round trip before the request goes, TCP and TLS 1.3 two.
// On loopback a round trip is next to nothing, so what is left is the
// handshakes' own work, where QUIC in user space may well lose; the report
// says so rather than let a small figure pass for QUIC's worth on a real
// path.
func saving(pr *render.Printer, c *trace.Comparison) {
	saved, ok := c.QUICSaving()
	if !ok {
		return
	}
	h2 := c.Protocol("HTTP/2")
	var text string
	if saved > 0 {
		text = fmt.Sprintf("saved %s of connection setup (%.0f%% of TCP and TLS's %s).", render.FmtDur(saved),
			100*float64(saved)/float64(max(h2.Setup.Median, 1)), render.FmtDur(h2.Setup.Median))
	} else {
		text = fmt.Sprintf("took %s longer to set up than TCP and TLS (%s).", render.FmtDur(-saved), render.FmtDur(h2.Setup.Median))
	}
	text += " QUIC needs one round trip before the request can go, TCP and TLS 1.3 two."
	switch rtt := minRTT(c); {
	case rtt <= 0:
	case rtt < time.Millisecond:
		text += fmt.Sprintf(" Here a round trip is %s (QUIC's smallest RTT), so the difference is the handshakes' own work; "+
			"on a path with a 50 ms round trip QUIC would come out about 50 ms ahead of that.", render.FmtDur(rtt))
	default:
		text += fmt.Sprintf(" Here a round trip is %s (QUIC's smallest RTT): %.1f round trips.", render.FmtDur(rtt), float64(saved)/float64(rtt))
	}
	pr.Blank()
	pr.Para("QUIC", text)
}

// minRTT is the smallest round trip QUIC measured over the HTTP/3 runs.
func minRTT(c *trace.Comparison) time.Duration {
	var best time.Duration
	for _, p := range c.Protocols {
		for _, r := range p.Runs {
			for _, h := range r.Hops {
				if h.QUIC != nil && h.QUIC.MinRTT > 0 && (best == 0 || h.QUIC.MinRTT < best) {
					best = h.QUIC.MinRTT
				}
			}
		}
	}
	return best
}
