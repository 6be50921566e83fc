package cmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// hopDoc is the part of a --json hop these tests read.
type hopDoc struct {
	Request struct {
		Method    string
		Target    string
		Headers   []struct{ Name, Value string }
		BodyBytes int64 `json:"body_bytes"`
	}
	Response *struct {
		Proto         string
		Status        int
		Reason        string
		Headers       []struct{ Name, Value string }
		Informational []struct {
			Status  int
			Headers []struct{ Name, Value string }
		}
	}
	Informational []struct {
		Status  int
		Reason  string
		Headers []struct{ Name, Value string }
	}
}

func traceJSON(t *testing.T, lab *tracetest.Lab, args ...string) []hopDoc {
	t.Helper()
	o := reqtrace(t, nil, append(append(labArgs(lab), "--json"), args...)...)
	var doc struct{ Hops []hopDoc }
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || len(doc.Hops) == 0 {
		t.Fatalf("%v: exit %d, %v\n%s%s", args, o.code, err, o.stdout, o.stderr)
	}
	return doc.Hops
}

func header(hs []struct{ Name, Value string }, name string) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// TestRequestShapingFlags: curl's -G, -T, -r and --oauth2-bearer, as
// curl sends them.
func TestRequestShapingFlags(t *testing.T) {
	lab := tracetest.New(t)
	dir := t.TempDir()

	// -G moves the -d data into the query, after what is there.
	hop := traceJSON(t, lab, "-G", "-d", "a=1", "--data-urlencode", "b=x y", lab.URL("http", "www.lab.test", "/echo?z=0"))[0]
	if r := hop.Request; r.Method != "GET" || r.Target != "/echo?z=0&a=1&b=x+y" || r.BodyBytes != 0 {
		t.Errorf("-G: %s %s with %d body bytes", r.Method, r.Target, r.BodyBytes)
	}
	if _, ok := header(hop.Request.Headers, "Content-Type"); ok {
		t.Error("-G sent a Content-Type")
	}
	if r := traceJSON(t, lab, "-G", "-I", "-d", "a=1", lab.URL("http", "www.lab.test", "/echo"))[0].Request; r.Method != "HEAD" || r.Target != "/echo?a=1" {
		t.Errorf("-G -I: %s %s", r.Method, r.Target)
	}

	// -T uploads with PUT; a URL ending in / gets the file's name.
	file := filepath.Join(dir, "up load.txt")
	os.WriteFile(file, []byte("twelve bytes"), 0o600)
	// The lab answers 404 there without reading: with Expect:
	// 100-continue the body is not sent (as curl); -H 'Expect:' sends it.
	hop = traceJSON(t, lab, "-T", file, "-H", "Expect:", lab.URL("http", "www.lab.test", "/files/"))[0]
	if r := hop.Request; r.Method != "PUT" || r.Target != "/files/up%20load.txt" || r.BodyBytes != 12 {
		t.Errorf("-T: %s %s with %d body bytes", r.Method, r.Target, r.BodyBytes)
	}
	if _, ok := header(hop.Request.Headers, "Content-Type"); ok {
		t.Error("-T sent a Content-Type")
	}
	if r := traceJSON(t, lab, "-T", file, "-X", "POST", lab.URL("http", "www.lab.test", "/echo"))[0].Request; r.Method != "POST" || r.Target != "/echo" {
		t.Errorf("-T -X POST to a named file: %s %s", r.Method, r.Target)
	}

	// -r asks for bytes; a -H Range wins.
	hop = traceJSON(t, lab, "-r", "0-9,-5", lab.URL("http", "www.lab.test", "/"))[0]
	if v, _ := header(hop.Request.Headers, "Range"); v != "bytes=0-9,-5" {
		t.Errorf("-r: Range %q", v)
	}
	hop = traceJSON(t, lab, "-r", "500", lab.URL("http", "www.lab.test", "/"))[0]
	if v, _ := header(hop.Request.Headers, "Range"); v != "bytes=500-" { // curl adds the dash
		t.Errorf("-r 500: Range %q", v)
	}
	hop = traceJSON(t, lab, "-r", "0-9", "-H", "Range: bytes=1-2", lab.URL("http", "www.lab.test", "/"))[0]
	if n := strings.Count(strings.ToLower(strconv.Quote(hop.Request.Target)+headerNames(hop)), "range"); n != 1 {
		t.Errorf("-r with -H Range: %d Range headers", n)
	}

	// --oauth2-bearer: hidden unless --show-secrets.
	hop = traceJSON(t, lab, "--oauth2-bearer", "tok-123", lab.URL("http", "www.lab.test", "/"))[0]
	if v, _ := header(hop.Request.Headers, "Authorization"); v != "Bearer [redacted]" {
		t.Errorf("--oauth2-bearer: Authorization %q", v)
	}
	hop = traceJSON(t, lab, "--oauth2-bearer", "tok-123", "--show-secrets", lab.URL("http", "www.lab.test", "/"))[0]
	if v, _ := header(hop.Request.Headers, "Authorization"); v != "Bearer tok-123" {
		t.Errorf("--oauth2-bearer --show-secrets: Authorization %q", v)
	}

	for _, args := range [][]string{
		{"-r", "bytes=0-9"}, {"-r", "a-b"}, {"-G", "-F", "a=b"}, {"-T", file, "-d", "x"},
		{"-u", "a:b", "--oauth2-bearer", "t"}, {"-T", filepath.Join(dir, "missing")}, {"-D", "-"},
	} {
		if o := reqtrace(t, nil, append(args, "http://example.test/")...); o.code != 2 || strings.Count(o.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line", args, o.code, o.stderr)
		}
	}
}

func headerNames(h hopDoc) string {
	var b strings.Builder
	for _, x := range h.Request.Headers {
		b.WriteString(x.Name + "\n")
	}
	return b.String()
}

// TestDumpHeader: -D writes every head received (1xx, each redirect
// hop), as curl does: the status line, the fields as received, a blank
// line; secrets hidden unless --show-secrets.
func TestDumpHeader(t *testing.T) {
	lab := tracetest.New(t)
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"redirects", []string{"-L", lab.URL("http", "www.lab.test", "/redirect/2")}},
		{"early hints h1", []string{"--http1.1", lab.URL("https", "www.lab.test", "/early-hints")}},
		{"h2", []string{"-L", lab.URL("https", "www.lab.test", "/set-cookie?sid=s3cr3t")}},
	} {
		file := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
		hops := traceJSON(t, lab, append([]string{"-D", file}, c.args...)...)
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var want strings.Builder
		head := func(first string, hs []struct{ Name, Value string }) {
			want.WriteString(first + "\r\n")
			for _, h := range hs {
				want.WriteString(h.Name + ": " + h.Value + "\r\n")
			}
			want.WriteString("\r\n")
		}
		for _, h := range hops {
			r := h.Response
			line := func(status int, reason string) string {
				if r.Proto == "HTTP/2.0" {
					return "HTTP/2 " + strconv.Itoa(status) + " " // curl's line, space kept
				}
				return strings.TrimSpace(r.Proto + " " + strconv.Itoa(status) + " " + reason)
			}
			for _, in := range h.Informational {
				head(line(in.Status, in.Reason), in.Headers)
			}
			head(line(r.Status, r.Reason), r.Headers)
		}
		if string(got) != want.String() {
			t.Errorf("%s: -D wrote\n%q\nwant\n%q", c.name, got, want.String())
		}
		if c.name == "redirects" && strings.Count(string(got), "\r\n\r\n") != 3 {
			t.Errorf("%s: want 3 heads:\n%s", c.name, got)
		}
		if c.name == "early hints h1" && !strings.HasPrefix(string(got), "HTTP/1.1 103") {
			t.Errorf("%s: the 103 head is missing:\n%s", c.name, got)
		}
		if c.name == "h2" && (!strings.HasPrefix(string(got), "HTTP/2 302 \r\n") || !strings.Contains(string(got), "[redacted]") || strings.Contains(string(got), "s3cr3t")) {
			t.Errorf("%s: want an HTTP/2 status line and Set-Cookie values hidden:\n%s", c.name, got)
		}
	}
}

// TestCookieJarRoundTrip: -c saves the cookies a server set (the engine
// on by -c alone, as in curl), in a file only the user can read, and -b
// sends them back on the next run.
func TestCookieJarRoundTrip(t *testing.T) {
	lab := tracetest.New(t)
	jar := filepath.Join(t.TempDir(), "jar.txt")
	o := reqtrace(t, nil, append(labArgs(lab), "-c", jar, lab.URL("http", "www.lab.test", "/set-cookie?sid=s3cr3t&theme=dark"))...)
	if o.code != 0 {
		t.Fatalf("-c: exit %d %s", o.code, o.stderr)
	}
	b, err := os.ReadFile(jar)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"www.lab.test\tFALSE\t/\tFALSE\t0\tsid\ts3cr3t\n", "www.lab.test\tFALSE\t/\tFALSE\t0\ttheme\tdark\n"} {
		if !strings.Contains(string(b), line) {
			t.Errorf("jar lacks %q:\n%s", line, b)
		}
	}
	if st, _ := os.Stat(jar); st.Mode().Perm()&0o077 != 0 {
		t.Errorf("jar mode %v: others may read the cookies", st.Mode().Perm())
	}
	hop := traceJSON(t, lab, "-b", jar, "--show-secrets", lab.URL("http", "www.lab.test", "/echo"))[0]
	if v, _ := header(hop.Request.Headers, "Cookie"); v != "sid=s3cr3t; theme=dark" && v != "theme=dark; sid=s3cr3t" {
		t.Errorf("-b jar sent Cookie %q", v)
	}
	if o := reqtrace(t, nil, "-c", "-", "http://example.test/"); o.code != 2 {
		t.Errorf("-c -: exit %d", o.code)
	}
}

// TestSOCKSProxyCLI: -x socks5h:// and ALL_PROXY=socks5:// reach the
// server; a refusal is curl's exit 97.
func TestSOCKSProxyCLI(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "www.lab.test", "/")
	if o := reqtrace(t, nil, append(labArgs(lab), "-x", lab.SOCKSURL("socks5h"), url)...); o.code != 0 || !strings.Contains(o.stdout, "Proxy handshake") {
		t.Errorf("-x socks5h: exit %d %s\n%s", o.code, o.stderr, o.stdout)
	}
	if o := reqtrace(t, []string{"ALL_PROXY=" + lab.SOCKSURL("socks5")}, append(labArgs(lab), url)...); o.code != 0 {
		t.Errorf("ALL_PROXY=socks5: exit %d %s", o.code, o.stderr)
	}
	o := reqtrace(t, nil, append(labArgs(lab), "-x", lab.SOCKSURL("socks5h"), lab.URL("https", "deny.lab.test", "/"))...)
	if o.code != 97 || !strings.Contains(o.stderr, "not allowed by the proxy's rules") {
		t.Errorf("refused by the SOCKS proxy: exit %d, stderr %q", o.code, o.stderr)
	}
	if o := reqtrace(t, nil, "-x", "socks4://127.0.0.1:1080", "http://example.test/"); o.code != 2 {
		t.Errorf("socks4: exit %d", o.code)
	}
}
