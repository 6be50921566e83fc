package render

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// DumpHeaders writes -D/--dump-header: every response head the traces
// received, as curl writes them: the proxy's CONNECT answer, each 1xx,
// then the final response, hop after hop, each head ending in a blank
// line, and the trailer fields after a body (without one, as curl).
// HTTP/1.x heads keep their status line as received and their header
// spelling; HTTP/2 heads read "HTTP/2 200 " (curl's line, space kept)
// with the names as sent (lower case).
// Redact the results first unless secrets are to be shown.
func DumpHeaders(w io.Writer, rs ...*trace.Result) error {
	bw := bufio.NewWriter(w)
	for _, r := range rs {
		for i := range r.Hops {
			dumpHop(bw, &r.Hops[i])
		}
	}
	return bw.Flush()
}

func dumpHop(w *bufio.Writer, h *trace.Hop) {
	if p := h.Proxy; p != nil && p.Tunnel && p.Status != 0 {
		dumpHead(w, cmpLine(p.StatusLine, "HTTP/1.1 "+strconv.Itoa(p.Status)), p.Headers)
	}
	resp := h.Response
	if resp == nil {
		return
	}
	for _, in := range h.Informational {
		dumpHead(w, statusLine(resp.Proto, in.Status, in.StatusLine), in.Headers)
	}
	dumpHead(w, statusLine(resp.Proto, resp.Status, resp.StatusLine), resp.Headers)
	for _, f := range resp.Trailers {
		w.WriteString(f.Name + ": " + f.Value + "\r\n")
	}
}

// statusLine is the first line of a head as curl writes it: as received
// over HTTP/1.x, curl's own over HTTP/2.
func statusLine(proto string, status int, received string) string {
	if strings.HasPrefix(proto, "HTTP/2") {
		return trace.H2StatusLine(status)
	}
	if strings.HasPrefix(proto, "HTTP/3") {
		return trace.H3StatusLine(status)
	}
	return cmpLine(received, proto+" "+strconv.Itoa(status))
}

func cmpLine(line, def string) string {
	if line == "" {
		return def
	}
	return line
}

func dumpHead(w *bufio.Writer, first string, hs []trace.Header) {
	w.WriteString(first + "\r\n")
	for _, h := range hs {
		w.WriteString(h.Name + ": " + h.Value + "\r\n")
	}
	w.WriteString("\r\n")
}
