package cors_test

import (
	"context"
	"fmt"
	"maps"
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
	console   string   // the console line ("" when allowed)
	// The browser-controlled headers of the preflight and of the actual
	// request, by name; nil when that request did not reach the server
	// (or the table does not record it).
	preflightHeaders, actualHeaders map[string]string
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
	o := observed{preflight: s.Want.Preflight, allowed: s.Want.Allowed, readable: s.Want.Readable}
	if s.Want.Console != "" {
		o.console = consolePrefix(lab, s) + lab.Expand(s, s.Want.Console)
	}
	return o
}

// consolePrefix is Chromium's "Access to fetch at … from origin …" part.
func consolePrefix(lab *corslab.Lab, s *corslab.Scenario) string {
	at := "'" + lab.ScenarioURL(s) + "'"
	return "Access to fetch at " + at + " from origin '" + pageOrigin(lab, s) + "' has been blocked by CORS policy: "
}

func pageOrigin(lab *corslab.Lab, s *corslab.Scenario) string {
	switch {
	case s.Sandbox:
		return "null"
	case s.PublicPage:
		return lab.PublicPageOrigin()
	}
	return lab.PageOrigin()
}

// evaluate runs reqtrace's evaluator on a scenario, in process, sending
// the actual request whatever its method (the browser does).
func evaluate(t *testing.T, lab testLab, s *corslab.Scenario) *cors.Report {
	t.Helper()
	u, err := trace.ParseURL(lab.ScenarioURL(s))
	if err != nil {
		t.Fatal(err)
	}
	cfg := cors.Config{URL: u, Origin: pageOrigin(lab.Lab, s), Method: s.FetchMethod(), Credentials: s.Credentials, Actual: true,
		Net: trace.Options{Resolve: lab.Resolve(), CACert: lab.caPEM, MaxTime: 10 * time.Second}}
	for _, h := range s.Headers {
		cfg.Headers = append(cfg.Headers, trace.HeaderEdit{Name: h[0], Value: h[1]})
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
	if rep.Console != b.console && !sameRefusal(rep, b.console) {
		add("console", rep.Console, b.console)
	}
	if b.preflightHeaders != nil && rep.Preflight.Hop != nil {
		if ours := pick(headerGetter(rep.Preflight.Headers)); !maps.Equal(ours, b.preflightHeaders) {
			add("preflight headers", fmt.Sprint(ours), fmt.Sprint(b.preflightHeaders))
		}
	}
	if b.actualHeaders != nil && rep.Actual.Hop != nil {
		if ours := pick(headerGetter(rep.Actual.Headers)); !maps.Equal(ours, b.actualHeaders) {
			add("actual request headers", fmt.Sprint(ours), fmt.Sprint(b.actualHeaders))
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
