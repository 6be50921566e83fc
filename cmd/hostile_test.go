package cmd_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/http2"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// The hostile-server suite seen from the terminal: whatever a server
// sends, the real binary's text output (with and without colour, -v, -i)
// and its stderr carry no byte a terminal would act on, the attacks are
// shown as visible escapes, and --json escapes them too while keeping the
// data. The exit code says what happened.

// sgr matches the colour sequences reqtrace emits itself.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// unsafeAt returns the index of the first byte a terminal could act on
// or a person could not see (any C0 control but newline, DEL, a C1
// control raw or UTF-8 encoded, a byte that is not UTF-8, line
// separators, format characters: bidi marks and overrides, zero widths),
// or -1.
func unsafeAt(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1,
			r < 0x20 && r != '\n', r == 0x7f,
			r >= 0x80 && r <= 0x9f,
			r == 0x2028 || r == 0x2029, unicode.Is(unicode.Cf, r):
			return i
		}
		i += n
	}
	return -1
}

// terminalSafe fails the test if what (stdout or stderr of a run) holds
// anything unsafe.
func terminalSafe(t *testing.T, what, out string) {
	t.Helper()
	if i := unsafeAt(out); i >= 0 {
		t.Errorf("%s: unsafe byte %q at %d: …%q…", what, out[i], i, out[max(i-40, 0):min(i+40, len(out))])
	}
}

// runs runs the binary with and without colour, plain, -v and -i, checks
// every output is terminal-safe and returns the -v -i output (uncoloured).
// With colour, reqtrace's own SGR codes are removed first; the server's
// SGR (tracetest.EscSGR, a blink no reqtrace colour uses) must not be
// among them.
func runs(t *testing.T, code int, args ...string) string {
	t.Helper()
	var full string
	for _, extra := range [][]string{nil, {"-v"}, {"-i"}, {"-v", "-i"}} {
		plain := reqtrace(t, nil, append(append([]string{"--color", "never"}, extra...), args...)...)
		color := reqtrace(t, nil, append(append([]string{"--color", "always"}, extra...), args...)...)
		name := strings.Join(extra, " ")
		if plain.code != code || color.code != code {
			t.Fatalf("%s: exit %d (colour: %d), want %d\nstdout:\n%s\nstderr:\n%s", name, plain.code, color.code, code, plain.stdout, plain.stderr)
		}
		if strings.Contains(plain.stdout, "\x1b") || strings.Contains(plain.stderr, "\x1b") {
			t.Errorf("%s --color never: an ESC byte in the output", name)
		}
		terminalSafe(t, name+" stdout", plain.stdout)
		terminalSafe(t, name+" stderr", plain.stderr)
		terminalSafe(t, name+" stderr with colour", color.stderr)
		stripped := sgr.ReplaceAllString(color.stdout, "")
		terminalSafe(t, name+" stdout with colour, our SGR removed", stripped)
		if strings.Contains(color.stdout, tracetest.EscSGR) {
			t.Errorf("%s: the server's own SGR sequence reached the coloured output raw", name)
		}
		if len(extra) == 2 {
			full = plain.stdout + plain.stderr
		}
	}
	return full
}

// jsonSafe checks a --json document: valid, one document, nothing unsafe
// for a terminal (JSON escapes C0, DEL and C1), and returns it decoded.
func jsonSafe(t *testing.T, o outcome) map[string]any {
	t.Helper()
	terminalSafe(t, "--json stdout", o.stdout)
	terminalSafe(t, "--json stderr", o.stderr)
	var doc map[string]any
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil {
		t.Fatalf("--json stdout is not JSON: %v\n%s", err, o.stdout)
	}
	return doc
}

func jsonErr(doc map[string]any) (kind, phase string) {
	e, _ := doc["error"].(map[string]any)
	if e == nil {
		return "", ""
	}
	k, _ := e["kind"].(string)
	p, _ := e["phase"].(string)
	return k, p
}

func hop0(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	hops, _ := doc["hops"].([]any)
	if len(hops) == 0 {
		t.Fatalf("no hops in %v", doc)
	}
	return hops[0].(map[string]any)
}

// hostileArgs is labArgs with a 60 s -m, so that a hang fails the test
// instead of stalling the suite (a case's own -m, later, wins).
func hostileArgs(lab *tracetest.Lab) []string {
	return append(labArgs(lab), "-m", "60")
}

func hostileURL(scheme string, h *tracetest.Hostile, path string) string {
	return scheme + "://www.lab.test:" + strconv.Itoa(h.Port) + path
}

func TestHostileEscapesInTheResponse(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			o := tracetest.HostileOptions{}
			if scheme == "https" {
				c, err := lab.Certificate("www.lab.test")
				if err != nil {
					t.Fatal(err)
				}
				o.Certificate = &c
			}
			h := tracetest.NewHostile(t, tracetest.Reply(tracetest.EscapesResponse()), o)
			u := hostileURL(scheme, h, "/")
			out := runs(t, 0, append(hostileArgs(lab), u)...)
			for _, want := range []string{`OK\x1b[2J\x07`, `X-Clear: a\x1b[2Jb`, `\x1b]0;pwned\x07`, `\u009b31m\x9b`, `a\x7fb`, `\x1b[5;31m`, `<p>\x1b[2J`} {
				if !strings.Contains(out, want) {
					t.Errorf("the -v -i output does not show %s as a visible escape:\n%s", want, out)
				}
			}
			doc := jsonSafe(t, reqtrace(t, nil, append(hostileArgs(lab), "--json", "-i", u)...))
			resp := hop0(t, doc)["response"].(map[string]any)
			if resp["reason"] != "OK"+tracetest.EscClear+tracetest.EscBell {
				t.Errorf("JSON reason %q: escaping must keep the data", resp["reason"])
			}
			found := false
			for _, h := range resp["headers"].([]any) {
				hd := h.(map[string]any)
				if hd["name"] == "X-All" {
					found = hd["value"] == tracetest.EscAll
				}
			}
			if !found {
				t.Errorf("JSON X-All header is not the escapes as sent: %v", resp["headers"])
			}
		})
	}
}

func TestHostileEscapesOverHTTP2(t *testing.T) {
	lab := tracetest.New(t)
	cert, err := lab.Certificate("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	h := tracetest.NewHostile(t, tracetest.H2(func(c *tracetest.H2Conn) {
		c.Headers(false, tracetest.H2Field(":status", "200"), tracetest.H2Field("x-c1", tracetest.EscC1+"\u202eevil\u2028"),
			tracetest.H2Field("content-length", strconv.Itoa(len(tracetest.HostileBody))))
		c.Data([]byte(tracetest.HostileBody), true)
		c.Hold()
	}), tracetest.HostileOptions{Certificate: &cert, ALPN: []string{"h2"}})
	out := runs(t, 0, append(hostileArgs(lab), hostileURL("https", h, "/"))...)
	if !strings.Contains(out, `\u009b31m\u202eevil\u2028`) || !strings.Contains(out, "HTTP/2") {
		t.Errorf("output:\n%s", out)
	}
	jsonSafe(t, reqtrace(t, nil, append(hostileArgs(lab), "--json", hostileURL("https", h, "/"))...))
}

func TestHostileEscapesInCertificates(t *testing.T) {
	lab := tracetest.New(t)
	cert, err := lab.EvilCertificate()
	if err != nil {
		t.Fatal(err)
	}
	h := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 204 No Content\r\n\r\n"), tracetest.HostileOptions{Certificate: &cert})
	out := runs(t, 0, append(hostileArgs(lab), hostileURL("https", h, "/"))...)
	if !strings.Contains(out, `www.lab.test\x1b[2J`) {
		t.Errorf("the certificate's subject is not shown escaped:\n%s", out)
	}
	jsonSafe(t, reqtrace(t, nil, append(hostileArgs(lab), "--json", hostileURL("https", h, "/"))...))

	// Untrusted, self-signed, with the attacks in subject and issuer: the
	// failure (exit 60) and the -k report are safe too.
	bad := tracetest.EvilSelfSigned(t)
	u := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 204 No Content\r\n\r\n"), tracetest.HostileOptions{Certificate: &bad})
	runs(t, 60, append(hostileArgs(lab), hostileURL("https", u, "/"))...)
	runs(t, 0, append(hostileArgs(lab), "-k", hostileURL("https", u, "/"))...)
	doc := jsonSafe(t, reqtrace(t, nil, append(hostileArgs(lab), "--json", hostileURL("https", u, "/"))...))
	if k, p := jsonErr(doc); k != "unknown_authority" || p != "tls" {
		t.Errorf("error %s/%s", p, k)
	}
}

func TestHostileEscapesInDNSNames(t *testing.T) {
	lab := tracetest.New(t)
	d := tracetest.NewHostileDNS(t, tracetest.DNSEscapes)
	u := "http://hostile.example:" + strconv.Itoa(lab.HTTPPort) + "/"
	out := runs(t, 0, "-m", "60", "--dns-servers", d.Addr, u)
	if !strings.Contains(out, "CNAME") || !strings.Contains(out, `027`) {
		t.Errorf("the CNAME is not shown:\n%s", out)
	}
	jsonSafe(t, reqtrace(t, nil, "-m", "60", "--json", "--dns-servers", d.Addr, u))
}

func TestHostileEscapesInErrors(t *testing.T) {
	lab := tracetest.New(t)
	cases := []struct {
		name  string
		b     tracetest.Behaviour
		code  int
		extra []string
	}{
		{"header name", tracetest.Reply("HTTP/1.1 200 OK\r\nX-Evil" + tracetest.EscAll + ": v\r\n\r\n"), 8, nil},
		{"not http", tracetest.Reply(tracetest.EscAll + "\r\n\r\n"), 8, nil},
		{"status line", tracetest.Reply("HTTP/1.1 2" + tracetest.EscClear + " OK\r\n\r\n"), 8, nil},
		{"location", tracetest.Reply("HTTP/1.1 302 Found\r\nLocation: /x" + tracetest.EscAll + "\r\nContent-Length: 0\r\n\r\n"), 0, nil},
		{"location with -L", tracetest.Reply("HTTP/1.1 302 Found\r\nLocation: /x" + tracetest.EscAll + "\r\nContent-Length: 0\r\n\r\n"), 47, []string{"-L"}},
		{"location with C1 and -L", tracetest.RedirectLoop(), 47, []string{"-L"}},
		{"content-length", tracetest.Reply("HTTP/1.1 200 OK\r\nContent-Length: 1" + tracetest.EscAll + "\r\n\r\n"), 8, nil},
		{"short body", tracetest.Reply("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + tracetest.EscAll), 56, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := tracetest.NewHostile(t, c.b, tracetest.HostileOptions{})
			args := append(append(hostileArgs(lab), c.extra...), hostileURL("http", h, "/"))
			runs(t, c.code, args...)
			o := reqtrace(t, nil, append([]string{"--json"}, args...)...)
			jsonSafe(t, o)
			if o.code != c.code {
				t.Errorf("--json: exit %d, want %d", o.code, c.code)
			}
		})
	}
	// GOAWAY debug data and a TLS server that sends escapes.
	cert, err := lab.Certificate("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	goaway := tracetest.NewHostile(t, tracetest.H2(func(c *tracetest.H2Conn) {
		c.GoAway(0, http2.ErrCodeProtocol, tracetest.EscAll)
	}), tracetest.HostileOptions{Certificate: &cert, ALPN: []string{"h2"}})
	runs(t, 16, append(hostileArgs(lab), hostileURL("https", goaway, "/"))...)
	tlsGarbage := tracetest.NewHostile(t, tracetest.Garbage([]byte(tracetest.EscAll)), tracetest.HostileOptions{})
	runs(t, 35, append(hostileArgs(lab), hostileURL("https", tlsGarbage, "/"))...)
}

// TestHostileExitCodes checks each hostile case ends with the right exit
// code, error kind and phase, a hint, and in time.
func TestHostileExitCodes(t *testing.T) {
	lab := tracetest.New(t)
	cert, err := lab.Certificate("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	h2 := tracetest.HostileOptions{Certificate: &cert, ALPN: []string{"h2"}}
	plain := tracetest.HostileOptions{}
	cases := []struct {
		name        string
		b           tracetest.Behaviour
		o           tracetest.HostileOptions
		scheme      string
		args        []string
		code        int
		kind, phase string
		max         time.Duration
		bug         string
	}{
		{"thousands of headers", tracetest.ManyHeaders(5000, 8), plain, "http", nil, 0, "", "", 0, ""},
		{"head over 1 MiB", tracetest.EndlessHead(), plain, "http", nil, 8, "bad_response", "wait", 0, ""},
		{"endless body", tracetest.EndlessBody(), plain, "http", []string{"-m", "1"}, 28, "timeout", "receive", time.Second, ""},
		{"dripping body", tracetest.Drip("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", "", 10*time.Millisecond), plain, "http", []string{"-m", "0.7"}, 28, "timeout", "receive", 700 * time.Millisecond, ""},
		{"TLS never answers", tracetest.Silent(), plain, "https", []string{"--connect-timeout", "0.5"}, 28, "timeout", "tls", 500 * time.Millisecond, ""},
		{"TLS never answers, -m", tracetest.Silent(), plain, "https", []string{"-m", "0.5"}, 28, "timeout", "tls", 500 * time.Millisecond, ""},
		{"not HTTP", tracetest.Reply("SSH-2.0-OpenSSH_9.6\r\n"), plain, "http", nil, 8, "bad_response", "wait", 0, ""},
		{"silent after the request", tracetest.Silent(), plain, "http", []string{"-m", "0.5"}, 28, "timeout", "wait", 500 * time.Millisecond, ""},
		{"closes without a reply", tracetest.Reply(""), plain, "http", nil, 52, "empty_reply", "wait", 0, ""},
		{"h2 RST_STREAM before the response", tracetest.H2(func(c *tracetest.H2Conn) { c.Reset(http2.ErrCodeInternal); c.Hold() }), h2, "https", nil, 16, "http2_error", "wait", 0, ""},
		{"h2 GOAWAY before the response", tracetest.H2(func(c *tracetest.H2Conn) { c.GoAway(0, http2.ErrCodeProtocol, "") }), h2, "https", nil, 16, "http2_error", "wait", 0, ""},
		{"h2 RST_STREAM mid-stream", tracetest.H2(func(c *tracetest.H2Conn) {
			c.Headers(false, tracetest.H2Field(":status", "200"), tracetest.H2Field("content-length", "5000"))
			c.Data(make([]byte, 1000), false)
			c.Sleep(20 * time.Millisecond)
			c.Reset(http2.ErrCodeInternal)
			c.Hold()
		}), h2, "https", nil, 16, "http2_error", "receive", 0,
			""},
		{"h2 GOAWAY mid-stream", tracetest.H2(func(c *tracetest.H2Conn) {
			c.Headers(false, tracetest.H2Field(":status", "200"))
			c.Data(make([]byte, 1000), false)
			c.Sleep(20 * time.Millisecond)
			c.GoAway(1, http2.ErrCodeInternal, "bye")
		}), h2, "https", nil, 16, "http2_error", "receive", 0, ""},
		{"redirect loop", tracetest.RedirectLoop(), plain, "http", []string{"-L"}, 47, "too_many_redirects", "redirect", 0, ""},
		{"endless redirects", tracetest.RedirectChain(300), plain, "http", []string{"-L"}, 47, "too_many_redirects", "redirect", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := tracetest.NewHostile(t, c.b, c.o)
			args := append(append(hostileArgs(lab), c.args...), hostileURL(c.scheme, h, "/"))
			start := time.Now()
			o := reqtrace(t, nil, append([]string{"--json"}, args...)...)
			took := time.Since(start)
			doc := jsonSafe(t, o)
			kind, phase := jsonErr(doc)
			if o.code != c.code || kind != c.kind || phase != c.phase {
				if c.bug != "" {
					t.Skipf("BUG: %s (today: exit %d %s/%s)", c.bug, o.code, phase, kind)
				}
				t.Fatalf("exit %d %s/%s, want %d %s/%s\n%s", o.code, phase, kind, c.code, c.phase, c.kind, o.stderr)
			}
			if took < c.max {
				t.Errorf("ended after %v, before the %v limit", took, c.max)
			}
			if took > c.max+5*time.Second {
				t.Errorf("took %v, the limit is %v", took, c.max)
			}
			if c.code != 0 {
				if e := doc["error"].(map[string]any); e["hint"] == "" || e["hint"] == nil {
					t.Errorf("no hint: %v", e)
				}
				if !strings.Contains(o.stderr, "hint: ") {
					t.Errorf("stderr lacks the hint:\n%s", o.stderr)
				}
			}
			// The text report says the same and is safe.
			text := reqtrace(t, nil, append([]string{"--color", "always", "-v", "-i"}, args...)...)
			if text.code != c.code {
				t.Errorf("text: exit %d, want %d", text.code, c.code)
			}
			terminalSafe(t, "stdout", sgr.ReplaceAllString(text.stdout, ""))
			terminalSafe(t, "stderr", text.stderr)
		})
	}
}

func TestHostileCutsAreSaid(t *testing.T) {
	lab := tracetest.New(t)
	many := tracetest.NewHostile(t, tracetest.ManyHeaders(5000, 8), tracetest.HostileOptions{})
	o := reqtrace(t, nil, append(hostileArgs(lab), hostileURL("http", many, "/"))...)
	if o.code != 0 || !strings.Contains(o.stdout, "4002 more header lines not kept") {
		t.Errorf("exit %d; the output does not say 4002 lines were cut:\n%.3000s", o.code, o.stdout)
	}
	if n := strings.Count(o.stdout, "X-Hostile-"); n > 1000 {
		t.Errorf("%d header lines printed", n)
	}
	doc := jsonSafe(t, reqtrace(t, nil, append(hostileArgs(lab), "--json", hostileURL("http", many, "/"))...))
	if cut := hop0(t, doc)["response"].(map[string]any)["headers_cut"]; cut != 4002.0 {
		t.Errorf("headers_cut = %v", cut)
	}

	long := tracetest.NewHostile(t, tracetest.ManyHeaders(3, 100<<10), tracetest.HostileOptions{})
	o = reqtrace(t, nil, append(hostileArgs(lab), "-v", hostileURL("http", long, "/"))...)
	if o.code != 0 || len(o.stdout) > 64<<10 {
		t.Errorf("exit %d, %d bytes of output for three 100 KiB values", o.code, len(o.stdout))
	}
	if strings.Contains(o.stdout, "more header lines not kept") || !strings.Contains(o.stdout, "3 header values cut at 16 KiB") {
		t.Errorf("three values cut to 16 KiB (every line kept) must be said as values cut:\n%.2000s", o.stdout)
	}
	doc = jsonSafe(t, reqtrace(t, nil, append(hostileArgs(lab), "--json", hostileURL("http", long, "/"))...))
	if resp := hop0(t, doc)["response"].(map[string]any); resp["headers_cut"] != 0.0 || resp["values_cut"] != 3.0 {
		t.Errorf("headers_cut %v values_cut %v, want 0 and 3", resp["headers_cut"], resp["values_cut"])
	}
}

// maxRSS runs the binary and returns its exit code, its peak RSS in bytes
// and how long it ran. The peak is the child's VmHWM, polled every few
// milliseconds while it runs: wait4's ru_maxrss cannot be used, because Go
// starts children with vfork and Linux carries the parent's (this test
// binary's) RSS into the child's maxrss at exec.
func maxRSS(t *testing.T, args ...string) (int, int64, time.Duration) {
	t.Helper()
	c := exec.Command(binary, args...)
	var errb bytes.Buffer
	c.Stderr = &errb
	start := time.Now()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	peak := make(chan int64)
	stop := make(chan struct{})
	go func() {
		var hwm int64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := tracetest.PeakRSS(c.Process.Pid); v > hwm {
				hwm = v
			}
			select {
			case <-stop:
				peak <- hwm
				return
			case <-tick.C:
			}
		}
	}()
	// A run that hangs is killed with SIGQUIT, whose goroutine dump shows
	// where it was stuck.
	hung := time.AfterFunc(2*time.Minute, func() { c.Process.Signal(syscall.SIGQUIT) })
	err := c.Wait()
	took := time.Since(start)
	if !hung.Stop() {
		t.Errorf("%v: still running after 2 minutes; its goroutines:\n%s", args, errb.String())
	}
	close(stop)
	hwm := <-peak
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if hwm == 0 {
		t.Skip("cannot read /proc/PID/status on this system")
	}
	if code != 0 {
		t.Logf("stderr: %s", errb.String())
	}
	return code, hwm, took
}

func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return true
			}
		}
	}
	return false
}

// TestHostileMemoryStaysFlat measures the binary's own peak RSS on an
// endless body cut by -m and on 1 GiB saved to /dev/null: the issue's
// bound is 50 MiB.
func TestHostileMemoryStaysFlat(t *testing.T) {
	lab := tracetest.New(t)
	endless := tracetest.NewHostile(t, tracetest.EndlessBody(), tracetest.HostileOptions{})
	code, rss, _ := maxRSS(t, append(hostileArgs(lab), "-m", "1", "-o", "/dev/null", hostileURL("http", endless, "/"))...)
	t.Logf("endless body for 1 s: exit %d, peak RSS %d MiB", code, rss>>20)
	if code != 28 || rss > 50<<20 {
		t.Errorf("exit %d, peak RSS %d MiB; want 28 and at most 50 MiB", code, rss>>20)
	}
	if testing.Short() || raceEnabled() {
		t.Skip("1 GiB transfers: skipped with -short and under the race detector (the lab server runs in this process)")
	}
	for _, u := range []string{lab.URL("http", "www.lab.test", "/bytes/1073741824"), lab.URL("https", "www.lab.test", "/bytes/1073741824")} {
		code, rss, took := maxRSS(t, append(hostileArgs(lab), "-o", "/dev/null", "-m", "300", u)...)
		t.Logf("%s: exit %d, %v (%.0f MiB/s), peak RSS %d MiB", u, code, took.Round(time.Millisecond), 1024/took.Seconds(), rss>>20)
		if code != 0 || rss > 50<<20 {
			t.Errorf("%s: exit %d, peak RSS %d MiB; want 0 and at most 50 MiB", u, code, rss>>20)
		}
	}
}

// TestHostileInformationalFloodMemory: 32 103 responses of 1 MiB each (the
// most the engine accepts) before the final one. The engine keeps them all
// (32 MiB of header lines) and the report prints them; the process must
// stay within the 50 MiB bound all the same.
func TestHostileInformationalFloodMemory(t *testing.T) {
	lab := tracetest.New(t)
	line := "Link: </" + strings.Repeat("x", 1000) + ">\r\n"
	flood := strings.Repeat("HTTP/1.1 103 Early Hints\r\n"+strings.Repeat(line, 1000)+"\r\n", 32) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	hints := tracetest.NewHostile(t, tracetest.Reply(flood), tracetest.HostileOptions{})
	var bugs []string
	for _, mode := range []string{"--color=never", "--json"} {
		code, rss, _ := maxRSS(t, append(hostileArgs(lab), "-m", "60", mode, hostileURL("http", hints, "/"))...)
		t.Logf("%s: exit %d, peak RSS %d MiB", mode, code, rss>>20)
		if code != 0 {
			t.Errorf("%s: exit %d", mode, code)
		}
		if rss > 50<<20 {
			bugs = append(bugs, fmt.Sprintf("%s %d MiB", mode, rss>>20))
		}
	}
	// -L with 10 redirects (the default was 10 before it became curl's
	// 50), every hop a 1 MiB head.
	chain := tracetest.NewHostile(t, tracetest.RedirectChain(1000), tracetest.HostileOptions{})
	for _, mode := range []string{"--color=never", "--json"} {
		code, rss, _ := maxRSS(t, append(hostileArgs(lab), "-m", "60", "-L", "--max-redirs", "10", mode, hostileURL("http", chain, "/"))...)
		t.Logf("-L, 11 hops of 1 MiB heads, %s: exit %d, peak RSS %d MiB", mode, code, rss>>20)
		if code != 47 {
			t.Errorf("%s: exit %d, want 47", mode, code)
		}
		if rss > 50<<20 {
			bugs = append(bugs, fmt.Sprintf("-L %s %d MiB", mode, rss>>20))
		}
	}
	if len(bugs) > 0 {
		t.Errorf("peak RSS over the 50 MiB bound: %s", strings.Join(bugs, ", "))
	}
}

// zeros is an endless stdin.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// bounded runs the binary under a 3 GiB address-space limit and a one
// minute timeout, so that a read without bound fails the test (out of
// memory, or killed) instead of eating the machine.
func bounded(t *testing.T, stdin io.Reader, args ...string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "sh", append([]string{"-c", `ulimit -v 3145728 && exec "$0" "$@"`, binary}, args...)...)
	c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var out, errb bytes.Buffer
	c.Stdin, c.Stdout, c.Stderr = stdin, &out, &errb
	err := c.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Errorf("%v: still running after a minute (killed)", args)
	}
	return outcome{code, out.String(), errb.String()}
}

// TestHostileLocalInputsAreCapped: every flag that reads a local file (or
// stdin) stops at its cap when the size is unknown beforehand (/dev/zero
// and pipes stat as 0 bytes) and says which flag, which file and which
// cap, with exit 2, before anything is sent.
func TestHostileLocalInputsAreCapped(t *testing.T) {
	ca := tracetest.New(t).CAFile
	const url = "http://127.0.0.1:9/"
	cases := []struct {
		stdin io.Reader
		args  []string
		want  string // flag, file and cap, in that order
	}{
		{nil, []string{"-d", "@/dev/zero", url}, "-d /dev/zero is larger than 64 MiB"},
		{zeros{}, []string{"--data-binary", "@/dev/stdin", url}, "--data-binary /dev/stdin is larger than 64 MiB"},
		{zeros{}, []string{"-d", "@-", url}, "-d @- is larger than 64 MiB"},
		{nil, []string{"--data-urlencode", "x@/dev/zero", url}, "--data-urlencode /dev/zero is larger than 64 MiB"},
		{nil, []string{"-F", "f=@/dev/zero", url}, "-F /dev/zero is larger than 64 MiB"},
		{nil, []string{"-F", "f=</dev/zero", url}, "-F /dev/zero is larger than 64 MiB"},
		{nil, []string{"-T", "/dev/zero", url}, "-T /dev/zero is larger than 64 MiB"},
		{zeros{}, []string{"-T", "-", url}, "-T @- is larger than 64 MiB"},
		{nil, []string{"-b", "/dev/zero", url}, "-b /dev/zero is larger than 4 MiB"},
		{nil, []string{"--cacert", "/dev/zero", url}, "--cacert /dev/zero is larger than 4 MiB"},
		{nil, []string{"--cert", "/dev/zero", url}, "--cert /dev/zero is larger than 4 MiB"},
		{nil, []string{"--cert", ca, "--key", "/dev/zero", url}, "--key /dev/zero is larger than 4 MiB"},
		{nil, []string{"-w", "@/dev/zero", url}, "-w /dev/zero is larger than 1 MiB"},
		{zeros{}, []string{"-w", "@-", url}, "-w @- is larger than 1 MiB"},
		{nil, []string{"jwt", "--key", "/dev/zero", "--json", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}, "--key /dev/zero is larger than 4 MiB"},
		{zeros{}, []string{"jwt", "-"}, "jwt @- is larger than 1 MiB"},
	}
	for _, c := range cases {
		start := time.Now()
		o := bounded(t, c.stdin, c.args...)
		if o.code != 2 || !strings.Contains(o.stderr, c.want) || strings.Count(o.stderr, "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %.300q; want exit 2 and %q", c.args, o.code, o.stderr, c.want)
		}
		t.Logf("%v: %v", c.args, time.Since(start).Round(time.Millisecond))
	}
}

// TestHostileHeaderInjectionIsRefused: a CR or LF in a flag whose value
// reqtrace puts into a header would end the line and inject a header the
// user never wrote. It is bad input (exit 2, the flag named), refused
// before anything is sent, on HTTP/1.1 and HTTP/2 alike: the listener
// below must see no connection at all.
func TestHostileHeaderInjectionIsRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	url := "http://" + ln.Addr().String() + "/"
	inject := "x\r\nX-Injected: 1"
	upload := filepath.Join(t.TempDir(), "upload.txt")
	if err := os.WriteFile(upload, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	// a cookie file line split on LF only: a lone CR stays in the value
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	if err := os.WriteFile(jar, []byte("127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tv\rX-Injected: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-A", inject}, "-A/--user-agent holds a carriage return"},
		{[]string{"-e", inject}, "-e/--referer holds a carriage return"},
		{[]string{"-b", "a=" + inject}, "-b/--cookie holds a carriage return"},
		{[]string{"-b", "a=x\nX-Injected: 1"}, "-b/--cookie holds a line feed"},
		{[]string{"-u", "alice:" + inject}, "-u/--user holds a carriage return"},
		{[]string{"-U", "alice:" + inject, "-x", url}, "-U/--proxy-user holds a carriage return"},
		{[]string{"--oauth2-bearer", inject}, "--oauth2-bearer holds a carriage return"},
		{[]string{"-H", "X-A: " + inject}, "line break"},
		{[]string{"-F", "f=@" + upload + ";filename=" + inject}, "-F holds a carriage return"},
		{[]string{"-F", "f\r\nX-Injected: 1=v"}, "-F (field name) holds a carriage return"},
		{[]string{"-b", jar}, `the cookie "sid" holds a carriage return`},
	}
	for _, mode := range []string{"--http1.1", "--http2-prior-knowledge", "--http2"} {
		for _, c := range cases {
			u := url
			if mode == "--http2" { // h2 over TLS, as every https:// URL offers it
				u = "https://" + ln.Addr().String() + "/"
			}
			o := reqtrace(t, nil, append(append([]string{mode, "-k"}, c.args...), u)...)
			if o.code != 2 || !strings.Contains(o.stderr, c.want) || strings.Count(o.stderr, "\n") > 1 {
				t.Errorf("%s %q: exit %d, stderr %q; want exit 2 and %q", mode, c.args, o.code, o.stderr, c.want)
			}
		}
	}
	time.Sleep(50 * time.Millisecond) // an accept in flight is counted
	if n := conns.Load(); n != 0 {
		t.Errorf("%d connections reached the server; want none", n)
	}
}

// TestHostileJWEIsShown: a five-part JWE cannot be read without its key,
// but its protected header can: jwt shows it, says the token is
// encrypted (the JSON "encrypted" field) and exits 0.
func TestHostileJWEIsShown(t *testing.T) {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"k1"}`))
	jwe := hdr + ".ZW5jcnlwdGVka2V5.aXY.Y2lwaGVydGV4dA.dGFn"
	text := reqtrace(t, nil, "jwt", "--color", "never", jwe)
	if text.code != 0 || !strings.Contains(text.stdout, "JWE (encrypted)") || !strings.Contains(text.stdout, `"A256GCM"`) || !strings.Contains(text.stdout, "RSA-OAEP-256") {
		t.Errorf("jwt JWE: exit %d\nstdout:\n%s\nstderr: %s", text.code, text.stdout, text.stderr)
	}
	js := reqtrace(t, nil, "jwt", "--json", jwe)
	var doc struct {
		Encrypted bool           `json:"encrypted"`
		Header    map[string]any `json:"header"`
		Claims    map[string]any `json:"claims"`
	}
	if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil || js.code != 0 || !doc.Encrypted || doc.Header["kid"] != "k1" || doc.Claims != nil {
		t.Errorf("jwt --json JWE: exit %d, %v\n%s%s", js.code, err, js.stdout, js.stderr)
	}
	if o := reqtrace(t, nil, "jwt", "--secret", "s", jwe); o.code != 2 || !strings.Contains(o.stderr, "does not decrypt") {
		t.Errorf("jwt --secret on a JWE: exit %d %q", o.code, o.stderr)
	}
}

// TestCIRunsTheRaceSkippedTests: a test that skips under the race
// detector never runs in CI's `go test -race ./...`; .ci/run must name it
// in its separate non-race step, or the README's memory promises go
// untested.
func TestCIRunsTheRaceSkippedTests(t *testing.T) {
	ci, err := os.ReadFile("../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^memory_tests='\^\(([A-Za-z0-9_|]+)\)\$'$`).FindSubmatch(ci)
	if m == nil {
		t.Fatal(".ci/run has no memory_tests='^(...)$' line for the non-race step")
	}
	named := map[string]bool{}
	for _, n := range strings.Split(string(m[1]), "|") {
		named[n] = true
	}
	if !regexp.MustCompile(`go test [^\n]*-run "\$memory_tests"`).Match(ci) {
		t.Error(".ci/run defines memory_tests but no go test runs them")
	}
	testFunc := regexp.MustCompile(`(?ms)^func (Test\w+)\(t \*testing\.T\) \{\n(.*?)^\}$`)
	skipCall := regexp.MustCompile(`[^"\w]raceEnabled\(\)[^"]`) // a call, not this test's pattern
	var skipped []string
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, f := range testFunc.FindAllSubmatch(src, -1) {
			if skipCall.Match(f[2]) {
				skipped = append(skipped, string(f[1]))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) == 0 {
		t.Fatal("found no test that skips under -race; the scan is broken")
	}
	for _, name := range skipped {
		if !named[name] {
			t.Errorf("%s skips under -race but .ci/run's non-race step does not run it", name)
		}
	}
}

// TestHostileInvisibleEverywhere: the format characters of
// tracetest.EscInvisible (bidi marks and overrides, zero widths, a tag
// character) and the C0/C1 attacks reach no output a person reads raw:
// -w, the --har file, `reqtrace har` on that file, and cors, as text and
// as JSON (where they are \uXXXX escapes that decode back).
func TestHostileInvisibleEverywhere(t *testing.T) {
	lab := tracetest.New(t)
	h := tracetest.NewHostile(t, tracetest.Reply(tracetest.EscapesResponse()), tracetest.HostileOptions{})
	u := hostileURL("http", h, "/")
	check := func(what string, o outcome, wants ...string) {
		t.Helper()
		terminalSafe(t, what+" stdout", sgr.ReplaceAllString(o.stdout, ""))
		terminalSafe(t, what+" stderr", o.stderr)
		for _, w := range wants {
			if !strings.Contains(o.stdout, w) {
				t.Errorf("%s: %s not shown:\n%s", what, w, o.stdout)
			}
		}
	}
	check("-w", reqtrace(t, nil, append(hostileArgs(lab), "-w", `%{http_code} %header{x-all} %{errormsg}\n%{json}\n%{header_json}\n`, u)...),
		`\u200e\u200f\u061c\u202a\u202e\u2066\u2069\u200b`, `\U000e0041`, `\udb40\udc41`)

	harFile := filepath.Join(t.TempDir(), "t.har")
	if o := reqtrace(t, nil, append(hostileArgs(lab), "-i", "--har", harFile, "-o", "/dev/null", u)...); o.code != 0 {
		t.Fatalf("--har: exit %d %s", o.code, o.stderr)
	}
	b, err := os.ReadFile(harFile)
	if err != nil {
		t.Fatal(err)
	}
	terminalSafe(t, "--har file", string(b))
	if !strings.Contains(string(b), tracetest.EscInvisible) && !strings.Contains(string(b), `\u200b`) {
		t.Errorf("the HAR lost the invisible characters")
	}
	check("har", reqtrace(t, nil, "har", "--color", "never", "-v", harFile), `\u200b`)
	check("har --color always", reqtrace(t, nil, "har", "--color", "always", "-v", harFile))
	doc := jsonSafe(t, reqtrace(t, nil, "har", "--json", harFile))
	if !strings.Contains(fmt.Sprint(doc), tracetest.EscInvisible) {
		t.Errorf("har --json: the invisible characters do not decode back")
	}

	// An http:// page: from an https:// one the browser would block the
	// http:// URL as mixed content before any response came.
	cors := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: http://app.lab.test"+tracetest.EscInvisible+
		"\r\nX-All: "+tracetest.EscAll+"\r\nContent-Length: 0\r\n\r\n"), tracetest.HostileOptions{})
	cu := hostileURL("http", cors, "/")
	check("cors", reqtrace(t, nil, append([]string{"cors", "--color", "never", "-v", "--origin", "http://app.lab.test", cu}, hostileArgs(lab)...)...), `\u200b`)
	check("cors --color always", reqtrace(t, nil, append([]string{"cors", "--color", "always", "-v", "--origin", "http://app.lab.test", cu}, hostileArgs(lab)...)...))
	jsonSafe(t, reqtrace(t, nil, append([]string{"cors", "--json", "--origin", "http://app.lab.test", cu}, hostileArgs(lab)...)...))
}

// TestHostileEchoedSecretsAreHidden: a server that echoes the request
// (the lab's /echo, as many debug endpoints do) puts the credentials sent
// into its body. Every output hides the exact values sent (the Bearer
// token, -u's password and its Basic form, the cookie, the URL's
// password) wherever they come back, unless --show-secrets.
func TestHostileEchoedSecretsAreHidden(t *testing.T) {
	lab := tracetest.New(t)
	dir := t.TempDir()
	har, dump := filepath.Join(dir, "t.har"), filepath.Join(dir, "headers.txt")
	basic := base64.StdEncoding.EncodeToString([]byte("alice:hunter2pass"))
	cases := []struct {
		args    []string
		secrets []string
	}{
		{[]string{"--oauth2-bearer", "tok-0123456789abcdef", lab.URL("https", "www.lab.test", "/echo")}, []string{"tok-0123456789abcdef"}},
		{[]string{"-u", "alice:hunter2pass", "-b", "sid=cookie-secret-42", lab.URL("http", "www.lab.test", "/echo")},
			[]string{basic, "hunter2pass", "cookie-secret-42"}},
		{[]string{strings.Replace(lab.URL("http", "www.lab.test", "/echo"), "://", "://bob:url-pass-9876@", 1)},
			[]string{"url-pass-9876", base64.StdEncoding.EncodeToString([]byte("bob:url-pass-9876"))}},
	}
	for _, c := range cases {
		for _, mode := range [][]string{{"-v", "-i"}, {"--json", "-i"}, {"-w", "%{json} %header{content-type}\n"}, {"-i", "--har", har, "-D", dump}} {
			args := append(append(append(labArgs(lab), "--color", "never"), mode...), c.args...)
			o := reqtrace(t, nil, args...)
			if o.code != 0 {
				t.Fatalf("%v: exit %d %s", args, o.code, o.stderr)
			}
			outputs := o.stdout + o.stderr
			if mode[1] == "--har" {
				b, _ := os.ReadFile(har)
				d, _ := os.ReadFile(dump)
				outputs += string(b) + string(d)
			}
			for _, s := range c.secrets {
				if strings.Contains(outputs, s) {
					t.Errorf("%v: the secret %q is shown", mode, s)
				}
			}
			if mode[0] == "-v" && !strings.Contains(o.stdout, `│       "Basic [redacted]"`) && !strings.Contains(o.stdout, `│       "Bearer [redacted]"`) {
				t.Errorf("%v: the echoed body does not show [redacted]:\n%s\n%s", mode, o.stdout, o.stderr)
			}
		}
		shown := reqtrace(t, nil, append(append(labArgs(lab), "--show-secrets", "-i"), c.args...)...)
		for _, s := range c.secrets[:1] { // the first is shown as it was sent
			if !strings.Contains(shown.stdout, s) {
				t.Errorf("--show-secrets %v: %q not shown", c.args, s)
			}
		}
	}
}

// bigHAR writes a HAR of about 70 MB shaped like a browser's export:
// 1200 entries, 20 header lines each way, a 60 KB base64 body each.
func bigHAR(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	var hs strings.Builder
	for j := range 20 {
		fmt.Fprintf(&hs, `{"name":"x-h%d","value":"%s"},`, j, strings.Repeat("v", 40))
	}
	headers := "[" + strings.TrimSuffix(hs.String(), ",") + "]"
	body := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("reqtrace har memory "), 2250))
	b.WriteString(`{"log":{"version":"1.2","creator":{"name":"gen","version":"1"},"pages":[{"startedDateTime":"2026-01-01T00:00:00.000Z","id":"page_1","title":"t","pageTimings":{}}],"entries":[`)
	for i := range 1200 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"pageref":"page_1","startedDateTime":"2026-01-01T00:00:%02d.%03dZ","time":12.5,`+
			`"request":{"method":"GET","url":"https://example.test/asset/%d.png","httpVersion":"HTTP/2","headers":%s,"headersSize":-1,"bodySize":0},`+
			`"response":{"status":200,"statusText":"OK","httpVersion":"HTTP/2","headers":%s,"content":{"size":45000,"mimeType":"image/png","text":"%s","encoding":"base64"},"redirectURL":"","headersSize":-1,"bodySize":45000},`+
			`"timings":{"blocked":1,"dns":-1,"connect":-1,"ssl":-1,"send":0.1,"wait":10,"receive":1.4},"serverIPAddress":"192.0.2.1","connection":"1"}`,
			i%60, i%1000, i, headers, headers, body)
	}
	b.WriteString(`]}}`)
	name := filepath.Join(t.TempDir(), "big.har")
	if err := os.WriteFile(name, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// endlessHAR is stdin that never ends: a HAR whose entries array goes on
// (entry empty: with one endless entry instead).
type endlessHAR struct {
	entry string
	sent  bool
}

func (e *endlessHAR) Read(p []byte) (int, error) {
	if !e.sent {
		e.sent = true
		return copy(p, `{"log":{"entries":[{"request":{"url":"http://h.test/"},"response":{"status":200,"content":{"text":"`), nil
	}
	if e.entry == "" {
		for i := range p {
			p[i] = 'a'
		}
		return len(p), nil
	}
	n := 0
	for n+len(e.entry) <= len(p) {
		n += copy(p[n:], e.entry)
	}
	return n, nil
}

// TestHostileHARMemory: `reqtrace har` on a 70 MB HAR peaked at 20× its
// size; it decodes entry by entry now and keeps of each body what the
// report shows (1 KiB). A file over 256 MiB and an entry over 64 MiB are
// refused with the cap in the message, memory bounded on the way.
func TestHostileHARMemory(t *testing.T) {
	file := bigHAR(t)
	st, _ := os.Stat(file)
	for _, mode := range []string{"--color=never", "--json"} {
		code, rss, took := maxRSS(t, "har", mode, file)
		t.Logf("har %s on %d MB: exit %d, %v, peak RSS %d MiB", mode, st.Size()>>20, code, took.Round(time.Millisecond), rss>>20)
		if code != 0 || rss > 160<<20 {
			t.Errorf("har %s on %d MB: exit %d, peak RSS %d MiB; want 0 and at most 160 MiB", mode, st.Size()>>20, code, rss>>20)
		}
	}
	entry := `"}},"timings":{}},{"request":{"url":"http://h.test/` + strings.Repeat("p", 8000) + `"},"response":{"status":200,"content":{"text":"`
	for _, c := range []struct {
		in   io.Reader
		want string
	}{
		{&endlessHAR{}, "har -: an entry is larger than 64 MiB, the most reqtrace reads"},
		{&endlessHAR{entry: entry}, "har -: the file is larger than 256 MiB, the most reqtrace reads"},
	} {
		start := time.Now()
		o := bounded(t, c.in, "har", "--color=never", "-")
		if o.code != 2 || !strings.Contains(o.stderr, c.want) {
			t.Errorf("endless HAR on stdin: exit %d, stderr %.300q; want 2 and %q", o.code, o.stderr, c.want)
		}
		t.Logf("%s: %v", c.want, time.Since(start).Round(time.Millisecond))
	}
}

// TestHostileCNAMEChains: a CNAME loop and a chain past the limit exit 6
// with their own kinds, not no_address.
func TestHostileCNAMEChains(t *testing.T) {
	lab := tracetest.New(t)
	for b, kind := range map[tracetest.DNSBehaviour]string{tracetest.DNSCNAMELoop: "cname_loop", tracetest.DNSCNAMELong: "cname_too_long"} {
		d := tracetest.NewHostileDNS(t, b)
		u := "http://hostile.example:" + strconv.Itoa(lab.HTTPPort) + "/"
		runs(t, 6, "--dns-servers", d.Addr, u)
		doc := jsonSafe(t, reqtrace(t, nil, "--json", "--dns-servers", d.Addr, u))
		if k, p := jsonErr(doc); k != kind || p != "dns" {
			t.Errorf("%s: error %s/%s, want dns/%s", b, p, k, kind)
		}
	}
}

// TestHostileHTTP2OtherStreamsMemory: 18 MB of HPACK-amplified header
// blocks on streams the client never opened, then the real response. The
// frame scanner that recovers header order must not keep those blocks
// (decoded, they are some 60 times larger); the binary stays within the
// issue's 50 MiB. The binary is built without -race, so this runs under
// `go test -race` too.
func TestHostileHTTP2OtherStreamsMemory(t *testing.T) {
	lab := tracetest.New(t)
	cert, err := lab.Certificate("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	h := tracetest.NewHostile(t, tracetest.H2(tracetest.H2OtherStreamHeaders(18<<20)), tracetest.HostileOptions{Certificate: &cert, ALPN: []string{"h2"}})
	code, rss, took := maxRSS(t, append(hostileArgs(lab), "--color=never", hostileURL("https", h, "/"))...)
	t.Logf("18 MB of header blocks on other streams: exit %d in %v, peak RSS %d MiB", code, took.Round(time.Millisecond), rss>>20)
	if code != 0 || rss > 50<<20 {
		t.Errorf("exit %d, peak RSS %d MiB; want 0 and at most 50 MiB", code, rss>>20)
	}
}

// TestHostileHeaderInjectionExit2: a line break in a value reqtrace puts
// into a header is bad input (exit 2) over HTTP/1.1 and HTTP/2 alike, and
// the server sees no connection at all. (Over HTTP/2, x/net used to
// refuse it while sending: exit 16, an "HTTP/2 error".)
func TestHostileHeaderInjectionExit2(t *testing.T) {
	lab := tracetest.New(t)
	cert, err := lab.Certificate("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	plain := tracetest.NewHostile(t, tracetest.Reply("HTTP/1.1 204 No Content\r\n\r\n"), tracetest.HostileOptions{})
	h2 := tracetest.NewHostile(t, tracetest.H2(func(c *tracetest.H2Conn) {
		c.Headers(true, tracetest.H2Field(":status", "204"))
		c.Hold()
	}), tracetest.HostileOptions{Certificate: &cert, ALPN: []string{"h2"}})
	for _, u := range []string{hostileURL("http", plain, "/"), hostileURL("https", h2, "/")} {
		o := reqtrace(t, nil, append(hostileArgs(lab), "-A", "ua\r\nX-Injected: 1", u)...)
		terminalSafe(t, "stderr", o.stderr)
		// cmd refuses it first (naming the flag); the engine's own check is
		// the net under it (trace's hostile tests).
		if low := strings.ToLower(o.stderr); o.code != 2 || !strings.Contains(low, "user-agent") || !strings.Contains(low, "inject") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 naming User-Agent and header injection", u, o.code, o.stderr)
		}
	}
	if n := plain.Accepted() + h2.Accepted(); n != 0 {
		t.Errorf("%d connections reached the servers", n)
	}
}

// TestHostileLibraryLogLines: x/net's HTTP/2 client logs some protocol
// errors itself, with Go's standard logger (a date, no name). None of
// those lines reach stderr as they are: every line there is reqtrace's
// own, and the error is reported once, as a classified error.
func TestHostileLibraryLogLines(t *testing.T) {
	lab := tracetest.New(t)
	cert, err := lab.Certificate("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	// DATA before HEADERS: x/net logs "protocol error: received DATA
	// before a HEADERS frame" and resets the stream.
	h := tracetest.NewHostile(t, tracetest.H2(func(c *tracetest.H2Conn) {
		c.Data([]byte("early"+tracetest.EscClear), false)
		c.Hold()
	}), tracetest.HostileOptions{Certificate: &cert, ALPN: []string{"h2"}})
	for _, extra := range [][]string{nil, {"-v"}} {
		o := reqtrace(t, nil, append(append(hostileArgs(lab), extra...), hostileURL("https", h, "/"))...)
		terminalSafe(t, "stderr", o.stderr)
		if o.code != 16 {
			t.Errorf("%v: exit %d, want 16\nstderr: %s", extra, o.code, o.stderr)
		}
		for line := range strings.SplitSeq(strings.TrimRight(o.stderr, "\n"), "\n") {
			if !strings.HasPrefix(line, "reqtrace: ") && !strings.HasPrefix(line, "  ") {
				t.Errorf("%v: a stderr line that is not reqtrace's: %q", extra, line)
			}
		}
		if len(extra) > 0 && !strings.Contains(o.stderr, "reqtrace: warning: http2 client: protocol error: received DATA before a HEADERS frame") {
			t.Errorf("-v: x/net's line is not shown as a warning:\n%s", o.stderr)
		}
	}
}

// TestHostileRedirectHeadsMemory: --max-redirs -1 follows up to 1000
// redirects; with 300 KiB heads, keeping 256 KiB of each held some
// 250 MiB, and --json took the binary past 2 GiB to print it. The heads
// of followed redirects now share a 1 MiB budget, and the JSON says what
// was dropped. (1000 hops of small heads alone peak at about 42 MiB with
// --json, hence the bound of 80 MiB, not 50.)
func TestHostileRedirectHeadsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("300 MB of redirects: skipped with -short")
	}
	lab := tracetest.New(t)
	chain := tracetest.NewHostile(t, tracetest.RedirectChain(300), tracetest.HostileOptions{})
	code, rss, took := maxRSS(t, append(hostileArgs(lab), "-m", "120", "-L", "--max-redirs", "-1", "--json", "-o", "/dev/null", hostileURL("http", chain, "/"))...)
	t.Logf("1000 redirects with 300 KiB heads, --json: exit %d in %v, peak RSS %d MiB", code, took.Round(time.Millisecond), rss>>20)
	if code != 47 || rss > 80<<20 {
		t.Errorf("exit %d, peak RSS %d MiB; want 47 and at most 80 MiB", code, rss>>20)
	}
	// What the budget dropped is said, in the JSON and in the report.
	o := reqtrace(t, nil, append(hostileArgs(lab), "-L", "--max-redirs", "20", "--json", hostileURL("http", chain, "/"))...)
	doc := jsonSafe(t, o)
	hops, _ := doc["hops"].([]any)
	if len(hops) != 21 {
		t.Fatalf("%d hops", len(hops))
	}
	last := hops[19].(map[string]any)["response"].(map[string]any)
	if last["head_budget_cut"] != true || last["headers_cut"].(float64) < 300 {
		t.Errorf("hop 20: head_budget_cut %v, headers_cut %v; want true and its 300 lines or more", last["head_budget_cut"], last["headers_cut"])
	}
	if first := hops[0].(map[string]any)["response"].(map[string]any); first["head_budget_cut"] != nil {
		t.Errorf("the first hop was cut by the budget: %v", first["head_budget_cut"])
	}
	o = reqtrace(t, nil, append(hostileArgs(lab), "-L", "--max-redirs", "20", hostileURL("http", chain, "/"))...)
	if !strings.Contains(o.stdout, "reqtrace keeps 1 MiB of header lines over all the redirects it follows") {
		t.Errorf("the report does not say the budget ran out")
	}
}
