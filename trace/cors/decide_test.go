package cors

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
)

// newTestRequest builds a request to https://api.example.com/items from
// https://app.example.com unless cfg says otherwise.
func newTestRequest(t *testing.T, cfg Config) *Request {
	t.Helper()
	if cfg.URL == nil {
		cfg.URL = mustURL(t, "https://api.example.com/items")
	}
	if cfg.Origin == "" {
		cfg.Origin = "https://app.example.com"
	}
	r, err := NewRequest(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := trace.ParseURL(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func hdrs(hs ...string) []trace.HeaderEdit {
	var out []trace.HeaderEdit
	for _, h := range hs {
		e, err := trace.ParseHeader(h)
		if err != nil {
			panic(err)
		}
		if e.Remove {
			e.Remove = false
		}
		out = append(out, e)
	}
	return out
}

func TestPreflightDecision(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		needed  bool
		unsafe  []string
		reasons []string // each must appear in some reason
	}{
		{"simple GET", Config{}, false, nil, nil},
		{"simple POST text", Config{Method: "POST", Body: []byte("x")}, false, nil, nil},
		{"credentials alone", Config{Credentials: true}, false, nil, nil},
		{"PUT", Config{Method: "PUT"}, true, nil, []string{"the method PUT is not CORS-safelisted"}},
		{"patch", Config{Method: "patch"}, true, nil, []string{`sends "patch", not PATCH`}},
		{"json", Config{Method: "POST", Body: []byte("{}"), Headers: hdrs("Content-Type: application/json")}, true,
			[]string{"content-type"}, []string{`"application/json" is not one of`}},
		{"custom and case", Config{Headers: hdrs("X-B: 1", "x-a: 2", "X-A: 3")}, true,
			[]string{"x-a", "x-b"}, []string{"x-b is not a CORS-safelisted header", "x-a is not"}},
		{"authorization", Config{Headers: hdrs("Authorization: Bearer t")}, true, []string{"authorization"}, nil},
		{"long accept", Config{Headers: hdrs("Accept: " + strings.Repeat("a", 129))}, true, []string{"accept"}, []string{"129 bytes"}},
		{"forbidden only", Config{Headers: hdrs("Connection: close", "Sec-Foo: 1", "Proxy-X: 1", "Origin: x", "Host: y")}, false, nil, nil},
		{"method override", Config{Headers: hdrs("X-HTTP-Method-Override: TRACE")}, false, nil, nil},
		{"method override ok", Config{Headers: hdrs("X-HTTP-Method-Override: PATCH")}, true, []string{"x-http-method-override"}, nil},
		{"empty custom", Config{Headers: hdrs("X-Empty;")}, true, []string{"x-empty"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newTestRequest(t, c.cfg).Decide()
			if d.Needed != c.needed || !slices.Equal(d.Unsafe, c.unsafe) {
				t.Fatalf("decision = %+v; want needed %v, unsafe %v", d, c.needed, c.unsafe)
			}
			for _, want := range c.reasons {
				if !slices.ContainsFunc(d.Reasons, func(r string) bool { return strings.Contains(r, want) }) {
					t.Errorf("no reason says %q: %q", want, d.Reasons)
				}
			}
		})
	}
}

func TestPreflightRequest(t *testing.T) {
	r := newTestRequest(t, Config{Method: "PUT", Credentials: true,
		Headers: hdrs("X-B: 1", "Content-Type: application/json", "x-a: 2", "Cookie: s=1", "Accept: text/plain")})
	got := r.PreflightHeaders(r.Decide())
	want := []trace.Header{
		{Name: "Accept", Value: "*/*"},
		{Name: "Access-Control-Request-Method", Value: "PUT"},
		{Name: "Access-Control-Request-Headers", Value: "content-type,x-a,x-b"},
		{Name: "Origin", Value: "https://app.example.com"},
		{Name: "Sec-Fetch-Mode", Value: "cors"},
		{Name: "Sec-Fetch-Site", Value: "same-site"},
		{Name: "Sec-Fetch-Dest", Value: "empty"},
		{Name: "Referer", Value: "https://app.example.com/"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("preflight headers:\n got %v\nwant %v", got, want)
	}
	// The actual request carries script's headers, the cookie (credentials)
	// and script's Accept in place of the default.
	actual := r.ActualHeaders()
	for _, h := range []trace.Header{{Name: "Accept", Value: "text/plain"}, {Name: "X-B", Value: "1"}, {Name: "Cookie", Value: "s=1"}, {Name: "Origin", Value: "https://app.example.com"}} {
		if !slices.Contains(actual, h) {
			t.Errorf("actual headers lack %v: %v", h, actual)
		}
	}
	if actual[0].Name != "Accept" {
		t.Errorf("Accept should stay first: %v", actual)
	}
}

func TestRequestModel(t *testing.T) {
	r := newTestRequest(t, Config{Headers: hdrs("User-Agent: x", "Cookie: a=1", "DNT: 1", "X-A: 1", "X-A: 2")})
	if i := r.header("x-a"); i < 0 || r.Headers[i].Value != "1, 2" {
		t.Errorf("repeated headers are not combined: %v", r.Headers)
	}
	rules := map[string]bool{}
	for _, n := range r.Notes {
		rules[n.Rule] = true
	}
	for _, want := range []string{"browser-difference", "cookie-without-credentials", "forbidden-header"} {
		if !rules[want] {
			t.Errorf("no %s note: %+v", want, r.Notes)
		}
	}
	if r.Cookie != "" {
		t.Errorf("a cookie without credentials must not be kept")
	}
	if r.SameOrigin() {
		t.Error("https://app.example.com is not the origin of https://api.example.com/items")
	}
	same := newTestRequest(t, Config{Origin: "HTTPS://API.example.com:443/"})
	if !same.SameOrigin() || len(same.Notes) == 0 {
		t.Errorf("same origin after normalisation: %v, notes %v", same.SameOrigin(), same.Notes)
	}
	body := newTestRequest(t, Config{Method: "POST", Body: []byte("a=1")})
	if i := body.header("content-type"); i < 0 || body.Headers[i].Value != "text/plain;charset=UTF-8" {
		t.Errorf("a string body is text/plain;charset=UTF-8: %v", body.Headers)
	}
	if _, err := NewRequest(Config{URL: mustURL(t, "https://u:p@api.example.com/"), Origin: "https://a.example"}); err == nil {
		t.Error("a URL with credentials must be refused, as fetch() does")
	}
}

func TestRequestHeaderNames(t *testing.T) {
	r := newTestRequest(t, Config{Headers: hdrs("X-B: 1", "Accept: a", "x-b: 2")})
	if got := r.HeaderNames(); !slices.Equal(got, []string{"accept", "x-b"}) {
		t.Errorf("HeaderNames = %v", got)
	}
}
