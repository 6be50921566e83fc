package realtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// hcase is one request both curl and reqtrace make with the same flags.
type hcase struct {
	name  string
	needs []string
	url   string   // may hold {port-name} placeholders
	args  []string // flags both tools get (placeholders too)
	// rtArgs and curlArgs go to one tool only: where DNS is the point,
	// reqtrace asks bind9 (--dns-servers) and curl, which cannot, gets
	// the same answer through --resolve.
	rtArgs, curlArgs []string
	// judge names the server whose access log must show the same request
	// from both tools ("" when the request never reaches one).
	judge string
	// fresh is a file under the web root removed before each tool runs
	// (a PUT must create it both times).
	fresh string
}

var placeholder = regexp.MustCompile(`\{([a-z0-9.]+)\}`)

// expand replaces {port-name} with the port, {ca}, {client.crt} and
// {client.key} with the suite's files and {www} with the web root.
func expand(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		switch name {
		case "ca":
			return e.pki.CA()
		case "client.crt", "client.key":
			return e.pki.dir + "/" + name
		case "www":
			return e.www
		}
		return itoa(e.port(name))
	})
}

func expandAll(args []string) []string {
	var out []string
	for _, a := range args {
		out = append(out, expand(a))
	}
	return out
}

// writeOut is the -w format both tools print: curl 7.88's whole %{json}
// and the response headers as %{header_json}.
const writeOut = "%{json}\n%{header_json}\n"

func (c hcase) run(t *testing.T) {
	need(t, c.needs...)
	url := expand(c.url)
	args, rtArgs, curlArgs := expandAll(c.args), expandAll(c.rtArgs), expandAll(c.curlArgs)
	id := strings.NewReplacer(" ", "-", "/", "-").Replace(c.name)
	common := []string{"-s", "-A", "realtest/1", "-D", "head", "-w", writeOut}
	if !slices.Contains(c.args, "-o") {
		common = append(common, "-o", "body")
	}
	if c.fresh != "" {
		os.Remove(filepath.Join(e.www, c.fresh))
	}
	cu := curl(t, append(append(append(append([]string{}, common...), "-H", "X-Run: c-"+id), curlArgs...), append(args, url)...)...)
	if c.fresh != "" {
		os.Remove(filepath.Join(e.www, c.fresh))
	}
	rt := reqtrace(t, append(append(append(append([]string{}, common...), "-H", "X-Run: r-"+id), rtArgs...), append(args, url)...)...)
	t.Logf("curl: %s\nreqtrace: %s", cu, rt)
	d := newDiff(t, c.name)
	compareHTTP(d, rt, cu, slices.Contains(c.args, "-I"))
	if c.judge != "" {
		compareLog(d, c.judge, id)
	}
	// The --json document states the same final response as curl's -D.
	if c.fresh != "" {
		os.Remove(filepath.Join(e.www, c.fresh))
	}
	js := reqtrace(t, append(append(append([]string{"--json", "-A", "realtest/1", "-H", "X-Run: j-" + id}, rtArgs...), args...), url)...)
	compareJSON(d, js, cu)
}

type rtResponse struct {
	Proto   string `json:"proto"`
	Status  int    `json:"status"`
	Reason  string `json:"reason"`
	Headers []struct {
		Name, Value string
	} `json:"headers"`
}

// compareJSON checks the last response of reqtrace --json against the
// last head in curl's -D: status, reason phrase (HTTP/1.x: HTTP/2 has
// none on the wire), the header lines in order and spelling.
func compareJSON(d *diff, js, cu ran) {
	d.t.Helper()
	var last string // the last head; -D ends with the trailers, which are not one
	for _, h := range strings.Split(string(cu.file("head")), "\r\n\r\n") {
		if strings.HasPrefix(h, "HTTP/") {
			last = h
		}
	}
	if last == "" {
		return // curl got no response
	}
	var doc struct {
		Hops []struct {
			Response *rtResponse `json:"response"`
		} `json:"hops"`
	}
	if err := json.Unmarshal(js.stdout, &doc); err != nil || len(doc.Hops) == 0 {
		d.eq("json parses", err == nil && len(doc.Hops) > 0, true)
		return
	}
	resp := doc.Hops[len(doc.Hops)-1].Response
	if !d.eq("json response present", resp != nil, true) {
		return
	}
	lines := strings.Split(last, "\r\n")
	status := strings.SplitN(lines[0], " ", 3)
	d.eq("json status", itoa(resp.Status), status[1])
	if strings.HasPrefix(status[0], "HTTP/1") {
		d.eq("json reason", resp.Reason, strings.Join(status[2:], ""))
		d.eq("json proto", resp.Proto, status[0])
	} else {
		d.eq("json proto", resp.Proto, "HTTP/2.0")
	}
	var got, want []string
	for _, h := range resp.Headers {
		got = append(got, h.Name+": "+h.Value)
	}
	want = lines[1:]
	d.eq("json headers", normHead([]byte(strings.Join(got, "\n"))), normHead([]byte(strings.Join(want, "\n"))))
}

// compareHTTP compares the files and -w output of one case; with -I the
// body file holds the head (curl writes it there), Date and all.
func compareHTTP(d *diff, rt, cu ran, headInBody bool) {
	d.t.Helper()
	d.eq("exit code", rt.code, cu.code)
	if h, w := normHead(rt.file("head")), normHead(cu.file("head")); h != w {
		d.eq("-D bytes", h, w)
		d.t.Logf("-D differs:%s", lineDiff(h, w))
	}
	if rb, cb := rt.file("body"), cu.file("body"); headInBody && rb != nil && cb != nil {
		d.eq("body bytes (the head, with -I)", normHead(rb), normHead(cb))
	} else {
		d.eq("body bytes", rb, cb)
	}
	rw, rh, err1 := splitWriteOut(rt.stdout)
	cw, ch, err2 := splitWriteOut(cu.stdout)
	if !d.eq("-w output parses", err1 == nil, true) || err2 != nil {
		d.t.Logf("-w output: reqtrace %v (%q), curl %v (%q)", err1, rt.stdout, err2, cu.stdout)
		return
	}
	compareWriteOut(d, rw, cw)
	field := "w.header_json"
	if cu.code == 47 {
		field += " (failed transfer)"
	}
	d.eq(field, normHeaderJSON(rh), normHeaderJSON(ch))
}

var dateLine = regexp.MustCompile(`(?mi)^(date|last-modified|etag):[^\r\n]*`)

// normHead hides the values that change between two requests to the same
// server (the date; caddy's file server derives ETag and Last-Modified from
// the time it read the file). Names, order and everything else stay.
func normHead(b []byte) string {
	return dateLine.ReplaceAllStringFunc(string(b), func(m string) string {
		return m[:strings.IndexByte(m, ':')] + ": (varies)"
	})
}

func normHeaderJSON(h map[string]any) map[string]any {
	for _, k := range []string{"date", "last-modified", "etag"} {
		if _, ok := h[k]; ok {
			h[k] = "(varies)"
		}
	}
	return h
}

func splitWriteOut(b []byte) (w, h map[string]any, err error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err = dec.Decode(&w); err == nil {
		err = dec.Decode(&h)
	}
	return w, h, err
}

// Rules for curl 7.88's %{json} variables: most are compared exactly; a
// time, a speed or the local port changes from run to run, so only
// whether it is zero is compared (reqtrace's times are checked in order
// below); deliberate differences are in the allow-list.
var woApprox = map[string]bool{"local_port": true, "speed_download": true, "speed_upload": true,
	"time_appconnect": true, "time_connect": true, "time_namelookup": true, "time_pretransfer": true,
	"time_redirect": true, "time_starttransfer": true, "time_total": true}

func compareWriteOut(d *diff, rt, cu map[string]any) {
	d.t.Helper()
	failed := !isZero(cu["exitcode"])
	keys := make([]string, 0, len(cu))
	for k := range cu {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field := "w." + k
		rv, ok := rt[k]
		if !ok {
			d.eq(field, "(missing)", cu[k])
			continue
		}
		switch {
		case woApprox[k] && failed && k != "time_namelookup":
			d.eq(field+" is zero (failed transfer)", isZero(rv), isZero(cu[k]))
		case woApprox[k]:
			d.eq(field+" is zero", isZero(rv), isZero(cu[k]))
		case k == "errormsg":
			d.eq("w.errormsg is set", rv != nil && rv != "", cu[k] != nil && cu[k] != "")
			d.eq(field, rv, cu[k])
		default:
			d.eq(field, rv, cu[k])
		}
	}
	// reqtrace's times are cumulative and in curl's order.
	order := []string{"time_namelookup", "time_connect", "time_appconnect", "time_pretransfer", "time_starttransfer", "time_total"}
	last, lastName := 0.0, ""
	for _, k := range order {
		// 0 is a phase that did not happen (TLS for http://, the phases
		// after a failure), as in curl.
		v := num(rt[k])
		if v == 0 && k != "time_total" {
			continue
		}
		d.truth("w."+k, v >= last, "%s %v < %s %v", k, v, lastName, last)
		last, lastName = v, k
	}
}

func num(v any) float64 {
	n, ok := v.(json.Number)
	if !ok {
		return 0
	}
	f, _ := n.Float64()
	return f
}

func isZero(v any) bool { return num(v) == 0 }

// logColumns names the columns of each server's access-log line (after
// the X-Run id), as the configs in servers_test.go write them.
var logColumns = map[string][]string{
	"nginx":   {"method", "uri", "proto", "status", "tls version", "tls cipher", "tls group", "alpn", "client cert", "session reused", "authorization"},
	"apache2": {"method", "uri", "proto", "status", "tls version", "tls cipher"},
	"haproxy": {"method", "uri", "proto", "status", "tls version", "tls cipher"},
	"caddy":   {"method", "uri", "proto", "status", "tls version", "tls cipher", "alpn"},
}

// compareLog finds the server's access-log lines for both tools' requests
// (the X-Run header says whose) and checks the server saw the same thing,
// column by column.
func compareLog(d *diff, server, id string) {
	d.t.Helper()
	rt, cu := logLines(server, id)
	if !d.eq(server+" log lines", len(rt), len(cu)) {
		d.t.Logf("reqtrace %q\ncurl %q", rt, cu)
		return
	}
	for i := range rt {
		r, c := strings.Split(rt[i], "|"), strings.Split(cu[i], "|")
		for j, col := range logColumns[server] {
			if j+1 < len(r) && j+1 < len(c) {
				d.eq("log "+col, r[j+1], c[j+1])
			}
		}
	}
}

// logLines are the log lines of reqtrace's and curl's requests of case
// id, in order.
func logLines(server, id string) (rt, cu []string) {
	path := e.logs[server]
	for try := 0; try < 50; try++ {
		rt, cu = nil, nil
		b, _ := os.ReadFile(path)
		for _, line := range strings.Split(string(b), "\n") {
			line = accessLine(server, line)
			switch {
			case strings.HasPrefix(line, "r-"+id+"|"):
				rt = append(rt, strings.TrimPrefix(line, "r-"))
			case strings.HasPrefix(line, "c-"+id+"|"):
				cu = append(cu, strings.TrimPrefix(line, "c-"))
			}
		}
		if len(rt) > 0 && len(rt) == len(cu) {
			break
		}
		time.Sleep(20 * time.Millisecond) // haproxy logs after the response
	}
	return rt, cu
}

// accessLine turns caddy's JSON lines into the "id|method|uri|proto|status"
// of the others.
func accessLine(server, line string) string {
	if server != "caddy" || !strings.HasPrefix(line, "{") {
		return line
	}
	var l struct {
		Status  int `json:"status"`
		Request struct {
			Method, URI, Proto string
			Headers            map[string][]string
			TLS                struct {
				Version     int    `json:"version"`
				CipherSuite int    `json:"cipher_suite"`
				Proto       string `json:"proto"`
			} `json:"tls"`
		} `json:"request"`
	}
	if json.Unmarshal([]byte(line), &l) != nil || len(l.Request.Headers["X-Run"]) == 0 {
		return ""
	}
	r := l.Request
	return fmt.Sprintf("%s|%s|%s|%s|%d|%x|%x|%s", r.Headers["X-Run"][0], r.Method, r.URI, r.Proto, l.Status, r.TLS.Version, r.TLS.CipherSuite, r.TLS.Proto)
}

func TestHTTP(t *testing.T) {
	for _, c := range httpCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t)
		})
	}
}

// www.rt.test resolves (--resolve, the same for both tools) to 127.0.0.1,
// and the suite's CA is the one trusted.
func tlsTo(port string, more ...string) []string {
	return append([]string{"--resolve", "www.rt.test:{" + port + "}:127.0.0.1", "--cacert", "{ca}"}, more...)
}

func https(port, path string) string { return "https://www.rt.test:{" + port + "}" + path }

func nginx(path string) string { return "http://127.0.0.1:{nginx.http}" + path }

var httpCases = []hcase{
	// nginx, HTTP/1.1
	{name: "nginx h1 index", needs: []string{"nginx"}, url: nginx("/"), judge: "nginx"},
	{name: "nginx h1 big body", needs: []string{"nginx"}, url: nginx("/big.bin"), judge: "nginx"},
	{name: "nginx h1 repeated headers", needs: []string{"nginx"}, url: nginx("/headers"), judge: "nginx"},
	{name: "nginx h1 418 empty phrase", needs: []string{"nginx"}, url: nginx("/teapot"), judge: "nginx"},
	{name: "nginx h1 599 empty phrase", needs: []string{"nginx"}, url: nginx("/nophrase"), judge: "nginx"},
	{name: "nginx h1 204", needs: []string{"nginx"}, url: nginx("/empty"), judge: "nginx"},
	{name: "nginx h1 404", needs: []string{"nginx"}, url: nginx("/missing"), judge: "nginx"},
	{name: "nginx h1 404 -f", needs: []string{"nginx"}, url: nginx("/missing"), args: []string{"-f"}, judge: "nginx"},
	{name: "nginx h1 HEAD -I", needs: []string{"nginx"}, url: nginx("/"), args: []string{"-I"}, judge: "nginx"},
	{name: "nginx h1 range", needs: []string{"nginx"}, url: nginx("/big.bin"), args: []string{"-r", "100-199"}, judge: "nginx"},
	{name: "nginx h1 POST -d", needs: []string{"nginx"}, url: nginx("/headers"), args: []string{"-d", "a=1"}, judge: "nginx"},
	{name: "nginx h1 chunked trailer", needs: []string{"nginx"}, url: nginx("/trailer"), judge: "nginx"},
	{name: "nginx h1 PUT -T small", needs: []string{"nginx"}, url: nginx("/upload/small.html"), args: []string{"-T", "{www}/index.html"}, judge: "nginx", fresh: "upload/small.html"},
	{name: "nginx h1 PUT -T Expect 100-continue", needs: []string{"nginx"}, url: nginx("/upload/big.bin"), args: []string{"-T", "{www}/big.bin"}, judge: "nginx", fresh: "upload/big.bin"},
	{name: "nginx h1 -H as typed", needs: []string{"nginx"}, url: nginx("/"), args: []string{"-H", "X-A:1", "-H", "x-lower: v"}, judge: "nginx"},
	{name: "nginx h1 301 without -L", needs: []string{"nginx"}, url: nginx("/r301"), judge: "nginx"},
	{name: "nginx h1 -L 301", needs: []string{"nginx"}, url: nginx("/r301"), args: []string{"-L"}, judge: "nginx"},
	{name: "nginx h1 -L 302 -d", needs: []string{"nginx"}, url: nginx("/r302"), args: []string{"-L", "-d", "a=1"}, judge: "nginx"},
	{name: "nginx h1 -L 303 -d", needs: []string{"nginx"}, url: nginx("/r303"), args: []string{"-L", "-d", "a=1"}, judge: "nginx"},
	{name: "nginx h1 -L 307 -d", needs: []string{"nginx"}, url: nginx("/r307"), args: []string{"-L", "-d", "a=1"}, judge: "nginx"},
	{name: "nginx h1 -L 308", needs: []string{"nginx"}, url: nginx("/r308"), args: []string{"-L"}, judge: "nginx"},
	{name: "nginx h1 -X POST -L 301", needs: []string{"nginx"}, url: nginx("/r301"), args: []string{"-X", "POST", "-L"}, judge: "nginx"},
	{name: "nginx h1 -X PUT -d -L 302", needs: []string{"nginx"}, url: nginx("/r302"), args: []string{"-X", "PUT", "-d", "a=1", "-L"}, judge: "nginx"},
	{name: "nginx h1 --max-redirs 3", needs: []string{"nginx"}, url: nginx("/chain/a"), args: []string{"-L", "--max-redirs", "3"}, judge: "nginx"},
	{name: "nginx h1 default max-redirs", needs: []string{"nginx"}, url: nginx("/chain/a"), args: []string{"-L"}, judge: "nginx"},
	{name: "nginx h1 redirect loop", needs: []string{"nginx"}, url: nginx("/loop"), args: []string{"-L", "--max-redirs", "5"}, judge: "nginx"},
	{name: "nginx h1 -o missing directory", needs: []string{"nginx"}, url: nginx("/"), args: []string{"-o", "no/such/dir/body"}, judge: "nginx"},
	{name: "IPv4 short form 127.1", needs: []string{"nginx"}, url: "http://127.1:{nginx.http}/", judge: "nginx"},
	{name: "IPv4 number 2130706433", needs: []string{"nginx"}, url: "http://2130706433:{nginx.http}/", judge: "nginx"},
	{name: "nginx h1 -L to another origin drops -u", needs: []string{"nginx"}, url: nginx("/cross"), args: []string{"-L", "-u", "u:p"}, judge: "nginx"},
	{name: "nginx h1 -L --location-trusted keeps -u", needs: []string{"nginx"}, url: nginx("/cross"), args: []string{"-L", "--location-trusted", "-u", "u:p"}, judge: "nginx"},
	{name: "nginx h2 prior knowledge to an HTTP/1.1 port", needs: []string{"nginx"}, url: nginx("/"), args: []string{"--http2-prior-knowledge"}},
	{name: "connection refused", url: "http://127.0.0.1:{closed}/"},
	{name: "timeout -m 1", url: "http://127.0.0.1:{silent}/", args: []string{"-m", "1"}},

	// nginx, TLS: HTTP/2 by ALPN, the certificate cases
	{name: "nginx h2 index", needs: []string{"nginx"}, url: https("nginx.valid", "/"), args: tlsTo("nginx.valid"), judge: "nginx"},
	{name: "nginx h2 big body", needs: []string{"nginx"}, url: https("nginx.valid", "/big.bin"), args: tlsTo("nginx.valid"), judge: "nginx"},
	{name: "nginx h2 repeated headers", needs: []string{"nginx"}, url: https("nginx.valid", "/headers"), args: tlsTo("nginx.valid"), judge: "nginx"},
	{name: "nginx h2 418", needs: []string{"nginx"}, url: https("nginx.valid", "/teapot"), args: tlsTo("nginx.valid"), judge: "nginx"},
	{name: "nginx h2 HEAD -I", needs: []string{"nginx"}, url: https("nginx.valid", "/"), args: tlsTo("nginx.valid", "-I"), judge: "nginx"},
	{name: "nginx h2 -X HEAD", needs: []string{"nginx"}, url: https("nginx.valid", "/"), args: tlsTo("nginx.valid", "-X", "HEAD"), judge: "nginx"},
	{name: "nginx h2 -L 301 reuses", needs: []string{"nginx"}, url: https("nginx.valid", "/r301"), args: tlsTo("nginx.valid", "-L"), judge: "nginx"},
	{name: "nginx h2 via bind9", needs: []string{"nginx", "named"}, url: https("nginx.valid", "/headers"), args: []string{"--cacert", "{ca}"},
		rtArgs: []string{"--dns-servers", "127.0.0.1:{dns}"}, curlArgs: []string{"--resolve", "www.rt.test:{nginx.valid}:127.0.0.1"}, judge: "nginx"},
	{name: "nginx h2 --connect-to", needs: []string{"nginx"}, url: "https://www.rt.test/headers", args: []string{"--cacert", "{ca}", "--connect-to", "www.rt.test:443:127.0.0.1:{nginx.valid}"}, judge: "nginx"},
	{name: "nginx TLS --http1.1", needs: []string{"nginx"}, url: https("nginx.valid", "/headers"), args: tlsTo("nginx.valid", "--http1.1"), judge: "nginx"},
	{name: "nginx chain with intermediate", needs: []string{"nginx"}, url: https("nginx.chained", "/"), args: tlsTo("nginx.chained"), judge: "nginx"},
	{name: "nginx missing intermediate", needs: []string{"nginx"}, url: https("nginx.nochain", "/"), args: tlsTo("nginx.nochain")},
	{name: "nginx expired", needs: []string{"nginx"}, url: https("nginx.expired", "/"), args: tlsTo("nginx.expired")},
	{name: "nginx expired -k", needs: []string{"nginx"}, url: https("nginx.expired", "/"), args: tlsTo("nginx.expired", "-k"), judge: "nginx"},
	{name: "nginx not yet valid", needs: []string{"nginx"}, url: https("nginx.notyet", "/"), args: tlsTo("nginx.notyet")},
	{name: "nginx wrong name", needs: []string{"nginx"}, url: https("nginx.wrong", "/"), args: tlsTo("nginx.wrong")},
	{name: "nginx self-signed", needs: []string{"nginx"}, url: https("nginx.selfsigned", "/"), args: tlsTo("nginx.selfsigned")},
	{name: "nginx unknown CA", needs: []string{"nginx"}, url: https("nginx.valid", "/"), args: []string{"--resolve", "www.rt.test:{nginx.valid}:127.0.0.1"}},
	{name: "nginx TLS 1.2-only RSA", needs: []string{"nginx"}, url: https("nginx.tls12", "/"), args: tlsTo("nginx.tls12"), judge: "nginx"},
	{name: "nginx TLS 1.2-only with --tlsv1.3", needs: []string{"nginx"}, url: https("nginx.tls12", "/"), args: tlsTo("nginx.tls12", "--tlsv1.3")},
	{name: "nginx TLS 1.3-only", needs: []string{"nginx"}, url: https("nginx.tls13", "/"), args: tlsTo("nginx.tls13"), judge: "nginx"},
	{name: "nginx TLS 1.3-only with --tls-max 1.2", needs: []string{"nginx"}, url: https("nginx.tls13", "/"), args: tlsTo("nginx.tls13", "--tls-max", "1.2")},
	{name: "nginx mTLS without a certificate", needs: []string{"nginx"}, url: https("nginx.mtls", "/"), args: tlsTo("nginx.mtls"), judge: "nginx"},
	{name: "nginx mTLS with a certificate", needs: []string{"nginx"}, url: https("nginx.mtls", "/"), args: tlsTo("nginx.mtls", "-E", "{client.crt}", "--key", "{client.key}"), judge: "nginx"},

	// apache2: mod_headers, mod_proxy, mod_http2
	{name: "apache h1 index", needs: []string{"apache2"}, url: "http://127.0.0.1:{apache.http}/", judge: "apache2"},
	{name: "apache h1 mod_headers on a 404", needs: []string{"apache2"}, url: "http://127.0.0.1:{apache.http}/apache-headers", judge: "apache2"},
	{name: "apache h1 mod_proxy to nginx", needs: []string{"apache2"}, url: "http://127.0.0.1:{apache.http}/proxy/headers", judge: "apache2"},
	{name: "apache h1 PUT -T Expect through the proxy", needs: []string{"apache2"}, url: "http://127.0.0.1:{apache.http}/proxy/upload/apache.bin", args: []string{"-T", "{www}/big.bin"}, judge: "apache2", fresh: "upload/apache.bin"},
	{name: "apache h2 index", needs: []string{"apache2"}, url: https("apache.https", "/"), args: tlsTo("apache.https"), judge: "apache2"},
	{name: "apache h2 HEAD -I", needs: []string{"apache2"}, url: https("apache.https", "/"), args: tlsTo("apache.https", "-I"), judge: "apache2"},
	{name: "apache h2 mod_proxy", needs: []string{"apache2"}, url: https("apache.https", "/proxy/headers"), args: tlsTo("apache.https"), judge: "apache2"},

	{name: "apache CONNECT proxy to nginx TLS", needs: []string{"apache2", "nginx"}, url: "https://127.0.0.1:{nginx.valid}/", args: []string{"-x", "http://127.0.0.1:{apache.http}", "--cacert", "{ca}"}, judge: "nginx"},

	// haproxy
	{name: "haproxy h1 return", needs: []string{"haproxy"}, url: "http://127.0.0.1:{haproxy.http}/direct", judge: "haproxy"},
	{name: "haproxy h1 to nginx", needs: []string{"haproxy"}, url: "http://127.0.0.1:{haproxy.http}/headers", judge: "haproxy"},
	{name: "haproxy h2 return", needs: []string{"haproxy"}, url: https("haproxy.https", "/direct"), args: tlsTo("haproxy.https"), judge: "haproxy"},
	{name: "haproxy h2 HEAD -I", needs: []string{"haproxy"}, url: https("haproxy.https", "/headers"), args: tlsTo("haproxy.https", "-I"), judge: "haproxy"},

	// caddy
	{name: "caddy h2 static", needs: []string{"caddy"}, url: https("caddy.https", "/caddy"), args: tlsTo("caddy.https"), judge: "caddy"},
	{name: "caddy h1.1 static", needs: []string{"caddy"}, url: https("caddy.https", "/caddy"), args: tlsTo("caddy.https", "--http1.1"), judge: "caddy"},
	{name: "caddy h2 file", needs: []string{"caddy"}, url: https("caddy.https", "/index.html"), args: tlsTo("caddy.https"), judge: "caddy"},
	{name: "caddy h2 -L 308", needs: []string{"caddy"}, url: https("caddy.https", "/caddy-redirect"), args: tlsTo("caddy.https", "-L"), judge: "caddy"},
	{name: "caddy h2 HEAD -I", needs: []string{"caddy"}, url: https("caddy.https", "/caddy"), args: tlsTo("caddy.https", "-I"), judge: "caddy"},

	// python3 http.server answers HTTP/1.0
	{name: "python HTTP/1.0 index", needs: []string{"python3"}, url: "http://127.0.0.1:{python.http}/index.html"},
	{name: "python HTTP/1.0 HEAD -I", needs: []string{"python3"}, url: "http://127.0.0.1:{python.http}/index.html", args: []string{"-I"}},

	// microsocks: both tools through the same SOCKS5 proxy
	{name: "socks5 to nginx", needs: []string{"microsocks", "nginx"}, url: nginx("/"), args: []string{"-x", "socks5://127.0.0.1:{socks}"}, judge: "nginx"},
	{name: "socks5h to nginx", needs: []string{"microsocks", "nginx"}, url: "http://localhost:{nginx.http}/headers", args: []string{"-x", "socks5h://127.0.0.1:{socks}"}, judge: "nginx"},
	{name: "socks5h to nginx TLS", needs: []string{"microsocks", "nginx"}, url: "https://localhost:{nginx.valid}/", args: []string{"-x", "socks5h://127.0.0.1:{socks}", "--cacert", "{ca}"}, judge: "nginx"},
	{name: "socks5 to a closed port", needs: []string{"microsocks"}, url: "http://127.0.0.1:{closed}/", args: []string{"-x", "socks5://127.0.0.1:{socks}"}},
}
