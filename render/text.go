package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fatih/color"

	"github.com/reqtrace/reqtrace/trace"
)

// Text writes the human report: for each hop a headline, the timing
// waterfall, what the server said (status, meaning, headers, body), the
// TLS, DNS and connection details, and the error if the hop failed.
// Every server- or DNS-controlled string goes through Safe first.
func Text(w io.Writer, r *trace.Result, st Style) error {
	if r == nil {
		return ErrNilResult
	}
	pr := NewPrinter(w, st)
	pr.res = r
	for i := range r.Hops {
		if i > 0 {
			pr.Blank()
		}
		pr.hop(i, &r.Hops[i])
	}
	if len(r.Hops) > 1 {
		pr.redirects()
	}
	pr.retries()
	pr.revalidation()
	if pr.notesCut {
		pr.Blank()
		pr.Line(pr.Pal.Dim.Sprint("Notes are cut to the width; -v shows them whole."))
	}
	pr.finalError()
	return pr.Err
}

// Printer carries the writer, the style and the first write error, so the
// section functions can stay short and error-free.
type Printer struct {
	w     io.Writer
	St    Style
	Width int
	Pal   *Palette
	res   *trace.Result
	Err   error
	lines int // lines written so far: no blank line before the first
	// notesCut is set when a note was cut to the width (-v wraps them).
	notesCut bool
}

// NewPrinter starts a report on w in style st; the report packages
// (corsreport) write their sections with its methods.
func NewPrinter(w io.Writer, st Style) *Printer {
	return &Printer{w: w, St: st, Width: st.LineWidth(), Pal: NewPalette(st.Color)}
}

// Indent is the left margin of everything below a section title; keyCol
// is the key column of the "key  value" blocks (TLS, certificate, DNS).
const (
	Indent = "  "
	KeyCol = 11
)

func (pr *Printer) Printf(format string, args ...any) {
	if pr.Err == nil {
		_, pr.Err = fmt.Fprintf(pr.w, format, args...)
	}
}

// line writes one line, dropping trailing blanks so output diffs cleanly.
func (pr *Printer) Line(s string) {
	pr.Printf("%s\n", strings.TrimRight(s, " "))
	pr.lines++
}

// blank separates sections; it is dropped at the very top of the output.
func (pr *Printer) Blank() {
	if pr.lines > 0 {
		pr.Line("")
	}
}

// title starts a section: a blank line and the name in bold, then an
// optional summary on the same line, its parts joined by " · " and
// continued under the summary when they do not fit.
func (pr *Printer) Title(name string, summary ...string) {
	pr.Heading(pr.Pal.Title.Sprint(name), summary...)
}

// heading is title with the name already painted (the error block's is red).
func (pr *Printer) Heading(name string, summary ...string) {
	pr.Blank()
	summary = nonEmpty(summary...)
	if len(summary) == 0 {
		pr.Line(name)
		return
	}
	lead := name + "  "
	for _, l := range Pack(summary, pr.Pal.Dim.Sprint(" · "), pr.Width-1-TextWidth(lead)) {
		pr.Line(lead + l)
		lead = strings.Repeat(" ", TextWidth(lead))
	}
}

// Para prints "key  text" with the text wrapped under itself; with no
// key, a plain indented paragraph.
func (pr *Printer) Para(key, text string) {
	if text == "" {
		return
	}
	pad := 0
	if key != "" {
		pad = max(KeyCol+1, TextWidth(key)+2)
	}
	for i, l := range Wrap(text, pr.Width-len(Indent)-pad) {
		k := ""
		if i == 0 && key != "" {
			k = pr.Pal.Name.Sprint(key)
		}
		pr.Line(Indent + PadRight(k, pad) + l)
	}
}

// kv prints an indented "key  value" line with the key dimmed and padded,
// the layout used by the TLS, certificate and DNS blocks.
func (pr *Printer) KV(key, value string) { pr.kvAt(Indent, key, value) }

// kvAt is kv with another left margin (certificates of the chain nest).
func (pr *Printer) kvAt(lead, key, value string) {
	pr.Line(lead + pr.Pal.Dim.Sprint(PadRight(key, KeyCol)) + "  " + value)
}

// kvRoom is the room for a kv value before the right margin.
func (pr *Printer) kvRoom(lead string) int { return pr.Width - len(lead) - KeyCol - 3 }

// kvWrap is kv for long plain values: it wraps under the value column.
func (pr *Printer) KVWrap(lead, key, value string) {
	for _, l := range Wrap(value, pr.kvRoom(lead)) {
		pr.kvAt(lead, key, l)
		key = ""
	}
}

// fallback says why a hop that was to try HTTP/3 went over TCP, and what
// its QUIC attempt ran into: kind, message and hint, as an error's.
func (pr *Printer) fallback(f *trace.Fallback) {
	if f == nil {
		return
	}
	for i, l := range Wrap(Safe(f.Message), pr.Width-len(Indent)-2) {
		lead := "⚠ "
		if i > 0 {
			lead = "  "
		}
		pr.Line(Indent + pr.Pal.Warn.Sprint(lead+l))
	}
	e := f.Err
	if e == nil {
		return
	}
	in := Indent + "  "
	for i, l := range Wrap(Safe(e.Message), pr.Width-len(in)-len(e.Kind)-3) {
		if i == 0 {
			l = pr.Pal.Dim.Sprint(Safe(e.Kind)+" · ") + l
		}
		pr.Line(in + l)
	}
	pr.hint(in, e.Hint)
}

// hint prints "hint: text" at the margin in, wrapped under itself.
func (pr *Printer) hint(in, text string) {
	if text == "" {
		return
	}
	for j, l := range Wrap(Safe(text), pr.Width-len(in)-len("hint: ")) {
		lead := "hint: "
		if j > 0 {
			lead = "      "
		}
		pr.Line(in + pr.Pal.Warn.Sprint(lead) + l)
	}
}

// kvParts is kv for a list of (possibly coloured) parts joined by " · ",
// packed onto as many lines as the width needs.
func (pr *Printer) kvParts(lead, key string, parts ...string) {
	parts = nonEmpty(parts...)
	if len(parts) == 0 {
		return
	}
	for _, l := range Pack(parts, pr.Pal.Dim.Sprint(" · "), pr.kvRoom(lead)) {
		pr.kvAt(lead, key, l)
		key = ""
	}
}

// hop renders one request/response exchange.
func (pr *Printer) hop(i int, h *trace.Hop) {
	pr.headline(i, h)
	if pr.res.Insecure && h.TLS != nil {
		// Said up front too: every answer below came from an unauthenticated server.
		pr.Line(Indent + pr.Pal.Warn.Sprint("⚠ certificate verification was skipped (-k)"))
	}
	pr.fallback(h.Fallback)
	if h.QUIC != nil && h.Connect != nil && h.Connect.Via != "" {
		pr.Line(Indent + pr.Pal.Dim.Sprint("HTTP/3 endpoint from the "+Safe(h.Connect.Via)))
	}
	pr.waterfall(h)
	if pr.St.Verbose {
		pr.request(h)
	}
	pr.response(h)
	pr.notesBlock(h)
	pr.tls(h)
	pr.dns(h)
	pr.connect(h)
	if h.Err != nil {
		pr.ErrorBlock(h.Err)
	}
}

// headline is the first line of a hop: method, URL, where it went, and how.
// "GET https://example.test/ → 192.0.2.10:443 · HTTP/2.0 · TLS 1.3"
func (pr *Printer) headline(i int, h *trace.Hop) {
	url := h.URL
	if url == "" {
		url = pr.res.URL
	}
	method := h.Request.Method
	if method == "" {
		method = "GET"
	}
	prefix := ""
	if n := len(pr.res.Hops); n > 1 {
		prefix = fmt.Sprintf("[%d/%d] ", i+1, n)
	}
	head := pr.Pal.Title.Sprint(Cut(Safe(method)+" "+Safe(url), pr.Width-1-len(prefix)))
	if prefix != "" {
		head = pr.Pal.Dim.Sprint(prefix) + head
	}
	parts := pr.destination(h, url)
	if len(parts) == 0 {
		pr.Line(head)
		return
	}
	to := "→ " + strings.Join(parts, pr.Pal.Dim.Sprint(" · "))
	if TextWidth(head)+1+TextWidth(to) <= pr.Width-1 {
		pr.Line(head + " " + to)
		return
	}
	pr.Line(head) // a long URL: the destination goes on its own line
	pr.Line(strings.Repeat(" ", len(prefix)) + Indent + to)
}

// destination is where and how the hop connected: address, protocol and
// TLS version, or nothing when no connection was made.
func (pr *Printer) destination(h *trace.Hop, url string) []string {
	c := h.Connect
	if c == nil || c.Address == "" {
		return nil
	}
	addr := Safe(c.Address)
	if c.Reused {
		addr += " (reused connection)"
	}
	parts := []string{addr}
	if proto := hopProto(h); proto != "" {
		parts = append(parts, Safe(proto))
	}
	switch {
	case h.TLS != nil && h.TLS.Version != "":
		parts = append(parts, Safe(h.TLS.Version))
	case strings.HasPrefix(url, "http://"):
		parts = append(parts, "plaintext")
	}
	return parts
}

// hopProto is the protocol actually spoken: the response's when there is
// one, else what the request went out as.
func hopProto(h *trace.Hop) string {
	if h.Response != nil && h.Response.Proto != "" {
		return h.Response.Proto
	}
	return h.Request.Proto
}

// finalError prints Result.Err unless the last hop already showed it.
func (pr *Printer) finalError() {
	e := pr.res.Err
	if e == nil {
		return
	}
	if n := len(pr.res.Hops); n > 0 {
		if last := pr.res.Hops[n-1].Err; last != nil && sameError(last, e) {
			return
		}
	}
	pr.ErrorBlock(e)
}

func sameError(a, b *trace.Error) bool {
	return a == b || (a.Phase == b.Phase && a.Kind == b.Kind && a.Message == b.Message)
}

// errorBlock is the failure, stated plainly: where, what kind, the message
// and what to do about it.
func (pr *Printer) ErrorBlock(e *trace.Error) { pr.ErrorBlockTitled("Failed", e) }

// ErrorBlockTitled is ErrorBlock under another title ("HTTP/3 failed").
func (pr *Printer) ErrorBlockTitled(title string, e *trace.Error) {
	where := phaseTitle(e.Phase)
	pr.Heading(pr.Pal.Bad.Sprint("✗ "+title), pr.Pal.Bad.Sprint(where), pr.Pal.Dim.Sprint(Safe(pr.kindLabel(e))))
	for _, l := range Wrap(Safe(e.Message), pr.Width-len(Indent)) {
		pr.Line(Indent + l)
	}
	pr.hint(Indent, e.Hint)
}

// kindLabel is the kind the error heading shows: for a certificate the
// check's own reason (TLS.Verify), which refines the contract's kinds:
// "expired" also covers a certificate not valid yet, "unknown_authority"
// a missing intermediate or a self-signed one.
func (pr *Printer) kindLabel(e *trace.Error) string {
	if e.Phase != trace.PhaseTLS || pr.res == nil {
		return e.Kind
	}
	for _, h := range pr.res.Hops {
		if h.Err == e && h.TLS != nil && h.TLS.Verify != "" && h.TLS.Verify != trace.VerifyOK {
			return string(h.TLS.Verify)
		}
	}
	return e.Kind
}

// phaseTitle names a phase for people, in the error block and footnotes.
func phaseTitle(phase string) string {
	switch phase {
	case trace.PhaseDNS:
		return "DNS"
	case trace.PhaseConnect:
		return "TCP connect"
	case trace.PhaseTLS:
		return "TLS handshake"
	case trace.PhaseProxy:
		return "proxy handshake"
	case trace.PhaseQUIC:
		return "QUIC handshake"
	case trace.PhaseSend:
		return "sending the request"
	case trace.PhaseWait:
		return "waiting for the response"
	case trace.PhaseReceive:
		return "receiving the body"
	case trace.PhaseRedirect:
		return "redirect"
	case trace.PhaseInput:
		return "input"
	}
	return Safe(phase)
}

// redirects sums up a -L chain: each hop's status, connection, time and
// URL, and a total row: the number curl's time_total gives for the chain.
func (pr *Printer) redirects() {
	var total time.Duration
	rows := make([][]string, 0, len(pr.res.Hops)+1)
	for i, h := range pr.res.Hops {
		total += h.Timings.Total
		status := "—"
		switch {
		case h.Response != nil:
			status = strconv.Itoa(h.Response.Status)
		case h.Err != nil:
			status = "✗"
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), status, connLabel(&h), fmtDur(h.Timings.Total), Safe(h.URL)})
	}
	rows = append(rows, []string{"", "", "total", fmtDur(total), ""})
	pr.Title(chainTitle(pr.res.Hops), Plural(len(pr.res.Hops), "hop"), fmtDur(total)+" in all")
	cols := []column{{head: "#", right: true}, {head: "STATUS"}, {head: "CONNECTION"}, {head: "TIME", right: true}, {head: "URL", fill: true}}
	pr.table(Indent, cols, rows, func(r, c int) *color.Color {
		if r >= len(pr.res.Hops) {
			return pr.Pal.Title
		}
		h := pr.res.Hops[r]
		switch {
		case c != 1:
			return nil
		case h.Response != nil:
			return pr.Pal.status(h.Response.Status)
		case h.Err != nil:
			return pr.Pal.Bad
		}
		return nil
	})
}

// chainTitle names the summary: a redirect chain, or requests that were
// not (the entries of a browser's HAR).
func chainTitle(hops []trace.Hop) string {
	for _, h := range hops[:len(hops)-1] {
		if h.Redirect == nil || !h.Redirect.Followed {
			return "Requests"
		}
	}
	return "Redirects"
}

// connLabel says whether a hop opened a connection or reused one.
func connLabel(h *trace.Hop) string {
	switch {
	case h.ConnID == 0:
		return "—"
	case h.Connect != nil && h.Connect.Reused:
		return fmt.Sprintf("reused #%d", h.ConnID)
	}
	return fmt.Sprintf("new #%d", h.ConnID)
}
