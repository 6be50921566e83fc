package page

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fatih/color"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
)

// The waterfall: one row per request, its phases drawn on the page's time
// axis as DevTools' Network panel does. Each phase has its own glyph, so
// the chart reads without colour too; with colour each takes the trace
// report's hue. The columns before the bar are fixed; the URL and the bar
// share what the width leaves.
const (
	glyphQueued  = '·' // discovered, waiting for the scheduler or a free connection
	glyphDNS     = 'd'
	glyphConnect = 'c'
	glyphTLS     = 's' // TLS, or QUIC's handshake
	glyphProxy   = 'p'
	glyphWait    = '░' // request sent, waiting for the first byte
	glyphReceive = '█'
	glyphEvent   = '┆' // DOMContentLoaded and Load, where the row is empty
	glyphFailed  = '✗'

	phaseQueued = "queued"
	phaseEvent  = "event"

	minBar = 16
	// wideLayout is the width from which the start offset gets a column
	// of its own (the bar shows it anyway).
	wideLayout = 110
)

type layout struct {
	start      bool // the start column is shown
	size, conn bool // the size and connection columns are shown
	url, bar   int
	axis       time.Duration
	dcl, load  int // the events' cells, -1 when unknown
	indexWidth int
}

func (pr *printer) layoutFor(res *page.Result) layout {
	// the narrower the terminal, the fewer columns: the bar and the URL
	// stay, the size, the connection and the start offset go in turn
	l := layout{start: pr.width >= wideLayout, conn: pr.width >= 72, size: pr.width >= 64,
		indexWidth: len(fmt.Sprint(len(res.Requests) - 1))}
	fixed := len(indent) + l.indexWidth + 1 + 3 + 1 + 5 + 1
	for _, c := range []struct {
		on bool
		w  int
	}{{l.size, 10}, {l.conn, 5}, {l.start, 9}} {
		if c.on {
			fixed += c.w
		}
	}
	avail := pr.width - 1 - fixed
	l.url = min(max(avail*2/5, 12), 50)
	l.bar = avail - l.url - 1
	if l.bar < minBar {
		l.bar = max(minBar, avail*3/5)
		l.url = max(avail-l.bar-1, 6)
		l.bar = avail - l.url - 1
	}
	l.axis = res.Load
	for _, r := range res.Requests {
		l.axis = max(l.axis, r.End())
	}
	l.dcl, l.load = l.cell(res.DOMContentLoaded), l.cell(res.Load)
	return l
}

// cell is the bar cell an offset falls in; -1 for no offset.
func (l layout) cell(d time.Duration) int {
	if d <= 0 || l.axis <= 0 {
		return -1
	}
	return min(int(float64(d)/float64(l.axis)*float64(l.bar)), l.bar-1)
}

func (pr *printer) waterfall(res *page.Result, title string) {
	l := pr.layoutFor(res)
	if title != "" {
		pr.heading(title, "")
	} else {
		pr.line("")
	}
	pr.axisLine(l)
	for i, r := range res.Requests {
		pr.row(res, l, i, r)
	}
	pr.legend()
}

func (pr *printer) axisLine(l layout) {
	head := indent + render.PadLeft("#", l.indexWidth) + " " + "St " + " " + render.PadRight("Type", 5) + " "
	if l.size {
		head += render.PadLeft("Size", 9) + " "
	}
	if l.conn {
		head += "Conn "
	}
	if l.start {
		head += render.PadLeft("Start", 8) + " "
	}
	head += render.PadRight("URL", l.url) + " "
	end := render.FmtDur(l.axis)
	head += "0" + strings.Repeat(" ", max(l.bar-1-render.TextWidth(end), 1)) + end
	pr.line(pr.p.Dim.Sprint(head))
}

func (pr *printer) row(res *page.Result, l layout, i int, r page.Request) {
	status, sc := pr.statusCell(r)
	size := fmtBytes(r.TransferBytes)
	if r.Cache == page.CacheFresh {
		size = "(cache)"
	}
	conn := ""
	if h := r.Final(); h != nil && h.ConnID > 0 {
		conn = fmt.Sprintf(" #%d", h.ConnID)
		if r.NewConnection() {
			conn = fmt.Sprintf("+#%d", h.ConnID)
		}
	}
	line := indent + pr.p.Dim.Sprint(render.PadLeft(fmt.Sprint(i), l.indexWidth)) + " " +
		sc.Sprint(render.PadRight(status, 3)) + " " + render.PadRight(typeLabel(r.Type), 5) + " "
	if l.size {
		line += render.PadLeft(size, 9) + " "
	}
	if l.conn {
		line += render.PadRight(render.Cut(conn, 4), 4) + " "
	}
	if l.start {
		line += render.PadLeft(render.FmtDur(r.Start()), 8) + " "
	}
	line += render.PadRight(cutMiddle(shortURL(r.URL, res.URL), l.url), l.url) + " " + pr.bar(res, l, r)
	pr.line(line)
}

func (pr *printer) statusCell(r page.Request) (string, *color.Color) {
	switch s := r.Status(); {
	case r.Cache == page.CacheFresh:
		return "—", pr.p.Dim
	case r.Trace != nil && r.Trace.Err != nil && s == 0:
		return "ERR", pr.p.Bad
	case s == 0:
		return "—", pr.p.Dim
	default:
		return fmt.Sprint(s), pr.p.Status(s)
	}
}

type cell struct {
	glyph rune
	phase string
}

// bar draws one request on the axis: its queueing, then each hop's
// phases where they happened.
func (pr *printer) bar(res *page.Result, l layout, r page.Request) string {
	cells := make([]cell, l.bar)
	for i := range cells {
		cells[i] = cell{' ', ""}
	}
	paint := func(from, to time.Duration, g rune, phase string) {
		if l.axis <= 0 || to < from {
			return
		}
		scale := float64(l.bar) / float64(l.axis)
		a := min(max(int(float64(from)*scale), 0), l.bar-1)
		b := min(max(int(math.Ceil(float64(to)*scale)), a+1), l.bar)
		for i := a; i < b; i++ {
			cells[i] = cell{g, phase}
		}
	}
	if r.Queued > 0 {
		paint(r.Discovered, r.Start(), glyphQueued, phaseQueued)
	}
	if r.Trace != nil {
		at := r.Start()
		for j := range r.Trace.Hops {
			h := &r.Trace.Hops[j]
			off := at
			if !h.Started.IsZero() && !res.Started.IsZero() {
				off = h.Started.Sub(res.Started)
			}
			pr.paintHop(paint, h, off)
			at = off + h.Timings.Total
		}
	}
	for _, c := range []int{l.dcl, l.load} {
		if c >= 0 && cells[c].glyph == ' ' {
			cells[c] = cell{glyphEvent, phaseEvent}
		}
	}
	return pr.paintCells(cells)
}

func (pr *printer) paintHop(paint func(from, to time.Duration, g rune, phase string), h *trace.Hop, off time.Duration) {
	t := &h.Timings
	spans := []struct {
		s     *trace.Span
		g     rune
		phase string
	}{
		{t.DNS, glyphDNS, trace.PhaseDNS}, {t.Connect, glyphConnect, trace.PhaseConnect}, {t.Proxy, glyphProxy, trace.PhaseProxy},
		{t.QUIC, glyphTLS, trace.PhaseQUIC}, {t.TLS, glyphTLS, trace.PhaseTLS},
		{t.Send, glyphWait, trace.PhaseWait}, {t.Wait, glyphWait, trace.PhaseWait}, {t.Receive, glyphReceive, trace.PhaseReceive},
	}
	for _, sp := range spans {
		if sp.s != nil {
			paint(off+sp.s.Start, off+sp.s.End(), sp.g, sp.phase)
		}
	}
	if h.Err != nil {
		end := off + t.Total
		paint(end, end, glyphFailed, "failed")
	}
}

// paintCells colours runs of cells of one phase.
func (pr *printer) paintCells(cells []cell) string {
	var b strings.Builder
	for i := 0; i < len(cells); {
		j := i
		var run strings.Builder
		for j < len(cells) && cells[j].phase == cells[i].phase {
			run.WriteRune(cells[j].glyph)
			j++
		}
		b.WriteString(pr.phaseColor(cells[i].phase).Sprint(run.String()))
		i = j
	}
	return strings.TrimRight(b.String(), " ")
}

func (pr *printer) phaseColor(phase string) *color.Color {
	switch phase {
	case "", phaseQueued, phaseEvent:
		return pr.p.Dim
	case "failed":
		return pr.p.Bad
	}
	if c, ok := pr.p.Phase[phase]; ok {
		return c
	}
	return pr.p.Dim
}

// legend says what the glyphs and the columns' marks mean.
func (pr *printer) legend() {
	item := func(g rune, phase, what string) string {
		return pr.phaseColor(phase).Sprint(string(g)) + " " + what
	}
	pr.packSep([]string{
		item(glyphQueued, phaseQueued, "queued"), item(glyphDNS, trace.PhaseDNS, "DNS"), item(glyphConnect, trace.PhaseConnect, "connect"),
		item(glyphTLS, trace.PhaseTLS, "TLS/QUIC"), item(glyphWait, trace.PhaseWait, "waiting (TTFB)"), item(glyphReceive, trace.PhaseReceive, "download"),
		item(glyphEvent, phaseEvent, "DOMContentLoaded, Load"), "+#N new connection",
	}, "   ")
}

// cutMiddle shortens s to w columns by dropping its middle: a URL's host
// and its file name both matter more than the path between them.
func cutMiddle(s string, w int) string {
	if render.TextWidth(s) <= w || w < 8 {
		return render.Cut(s, w)
	}
	runes := []rune(s)
	head := (w - 1) / 3
	tail := w - 1 - head
	var h, t []rune
	for _, r := range runes {
		if render.TextWidth(string(append(h, r))) > head {
			break
		}
		h = append(h, r)
	}
	for i := len(runes) - 1; i >= 0; i-- {
		if render.TextWidth(string(runes[i]))+render.TextWidth(string(t)) > tail {
			break
		}
		t = append([]rune{runes[i]}, t...)
	}
	return string(h) + "…" + string(t)
}
