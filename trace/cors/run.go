package cors

import (
	"context"
	"fmt"
	"net/url"

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

// RunWith is Run with another Sender.
func RunWith(ctx context.Context, cfg Config, send Sender) (*Report, error) {
	r, err := NewRequest(cfg)
	if err != nil {
		return nil, err
	}
	e := &evaluation{ctx: ctx, cfg: &cfg, r: r, d: r.Decide(), send: send}
	e.rep = newReport(r, e.d)
	e.run()
	return e.rep, nil
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
}

func newReport(r *Request, d Decision) *Report {
	rep := &Report{
		URL: r.URL.String(), Origin: r.Origin.String(), Method: r.Method,
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
		e.rep.Verdict = Allowed
		e.rep.Summary = "same origin: CORS does not apply, script reads the response like any other"
		e.rep.Preflight.Reasons = nil
		return
	}
	if !e.rep.Preflight.Needed || e.preflight() {
		e.actual()
	} else if e.rep.Err == nil {
		e.rep.Actual.NotSent = "the preflight failed, so the browser never sends the " + e.r.Method
	}
	e.finish()
}

// preflight sends the OPTIONS request and checks its response; it
// reports whether the browser would go on to the actual request.
func (e *evaluation) preflight() bool {
	p := &e.rep.Preflight
	hop, ok := e.exchange(&p.Exchange, "OPTIONS", e.r.PreflightHeaders(e.d), nil)
	if !ok {
		return false
	}
	c := e.r.checkPreflight(hop.Response, e.d)
	p.Checks, p.Problems, p.Passed = c.checks, c.problems, c.passed()
	p.MaxAge = maxAgeOf(hop.Response)
	return *p.Passed
}

// actual sends the request script asked for, when that is safe.
func (e *evaluation) actual() {
	a := &e.rep.Actual
	if e.r.Method != "GET" && e.r.Method != "HEAD" && !e.cfg.Actual {
		a.NotSent = e.r.Method + " is not sent without --actual: it may change data on the server"
		return
	}
	hop, ok := e.exchange(&a.Exchange, e.r.Method, e.r.ActualHeaders(), e.r.Body)
	if !ok {
		return
	}
	a.Sent = true
	c := e.r.checkActual(hop.Response, e.d)
	a.Checks, a.Problems, a.Passed = c.checks, c.problems, c.passed()
	if loc, redirect := isRedirect(hop.Response); redirect && *a.Passed {
		a.Redirect = loc
	}
	if *a.Passed && a.Redirect == "" {
		e.rep.Readable = ReadableHeaders(hop.Response, e.r.Credentials)
	}
}

// exchange sends one request and records it in x. It reports false when
// the evaluation cannot go on: a network failure, or Local Network Access
// blocking the request before the browser would send anything.
func (e *evaluation) exchange(x *Exchange, method string, hs []trace.Header, body []byte) (*trace.Hop, bool) {
	res := e.send(e.ctx, e.options(method, hs, body))
	var hop *trace.Hop
	if n := len(res.Hops); n > 0 {
		hop = &res.Hops[n-1]
		x.Hop = hop
		if hop.Request.Method != "" {
			x.Headers = hop.Request.Headers
		}
	}
	if !e.lnaChecked && hop != nil && hop.Connect != nil && hop.Connect.Address != "" {
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

// checkLNA applies Local Network Access once the target's address is
// known; it reports whether Chromium would block before sending.
func (e *evaluation) checkLNA(hop *trace.Hop) bool {
	block, warn := e.r.lnaFindings(originSpace(e.ctx, e.cfg, e.r.Origin), targetSpace(hop))
	if warn != nil {
		e.rep.Warnings = append(e.rep.Warnings, *warn)
	}
	if block == nil {
		return false
	}
	e.rep.Problems = append(e.rep.Problems, *block)
	e.rep.BlockedBeforeSending = true
	return true
}

// options are the trace options for one request: the user's network
// settings with this request's method, headers and body.
func (e *evaluation) options(method string, hs []trace.Header, body []byte) *trace.Options {
	o := e.cfg.Net
	o.URL, o.Method, o.Headers, o.Body = e.r.URL, method, edits(hs), body
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
	if rep.BlockedBeforeSending {
		rep.Actual.Sent = false
		rep.Actual.NotSent = "Chromium sends nothing: Local Network Access blocks the request before it leaves the browser"
	}
	rep.Problems = append(rep.Problems, rep.Preflight.Problems...)
	rep.Problems = append(rep.Problems, rep.Actual.Problems...)
	e.warnings()
	switch {
	case len(rep.Problems) > 0:
		rep.Verdict = Blocked
		rep.Console = rep.Problems[0].Message
		rep.Fix = e.fix()
	case rep.Err != nil, !rep.Actual.Sent, rep.Actual.Redirect != "":
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
	if m := rep.Preflight.MaxAge; m != nil && *rep.Preflight.Passed {
		add(maxAgeWarning(m))
		add(authorizationWarning(e.r, e.d, rep.Preflight.Hop.Response))
	}
	if a := rep.Actual; a.Sent && a.Passed != nil {
		resp := a.Hop.Response
		if *a.Passed {
			add(varyWarning(resp))
			add(nullWarning(resp))
		} else if !rep.Preflight.Needed && e.r.Method != "GET" && e.r.Method != "HEAD" {
			add(sideEffectWarning(e.r))
		}
	}
}

// fix lists the header lines that make the request pass.
func (e *evaluation) fix() Fix {
	var f Fix
	if e.rep.Preflight.Needed {
		var hs []trace.Header
		if h := e.rep.Preflight.Hop; h != nil && h.Response != nil {
			hs = h.Response.Headers
		}
		f.Preflight = e.r.preflightLines(hs, e.d)
	}
	var hs []trace.Header
	if h := e.rep.Actual.Hop; h != nil && h.Response != nil {
		hs = h.Response.Headers
	}
	f.Actual = e.r.actualLines(hs)
	return f
}

// summary is the verdict in one line.
func (e *evaluation) summary() string {
	rep := e.rep
	switch rep.Verdict {
	case Blocked:
		return "blocked: " + e.blockedWhy()
	case Allowed:
		s := fmt.Sprintf("allowed: script can read the response (status %d)", rep.Actual.Hop.Response.Status)
		if rep.Preflight.Needed {
			s += " after a passing preflight"
		}
		return s
	}
	switch {
	case rep.Err != nil:
		return "unknown: the network failed before the browser's checks could run: " + rep.Err.Message
	case rep.Actual.Redirect != "":
		return fmt.Sprintf("unknown: the response is a %d redirect to %s; it passes the CORS check, and reqtrace does not follow redirects yet", rep.Actual.Hop.Response.Status, rep.Actual.Redirect)
	case rep.Preflight.Needed:
		return "unknown: the preflight passes; the " + rep.Method + " itself was not sent (add --actual), and its response must carry Access-Control-Allow-Origin too"
	}
	return "unknown: no preflight is needed; the " + rep.Method + " was not sent (add --actual), and its response must carry Access-Control-Allow-Origin"
}

// blockedWhy names the first failed check in a few words.
func (e *evaluation) blockedWhy() string {
	rep := e.rep
	if rep.BlockedBeforeSending {
		return "Chromium does not send it at all (Local Network Access: an insecure page may not reach a more private address)"
	}
	for _, x := range []*Exchange{&rep.Preflight.Exchange, &rep.Actual.Exchange} {
		for _, c := range x.Checks {
			if c.Result != Fail {
				continue
			}
			if x == &rep.Preflight.Exchange {
				return failPhrase(c, "the preflight response", e.r) + "; the " + e.r.Method + " is never sent"
			}
			return failPhrase(c, fmt.Sprintf("the %s response (status %d)", e.r.Method, x.Hop.Response.Status), e.r)
		}
	}
	return "see the problems"
}

// failPhrase says what a failed check means, of a response ("where").
func failPhrase(c Check, where string, r *Request) string {
	switch c.Rule {
	case "redirect":
		return where + " is a redirect (" + c.Detail + ")"
	case "allow-origin":
		return where + " does not allow the origin " + r.Origin.String() + " (Access-Control-Allow-Origin: " + c.Detail + ")"
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
