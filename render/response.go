package render

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reqtrace/reqtrace/trace"
)

// previewLines caps the body preview shown with -v; rateMin is the body
// size from which a download rate means something.
const (
	previewLines = 5
	rateMin      = 64 << 10
)

// request shows what went on the wire (-v only): the request line and
// the headers in the order written. A request never sent is not shown.
func (pr *Printer) request(h *trace.Hop) {
	if h.Timings.Send == nil && len(h.Request.Headers) == 0 {
		return
	}
	rq := &h.Request
	target := rq.Target
	if target == "" {
		target = "/"
	}
	pr.Title("Request", Safe(rq.Method)+" "+Safe(target)+" "+pr.Pal.Dim.Sprint(Safe(rq.Proto)))
	pr.headers(rq.Headers, Indent)
	if rq.BodyBytes > 0 {
		pr.Line(Indent + pr.Pal.Dim.Sprint("body: ") + fmtInt(rq.BodyBytes) + " bytes")
	}
}

// response shows what the server said, in arrival order: any 1xx interim
// responses, then the final status, what it means, the headers and the body.
func (pr *Printer) response(h *trace.Hop) {
	rs := h.Response
	if rs == nil && len(h.Informational) == 0 {
		return
	}
	pr.Title("Response")
	for _, info := range h.Informational {
		pr.Line(Indent + pr.Pal.Dim.Sprint(Safe(infoStatus(info))) + pr.Pal.Dim.Sprint("  at "+fmtDur(info.At)))
		pr.headers(info.Headers, Indent+"  ")
	}
	if rs == nil {
		return
	}
	status := pr.Pal.Title.Sprint(Safe(rs.Proto)) + " " +
		pr.Pal.StatusBold(rs.Status).Sprint(Safe(ResponseStatus(rs)))
	if t := h.Timings.Wait; t != nil {
		status += pr.Pal.Dim.Sprint("  at " + fmtDur(t.End()))
	}
	pr.Line(Indent + status)
	pr.statusNotes(h)
	pr.redirect(h.Redirect)
	pr.notedHeaders(rs.Headers, Indent, headerNotes(rs.Headers, h.Notes))
	switch {
	case rs.HeadersCut > 0 && rs.HeadBudgetCut:
		pr.Line(Indent + pr.Pal.Warn.Sprintf("… %s not kept (reqtrace keeps 1 MiB of header lines over all the redirects it follows)", Plural(rs.HeadersCut, "more header line")))
	case rs.HeadersCut > 0:
		pr.Line(Indent + pr.Pal.Warn.Sprintf("… %s not kept (reqtrace keeps 1000 lines, 256 KiB per response)", Plural(rs.HeadersCut, "more header line")))
	}
	if rs.ValuesCut > 0 {
		pr.Line(Indent + pr.Pal.Warn.Sprintf("… %s cut at 16 KiB", Plural(rs.ValuesCut, "header value")))
	}
	pr.body(h)
	if len(rs.Trailers) > 0 {
		pr.Line(Indent + pr.Pal.Dim.Sprint("trailers, after the body:"))
		pr.headers(rs.Trailers, Indent+"  ")
	}
}

// redirect says where a 3xx points, what the next request will be and
// what it leaves behind, or how to follow it.
func (pr *Printer) redirect(rd *trace.Redirect) {
	if rd == nil {
		return
	}
	pr.Line(Indent + pr.Pal.Redirect.Sprint("↪ ") + Cut(Safe(rd.Location), pr.Width-len(Indent)-3))
	text := Safe(rd.Rule)
	if len(rd.Dropped) > 0 {
		text += "; not sent on: " + Safe(strings.Join(rd.Dropped, ", "))
	}
	if rd.CrossOrigin {
		text += " (another origin)"
	}
	if !rd.Followed {
		text += " — add -L to follow it"
	}
	for _, l := range Wrap(text, pr.Width-len(Indent)-2) {
		pr.Line(Indent + "  " + pr.Pal.Dim.Sprint(l))
	}
}

// reasonOf is the phrase shown after a status: the server's own over
// HTTP/1.x, even an empty one (no phrase is invented); HTTP/2 sends none,
// so there it is the registry's.
func ReasonOf(proto string, code int, reason string) string {
	if strings.HasPrefix(proto, "HTTP/1") {
		return reason
	}
	return http.StatusText(code)
}

// responseStatus is "404 Not Found", or "418" when the server sent the
// code alone.
func ResponseStatus(rs *trace.Response) string {
	return strings.TrimSpace(fmt.Sprintf("%d %s", rs.Status, ReasonOf(rs.Proto, rs.Status, rs.Reason)))
}

// infoReason is reasonOf for a 1xx, which came over HTTP/1.x when it has
// a status line.
func infoReason(in trace.Informational) string {
	if in.StatusLine == "" {
		return http.StatusText(in.Status)
	}
	return in.Reason
}

func infoStatus(in trace.Informational) string {
	return strings.TrimSpace(fmt.Sprintf("%d %s", in.Status, infoReason(in)))
}

// statusText is "200 OK": the reason given, else the standard one.
func StatusText(code int, reason string) string {
	if reason == "" {
		reason = http.StatusText(code)
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", code, reason))
}

// headers prints field lines in the order given, never sorted or merged.
// Long values are cut at the terminal width, or wrapped in full with -v.
func (pr *Printer) headers(hs []trace.Header, lead string) { pr.notedHeaders(hs, lead, nil) }

// notedHeaders is headers with notes after the lines they concern.
func (pr *Printer) notedHeaders(hs []trace.Header, lead string, notes map[int][]trace.Note) {
	room := pr.Width - len(lead) - 1
	for i, hd := range hs {
		pr.header(hd, lead, room)
		pr.notes(notes[i], lead+"  ")
	}
}

// header prints one field line: cut to the width, or wrapped with -v.
func (pr *Printer) header(hd trace.Header, lead string, room int) {
	name, value := Safe(hd.Name), Safe(hd.Value)
	head := name + ": "
	if !pr.St.Verbose {
		pr.Line(lead + pr.Pal.Name.Sprint(name) + ": " + Cut(value, room-TextWidth(head)))
		return
	}
	// Continuation lines hang under the value, unless the name is so
	// long that this would leave too little room for it.
	hang := TextWidth(head)
	if hang > room/3 {
		hang = 4
	}
	lines := WrapHanging(value, room-TextWidth(head), room-hang)
	pr.Line(lead + pr.Pal.Name.Sprint(name) + ": " + lines[0])
	for _, l := range lines[1:] {
		pr.Line(lead + strings.Repeat(" ", hang) + l)
	}
}

// body summarises the body in one line; -v adds the first lines of it.
func (pr *Printer) body(h *trace.Hop) {
	rs := h.Response
	var b strings.Builder
	switch {
	case h.Request.Method == http.MethodHead:
		b.WriteString("none (HEAD request)")
	case rs.BodyBytes == 0:
		b.WriteString("empty")
	default:
		b.WriteString(fmtInt(rs.BodyBytes) + " bytes")
	}
	if ct := HeaderValue(rs.Headers, "Content-Type"); ct != "" && rs.BodyBytes > 0 {
		mt, _, _ := strings.Cut(ct, ";")
		b.WriteString(" (" + Safe(strings.TrimSpace(mt)) + ")")
	}
	if t := h.Timings.Receive; t != nil && rs.BodyBytes > 0 && t.Duration > 0 {
		took := " in " + fmtDur(t.Duration)
		if rs.BodyBytes >= rateMin { // the rate of a small body is mostly noise
			took += ", " + rate(rs.BodyBytes, t.Duration)
		}
		b.WriteString(pr.Pal.Dim.Sprint(took))
	}
	if rs.SavedTo != "" {
		b.WriteString(" saved to " + Safe(rs.SavedTo))
	}
	pr.Line(Indent + pr.Pal.Dim.Sprint("body: ") + b.String())
	switch {
	case pr.St.Include && len(rs.BodyPreview) > 0:
		pr.fullBody(rs)
	case pr.St.Verbose && len(rs.BodyPreview) > 0:
		pr.preview(rs.BodyPreview)
	}
}

// fullBody shows the kept body whole (-i), wrapped, made safe, and says
// how much was not kept.
func (pr *Printer) fullBody(rs *trace.Response) {
	bar := pr.Pal.Dim.Sprint("│ ")
	if looksBinary(rs.BodyPreview) {
		pr.Line(Indent + bar + pr.Pal.Dim.Sprint("(binary, not shown; -o FILE saves it)"))
		return
	}
	for _, l := range strings.Split(strings.TrimRight(string(rs.BodyPreview), "\r\n"), "\n") {
		for _, w := range Wrap(Safe(strings.TrimSuffix(l, "\r")), pr.Width-len(Indent)-3) {
			pr.Line(Indent + bar + w)
		}
	}
	body := rs.BodyBytes
	if rs.DecodedBytes >= 0 {
		body = rs.DecodedBytes
	}
	if rest := body - int64(len(rs.BodyPreview)); rest > 0 {
		pr.Line(Indent + bar + pr.Pal.Dim.Sprintf("… %s more bytes not shown (-o FILE saves the whole body)", fmtInt(rest)))
	}
}

// rate is the download speed, in the units curl's progress meter uses.
func rate(n int64, d time.Duration) string {
	bps := float64(n) / d.Seconds()
	switch {
	case bps >= 1<<20:
		return fmt.Sprintf("%.1f MiB/s", bps/(1<<20))
	case bps >= 1<<10:
		return fmt.Sprintf("%.1f KiB/s", bps/(1<<10))
	}
	return fmt.Sprintf("%.0f B/s", bps)
}

// preview shows the first lines of the body, made safe, or says it is
// binary: escaping a PNG byte by byte helps nobody.
func (pr *Printer) preview(p []byte) {
	bar := pr.Pal.Dim.Sprint("│ ")
	if looksBinary(p) {
		pr.Line(Indent + bar + pr.Pal.Dim.Sprintf("(binary, first %s bytes not shown)", fmtInt(int64(len(p)))))
		return
	}
	lines := strings.Split(strings.TrimRight(string(p), "\r\n"), "\n")
	for i, l := range lines {
		if i == previewLines {
			pr.Line(Indent + bar + pr.Pal.Dim.Sprintf("… %s more in the preview", Plural(len(lines)-i, "line")))
			break
		}
		pr.Line(Indent + bar + Cut(Safe(strings.TrimSuffix(l, "\r")), pr.Width-len(Indent)-3))
	}
}

// looksBinary is true when the bytes are not text: a NUL, or more than one
// in ten bytes invalid UTF-8. A stray bad byte or escape sequence in an HTML
// page still counts as text (and Safe shows it as \xNN).
func looksBinary(p []byte) bool {
	if bytes.IndexByte(p, 0) >= 0 {
		return true
	}
	bad := 0
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n == 1 && len(p)-i >= utf8.UTFMax {
			bad++ // a rune merely cut by the end of the preview is not counted
		}
		i += n
	}
	return bad*10 > len(p)
}

// headerValue returns the first value of a header, matched case-insensitively.
func HeaderValue(hs []trace.Header, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}
