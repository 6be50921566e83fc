package cors

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Sender sends one request. It is trace.Do; tests pass a fake.
type Sender func(context.Context, *trace.Options) *trace.Result

// Run evaluates cfg as the browser would: it builds the request as
// fetch() does, sends the preflight when the browser would send one and
// the actual request when it is safe to (GET, HEAD, or cfg.Actual), and
// checks each response in Chromium's order. The error is a bad input
// only; network failures are in Report.Err.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	return RunWith(ctx, cfg, trace.Do)
}

// RunWith is Run with another Sender. It evaluates as cfg.Browser, then
// as the other engine, replaying the responses already received (and
// sending only preflights and GET/HEAD requests not yet sent); where the
// engines differ the report says so (engines.go).
func RunWith(ctx context.Context, cfg Config, send Sender) (*Report, error) {
	rec := &replayer{send: send, seen: map[string]*trace.Result{}}
	e, err := evaluate(ctx, cfg, rec.record)
	if err != nil {
		return nil, err
	}
	other := cfg
	other.Browser, other.Output, other.OutputName = otherEngine(e.r.Engine), nil, ""
	if o, err := evaluate(ctx, other, rec.replay); err == nil {
		compareEngines(e.rep, o.rep)
	}
	return e.rep, nil
}

// evaluate runs one engine's evaluation of cfg.
func evaluate(ctx context.Context, cfg Config, send Sender) (*evaluation, error) {
	r, err := NewRequest(cfg)
	if err != nil {
		return nil, err
	}
	e := &evaluation{ctx: ctx, cfg: &cfg, r: r, d: r.Decide(), send: send, preflights: map[string]bool{}}
	e.last = leg{r, e.d}
	e.rep = newReport(r, e.d)
	e.run()
	return e, nil
}

// evaluation carries one run's state.
type evaluation struct {
	ctx  context.Context
	cfg  *Config
	r    *Request
	d    Decision
	send Sender
	rep  *Report
	// lnaChecked is set once the first exchange told the target's space.
	lnaChecked bool
	// blockedBy says what blocked the request before it was sent (Local
	// Network Access, mixed content); "" when nothing did.
	blockedBy string
	// last is the last request of the redirect chain (redirect.go).
	last leg
	// preflights are the preflights that passed, as Chromium's cache
	// would hold them (preflightKey).
	preflights map[string]bool
}

func newReport(r *Request, d Decision) *Report {
	rep := &Report{
		Browser: r.Engine, URL: r.URL.String(), Origin: r.Origin.String(), Method: r.Method,
		RequestHeaders: r.HeaderNames(), Credentials: r.Credentials, SameOrigin: r.SameOrigin(),
	}
	rep.Preflight.Needed = d.Needed && !rep.SameOrigin
	rep.Preflight.Reasons = d.Reasons
	rep.Preflight.Method, rep.Preflight.URL = "OPTIONS", rep.URL
	rep.Actual.Method, rep.Actual.URL = r.Method, rep.URL
	rep.Warnings = append(rep.Warnings, r.Notes...)
	if rep.Preflight.Needed {
		rep.Preflight.Headers = planned(r.URL, r.PreflightHeaders(d))
	}
	rep.Actual.Headers = planned(r.URL, r.ActualHeaders())
	return rep
}

func (e *evaluation) run() {
	if e.rep.SameOrigin {
		e.rep.Preflight.Reasons = nil // no preflight within an origin
	}
	if e.blockMixed(e.r) || e.blockLNAEarly() {
		e.finish()
		return
	}
	if !e.rep.Preflight.Needed || e.preflight() {
		e.actual()
	} else if e.rep.Err == nil {
		e.rep.Actual.NotSent = "the preflight failed, so the browser never sends the " + e.r.Method
	}
	e.finish()
}

// preflight sends the first OPTIONS request and checks its response; it
// reports whether the browser would go on to the actual request.
func (e *evaluation) preflight() bool {
	p := &e.rep.Preflight
	hop, ok := e.sendPreflight(&p.Exchange, leg{e.r, e.d})
	if p.Passed != nil {
		p.MaxAge = maxAgeOf(hop.Response)
	}
	return ok
}

// sendPreflight sends the OPTIONS request for l, records it in x and
// checks its response; it reports whether it passed.
func (e *evaluation) sendPreflight(x *Exchange, l leg) (*trace.Hop, bool) {
	hop, ok := e.exchange(x, l.r.URL, "OPTIONS", l.r.PreflightHeaders(l.d), nil, false)
	if !ok {
		return hop, false
	}
	c := l.r.checkPreflight(hop.Response, l.d)
	x.Checks, x.Problems, x.Passed = c.checks, c.problems, c.passed()
	if *x.Passed && maxAgeOf(hop.Response).Chromium > 0 {
		e.preflights[preflightKey(l)] = true
	}
	return hop, *x.Passed
}

// actual sends the request script asked for, when that is safe, and
// follows its redirects; the last response decides what script reads.
func (e *evaluation) actual() {
	a := &e.rep.Actual
	if e.r.Method != "GET" && e.r.Method != "HEAD" && !e.cfg.Actual {
		a.NotSent = e.r.Method + " is not sent without --actual: it may change data on the server"
		return
	}
	e.chain()
	switch {
	case a.Passed == nil || !*a.Passed: // a passing last response is never a redirect
	case e.last.r.SameOrigin():
		e.rep.Readable = AllHeaders(a.Hop.Response)
	default:
		e.rep.Readable = ReadableHeaders(a.Hop.Response, e.r.Credentials)
	}
}

// exchange sends one request and records it in x. It reports false when
// the evaluation cannot go on: a network failure, or Local Network Access
// blocking the request before the browser would send anything. actual
// marks the actual request: its last response's body is what -o saves.
func (e *evaluation) exchange(x *Exchange, u *url.URL, method string, hs []trace.Header, body []byte, actual bool) (*trace.Hop, bool) {
	o := e.options(u, method, hs, body)
	if actual {
		o.Output, o.OutputName, o.SkipRedirectBody = e.cfg.Output, e.cfg.OutputName, true
	}
	res := e.send(e.ctx, o)
	var hop *trace.Hop
	if n := len(res.Hops); n > 0 {
		hop = &res.Hops[n-1]
		x.Hop = hop
		if hop.Request.Method != "" {
			x.Headers = hop.Request.Headers
		}
	}
	if !e.lnaChecked && !e.r.firefox() && hop != nil && hop.Connect != nil && hop.Connect.Address != "" {
		e.lnaChecked = true
		if e.checkLNA(hop) {
			return hop, false
		}
	}
	if res.Err != nil || hop == nil || hop.Response == nil {
		e.rep.Err = res.Err
		if e.rep.Err == nil {
			e.rep.Err = &trace.Error{Phase: trace.PhaseReceive, Kind: trace.KindReceive, Message: "no response"}
		}
		return hop, false
	}
	return hop, true
}

// blockMixed applies the mixed-content rule to a request about to be
// sent: an https:// page may not fetch an http:// URL that is not
// potentially trustworthy (localhost and loopback IP literals are). The
// browser blocks it before CORS, and sends nothing.
func (e *evaluation) blockMixed(r *Request) bool {
	if r.Origin.Opaque || r.Origin.Scheme != "https" || r.URL.Scheme != "http" || trustworthy(r.Target) {
		return false
	}
	e.rep.Problems = append(e.rep.Problems, Problem{Rule: "mixed-content",
		Message: "Mixed Content: The page at '" + r.Origin.String() + "/' was loaded over HTTPS, but requested an insecure resource '" + consoleURL(r.URL) +
			"'. This request has been blocked; the content must be served over HTTPS.",
		Fix:   "serve " + r.Target.String() + " over HTTPS and fetch the https:// URL",
		Cause: "an https:// page may not fetch http:// URLs (mixed content): the browser blocks the request before CORS is looked at, and nothing is sent; only localhost and loopback addresses are exempt"})
	if r == e.r { // a redirect target: what came before was sent
		e.rep.BlockedBeforeSending = true
	}
	e.blockedBy = "mixed content: an https:// page may not fetch an http:// URL"
	return true
}

// blockLNAEarly applies Local Network Access before anything is sent
// when the target's address is known without sending (an IP literal, a
// loopback name, --resolve): Chromium blocks before the request leaves.
// Otherwise checkLNA runs once the first connection tells the address.
func (e *evaluation) blockLNAEarly() bool {
	px := e.cfg.Net.Proxy
	if e.r.firefox() || px.Explicit != nil || px.HTTP != nil || px.HTTPS != nil || px.All != nil || len(e.cfg.Net.ConnectTo) > 0 {
		return false // the address dialled is not the host's: wait for the connection
	}
	to := knownSpace(e.cfg, e.r.Target)
	if to == "" {
		return false
	}
	e.lnaChecked = true
	return e.applyLNA(to)
}

// checkLNA applies Local Network Access once the target's address is
// known; it reports whether Chromium would block before sending.
func (e *evaluation) checkLNA(hop *trace.Hop) bool {
	return e.applyLNA(targetSpace(hop))
}

// applyLNA records what Local Network Access says of a request from the
// page's address space to space, and whether it blocks it before sending.
func (e *evaluation) applyLNA(space string) bool {
	block, warn := e.r.lnaFindings(originSpace(e.ctx, e.cfg, e.r.Origin), space)
	if warn != nil {
		e.rep.Warnings = append(e.rep.Warnings, *warn)
	}
	if block == nil {
		return false
	}
	e.rep.Problems = append(e.rep.Problems, *block)
	e.rep.BlockedBeforeSending = true
	e.blockedBy = "Local Network Access: an insecure page may not reach a more private address"
	return true
}

// options are the trace options for one request: the user's network
// settings with this request's method, headers and body.
func (e *evaluation) options(u *url.URL, method string, hs []trace.Header, body []byte) *trace.Options {
	o := e.cfg.Net
	o.URL, o.Method, o.Headers, o.Body = u, method, edits(hs), body
	o.Head = method == "HEAD"
	o.FollowRedirects = false // the browser's redirect rules are checked here, hop by hop
	o.ContentType, o.User, o.Output, o.OutputName = "", nil, nil, ""
	return &o
}

// planned is a request's header list before it is sent, with the Host
// line trace.Do would add.
func planned(u *url.URL, hs []trace.Header) []trace.Header {
	return append([]trace.Header{{Name: "Host", Value: hostOf(u)}}, hs...)
}

func hostOf(u *url.URL) string {
	if trace.Port(u) == defaultPort(u.Scheme) {
		return u.Hostname()
	}
	return u.Host
}

// finish gathers problems and warnings and decides the verdict.
func (e *evaluation) finish() {
	rep := e.rep
	if rep.BlockedBeforeSending && !rep.Actual.Sent {
		rep.Actual.NotSent = "the browser sends nothing: " + e.blockedBy + ", and it blocks the request before it leaves the browser"
	}
	rep.Problems = append(rep.Problems, rep.Preflight.Problems...)
	rep.Problems = append(rep.Problems, rep.Actual.Problems...)
	e.warnings()
	switch {
	case len(rep.Problems) > 0:
		rep.Verdict = Blocked
		if rep.Problems[0].Rule != stageActual+"."+kindRedirectUserinfoSilent {
			rep.Console = rep.Problems[0].Message
		}
		rep.Fix = e.fix()
	case rep.Err != nil, !rep.Actual.Sent:
		rep.Verdict = Unknown
	default:
		rep.Verdict = Allowed
	}
	rep.Summary = e.summary()
}

// warnings adds what does not block today.
func (e *evaluation) warnings() {
	rep := e.rep
	add := func(p *Problem) {
		if p != nil {
			rep.Warnings = append(rep.Warnings, *p)
		}
	}
	add(clientHintWarning(e.r))
	add(cookieWarning(e.r))
	add(authorizationDroppedWarning(e.r, e.rep.Actual.Redirects))
	if m := rep.Preflight.MaxAge; m != nil && *rep.Preflight.Passed {
		add(maxAgeWarning(m))
		add(authorizationWarning(e.r, e.d, rep.Preflight.Hop.Response))
	}
	if a := rep.Actual; a.Sent && a.Passed != nil {
		if *a.Passed {
			add(varyWarning(a.Hop.Response))
			add(nullWarning(a.Hop.Response))
		} else if !rep.Preflight.Needed && e.r.Method != "GET" && e.r.Method != "HEAD" {
			add(sideEffectWarning(e.r))
		}
	}
}

// fix lists the header lines that make the last request of the chain
// pass. A redirect loop is not fixed by headers: no lines.
func (e *evaluation) fix() Fix {
	switch e.rep.Problems[0].Rule {
	case stageActual + "." + kindTooManyRedirects, stageActual + "." + kindNetError:
		return Fix{} // no header line repairs the redirect itself
	}
	var f Fix
	l := e.last
	if l.r != e.r {
		f.URL = l.r.URL.String()
	}
	if l.needsPreflight() {
		var hs []trace.Header
		if x := e.lastPreflight(); x != nil {
			hs = responseHeaders(x.Hop)
		}
		f.Preflight = l.r.preflightLines(hs, l.d)
	}
	f.Actual = l.r.actualLines(responseHeaders(e.rep.Actual.Hop))
	return f
}

// lastPreflight is the preflight sent for the last request of the chain;
// nil when none was.
func (e *evaluation) lastPreflight() *Exchange {
	rds := e.rep.Actual.Redirects
	switch {
	case len(rds) > 0:
		return rds[len(rds)-1].Preflight
	case e.rep.Preflight.Needed:
		return &e.rep.Preflight.Exchange
	}
	return nil
}

func responseHeaders(h *trace.Hop) []trace.Header {
	if h == nil || h.Response == nil {
		return nil
	}
	return h.Response.Headers
}

// summary is the verdict in one line.
func (e *evaluation) summary() string {
	rep := e.rep
	switch rep.Verdict {
	case Blocked:
		return "blocked: " + e.blockedWhy()
	case Allowed:
		s := fmt.Sprintf("allowed: script can read the response (status %d)", rep.Actual.Hop.Response.Status)
		if e.last.r.SameOrigin() {
			s = fmt.Sprintf("allowed: same origin, so CORS does not apply: script reads the response and all its headers (status %d)", rep.Actual.Hop.Response.Status)
		}
		if rep.Preflight.Needed {
			s += " after a passing preflight"
		}
		if n := len(rep.Actual.Redirects); n > 0 {
			s += fmt.Sprintf(", from %s after %s", rep.Actual.URL, redirectsPhrase(n))
		}
		return s
	}
	switch {
	case rep.Err != nil:
		return "unknown: the network failed before the browser's checks could run: " + rep.Err.Message
	case rep.Preflight.Needed:
		return "unknown: the preflight passes; the " + rep.Method + " itself was not sent (add --actual), and its response must carry Access-Control-Allow-Origin too"
	}
	return "unknown: no preflight is needed; the " + rep.Method + " was not sent (add --actual), and its response must carry Access-Control-Allow-Origin"
}

// blockedWhy names the first failed check in a few words: of the first
// preflight, of the preflight sent after the last redirect, or of the
// last response.
func (e *evaluation) blockedWhy() string {
	rep := e.rep
	if e.blockedBy != "" {
		return "the browser does not send it to " + e.last.r.URL.String() + " (" + e.blockedBy + ")"
	}
	if c, ok := firstFailed(rep.Preflight.Checks); ok {
		return failPhrase(c, "the preflight response", e.r) + "; the " + e.r.Method + " is never sent"
	}
	a, l := &rep.Actual, e.last.r
	after := ""
	if n := len(a.Redirects); n > 0 {
		after = " of " + a.URL + " (after " + redirectsPhrase(n) + ")"
	}
	if l != e.r {
		if c, ok := firstFailed(e.lastPreflight().checksOrNil()); ok {
			return failPhrase(c, "the new preflight response"+after, l) + "; the " + l.Method + " is never sent there"
		}
	}
	if c, ok := firstFailed(a.Checks); ok {
		return failPhrase(c, fmt.Sprintf("the %s response (status %d)%s", l.Method, a.Hop.Response.Status, after), l)
	}
	return "see the problems"
}

func firstFailed(cs []Check) (Check, bool) {
	for _, c := range cs {
		if c.Result == Fail {
			return c, true
		}
	}
	return Check{}, false
}

func (x *Exchange) checksOrNil() []Check {
	if x == nil {
		return nil
	}
	return x.Checks
}

func redirectsPhrase(n int) string {
	if n == 1 {
		return "1 redirect"
	}
	return fmt.Sprint(n, " redirects")
}

// failPhrase says what a failed check means, of a response ("where").
func failPhrase(c Check, where string, r *Request) string {
	switch c.Rule {
	case "redirect":
		return where + " is a redirect (" + c.Detail + ")"
	case "redirect-limit":
		return where + " is one redirect too many (" + c.Detail + "): the fetch fails with net::ERR_TOO_MANY_REDIRECTS"
	case "redirect-location":
		if strings.Contains(c.Title, "network stack") {
			return where + " is a redirect the browser fails as a network error (Location: " + c.Detail + ")"
		}
		return where + " redirects where a cross-origin request may not go (" + c.Detail + ")"
	case "allow-origin":
		return where + " does not allow the origin " + strings.TrimPrefix(c.Title, "Access-Control-Allow-Origin allows ") + " (Access-Control-Allow-Origin: " + c.Detail + ")"
	case "allow-credentials":
		return where + " lacks Access-Control-Allow-Credentials: true (" + c.Detail + ")"
	case "status":
		return where + " has status " + c.Detail + ", not 2xx"
	case "allow-methods":
		return where + " does not allow the method " + r.Method + " (Access-Control-Allow-Methods: " + c.Detail + ")"
	case "allow-headers":
		return where + " does not allow every header (" + c.Detail + ")"
	}
	return where + " fails \"" + c.Title + "\" (" + c.Detail + ")"
}
