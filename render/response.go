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
func (pr *printer) request(h *trace.Hop) {
	if h.Timings.Send == nil && len(h.Request.Headers) == 0 {
		return
	}
	rq := &h.Request
	target := rq.Target
	if target == "" {
		target = "/"
	}
	pr.title("Request", Safe(rq.Method)+" "+Safe(target)+" "+pr.p.dim.Sprint(Safe(rq.Proto)))
	pr.headers(rq.Headers, indent)
	if rq.BodyBytes > 0 {
		pr.line(indent + pr.p.dim.Sprint("body: ") + fmtInt(rq.BodyBytes) + " bytes")
	}
}

// response shows what the server said, in arrival order: any 1xx interim
// responses, then the final status, what it means, the headers and the body.
func (pr *printer) response(h *trace.Hop) {
	rs := h.Response
	if rs == nil && len(h.Informational) == 0 {
		return
	}
	pr.title("Response")
	for _, info := range h.Informational {
		pr.line(indent + pr.p.dim.Sprint(Safe(infoStatus(info))) + pr.p.dim.Sprint("  at "+fmtDur(info.At)))
		pr.headers(info.Headers, indent+"  ")
	}
	if rs == nil {
		return
	}
	status := pr.p.title.Sprint(Safe(rs.Proto)) + " " +
		pr.p.statusBold(rs.Status).Sprint(Safe(responseStatus(rs)))
	if t := h.Timings.Wait; t != nil {
		status += pr.p.dim.Sprint("  at " + fmtDur(t.End()))
	}
	pr.line(indent + status)
	pr.statusNotes(h)
	pr.redirect(h.Redirect)
	pr.notedHeaders(rs.Headers, indent, headerNotes(rs.Headers, h.Notes))
	switch {
	case rs.HeadersCut > 0 && rs.HeadBudgetCut:
		pr.line(indent + pr.p.warn.Sprintf("… %s not kept (reqtrace keeps 1 MiB of header lines over all the redirects it follows)", plural(rs.HeadersCut, "more header line")))
	case rs.HeadersCut > 0:
		pr.line(indent + pr.p.warn.Sprintf("… %s not kept (reqtrace keeps 1000 lines, 256 KiB per response)", plural(rs.HeadersCut, "more header line")))
	}
	if rs.ValuesCut > 0 {
		pr.line(indent + pr.p.warn.Sprintf("… %s cut at 16 KiB", plural(rs.ValuesCut, "header value")))
	}
	pr.body(h)
	if len(rs.Trailers) > 0 {
		pr.line(indent + pr.p.dim.Sprint("trailers, after the body:"))
		pr.headers(rs.Trailers, indent+"  ")
	}
}

// redirect says where a 3xx points, what the next request will be and
// what it leaves behind, or how to follow it.
func (pr *printer) redirect(rd *trace.Redirect) {
	if rd == nil {
		return
	}
	pr.line(indent + pr.p.redirect.Sprint("↪ ") + cut(Safe(rd.Location), pr.width-len(indent)-3))
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
	for _, l := range wrap(text, pr.width-len(indent)-2) {
		pr.line(indent + "  " + pr.p.dim.Sprint(l))
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
func responseStatus(rs *trace.Response) string {
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
func statusText(code int, reason string) string {
	if reason == "" {
		reason = http.StatusText(code)
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", code, reason))
}

// headers prints field lines in the order given, never sorted or merged.
// Long values are cut at the terminal width, or wrapped in full with -v.
func (pr *printer) headers(hs []trace.Header, lead string) { pr.notedHeaders(hs, lead, nil) }

// notedHeaders is headers with notes after the lines they concern.
func (pr *printer) notedHeaders(hs []trace.Header, lead string, notes map[int][]trace.Note) {
	room := pr.width - len(lead) - 1
	for i, hd := range hs {
		pr.header(hd, lead, room)
		pr.notes(notes[i], lead+"  ")
	}
}

// header prints one field line: cut to the width, or wrapped with -v.
func (pr *printer) header(hd trace.Header, lead string, room int) {
	name, value := Safe(hd.Name), Safe(hd.Value)
	head := name + ": "
	if !pr.st.Verbose {
		pr.line(lead + pr.p.name.Sprint(name) + ": " + cut(value, room-textWidth(head)))
		return
	}
	// Continuation lines hang under the value, unless the name is so
	// long that this would leave too little room for it.
	hang := textWidth(head)
	if hang > room/3 {
		hang = 4
	}
	lines := wrapHanging(value, room-textWidth(head), room-hang)
	pr.line(lead + pr.p.name.Sprint(name) + ": " + lines[0])
	for _, l := range lines[1:] {
		pr.line(lead + strings.Repeat(" ", hang) + l)
	}
}

// body summarises the body in one line; -v adds the first lines of it.
func (pr *printer) body(h *trace.Hop) {
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
		b.WriteString(pr.p.dim.Sprint(took))
	}
	if rs.SavedTo != "" {
		b.WriteString(" saved to " + Safe(rs.SavedTo))
	}
	pr.line(indent + pr.p.dim.Sprint("body: ") + b.String())
	switch {
	case pr.st.Include && len(rs.BodyPreview) > 0:
		pr.fullBody(rs)
	case pr.st.Verbose && len(rs.BodyPreview) > 0:
		pr.preview(rs.BodyPreview)
	}
}

// fullBody shows the kept body whole (-i), wrapped, made safe, and says
// how much was not kept.
func (pr *printer) fullBody(rs *trace.Response) {
	bar := pr.p.dim.Sprint("│ ")
	if looksBinary(rs.BodyPreview) {
		pr.line(indent + bar + pr.p.dim.Sprint("(binary, not shown; -o FILE saves it)"))
		return
	}
	for _, l := range strings.Split(strings.TrimRight(string(rs.BodyPreview), "\r\n"), "\n") {
		for _, w := range wrap(Safe(strings.TrimSuffix(l, "\r")), pr.width-len(indent)-3) {
			pr.line(indent + bar + w)
		}
	}
	body := rs.BodyBytes
	if rs.DecodedBytes >= 0 {
		body = rs.DecodedBytes
	}
	if rest := body - int64(len(rs.BodyPreview)); rest > 0 {
		pr.line(indent + bar + pr.p.dim.Sprintf("… %s more bytes not shown (-o FILE saves the whole body)", fmtInt(rest)))
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
func (pr *printer) preview(p []byte) {
	bar := pr.p.dim.Sprint("│ ")
	if looksBinary(p) {
		pr.line(indent + bar + pr.p.dim.Sprintf("(binary, first %s bytes not shown)", fmtInt(int64(len(p)))))
		return
	}
	lines := strings.Split(strings.TrimRight(string(p), "\r\n"), "\n")
	for i, l := range lines {
		if i == previewLines {
			pr.line(indent + bar + pr.p.dim.Sprintf("… %s more in the preview", plural(len(lines)-i, "line")))
			break
		}
		pr.line(indent + bar + cut(Safe(strings.TrimSuffix(l, "\r")), pr.width-len(indent)-3))
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
