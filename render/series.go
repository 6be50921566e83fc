package render

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// SeriesText writes a repeated trace (-n): the first run in full (it is the
// cold one), or every run with Verbose, then a row per run, the statistics
// per phase, cold against warm, and a sparkline of the totals.
func SeriesText(w io.Writer, ser *trace.Series, st Style) error {
	if ser == nil || len(ser.Runs) == 0 {
		_, err := fmt.Fprintln(w, "no run completed")
		return err
	}
	for i, r := range ser.Runs {
		if i > 0 && !st.Verbose {
			break
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := Text(w, r, st); err != nil {
			return err
		}
	}
	pr := NewPrinter(w, st)
	pr.lines = 1
	pr.runsTable(ser.Runs)
	pr.statsTable(ser)
	return pr.Err
}

// runsTable lists each run: status, connection, main phases and total;
// a PROXY column when a run went through a proxy.
func (pr *Printer) runsTable(runs []*trace.Result) {
	pr.Title("Runs", Plural(len(runs), "run"))
	keys := []string{trace.PhaseDNS, trace.PhaseConnect, trace.PhaseTLS, trace.PhaseWait}
	if slices.ContainsFunc(runs, func(r *trace.Result) bool { return runPhases(r)[trace.PhaseProxy] != "—" }) {
		keys = slices.Insert(keys, 2, trace.PhaseProxy)
	}
	if slices.ContainsFunc(runs, func(r *trace.Result) bool { return runPhases(r)[trace.PhaseQUIC] != "—" }) {
		keys = slices.Insert(keys, len(keys)-1, trace.PhaseQUIC) // HTTP/3's handshake, before the wait
	}
	cols := []column{{head: "#", right: true}, {head: "STATUS"}, {head: "CONNECTION"}}
	for _, k := range keys {
		cols = append(cols, column{head: strings.ToUpper(k), right: true})
	}
	cols = append(cols, column{head: "TOTAL", right: true})
	rows := make([][]string, len(runs))
	for i, r := range runs {
		ph := runPhases(r)
		rows[i] = []string{strconv.Itoa(i + 1), runStatus(r), runConn(r)}
		for _, k := range keys {
			rows[i] = append(rows[i], ph[k])
		}
		rows[i] = append(rows[i], ph["total"])
	}
	pr.table(Indent, cols, rows, nil)
}

// runPhases formats a run's phases, summed over its hops, "—" if absent.
func runPhases(r *trace.Result) map[string]string {
	sums := map[string]time.Duration{}
	seen := map[string]bool{}
	var total time.Duration
	for _, h := range r.Hops {
		for _, row := range phaseRows(&h.Timings) {
			if row.span != nil {
				sums[row.key] += row.span.Duration
				seen[row.key] = true
			}
		}
		total += h.Timings.Total
	}
	out := map[string]string{"total": fmtDur(total)}
	for _, k := range []string{trace.PhaseDNS, trace.PhaseConnect, trace.PhaseProxy, trace.PhaseTLS, trace.PhaseQUIC, trace.PhaseWait} {
		out[k] = "—"
		if seen[k] {
			out[k] = fmtDur(sums[k])
		}
	}
	return out
}

func runStatus(r *trace.Result) string {
	switch {
	case r.Err != nil:
		return "✗ " + r.Err.Kind
	case len(r.Hops) == 0 || r.Hops[len(r.Hops)-1].Response == nil:
		return "—"
	}
	return strconv.Itoa(r.Hops[len(r.Hops)-1].Response.Status)
}

// runConn is the run's first connection, and whether a new one resumed
// an earlier TLS session (--fresh does, unless --no-sessionid).
func runConn(r *trace.Result) string {
	if len(r.Hops) == 0 {
		return "—"
	}
	h := &r.Hops[0]
	if h.TLS != nil && h.TLS.Resumed && h.Connect != nil && !h.Connect.Reused {
		return connLabel(h) + ", TLS resumed"
	}
	return connLabel(h)
}

// statsTable prints min, median, p95 and max per phase, cold against warm,
// and the totals as a sparkline.
func (pr *Printer) statsTable(ser *trace.Series) {
	s := ser.Stats
	summary := []string{Plural(s.Runs, "run")}
	if s.Failed > 0 {
		summary = append(summary, pr.Pal.Bad.Sprintf("%d failed", s.Failed))
	}
	if ser.Interrupted {
		summary = append(summary, pr.Pal.Warn.Sprint("interrupted"))
	}
	pr.Title("Statistics", summary...)
	cols := []column{{head: "PHASE"}, {head: "N", right: true}, {head: "MIN", right: true},
		{head: "MEDIAN", right: true}, {head: "P95", right: true}, {head: "MAX", right: true}}
	var rows [][]string
	for _, ps := range s.Phases {
		if ps.N == 0 {
			continue
		}
		rows = append(rows, statsRow(phaseLabel(ps.Phase), ps))
	}
	for _, ps := range []trace.PhaseStats{s.Cold, s.Warm} {
		if ps.N > 0 && s.Cold.N > 0 && s.Warm.N > 0 {
			rows = append(rows, statsRow(map[string]string{"cold": "total, new conn", "warm": "total, reused"}[ps.Phase], ps))
		}
	}
	pr.table(Indent, cols, rows, nil)
	if total := s.Phases[len(s.Phases)-1]; total.N > 1 {
		pr.Line(Indent + pr.Pal.Dim.Sprint("totals  ") + sparkline(total.Values, pr.Width-len(Indent)-10) +
			pr.Pal.Dim.Sprint("  "+fmtDur(total.Min)+" … "+fmtDur(total.Max)))
	}
}

func statsRow(label string, ps trace.PhaseStats) []string {
	return []string{label, strconv.Itoa(ps.N), fmtDur(ps.Min), fmtDur(ps.Median), fmtDur(ps.P95), fmtDur(ps.Max)}
}

func phaseLabel(key string) string {
	// every row: the proxy's, and HTTP/3's in place of TCP's and TLS's
	for _, t := range []*trace.Timings{{Proxy: &trace.Span{}}, {QUIC: &trace.Span{}}} {
		for _, r := range phaseRows(t) {
			if r.key == key {
				return r.label
			}
		}
	}
	return "Total"
}

// sparkline draws values, one character each (the last room ones when
// there are more), scaled from the smallest to the largest.
func sparkline(values []time.Duration, room int) string {
	const ticks = "▁▂▃▄▅▆▇█"
	levels := []rune(ticks)
	if room < 1 {
		return ""
	}
	if len(values) > room {
		values = values[len(values)-room:]
	}
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	var b strings.Builder
	for _, v := range values {
		i := 0
		if hi > lo {
			i = int(float64(v-lo) / float64(hi-lo) * float64(len(levels)-1))
		}
		b.WriteRune(levels[i])
	}
	return b.String()
}

// wireSeries is the -n JSON document: the first run's trace document (so
// readers of a single trace keep working), every run, and the statistics.
type wireSeries struct {
	wireResult
	Runs  []wireResult `json:"runs"`
	Stats wireStats    `json:"stats"`
}

type wireStats struct {
	Runs        int                       `json:"runs"`
	Failed      int                       `json:"failed"`
	Interrupted bool                      `json:"interrupted"`
	Phases      map[string]*wirePhaseStat `json:"phases"`
	Cold        *wirePhaseStat            `json:"cold"`
	Warm        *wirePhaseStat            `json:"warm"`
}

type wirePhaseStat struct {
	N        int     `json:"n"`
	MinMS    float64 `json:"min_ms"`
	MedianMS float64 `json:"median_ms"`
	P95MS    float64 `json:"p95_ms"`
	MaxMS    float64 `json:"max_ms"`
	MeanMS   float64 `json:"mean_ms"`
}

// SeriesJSON writes a repeated trace as one JSON document.
func SeriesJSON(w io.Writer, ser *trace.Series) error {
	if ser == nil || len(ser.Runs) == 0 {
		return ErrNilResult
	}
	doc := wireSeries{wireResult: toWire(ser.Runs[0])}
	for _, r := range ser.Runs {
		doc.Runs = append(doc.Runs, toWire(r))
	}
	s := ser.Stats
	doc.Stats = wireStats{Runs: s.Runs, Failed: s.Failed, Interrupted: ser.Interrupted,
		Phases: map[string]*wirePhaseStat{}, Cold: wireStat(s.Cold), Warm: wireStat(s.Warm)}
	for _, ps := range s.Phases {
		doc.Stats.Phases[ps.Phase] = wireStat(ps)
	}
	return WriteJSON(w, doc)
}

func wireStat(ps trace.PhaseStats) *wirePhaseStat {
	if ps.N == 0 {
		return nil
	}
	return &wirePhaseStat{N: ps.N, MinMS: Millis(ps.Min), MedianMS: Millis(ps.Median), P95MS: Millis(ps.P95), MaxMS: Millis(ps.Max), MeanMS: Millis(ps.Mean)}
}
