package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/cors/corslab"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// These tests run `reqtrace cors` in process against the CORS lab, with
// the command added to the root when root.go does not register it yet.

type corsOutcome struct {
	code           int
	stdout, stderr string
}

// runCorsCLI runs one command line the way Run does.
func runCorsCLI(t *testing.T, env map[string]string, args ...string) corsOutcome {
	t.Helper()
	var out, errb bytes.Buffer
	ios := &IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb, Width: 100,
		Getenv: func(k string) string { return env[k] }}
	code := Run(context.Background(), ios, args) // the path main takes: errors printed once, exit code
	o := corsOutcome{code, out.String(), errb.String()}
	if strings.Contains(o.stderr, "panic") {
		t.Fatalf("crash: %s", o.stderr)
	}
	return o
}

// testLab is the CORS lab and the tracetest lab whose CA signs its
// https:// API (and whose DNS server answers *.lab.test).
type testLab struct {
	*corslab.Lab
	ca *tracetest.Lab
}

func corsLab(t *testing.T) testLab {
	t.Helper()
	ca := tracetest.New(t)
	return testLab{corslab.New(t, ca.Certificate), ca}
}

// labFlags point reqtrace at the lab.
func labFlags(lab testLab) []string {
	return append([]string{"cors", "--cacert", lab.ca.CAFile}, lab.ResolveArgs()...)
}

func TestCorsShow(t *testing.T) {
	if os.Getenv("CORS_SHOW") == "" {
		t.Skip("CORS_SHOW=scenario,... prints the text report of those scenarios")
	}
	lab := corsLab(t)
	for _, name := range strings.Split(os.Getenv("CORS_SHOW"), ",") {
		s, _ := corslab.ByName(name)
		args := append(labFlags(lab), lab.ScenarioURL(&s), "--origin", lab.PageOrigin(), "-X", s.FetchMethod(), "--actual")
		for _, h := range s.Headers {
			args = append(args, "-H", h[0]+": "+h[1])
		}
		if s.Credentials {
			args = append(args, "--credentials")
		}
		o := runCorsCLI(t, nil, args...)
		fmt.Printf("======== %s (exit %d)\n%s%s", name, o.code, o.stdout, o.stderr)
	}
}

// corsArgs are the flags that reproduce a scenario's fetch().
func corsArgs(lab testLab, name string, more ...string) []string {
	s, ok := corslab.ByName(name)
	if !ok {
		panic("no scenario " + name)
	}
	args := append(labFlags(lab), lab.ScenarioURL(&s), "--origin", lab.PageOrigin(), "-X", s.FetchMethod())
	for _, h := range s.Headers {
		args = append(args, "-H", h[0]+": "+h[1])
	}
	if s.Credentials {
		args = append(args, "--credentials")
	}
	if s.HasBody {
		args = append(args, "-d", s.Body)
	}
	return append(args, more...)
}

func TestCorsVerdictsExit0(t *testing.T) {
	lab := corsLab(t)
	for name, want := range map[string]string{"get-star": "✓ ALLOWED", "get-none": "✗ BLOCKED", "put-no-methods": "✗ BLOCKED", "put-allowed": "? UNKNOWN",
		"redirect-other-star": "✓ ALLOWED", "redirect-loop": "✗ BLOCKED"} {
		o := runCorsCLI(t, nil, corsArgs(lab, name)...)
		if o.code != 0 || !strings.Contains(o.stdout, want) || o.stderr != "" {
			t.Errorf("%s: exit %d, stderr %q, want exit 0 and %q in:\n%s", name, o.code, o.stderr, want, o.stdout)
		}
		if strings.Contains(o.stdout, "\x1b") {
			t.Errorf("%s: colour on a pipe", name)
		}
	}
	o := runCorsCLI(t, nil, corsArgs(lab, "get-none", "--color", "always")...)
	if !strings.Contains(o.stdout, "\x1b[") {
		t.Error("--color always gave no colour")
	}
}

func TestCorsBadInputExit2(t *testing.T) {
	lab := corsLab(t)
	url := lab.URL("/s/get-star")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"cors", url}, "--origin is required"},
		{[]string{"cors", url, "--origin", "ftp://app.example"}, "--origin"},
		{[]string{"cors", url, "--origin", "https://app.example/path"}, "path"},
		{[]string{"cors", url, "--origin", "app.example"}, "not a URL"},
		{[]string{"cors", url, "--origin", "https://a.example", "-X", "TRACE"}, "unsupported"},
		{[]string{"cors", url, "--origin", "https://a.example", "-X", "GET", "-d", "x"}, "GET/HEAD"},
		{[]string{"cors", "ftp://x.example/", "--origin", "https://a.example"}, "scheme"},
		{[]string{"cors", "https://u:p@x.example/", "--origin", "https://a.example"}, "user name or password"},
		{[]string{"cors", url, "--origin", "https://a.example", "-H", "bad header"}, "bad header"},
		{[]string{"cors", url, "--origin", "https://a.example", "--color", "pink"}, "--color"},
		{[]string{"cors", url, "--origin", "https://a.example", "-n", "3"}, "unknown shorthand flag"},
		{[]string{"cors", url, "--origin", "https://a.example", "-I", "-d", "x"}, "HEAD"},
		{[]string{"cors", url, "--origin", "https://a.example", "-u", "nopass"}, "no password"},
		{[]string{"cors"}, "accepts 1 arg"},
	}
	for _, c := range cases {
		o := runCorsCLI(t, nil, c.args...)
		if o.code != ExitUsage || o.stdout != "" || !strings.Contains(o.stderr, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args[1:], o.code, o.stdout, o.stderr, c.want)
		}
	}
}

func TestCorsNetworkExitCodes(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	lab := corsLab(t)
	cases := []struct {
		args []string
		code int
		kind string
	}{
		{[]string{"http://127.0.0.1:" + closed + "/"}, ExitConnect, "connection_refused"},
		{[]string{"--dns-servers", lab.ca.DNSAddr, "http://nxdomain.lab.test/"}, ExitDNS, "nxdomain"},
		{[]string{"-X", "PUT", "http://127.0.0.1:" + closed + "/"}, ExitConnect, "connection_refused"},
	}
	for _, c := range cases {
		// An http:// page: from https:// the http:// URLs would be mixed content.
		o := runCorsCLI(t, nil, append([]string{"cors", "--json", "--origin", "http://app.example"}, c.args...)...)
		var doc struct {
			Verdict string
			Error   *struct{ Kind string }
		}
		if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil {
			t.Fatalf("%v: stdout is not JSON: %v\n%s", c.args, err, o.stdout)
		}
		if o.code != c.code || doc.Verdict != "unknown" || doc.Error == nil || doc.Error.Kind != c.kind || !strings.HasPrefix(o.stderr, "reqtrace: ") {
			t.Errorf("%v: exit %d, verdict %s, error %+v, stderr %q", c.args, o.code, doc.Verdict, doc.Error, o.stderr)
		}
	}
}

func TestCorsJSON(t *testing.T) {
	lab := corsLab(t)
	o := runCorsCLI(t, nil, corsArgs(lab, "tls-put-allowed", "--actual", "--json")...)
	if o.code != 0 || o.stderr != "" {
		t.Fatalf("exit %d, stderr %q", o.code, o.stderr)
	}
	dec := json.NewDecoder(strings.NewReader(o.stdout))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || dec.More() {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, o.stdout)
	}
	pre := doc["preflight"].(map[string]any)
	act := doc["actual"].(map[string]any)
	if doc["schema"] != "reqtrace.cors/v1" || doc["verdict"] != "allowed" || doc["method"] != "PUT" ||
		pre["needed"] != true || pre["passed"] != true || act["sent"] != true || act["passed"] != true {
		t.Errorf("unexpected document:\n%s", o.stdout)
	}
	if rh := doc["readable_headers"].([]any); len(rh) != 2 || rh[0] != "content-length" {
		t.Errorf("readable_headers = %v", rh)
	}
	if got := doc["request_headers"].([]any); len(got) != 1 || got[0] != "x-api-key" {
		t.Errorf("request_headers = %v", got)
	}
}

func TestCorsRedirectsJSON(t *testing.T) {
	lab := corsLab(t)
	o := runCorsCLI(t, nil, corsArgs(lab, "redirect-307-put-other", "--actual", "--json")...)
	if o.code != 0 || o.stderr != "" {
		t.Fatalf("exit %d, stderr %q", o.code, o.stderr)
	}
	var doc struct {
		Verdict string
		Actual  struct {
			Request    struct{ URL string }
			OriginSent string `json:"origin_sent"`
			Redirects  []struct {
				Status      int
				Location    string
				CrossOrigin bool   `json:"cross_origin"`
				OriginSent  string `json:"origin_sent"`
				Passed      *bool
				Preflight   *struct{ Passed *bool }
			}
		}
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Actual
	if doc.Verdict != "allowed" || len(a.Redirects) != 1 || a.OriginSent != "null" || !strings.Contains(a.Request.URL, corslab.OtherHost) {
		t.Fatalf("307 to another origin:\n%s", o.stdout)
	}
	rd := a.Redirects[0]
	if rd.Status != 307 || !rd.CrossOrigin || rd.Location != a.Request.URL || rd.Passed == nil || !*rd.Passed || rd.Preflight == nil || !*rd.Preflight.Passed {
		t.Errorf("redirect hop: %+v", rd)
	}
	text := runCorsCLI(t, nil, corsArgs(lab, "redirect-307-put-other", "--actual")...)
	if !strings.Contains(text.stdout, "1 redirect followed") || !strings.Contains(text.stdout, "new preflight: OPTIONS") {
		t.Errorf("text:\n%s", text.stdout)
	}
}

func TestCorsCookiesAndBody(t *testing.T) {
	lab := corsLab(t)
	o := runCorsCLI(t, nil, corsArgs(lab, "creds-echo", "-H", "Cookie: session=1")...)
	seen := lab.Seen("/s/creds-echo")
	if o.code != 0 || len(seen) != 1 || seen[0].Headers.Get("Cookie") != "session=1" {
		t.Errorf("with --credentials, -H Cookie is sent as the browser's cookie: %+v", seen)
	}
	o = runCorsCLI(t, nil, corsArgs(lab, "post-text", "--actual")...)
	seen = lab.Seen("/s/post-text")
	if o.code != 0 || len(seen) != 1 || seen[0].Headers.Get("Content-Type") != "text/plain;charset=UTF-8" || seen[0].Method != "POST" {
		t.Errorf("-d is a string body, labelled as fetch() does: %+v", seen)
	}
	o = runCorsCLI(t, nil, corsArgs(lab, "put-allowed")...)
	for _, s := range lab.Seen("/s/put-allowed") {
		if s.Method == "PUT" {
			t.Error("an unsafe method was sent without --actual")
		}
	}
}

func TestCorsScanCLI(t *testing.T) {
	lab := corsLab(t)
	o := runCorsCLI(t, nil, append(labFlags(lab), lab.TLSURL("/scan/reflect"), "--origin", "https://app.example", "--scan", "--json")...)
	if o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	var doc struct {
		Scan struct {
			Probes   []any
			Findings []struct{ Class, Severity string }
		}
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Scan.Probes) < 35 || len(doc.Scan.Findings) == 0 || doc.Scan.Findings[0].Severity != "high" {
		t.Errorf("scan: %d probes, findings %+v", len(doc.Scan.Probes), doc.Scan.Findings)
	}
	text := runCorsCLI(t, nil, append(labFlags(lab), lab.TLSURL("/scan/reflect"), "--origin", "https://app.example", "--scan")...)
	if !strings.Contains(text.stdout, "HIGH    reflected-origin") {
		t.Errorf("scan text:\n%s", text.stdout)
	}
}

// TestCorsCurlFlags: the contract's request flags mean for cors what they
// mean for curl, seen through fetch().
func TestCorsCurlFlags(t *testing.T) {
	lab := corsLab(t)
	dir := t.TempDir()

	// -f: a blocked verdict or an error status script reads is exit 22.
	for name, want := range map[string]int{"get-star": 0, "get-none": 22, "get-404-star": 22, "redirect-other-star": 0} {
		o := runCorsCLI(t, nil, corsArgs(lab, name, "-f")...)
		if o.code != want || (want == 22) != strings.Contains(o.stderr, "(--fail)") {
			t.Errorf("%s -f: exit %d, stderr %q; want exit %d", name, o.code, o.stderr, want)
		}
	}

	// -o saves the body script gets, once: not the redirect's.
	file := dir + "/body"
	o := runCorsCLI(t, nil, corsArgs(lab, "redirect-other-star", "-o", file, "-L")...)
	if b, err := os.ReadFile(file); o.code != 0 || err != nil || string(b) != "ok\n" {
		t.Errorf("-o after a redirect: exit %d, file %q (%v), stderr %q", o.code, b, err, o.stderr)
	}

	// --max-redirs below the browser's 20 ends the chain the way curl does.
	o = runCorsCLI(t, nil, corsArgs(lab, "redirect-other-star", "--max-redirs", "0")...)
	if o.code != 47 || !strings.Contains(o.stdout, "--max-redirs stops here") || !strings.Contains(o.stdout, "UNKNOWN") {
		t.Errorf("--max-redirs 0: exit %d, stderr %q:\n%s", o.code, o.stderr, o.stdout)
	}

	// -u is an Authorization header script sets: it needs a preflight; -I is HEAD.
	s, _ := corslab.ByName("get-star")
	o = runCorsCLI(t, nil, append(labFlags(lab), lab.ScenarioURL(&s), "--origin", lab.PageOrigin(), "-u", "ann:secret", "-I", "--json")...)
	var doc struct {
		Method         string
		RequestHeaders []string `json:"request_headers"`
		Preflight      struct {
			Needed  bool
			Reasons []string
		}
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil {
		t.Fatalf("-u -I: %v\n%s%s", err, o.stdout, o.stderr)
	}
	if doc.Method != "HEAD" || len(doc.RequestHeaders) != 1 || doc.RequestHeaders[0] != "authorization" || !doc.Preflight.Needed {
		t.Errorf("-u -I: %+v", doc)
	}
	if strings.Contains(o.stdout, "YW5uOnNlY3JldA") || !strings.Contains(o.stdout, "Basic [redacted]") { // base64 of ann:secret
		t.Errorf("-u password shown without --show-secrets:\n%s", o.stdout)
	}
	o = runCorsCLI(t, nil, append(labFlags(lab), lab.ScenarioURL(&s), "--origin", lab.PageOrigin(), "-u", "ann:secret", "--show-secrets", "--json")...)
	if !strings.Contains(o.stdout, "Basic YW5uOnNlY3JldA==") {
		t.Errorf("--show-secrets hid the Authorization line:\n%s", o.stdout)
	}
}

// The URL and the headers are parsed as fetch() parses them: a space in
// the query is legal (and percent-encoded), a control byte in a value
// is legal (and needs a preflight), CR/LF are not.
func TestCorsFetchParsing(t *testing.T) {
	lab := corsLab(t)
	base := append(labFlags(lab), "--origin", lab.PageOrigin(), "--json")
	o := runCorsCLI(t, nil, append(base, lab.URL("/s/get-star")+"?acah=X-Foo, X-Bar")...)
	var doc struct {
		URL       string `json:"url"`
		Browser   string `json:"browser"`
		Verdict   string `json:"verdict"`
		Preflight struct {
			Needed bool `json:"needed"`
		} `json:"preflight"`
		Engines []struct {
			Browser string `json:"browser"`
			Verdict string `json:"verdict"`
		} `json:"engines"`
		Warnings []struct {
			Rule string `json:"rule"`
		} `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || o.code != 0 {
		t.Fatalf("space in the query: exit %d, %v\n%s%s", o.code, err, o.stdout, o.stderr)
	}
	if !strings.HasSuffix(doc.URL, "/s/get-star?acah=X-Foo,%20X-Bar") || doc.Verdict != "allowed" || doc.Browser != "chromium" || doc.Engines != nil {
		t.Errorf("space in the query: url %s, verdict %s, browser %s, engines %v", doc.URL, doc.Verdict, doc.Browser, doc.Engines)
	}
	o = runCorsCLI(t, nil, append(base, lab.URL("/s/value-ctl-custom"), "-H", "X-A: a\x01b")...)
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || o.code != 0 || !doc.Preflight.Needed || doc.Verdict != "blocked" {
		t.Errorf("a control byte in a value: exit %d, preflight %v, verdict %s\n%s", o.code, doc.Preflight.Needed, doc.Verdict, o.stderr)
	}
	o = runCorsCLI(t, nil, append(base, lab.URL("/s/get-star"), "-H", "X-A: a\rb")...)
	if o.code != 2 || !strings.Contains(o.stderr, "TypeError") {
		t.Errorf("CR in a value: exit %d, %q", o.code, o.stderr)
	}
	o = runCorsCLI(t, nil, append(base, lab.URL("/s/get-star"), "--browser", "safari")...)
	if o.code != 2 || !strings.Contains(o.stderr, "--browser") {
		t.Errorf("--browser safari: exit %d, %q", o.code, o.stderr)
	}
	// Where the engines differ, both say what they do.
	o = runCorsCLI(t, nil, append(base, lab.URL("/s/value-save-data"), "-H", "Save-Data: on", "--browser", "firefox")...)
	doc.Engines, doc.Warnings = nil, nil
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || doc.Browser != "firefox" || doc.Verdict != "blocked" || len(doc.Engines) != 2 ||
		doc.Engines[1].Browser != "chromium" || doc.Engines[1].Verdict != "allowed" {
		t.Errorf("--browser firefox: %v, %s %s %+v", err, doc.Browser, doc.Verdict, doc.Engines)
	}
	warned := false
	for _, w := range doc.Warnings {
		warned = warned || w.Rule == "browser-difference"
	}
	if !warned {
		t.Error("no browser-difference warning")
	}
}

// A same-origin URL is fetched and reported, not skipped.
func TestCorsSameOrigin(t *testing.T) {
	lab := corsLab(t)
	s, _ := corslab.ByName("same-get")
	o := runCorsCLI(t, nil, append(labFlags(lab), lab.ScenarioURL(&s), "--origin", lab.PageOrigin())...)
	if o.code != 0 || !strings.Contains(o.stdout, "✓ ALLOWED") || !strings.Contains(o.stdout, "x-secret") || !strings.Contains(o.stdout, "same origin") {
		t.Errorf("same origin: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if n := len(lab.Seen(s.Path())); n != 1 {
		t.Errorf("same origin: %d requests reached the server", n)
	}
}
