package corslab

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Reply is how the API answers: a status and header lines. In names and
// values, {origin} is the request's Origin, {page} the page's origin,
// {pagehost} its host:port ({PAGEHOST} in upper case), {apiport} the
// API's port, {api} the API's origin, {other} the API's origin under
// OtherHost and {name} the scenario's name.
type Reply struct {
	Status  int         // 0: 204 for OPTIONS, else 200
	Headers [][2]string // in order; a repeated name sends two lines
	// Raw writes the response head byte for byte, bypassing net/http,
	// which would trim the values' spaces and canonicalise names.
	Raw bool
}

// write sends the reply for r.
func (rp Reply) write(w http.ResponseWriter, r *http.Request, l *Lab) {
	status := rp.Status
	if status == 0 {
		status = http.StatusOK
		if r.Method == http.MethodOptions {
			status = http.StatusNoContent
		}
	}
	name := scenarioName(r.PathValue("name"))
	rep := l.replacer(name, r.Header.Get("Origin"))
	hs := make([][2]string, len(rp.Headers))
	for i, h := range rp.Headers {
		hs[i] = [2]string{rep.Replace(h[0]), rep.Replace(h[1])}
	}
	body := "ok\n"
	if status == http.StatusNoContent || status == http.StatusNotModified || r.Method == http.MethodHead {
		body = ""
	}
	if rp.Raw {
		writeRaw(w, status, hs, body)
		return
	}
	for _, h := range hs {
		w.Header()[h[0]] = append(w.Header()[h[0]], h[1])
	}
	if w.Header().Get("Content-Type") == "" && body != "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// replacer expands the placeholders of replies and console texts.
func (l *Lab) replacer(name, origin string) *strings.Replacer {
	pagehost := PageHost + ":" + strconv.Itoa(l.PagePort)
	return strings.NewReplacer("{origin}", origin, "{page}", l.PageOrigin(), "{pagehost}", pagehost,
		"{PAGEHOST}", strings.ToUpper(pagehost), "{apiport}", strconv.Itoa(l.APIPort), "{name}", name,
		"{other}", "http://"+OtherHost+":"+strconv.Itoa(l.APIPort), "{api}", "http://"+APIHost+":"+strconv.Itoa(l.APIPort),
		"{secure}", l.SecurePageOrigin(), "{tlsapi}", "https://"+APIHost+":"+strconv.Itoa(l.TLSPort))
}

// writeRaw hijacks the connection and writes the response as given.
func writeRaw(w http.ResponseWriter, status int, hs [][2]string, body string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return
	}
	defer conn.Close()
	bw := bufio.NewWriter(conn)
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	for _, h := range hs {
		fmt.Fprintf(bw, "%s:%s\r\n", h[0], h[1])
	}
	fmt.Fprintf(bw, "Content-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	bw.Flush()
	_ = buf
}
