package render

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// The waterfall's columns: label, duration, share, then the bar, which
// takes whatever width is left. The label column fits "Content download"
// plus a footnote marker.
const (
	labelCol  = 17
	durCol    = 8
	shareCol  = 4
	barPrefix = len(Indent) + labelCol + 1 + durCol + 2 + shareCol + 2
	minBar    = 12
	failMark  = " ✗" // after the bar of the phase that failed
)

// phaseRow is one waterfall row: the phase key, its DevTools-style label
// and its span (nil when the phase did not happen).
type phaseRow struct {
	key   string
	label string
	span  *trace.Span
}

func phaseRows(t *trace.Timings) []phaseRow {
	rows := []phaseRow{
		{trace.PhaseDNS, "DNS lookup", t.DNS},
		{trace.PhaseConnect, "TCP connect", t.Connect},
		{trace.PhaseTLS, "TLS handshake", t.TLS},
		{trace.PhaseSend, "Request sent", t.Send},
		{trace.PhaseWait, "Waiting (TTFB)", t.Wait},
		{trace.PhaseReceive, "Content download", t.Receive},
	}
	if t.Proxy != nil { // DevTools' "Proxy negotiation": CONNECT, a SOCKS5 handshake, or TLS with the proxy
		rows = slices.Insert(rows, 2, phaseRow{trace.PhaseProxy, "Proxy handshake", t.Proxy})
	}
	if _, reused := t.Skipped[trace.PhaseQUIC]; t.QUIC != nil || reused { // HTTP/3: one handshake stands for TCP's and TLS's
		rows = slices.Replace(rows, 1, 3, phaseRow{trace.PhaseQUIC, "QUIC handshake", t.QUIC})
	}
	return rows
}

// superscripts mark footnotes; six phases never need more.
var superscripts = []string{"¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"}

// footnotes numbers skip reasons in order of appearance; phases skipped for
// the same reason (a reused connection skips three) share one note.
type footnotes struct {
	reasons []string
	phases  [][]string
}

func (f *footnotes) mark(reason, label string) string {
	for i, r := range f.reasons {
		if r == reason {
			f.phases[i] = append(f.phases[i], label)
			return superscripts[i]
		}
	}
	f.reasons = append(f.reasons, reason)
	f.phases = append(f.phases, []string{label})
	return superscripts[min(len(f.reasons), len(superscripts))-1]
}

// waterfall answers "where did the time go": one row per phase placed on a
// shared time axis, so gaps and overlaps show, then the total and the same
// numbers in curl -w terms.
func (pr *Printer) waterfall(h *trace.Hop) {
	t := &h.Timings
	rows := phaseRows(t)
	if f := h.Fallback; f != nil && f.Span != nil && t.QUIC == nil {
		// --http3's QUIC attempt ran alongside TCP, or before it: it is
		// where the time before TCP's connect went.
		rows = slices.Insert(rows, 1, phaseRow{trace.PhaseQUIC, "QUIC attempt", f.Span})
	}
	if !anySpan(rows) && t.Total == 0 {
		return // nothing was measured: an empty chart says nothing
	}
	axis := axisLength(t, rows)
	bar := max(pr.Width-barPrefix-len(failMark)-1, minBar)
	failed := ""
	if h.Err != nil {
		failed = h.Err.Phase
	}

	pr.Blank()
	pr.axisLine(axis, bar)
	var notes footnotes
	for _, row := range rows {
		pr.phaseLine(row, t, axis, bar, failed == row.key, &notes)
		if row.key == trace.PhaseWait && row.span != nil && h.Response != nil {
			pr.serverTiming(h.Response.ServerTiming, *row.span, axis, bar)
		}
	}
	pr.totalLine(t.Total, bar)
	for i, reason := range notes.reasons {
		who := strings.Join(notes.phases[i], ", ")
		note := superscripts[min(i, len(superscripts)-1)] + " " + who + ": skipped, " + Safe(reason)
		for _, l := range Wrap(note, pr.Width-len(Indent)-2) {
			pr.Line(Indent + pr.Pal.Dim.Sprint(l))
		}
	}
	pr.curlLine(h)
}

func anySpan(rows []phaseRow) bool {
	for _, r := range rows {
		if r.span != nil {
			return true
		}
	}
	return false
}

// axisLength is the time the bars are scaled to: the hop's total, or the
// latest phase end if a phase outlived it (it should not, but a bar must
// never run off the axis).
func axisLength(t *trace.Timings, rows []phaseRow) time.Duration {
	axis := t.Total
	for _, r := range rows {
		if r.span != nil && r.span.End() > axis {
			axis = r.span.End()
		}
	}
	return axis
}

// axisLine labels the two ends of the time axis above the bars.
func (pr *Printer) axisLine(axis time.Duration, bar int) {
	left, right := "0", fmtDur(axis)
	gap := max(bar-len(left)-TextWidth(right), 1)
	pr.Line(strings.Repeat(" ", barPrefix) + pr.Pal.Dim.Sprint(left+strings.Repeat(" ", gap)+right))
}

func (pr *Printer) phaseLine(row phaseRow, t *trace.Timings, axis time.Duration, bar int, failed bool, notes *footnotes) {
	label := row.label
	if row.span == nil {
		if reason, ok := t.Skipped[row.key]; ok {
			label += notes.mark(reason, phaseTitle(row.key))
		}
	}
	line := Indent + PadRight(label, labelCol) + " "
	switch {
	case row.span != nil:
		c := pr.Pal.Phase[row.key]
		if failed {
			c = pr.Pal.Bad
		}
		line += padLeft(fmtDur(row.span.Duration), durCol) + "  " +
			padLeft(fmtShare(row.span.Duration, t.Total), shareCol) + "  " +
			c.Sprint(drawBar(*row.span, axis, bar))
		if failed {
			line += pr.Pal.Bad.Sprint(failMark)
		}
	case failed:
		line += padLeft("—", durCol) + strings.Repeat(" ", 2+shareCol+2) + pr.Pal.Bad.Sprint("✗ failed here")
	default:
		line += pr.Pal.Dim.Sprint(padLeft("—", durCol))
	}
	pr.Line(line)
}

// serverTiming shows the Server-Timing metrics inside the wait phase: the
// server's own account of where its think time went. The server gives
// durations, not offsets, so each bar starts where the wait does.
func (pr *Printer) serverTiming(ms []trace.ServerTiming, wait trace.Span, axis time.Duration, bar int) {
	for _, m := range ms {
		label := "  ↳ " + Cut(Safe(m.Name), labelCol-4)
		line := Indent + pr.Pal.Dim.Sprint(PadRight(label, labelCol)) + " "
		switch {
		case m.HasDuration && m.Duration > wait.Duration:
			// Longer than the wait it is part of: not drawn past it, and
			// flagged (a timing note says why it cannot be).
			line += pr.Pal.Dim.Sprint(padLeft(fmtDur(m.Duration), durCol)+"  ") + pr.Pal.Warn.Sprint(padLeft(">", shareCol)) + "  " +
				pr.Pal.Phase[trace.PhaseWait].Sprint(drawBar(wait, axis, bar)) + pr.Pal.Warn.Sprint(" ⚠ longer than the wait")
		case m.HasDuration:
			line += pr.Pal.Dim.Sprint(padLeft(fmtDur(m.Duration), durCol)+"  "+padLeft(fmtShare(m.Duration, wait.Duration), shareCol)) + "  " +
				pr.Pal.Phase[trace.PhaseWait].Sprint(drawBar(trace.Span{Start: wait.Start, Duration: m.Duration}, axis, bar))
		default:
			line += pr.Pal.Dim.Sprint(padLeft("·", durCol))
		}
		if m.Description != "" {
			room := pr.Width - 1 - TextWidth(line) - 2
			if room > 8 {
				line += "  " + pr.Pal.Dim.Sprint(Cut(Safe(m.Description), room))
			}
		}
		pr.Line(line)
	}
}

// totalLine closes the waterfall with the hop's duration under a rule that
// spans the whole axis.
func (pr *Printer) totalLine(total time.Duration, bar int) {
	line := Indent + pr.Pal.Title.Sprint(PadRight("Total", labelCol)) + " " +
		pr.Pal.Title.Sprint(padLeft(fmtDur(total), durCol)) + "  " +
		padLeft("100%", shareCol) + "  " +
		pr.Pal.Dim.Sprint("└"+strings.Repeat("─", bar-2)+"┘")
	pr.Line(line)
}

// drawBar places a span on an axis of n cells: blanks up to its start,
// then blocks to its end. A span shorter than half a cell is drawn as a
// thin sliver so it is visible without overstating it.
func drawBar(s trace.Span, axis time.Duration, n int) string {
	if axis <= 0 {
		return "▏"
	}
	scale := float64(n) / float64(axis)
	a, b := float64(s.Start)*scale, float64(s.End())*scale
	from := min(max(int(math.Round(a)), 0), n-1)
	if b-a < 0.5 {
		return strings.Repeat(" ", min(max(int(a), 0), n-1)) + "▏"
	}
	to := min(max(int(math.Round(b)), from+1), n)
	return strings.Repeat(" ", from) + strings.Repeat("█", to-from)
}

// curlLine repeats the timings in curl -w's cumulative vocabulary
// (seconds since the start), for users comparing with curl.
func (pr *Printer) curlLine(h *trace.Hop) {
	if h.Response == nil {
		return // curl's numbers only mean something for a completed exchange
	}
	var words []string
	for _, it := range curlTimes(&h.Timings) {
		words = append(words, it.name+" "+it.value)
	}
	lead := Indent + "curl -w  "
	for i, l := range Pack(words, "  ", pr.Width-1-len(lead)) {
		prefix := pr.Pal.Dim.Sprint(lead)
		if i > 0 {
			prefix = strings.Repeat(" ", len(lead))
		}
		pr.Line(prefix + l)
	}
}

type curlTime struct{ name, value string }

// curlTimes maps our spans onto curl's cumulative timers (write-out.md):
// namelookup ⊂ connect ⊂ appconnect ⊂ pretransfer ⊂ starttransfer ⊂ total.
// Like curl, appconnect is 0 without TLS.
func curlTimes(t *trace.Timings) []curlTime {
	var lookup, connect, app, pre, start time.Duration
	if t.DNS != nil {
		lookup = t.DNS.End()
	}
	connect = lookup
	if t.Connect != nil {
		connect = t.Connect.End()
	}
	pre = connect
	if t.TLS != nil {
		app = t.TLS.End()
		pre = app
	}
	if t.QUIC != nil { // curl's HTTP/3: connect and appconnect both end with the QUIC handshake
		connect, app, pre = t.QUIC.End(), t.QUIC.End(), t.QUIC.End()
	}
	if t.Send != nil {
		pre = t.Send.Start
	}
	if t.Wait != nil {
		start = t.Wait.End()
	}
	return []curlTime{
		{"namelookup", fmtSeconds(lookup)},
		{"connect", fmtSeconds(connect)},
		{"appconnect", fmtSeconds(app)},
		{"pretransfer", fmtSeconds(pre)},
		{"starttransfer", fmtSeconds(start)},
		{"total", fmtSeconds(t.Total)},
	}
}
