package cmd_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// These tests run curl 7.88 and reqtrace with the same flags against the
// same server and compare what each did: where curl is the reference,
// reqtrace behaves as curl.

// curlBinary finds curl; CI installs it, elsewhere the test is skipped.
func curlBinary(t *testing.T) string {
	t.Helper()
	return need(t, "curl", "curl")
}

// runCurl runs curl with args and returns its exit code and stdout.
func runCurl(t *testing.T, curl string, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(curl, args...).Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// labResolve is the --resolve entry that points host at the lab's port
// for scheme, for curl and reqtrace alike.
func labResolve(lab *tracetest.Lab, scheme, host string) string {
	port := lab.HTTPPort
	if scheme == "https" {
		port = lab.HTTPSPort
	}
	return host + ":" + strconv.Itoa(port) + ":127.0.0.1"
}

// TestHeadAsCurl: -I reads no body, whatever Content-Length says, over
// HTTP/1.1 and HTTP/2, as curl -I; -X HEAD and cors -I too (curl -X HEAD
// waits for the body Content-Length announces: a curl quirk, not copied).
func TestHeadAsCurl(t *testing.T) {
	curl := curlBinary(t)
	lab := tracetest.New(t)
	const format = "%{http_code} %{http_version} %{size_download}"
	for _, scheme := range []string{"http", "https"} {
		url := lab.URL(scheme, "www.lab.test", "/bytes/100")
		args := []string{"-s", "-m", "20", "-o", os.DevNull, "--cacert", lab.CAFile, "--resolve", labResolve(lab, scheme, "www.lab.test"), "-w", format}
		code, want := runCurl(t, curl, append(args, "-I", url)...)
		for _, head := range [][]string{{"-I"}, {"-X", "HEAD"}} {
			o := reqtrace(t, nil, append(append(args, head...), url)...)
			if o.code != code || o.stdout != want {
				t.Errorf("%s %v: curl -I exit %d %q, reqtrace exit %d %q %s", scheme, head, code, want, o.code, o.stdout, o.stderr)
			}
		}
	}
	o := reqtrace(t, nil, append(labArgs(lab), "cors", "-m", "20", "-I", "--origin", "https://app.example", lab.URL("https", "www.lab.test", "/bytes/100"))...)
	if o.code != 0 {
		t.Errorf("cors -I over HTTP/2: exit %d %s", o.code, o.stderr)
	}
}

// replyServer answers every connection with reply after reading the
// request head, then closes it; it returns "127.0.0.1:PORT".
func replyServer(t *testing.T, reply string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				var got []byte
				for !bytes.Contains(got, []byte("\r\n\r\n")) {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					got = append(got, buf[:n]...)
				}
				c.Write([]byte(reply))
			}()
		}
	}()
	return l.Addr().String()
}

// dateLine matches a Date field: curl and reqtrace ask a second apart.
var dateLine = regexp.MustCompile(`(?im)^date: .*\r\n`)

// TestDumpHeaderAsCurl: -D writes the bytes curl -D writes, and
// size_header counts what curl counts: 1xx phrases (an empty one too),
// HTTP/1.0 kept, an empty reason left empty, chunked trailers after the
// head, curl's "HTTP/2 200 " line, the proxy's CONNECT answer.
func TestDumpHeaderAsCurl(t *testing.T) {
	curl := curlBinary(t)
	lab := tracetest.New(t)
	h1 := "http://" + replyServer(t, "HTTP/1.1 100 Continue Please\r\n\r\nHTTP/1.1 103 \r\nLink: </a.css>\r\n\r\n"+
		"HTTP/1.1 418\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 900150983cd2\r\nX-Done: yes\r\n\r\n") + "/"
	h10 := "http://" + replyServer(t, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok") + "/"
	h2 := lab.URL("https", "www.lab.test", "/early-hints")
	resolve := []string{"--cacert", lab.CAFile, "--resolve", labResolve(lab, "https", "www.lab.test")}
	cases := []struct {
		name string
		args []string
	}{
		{"1xx, no phrase, trailers", []string{h1}},
		{"HTTP/1.0", []string{h10}},
		{"HTTP/2 with a 103", append(resolve, h2)},
		{"HTTP/1.1 over TLS", append(resolve, "--http1.1", h2)},
		{"CONNECT through a proxy", append(resolve, "-x", lab.ProxyURL(), h2)},
		{"HTTP/2 trailers", append(resolve, lab.URL("https", "www.lab.test", "/trailers"))},
		{"HTTP/1.1 chunked trailers", append(resolve, "--http1.1", lab.URL("https", "www.lab.test", "/trailers"))},
	}
	const format = "%{http_code} %{size_header}"
	for _, c := range cases {
		dir := t.TempDir()
		cd, rd := filepath.Join(dir, "curl"), filepath.Join(dir, "reqtrace")
		code, want := runCurl(t, curl, append([]string{"-s", "-m", "20", "-o", os.DevNull, "-D", cd, "-w", format}, c.args...)...)
		o := reqtrace(t, nil, append([]string{"-s", "-m", "20", "-o", os.DevNull, "-D", rd, "-w", format}, c.args...)...)
		if o.code != code || o.stdout != want {
			t.Errorf("%s: curl exit %d %q, reqtrace exit %d %q %s", c.name, code, want, o.code, o.stdout, o.stderr)
		}
		cb, _ := os.ReadFile(cd)
		rb, _ := os.ReadFile(rd)
		if cs, rs := dateLine.ReplaceAllString(string(cb), ""), dateLine.ReplaceAllString(string(rb), ""); cs != rs {
			t.Errorf("%s: -D differs\ncurl:     %q\nreqtrace: %q", c.name, cs, rs)
		}
	}

	// The report and the JSON keep the server's (empty) phrase, the 1xx
	// phrases and the trailers.
	o := reqtrace(t, nil, h1)
	if !strings.Contains(o.stdout, "HTTP/1.1 418  at") || !strings.Contains(o.stdout, "100 Continue Please  at") ||
		!strings.Contains(o.stdout, "X-Checksum: 900150983cd2") {
		t.Errorf("report:\n%s", o.stdout)
	}
	var doc struct {
		Hops []struct {
			Informational []struct{ Reason string }
			Response      struct {
				Reason   string
				Trailers []struct{ Name, Value string }
			}
		}
	}
	o = reqtrace(t, nil, "--json", h1)
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || len(doc.Hops) != 1 {
		t.Fatalf("json: %v\n%s", err, o.stdout)
	}
	hop := doc.Hops[0]
	if hop.Response.Reason != "" || len(hop.Informational) != 2 || hop.Informational[0].Reason != "Continue Please" || hop.Informational[1].Reason != "" ||
		len(hop.Response.Trailers) != 2 || hop.Response.Trailers[1].Name != "X-Done" || hop.Response.Trailers[1].Value != "yes" {
		t.Errorf("json hop: %+v", hop)
	}
}

// seen is one request a logServer received: the request line, the header
// lines as they came (User-Agent left out: it names the client), the body
// size, and whether the server sent 100 Continue first.
type seen struct {
	line      string
	headers   []string
	body      int
	continued bool
}

// logServer is an HTTP/1.1 server that logs every request as received.
// /rNNN answers NNN with Location ?to= (default /final); anything else is
// a 200. An Expect: 100-continue gets its 100 before the body is read.
type logServer struct {
	addr string
	mu   sync.Mutex
	log  []seen
}

func newLogServer(t *testing.T) *logServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &logServer{addr: l.Addr().String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *logServer) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		r := seen{line: strings.TrimRight(line, "\r\n")}
		length := 0
		for {
			h, err := br.ReadString('\n')
			if err != nil {
				return
			}
			h = strings.TrimSuffix(strings.TrimSuffix(h, "\n"), "\r")
			if h == "" {
				break
			}
			name, value, _ := strings.Cut(h, ":")
			switch strings.ToLower(name) {
			case "user-agent":
				continue
			case "content-length":
				length, _ = strconv.Atoi(strings.TrimSpace(value))
			case "expect":
				r.continued = true
			}
			r.headers = append(r.headers, h)
		}
		if r.continued {
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
		}
		n, _ := io.CopyN(io.Discard, br, int64(length))
		r.body = int(n)
		s.mu.Lock()
		s.log = append(s.log, r)
		s.mu.Unlock()
		target := strings.Fields(r.line)[1]
		u, _ := url.Parse(target)
		if code, ok := strings.CutPrefix(u.Path, "/r"); ok {
			to := cmpStr(u.Query().Get("to"), "/final")
			fmt.Fprintf(c, "HTTP/1.1 %s Moved\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n", code, to)
			continue
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	}
}

func cmpStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// take returns the requests logged so far and clears the log.
func (s *logServer) take() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.log
	s.log = nil
	return out
}

// TestRequestsAsCurl sends the same request with curl and with reqtrace
// to servers that log what they receive, and compares the requests hop by
// hop: method, target, header lines byte for byte (User-Agent aside),
// body size, Expect: 100-continue.
func TestRequestsAsCurl(t *testing.T) {
	curl := curlBinary(t)
	a, b := newLogServer(t), newLogServer(t)
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small"), filepath.Join(dir, "big")
	os.WriteFile(small, []byte("hello"), 0o644)
	os.WriteFile(big, bytes.Repeat([]byte("x"), 1<<20+1), 0o644)
	ua := "http://" + a.addr
	other := url.QueryEscape("http://" + b.addr + "/final")
	cases := []struct {
		name string
		args []string
	}{
		{"-H as typed", []string{"-H", "X-A:1", "-H", "X-B:  2 ", "-H", "x-lower: v", ua + "/h"}},
		{"-X POST -L 301", []string{"-X", "POST", "-d", "x", "-L", ua + "/r301"}},
		{"-X POST -L 302", []string{"-X", "POST", "-d", "x", "-L", ua + "/r302"}},
		{"-X POST -L 303", []string{"-X", "POST", "-d", "x", "-L", ua + "/r303"}},
		{"-X POST -L 307", []string{"-X", "POST", "-d", "x", "-L", ua + "/r307"}},
		{"-X PUT -d -L 302", []string{"-X", "PUT", "-d", "x", "-L", ua + "/r302"}},
		{"-d -L 302", []string{"-d", "x", "-L", ua + "/r302"}},
		{"-T -L 302", []string{"-T", small, "-L", ua + "/r302"}},
		{"-T -L 303", []string{"-T", small, "-L", ua + "/r303"}},
		{"-X POST -T", []string{"-X", "POST", "-T", small, ua + "/t"}},
		{"-T over 1 MiB", []string{"-T", big, ua + "/t"}},
		{"-d over 1 MiB", []string{"--data-binary", "@" + big, ua + "/p"}},
		{"-d of 1 MiB", []string{"--data-binary", "@" + big, "-H", "Expect:", ua + "/p"}},
		{"-u -L to another host", []string{"-u", "u:p", "-L", ua + "/r302?to=" + other}},
		{"-u --location-trusted", []string{"-u", "u:p", "--location-trusted", ua + "/r302?to=" + other}},
		{"-H Authorization --location-trusted", []string{"-H", "Authorization: Bearer t", "--location-trusted", ua + "/r302?to=" + other}},
	}
	for _, c := range cases {
		args := append([]string{"-s", "-m", "20", "-o", os.DevNull}, c.args...)
		code, _ := runCurl(t, curl, args...)
		want := append(a.take(), b.take()...)
		o := reqtrace(t, nil, args...)
		got := append(a.take(), b.take()...)
		if o.code != code {
			t.Errorf("%s: curl exit %d, reqtrace exit %d %s", c.name, code, o.code, o.stderr)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\n curl     %+v\n reqtrace %+v", c.name, want, got)
		}
	}
}

// TestRedirectLimitAndSchemeAsCurl: -L follows up to 50 redirects by
// default, as curl (the contract's 10 was not curl's), --max-redirs still
// stops it with exit 47, and %{scheme} prints what curl 7.88 prints.
func TestRedirectLimitAndSchemeAsCurl(t *testing.T) {
	curl := curlBinary(t)
	lab := tracetest.New(t)
	for _, c := range []struct {
		scheme string
		args   []string
	}{
		{"http", []string{"-L"}},
		{"http", []string{"-L", "--max-redirs", "3"}},
		{"https", []string{"-L"}},
	} {
		args := append([]string{"-s", "-m", "20", "-o", os.DevNull, "--cacert", lab.CAFile, "--resolve", labResolve(lab, c.scheme, "www.lab.test"),
			"-w", "%{scheme} %{num_redirects} %{http_code}"}, c.args...)
		args = append(args, lab.URL(c.scheme, "www.lab.test", "/redirect/12"))
		code, want := runCurl(t, curl, args...)
		o := reqtrace(t, nil, args...)
		if o.code != code || o.stdout != want {
			t.Errorf("%s %v: curl exit %d %q, reqtrace exit %d %q %s", c.scheme, c.args, code, want, o.code, o.stdout, o.stderr)
		}
	}
}

// TestOutputAndFailedHAR: -o into a folder that does not exist exits 23,
// as curl does; a request that failed keeps its method in the HAR.
func TestOutputAndFailedHAR(t *testing.T) {
	curl := curlBinary(t)
	s := newLogServer(t)
	out := filepath.Join(t.TempDir(), "no", "such", "dir", "f")
	code, _ := runCurl(t, curl, "-s", "-m", "20", "-o", out, "http://"+s.addr+"/x")
	if o := reqtrace(t, nil, "-s", "-m", "20", "-o", out, "http://"+s.addr+"/x"); o.code != code || code != 23 {
		t.Errorf("-o into a missing folder: curl exit %d, reqtrace exit %d %s", code, o.code, o.stderr)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	har := filepath.Join(t.TempDir(), "t.har")
	if o := reqtrace(t, nil, "-X", "PUT", "-d", "x", "--har", har, "http://"+refused+"/"); o.code != 7 {
		t.Fatalf("exit %d %s", o.code, o.stderr)
	}
	b, err := os.ReadFile(har)
	var doc struct {
		Log struct {
			Entries []struct {
				Request struct{ Method string }
			}
		}
	}
	if err != nil || json.Unmarshal(b, &doc) != nil || len(doc.Log.Entries) != 1 || doc.Log.Entries[0].Request.Method != "PUT" {
		t.Errorf("HAR of a failed PUT: %v %s", err, b)
	}
}
