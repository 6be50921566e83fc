package render

// `cors` output: the text report (CORSText) and the reqtrace.cors/v1
// JSON document of CONTRACT.md (CORSJSON).
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

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/cors"
)

// CORSSchema names the cors JSON document.
const CORSSchema = "reqtrace.cors/v1"

// CORSText writes the report: the request as the browser sends it, the
// checklist of each rule, the verdict in one line, the fix, the readable
// headers and the warnings. Every server-controlled string goes through
// Safe.
func CORSText(w io.Writer, rep *cors.Report, st Style) error {
	pr := &printer{w: w, st: st, width: st.width(), p: newPalette(st.Color)}
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
		pr.errorBlock(rep.Err)
	}
	return pr.err
}

func (pr *printer) corsHeadline(rep *cors.Report) {
	creds := "credentials: omit"
	if rep.Credentials {
		creds = "credentials: include"
	}
	if rep.Browser == cors.Firefox { // Chromium is the default, and implied
		creds += ", as Firefox"
	}
	pr.title("CORS", Safe(rep.Method)+" "+Safe(rep.URL), "from "+Safe(rep.Origin), pr.p.dim.Sprint(creds))
}

// corsPreflight shows whether a preflight is sent and why, the OPTIONS
// request, its response and the checklist.
func (pr *printer) corsPreflight(rep *cors.Report) {
	p := &rep.Preflight
	switch {
	case rep.SameOrigin:
		pr.title("Preflight", pr.p.dim.Sprint("not needed: same origin, CORS does not apply (unless a redirect leaves the origin)"))
		return
	case !p.Needed:
		pr.title("Preflight", pr.p.dim.Sprint("not needed: a safelisted method with only safelisted headers"))
		return
	}
	pr.title("Preflight", "needed")
	for _, r := range p.Reasons {
		pr.corsBullet(pr.p.dim.Sprint("·"), Safe(r))
	}
	pr.corsExchange(&p.Exchange, "")
	if m := p.MaxAge; m != nil && p.Passed != nil && *p.Passed {
		pr.line(indent + pr.p.dim.Sprintf("cached %d s by Chromium, %d s by Firefox", m.Chromium, m.Firefox))
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
		pr.title("Request", pr.p.dim.Sprint(Safe(note)))
		if a.NotSent == "" || rep.Preflight.Passed != nil && !*rep.Preflight.Passed {
			return // the preflight above is what the browser sent
		}
	case len(a.Redirects) > 0:
		pr.title("Request", pr.p.dim.Sprint(plural(len(a.Redirects), "redirect")+" followed"))
		pr.corsRedirects(a.Redirects, rep.Origin)
	default:
		pr.title("Request")
	}
	stop := ""
	if a.Redirect != "" {
		stop = "redirect to " + Safe(a.Redirect) + " not followed: the browser stops here"
		if a.Passed != nil && *a.Passed { // the browser would go on
			stop = "redirect to " + Safe(a.Redirect) + " not followed: --max-redirs stops here"
		}
	}
	pr.corsExchange(&a.Exchange, stop)
	if a.Sent && a.Hop == nil && len(a.Redirects) > 0 {
		pr.corsBullet(pr.p.bad.Sprint("✗"), "not sent: the preflight to it failed")
	}
}

// corsRedirects lists the redirects followed, a few lines each; a long
// chain is cut in the middle unless -v. A new preflight that failed is
// shown in full: that is where the browser stopped.
func (pr *printer) corsRedirects(rds []cors.RedirectHop, origin string) {
	for i := range rds {
		if n := len(rds); n > 6 && !pr.st.Verbose && i >= 3 && i < n-2 {
			if i == 3 {
				pr.line(indent + pr.p.dim.Sprintf("… %d more (-v or --json shows them)", n-5))
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
	pr.corsBullet(pr.p.dim.Sprint("↪"), fmt.Sprintf("%d  %s %s", n, Safe(rd.Method), Safe(rd.URL)))
	status := statusText(rd.Status, "")
	if rd.Hop != nil && rd.Hop.Response != nil {
		status = responseStatus(rd.Hop.Response)
	}
	line := pr.p.dim.Sprint("← ") + Safe(status) + "  " + pr.corsMarks(rd.Checks)
	if rd.OriginSent != origin {
		line += pr.p.dim.Sprint("  (sent with Origin: " + Safe(rd.OriginSent) + ")")
	}
	pr.corsBullet(" ", line)
	to := "→ " + Safe(rd.Location)
	switch {
	case rd.CrossOrigin && rd.NextOrigin == "null":
		to += pr.p.dim.Sprint("  another origin: from here on the browser sends Origin: null and no Authorization")
	case rd.CrossOrigin:
		to += pr.p.dim.Sprint("  another origin: CORS applies from here on (Origin: " + Safe(rd.NextOrigin) + "), and no Authorization is sent")
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
			status = responseStatus(p.Hop.Response)
		}
		pr.corsBullet(" ", "new preflight: OPTIONS "+pr.p.dim.Sprint("← ")+Safe(status)+"  "+pr.corsMarks(p.Checks))
	}
}

// corsMarks is a checklist on one line: "✓ allow-origin ✓ redirect-location".
func (pr *printer) corsMarks(cs []cors.Check) string {
	var out []string
	for _, c := range cs {
		out = append(out, pr.corsMark(c.Result)+" "+Safe(c.Rule))
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
	pr.line(indent + pr.p.title.Sprint(Safe(x.Method)) + " " + Safe(target) + " " + pr.p.dim.Sprint(Safe(proto)))
	pr.corsHeaderLines(x.Headers)
	if x.Hop == nil || x.Hop.Response == nil {
		return
	}
	rs := x.Hop.Response
	pr.line(indent + pr.p.dim.Sprint("← ") + pr.p.statusBold(rs.Status).Sprint(Safe(responseStatus(rs))))
	shown := corsHeaders(rs.Headers, pr.st.Verbose)
	pr.corsHeaderLines(shown)
	if n := len(rs.Headers) - len(shown); n > 0 {
		pr.line(indent + "  " + pr.p.dim.Sprint(plural(n, "other header")+" (-v shows them)"))
	}
	for _, c := range x.Checks {
		pr.corsCheck(c)
	}
	if stop != "" {
		pr.corsBullet(pr.p.warn.Sprint("→"), stop)
	}
}

// corsHeaderLines prints field lines in order, cut at the width (wrapped
// in full with -v).
func (pr *printer) corsHeaderLines(hs []trace.Header) {
	lead := indent + "  "
	room := pr.width - len(lead) - 1
	for _, h := range hs {
		name, value := Safe(h.Name), Safe(h.Value)
		head := name + ": "
		if !pr.st.Verbose {
			pr.line(lead + pr.p.name.Sprint(name) + ": " + cut(value, room-textWidth(head)))
			continue
		}
		for i, l := range wrapHanging(value, room-textWidth(head), room-4) {
			if i == 0 {
				pr.line(lead + pr.p.name.Sprint(name) + ": " + l)
			} else {
				pr.line(lead + "    " + l)
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
	text := Safe(c.Title)
	if c.Detail != "" {
		text += pr.p.dim.Sprint("  " + Safe(c.Detail))
	}
	pr.corsBullet(pr.corsMark(c.Result), text)
}

func (pr *printer) corsMark(result string) string {
	return map[string]string{
		cors.Pass: pr.p.ok.Sprint("✓"),
		cors.Fail: pr.p.bad.Sprint("✗"),
		cors.Skip: pr.p.dim.Sprint("–"),
	}[result]
}

// corsBullet prints "mark text" with the text wrapped under itself.
func (pr *printer) corsBullet(mark, text string) {
	room := pr.width - len(indent) - 3
	for i, l := range corsWrap(text, room) {
		lead := indent + mark + " "
		if i > 0 {
			lead = indent + "  "
		}
		pr.line(lead + l)
	}
}

// corsWrap wraps text that may hold our own colour codes: it wraps
// only when there are none (plain output) and cuts nothing otherwise.
func corsWrap(s string, w int) []string {
	if strings.Contains(s, "\x1b") {
		return []string{s}
	}
	return wrap(s, w)
}

// corsVerdict is the verdict line, Chromium's console line and the cause.
func (pr *printer) corsVerdict(rep *cors.Report) {
	label := map[string]string{
		cors.Allowed: pr.p.boldOK.Sprint("✓ ALLOWED"),
		cors.Blocked: pr.p.bad.Sprint("✗ BLOCKED"),
		cors.Unknown: pr.p.boldWarn.Sprint("? UNKNOWN"),
	}[rep.Verdict]
	summary := rep.Summary
	if _, rest, ok := strings.Cut(summary, ": "); ok {
		summary = rest // the label already says allowed/blocked/unknown
	}
	pr.heading(pr.p.title.Sprint("Verdict") + "  " + label)
	pr.para("", Safe(summary))
	if len(rep.Problems) == 0 {
		return
	}
	first := rep.Problems[0]
	pr.para("console", Safe(first.Message))
	pr.para("why", Safe(first.Cause))
	if n := len(rep.Problems) - 1; n > 0 {
		// The browser stops at the first; the checklist shows the others.
		pr.para("also", plural(n, "more check")+" fail (✗ above): the fix below covers them all")
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
		pr.title("Fix")
		pr.para("", Safe(rep.Problems[0].Fix))
		return
	}
	where, method := "", rep.Method
	if rep.Fix.URL != "" {
		where, method = " of "+Safe(rep.Fix.URL), rep.Actual.Method
	}
	pr.title("Fix", pr.p.dim.Sprint("send these response headers"))
	if len(rep.Fix.Preflight) > 0 {
		pr.dimLines("on the preflight" + where + " (OPTIONS, answered 204 No Content):")
		pr.fixLines(rep.Fix.Preflight)
	}
	pr.dimLines("on the " + Safe(method) + " response" + where + ", error responses included:")
	pr.fixLines(rep.Fix.Actual)
}

// dimLines prints plain text dimmed, wrapped at the width.
func (pr *printer) dimLines(text string) {
	for _, l := range wrap(text, pr.width-len(indent)) {
		pr.line(indent + pr.p.dim.Sprint(l))
	}
}

func (pr *printer) fixLines(lines []string) {
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ": ")
		pr.line(indent + "  " + pr.p.name.Sprint(Safe(name)) + ": " + Safe(value))
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
	pr.title("Readable", Safe(names))
	if h := rep.Actual.Hop; h != nil && h.Response != nil {
		if hidden := corsHidden(h.Response.Headers, rep.Readable); len(hidden) > 0 {
			pr.para("hidden", Safe(strings.Join(hidden, ", "))+pr.p.dim.Sprint(" (list them in Access-Control-Expose-Headers to read them)"))
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
	pr.title("Warnings")
	for _, w := range ws {
		pr.corsBullet(pr.p.warn.Sprint("!"), pr.p.dim.Sprint(Safe(w.Rule)+": ")+Safe(w.Message))
		if w.Fix != "" {
			pr.corsBullet(" ", pr.p.dim.Sprint("fix: ")+Safe(w.Fix))
		}
	}
}

// corsScan shows the findings of --scan, the worst first; -v adds every
// probe.
func (pr *printer) corsScan(s *cors.Scan) {
	pr.title("Scan", plural(len(s.Probes), "origin")+" sent as GET and as preflight", plural(len(s.Findings), "finding"))
	if len(s.Findings) == 0 {
		pr.line(indent + pr.p.ok.Sprint("✓ no probe origin was allowed"))
	}
	for _, f := range s.Findings {
		sev := pr.corsSeverity(f.Severity)
		pr.line(indent + padRight(sev, 8) + pr.p.title.Sprint(f.Class))
		pr.scanDetail(f)
	}
	if pr.st.Verbose {
		pr.scanProbes(s.Probes)
	}
}

func (pr *printer) corsSeverity(s string) string {
	switch s {
	case cors.SeverityHigh:
		return pr.p.bad.Sprint("HIGH")
	case cors.SeverityMedium:
		return pr.p.boldWarn.Sprint("MEDIUM")
	case cors.SeverityLow:
		return pr.p.warn.Sprint("LOW")
	}
	return pr.p.dim.Sprint("INFO")
}

func (pr *printer) scanDetail(f cors.Finding) {
	lead := indent + strings.Repeat(" ", 8)
	room := pr.width - len(lead)
	via := "via " + strings.Join(f.Via, " and ")
	if f.Credentials {
		via += " · with Access-Control-Allow-Credentials: true"
	}
	for _, l := range wrap(Safe(f.Message), room) {
		pr.line(lead + l)
	}
	pr.line(lead + pr.p.dim.Sprint(via))
	if len(f.Origins) > 0 {
		origins := f.Origins
		if len(origins) > 4 && !pr.st.Verbose {
			origins = append(origins[:3:3], fmt.Sprintf("and %d more (-v or --json lists them)", len(f.Origins)-3))
		}
		for _, l := range wrap("origins: "+Safe(strings.Join(origins, " ")), room) {
			pr.line(lead + pr.p.dim.Sprint(l))
		}
	}
	for _, l := range wrap("fix: "+Safe(f.Fix), room) {
		pr.line(lead + l)
	}
}

// scanProbes is the table of every probe (-v).
func (pr *printer) scanProbes(ps []cors.Probe) {
	pr.line("")
	pr.line(indent + pr.p.dim.Sprint(padRight("probe origin", 46)+padRight("GET", 19)+"preflight"))
	for _, p := range ps {
		pr.line(indent + padRight(cut(Safe(p.Origin), 44), 46) + corsProbeCell(pr, p.GET) + "  " + corsProbeCell(pr, p.Preflight))
	}
}

func corsProbeCell(pr *printer, r cors.ProbeResult) string {
	switch {
	case r.Err != nil:
		return pr.p.bad.Sprint(padRight("error", 17))
	case r.Allowed && r.ACAC == "true":
		return pr.p.bad.Sprint(padRight(fmt.Sprint(r.Status)+" allowed+creds", 17))
	case r.Allowed:
		return pr.p.warn.Sprint(padRight(fmt.Sprint(r.Status)+" allowed", 17))
	}
	return pr.p.dim.Sprint(padRight(fmt.Sprint(r.Status)+" refused", 17))
}

// The cors JSON document. Contract fields are always present; arrays are
// never null.
type wireCORS struct {
	Schema          string        `json:"schema"`
	Browser         string        `json:"browser"`
	Engines         []wireEngine  `json:"engines"`
	URL             string        `json:"url"`
	Origin          string        `json:"origin"`
	Method          string        `json:"method"`
	RequestHeaders  []string      `json:"request_headers"`
	Credentials     bool          `json:"credentials"`
	SameOrigin      bool          `json:"same_origin"`
	Preflight       wirePreflight `json:"preflight"`
	Actual          wireActual    `json:"actual"`
	ReadableHeaders []string      `json:"readable_headers"`
	Verdict         string        `json:"verdict"`
	Summary         string        `json:"summary"`
	Console         *string       `json:"console"`
	Problems        []wireProblem `json:"problems"`
	Warnings        []wireProblem `json:"warnings"`
	Fix             wireFix       `json:"fix"`
	BlockedEarly    bool          `json:"blocked_before_sending"`
	Error           *WireError    `json:"error"`
	Scan            *wireScan     `json:"scan"`
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
			ReadableHeaders: OrEmpty(e.Readable), Requests: OrEmpty(e.Requests), Summary: e.Summary})
	}
	return out
}

type wireCORSRequest struct {
	Method  string       `json:"method"`
	URL     string       `json:"url"`
	Headers []WireHeader `json:"headers"`
}

type wireCORSResponse struct {
	Proto   string       `json:"proto"`
	Status  int          `json:"status"`
	Reason  string       `json:"reason"`
	Headers []WireHeader `json:"headers"`
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
	Error    *WireError        `json:"error"`
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
	Error    *WireError        `json:"error"`

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
	Error    *WireError        `json:"error"`
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
	Status   int        `json:"status"`
	ACAO     *string    `json:"allow_origin"`
	ACAC     *string    `json:"allow_credentials"`
	ACAM     *string    `json:"allow_methods"`
	ACAH     *string    `json:"allow_headers"`
	Vary     *string    `json:"vary"`
	Multiple bool       `json:"multiple_allow_origin"`
	Allowed  bool       `json:"allowed"`
	Error    *WireError `json:"error"`
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

// CORSJSON writes rep as one reqtrace.cors/v1 document.
func CORSJSON(w io.Writer, rep *cors.Report) error {
	return WriteJSON(w, corsWire(rep))
}

func corsWire(rep *cors.Report) wireCORS {
	p, a := &rep.Preflight, &rep.Actual
	return wireCORS{
		Schema: CORSSchema, Browser: rep.Browser, Engines: wireEngines(rep.Engines), URL: rep.URL, Origin: rep.Origin, Method: rep.Method,
		RequestHeaders: OrEmpty(rep.RequestHeaders), Credentials: rep.Credentials, SameOrigin: rep.SameOrigin,
		Preflight: wirePreflight{
			Needed: p.Needed, Reasons: OrEmpty(p.Reasons), Request: corsRequest(&p.Exchange, p.Needed),
			Response: corsResponse(p.Hop), Passed: p.Passed, Problems: wireProblems(p.Problems),
			Checks: wireChecks(p.Checks), MaxAge: wireMaxAgeOf(p.MaxAge), Error: hopErr(p.Hop),
		},
		Actual: wireActual{
			Sent: a.Sent, NotSent: a.NotSent, Request: corsRequest(&a.Exchange, true),
			Response: corsResponse(a.Hop), Passed: a.Passed, Problems: wireProblems(a.Problems),
			Checks: wireChecks(a.Checks), Redirect: strOrNull(a.Redirect), Error: hopErr(a.Hop),
			OriginSent: a.OriginSent, Redirects: wireCORSRedirects(a.Redirects),
		},
		ReadableHeaders: OrEmpty(rep.Readable),
		Verdict:         rep.Verdict, Summary: rep.Summary, Console: strOrNull(rep.Console),
		Problems: wireProblems(rep.Problems), Warnings: wireProblems(rep.Warnings),
		Fix:          wireFix{Preflight: OrEmpty(rep.Fix.Preflight), Actual: OrEmpty(rep.Fix.Actual), URL: strOrNull(rep.Fix.URL)},
		BlockedEarly: rep.BlockedBeforeSending, Error: WireErr(rep.Err), Scan: wireScanOf(rep.Scan),
	}
}

// corsRequest is the request as sent or as it would be sent; without
// one, its headers are empty.
func corsRequest(x *cors.Exchange, exists bool) wireCORSRequest {
	r := wireCORSRequest{Method: x.Method, URL: x.URL, Headers: []WireHeader{}}
	if exists {
		r.Headers = wireHeaders(x.Headers)
	}
	return r
}

func corsResponse(h *trace.Hop) *wireCORSResponse {
	if h == nil || h.Response == nil {
		return nil
	}
	rs := h.Response
	reason := ReasonOf(rs.Proto, rs.Status, rs.Reason)
	return &wireCORSResponse{Proto: rs.Proto, Status: rs.Status, Reason: reason, Headers: wireHeaders(rs.Headers)}
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

func hopErr(h *trace.Hop) *WireError {
	if h == nil {
		return nil
	}
	return WireErr(h.Err)
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
		out.Findings = append(out.Findings, wireFinding{Class: f.Class, Severity: f.Severity, Origins: OrEmpty(f.Origins),
			Via: OrEmpty(f.Via), Credentials: f.Credentials, Message: f.Message, Fix: f.Fix})
	}
	return out
}

func wireProbeOf(r cors.ProbeResult) wireProbeResult {
	return wireProbeResult{Status: r.Status, ACAO: strOrNull(r.ACAO), ACAC: strOrNull(r.ACAC), ACAM: strOrNull(r.ACAM),
		ACAH: strOrNull(r.ACAH), Vary: strOrNull(r.Vary), Multiple: r.Multiple, Allowed: r.Allowed, Error: WireErr(r.Err)}
}
