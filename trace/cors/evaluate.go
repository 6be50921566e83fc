package cors

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// checklist collects checks and the problems of the failed ones.
type checklist struct {
	r        *Request
	d        Decision
	stage    string
	resp     *trace.Response
	checks   []Check
	problems []Problem
}

func (c *checklist) pass(rule, title, detail string) {
	c.checks = append(c.checks, Check{Rule: rule, Title: title, Result: Pass, Detail: detail})
}

func (c *checklist) skip(rule, title, detail string) {
	c.checks = append(c.checks, Check{Rule: rule, Title: title, Result: Skip, Detail: detail})
}

func (c *checklist) fail(rule, title, detail, kind, value string) {
	c.checks = append(c.checks, Check{Rule: rule, Title: title, Result: Fail, Detail: detail})
	c.problems = append(c.problems, c.r.problem(c.stage, kind, value, c.resp, c.d))
}

func (c *checklist) passed() *bool { return boolPtr(len(c.problems) == 0) }

// checkPreflight evaluates a preflight response in Chromium's order:
// redirect, Allow-Origin, Allow-Credentials, status, the two lists, the
// method, the headers. The browser reports only the first failure; every
// failure is kept here so that one round of fixes is enough.
func (r *Request) checkPreflight(resp *trace.Response, d Decision) *checklist {
	c := &checklist{r: r, d: d, stage: stagePreflight, resp: resp}
	if loc, ok := r.redirectOf(resp); ok {
		c.fail("redirect", "not a redirect", fmt.Sprintf("%d to %s", resp.Status, loc), kindPreflightRedirect, loc)
		return c // nothing else is looked at
	}
	c.pass("redirect", "not a redirect", "")
	c.accessChecks()
	if okStatus(resp.Status) {
		c.pass("status", "status is 2xx", fmt.Sprint(resp.Status))
	} else {
		c.fail("status", "status is 2xx", fmt.Sprint(resp.Status), kindStatus, "")
	}
	c.methodCheck()
	c.headersCheck()
	return c
}

// checkActual evaluates a response to the actual request: the CORS check
// alone (any status may be shared), then, for a redirect, what Chromium
// checks before following it: the redirect limit and the new location.
// visited are the URLs the chain has requested, this one last.
func (r *Request) checkActual(resp *trace.Response, d Decision, visited []string) *checklist {
	c := &checklist{r: r, d: d, stage: stageActual, resp: resp}
	loc, redirect := r.redirectOf(resp)
	if redirect {
		if ne := r.redirectNetError(resp, loc); ne != "" {
			c.fail("redirect-location", "redirect is one the network stack follows", orMissing(loc), kindNetError, ne)
			return c
		}
	}
	if r.SameOrigin() {
		c.pass("same-origin", "same origin: no CORS check", r.Target.String())
	} else {
		c.accessChecks()
	}
	if redirect && len(c.problems) == 0 {
		c.redirectChecks(loc, visited)
	}
	return c
}

// accessChecks are the CORS check, split into its two rules.
func (c *checklist) accessChecks() {
	acao, _ := headerValue(c.resp.Headers, hACAO)
	origin := c.r.SentOrigin()
	if c.stage == stagePreflight {
		origin = c.r.preflightOrigin() // Firefox: the page's, even once tainted
	}
	f := corsCheck(c.resp.Headers, origin, c.r.Credentials)
	title := "Access-Control-Allow-Origin allows " + origin.String()
	switch {
	case f == nil || f.kind == kindCredentials:
		c.pass("allow-origin", title, acao)
	case f.kind == kindMissing:
		c.fail("allow-origin", title, "missing", f.kind, f.value)
	default:
		c.fail("allow-origin", title, acao, f.kind, f.value)
	}
	const credTitle = "Access-Control-Allow-Credentials is true"
	acac, _ := headerValue(c.resp.Headers, hACAC)
	switch {
	case !c.r.Credentials:
		return
	case f != nil && f.kind == kindCredentials:
		c.fail("allow-credentials", credTitle, orMissing(acac), f.kind, f.value)
	case acac == "true":
		c.pass("allow-credentials", credTitle, acac)
	case f != nil && f.kind != kindWildcard:
		// Chromium stops at the origin; the credentials flag is wrong too.
		c.fail("allow-credentials", credTitle, orMissing(acac), kindCredentials, acac)
	default:
		c.skip("allow-credentials", credTitle, "not reached")
	}
}

func orMissing(v string) string {
	if v == "" {
		return "missing"
	}
	return v
}

// methodCheck parses Allow-Methods and checks the request's method.
func (c *checklist) methodCheck() {
	acam, raw, ok := headerList(c.resp.Headers, hACAM)
	m := c.r.Method
	title := "method " + m + " is allowed"
	switch {
	case !ok:
		c.fail("allow-methods", "Access-Control-Allow-Methods parses", raw, kindMethodsParse, "")
	case safelistedMethod(m):
		c.pass("allow-methods", title, m+" is safelisted")
	case contains(acam, m):
		c.pass("allow-methods", title, raw)
	case contains(acam, "*") && !c.r.Credentials:
		c.pass("allow-methods", title, "* (no credentials)")
	default:
		c.fail("allow-methods", title, orMissing(raw), kindMethod, m)
	}
}

// headersCheck parses Allow-Headers and checks each unsafe header. The
// console names the first refused header in sorted order.
func (c *checklist) headersCheck() {
	acah, raw, ok := headerList(c.resp.Headers, hACAH)
	if !ok {
		c.fail("allow-headers", "Access-Control-Allow-Headers parses", raw, kindHeadersParse, "")
		return
	}
	if len(c.d.Unsafe) == 0 {
		return
	}
	// "*" covers every name without credentials. The standard excludes
	// Authorization; Chromium 156 does not (see authorizationWarning).
	star := contains(acah, "*") && !c.r.Credentials
	var refused []string
	for _, n := range c.d.Unsafe {
		if !containsFold(acah, n) && !star {
			refused = append(refused, n)
		}
	}
	title := "headers " + strings.Join(c.d.Unsafe, ", ") + " are allowed"
	if len(refused) == 0 {
		c.pass("allow-headers", title, raw)
		return
	}
	// With several refused, Chromium names one in an order that depends on
	// its hash tables; reqtrace names the first in sorted order and lists
	// them all in the detail and the fix.
	c.fail("allow-headers", title, "not allowed: "+strings.Join(refused, ", "), kindHeader, refused[0])
}

// redirectChecks look at a redirect the CORS check let through, in
// Chromium's order: the count (the 21st redirect fails), then the
// location's scheme and userinfo.
func (c *checklist) redirectChecks(loc string, visited []string) {
	next, err := parseWebURL(loc, c.r.URL) // redirectNetError refused what does not parse
	if followed := len(visited) - 1; followed >= maxRedirects {
		to := loc
		if err == nil {
			to = next.String()
		}
		detail := fmt.Sprintf("redirect %d, to %s", followed+1, to)
		c.fail("redirect-limit", fmt.Sprintf("at most %d redirects", maxRedirects), detail, kindTooManyRedirects, tooManyCause(next, err, visited))
		return
	}
	switch {
	case err != nil:
		c.fail("redirect-location", "redirect target is usable", loc, kindNetError, "net::ERR_INVALID_REDIRECT")
	case next.Scheme != "http" && next.Scheme != "https":
		// Chromium names the new URL in this message, as the one fetched.
		c.checks = append(c.checks, Check{Rule: "redirect-location", Title: "redirect target is http(s)", Result: Fail, Detail: next.String()})
		c.problems = append(c.problems, c.r.redirected(c.resp.Status, next).problem(stageActual, kindRedirectScheme, next.Scheme, c.resp, c.d))
	case next.User != nil && !c.r.Origin.Same(URLOrigin(next)):
		c.fail("redirect-location", "redirect target has no user:password@", next.String(), kindRedirectUserinfo, next.String())
	case next.User != nil && !c.r.firefox():
		c.fail("redirect-location", "redirect target has no user:password@", next.String(), kindRedirectUserinfoSilent, next.String())
	default:
		c.pass("redirect-location", "redirect target is http(s), without user:password@", redirectNote(c.r, next))
	}
}

// redirectNote says where the browser goes next and what changes.
func redirectNote(r *Request, next *url.URL) string {
	note := "to " + next.String()
	switch {
	case r.Tainted:
		note += " (Origin stays null)"
	case URLOrigin(next).Same(r.Target):
	case r.SameOrigin():
		note += " (another origin: CORS applies from there on)"
	default:
		note += " (another origin: from there on the browser sends Origin: null)"
	}
	return note
}

// tooManyCause tells a loop from a long chain.
func tooManyCause(next *url.URL, err error, visited []string) string {
	if err == nil && slices.Contains(visited, next.String()) {
		return "the redirects loop: " + next.String() + " was requested before; check the redirect rules (http to https and back, a trailing slash added and removed, a login page that redirects to itself)"
	}
	return fmt.Sprintf("the chain is longer than %d redirects: link to the final URL", maxRedirects)
}
