package realtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
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
	// judge names the server whose access log must show the same request
	// from both tools ("" when the request never reaches one).
	judge string
	// headers: also compare the header_json object (off when a header's
	// value is not the same twice, beyond Date).
	noHeaderJSON bool
}

var placeholder = regexp.MustCompile(`\{([a-z0-9.]+)\}`)

// expand replaces {port-name} with the port and {ca}, {client}, {dir} with
// the files.
func expand(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		switch name {
		case "ca":
			return e.pki.CA()
		case "client.crt", "client.key", "selfsigned.crt":
			return e.pki.dir + "/" + name
		case "www":
			return e.www
		}
		return itoa(e.port(name))
	})
}

// writeOut is the -w format both tools print: curl 7.88's whole %{json}
// and the response headers as %{header_json}.
const writeOut = "%{json}\n%{header_json}\n"

func (c hcase) run(t *testing.T) {
	need(t, c.needs...)
	url := expand(c.url)
	var args []string
	for _, a := range c.args {
		args = append(args, expand(a))
	}
	id := strings.NewReplacer(" ", "-", "/", "-").Replace(c.name)
	common := []string{"-s", "-A", "realtest/1", "-D", "head", "-o", "body", "-w", writeOut}
	cu := curl(t, append(append(append([]string{}, common...), "-H", "X-Run: c-"+id), append(args, url)...)...)
	rt := reqtrace(t, append(append(append([]string{}, common...), "-H", "X-Run: r-"+id), append(args, url)...)...)
	t.Logf("curl: %s\nreqtrace: %s", cu, rt)
	d := newDiff(t, c.name)
	compareHTTP(d, rt, cu, !c.noHeaderJSON)
	if c.judge != "" && cu.code == 0 {
		compareLog(d, c.judge, id)
	}
}

func compareHTTP(d *diff, rt, cu ran, headerJSON bool) {
	d.t.Helper()
	d.eq("exit code", rt.code, cu.code)
	if h, w := normHead(rt.file("head")), normHead(cu.file("head")); h != w {
		d.eq("-D bytes", h, w)
		d.t.Logf("-D differs:%s", lineDiff(h, w))
	}
	d.eq("body bytes", rt.file("body"), cu.file("body"))
	rw, rh, err1 := splitWriteOut(rt.stdout)
	cw, ch, err2 := splitWriteOut(cu.stdout)
	if err1 != nil || err2 != nil {
		d.t.Fatalf("-w output: reqtrace %v (%q), curl %v (%q)", err1, rt.stdout, err2, cu.stdout)
	}
	compareWriteOut(d, rw, cw)
	if headerJSON {
		d.eq("w.header_json", normHeaderJSON(rh), normHeaderJSON(ch))
	}
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
		v := num(rt[k])
		if v == 0 && (k == "time_appconnect" || k == "time_starttransfer") {
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

// compareLog finds the server's access-log lines for both tools' requests
// (the X-Run header says whose) and checks the server saw the same thing.
func compareLog(d *diff, server, id string) {
	d.t.Helper()
	path := e.logs[server]
	var rt, cu string
	for try := 0; try < 50 && (rt == "" || cu == ""); try++ {
		b, _ := os.ReadFile(path)
		for _, line := range strings.Split(string(b), "\n") {
			line = accessLine(server, line)
			switch {
			case strings.HasPrefix(line, "r-"+id+"|"):
				rt = strings.TrimPrefix(line, "r-")
			case strings.HasPrefix(line, "c-"+id+"|"):
				cu = strings.TrimPrefix(line, "c-")
			}
		}
		if rt == "" || cu == "" {
			time.Sleep(20 * time.Millisecond) // haproxy logs after the response
		}
	}
	d.eq(server+" access log", rt, cu)
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

// www.rt.test resolves (--resolve, the same for both tools) to 127.0.0.1.
func rs(port string) string { return "--resolve=www.rt.test:{" + port + "}:127.0.0.1" }

var httpCases = []hcase{
	{name: "nginx h1 index", needs: []string{"nginx"}, url: "http://127.0.0.1:{nginx.http}/", judge: "nginx"},
	{name: "nginx h1 big", needs: []string{"nginx"}, url: "http://127.0.0.1:{nginx.http}/big.bin", judge: "nginx"},
}
