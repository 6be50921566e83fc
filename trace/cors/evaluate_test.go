package cors

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
)

// fakeServer answers OPTIONS with preflight and anything else with
// actual, as if at addr, unless byURL has an answer for "METHOD URL" or
// "URL"; it records the methods it was sent and their requests.
type fakeServer struct {
	preflight, actual *trace.Response
	byURL             map[string]*trace.Response
	addr              string
	err               *trace.Error // fail every request with this
	methods           []string
	sent              []*trace.Options
}

func (f *fakeServer) send(_ context.Context, o *trace.Options) *trace.Result {
	f.methods = append(f.methods, o.Method)
	f.sent = append(f.sent, o)
	hop := trace.Hop{URL: o.URL.String(), Connect: &trace.Connect{Address: f.addr}}
	hop.Request = trace.Request{Method: o.Method, Target: o.URL.RequestURI(), Proto: "HTTP/1.1"}
	for _, e := range o.Headers {
		hop.Request.Headers = append(hop.Request.Headers, trace.Header{Name: e.Name, Value: e.Value})
	}
	res := &trace.Result{URL: o.URL.String()}
	if f.err != nil {
		hop.Err, res.Err = f.err, f.err
	} else if r, ok := f.byURL[o.Method+" "+o.URL.String()]; ok {
		hop.Response = r
	} else if r, ok := f.byURL[o.URL.String()]; ok {
		hop.Response = r
	} else if o.Method == "OPTIONS" {
		hop.Response = f.preflight
	} else {
		hop.Response = f.actual
	}
	res.Hops = []trace.Hop{hop}
	return res
}

func resp(status int, hs ...string) *trace.Response {
	r := &trace.Response{Proto: "HTTP/1.1", Status: status}
	for _, h := range hs {
		name, value, _ := strings.Cut(h, ": ")
		r.Headers = append(r.Headers, trace.Header{Name: name, Value: value})
	}
	return r
}

// run evaluates cfg (defaults: GET https://api.example.com/items from
// https://app.example.com) against f.
func run(t *testing.T, cfg Config, f *fakeServer) *Report {
	t.Helper()
	if cfg.URL == nil {
		cfg.URL = mustURL(t, "https://api.example.com/items")
	}
	if cfg.Origin == "" {
		cfg.Origin = "https://app.example.com"
	}
	if f.addr == "" {
		f.addr = "203.0.113.7:443"
	}
	cfg.OriginSpace = SpacePublic
	rep, err := RunWith(context.Background(), cfg, f.send)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func rules(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Rule)
	}
	return out
}

func checks(cs []Check) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Rule+":"+c.Result)
	}
	return strings.Join(out, " ")
}

func TestEvaluationOrder(t *testing.T) {
	cases := []struct {
		name     string
		cfg      Config
		pre, act *trace.Response
		verdict  string
		problems []string
		checks   string // the preflight's checklist
		sent     []string
	}{
		{"redirect stops everything", Config{Method: "PUT"},
			resp(307, "Location: /other"), nil, Blocked,
			[]string{"preflight.redirect"}, "redirect:fail", []string{"OPTIONS"}},
		{"origin before status", Config{Method: "PUT"},
			resp(401), nil, Blocked,
			[]string{"preflight.allow-origin-missing", "preflight.status", "preflight.allow-methods"},
			"redirect:pass allow-origin:fail status:fail allow-methods:fail", []string{"OPTIONS"}},
		{"status with CORS headers", Config{Method: "PUT"},
			resp(500, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT"), nil, Blocked,
			[]string{"preflight.status"}, "redirect:pass allow-origin:pass status:fail allow-methods:pass", []string{"OPTIONS"}},
		{"credentials after origin", Config{Method: "PUT", Credentials: true},
			resp(204, "Access-Control-Allow-Origin: https://app.example.com", "Access-Control-Allow-Methods: PUT"), nil, Blocked,
			[]string{"preflight.allow-credentials"}, "redirect:pass allow-origin:pass allow-credentials:fail status:pass allow-methods:pass", []string{"OPTIONS"}},
		{"wildcard with credentials", Config{Method: "PUT", Credentials: true},
			resp(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Credentials: true", "Access-Control-Allow-Methods: PUT"), nil, Blocked,
			[]string{"preflight.allow-origin-wildcard-credentials"}, "redirect:pass allow-origin:fail allow-credentials:pass status:pass allow-methods:pass", []string{"OPTIONS"}},
		{"methods parse before headers", Config{Method: "PUT", Headers: hdrs("X-A: 1")},
			resp(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT GET", "Access-Control-Allow-Headers: x-a"), nil, Blocked,
			[]string{"preflight.allow-methods-parse"}, "redirect:pass allow-origin:pass status:pass allow-methods:fail allow-headers:pass", []string{"OPTIONS"}},
		{"method then headers", Config{Method: "PUT", Headers: hdrs("X-A: 1")},
			resp(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: GET"), nil, Blocked,
			[]string{"preflight.allow-methods", "preflight.allow-headers"}, "redirect:pass allow-origin:pass status:pass allow-methods:fail allow-headers:fail", []string{"OPTIONS"}},
		{"star covers all without credentials", Config{Method: "PATCH", Headers: hdrs("X-A: 1", "Authorization: t")},
			resp(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: *", "Access-Control-Allow-Headers: *"),
			resp(200, "Access-Control-Allow-Origin: *"), Unknown, nil,
			"redirect:pass allow-origin:pass status:pass allow-methods:pass allow-headers:pass", []string{"OPTIONS"}},
		{"star with credentials covers nothing", Config{Method: "PATCH", Credentials: true, Headers: hdrs("X-A: 1")},
			resp(204, "Access-Control-Allow-Origin: https://app.example.com", "Access-Control-Allow-Credentials: true", "Access-Control-Allow-Methods: *", "Access-Control-Allow-Headers: *"), nil, Blocked,
			[]string{"preflight.allow-methods", "preflight.allow-headers"}, "redirect:pass allow-origin:pass allow-credentials:pass status:pass allow-methods:fail allow-headers:fail", []string{"OPTIONS"}},
		{"actual checked after preflight", Config{Method: "PUT", Actual: true},
			resp(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT"), resp(500), Blocked,
			[]string{"actual.allow-origin-missing"}, "redirect:pass allow-origin:pass status:pass allow-methods:pass", []string{"OPTIONS", "PUT"}},
		{"unsafe method not sent by default", Config{Method: "DELETE"},
			resp(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: DELETE"), resp(200), Unknown,
			nil, "redirect:pass allow-origin:pass status:pass allow-methods:pass", []string{"OPTIONS"}},
		{"simple POST not sent by default", Config{Method: "POST", Body: []byte("x")},
			nil, resp(200), Unknown, nil, "", nil},
		{"simple GET allowed", Config{}, nil, resp(404, "Access-Control-Allow-Origin: *"), Allowed, nil, "", []string{"GET"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeServer{preflight: c.pre, actual: c.act}
			rep := run(t, c.cfg, f)
			if rep.Verdict != c.verdict || !slices.Equal(rules(rep.Problems), c.problems) {
				t.Errorf("verdict %s, problems %v; want %s, %v", rep.Verdict, rules(rep.Problems), c.verdict, c.problems)
			}
			if got := checks(rep.Preflight.Checks); got != c.checks {
				t.Errorf("checks %q\n  want %q", got, c.checks)
			}
			if !slices.Equal(f.methods, c.sent) {
				t.Errorf("sent %v, want %v", f.methods, c.sent)
			}
			if rep.Summary == "" || (rep.Verdict == Blocked) != (rep.Console != "") {
				t.Errorf("summary %q, console %q", rep.Summary, rep.Console)
			}
		})
	}
}

func TestFixesAndCauses(t *testing.T) {
	rep := run(t, Config{Method: "PUT", Credentials: true, Headers: hdrs("X-Api-Key: k")}, &fakeServer{preflight: resp(401)})
	p := rep.Problems[0]
	if !strings.Contains(p.Cause, "authentication") || !strings.Contains(p.Fix, "answer OPTIONS /items with 204") {
		t.Errorf("401 preflight: %+v", p)
	}
	want := []string{
		"Access-Control-Allow-Origin: https://app.example.com", "Vary: Origin", "Access-Control-Allow-Credentials: true",
		"Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Headers: x-api-key", "Access-Control-Max-Age: 7200",
	}
	if !slices.Equal(rep.Fix.Preflight, want) {
		t.Errorf("fix %q\nwant %q", rep.Fix.Preflight, want)
	}
	rep = run(t, Config{Method: "PUT"}, &fakeServer{preflight: resp(404)})
	if !strings.Contains(rep.Problems[0].Cause, "no OPTIONS route") {
		t.Errorf("404 cause: %q", rep.Problems[0].Cause)
	}
	rep = run(t, Config{Method: "patch"}, &fakeServer{preflight: resp(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PATCH")})
	if !strings.Contains(rep.Problems[0].Cause, `write method: "PATCH"`) {
		t.Errorf("lower-case patch cause: %q", rep.Problems[0].Cause)
	}
	rep = run(t, Config{}, &fakeServer{actual: resp(200, "Access-Control-Allow-Origin: https://app.example.com", "Access-Control-Allow-Origin: https://app.example.com")})
	if !strings.Contains(rep.Problems[0].Cause, "two layers") {
		t.Errorf("two ACAO lines cause: %q", rep.Problems[0].Cause)
	}
	rep = run(t, Config{}, &fakeServer{actual: resp(502)})
	if !strings.Contains(rep.Problems[0].Cause, "the real status is 502") {
		t.Errorf("502 cause: %q", rep.Problems[0].Cause)
	}
}

// sentHeader is a header of the i-th request sent.
func (f *fakeServer) sentHeader(i int, name string) string {
	for _, e := range f.sent[i].Headers {
		if strings.EqualFold(e.Name, name) {
			return e.Value
		}
	}
	return ""
}

func TestRedirectsFollowed(t *testing.T) {
	const other = "https://other.example.com/x"
	star := "Access-Control-Allow-Origin: *"
	// Across origins: the target must allow null, which * does.
	f := &fakeServer{actual: resp(302, "Location: "+other, "Access-Control-Allow-Origin: https://app.example.com"),
		byURL: map[string]*trace.Response{other: resp(200, star, "X-A: 1")}}
	rep := run(t, Config{}, f)
	a := rep.Actual
	if rep.Verdict != Allowed || len(a.Redirects) != 1 || a.URL != other || a.OriginSent != "null" || f.sentHeader(1, "Origin") != "null" {
		t.Fatalf("cross-origin redirect: %s %q, %d redirects, last %s with Origin %s", rep.Verdict, rep.Summary, len(a.Redirects), a.URL, a.OriginSent)
	}
	if rd := a.Redirects[0]; rd.Status != 302 || rd.Location != other || !rd.CrossOrigin || rd.OriginSent != "https://app.example.com" || !strings.Contains(checks(rd.Checks), "redirect-location:pass") {
		t.Errorf("redirect hop: %+v", rd)
	}
	if !strings.Contains(rep.Summary, "after 1 redirect") || a.Hop.Response.Status != 200 {
		t.Errorf("summary %q", rep.Summary)
	}
	// The same target allowing only the page's origin: blocked there.
	f.byURL[other] = resp(200, "Access-Control-Allow-Origin: https://app.example.com")
	rep = run(t, Config{}, f)
	want := "Access to fetch at 'https://other.example.com/x' (redirected from 'https://api.example.com/items') from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com' that is not equal to the supplied origin."
	if rep.Verdict != Blocked || !strings.HasPrefix(rep.Console, want) || rep.Fix.URL != other || !slices.Equal(rep.Fix.Actual, []string{"Access-Control-Allow-Origin: *"}) {
		t.Errorf("tainted origin refused: %s\n%q\nfix %+v", rep.Verdict, rep.Console, rep.Fix)
	}
	if p := rep.Problems[0]; !strings.Contains(p.Cause, "Origin: null") {
		t.Errorf("cause %q", p.Cause)
	}
	// Within the origin nothing is tainted.
	same := "https://api.example.com/items/"
	f = &fakeServer{actual: resp(301, "Location: /items/", "Access-Control-Allow-Origin: https://app.example.com"),
		byURL: map[string]*trace.Response{same: resp(200, "Access-Control-Allow-Origin: https://app.example.com")}}
	if rep = run(t, Config{}, f); rep.Verdict != Allowed || f.sentHeader(1, "Origin") != "https://app.example.com" {
		t.Errorf("same-origin redirect: %s %q", rep.Verdict, rep.Summary)
	}
}

func TestRedirectsRefused(t *testing.T) {
	star := "Access-Control-Allow-Origin: *"
	rep := run(t, Config{}, &fakeServer{actual: resp(302, "Location: https://u:p@api.example.com/x", star)})
	if rep.Verdict != Blocked || rules(rep.Problems)[0] != "actual.redirect-userinfo" || rep.Actual.Redirect == "" {
		t.Errorf("userinfo redirect: %s %v", rep.Verdict, rules(rep.Problems))
	}
	rep = run(t, Config{}, &fakeServer{actual: resp(301, "Location: /x")})
	if rep.Verdict != Blocked || rules(rep.Problems)[0] != "actual.allow-origin-missing" || len(rep.Actual.Redirects) != 0 {
		t.Errorf("redirect without CORS: %s %v", rep.Verdict, rules(rep.Problems))
	}
	// A loop: the 21st redirect fails the fetch, whatever CORS says.
	f := &fakeServer{actual: resp(302, "Location: /items", star)}
	rep = run(t, Config{}, f)
	if rep.Verdict != Blocked || len(f.methods) != 21 || len(rep.Actual.Redirects) != 20 || rep.Console != "Failed to load resource: net::ERR_TOO_MANY_REDIRECTS" {
		t.Fatalf("loop: %s, %d sent, %q", rep.Verdict, len(f.methods), rep.Console)
	}
	if p := rep.Problems[0]; !strings.Contains(p.Cause, "loop") || len(rep.Fix.Actual) != 0 {
		t.Errorf("loop: cause %q, fix %+v", p.Cause, rep.Fix)
	}
}

func TestRedirectRequests(t *testing.T) {
	const other = "https://other.example.com/x"
	star := "Access-Control-Allow-Origin: *"
	// 307 keeps a PUT: a new preflight at the new URL, with Origin: null.
	f := &fakeServer{preflight: resp(204, star, "Access-Control-Allow-Methods: PUT"), actual: resp(307, "Location: "+other, star),
		byURL: map[string]*trace.Response{"OPTIONS " + other: resp(204, "Access-Control-Allow-Origin: https://app.example.com", "Access-Control-Allow-Methods: PUT"),
			"PUT " + other: resp(200, star)}}
	rep := run(t, Config{Method: "PUT", Actual: true}, f)
	// Then the Firefox pass: its own preflight there, with the page's Origin.
	if !slices.Equal(f.methods, []string{"OPTIONS", "PUT", "OPTIONS", "OPTIONS"}) || f.sentHeader(2, "Origin") != "null" || rep.Verdict != Blocked ||
		f.sentHeader(3, "Origin") != "https://app.example.com" {
		t.Fatalf("307 PUT: sent %v, verdict %s", f.methods, rep.Verdict)
	}
	if rd := rep.Actual.Redirects[0]; rd.Preflight == nil || rep.Actual.Hop != nil || rules(rep.Problems)[0] != "preflight.allow-origin-mismatch" ||
		!strings.Contains(rep.Console, "(redirected from") || !strings.Contains(rep.Summary, "new preflight") {
		t.Errorf("307 PUT refused at the new preflight: %v %q %q", rules(rep.Problems), rep.Console, rep.Summary)
	}
	// 303 turns a POST into a GET without its body: no preflight needed
	// (the Firefox pass adds one there; f.methods[3:]).
	f = &fakeServer{preflight: resp(204, star, "Access-Control-Allow-Headers: content-type"), actual: resp(303, "Location: "+other, star),
		byURL: map[string]*trace.Response{other: resp(200, star)}}
	rep = run(t, Config{Method: "POST", Body: []byte("{}"), Actual: true, Headers: hdrs("Content-Type: application/json")}, f)
	if !slices.Equal(f.methods[:3], []string{"OPTIONS", "POST", "GET"}) || f.sent[2].Body != nil || f.sentHeader(2, "Content-Type") != "" || rep.Verdict != Allowed {
		t.Errorf("303 POST: sent %v, body %q, verdict %s", f.methods, f.sent[2].Body, rep.Verdict)
	}
	// Authorization stays behind at another origin, and the user hears of it.
	f = &fakeServer{preflight: resp(204, star, "Access-Control-Allow-Headers: authorization"), actual: resp(302, "Location: "+other, star),
		byURL: map[string]*trace.Response{other: resp(200, star)}}
	rep = run(t, Config{Headers: hdrs("Authorization: Bearer t")}, f)
	if !slices.Equal(f.methods[:3], []string{"OPTIONS", "GET", "GET"}) || f.sentHeader(2, "Authorization") != "" || !slices.Contains(rules(rep.Warnings), "authorization-dropped") {
		t.Errorf("authorization across origins: sent %v, warnings %v", f.methods, rules(rep.Warnings))
	}
	// Sec-Fetch-Site remembers a cross-site URL earlier in the chain.
	f = &fakeServer{actual: resp(302, "Location: https://cdn.example.net/x", star), byURL: map[string]*trace.Response{
		"https://cdn.example.net/x": resp(302, "Location: https://v2.example.com/", star), "https://v2.example.com/": resp(200, star)}}
	run(t, Config{Origin: "https://app.example.com"}, f)
	if got := []string{f.sentHeader(0, "Sec-Fetch-Site"), f.sentHeader(2, "Sec-Fetch-Site")}; !slices.Equal(got, []string{"same-site", "cross-site"}) {
		t.Errorf("Sec-Fetch-Site along the chain: %v", got)
	}
	// A loop of PUTs within one origin: each URL is preflighted once (the cache).
	f = &fakeServer{preflight: resp(204, star, "Access-Control-Allow-Methods: PUT"), actual: resp(307, "Location: /a", star),
		byURL: map[string]*trace.Response{"PUT https://api.example.com/a": resp(307, "Location: /items", star)}}
	run(t, Config{Method: "PUT", Actual: true}, f)
	if n := strings.Count(strings.Join(f.methods, " "), "OPTIONS"); n != 2 || len(f.methods) != 23 {
		t.Errorf("PUT loop: %d preflights, %d requests", n, len(f.methods))
	}
}

func TestWarnings(t *testing.T) {
	has := func(rep *Report, rule string) bool {
		return slices.Contains(rules(rep.Warnings), rule)
	}
	rep := run(t, Config{}, &fakeServer{actual: resp(200, "Access-Control-Allow-Origin: https://app.example.com")})
	if !has(rep, "vary-origin") {
		t.Errorf("no vary warning: %v", rules(rep.Warnings))
	}
	rep = run(t, Config{}, &fakeServer{actual: resp(200, "Access-Control-Allow-Origin: https://app.example.com", "Vary: Accept-Encoding, origin")})
	if has(rep, "vary-origin") {
		t.Error("Vary: origin is enough")
	}
	rep = run(t, Config{Method: "POST", Body: []byte("x"), Actual: true}, &fakeServer{actual: resp(200)})
	if !has(rep, "request-executed") {
		t.Errorf("a blocked simple POST still ran: %v", rules(rep.Warnings))
	}
	rep = run(t, Config{Method: "PUT", Headers: hdrs("Authorization: t")}, &fakeServer{preflight: resp(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Headers: *", "Access-Control-Max-Age: 86400")})
	if !has(rep, "browser-difference") || !has(rep, "max-age") {
		t.Errorf("authorization under * and max-age: %v", rules(rep.Warnings))
	}
	if m := rep.Preflight.MaxAge; m == nil || m.Chromium != 7200 || m.Firefox != 86400 {
		t.Errorf("max-age %+v", m)
	}
	rep = run(t, Config{Credentials: true, Origin: "https://app.other.org"}, &fakeServer{actual: resp(200, "Access-Control-Allow-Origin: https://app.other.org", "Access-Control-Allow-Credentials: true", "Vary: Origin")})
	if rep.Verdict != Allowed || !has(rep, "third-party-cookies") {
		t.Errorf("cross-site credentials: %s %v", rep.Verdict, rules(rep.Warnings))
	}
	rep = run(t, Config{Origin: "null"}, &fakeServer{actual: resp(200, "Access-Control-Allow-Origin: null")})
	if rep.Verdict != Allowed || !has(rep, "allow-origin-null") {
		t.Errorf("null allowed: %s %v", rep.Verdict, rules(rep.Warnings))
	}
	rep = run(t, Config{Headers: hdrs("DPR: 2")}, &fakeServer{actual: resp(200, "Access-Control-Allow-Origin: *")})
	if rep.Preflight.Needed || !has(rep, "browser-difference") {
		t.Errorf("client hint: preflight %v, %v", rep.Preflight.Needed, rules(rep.Warnings))
	}
}

func TestMaxAge(t *testing.T) {
	cases := []struct {
		header            string
		chromium, firefox int
	}{
		{"", 5, 5}, {"600", 600, 600}, {"7200", 7200, 7200}, {"86400", 7200, 86400},
		{"999999999999", 7200, 86400}, {"-1", 0, 0}, {"abc", 5, 0}, {"+60", 60, 0},
	}
	for _, c := range cases {
		r := resp(204)
		if c.header != "" {
			r = resp(204, "Access-Control-Max-Age: "+c.header)
		}
		m := maxAgeOf(r)
		if m.Chromium != c.chromium || m.Firefox != c.firefox {
			t.Errorf("%q: chromium %d firefox %d, want %d %d", c.header, m.Chromium, m.Firefox, c.chromium, c.firefox)
		}
	}
}

func TestLocalNetworkAccess(t *testing.T) {
	// An http:// page on a public address may not reach loopback at all.
	f := &fakeServer{actual: resp(200, "Access-Control-Allow-Origin: *"), addr: "127.0.0.1:8080"}
	rep := run(t, Config{URL: mustURL(t, "http://api.example.com:8080/"), Origin: "http://app.example.com"}, f)
	if rep.Verdict != Blocked || !rep.BlockedBeforeSending || !strings.Contains(rep.Console, "more-private address space `loopback`") {
		t.Errorf("insecure public page to loopback: %s %q", rep.Verdict, rep.Console)
	}
	// From https:// it is up to the user's permission: a warning.
	f = &fakeServer{actual: resp(200, "Access-Control-Allow-Origin: *"), addr: "10.1.2.3:443"}
	rep = run(t, Config{URL: mustURL(t, "https://nas.example.com/")}, f)
	if rep.Verdict != Allowed || !slices.Contains(rules(rep.Warnings), "local-network-access") {
		t.Errorf("secure public page to a local address: %s %v", rep.Verdict, rules(rep.Warnings))
	}
	// Same space: nothing to say.
	cfg := Config{URL: mustURL(t, "http://127.0.0.1:8080/"), Origin: "http://localhost:3000"}
	rep, _ = RunWith(context.Background(), cfg, (&fakeServer{actual: resp(200, "Access-Control-Allow-Origin: *"), addr: "127.0.0.1:8080"}).send)
	if rep.Verdict != Allowed || slices.Contains(rules(rep.Warnings), "local-network-access") {
		t.Errorf("loopback to loopback: %s %v", rep.Verdict, rules(rep.Warnings))
	}
}

func TestNetworkFailure(t *testing.T) {
	f := &fakeServer{err: &trace.Error{Phase: trace.PhaseConnect, Kind: trace.KindConnRefused, Message: "refused"}}
	rep := run(t, Config{Method: "PUT"}, f)
	if rep.Verdict != Unknown || rep.Err == nil || rep.Err.Kind != trace.KindConnRefused || len(rep.Problems) != 0 {
		t.Errorf("network failure: %s %+v %v", rep.Verdict, rep.Err, rep.Problems)
	}
}

// Same origin: fetch runs without CORS. The request is sent (without
// Origin for GET), never preflighted, and every header is readable.
func TestSameOrigin(t *testing.T) {
	f := &fakeServer{actual: resp(404, "X-Secret: 1", "Set-Cookie: a=1", "Content-Type: text/plain")}
	rep := run(t, Config{Origin: "https://api.example.com", Headers: []trace.HeaderEdit{{Name: "X-Api-Key", Value: "k"}}}, f)
	if !rep.SameOrigin || rep.Verdict != Allowed || !slices.Equal(f.methods, []string{"GET"}) || rep.Preflight.Needed {
		t.Fatalf("same origin: %s %q, sent %v", rep.Verdict, rep.Summary, f.methods)
	}
	if got := rep.Actual.Hop.Response.Status; got != 404 {
		t.Errorf("status %d", got)
	}
	if !slices.Equal(rep.Readable, []string{"content-type", "x-secret"}) {
		t.Errorf("readable %v", rep.Readable)
	}
	for _, e := range f.sent[0].Headers {
		if e.Name == "Origin" {
			t.Errorf("a same-origin GET carries Origin: %s", e.Value)
		}
	}
}

func TestReadableHeaders(t *testing.T) {
	full := []string{"Cache-Control: no-store", "Content-Type: text/plain", "Content-Length: 3", "Date: x", "X-A: 1", "x-b: 2", "Set-Cookie: s=1", "ETag: 1"}
	cases := []struct {
		aceh  string
		creds bool
		want  string
	}{
		{"", false, "cache-control content-length content-type"},
		{"X-A, x-b", false, "cache-control content-length content-type x-a x-b"},
		{"X-A, Set-Cookie", false, "cache-control content-length content-type x-a"},
		{"*", false, "access-control-expose-headers cache-control content-length content-type date etag x-a x-b"},
		{"*", true, "cache-control content-length content-type"},
		{"*, x-a", true, "cache-control content-length content-type x-a"},
		{`x-a, "x-b"`, false, "cache-control content-length content-type"},
		{", x-a,,", false, "cache-control content-length content-type x-a"},
	}
	for _, c := range cases {
		hs := full
		if c.aceh != "" {
			hs = append([]string{"Access-Control-Expose-Headers: " + c.aceh}, full...)
		}
		got := strings.Join(ReadableHeaders(resp(200, hs...), c.creds), " ")
		if got != c.want {
			t.Errorf("%q creds=%v:\n got %s\nwant %s", c.aceh, c.creds, got, c.want)
		}
	}
}

func TestParseOrigin(t *testing.T) {
	good := map[string]string{
		"https://app.example.com":        "https://app.example.com",
		"https://app.example.com/":       "https://app.example.com",
		"HTTPS://APP.Example.COM":        "https://app.example.com",
		"https://app.example.com:443":    "https://app.example.com",
		"http://localhost:3000":          "http://localhost:3000",
		"http://[::1]:8080":              "http://[::1]:8080",
		"http://127.0.0.1":               "http://127.0.0.1",
		"https://bücher.example":         "https://xn--bcher-kva.example",
		"null":                           "null",
		"NULL":                           "null",
		" https://app.example.com:8443 ": "https://app.example.com:8443",
	}
	for in, want := range good {
		o, _, err := ParseOrigin(in)
		if err != nil || o.String() != want {
			t.Errorf("%q: %v, %v; want %s", in, o, err, want)
		}
	}
	for _, in := range []string{"", "app.example.com", "ftp://x.example", "file:///tmp/x", "https://u@x.example",
		"https://x.example/path", "https://x.example?q", "https://x.example#f", "https://", "https://x.example:0",
		"https://x.example:99999", "https://x example", "chrome-extension://abc"} {
		if _, _, err := ParseOrigin(in); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
	if _, notes, _ := ParseOrigin("https://App.example.com:443/"); len(notes) != 3 {
		t.Errorf("notes for a sloppy origin: %q", notes)
	}
}
