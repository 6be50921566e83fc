package cmd_test

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// These tests run curl 7.88 and reqtrace with the same flags against the
// same server and compare what each did: where curl is the reference,
// reqtrace behaves as curl.

// curlBinary finds curl; CI installs it, elsewhere the test is skipped.
func curlBinary(t *testing.T) string {
	t.Helper()
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl not found, and .ci/run should have installed it")
		}
		t.Skip("curl not found")
	}
	return curl
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
