package cors_test

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/cors"
	"github.com/reqtrace/reqtrace/trace/cors/corslab"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// observed is what a browser did with one scenario's fetch().
type observed struct {
	preflight bool     // an OPTIONS reached the server
	allowed   bool     // fetch() resolved
	readable  []string // header names script read
	status    int      // the status script read (0 when fetch() failed)
	console   string   // the console line ("" when allowed)
	requests  int      // requests other than OPTIONS that reached the lab
	live      bool     // seen in a browser: requests is exact even when 0
	target    corslab.Reached
	// The compared headers of the first preflight and of the first other
	// request at the redirect target; nil when none came (or recorded).
	targetPreflightHeaders, targetHeaders map[string]string
	// The browser-controlled headers of the preflight and of the actual
	// request, by name; nil when that request did not reach the server
	// (or the table does not record it).
	preflightHeaders, actualHeaders map[string]string
}

// request is one request that reached the lab, or that reqtrace sent.
type request struct {
	path, method string
	header       func(string) string
}

// chain fills in what a redirect chain looked like from its requests in
// order: how many were not preflights, and what reached target first.
func (o *observed) chain(reqs []request, target string) {
	for _, r := range reqs {
		if r.method != "OPTIONS" {
			o.requests++
		}
		switch {
		case r.path != target:
		case r.method == "OPTIONS" && o.targetPreflightHeaders == nil:
			o.target.Preflight = r.header("Origin")
			o.targetPreflightHeaders = pick(r.header)
		case r.method != "OPTIONS" && o.targetHeaders == nil:
			o.target.Method, o.target.Origin = r.method, r.header("Origin")
			o.targetHeaders = pick(r.header)
		}
	}
}

// sentBy lists the requests reqtrace sent, in order: the preflight, then
// each request of the redirect chain after the preflight it needed.
func sentBy(rep *cors.Report) []request {
	var out []request
	add := func(x *cors.Exchange) {
		if x == nil || x.Hop == nil || x.Hop.Request.Method == "" {
			return
		}
		u, err := url.Parse(x.URL)
		if err == nil {
			out = append(out, request{u.Path, x.Method, headerGetter(x.Headers)})
		}
	}
	add(&rep.Preflight.Exchange)
	for i := range rep.Actual.Redirects {
		rd := &rep.Actual.Redirects[i]
		add(&rd.Exchange)
		add(rd.Preflight)
	}
	add(&rep.Actual.Exchange)
	return out
}

// comparedHeaders are the request headers the browser controls and
// reqtrace must send the same way.
var comparedHeaders = []string{"Accept", "Access-Control-Request-Headers", "Access-Control-Request-Method",
	"Content-Type", "Origin", "Referer", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site"}

// pick returns the compared headers of a request.
func pick(get func(string) string) map[string]string {
	m := map[string]string{}
	for _, n := range comparedHeaders {
		if v := get(n); v != "" {
			m[n] = v
		}
	}
	return m
}

func headerGetter(hs []trace.Header) func(string) string {
	return func(name string) string {
		for _, h := range hs {
			if strings.EqualFold(h.Name, name) {
				return h.Value
			}
		}
		return ""
	}
}

// recorded is what Chromium 156 did, as the scenario table holds it.
func recorded(lab *corslab.Lab, s *corslab.Scenario) observed {
	o := observed{preflight: s.Want.Preflight, allowed: s.Want.Allowed, readable: s.Want.Readable, requests: s.Want.Requests, status: recordedStatus(s)}
	switch {
	case s.Want.Console != "":
		o.console = consolePrefix(lab, s) + lab.Expand(s, s.Want.Console)
	case s.Want.Error != "":
		o.console = "Failed to load resource: " + s.Want.Error
	case s.Want.Line != "":
		o.console = lab.Expand(s, s.Want.Line)
	}
	t := s.Want.Target
	o.target = corslab.Reached{Preflight: lab.Expand(s, t.Preflight), Method: t.Method, Origin: lab.Expand(s, t.Origin)}
	return o
}

// consolePrefix is Chromium's "Access to fetch at … from origin …" part;
// a failure down a redirect chain names both URLs.
func consolePrefix(lab *corslab.Lab, s *corslab.Scenario) string {
	at := "'" + lab.ScenarioURL(s) + "'"
	if s.Want.At != "" {
		at = "'" + lab.Expand(s, s.Want.At) + "' (redirected from " + at + ")"
	}
	return "Access to fetch at " + at + " from origin '" + pageOrigin(lab, s) + "' has been blocked by CORS policy: "
}

func pageOrigin(lab *corslab.Lab, s *corslab.Scenario) string {
	switch {
	case s.Sandbox:
		return "null"
	case s.PublicPage:
		return lab.PublicPageOrigin()
	case s.SecurePage:
		return lab.SecurePageOrigin()
	}
	return lab.PageOrigin()
}

// evaluate runs reqtrace's evaluator on a scenario, in process, sending
// the actual request whatever its method (the browser does).
func evaluate(t *testing.T, lab testLab, s *corslab.Scenario) *cors.Report {
	t.Helper()
	return evaluateAs(t, lab, s, cors.Chromium)
}

// evaluateAs is evaluate as one engine.
func evaluateAs(t *testing.T, lab testLab, s *corslab.Scenario, engine string) *cors.Report {
	t.Helper()
	u, err := trace.ParseURL(lab.ScenarioURL(s))
	if err != nil {
		t.Fatal(err)
	}
	cfg := cors.Config{URL: u, Origin: pageOrigin(lab.Lab, s), Method: s.FetchMethod(), Credentials: s.Credentials, Actual: true, Browser: engine,
		Net: trace.Options{Resolve: lab.Resolve(), CACert: lab.caPEM, MaxTime: 10 * time.Second}}
	for _, h := range s.Headers {
		cfg.Headers = append(cfg.Headers, trace.HeaderEdit{Name: h[0], Value: byteString(h[1])})
	}
	if s.HasBody {
		cfg.Body = []byte(s.Body)
	}
	if s.PublicPage {
		cfg.OriginSpace = cors.SpacePublic
	}
	rep, err := cors.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%s: %v", s.Name, err)
	}
	if rep.Err != nil {
		t.Fatalf("%s: network error: %s", s.Name, rep.Err.Message)
	}
	return rep
}

// agree reports every way the evaluator's report differs from what the
// browser did. A scenario with a Limitation must come out "unknown".
func agree(s *corslab.Scenario, rep *cors.Report, b observed) []string {
	var diffs []string
	add := func(what string, ours, theirs any) {
		diffs = append(diffs, what+": reqtrace says "+quote(ours)+", the browser "+quote(theirs))
	}
	if s.Limitation != "" {
		if rep.Verdict != cors.Unknown {
			add("verdict (a known limitation: "+s.Limitation+")", rep.Verdict, "unknown expected")
		}
		return diffs
	}
	if pre := rep.Preflight.Needed && !rep.BlockedBeforeSending; pre != b.preflight {
		add("preflight sent", pre, b.preflight)
	}
	if allowed := rep.Verdict == cors.Allowed; allowed != b.allowed {
		add("allowed", rep.Verdict, b.allowed)
	}
	if b.allowed && !slices.Equal(rep.Readable, b.readable) {
		add("readable headers", rep.Readable, b.readable)
	}
	if b.allowed && b.status != 0 && rep.Verdict == cors.Allowed && rep.Actual.Hop.Response.Status != b.status {
		add("status", fmt.Sprint(rep.Actual.Hop.Response.Status), fmt.Sprint(b.status))
	}
	// Firefox's console is not read (no protocol drives it).
	if rep.Browser == cors.Chromium && rep.Console != b.console && !sameRefusal(rep, b.console) {
		add("console", rep.Console, b.console)
	}
	if b.preflightHeaders != nil && rep.Preflight.Hop != nil {
		if ours := pick(headerGetter(rep.Preflight.Headers)); !maps.Equal(ours, b.preflightHeaders) {
			add("preflight headers", fmt.Sprint(ours), fmt.Sprint(b.preflightHeaders))
		}
	}
	reqs := sentBy(rep)
	if i := slices.IndexFunc(reqs, func(r request) bool { return r.method != "OPTIONS" }); b.actualHeaders != nil && i >= 0 {
		if ours := pick(reqs[i].header); !maps.Equal(ours, b.actualHeaders) {
			add("actual request headers", fmt.Sprint(ours), fmt.Sprint(b.actualHeaders))
		}
	}
	return append(diffs, agreeChain(s, reqs, b)...)
}

// agreeChain compares the redirect chains: its length, and what reached
// the redirect target.
func agreeChain(s *corslab.Scenario, reqs []request, b observed) []string {
	var ours observed
	ours.chain(reqs, s.Path()+"-target")
	var diffs []string
	if (b.live || b.requests != 0) && ours.requests != b.requests {
		diffs = append(diffs, fmt.Sprintf("requests: reqtrace sent %d, the browser %d", ours.requests, b.requests))
	}
	if b.target != (corslab.Reached{}) && ours.target != b.target {
		diffs = append(diffs, fmt.Sprintf("at the redirect target: reqtrace sent %+v, the browser %+v", ours.target, b.target))
	}
	for _, c := range []struct {
		what         string
		ours, theirs map[string]string
	}{{"redirect target's preflight headers", ours.targetPreflightHeaders, b.targetPreflightHeaders},
		{"redirect target's request headers", ours.targetHeaders, b.targetHeaders}} {
		if c.theirs != nil && !maps.Equal(c.ours, c.theirs) {
			diffs = append(diffs, c.what+": reqtrace says "+fmt.Sprint(c.ours)+", the browser "+fmt.Sprint(c.theirs))
		}
	}
	return diffs
}

func quote(v any) string {
	switch v := v.(type) {
	case string:
		return "\"" + v + "\""
	case []string:
		return "[" + strings.Join(v, ", ") + "]"
	case bool:
		if v {
			return "yes"
		}
		return "no"
	}
	return "?"
}

// TestRecordedChromium checks the evaluator against what Chromium 156 did
// (the scenario table), so it runs where no browser is installed;
// TestChromiumAgrees checks the table against a live Chromium.
func TestRecordedChromium(t *testing.T) {
	lab := newLab(t)
	scenarios := corslab.Scenarios()
	if len(scenarios) < 40 {
		t.Fatalf("only %d scenarios; the judge needs at least 40", len(scenarios))
	}
	for i := range scenarios {
		s := &scenarios[i]
		t.Run(s.Name, func(t *testing.T) {
			rep := evaluate(t, lab, s)
			for _, d := range agree(s, rep, recorded(lab.Lab, s)) {
				t.Error(d)
			}
			checkDifference(t, s, rep)
		})
	}
}

// sameRefusal accepts Chromium naming another of the refused headers:
// with several, it picks one in its hash tables' order.
func sameRefusal(rep *cors.Report, console string) bool {
	const field = "Request header field "
	_, rest, ok := strings.Cut(console, field)
	name, _, _ := strings.Cut(rest, " ")
	if !ok || !strings.Contains(rep.Console, field) {
		return false
	}
	for _, c := range rep.Preflight.Checks {
		if c.Rule == "allow-headers" && c.Result == cors.Fail {
			refused := strings.Split(strings.TrimPrefix(c.Detail, "not allowed: "), ", ")
			return slices.Contains(refused, name) && strings.Replace(rep.Console, field+refused[0]+" ", field+name+" ", 1) == console
		}
	}
	return false
}

// testLab is the CORS lab and the CA of its https:// API: the
// tracetest lab's, which mints a leaf for any name.
type testLab struct {
	*corslab.Lab
	caPEM []byte
}

func newLab(t *testing.T) testLab {
	t.Helper()
	ca := tracetest.New(t)
	return testLab{corslab.New(t, ca.Certificate), ca.CAPEM}
}

// recordedFirefox is what Firefox ESR did: the scenario's Want, with
// its Firefox entry where Firefox differs. Firefox's console is not
// read (it is not driven by a protocol), so none is compared.
func recordedFirefox(lab *corslab.Lab, s *corslab.Scenario) observed {
	o := recorded(lab, s)
	if f := s.Firefox; f != nil {
		c := *s
		c.Want = *f
		o = recorded(lab, &c)
	}
	o.console = ""
	return o
}

// byteString is a JavaScript string as fetch() sends it in a header: each
// code point below 256 becomes one byte (the scenario table is UTF-8).
func byteString(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

// checkDifference: a scenario where the engines differ (it has a Firefox
// entry) gets a browser-difference warning and both engines' outcomes,
// the evaluated one first; one where they agree on what the table
// records gets no outcomes unless the requests on the wire differ.
func checkDifference(t *testing.T, s *corslab.Scenario, rep *cors.Report) {
	t.Helper()
	warned := slices.ContainsFunc(rep.Warnings, func(p cors.Problem) bool { return p.Rule == "browser-difference" })
	if s.Firefox != nil && (!warned || len(rep.Engines) != 2) {
		t.Errorf("the engines differ here, but the report has no browser-difference warning (%v) or no outcomes (%d)", warned, len(rep.Engines))
	}
	if len(rep.Engines) == 2 {
		if rep.Engines[0].Browser != rep.Browser || rep.Engines[1].Browser == rep.Browser {
			t.Errorf("engines: %s, %s for a %s report", rep.Engines[0].Browser, rep.Engines[1].Browser, rep.Browser)
		}
		if s.Firefox == nil && rep.Engines[0].Verdict != rep.Engines[1].Verdict {
			t.Errorf("reqtrace says the verdicts differ (%s, %s); the table records the same for both browsers", rep.Engines[0].Verdict, rep.Engines[1].Verdict)
		}
	}
}

// recordedStatus is the status script read: the table's, or else the
// status of the reply it got (the redirect target's after a chain).
func recordedStatus(s *corslab.Scenario) int {
	if s.Want.Status != 0 || !s.Want.Allowed {
		return s.Want.Status
	}
	reply := s.Actual
	if s.Want.Requests >= 2 {
		reply = s.Target
	}
	if reply.Status == 0 {
		return 200
	}
	return reply.Status
}
