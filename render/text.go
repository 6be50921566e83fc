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
		return errNilResult
	}
	pr := &printer{w: w, st: st, width: st.width(), p: newPalette(st.Color), res: r}
	for i := range r.Hops {
		if i > 0 {
			pr.blank()
		}
		pr.hop(i, &r.Hops[i])
	}
	if len(r.Hops) > 1 {
		pr.redirects()
	}
	pr.retries()
	pr.revalidation()
	if pr.notesCut {
		pr.blank()
		pr.line(pr.p.dim.Sprint("Notes are cut to the width; -v shows them whole."))
	}
	pr.finalError()
	return pr.err
}

// printer carries the writer, the style and the first write error, so the
// section functions can stay short and error-free.
type printer struct {
	w     io.Writer
	st    Style
	width int
	p     *palette
	res   *trace.Result
	err   error
	lines int // lines written so far: no blank line before the first
	// notesCut is set when a note was cut to the width (-v wraps them).
	notesCut bool
}

// indent is the left margin of everything below a section title; keyCol
// is the key column of the "key  value" blocks (TLS, certificate, DNS).
const (
	indent = "  "
	keyCol = 11
)

func (pr *printer) printf(format string, args ...any) {
	if pr.err == nil {
		_, pr.err = fmt.Fprintf(pr.w, format, args...)
	}
}

// line writes one line, dropping trailing blanks so output diffs cleanly.
func (pr *printer) line(s string) {
	pr.printf("%s\n", strings.TrimRight(s, " "))
	pr.lines++
}

// blank separates sections; it is dropped at the very top of the output.
func (pr *printer) blank() {
	if pr.lines > 0 {
		pr.line("")
	}
}

// title starts a section: a blank line and the name in bold, then an
// optional summary on the same line, its parts joined by " · " and
// continued under the summary when they do not fit.
func (pr *printer) title(name string, summary ...string) {
	pr.heading(pr.p.title.Sprint(name), summary...)
}

// heading is title with the name already painted (the error block's is red).
func (pr *printer) heading(name string, summary ...string) {
	pr.blank()
	summary = nonEmpty(summary...)
	if len(summary) == 0 {
		pr.line(name)
		return
	}
	lead := name + "  "
	for _, l := range pack(summary, pr.p.dim.Sprint(" · "), pr.width-1-textWidth(lead)) {
		pr.line(lead + l)
		lead = strings.Repeat(" ", textWidth(lead))
	}
}

// kv prints an indented "key  value" line with the key dimmed and padded,
// the layout used by the TLS, certificate and DNS blocks.
func (pr *printer) kv(key, value string) { pr.kvAt(indent, key, value) }

// kvAt is kv with another left margin (certificates of the chain nest).
func (pr *printer) kvAt(lead, key, value string) {
	pr.line(lead + pr.p.dim.Sprint(padRight(key, keyCol)) + "  " + value)
}

// kvRoom is the room for a kv value before the right margin.
func (pr *printer) kvRoom(lead string) int { return pr.width - len(lead) - keyCol - 3 }

// kvWrap is kv for long plain values: it wraps under the value column.
func (pr *printer) kvWrap(lead, key, value string) {
	for _, l := range wrap(value, pr.kvRoom(lead)) {
		pr.kvAt(lead, key, l)
		key = ""
	}
}

// kvParts is kv for a list of (possibly coloured) parts joined by " · ",
// packed onto as many lines as the width needs.
func (pr *printer) kvParts(lead, key string, parts ...string) {
	parts = nonEmpty(parts...)
	if len(parts) == 0 {
		return
	}
	for _, l := range pack(parts, pr.p.dim.Sprint(" · "), pr.kvRoom(lead)) {
		pr.kvAt(lead, key, l)
		key = ""
	}
}

// hop renders one request/response exchange.
func (pr *printer) hop(i int, h *trace.Hop) {
	pr.headline(i, h)
	if pr.res.Insecure && h.TLS != nil {
		// Said up front too: every answer below came from an unauthenticated server.
		pr.line(indent + pr.p.warn.Sprint("⚠ certificate verification was skipped (-k)"))
	}
	if h.Fallback != "" {
		pr.line(indent + pr.p.warn.Sprint("⚠ "+Safe(h.Fallback)))
	}
	if h.QUIC != nil && h.Connect != nil && h.Connect.Via != "" {
		pr.line(indent + pr.p.dim.Sprint("HTTP/3 endpoint from the "+Safe(h.Connect.Via)))
	}
	pr.waterfall(h)
	if pr.st.Verbose {
		pr.request(h)
	}
	pr.response(h)
	pr.notesBlock(h)
	pr.tls(h)
	pr.dns(h)
	pr.connect(h)
	if h.Err != nil {
		pr.errorBlock(h.Err)
	}
}

// headline is the first line of a hop: method, URL, where it went, and how.
// "GET https://example.test/ → 192.0.2.10:443 · HTTP/2.0 · TLS 1.3"
func (pr *printer) headline(i int, h *trace.Hop) {
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
	head := pr.p.title.Sprint(cut(Safe(method)+" "+Safe(url), pr.width-1-len(prefix)))
	if prefix != "" {
		head = pr.p.dim.Sprint(prefix) + head
	}
	parts := pr.destination(h, url)
	if len(parts) == 0 {
		pr.line(head)
		return
	}
	to := "→ " + strings.Join(parts, pr.p.dim.Sprint(" · "))
	if textWidth(head)+1+textWidth(to) <= pr.width-1 {
		pr.line(head + " " + to)
		return
	}
	pr.line(head) // a long URL: the destination goes on its own line
	pr.line(strings.Repeat(" ", len(prefix)) + indent + to)
}

// destination is where and how the hop connected: address, protocol and
// TLS version, or nothing when no connection was made.
func (pr *printer) destination(h *trace.Hop, url string) []string {
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
func (pr *printer) finalError() {
	e := pr.res.Err
	if e == nil {
		return
	}
	if n := len(pr.res.Hops); n > 0 {
		if last := pr.res.Hops[n-1].Err; last != nil && sameError(last, e) {
			return
		}
	}
	pr.errorBlock(e)
}

func sameError(a, b *trace.Error) bool {
	return a == b || (a.Phase == b.Phase && a.Kind == b.Kind && a.Message == b.Message)
}

// errorBlock is the failure, stated plainly: where, what kind, the message
// and what to do about it.
func (pr *printer) errorBlock(e *trace.Error) {
	where := phaseTitle(e.Phase)
	pr.heading(pr.p.bad.Sprint("✗ Failed"), pr.p.bad.Sprint(where), pr.p.dim.Sprint(Safe(pr.kindLabel(e))))
	for _, l := range wrap(Safe(e.Message), pr.width-len(indent)) {
		pr.line(indent + l)
	}
	if e.Hint != "" {
		hint := wrap(Safe(e.Hint), pr.width-len(indent)-len("hint: "))
		for j, l := range hint {
			lead := "hint: "
			if j > 0 {
				lead = "      "
			}
			pr.line(indent + pr.p.warn.Sprint(lead) + l)
		}
	}
}

// kindLabel is the kind the error heading shows: for a certificate the
// check's own reason (TLS.Verify), which refines the contract's kinds:
// "expired" also covers a certificate not valid yet, "unknown_authority"
// a missing intermediate or a self-signed one.
func (pr *printer) kindLabel(e *trace.Error) string {
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
func (pr *printer) redirects() {
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
	pr.title(chainTitle(pr.res.Hops), plural(len(pr.res.Hops), "hop"), fmtDur(total)+" in all")
	cols := []column{{head: "#", right: true}, {head: "STATUS"}, {head: "CONNECTION"}, {head: "TIME", right: true}, {head: "URL", fill: true}}
	pr.table(indent, cols, rows, func(r, c int) *color.Color {
		if r >= len(pr.res.Hops) {
			return pr.p.title
		}
		h := pr.res.Hops[r]
		switch {
		case c != 1:
			return nil
		case h.Response != nil:
			return pr.p.status(h.Response.Status)
		case h.Err != nil:
			return pr.p.bad
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
