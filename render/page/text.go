// Package page renders a page load (trace/page.Result): the text report
// with its waterfall (Text), the reqtrace.page/v1 document (JSON) and a
// one-page HAR (HAR). Like package render it never touches the network;
// everything the servers sent goes through render.Safe before it is
// printed.
package page

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/fatih/color"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/page/discover"
)

// Options is how the text report should look; the zero value is plain
// text, 100 columns wide.
type Options struct {
	Color   bool
	Width   int  // terminal width; 0 means 100
	Verbose bool // every request's notes, not only the warn and bad ones; findings' URLs all listed
}

const indent = "  "

// printer carries the writer, the layout and the first write error.
type printer struct {
	w     io.Writer
	opt   Options
	st    render.Style
	width int
	p     *render.Palette
	res   *page.Result
	err   error
	lines int
}

func (pr *printer) line(s string) {
	if pr.err == nil {
		_, pr.err = fmt.Fprintln(pr.w, strings.TrimRight(s, " "))
	}
	pr.lines++
}

func (pr *printer) blank() {
	if pr.lines > 0 {
		pr.line("")
	}
}

func (pr *printer) heading(name, summary string) {
	pr.blank()
	l := pr.p.Title.Sprint(name)
	if summary != "" {
		l += "  " + pr.p.Dim.Sprint(render.Cut(summary, pr.width-1-render.TextWidth(name)-2))
	}
	pr.line(l)
}

// Text writes the page report: a headline, the waterfall, the totals, the
// critical path, the findings, each request's notes (the warn and bad
// ones; all with Verbose), and the repeat view when there is one.
func Text(w io.Writer, res *page.Result, opt Options) error {
	if res == nil {
		return errNil
	}
	st := render.Style{Color: opt.Color, Width: opt.Width, Verbose: opt.Verbose}
	pr := &printer{w: w, opt: opt, st: st, width: st.LineWidth(), p: render.NewPalette(opt.Color), res: res}
	pr.headline(res)
	if len(res.Requests) > 0 {
		pr.waterfall(res, "Waterfall")
		pr.totals(res.Totals)
		pr.criticalPath(res)
		pr.findings(res)
		pr.notes(res)
	}
	pr.skipped(res.Skipped)
	if res.Repeat != nil {
		pr.repeat(res.Repeat)
	}
	if res.Err != nil {
		pr.blank()
		pr.errorLines(res.Err)
	}
	return pr.err
}

// errorLines prints render.ErrorLine's message and hint, wrapped.
func (pr *printer) errorLines(e *trace.Error) {
	for _, l := range strings.Split(render.ErrorLine(e), "\n") {
		pr.wrapped(pr.p.Bad, l, indent+"  ")
	}
}

// wrapped writes plain text in colour c, wrapped to the width, the lines
// after the first indented by hang.
func (pr *printer) wrapped(c *color.Color, s, hang string) {
	for i, l := range render.Wrap(s, pr.width-1-len(hang)) {
		if i > 0 {
			l = hang + l
		}
		pr.line(c.Sprint(l))
	}
}

func (pr *printer) headline(res *page.Result) {
	pr.line(pr.p.Title.Sprint("Page ") + render.Cut(render.Safe(res.URL), pr.width-6))
	t := res.Totals
	parts := []string{
		render.Plural(t.Requests, "request"),
		fmtBytes(t.TransferBytes) + " transferred (" + fmtBytes(t.DecodedBytes) + " decoded)",
		render.Plural(len(res.Connections), "connection"),
	}
	if res.DOMContentLoaded > 0 || res.Load > 0 {
		parts = append(parts, "DOMContentLoaded "+render.FmtDur(res.DOMContentLoaded), "Load "+render.FmtDur(res.Load))
	}
	pr.pack(parts)
}

// pack writes parts joined by " · ", wrapped to the width.
func (pr *printer) pack(parts []string) { pr.packSep(parts, " · ") }

func (pr *printer) packSep(parts []string, sep string) {
	cur := ""
	for _, p := range parts {
		if cur != "" && render.TextWidth(cur)+len(sep)+render.TextWidth(p) > pr.width-1-len(indent) {
			pr.line(indent + cur)
			cur = ""
		}
		if cur != "" {
			cur += sep
		}
		cur += p
	}
	if cur != "" {
		pr.line(indent + cur)
	}
}

// fmtBytes says a size the way DevTools does: "512 B", "12.3 KiB".
func fmtBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// shortURL is how a request's URL shows in a row: the path for the page's
// own origin, host and path for the others, made safe to print.
func shortURL(raw, pageURL string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return render.Safe(raw)
	}
	rest := u.EscapedPath()
	if rest == "" {
		rest = "/"
	}
	if u.RawQuery != "" {
		rest += "?" + u.RawQuery
	}
	if page.Origin(raw) == page.Origin(pageURL) {
		return render.Safe(rest)
	}
	host := u.Host
	if u.Scheme != "https" {
		host = u.Scheme + "://" + host
	}
	return render.Safe(host + rest)
}

// typeLabels are DevTools' short type names, for the narrow type column.
var typeLabels = map[string]string{
	discover.TypeDocument: "doc", discover.TypeStylesheet: "css", discover.TypeScript: "js",
	discover.TypeFont: "font", discover.TypeImage: "img", discover.TypeMedia: "media",
	discover.TypeIframe: "frame", discover.TypeManifest: "manif", discover.TypeOther: "other",
}

func typeLabel(t string) string {
	if l, ok := typeLabels[t]; ok {
		return l
	}
	return render.Cut(render.Safe(t), 5)
}

func (pr *printer) totals(t page.Totals) {
	pr.heading("Totals", "")
	rows := [][]string{}
	for _, s := range t.ByOrigin {
		rows = append(rows, []string{render.Safe(s.Key), fmt.Sprint(s.Requests), fmtBytes(s.TransferBytes), fmtBytes(s.DecodedBytes), fmt.Sprint(s.Connections)})
	}
	pr.table([]render.Column{{Head: "Origin", Fill: true}, {Head: "Requests", Right: true}, {Head: "Transferred", Right: true},
		{Head: "Decoded", Right: true}, {Head: "New conns", Right: true, Optional: true}}, rows)
	pr.line("")
	rows = [][]string{}
	for _, s := range t.ByType {
		rows = append(rows, []string{render.Safe(s.Key), fmt.Sprint(s.Requests), fmtBytes(s.TransferBytes), fmtBytes(s.DecodedBytes)})
	}
	pr.table([]render.Column{{Head: "Type", Fill: true}, {Head: "Requests", Right: true}, {Head: "Transferred", Right: true},
		{Head: "Decoded", Right: true}}, rows)
}

func (pr *printer) table(cols []render.Column, rows [][]string) {
	if pr.err == nil {
		pr.err = render.Table(pr.w, pr.st, indent, cols, rows, nil)
		pr.lines += len(rows) + 1
	}
}

// criticalPath lists the chain to the last render-blocking resource, each
// with when it ended: the first render cannot come before the last.
func (pr *printer) criticalPath(res *page.Result) {
	if len(res.CriticalPath) == 0 {
		return
	}
	last := res.Requests[res.CriticalPath[len(res.CriticalPath)-1]]
	pr.heading("Critical path", "the first render waits until "+render.FmtDur(last.End()))
	for n, i := range res.CriticalPath {
		r := res.Requests[i]
		lead := indent + strings.Repeat("  ", n)
		if n > 0 {
			lead = indent + strings.Repeat("  ", n-1) + "└ "
		}
		how := ""
		if n > 0 && r.Initiator.Kind != "" {
			how = " (" + render.Safe(r.Initiator.Kind)
			if r.Initiator.Line > 0 {
				how += fmt.Sprintf(", line %d", r.Initiator.Line)
			}
			how += ")"
		}
		tail := fmt.Sprintf("  %s → %s", render.FmtDur(r.Start()), render.FmtDur(r.End()))
		label := typeLabel(r.Type) + "  "
		room := pr.width - 1 - render.TextWidth(lead) - render.TextWidth(label) - render.TextWidth(tail)
		if room-render.TextWidth(how) >= 16 {
			tail += how // how it was found, when there is room for it
			room -= render.TextWidth(how)
		}
		pr.line(lead + label + render.Cut(shortURL(r.URL, res.URL), max(room, 4)) + pr.p.Dim.Sprint(tail))
	}
}

// findings prints what to fix, the worst first, each with what it would
// save and the requests it is about.
func (pr *printer) findings(res *page.Result) {
	if len(res.Findings) == 0 {
		pr.heading("Findings", "nothing to fix")
		return
	}
	pr.heading("Findings", render.Plural(len(res.Findings), "finding"))
	for _, f := range res.Findings {
		mark, c := pr.p.Level(f.Level)
		head := indent + c.Sprint(mark) + " " + pr.p.Title.Sprint(render.Cut(render.Safe(f.ID), 40))
		var saves []string
		if f.SavingsTime > 0 {
			saves = append(saves, "~"+render.FmtDur(f.SavingsTime))
		}
		if f.SavingsBytes > 0 {
			saves = append(saves, "~"+fmtBytes(f.SavingsBytes))
		}
		if len(saves) > 0 {
			head += pr.p.Dim.Sprint("  could save " + strings.Join(saves, ", "))
		}
		pr.line(head)
		lead := indent + "    "
		for _, l := range render.Wrap(render.Safe(f.Message), pr.width-1-len(lead)) {
			pr.line(lead + l)
		}
		pr.requestList(f.Requests, lead)
	}
}

// requestList names a finding's requests, five at most unless Verbose.
func (pr *printer) requestList(idx []int, lead string) {
	show := idx
	if !pr.opt.Verbose && len(show) > 5 {
		show = show[:4]
	}
	for _, i := range show {
		if i < 0 || i >= len(pr.res.Requests) {
			continue
		}
		num := fmt.Sprintf("#%d ", i)
		pr.line(lead + pr.p.Dim.Sprint(num) + render.Cut(shortURL(pr.res.Requests[i].URL, pr.res.URL), pr.width-1-len(lead)-len(num)))
	}
	if len(show) < len(idx) {
		pr.line(lead + pr.p.Dim.Sprintf("… and %d more (-v lists them all)", len(idx)-len(show)))
	}
}

// notes prints the requests' notes, from the annotations each trace
// carries: the warn and bad ones, or all with Verbose. A page repeats the
// same note on many requests (no HSTS on every asset of an origin), so
// each distinct note is printed once, with the requests it is about.
func (pr *printer) notes(res *page.Result) {
	type group struct {
		note trace.Note
		reqs []int
	}
	var groups []*group
	index := map[[2]string]*group{}
	for i, r := range res.Requests {
		if r.Trace == nil {
			continue
		}
		for _, h := range r.Trace.Hops {
			for _, n := range h.Notes {
				if !pr.opt.Verbose && n.Level != trace.LevelWarn && n.Level != trace.LevelBad {
					continue
				}
				key := [2]string{n.ID, n.Message}
				g := index[key]
				if g == nil {
					g = &group{note: n}
					index[key] = g
					groups = append(groups, g)
				}
				if !slices.Contains(g.reqs, i) {
					g.reqs = append(g.reqs, i)
				}
			}
		}
	}
	if len(groups) == 0 {
		return
	}
	sub := "the warn and bad ones, each once; -v shows all, whole"
	if pr.opt.Verbose {
		sub = "each once, with the requests it is about"
	}
	pr.heading("Notes", sub)
	lead := indent + "  "
	room := pr.width - 1 - len(lead)
	for _, g := range groups {
		mark, c := pr.p.Level(g.note.Level)
		msg := render.Safe(g.note.Message)
		if pr.opt.Verbose {
			for j, l := range render.Wrap(msg, room) {
				if j == 0 {
					pr.line(indent + c.Sprint(mark) + " " + l)
				} else {
					pr.line(lead + l)
				}
			}
		} else {
			pr.line(indent + c.Sprint(mark) + " " + render.Cut(msg, room))
		}
		pr.line(lead + pr.p.Dim.Sprint(requestNumbers(g.reqs, len(res.Requests), room)))
	}
}

// requestNumbers is "on #1 #2 #5", or "on all 15 requests", cut to room.
func requestNumbers(reqs []int, total, room int) string {
	if len(reqs) == total && total > 1 {
		return fmt.Sprintf("on all %d requests", total)
	}
	var b strings.Builder
	b.WriteString("on")
	for _, i := range reqs {
		fmt.Fprintf(&b, " #%d", i)
	}
	return render.Cut(b.String(), room)
}

func (pr *printer) skipped(sk map[string]int) {
	total := 0
	for _, n := range sk {
		total += n
	}
	if total == 0 {
		return
	}
	var parts []string
	for _, k := range []string{page.SkipMaxRequests, page.SkipOtherSite, page.SkipScheme, page.SkipDuplicate} {
		if n := sk[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	var other []string
	for k, n := range sk {
		if k != page.SkipMaxRequests && k != page.SkipOtherSite && k != page.SkipScheme && k != page.SkipDuplicate && n > 0 {
			other = append(other, fmt.Sprintf("%s %d", render.Safe(k), n))
		}
	}
	slices.Sort(other) // map order is random; the report is not
	parts = append(parts, other...)
	pr.blank()
	pr.wrapped(pr.p.Dim, fmt.Sprintf("Found but not requested: %d (%s)", total, strings.Join(parts, ", ")), "")
}

// repeat shows what a returning visitor pays: the requests the cache
// avoided, the 304s, the bytes saved, and the repeat view's waterfall.
func (pr *printer) repeat(rv *page.Result) {
	t := rv.Totals
	pr.heading("Repeat view", "the same page again, with the cache the first load built")
	parts := []string{
		fmt.Sprintf("%d from the cache without a request", t.Cached),
		fmt.Sprintf("%d revalidated (304)", t.Revalidated),
		render.Plural(t.Requests, "request") + ", " + fmtBytes(t.TransferBytes) + " transferred",
	}
	if first := pr.res.Totals.TransferBytes; first > 0 && t.SavedBytes > 0 {
		parts = append(parts, fmt.Sprintf("%s saved (%.0f%%)", fmtBytes(t.SavedBytes), float64(t.SavedBytes)*100/float64(first)))
	}
	if rv.Load > 0 {
		parts = append(parts, "Load "+render.FmtDur(rv.Load)+" (first: "+render.FmtDur(pr.res.Load)+")")
	}
	pr.pack(parts)
	if len(rv.Requests) > 0 {
		pr.waterfall(rv, "")
	}
	if rv.Err != nil {
		pr.errorLines(rv.Err)
	}
}
