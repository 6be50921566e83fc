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
// line. HTTP/1.1 heads keep their reason phrase and header spelling;
// HTTP/2 heads read "HTTP/2 200" with the names as sent (lower case).
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
		dumpHead(w, "HTTP/1.1 "+strconv.Itoa(p.Status), p.Headers)
	}
	resp := h.Response
	if resp == nil {
		return
	}
	for _, in := range h.Informational {
		dumpHead(w, statusLine(resp.Proto, in.Status, ""), in.Headers)
	}
	dumpHead(w, statusLine(resp.Proto, resp.Status, resp.Reason), resp.Headers)
}

// statusLine is the first line of a head as curl prints it.
func statusLine(proto string, status int, reason string) string {
	if strings.HasPrefix(proto, "HTTP/2") {
		return "HTTP/2 " + strconv.Itoa(status)
	}
	if strings.HasPrefix(proto, "HTTP/3") {
		return "HTTP/3 " + strconv.Itoa(status)
	}
	line := proto + " " + strconv.Itoa(status)
	if reason != "" {
		line += " " + reason
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
