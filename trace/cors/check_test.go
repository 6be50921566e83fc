package cors

import (
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
)

func acao(vs ...string) []trace.Header {
	var hs []trace.Header
	for _, v := range vs {
		hs = append(hs, trace.Header{Name: "Access-Control-Allow-Origin", Value: v})
	}
	return hs
}

func TestCorsCheck(t *testing.T) {
	o := Origin{Scheme: "https", Host: "app.example.com", Port: 443}
	withACAC := func(hs []trace.Header, v string) []trace.Header {
		return append(hs, trace.Header{Name: "access-control-allow-credentials", Value: v})
	}
	cases := []struct {
		name  string
		hs    []trace.Header
		creds bool
		kind  string // "" passes
		value string
	}{
		{"star", acao("*"), false, "", ""},
		{"star with spaces", acao(" * "), false, "", ""},
		{"star with credentials", withACAC(acao("*"), "true"), true, kindWildcard, "*"},
		{"missing", nil, false, kindMissing, ""},
		{"missing with credentials", nil, true, kindMissing, ""},
		{"exact", acao("https://app.example.com"), false, "", ""},
		{"exact with credentials", withACAC(acao("https://app.example.com"), "true"), true, "", ""},
		{"credentials absent", acao("https://app.example.com"), true, kindCredentials, ""},
		{"credentials True", withACAC(acao("https://app.example.com"), "True"), true, kindCredentials, "True"},
		{"credentials quoted", withACAC(acao("https://app.example.com"), `"true"`), true, kindCredentials, `"true"`},
		{"credentials ignored without include", withACAC(acao("https://app.example.com"), "1"), false, "", ""},
		{"two lines", acao("https://app.example.com", "https://app.example.com"), false, kindMultiple, "https://app.example.com, https://app.example.com"},
		{"two stars", acao("*", "*"), false, kindMultiple, "*, *"},
		{"list", acao("https://a.example https://app.example.com"), false, kindMultiple, "https://a.example https://app.example.com"},
		{"null", acao("null"), false, kindMismatch, "null"},
		{"trailing slash", acao("https://app.example.com/"), false, kindMismatch, "https://app.example.com/"},
		{"upper case", acao("HTTPS://APP.EXAMPLE.COM"), false, kindMismatch, "HTTPS://APP.EXAMPLE.COM"},
		{"default port", acao("https://app.example.com:443"), false, kindMismatch, "https://app.example.com:443"},
		{"host only", acao("app.example.com"), false, kindInvalid, "app.example.com"},
		{"host and port is a scheme", acao("app.example.com:8080"), false, kindMismatch, "app.example.com:8080"},
		{"empty", acao(""), false, kindInvalid, ""},
		{"quoted star", acao(`"*"`), false, kindInvalid, `"*"`},
		{"pattern", acao("https://*.example.com"), false, kindInvalid, "https://*.example.com"},
	}
	for _, c := range cases {
		f := corsCheck(c.hs, o, c.creds)
		switch {
		case c.kind == "" && f != nil:
			t.Errorf("%s: failed with %+v", c.name, f)
		case c.kind != "" && (f == nil || f.kind != c.kind || f.value != c.value):
			t.Errorf("%s: got %+v, want %s %q", c.name, f, c.kind, c.value)
		}
	}
	// A null origin is matched by "null" (and by echoing it).
	if f := corsCheck(acao("null"), Origin{Opaque: true}, false); f != nil {
		t.Errorf("null origin with ACAO null: %+v", f)
	}
}

func TestConsoleMessages(t *testing.T) {
	r := newTestRequest(t, Config{Method: "PUT"})
	const prefix = "Access to fetch at 'https://api.example.com/items' from origin 'https://app.example.com' has been blocked by CORS policy: "
	cases := []struct {
		preflight   bool
		kind, value string
		want        string
	}{
		{true, kindMissing, "", "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."},
		{false, kindMissing, "", "No 'Access-Control-Allow-Origin' header is present on the requested resource."},
		{false, kindMismatch, "x", "The 'Access-Control-Allow-Origin' header has a value 'x' that is not equal to the supplied origin. Have the server send the header with a valid value."},
		{true, kindStatus, "", "Response to preflight request doesn't pass access control check: It does not have HTTP ok status."},
		{true, kindPreflightRedirect, "/x", "Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request."},
		{true, kindMethod, "PUT", "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."},
		{true, kindHeader, "x-a", "Request header field x-a is not allowed by Access-Control-Allow-Headers in preflight response."},
		{true, kindMethodsParse, "", "Cannot parse Access-Control-Allow-Methods response header field in preflight response."},
		{false, kindRedirectUserinfo, "http://u:p@x/", "Redirect location '' contains a username and password, which is disallowed for cross-origin requests."},
	}
	for _, c := range cases {
		if got := r.console(c.preflight, c.kind, c.value); got != prefix+c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.kind, got, prefix+c.want)
		}
	}
}

func TestConsoleURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://API.example.com:443/a?b=1": "https://api.example.com/a?b=1",
		"http://x.example:80/":              "http://x.example/",
		"http://x.example:8080/p":           "http://x.example:8080/p",
		"http://[::1]:3000/":                "http://[::1]:3000/",
	} {
		if got := consoleURL(mustURL(t, in)); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestMismatchHints(t *testing.T) {
	o := Origin{Scheme: "https", Host: "app.example.com", Port: 443}
	local := Origin{Scheme: "http", Host: "localhost", Port: 3000}
	cases := []struct {
		acao string
		o    Origin
		want string
	}{
		{"https://app.example.com/", o, "trailing /"},
		{"HTTPS://App.Example.com", o, "case differs"},
		{"http://app.example.com", o, "scheme differs"},
		{"https://app.example.com:8443", o, "port differs"},
		{"https://app.example.com:443", o, "default port :443"},
		{"https://www.example.com", o, "another site"},
		{"null", o, "opaque origins"},
		{"https://app.example.com/path", o, "no path"},
		{"http://127.0.0.1:3000", local, "different origins even though both are this machine"},
		{"https://app.example.com", Origin{Opaque: true}, "Origin: null"},
		{"not a url", o, "does not name this origin"},
	}
	for _, c := range cases {
		if got := mismatchHint(c.acao, c.o); !strings.Contains(got, c.want) {
			t.Errorf("%q: hint %q lacks %q", c.acao, got, c.want)
		}
	}
}

func TestParseTokenList(t *testing.T) {
	cases := []struct {
		in   string
		want string // items joined by "|"; "!" for a parse failure
	}{
		{"", ""},
		{"GET", "GET"},
		{"GET, PUT", "GET|PUT"},
		{" , PUT ,,", "PUT"},
		{"\tPUT\t,DELETE", "PUT|DELETE"},
		{"*", "*"},
		{"PUT GET", "!"},
		{"x-a/b", "!"},
		{`"x-a"`, "!"},
		{"x-a, x b", "!"},
		{"ünicode", "!"},
	}
	for _, c := range cases {
		items, ok := ParseTokenList(c.in)
		got := strings.Join(items, "|")
		if !ok {
			got = "!"
		}
		if got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}
