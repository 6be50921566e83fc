package cors

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Browser engines reqtrace models. Where they differ (the browser test
// records both on every scenario), Config.Browser picks one, and a
// browser-difference warning says what the other does.
const (
	Chromium = "chromium" // Chromium 156, the default
	Firefox  = "firefox"  // Firefox ESR 153
)

// Engines lists the engines, the default first.
var Engines = []string{Chromium, Firefox}

// ParseBrowser checks a --browser value.
func ParseBrowser(s string) (string, error) {
	switch s {
	case "", Chromium, "chrome":
		return Chromium, nil
	case Firefox:
		return Firefox, nil
	}
	return "", trace.BadInput("--browser %q: use chromium or firefox", s)
}

// engineName is an engine as prose names it.
func engineName(e string) string {
	if e == Firefox {
		return "Firefox"
	}
	return "Chromium"
}

func (r *Request) firefox() bool { return r.Engine == Firefox }

func otherEngine(e string) string {
	if e == Firefox {
		return Chromium
	}
	return Firefox
}

// replayer lets the second engine's evaluation reuse the first one's
// responses: the same request (method, URL, Origin and the preflight's
// lists) gets the same answer, and the server is not asked twice. A
// request the first engine did not send is sent only when it is safe to
// send again (a preflight, GET or HEAD).
type replayer struct {
	send Sender
	seen map[string]*trace.Result
}

func replayKey(o *trace.Options) string {
	k := o.Method + " " + o.URL.String()
	for _, h := range o.Headers {
		switch strings.ToLower(h.Name) {
		case "origin", "access-control-request-method", "access-control-request-headers":
			k += "\n" + strings.ToLower(h.Name) + ": " + h.Value
		}
	}
	return k
}

func (p *replayer) record(ctx context.Context, o *trace.Options) *trace.Result {
	res := p.send(ctx, o)
	p.seen[replayKey(o)] = res
	return res
}

func (p *replayer) replay(ctx context.Context, o *trace.Options) *trace.Result {
	if res, ok := p.seen[replayKey(o)]; ok {
		return res
	}
	switch o.Method {
	case "OPTIONS", "GET", "HEAD":
		return p.record(ctx, o)
	}
	err := &trace.Error{Phase: trace.PhaseSend, Kind: trace.KindSend,
		Message: "not sent a second time: the other engine would send this " + o.Method + ", and it may change data"}
	return &trace.Result{URL: o.URL.String(), Err: err}
}

// EngineOutcome is what one engine does with the request, as the report
// of a --browser run holds it for both engines when they differ.
type EngineOutcome struct {
	Browser   string
	Verdict   string
	Preflight bool     // a preflight is sent to the URL script fetched
	Status    int      // the status script reads; 0 unless allowed
	Readable  []string // the headers script reads, when allowed
	Requests  []string // the requests on the wire, one line each
	Summary   string
}

func outcomeOf(rep *Report) EngineOutcome {
	o := EngineOutcome{Browser: rep.Browser, Verdict: rep.Verdict, Preflight: rep.Preflight.Needed && !rep.BlockedBeforeSending,
		Readable: rep.Readable, Summary: rep.Summary}
	if rep.Verdict == Allowed {
		o.Status = rep.Actual.Hop.Response.Status
	}
	add := func(x *Exchange) {
		if x == nil || x.Hop == nil || x.Hop.Request.Method == "" {
			return
		}
		line := x.Method + " " + x.URL
		for _, h := range x.Headers {
			switch strings.ToLower(h.Name) {
			case "origin", "access-control-request-method", "access-control-request-headers":
				line += " " + h.Name + ": " + h.Value + ";"
			}
		}
		o.Requests = append(o.Requests, strings.TrimSuffix(line, ";"))
	}
	add(&rep.Preflight.Exchange)
	for i := range rep.Actual.Redirects {
		add(&rep.Actual.Redirects[i].Exchange)
		add(rep.Actual.Redirects[i].Preflight)
	}
	add(&rep.Actual.Exchange)
	return o
}

// compareEngines records in rep (the evaluated engine's report) where
// other (the other engine's) differs: both outcomes, and a
// browser-difference warning saying what each does and why.
func compareEngines(rep, other *Report) {
	a, b := outcomeOf(rep), outcomeOf(other)
	var what []string
	if a.Verdict != b.Verdict {
		what = append(what, "the verdict")
	}
	if a.Preflight != b.Preflight {
		what = append(what, "the preflight")
	}
	if a.Verdict == b.Verdict && a.Status != b.Status {
		what = append(what, "the status")
	}
	if a.Verdict == b.Verdict && !slices.Equal(a.Readable, b.Readable) {
		what = append(what, "the readable headers")
	}
	if !slices.Equal(a.Requests, b.Requests) {
		what = append(what, "the requests sent")
	}
	if len(what) == 0 {
		return
	}
	rep.Engines = []EngineOutcome{a, b}
	msg := engineName(a.Browser) + " and " + engineName(b.Browser) + " differ on " + strings.Join(what, ", ") + ". " +
		engineName(a.Browser) + ": " + a.Summary + requestsNote(a, b) + ". " + engineName(b.Browser) + ": " + b.Summary + requestsNote(b, a) + "."
	causes := strings.Join(differenceCauses(rep, other), "; ")
	rep.Warnings = append(rep.Warnings, Problem{Rule: "browser-difference", Message: msg + " Why: " + causes + ".",
		Fix: "answer so that both engines pass: " + differenceFix(rep, other), Cause: causes})
}

// requestsNote lists the requests an engine sends that the other does
// not.
func requestsNote(a, b EngineOutcome) string {
	var only []string
	for _, r := range a.Requests {
		if !slices.Contains(b.Requests, r) {
			only = append(only, r)
		}
	}
	if len(only) == 0 {
		return ""
	}
	more := ""
	if len(only) > 3 {
		more = fmt.Sprintf(" and %d more", len(only)-3)
		only = only[:3]
	}
	return " (it alone sends: " + strings.Join(only, " | ") + more + ")"
}

// differenceFix is the fix of whichever engine blocks.
func differenceFix(rep, other *Report) string {
	for _, r := range []*Report{rep, other} {
		if r.Verdict == Blocked && len(r.Problems) > 0 && r.Problems[0].Fix != "" {
			return engineName(r.Browser) + " needs: " + r.Problems[0].Fix
		}
	}
	return "no header change is needed; test in both browsers"
}

// differenceCauses are the known differences behind it, and which one
// the Fetch standard sides with.
func differenceCauses(rep, other *Report) []string {
	var cs []string
	both := func(f func(*Report) bool) bool { return f(rep) || f(other) }
	add := func(ok bool, s string) {
		if ok && !slices.Contains(cs, s) {
			cs = append(cs, s)
		}
	}
	names := slices.Concat(rep.RequestHeaders, other.RequestHeaders)
	for _, n := range names {
		add(chromiumOnly(n), "Chromium safelists the client hint "+n+", Firefox preflights it (the standard sides with Firefox: client hints are not in its safelist)")
		add(n == "user-agent", "Chromium drops a script-set User-Agent, Firefox sends and preflights it (the standard sides with Firefox)")
	}
	reason := func(sub string) func(*Report) bool {
		return func(r *Report) bool {
			return slices.ContainsFunc(r.Preflight.Reasons, func(s string) bool { return strings.Contains(s, sub) })
		}
	}
	add(both(reason("add up to")), "Chromium makes every safelisted header unsafe when their values add up to more than 1024 bytes, as the standard says; Firefox 153 checks each value alone")
	add(both(reason("above 0x7F")), "Firefox does not safelist bytes above 0x7F in Accept; the standard and Chromium do")
	add(both(func(r *Report) bool { return r.BlockedBeforeSending }), "Chromium applies Local Network Access (a public page may not reach a private address from http://); Firefox ESR does not, and the Fetch standard has no such rule")
	add(both(func(r *Report) bool { return r.Browser == Firefox && firefoxRepreflight(r) }), "Firefox preflights every redirect target of a preflighted request, with the page's Origin; Chromium preflights only what still needs it, with Origin: null after another origin (the standard sides with Chromium)")
	add(both(func(r *Report) bool { return hasAcrhRepeat(r) }), "Firefox lists a header name in Access-Control-Request-Headers once per time script set it; the standard and Chromium list it once")
	add(both(func(r *Report) bool { return emptyLocation(r) }), "an empty Location: Chromium hands script the 3xx, Firefox follows it to the same URL as the standard reads it")
	add(both(func(r *Report) bool { return hasRule(r, stageActual+"."+kindRedirectUserinfoSilent) }), "a same-origin redirect to user:pass@: Chromium rejects it, Firefox follows it (the standard sides with Firefox)")
	add(both(func(r *Report) bool { return hasNetError(r, firefoxBadLocation) }), "a Location with a tab: Chromium strips it as the URL standard says, Firefox fails the redirect")
	if len(cs) == 0 {
		cs = append(cs, "how each engine combines and checks script's header entries (Firefox checks each entry; the standard and Chromium check the combined value)")
	}
	return cs
}

func firefoxRepreflight(r *Report) bool {
	for _, rd := range r.Actual.Redirects {
		if rd.Preflight != nil && rd.Preflight.Hop != nil {
			return true
		}
	}
	return false
}

func hasAcrhRepeat(r *Report) bool {
	for _, h := range r.Preflight.Headers {
		if strings.EqualFold(h.Name, "Access-Control-Request-Headers") {
			names := strings.Split(h.Value, ",")
			return len(slices.Compact(slices.Clone(names))) != len(names)
		}
	}
	return false
}

func emptyLocation(r *Report) bool {
	h := r.Actual.Hop
	if h == nil || h.Response == nil {
		return false
	}
	locs := headerValues(h.Response.Headers, "Location")
	return len(locs) > 0 && locs[0] == ""
}

func hasRule(r *Report, rule string) bool {
	return slices.ContainsFunc(r.Problems, func(p Problem) bool { return p.Rule == rule })
}

func hasNetError(r *Report, name string) bool {
	return slices.ContainsFunc(r.Actual.Checks, func(c Check) bool { return c.Result == Fail && strings.Contains(c.Title, "network stack") }) &&
		slices.ContainsFunc(r.Problems, func(p Problem) bool { return strings.Contains(p.Message, name) })
}
