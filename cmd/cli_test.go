package cmd_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// These tests build the real binary once and run it as a user would,
// against the in-process lab on 127.0.0.1.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reqtrace-cli")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "reqtrace")
	build := exec.Command("go", "build", "-o", binary, "../")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building reqtrace:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type outcome struct {
	code           int
	stdout, stderr string
}

// reqtrace runs the binary with args; env entries are added to a minimal
// environment.
func reqtrace(t *testing.T, env []string, args ...string) outcome {
	t.Helper()
	c := exec.Command(binary, args...)
	c.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	o := outcome{code, out.String(), errb.String()}
	for _, bad := range []string{"panic", "goroutine ", ".go:"} {
		if strings.Contains(o.stderr, bad) {
			t.Errorf("stderr looks like a crash (%q):\n%s", bad, o.stderr)
		}
	}
	return o
}

// labArgs points the binary at the lab's DNS server and CA.
func labArgs(lab *tracetest.Lab) []string {
	return []string{"--dns-servers", lab.DNSAddr, "--cacert", lab.CAFile}
}

func TestTraceJSON(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "www.lab.test", "/")
	for _, args := range [][]string{{"--json", url}, {"trace", "--json", url}} {
		o := reqtrace(t, nil, append(labArgs(lab), args...)...)
		if o.code != 0 || o.stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, o.code, o.stderr)
		}
		var doc map[string]any
		dec := json.NewDecoder(strings.NewReader(o.stdout))
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, o.stdout)
		}
		if dec.More() {
			t.Errorf("stdout holds more than one JSON document")
		}
		hop := doc["hops"].([]any)[0].(map[string]any)
		resp := hop["response"].(map[string]any)
		if doc["schema"] != "reqtrace.trace/v1" || doc["url"] != url || doc["error"] != nil || resp["status"] != 200.0 || resp["proto"] != "HTTP/2.0" {
			t.Errorf("%v: unexpected document: %v", args, o.stdout)
		}
		tm := hop["timings_ms"].(map[string]any)
		for _, k := range []string{"dns", "connect", "tls", "send", "wait", "receive", "total"} {
			if _, ok := tm[k].(float64); !ok {
				t.Errorf("timings_ms.%s = %v", k, tm[k])
			}
		}
	}
}

func TestTextOutput(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("http", "alias.lab.test", "/")
	plain := reqtrace(t, nil, append(labArgs(lab), url)...)
	if plain.code != 0 || strings.Contains(plain.stdout, "\x1b") {
		t.Fatalf("exit %d; piped output must have no escape codes:\n%s", plain.code, plain.stdout)
	}
	for _, want := range []string{"DNS lookup", "TCP connect", "Waiting", "200 OK", "CNAME", "hello"} {
		if want == "hello" {
			continue // the body is shown only with -v
		}
		if !strings.Contains(plain.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, plain.stdout)
		}
	}
	colored := reqtrace(t, []string{"NO_COLOR=1"}, append(labArgs(lab), "--color", "always", url)...)
	if !strings.Contains(colored.stdout, "\x1b[") {
		t.Errorf("--color always gave no colour")
	}
	verbose := reqtrace(t, nil, append(labArgs(lab), "-v", url)...)
	if !strings.Contains(verbose.stdout, "User-Agent") || !strings.Contains(verbose.stdout, "hello from the reqtrace lab") {
		t.Errorf("-v lacks the request headers or the body preview:\n%s", verbose.stdout)
	}
}

func TestExitCodes(t *testing.T) {
	lab := tracetest.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	https := func(host, path string) string { return lab.URL("https", host, path) }
	cases := []struct {
		name string
		args []string
		code int
		err  string // in stderr (JSON mode) and, as kind, in the JSON
	}{
		{"ok", []string{https("www.lab.test", "/")}, 0, ""},
		{"404 without --fail", []string{https("www.lab.test", "/status/404")}, 0, ""},
		{"404 with --fail", []string{"-f", https("www.lab.test", "/status/404")}, 22, ""},
		{"nxdomain", []string{https("nxdomain.lab.test", "/")}, 6, "nxdomain"},
		{"servfail", []string{https("servfail.lab.test", "/")}, 6, "servfail"},
		{"refused connection", []string{"http://127.0.0.1:" + closedPort + "/"}, 7, "connection_refused"},
		{"expired", []string{https("expired.lab.test", "/")}, 60, "expired"},
		{"wrong name", []string{https("wrong.lab.test", "/")}, 60, "hostname_mismatch"},
		{"untrusted", []string{https("untrusted.lab.test", "/")}, 60, "unknown_authority"},
		{"insecure", []string{"-k", https("expired.lab.test", "/")}, 0, ""},
		{"tls on a plain port", []string{"https://www.lab.test:" + strconv.Itoa(lab.HTTPPort) + "/"}, 35, "handshake"},
		{"max-time", []string{"-m", "0.3", https("www.lab.test", "/wait/3000")}, 28, "timeout"},
		{"dns timeout", []string{"--connect-timeout", "0.3", https("timeout.lab.test", "/")}, 28, "dns_timeout"},
		{"redirect followed", []string{"-L", https("www.lab.test", "/redirect/2")}, 0, ""},
		{"redirect loop", []string{"-L", https("www.lab.test", "/loop")}, 47, "too_many_redirects"},
		{"max-redirs", []string{"-L", "--max-redirs", "1", https("www.lab.test", "/redirect/3")}, 47, "too_many_redirects"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := reqtrace(t, nil, append(append(labArgs(lab), "--json"), c.args...)...)
			if o.code != c.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", o.code, c.code, o.stdout, o.stderr)
			}
			var doc struct {
				Error *struct{ Kind, Message, Hint, Phase string } `json:"error"`
			}
			if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil {
				t.Fatalf("stdout is not JSON: %v", err)
			}
			if c.err == "" {
				if doc.Error != nil {
					t.Errorf("error = %+v", doc.Error)
				}
				return
			}
			if doc.Error == nil || doc.Error.Kind != c.err || doc.Error.Hint == "" {
				t.Errorf("error = %+v, want kind %s with a hint", doc.Error, c.err)
			}
			if lines := strings.Count(strings.TrimSpace(o.stderr), "\n") + 1; !strings.HasPrefix(o.stderr, "reqtrace: ") || lines > 2 {
				t.Errorf("stderr should be one line and a hint:\n%s", o.stderr)
			}
		})
	}
}

func TestBadInputExits2(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ftp://example.test/"}, `scheme "ftp" is not supported`},
		{[]string{"http://exa mple.test/"}, "spaces"},
		{[]string{"-H", "no colon", "http://example.test/"}, "bad header"},
		{[]string{"http://1.2.3.256/"}, "looks like an IPv4 address but is not one"},
		{[]string{"http://a\u202eb.example.test/"}, "not a valid internationalized domain name"},
		{[]string{"--resolve", "example.test:443", "http://example.test/"}, "HOST:PORT:ADDR"},
		{[]string{"--dns-servers", "dns.example", "http://example.test/"}, "--dns-servers"},
		{[]string{"--cacert", "/nonexistent/ca.pem", "https://example.test/"}, "cannot read --cacert"},
		{[]string{"-d", "@/nonexistent/body", "http://example.test/"}, "cannot read -d"},
		{[]string{"-u", "alice", "http://example.test/"}, "USER:PASSWORD"},
		{[]string{"--color", "pink", "http://example.test/"}, "--color"},
		{[]string{"-m", "-1", "http://example.test/"}, "max-time"},
		{[]string{"-m", "abc", "http://example.test/"}, `"-m, --max-time" flag: not a number`},
		{[]string{"-n", "99999999999999999999", "http://example.test/"}, "flag: the number is too large"},
		{[]string{"--no-such-flag", "http://example.test/"}, "unknown flag"},
		{[]string{"-4", "-6", "http://example.test/"}, "cannot be used together"},
		{[]string{"trce"}, `did you mean "trace"`},
		{[]string{"trace"}, "accepts 1 arg"},
	}
	for _, c := range cases {
		o := reqtrace(t, nil, c.args...)
		if o.code != 2 || o.stdout != "" || !strings.Contains(o.stderr, c.want) || strings.Count(o.stderr, "\n") > 2 || strings.Contains(o.stderr, "strconv") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, o.code, o.stdout, o.stderr, c.want)
		}
	}
}

func TestVersionDemoCompletion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if o := reqtrace(t, nil, args...); o.code != 0 || !strings.HasPrefix(o.stdout, "reqtrace ") {
			t.Errorf("%v: %+v", args, o)
		}
	}
	o := reqtrace(t, nil, "demo")
	if o.code != 0 || !strings.Contains(o.stdout, "demo 7/7") || !strings.Contains(o.stdout, "expired") || !strings.Contains(o.stdout, "reqtrace page ") || strings.Contains(o.stdout, "\x1b") {
		t.Errorf("demo: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
	// the HTTP/3 stop next to the HTTP/2 one, and the comparison
	if !strings.Contains(o.stdout, "HTTP/3.0 · TLS 1.3") || !strings.Contains(o.stdout, "QUIC handshake ") || !regexp.MustCompile(`\n  HTTP/3    200 `).MatchString(o.stdout) {
		t.Errorf("demo: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
	if o := reqtrace(t, nil, "completion", "bash"); o.code != 0 || !strings.Contains(o.stdout, "reqtrace") {
		t.Errorf("completion: exit %d", o.code)
	}
	if o := reqtrace(t, nil, "__complete", "--color", ""); !strings.Contains(o.stdout, "always") {
		t.Errorf("--color completion: %q", o.stdout)
	}
}

func TestExplain(t *testing.T) {
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"explain", "404"}, 0, "404 Not Found"},
		{[]string{"explain", "413"}, 0, "413 Content Too Large"},
		{[]string{"explain", "4xx"}, 0, "fix the request"},
		{[]string{"explain", "Cache-Control"}, 0, "max-age"},
		{[]string{"explain", "patch"}, 0, "RFC 5789"},
		{[]string{"explain", "599"}, 0, "599"},
		{[]string{"explain", "--list", "method"}, 0, "PATCH"},
		{[]string{"explain", "--json", "PATCH"}, 0, `"idempotent": false`},
	}
	for _, c := range cases {
		o := reqtrace(t, nil, c.args...)
		if o.code != c.code || !strings.Contains(o.stdout, c.out) {
			t.Errorf("%v: exit %d, stdout %q", c.args, o.code, o.stdout)
		}
	}
	o := reqtrace(t, nil, "explain", "cache-contrl")
	if o.code != 2 || o.stdout != "" || !strings.Contains(o.stderr, "did you mean Cache-Control") {
		t.Errorf("unknown topic: exit %d, stderr %q", o.code, o.stderr)
	}
	if o := reqtrace(t, nil, "explain", "600"); o.code != 2 {
		t.Errorf("600: exit %d", o.code)
	}
	if o := reqtrace(t, nil, "__complete", "explain", "cache-"); !strings.Contains(o.stdout, "Cache-Control") {
		t.Errorf("completion: %q", o.stdout)
	}
}

func TestRepeatRuns(t *testing.T) {
	lab := tracetest.New(t)
	o := reqtrace(t, nil, append(labArgs(lab), "-n", "3", "--json", lab.URL("https", "www.lab.test", "/"))...)
	var doc struct {
		Schema string           `json:"schema"`
		Hops   []map[string]any `json:"hops"`
		Runs   []struct {
			Hops []struct {
				Connect struct{ Reused bool } `json:"connect"`
			} `json:"hops"`
		} `json:"runs"`
		Stats struct {
			Runs  int             `json:"runs"`
			Warm  struct{ N int } `json:"warm"`
			Phase map[string]any  `json:"phases"`
		} `json:"stats"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || o.code != 0 {
		t.Fatalf("exit %d, %v\n%s", o.code, err, o.stdout)
	}
	if doc.Schema != "reqtrace.trace/v1" || len(doc.Hops) != 1 || len(doc.Runs) != 3 || doc.Stats.Runs != 3 || doc.Stats.Warm.N != 2 ||
		doc.Runs[0].Hops[0].Connect.Reused || !doc.Runs[2].Hops[0].Connect.Reused {
		t.Errorf("unexpected series document:\n%s", o.stdout)
	}
	text := reqtrace(t, nil, append(labArgs(lab), "-n", "3", "--fresh", lab.URL("http", "www.lab.test", "/"))...)
	if text.code != 0 || !strings.Contains(text.stdout, "Statistics  3 runs") || strings.Contains(text.stdout, "reused #") {
		t.Errorf("--fresh text:\n%s", text.stdout)
	}
	if o := reqtrace(t, nil, "-n", "0", "http://example.test/"); o.code != 2 {
		t.Errorf("-n 0: exit %d", o.code)
	}
}

func TestInterruptPrintsStatsSoFar(t *testing.T) {
	lab := tracetest.New(t)
	c := exec.Command(binary, append(labArgs(lab), "-n", "1000", "--interval", "0.05", lab.URL("http", "www.lab.test", "/"))...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	c.Process.Signal(os.Interrupt)
	err := c.Wait()
	ee, _ := err.(*exec.ExitError)
	if ee == nil || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "Statistics") || !strings.Contains(out.String(), "interrupted") || !strings.Contains(errb.String(), "interrupted after") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	}
}

func TestWriteOut(t *testing.T) {
	lab := tracetest.New(t)
	o := reqtrace(t, nil, append(labArgs(lab), "-L", "-w", "%{http_code} %{num_redirects} %{http_version}\\n%{json}",
		lab.URL("https", "www.lab.test", "/redirect/2"))...)
	first, rest, _ := strings.Cut(o.stdout, "\n")
	if o.code != 0 || first != "200 2 2" {
		t.Fatalf("exit %d, first line %q", o.code, first)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(rest), &doc); err != nil || doc["http_code"] != 200.0 || doc["time_total"].(float64) <= 0 {
		t.Errorf("%%{json}: %v %v", err, rest)
	}
	fail := reqtrace(t, nil, append(labArgs(lab), "-f", "-w", "%{http_code} %{exitcode}", lab.URL("http", "www.lab.test", "/status/404"))...)
	if fail.code != 22 || fail.stdout != "404 22" {
		t.Errorf("--fail -w: exit %d stdout %q", fail.code, fail.stdout)
	}
	if o := reqtrace(t, nil, "--json", "-w", "x", "http://example.test/"); o.code != 2 {
		t.Errorf("--json with -w: exit %d", o.code)
	}
}

func TestProxyFlagsAndEnvironment(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "proxydelay-20.www.lab.test", "/")
	for _, c := range []struct {
		env  []string
		args []string
		src  string
	}{
		{nil, []string{"-x", lab.ProxyURL()}, "-x"},
		{[]string{"HTTPS_PROXY=" + lab.ProxyURL()}, nil, "HTTPS_PROXY"},
		{[]string{"https_proxy=" + lab.ProxyURL(), "NO_PROXY=other.test"}, nil, "https_proxy"},
	} {
		o := reqtrace(t, c.env, append(append(labArgs(lab), c.args...), "--json", url)...)
		var doc struct {
			Hops []struct {
				Proxy     *struct{ Source string } `json:"proxy"`
				TimingsMS map[string]float64       `json:"timings_ms"`
			} `json:"hops"`
		}
		if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || o.code != 0 {
			t.Fatalf("%v %v: exit %d %v\n%s", c.env, c.args, o.code, err, o.stderr)
		}
		h := doc.Hops[0]
		if h.Proxy == nil || h.Proxy.Source != c.src || h.TimingsMS["proxy"] < 20 {
			t.Errorf("%v %v: proxy %+v timings %v", c.env, c.args, h.Proxy, h.TimingsMS)
		}
	}
	bypass := reqtrace(t, []string{"HTTPS_PROXY=" + lab.ProxyURL()}, append(labArgs(lab), "--noproxy", "lab.test", "--json", url)...)
	if strings.Contains(bypass.stdout, `"source": "HTTPS_PROXY"`) {
		t.Errorf("--noproxy ignored")
	}
	auth := reqtrace(t, nil, append(labArgs(lab), "-x", lab.ProxyURL(), lab.URL("https", "auth.lab.test", "/"))...)
	if auth.code != 56 || !strings.Contains(auth.stderr, "407") {
		t.Errorf("proxy auth: exit %d %s", auth.code, auth.stderr)
	}
	if o := reqtrace(t, nil, "-x", "socks4://127.0.0.1:1", "http://example.test/"); o.code != 2 {
		t.Errorf("socks4 proxy: exit %d", o.code)
	}
}

func TestSecretsAreHidden(t *testing.T) {
	lab := tracetest.New(t)
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX3NlY3JldA"
	har := filepath.Join(t.TempDir(), "out.har")
	args := append(labArgs(lab), "-u", "alice:hunter2", "-b", "sid=cookiesecret", "-H", "X-Token: "+jwt, "-v", "--har", har,
		lab.URL("https", "www.lab.test", "/set-cookie?session=setsecret&next=/echo"))
	for _, mode := range [][]string{nil, {"--json"}, {"-w", "%header{set-cookie} %{json}"}} {
		o := reqtrace(t, nil, append(append([]string{}, mode...), args...)...)
		b, _ := os.ReadFile(har)
		// (setsecret is in the URL's query too; only its Set-Cookie line must hide it)
		if !strings.Contains(o.stdout, "session=[redacted]") {
			t.Errorf("%v: the Set-Cookie value is not hidden", mode)
		}
		for _, secret := range []string{"hunter2", "YWxpY2U6aHVudGVyMg", "cookiesecret", "c2lnbmF0dXJlX3NlY3JldA"} {
			if strings.Contains(o.stdout, secret) || strings.Contains(string(b), secret) {
				t.Errorf("%v: %q leaked (stdout or HAR)", mode, secret)
			}
		}
		if o.code != 0 || !strings.Contains(o.stdout+string(b), "[redacted]") {
			t.Errorf("%v: exit %d, nothing redacted", mode, o.code)
		}
	}
	shown := reqtrace(t, nil, append([]string{"--show-secrets"}, args...)...)
	if !strings.Contains(shown.stdout, "YWxpY2U6aHVudGVyMg") || !strings.Contains(shown.stdout, "setsecret") {
		t.Errorf("--show-secrets did not show them:\n%s", shown.stdout)
	}
}

func TestHARRoundTrip(t *testing.T) {
	lab := tracetest.New(t)
	file := filepath.Join(t.TempDir(), "trace.har")
	o := reqtrace(t, nil, append(labArgs(lab), "-L", "--har", file, lab.URL("https", "dnsdelay-10.www.lab.test", "/redirect/1"))...)
	if o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	var doc struct {
		Log struct {
			Creator struct{ Name string } `json:"creator"`
			Entries []struct {
				Timings struct{ DNS, Connect, SSL float64 } `json:"timings"`
			} `json:"entries"`
		} `json:"log"`
	}
	b, _ := os.ReadFile(file)
	if err := json.Unmarshal(b, &doc); err != nil || doc.Log.Creator.Name != "reqtrace" || len(doc.Log.Entries) != 2 {
		t.Fatalf("HAR: %v\n%s", err, b)
	}
	if e := doc.Log.Entries; e[0].Timings.DNS < 10 || e[0].Timings.SSL <= 0 || e[0].Timings.Connect < e[0].Timings.SSL || e[1].Timings.DNS != -1 || e[1].Timings.Connect != -1 {
		t.Errorf("timings %+v", e)
	}
	back := reqtrace(t, nil, "har", "--color", "never", file)
	if back.code != 0 || !strings.Contains(back.stdout, "[2/2]") || !strings.Contains(back.stdout, "DNS lookup") || !strings.Contains(back.stdout, "Redirects") {
		t.Errorf("reqtrace har: exit %d\n%s", back.code, back.stdout)
	}
	if o := reqtrace(t, nil, "har", "/nonexistent.har"); o.code != 2 {
		t.Errorf("missing file: exit %d", o.code)
	}
	if o := reqtrace(t, nil, "har", "../trace/har/testdata/devtools.har", "--json"); o.code != 0 || !strings.HasPrefix(o.stdout, "{") {
		t.Errorf("browser HAR as JSON: exit %d %.200s", o.code, o.stdout)
	}
}

func TestJWTCommand(t *testing.T) {
	// HS256, {"sub":"alice","exp":4102444800} (2100), secret "s3cr3t".
	const token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6ImFsaWNlIn0.wMHDhaL97oos8B-1vK54Op7_ZvmLoa-b44WrYXC-_9c"
	ok := reqtrace(t, nil, "jwt", "--secret", "s3cr3t", "Bearer "+token)
	if ok.code != 0 || !strings.Contains(ok.stdout, "alice") || !strings.Contains(ok.stdout, "✓ the signature matches") || strings.Contains(ok.stdout, "wMHDhaL97") {
		t.Errorf("verify: exit %d\n%s", ok.code, ok.stdout)
	}
	bad := reqtrace(t, nil, "jwt", "--secret", "nope", token)
	if bad.code != 1 || !strings.Contains(bad.stderr, "does not verify") || strings.Count(bad.stderr, "reqtrace:") != 1 {
		t.Errorf("wrong secret: exit %d %q", bad.code, bad.stderr)
	}
	js := reqtrace(t, nil, "jwt", "--json", token)
	var doc struct {
		Schema   string         `json:"schema"`
		Claims   map[string]any `json:"claims"`
		Verified *bool          `json:"verified"`
	}
	if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil || doc.Schema != "reqtrace.jwt/v1" || doc.Claims["sub"] != "alice" || doc.Verified != nil {
		t.Errorf("json: %v %s", err, js.stdout)
	}
	if o := reqtrace(t, nil, "jwt", "not.a-token"); o.code != 2 {
		t.Errorf("garbage: exit %d", o.code)
	}
	if o := reqtrace(t, nil, "jwt", "--key", "/nonexistent.pem", token); o.code != 2 {
		t.Errorf("missing key file: exit %d", o.code)
	}
}

func TestCorsCommand(t *testing.T) {
	lab := tracetest.New(t)
	api := lab.URL("https", "www.lab.test", "/echo")
	origin := "https://app.lab.test"
	// The lab's /echo sends no CORS headers: a browser blocks the read.
	o := reqtrace(t, nil, append(labArgs(lab), "cors", "--json", "--origin", origin, api)...)
	var doc struct {
		Schema  string `json:"schema"`
		Verdict string `json:"verdict"`
		Problem []struct {
			Rule, Message, Fix string
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || o.code != 0 {
		t.Fatalf("exit %d, %v\n%s\n%s", o.code, err, o.stdout, o.stderr)
	}
	if doc.Schema != "reqtrace.cors/v1" || doc.Verdict != "blocked" || len(doc.Problem) == 0 || !strings.Contains(doc.Problem[0].Message, "Access-Control-Allow-Origin") {
		t.Errorf("cors document: %+v", doc)
	}
	text := reqtrace(t, nil, append(labArgs(lab), "cors", "--color", "never", "--origin", origin, "-X", "PUT", "-H", "Content-Type: application/json", api)...)
	if text.code != 0 || !strings.Contains(text.stdout, "OPTIONS") || !strings.Contains(strings.ToLower(text.stdout), "access-control-request-method: put") {
		t.Errorf("preflight text: exit %d\n%s", text.code, text.stdout)
	}
	if o := reqtrace(t, nil, "cors", "--origin", "not an origin", "https://example.test/"); o.code != 2 {
		t.Errorf("bad origin: exit %d %s", o.code, o.stderr)
	}
	if o := reqtrace(t, nil, "cors", "https://example.test/"); o.code != 2 {
		t.Errorf("no --origin: exit %d", o.code)
	}
}

func TestOutputFlagsAndClientCert(t *testing.T) {
	lab := tracetest.New(t)
	dir := t.TempDir()
	certPEM, keyPEM, err := lab.ClientCertificate()
	if err != nil {
		t.Fatal(err)
	}
	cert, key := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	os.WriteFile(cert, certPEM, 0o600)
	os.WriteFile(key, keyPEM, 0o600)
	mtls := lab.URL("https", "mtls.lab.test", "/")
	if o := reqtrace(t, nil, append(labArgs(lab), "-E", cert, "--key", key, mtls)...); o.code != 0 {
		t.Errorf("-E: exit %d %s", o.code, o.stderr)
	}
	if o := reqtrace(t, nil, append(labArgs(lab), mtls)...); o.code != 98 || !strings.Contains(o.stderr, "-E/--cert") {
		t.Errorf("no client certificate: exit %d %s", o.code, o.stderr)
	}

	// -i shows the body; -s silences stderr but not the exit code; -O names the file.
	inc := reqtrace(t, nil, append(labArgs(lab), "-i", lab.URL("http", "www.lab.test", "/chunked"))...)
	if !strings.Contains(inc.stdout, "│ three") {
		t.Errorf("-i did not show the body:\n%s", inc.stdout)
	}
	quiet := reqtrace(t, nil, append(labArgs(lab), "-s", lab.URL("https", "nxdomain.lab.test", "/"))...)
	if quiet.code != 6 || quiet.stderr != "" {
		t.Errorf("-s: exit %d stderr %q", quiet.code, quiet.stderr)
	}
	c := exec.Command(binary, append(labArgs(lab), "-O", lab.URL("http", "www.lab.test", "/chunked"))...)
	c.Dir = dir
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "chunked")); err != nil || string(b) != tracetest.ChunkedBody {
		t.Errorf("-O: %q %v", b, err)
	}
	if o := reqtrace(t, nil, "-O", "http://example.test/"); o.code != 2 {
		t.Errorf("-O without a file name: exit %d", o.code)
	}

	// As curl: -o opens its file at the first body byte. A failed transfer
	// leaves no new file and an old one intact; an empty body, an empty file.
	fresh, old := filepath.Join(dir, "fresh"), filepath.Join(dir, "old")
	os.WriteFile(old, []byte("old"), 0o600)
	for _, name := range []string{fresh, old} {
		if o := reqtrace(t, nil, append(labArgs(lab), "-o", name, lab.URL("https", "nxdomain.lab.test", "/"))...); o.code != 6 {
			t.Errorf("-o on a failed trace: exit %d", o.code)
		}
	}
	if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed trace left -o's file behind: %v", err)
	}
	if b, _ := os.ReadFile(old); string(b) != "old" {
		t.Errorf("a failed trace truncated the old -o file: %q", b)
	}
	if o := reqtrace(t, nil, append(labArgs(lab), "-o", fresh, lab.URL("http", "www.lab.test", "/status/204"))...); o.code != 0 {
		t.Errorf("-o on a 204: exit %d %s", o.code, o.stderr)
	}
	if st, err := os.Stat(fresh); err != nil || st.Size() != 0 {
		t.Errorf("an empty body left no empty -o file: %v", err)
	}
	// As curl: -f writes no error page to -o; -I writes the head there.
	failed := filepath.Join(dir, "failed")
	if o := reqtrace(t, nil, append(labArgs(lab), "-f", "-o", failed, lab.URL("http", "www.lab.test", "/status/404"))...); o.code != 22 {
		t.Errorf("-f -o on a 404: exit %d %s", o.code, o.stderr)
	}
	if _, err := os.Stat(failed); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("-f on a 404 left -o's file: %v", err)
	}
	head := filepath.Join(dir, "head")
	if o := reqtrace(t, nil, append(labArgs(lab), "-I", "-o", head, lab.URL("http", "www.lab.test", "/status/204"))...); o.code != 0 {
		t.Errorf("-I -o: exit %d %s", o.code, o.stderr)
	}
	if b, _ := os.ReadFile(head); !strings.HasPrefix(string(b), "HTTP/1.1 204") || !strings.HasSuffix(string(b), "\r\n\r\n") {
		t.Errorf("-I -o wrote %q, want the head", b)
	}
	if o := reqtrace(t, nil, "-o", filepath.Join(dir, "no", "such", "dir"), "http://example.test/"); o.code != 23 || !strings.Contains(o.stderr, "cannot write -o") {
		t.Errorf("-o into a missing folder: exit %d %q", o.code, o.stderr)
	}
}

// TestWriteOutAgreesWithCurl runs curl and reqtrace side by side on the
// same lab request with the same -w format: the values must agree, and
// both times must cover the injected delays (lower bound exact, upper
// bound generous: how close the two clocks agree is the benchmark's
// figure, examples/bench, not a test a busy CI can flake on). CI installs
// curl; elsewhere it is skipped.
func TestWriteOutAgreesWithCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl not found, and .ci/run should have installed it")
		}
		t.Skip("curl not found")
	}
	lab := tracetest.New(t)
	host := "tlsdelay-30.www.lab.test"
	url := lab.URL("https", host, "/redirect-to?url=/wait/60")
	resolve := host + ":" + strconv.Itoa(lab.HTTPSPort) + ":127.0.0.1"
	format := "%{http_code} %{http_version} %{num_redirects} %{num_connects} %{size_download} %{url_effective} %{remote_ip}" +
		" %{time_appconnect} %{time_starttransfer} %{time_total} %{time_redirect}"
	runCurl := func() []string {
		out, err := exec.Command(curl, "-s", "-o", "/dev/null", "-L", "--cacert", lab.CAFile, "--resolve", resolve, "-w", format, url).Output()
		if err != nil {
			t.Fatalf("curl: %v", err)
		}
		return strings.Fields(string(out))
	}
	ours := func() []string {
		o := reqtrace(t, nil, "-L", "--cacert", lab.CAFile, "--resolve", resolve, "-w", format, url)
		if o.code != 0 {
			t.Fatalf("reqtrace: exit %d %s", o.code, o.stderr)
		}
		return strings.Fields(o.stdout)
	}
	c, r := runCurl(), ours()
	if len(c) != 11 || len(r) != 11 {
		t.Fatalf("curl %q, reqtrace %q", c, r)
	}
	names := strings.Fields(strings.NewReplacer("%{", "", "}", "").Replace(format))
	for i, name := range names[:7] {
		if c[i] != r[i] {
			t.Errorf("%s: curl %s, reqtrace %s", name, c[i], r[i])
		}
	}
	// Times: both at least the injected delays, and not absurdly more.
	const slack = 5.0 // seconds: a loaded 2-core machine under -race
	floor := map[string]float64{"time_appconnect": 0.030, "time_starttransfer": 0.060, "time_total": 0.060, "time_redirect": 0.030}
	for i, name := range names[7:] {
		cv, _ := strconv.ParseFloat(c[7+i], 64)
		rv, _ := strconv.ParseFloat(r[7+i], 64)
		if rv < floor[name] || cv < floor[name] || rv >= floor[name]+slack {
			t.Errorf("%s: curl %.6f, reqtrace %.6f, want both in [%.3f, %.3f)", name, cv, rv, floor[name], floor[name]+slack)
		}
	}
}
