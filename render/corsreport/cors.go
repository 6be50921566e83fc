// Package corsreport writes what the cors command found: the text report
// and the reqtrace.cors/v1 JSON document.
package corsreport

// `cors` output: the text report (Text) and the reqtrace.cors/v1
// JSON document of CONTRACT.md (JSON).
//
// Compatible extensions of the JSON (not in CONTRACT.md v1):
//
//	top level   "browser"      the engine evaluated as: "chromium" (default) or "firefox" (--browser)
//	            "engines"      null when Chromium and Firefox do the same; else both engines'
//	                           outcomes, the evaluated one first: [{browser, verdict, preflight,
//	                           status, readable_headers, requests, summary}]
//	            "same_origin"  true when CORS does not apply (the request is still sent and evaluated)
//	            "summary"      the verdict in one line
//	            "console"      Chromium's console line for the first problem (null if none)
//	            "fix"          {"preflight": [header lines], "actual": [header lines]}
//	            "blocked_before_sending"  the browser sends nothing (mixed content; Chromium's Local Network Access)
//	            "error"        the network failure that stopped the evaluation (trace's Error)
//	            "scan"         --scan results (null without it): {probes, findings}
//	preflight   "request"      also "method" and "url"
//	            "checks"       [{rule, title, result: pass|fail|skip, detail}] in the browser's order
//	            "max_age"      {header, chromium_s, firefox_s} (null without a response)
//	            "error"        the network failure of this request (null if none)
//	actual      request, response, passed, problems and checks are those of the last
//	            request of the redirect chain (the first when there is none)
//	            "request"      {method, url, headers}: as sent, or as it would be sent
//	            "not_sent"     why it was not sent ("" when sent)
//	            "checks", "error" as for preflight
//	            "origin_sent"  the Origin header of that request: "null" after a cross-origin redirect
//	            "redirects"    the redirects followed before it: [{url, method, origin_sent, status,
//	                           location, cross_origin, passed, problems, checks, request, response,
//	                           preflight}], preflight being the new preflight sent to location
//	                           ({request, response, passed, problems, checks, error} or null)
//	            "redirect"     the Location of a redirect the browser refused to follow (null if none)
//	fix         "url"          the redirect target those lines are for (null: the URL requested)
//	response    "proto", "reason" besides status and headers
//	Problem     "cause"        the usual reason ("" when none)

import (
	"fmt"
	"io"
	"strings"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/cors"
)

// Schema names the cors JSON document.
const Schema = "reqtrace.cors/v1"

// Text writes the report: the request as the browser sends it, the
// checklist of each rule, the verdict in one line, the fix, the readable
// headers and the warnings. Every server-controlled string goes through
// Safe.
func Text(w io.Writer, rep *cors.Report, st render.Style) error {
	pr := &printer{render.NewPrinter(w, st)}
	pr.corsHeadline(rep)
	pr.corsPreflight(rep)
	pr.corsActual(rep)
	pr.corsVerdict(rep)
	pr.corsFix(rep)
	pr.corsReadable(rep)
	pr.corsWarnings(rep.Warnings)
	if rep.Scan != nil {
		pr.corsScan(rep.Scan)
	}
	if rep.Err != nil {
		pr.ErrorBlock(rep.Err)
	}
	return pr.Err
}

// printer is render's, with the CORS sections as methods.
type printer struct{ *render.Printer }

func (pr *printer) corsHeadline(rep *cors.Report) {
	creds := "credentials: omit"
	if rep.Credentials {
		creds = "credentials: include"
	}
	if rep.Browser == cors.Firefox { // Chromium is the default, and implied
		creds += ", as Firefox"
	}
	pr.Title("CORS", render.Safe(rep.Method)+" "+render.Safe(rep.URL), "from "+render.Safe(rep.Origin), pr.Pal.Dim.Sprint(creds))
}

// corsPreflight shows whether a preflight is sent and why, the OPTIONS
// request, its response and the checklist.
func (pr *printer) corsPreflight(rep *cors.Report) {
	p := &rep.Preflight
	switch {
	case rep.SameOrigin:
		pr.Title("Preflight", pr.Pal.Dim.Sprint("not needed: same origin, CORS does not apply (unless a redirect leaves the origin)"))
		return
	case !p.Needed:
		pr.Title("Preflight", pr.Pal.Dim.Sprint("not needed: a safelisted method with only safelisted headers"))
		return
	}
	pr.Title("Preflight", "needed")
	for _, r := range p.Reasons {
		pr.corsBullet(pr.Pal.Dim.Sprint("·"), render.Safe(r))
	}
	pr.corsExchange(&p.Exchange, "")
	if m := p.MaxAge; m != nil && p.Passed != nil && *p.Passed {
		pr.Line(render.Indent + pr.Pal.Dim.Sprintf("cached %d s by Chromium, %d s by Firefox", m.Chromium, m.Firefox))
	}
}

// corsActual shows the request script asked for: a short entry per
// redirect followed, then the last request in full.
func (pr *printer) corsActual(rep *cors.Report) {
	a := &rep.Actual
	switch {
	case !a.Sent:
		note := "not sent"
		if a.NotSent != "" {
			note += ": " + a.NotSent
		}
		pr.Title("Request", pr.Pal.Dim.Sprint(render.Safe(note)))
		if a.NotSent == "" || rep.Preflight.Passed != nil && !*rep.Preflight.Passed {
			return // the preflight above is what the browser sent
		}
	case len(a.Redirects) > 0:
		pr.Title("Request", pr.Pal.Dim.Sprint(render.Plural(len(a.Redirects), "redirect")+" followed"))
		pr.corsRedirects(a.Redirects, rep.Origin)
	default:
		pr.Title("Request")
	}
	stop := ""
	if a.Redirect != "" {
		stop = "redirect to " + render.Safe(a.Redirect) + " not followed: the browser stops here"
		if a.Passed != nil && *a.Passed { // the browser would go on
			stop = "redirect to " + render.Safe(a.Redirect) + " not followed: --max-redirs stops here"
		}
	}
	pr.corsExchange(&a.Exchange, stop)
	if a.Sent && a.Hop == nil && len(a.Redirects) > 0 {
		pr.corsBullet(pr.Pal.Bad.Sprint("✗"), "not sent: the preflight to it failed")
	}
}

// corsRedirects lists the redirects followed, a few lines each; a long
// chain is cut in the middle unless -v. A new preflight that failed is
// shown in full: that is where the browser stopped.
func (pr *printer) corsRedirects(rds []cors.RedirectHop, origin string) {
	for i := range rds {
		if n := len(rds); n > 6 && !pr.St.Verbose && i >= 3 && i < n-2 {
			if i == 3 {
				pr.Line(render.Indent + pr.Pal.Dim.Sprintf("… %d more (-v or --json shows them)", n-5))
			}
			continue
		}
		pr.corsRedirect(i+1, &rds[i], origin)
	}
}

// corsRedirect is one hop: the request and its redirect response, the
// checks it passed, where it points, and the new preflight sent there.
// The Origin sent is shown once it is no longer the page's.
func (pr *printer) corsRedirect(n int, rd *cors.RedirectHop, origin string) {
	pr.corsBullet(pr.Pal.Dim.Sprint("↪"), fmt.Sprintf("%d  %s %s", n, render.Safe(rd.Method), render.Safe(rd.URL)))
	status := render.StatusText(rd.Status, "")
	if rd.Hop != nil && rd.Hop.Response != nil {
		status = render.ResponseStatus(rd.Hop.Response)
	}
	line := pr.Pal.Dim.Sprint("← ") + render.Safe(status) + "  " + pr.corsMarks(rd.Checks)
	if rd.OriginSent != origin {
		line += pr.Pal.Dim.Sprint("  (sent with Origin: " + render.Safe(rd.OriginSent) + ")")
	}
	pr.corsBullet(" ", line)
	to := "→ " + render.Safe(rd.Location)
	switch {
	case rd.CrossOrigin && rd.NextOrigin == "null":
		to += pr.Pal.Dim.Sprint("  another origin: from here on the browser sends Origin: null and no Authorization")
	case rd.CrossOrigin:
		to += pr.Pal.Dim.Sprint("  another origin: CORS applies from here on (Origin: " + render.Safe(rd.NextOrigin) + "), and no Authorization is sent")
	}
	pr.corsBullet(" ", to)
	p := rd.Preflight
	switch {
	case p == nil:
	case p.Passed != nil && !*p.Passed:
		pr.corsExchange(p, "")
	default:
		status := "no response"
		if p.Hop != nil && p.Hop.Response != nil {
			status = render.ResponseStatus(p.Hop.Response)
		}
		pr.corsBullet(" ", "new preflight: OPTIONS "+pr.Pal.Dim.Sprint("← ")+render.Safe(status)+"  "+pr.corsMarks(p.Checks))
	}
}

// corsMarks is a checklist on one line: "✓ allow-origin ✓ redirect-location".
func (pr *printer) corsMarks(cs []cors.Check) string {
	var out []string
	for _, c := range cs {
		out = append(out, pr.corsMark(c.Result)+" "+render.Safe(c.Rule))
	}
	return strings.Join(out, "  ")
}

// corsExchange prints one request, its response and its checks, then
// stop: why a redirect was not followed ("" when none).
func (pr *printer) corsExchange(x *cors.Exchange, stop string) {
	target, proto := x.URL, ""
	if h := x.Hop; h != nil && h.Request.Method != "" {
		target, proto = h.Request.Target, h.Request.Proto
	}
	pr.Line(render.Indent + pr.Pal.Title.Sprint(render.Safe(x.Method)) + " " + render.Safe(target) + " " + pr.Pal.Dim.Sprint(render.Safe(proto)))
	pr.corsHeaderLines(x.Headers)
	if x.Hop == nil || x.Hop.Response == nil {
		return
	}
	rs := x.Hop.Response
	pr.Line(render.Indent + pr.Pal.Dim.Sprint("← ") + pr.Pal.StatusBold(rs.Status).Sprint(render.Safe(render.ResponseStatus(rs))))
	shown := corsHeaders(rs.Headers, pr.St.Verbose)
	pr.corsHeaderLines(shown)
	if n := len(rs.Headers) - len(shown); n > 0 {
		pr.Line(render.Indent + "  " + pr.Pal.Dim.Sprint(render.Plural(n, "other header")+" (-v shows them)"))
	}
	for _, c := range x.Checks {
		pr.corsCheck(c)
	}
	if stop != "" {
		pr.corsBullet(pr.Pal.Warn.Sprint("→"), stop)
	}
}

// corsHeaderLines prints field lines in order, cut at the width (wrapped
// in full with -v).
func (pr *printer) corsHeaderLines(hs []trace.Header) {
	lead := render.Indent + "  "
	room := pr.Width - len(lead) - 1
	for _, h := range hs {
		name, value := render.Safe(h.Name), render.Safe(h.Value)
		head := name + ": "
		if !pr.St.Verbose {
			pr.Line(lead + pr.Pal.Name.Sprint(name) + ": " + render.Cut(value, room-render.TextWidth(head)))
			continue
		}
		for i, l := range render.WrapHanging(value, room-render.TextWidth(head), room-4) {
			if i == 0 {
				pr.Line(lead + pr.Pal.Name.Sprint(name) + ": " + l)
			} else {
				pr.Line(lead + "    " + l)
			}
		}
	}
}

// corsHeaders keeps the headers CORS reads, or all of them with -v.
func corsHeaders(hs []trace.Header, all bool) []trace.Header {
	if all {
		return hs
	}
	var out []trace.Header
	for _, h := range hs {
		n := strings.ToLower(h.Name)
		if strings.HasPrefix(n, "access-control-") || n == "vary" || n == "location" {
			out = append(out, h)
		}
	}
	return out
}

// corsCheck prints one rule of the checklist.
func (pr *printer) corsCheck(c cors.Check) {
	text := render.Safe(c.Title)
	if c.Detail != "" {
		text += pr.Pal.Dim.Sprint("  " + render.Safe(c.Detail))
	}
	pr.corsBullet(pr.corsMark(c.Result), text)
}

func (pr *printer) corsMark(result string) string {
	return map[string]string{
		cors.Pass: pr.Pal.OK.Sprint("✓"),
		cors.Fail: pr.Pal.Bad.Sprint("✗"),
		cors.Skip: pr.Pal.Dim.Sprint("–"),
	}[result]
}

// corsBullet prints "mark text" with the text wrapped under itself.
func (pr *printer) corsBullet(mark, text string) {
	room := pr.Width - len(render.Indent) - 3
	for i, l := range corsWrap(text, room) {
		lead := render.Indent + mark + " "
		if i > 0 {
			lead = render.Indent + "  "
		}
		pr.Line(lead + l)
	}
}

// corsWrap wraps text that may hold our own colour codes: it wraps
// only when there are none (plain output) and cuts nothing otherwise.
func corsWrap(s string, w int) []string {
	if strings.Contains(s, "\x1b") {
		return []string{s}
	}
	return render.Wrap(s, w)
}

// corsVerdict is the verdict line, Chromium's console line and the cause.
func (pr *printer) corsVerdict(rep *cors.Report) {
	label := map[string]string{
		cors.Allowed: pr.Pal.BoldOK.Sprint("✓ ALLOWED"),
		cors.Blocked: pr.Pal.Bad.Sprint("✗ BLOCKED"),
		cors.Unknown: pr.Pal.BoldWarn.Sprint("? UNKNOWN"),
	}[rep.Verdict]
	summary := rep.Summary
	if _, rest, ok := strings.Cut(summary, ": "); ok {
		summary = rest // the label already says allowed/blocked/unknown
	}
	pr.Heading(pr.Pal.Title.Sprint("Verdict") + "  " + label)
	pr.Para("", render.Safe(summary))
	if len(rep.Problems) == 0 {
		return
	}
	first := rep.Problems[0]
	pr.Para("console", render.Safe(first.Message))
	pr.Para("why", render.Safe(first.Cause))
	if n := len(rep.Problems) - 1; n > 0 {
		// The browser stops at the first; the checklist shows the others.
		pr.Para("also", render.Plural(n, "more check")+" fail (✗ above): the fix below covers them all")
	}
}

// corsFix lists the header lines the responses need, or says what to
// change when headers are not the cure (Local Network Access, a
// redirect loop).
func (pr *printer) corsFix(rep *cors.Report) {
	if rep.Verdict != cors.Blocked || len(rep.Problems) == 0 {
		return
	}
	if rep.BlockedBeforeSending || len(rep.Fix.Preflight)+len(rep.Fix.Actual) == 0 {
		pr.Title("Fix")
		pr.Para("", render.Safe(rep.Problems[0].Fix))
		return
	}
	where, method := "", rep.Method
	if rep.Fix.URL != "" {
		where, method = " of "+render.Safe(rep.Fix.URL), rep.Actual.Method
	}
	pr.Title("Fix", pr.Pal.Dim.Sprint("send these response headers"))
	if len(rep.Fix.Preflight) > 0 {
		pr.dimLines("on the preflight" + where + " (OPTIONS, answered 204 No Content):")
		pr.fixLines(rep.Fix.Preflight)
	}
	pr.dimLines("on the " + render.Safe(method) + " response" + where + ", error responses included:")
	pr.fixLines(rep.Fix.Actual)
}

// dimLines prints plain text dimmed, wrapped at the width.
func (pr *printer) dimLines(text string) {
	for _, l := range render.Wrap(text, pr.Width-len(render.Indent)) {
		pr.Line(render.Indent + pr.Pal.Dim.Sprint(l))
	}
}

func (pr *printer) fixLines(lines []string) {
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ": ")
		pr.Line(render.Indent + "  " + pr.Pal.Name.Sprint(render.Safe(name)) + ": " + render.Safe(value))
	}
}

// corsReadable says which response headers script can read, and which
// it cannot (the usual surprise).
func (pr *printer) corsReadable(rep *cors.Report) {
	if rep.Verdict != cors.Allowed {
		return
	}
	names := strings.Join(rep.Readable, ", ")
	if names == "" {
		names = "none"
	}
	pr.Title("Readable", render.Safe(names))
	if h := rep.Actual.Hop; h != nil && h.Response != nil {
		if hidden := corsHidden(h.Response.Headers, rep.Readable); len(hidden) > 0 {
			pr.Para("hidden", render.Safe(strings.Join(hidden, ", "))+pr.Pal.Dim.Sprint(" (list them in Access-Control-Expose-Headers to read them)"))
		}
	}
}

// corsHidden are the response headers script cannot read, CORS's own
// excluded.
func corsHidden(hs []trace.Header, readable []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, h := range hs {
		n := strings.ToLower(h.Name)
		if seen[n] || strings.HasPrefix(n, "access-control-") || corsContains(readable, n) {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

func corsContains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// corsWarnings lists what does not block today.
func (pr *printer) corsWarnings(ws []cors.Problem) {
	if len(ws) == 0 {
		return
	}
	pr.Title("Warnings")
	for _, w := range ws {
		pr.corsBullet(pr.Pal.Warn.Sprint("!"), pr.Pal.Dim.Sprint(render.Safe(w.Rule)+": ")+render.Safe(w.Message))
		if w.Fix != "" {
			pr.corsBullet(" ", pr.Pal.Dim.Sprint("fix: ")+render.Safe(w.Fix))
		}
	}
}

// corsScan shows the findings of --scan, the worst first; -v adds every
// probe.
func (pr *printer) corsScan(s *cors.Scan) {
	pr.Title("Scan", render.Plural(len(s.Probes), "origin")+" sent as GET and as preflight", render.Plural(len(s.Findings), "finding"))
	if len(s.Findings) == 0 {
		pr.Line(render.Indent + pr.Pal.OK.Sprint("✓ no probe origin was allowed"))
	}
	for _, f := range s.Findings {
		sev := pr.corsSeverity(f.Severity)
		pr.Line(render.Indent + render.PadRight(sev, 8) + pr.Pal.Title.Sprint(f.Class))
		pr.scanDetail(f)
	}
	if pr.St.Verbose {
		pr.scanProbes(s.Probes)
	}
}

func (pr *printer) corsSeverity(s string) string {
	switch s {
	case cors.SeverityHigh:
		return pr.Pal.Bad.Sprint("HIGH")
	case cors.SeverityMedium:
		return pr.Pal.BoldWarn.Sprint("MEDIUM")
	case cors.SeverityLow:
		return pr.Pal.Warn.Sprint("LOW")
	}
	return pr.Pal.Dim.Sprint("INFO")
}

func (pr *printer) scanDetail(f cors.Finding) {
	lead := render.Indent + strings.Repeat(" ", 8)
	room := pr.Width - len(lead)
	via := "via " + strings.Join(f.Via, " and ")
	if f.Credentials {
		via += " · with Access-Control-Allow-Credentials: true"
	}
	for _, l := range render.Wrap(render.Safe(f.Message), room) {
		pr.Line(lead + l)
	}
	pr.Line(lead + pr.Pal.Dim.Sprint(via))
	if len(f.Origins) > 0 {
		origins := f.Origins
		if len(origins) > 4 && !pr.St.Verbose {
			origins = append(origins[:3:3], fmt.Sprintf("and %d more (-v or --json lists them)", len(f.Origins)-3))
		}
		for _, l := range render.Wrap("origins: "+render.Safe(strings.Join(origins, " ")), room) {
			pr.Line(lead + pr.Pal.Dim.Sprint(l))
		}
	}
	for _, l := range render.Wrap("fix: "+render.Safe(f.Fix), room) {
		pr.Line(lead + l)
	}
}

// scanProbes is the table of every probe (-v).
func (pr *printer) scanProbes(ps []cors.Probe) {
	pr.Line("")
	pr.Line(render.Indent + pr.Pal.Dim.Sprint(render.PadRight("probe origin", 46)+render.PadRight("GET", 19)+"preflight"))
	for _, p := range ps {
		pr.Line(render.Indent + render.PadRight(render.Cut(render.Safe(p.Origin), 44), 46) + corsProbeCell(pr, p.GET) + "  " + corsProbeCell(pr, p.Preflight))
	}
}

func corsProbeCell(pr *printer, r cors.ProbeResult) string {
	switch {
	case r.Err != nil:
		return pr.Pal.Bad.Sprint(render.PadRight("error", 17))
	case r.Allowed && r.ACAC == "true":
		return pr.Pal.Bad.Sprint(render.PadRight(fmt.Sprint(r.Status)+" allowed+creds", 17))
	case r.Allowed:
		return pr.Pal.Warn.Sprint(render.PadRight(fmt.Sprint(r.Status)+" allowed", 17))
	}
	return pr.Pal.Dim.Sprint(render.PadRight(fmt.Sprint(r.Status)+" refused", 17))
}

// The cors JSON document. Contract fields are always present; arrays are
// never null.
type wireCORS struct {
	Schema          string            `json:"schema"`
	Browser         string            `json:"browser"`
	Engines         []wireEngine      `json:"engines"`
	URL             string            `json:"url"`
	Origin          string            `json:"origin"`
	Method          string            `json:"method"`
	RequestHeaders  []string          `json:"request_headers"`
	Credentials     bool              `json:"credentials"`
	SameOrigin      bool              `json:"same_origin"`
	Preflight       wirePreflight     `json:"preflight"`
	Actual          wireActual        `json:"actual"`
	ReadableHeaders []string          `json:"readable_headers"`
	Verdict         string            `json:"verdict"`
	Summary         string            `json:"summary"`
	Console         *string           `json:"console"`
	Problems        []wireProblem     `json:"problems"`
	Warnings        []wireProblem     `json:"warnings"`
	Fix             wireFix           `json:"fix"`
	BlockedEarly    bool              `json:"blocked_before_sending"`
	Error           *render.WireError `json:"error"`
	Scan            *wireScan         `json:"scan"`
}

// wireEngine is one engine's outcome where the engines differ.
type wireEngine struct {
	Browser         string   `json:"browser"`
	Verdict         string   `json:"verdict"`
	Preflight       bool     `json:"preflight"`
	Status          int      `json:"status"`
	ReadableHeaders []string `json:"readable_headers"`
	Requests        []string `json:"requests"`
	Summary         string   `json:"summary"`
}

func wireEngines(es []cors.EngineOutcome) []wireEngine {
	if es == nil {
		return nil
	}
	out := make([]wireEngine, 0, len(es))
	for _, e := range es {
		out = append(out, wireEngine{Browser: e.Browser, Verdict: e.Verdict, Preflight: e.Preflight, Status: e.Status,
			ReadableHeaders: render.OrEmpty(e.Readable), Requests: render.OrEmpty(e.Requests), Summary: e.Summary})
	}
	return out
}

type wireCORSRequest struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Headers []render.WireHeader `json:"headers"`
}

type wireCORSResponse struct {
	Proto   string              `json:"proto"`
	Status  int                 `json:"status"`
	Reason  string              `json:"reason"`
	Headers []render.WireHeader `json:"headers"`
}

type wirePreflight struct {
	Needed   bool              `json:"needed"`
	Reasons  []string          `json:"reasons"`
	Request  wireCORSRequest   `json:"request"`
	Response *wireCORSResponse `json:"response"`
	Passed   *bool             `json:"passed"`
	Problems []wireProblem     `json:"problems"`
	Checks   []wireCheck       `json:"checks"`
	MaxAge   *wireMaxAge       `json:"max_age"`
	Error    *render.WireError `json:"error"`
}

type wireActual struct {
	Sent     bool              `json:"sent"`
	NotSent  string            `json:"not_sent"`
	Request  wireCORSRequest   `json:"request"`
	Response *wireCORSResponse `json:"response"`
	Passed   *bool             `json:"passed"`
	Problems []wireProblem     `json:"problems"`
	Checks   []wireCheck       `json:"checks"`
	Redirect *string           `json:"redirect"`
	Error    *render.WireError `json:"error"`

	OriginSent string             `json:"origin_sent"`
	Redirects  []wireCORSRedirect `json:"redirects"`
}

// wireCORSRedirect is one redirect the actual request followed.
type wireCORSRedirect struct {
	URL         string            `json:"url"`
	Method      string            `json:"method"`
	OriginSent  string            `json:"origin_sent"`
	Status      int               `json:"status"`
	Location    string            `json:"location"`
	CrossOrigin bool              `json:"cross_origin"`
	Passed      *bool             `json:"passed"`
	Problems    []wireProblem     `json:"problems"`
	Checks      []wireCheck       `json:"checks"`
	Request     wireCORSRequest   `json:"request"`
	Response    *wireCORSResponse `json:"response"`
	Preflight   *wireExchange     `json:"preflight"`
}

// wireExchange is a preflight sent down a redirect chain.
type wireExchange struct {
	Request  wireCORSRequest   `json:"request"`
	Response *wireCORSResponse `json:"response"`
	Passed   *bool             `json:"passed"`
	Problems []wireProblem     `json:"problems"`
	Checks   []wireCheck       `json:"checks"`
	Error    *render.WireError `json:"error"`
}

type wireProblem struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
	Cause   string `json:"cause"`
}

type wireCheck struct {
	Rule   string `json:"rule"`
	Title  string `json:"title"`
	Result string `json:"result"`
	Detail string `json:"detail"`
}

type wireMaxAge struct {
	Header   string `json:"header"`
	Chromium int    `json:"chromium_s"`
	Firefox  int    `json:"firefox_s"`
}

type wireFix struct {
	Preflight []string `json:"preflight"`
	Actual    []string `json:"actual"`
	URL       *string  `json:"url"`
}

type wireScan struct {
	Probes   []wireProbe   `json:"probes"`
	Findings []wireFinding `json:"findings"`
}

type wireProbe struct {
	Class     string          `json:"class"`
	Origin    string          `json:"origin"`
	GET       wireProbeResult `json:"get"`
	Preflight wireProbeResult `json:"preflight"`
}

type wireProbeResult struct {
	Status   int               `json:"status"`
	ACAO     *string           `json:"allow_origin"`
	ACAC     *string           `json:"allow_credentials"`
	ACAM     *string           `json:"allow_methods"`
	ACAH     *string           `json:"allow_headers"`
	Vary     *string           `json:"vary"`
	Multiple bool              `json:"multiple_allow_origin"`
	Allowed  bool              `json:"allowed"`
	Error    *render.WireError `json:"error"`
}

type wireFinding struct {
	Class       string   `json:"class"`
	Severity    string   `json:"severity"`
	Origins     []string `json:"origins"`
	Via         []string `json:"via"`
	Credentials bool     `json:"credentials"`
	Message     string   `json:"message"`
	Fix         string   `json:"fix"`
}

// JSON writes rep as one reqtrace.cors/v1 document.
func JSON(w io.Writer, rep *cors.Report) error {
	return render.WriteJSON(w, corsWire(rep))
}

func corsWire(rep *cors.Report) wireCORS {
	p, a := &rep.Preflight, &rep.Actual
	return wireCORS{
		Schema: Schema, Browser: rep.Browser, Engines: wireEngines(rep.Engines), URL: rep.URL, Origin: rep.Origin, Method: rep.Method,
		RequestHeaders: render.OrEmpty(rep.RequestHeaders), Credentials: rep.Credentials, SameOrigin: rep.SameOrigin,
		Preflight: wirePreflight{
			Needed: p.Needed, Reasons: render.OrEmpty(p.Reasons), Request: corsRequest(&p.Exchange, p.Needed),
			Response: corsResponse(p.Hop), Passed: p.Passed, Problems: wireProblems(p.Problems),
			Checks: wireChecks(p.Checks), MaxAge: wireMaxAgeOf(p.MaxAge), Error: hopErr(p.Hop),
		},
		Actual: wireActual{
			Sent: a.Sent, NotSent: a.NotSent, Request: corsRequest(&a.Exchange, true),
			Response: corsResponse(a.Hop), Passed: a.Passed, Problems: wireProblems(a.Problems),
			Checks: wireChecks(a.Checks), Redirect: render.StrOrNull(a.Redirect), Error: hopErr(a.Hop),
			OriginSent: a.OriginSent, Redirects: wireCORSRedirects(a.Redirects),
		},
		ReadableHeaders: render.OrEmpty(rep.Readable),
		Verdict:         rep.Verdict, Summary: rep.Summary, Console: render.StrOrNull(rep.Console),
		Problems: wireProblems(rep.Problems), Warnings: wireProblems(rep.Warnings),
		Fix:          wireFix{Preflight: render.OrEmpty(rep.Fix.Preflight), Actual: render.OrEmpty(rep.Fix.Actual), URL: render.StrOrNull(rep.Fix.URL)},
		BlockedEarly: rep.BlockedBeforeSending, Error: render.WireErr(rep.Err), Scan: wireScanOf(rep.Scan),
	}
}

// corsRequest is the request as sent or as it would be sent; without
// one, its headers are empty.
func corsRequest(x *cors.Exchange, exists bool) wireCORSRequest {
	r := wireCORSRequest{Method: x.Method, URL: x.URL, Headers: []render.WireHeader{}}
	if exists {
		r.Headers = render.WireHeaders(x.Headers)
	}
	return r
}

func corsResponse(h *trace.Hop) *wireCORSResponse {
	if h == nil || h.Response == nil {
		return nil
	}
	rs := h.Response
	reason := render.ReasonOf(rs.Proto, rs.Status, rs.Reason)
	return &wireCORSResponse{Proto: rs.Proto, Status: rs.Status, Reason: reason, Headers: render.WireHeaders(rs.Headers)}
}

func wireCORSRedirects(rds []cors.RedirectHop) []wireCORSRedirect {
	out := make([]wireCORSRedirect, 0, len(rds))
	for _, rd := range rds {
		w := wireCORSRedirect{URL: rd.URL, Method: rd.Method, OriginSent: rd.OriginSent, Status: rd.Status,
			Location: rd.Location, CrossOrigin: rd.CrossOrigin, Passed: rd.Passed, Problems: wireProblems(rd.Problems),
			Checks: wireChecks(rd.Checks), Request: corsRequest(&rd.Exchange, true), Response: corsResponse(rd.Hop)}
		if p := rd.Preflight; p != nil {
			w.Preflight = &wireExchange{Request: corsRequest(p, true), Response: corsResponse(p.Hop), Passed: p.Passed,
				Problems: wireProblems(p.Problems), Checks: wireChecks(p.Checks), Error: hopErr(p.Hop)}
		}
		out = append(out, w)
	}
	return out
}

func hopErr(h *trace.Hop) *render.WireError {
	if h == nil {
		return nil
	}
	return render.WireErr(h.Err)
}

func wireProblems(ps []cors.Problem) []wireProblem {
	out := make([]wireProblem, 0, len(ps))
	for _, p := range ps {
		out = append(out, wireProblem{Rule: p.Rule, Message: p.Message, Fix: p.Fix, Cause: p.Cause})
	}
	return out
}

func wireChecks(cs []cors.Check) []wireCheck {
	out := make([]wireCheck, 0, len(cs))
	for _, c := range cs {
		out = append(out, wireCheck{Rule: c.Rule, Title: c.Title, Result: c.Result, Detail: c.Detail})
	}
	return out
}

func wireMaxAgeOf(m *cors.MaxAge) *wireMaxAge {
	if m == nil {
		return nil
	}
	return &wireMaxAge{Header: m.Header, Chromium: m.Chromium, Firefox: m.Firefox}
}

func wireScanOf(s *cors.Scan) *wireScan {
	if s == nil {
		return nil
	}
	out := &wireScan{Probes: make([]wireProbe, 0, len(s.Probes)), Findings: make([]wireFinding, 0, len(s.Findings))}
	for _, p := range s.Probes {
		out.Probes = append(out.Probes, wireProbe{Class: p.Class, Origin: p.Origin, GET: wireProbeOf(p.GET), Preflight: wireProbeOf(p.Preflight)})
	}
	for _, f := range s.Findings {
		out.Findings = append(out.Findings, wireFinding{Class: f.Class, Severity: f.Severity, Origins: render.OrEmpty(f.Origins),
			Via: render.OrEmpty(f.Via), Credentials: f.Credentials, Message: f.Message, Fix: f.Fix})
	}
	return out
}

func wireProbeOf(r cors.ProbeResult) wireProbeResult {
	return wireProbeResult{Status: r.Status, ACAO: render.StrOrNull(r.ACAO), ACAC: render.StrOrNull(r.ACAC), ACAM: render.StrOrNull(r.ACAM),
		ACAH: render.StrOrNull(r.ACAH), Vary: render.StrOrNull(r.Vary), Multiple: r.Multiple, Allowed: r.Allowed, Error: render.WireErr(r.Err)}
}
