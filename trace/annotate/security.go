package annotate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// Score is an Observatory-style grade of a response's security headers,
// modelled on MDN HTTP Observatory (algorithm 6): start at 100, apply each
// test's modifier (bonuses only count when the penalties alone leave at
// least 90), floor at 0. Tests that need more than one response's headers
// (redirection, subresource integrity, CORS) are not included.
type Score struct {
	Score int    // 0 or more; above 100 with bonuses
	Grade string // A+ to F
	Tests []ScoreTest
}

// ScoreTest is one test's outcome.
type ScoreTest struct {
	Name   string // the header or topic tested, e.g. "content-security-policy"
	Result string // Observatory-style outcome, e.g. "csp-implemented-with-unsafe-inline"
	Pass   bool   // no penalty
	Points int    // the modifier applied (before the bonus rule)
	Why    string // one plain sentence
}

// Observatory test names.
const (
	TestCSP      = "content-security-policy"
	TestCookies  = "cookies"
	TestReferrer = "referrer-policy"
	TestHSTS     = "strict-transport-security"
	TestXCTO     = "x-content-type-options"
	TestFrame    = "x-frame-options"
	TestCORP     = "cross-origin-resource-policy"
	TestCOOP     = "cross-origin-opener-policy"
	TestCOEP     = "cross-origin-embedder-policy"
)

// check is one evaluated header: its score outcome and its note.
type check struct {
	test    ScoreTest
	id      string // note ID
	level   string
	subject string
	msg     string
}

func (c check) note() trace.Note {
	return note(c.id, trace.NoteSecurity, c.level, c.subject, "%s", c.msg)
}

// SecurityScore grades headers (one response's) the way MDN HTTP
// Observatory does; https says whether the response came over TLS (HSTS
// and Secure cookies depend on it).
func SecurityScore(headers []trace.Header, https bool) Score {
	h := fields(headers)
	csp := analyseCSP(h)
	hsts := checkHSTS(h, https)
	checks := []check{
		checkCSP(csp),
		checkCookiesScore(h, https, hsts.test.Pass),
		checkReferrer(h),
		hsts,
		checkXCTO(h),
		checkFrame(h, csp),
		checkCORP(h),
		checkCOOP(h),
		checkCOEP(h),
	}
	s := Score{}
	penalties, bonuses := 0, 0
	for _, c := range checks {
		s.Tests = append(s.Tests, c.test)
		if c.test.Points < 0 {
			penalties += c.test.Points
		} else {
			bonuses += c.test.Points
		}
	}
	s.Score = 100 + penalties
	if s.Score >= 90 {
		s.Score += bonuses
	}
	s.Score = max(0, s.Score)
	s.Grade = grade(s.Score)
	return s
}

// grade maps a score to a letter (Observatory's chart): the score is
// rounded down to a multiple of 5 and capped at 100.
func grade(score int) string {
	s := min(100, score-score%5)
	switch {
	case s >= 100:
		return "A+"
	case s >= 90:
		return "A"
	case s >= 85:
		return "A-"
	case s >= 80:
		return "B+"
	case s >= 70:
		return "B"
	case s >= 65:
		return "B-"
	case s >= 60:
		return "C+"
	case s >= 50:
		return "C"
	case s >= 45:
		return "C-"
	case s >= 40:
		return "D+"
	case s >= 30:
		return "D"
	case s >= 25:
		return "D-"
	}
	return "F"
}

// securityNotes evaluates the security headers of a response. Page-level
// headers only matter for HTML documents; HSTS only over https.
func securityNotes(x *exchange) []trace.Note {
	var notes []trace.Note
	ct := mediaType(x.resp.value("Content-Type"))
	html := ct == "text/html" || ct == "application/xhtml+xml"
	redirect := x.status >= 300 && x.status < 400
	csp := analyseCSP(x.resp)
	if x.status == 304 {
		// A 304 only updates the stored response's headers; missing
		// headers here say nothing about the page.
		return []trace.Note{note("security.score", trace.NoteSecurity, trace.LevelInfo, "security headers",
			"Not graded: a 304 only refreshes the cached response; the full 200 response is what counts.")}
	}

	notes = append(notes, hstsNote(x))
	if !redirect && x.status != 204 {
		notes = append(notes, checkXCTO(x.resp).note())
	}
	if html && !redirect {
		notes = append(notes, checkCSP(csp).note(), checkFrame(x.resp, csp).note(),
			checkReferrer(x.resp).note(), permissionsNote(x.resp), checkCOOP(x.resp).note())
		if x.resp.has("Cross-Origin-Embedder-Policy") {
			notes = append(notes, checkCOEP(x.resp).note())
		}
	}
	if x.resp.has("Cross-Origin-Resource-Policy") {
		notes = append(notes, checkCORP(x.resp).note())
	}
	notes = append(notes, disclosureNotes(x.resp)...)
	return append(notes, scoreNote(x, html, redirect))
}

// scoreNote grades HTML pages with a gradeable status and says why others
// are not graded.
func scoreNote(x *exchange, html, redirect bool) trace.Note {
	const id, subj = "security.score", "security headers"
	graded := x.status >= 200 && x.status < 300 || x.status == 401 || x.status == 403
	switch {
	case redirect:
		return note(id, trace.NoteSecurity, trace.LevelInfo, subj,
			"Not graded: this is a redirect; the page it leads to is what the Observatory-style score is about.")
	case !graded:
		return note(id, trace.NoteSecurity, trace.LevelInfo, subj,
			"Not graded: the Observatory-style score covers 2xx, 401 and 403 responses, not %d.", x.status)
	case !html:
		ct := mediaType(x.resp.value("Content-Type"))
		if ct == "" {
			ct = "no Content-Type"
		}
		return note(id, trace.NoteSecurity, trace.LevelInfo, subj,
			"Not graded: this is %s, not an HTML page, so page-level headers (CSP, framing, Referrer-Policy, Permissions-Policy, COOP) do not apply.", clip(ct, 60))
	}
	s := SecurityScore(x.hop.Response.Headers, x.https)
	var failed []string
	for _, t := range s.Tests {
		if !t.Pass {
			failed = append(failed, fmt.Sprintf("%s %d", t.Name, t.Points))
		}
	}
	level := trace.LevelGood
	switch {
	case strings.HasPrefix(s.Grade, "F"):
		level = trace.LevelBad
	case strings.HasPrefix(s.Grade, "C"), strings.HasPrefix(s.Grade, "D"):
		level = trace.LevelWarn
	case strings.HasPrefix(s.Grade, "B"):
		level = trace.LevelInfo
	}
	msg := fmt.Sprintf("Observatory-style score %d/100, grade %s", s.Score, s.Grade)
	if len(failed) > 0 {
		msg += "; points lost on " + strings.Join(failed, ", ")
	} else {
		msg += "; every header test passed"
	}
	return note(id, trace.NoteSecurity, level, subj, "%s (redirection and SRI are not scored here).", msg)
}

// ---- Strict-Transport-Security -------------------------------------------

// hsts is a parsed Strict-Transport-Security value.
type hsts struct {
	maxAge            int64
	includeSubDomains bool
	preload           bool
	valid             bool
}

// parseHSTS follows RFC 6797, Section 6.1: max-age is required, directive
// names are case-insensitive and may not repeat.
func parseHSTS(v string) hsts {
	var h hsts
	seen := map[string]bool{}
	hasMaxAge := false
	for _, d := range splitQuoted(v, ';') {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if seen[name] {
			return hsts{}
		}
		seen[name] = true
		switch name {
		case "max-age":
			n, ok := deltaSeconds(unquote(strings.TrimSpace(val)))
			if !ok {
				return hsts{}
			}
			h.maxAge, hasMaxAge = n, true
		case "includesubdomains":
			h.includeSubDomains = true
		case "preload":
			h.preload = true
		}
	}
	if !hasMaxAge {
		return hsts{}
	}
	h.valid = true
	return h
}

// hstsSixMonths is the Observatory's threshold (15552000 s, 180 days).
const hstsSixMonths = 15552000

func checkHSTS(f fields, https bool) check {
	c := check{id: "security.hsts", subject: "Strict-Transport-Security"}
	v, ok := f.get("Strict-Transport-Security")
	h := parseHSTS(v)
	switch {
	case !https:
		c.test = ScoreTest{TestHSTS, "hsts-not-implemented-no-https", false, -20, "HSTS needs https"}
		c.level, c.msg = trace.LevelWarn, "Plain http: HSTS can only be set over https, and nothing stops this exchange being read or changed in transit."
	case !ok:
		c.test = ScoreTest{TestHSTS, "hsts-not-implemented", false, -20, "no Strict-Transport-Security header"}
		c.level, c.msg = trace.LevelWarn, "No Strict-Transport-Security: a visitor typing the bare host name first connects over http, where the request can be intercepted. Send max-age=31536000; includeSubDomains."
	case !h.valid:
		c.test = ScoreTest{TestHSTS, "hsts-header-invalid", false, -20, "the header does not parse"}
		c.level, c.msg = trace.LevelBad, fmt.Sprintf("Strict-Transport-Security %q is invalid (max-age missing or malformed, or a directive repeated), so browsers ignore it.", clip(v, 80))
	case h.maxAge == 0:
		c.test = ScoreTest{TestHSTS, "hsts-implemented-max-age-less-than-six-months", false, -10, "max-age=0"}
		c.level, c.msg = trace.LevelWarn, "Strict-Transport-Security max-age=0 tells browsers to forget HSTS for this host."
	case h.maxAge < hstsSixMonths:
		c.test = ScoreTest{TestHSTS, "hsts-implemented-max-age-less-than-six-months", false, -10, "max-age under six months"}
		c.level, c.msg = trace.LevelWarn, fmt.Sprintf("HSTS is on, but max-age=%d (%s) is under six months; use at least 15552000, ideally 31536000 (a year).", h.maxAge, human(secDur(h.maxAge)))
	default:
		c.test = ScoreTest{TestHSTS, "hsts-implemented-max-age-at-least-six-months", true, 0, "max-age at least six months"}
		extras := []string{}
		if h.includeSubDomains {
			extras = append(extras, "includeSubDomains")
		}
		if h.preload {
			extras = append(extras, "preload requested (whether the host is on the preload list cannot be checked offline)")
		}
		c.level = trace.LevelGood
		c.msg = fmt.Sprintf("HSTS is on: browsers will use https only for %s", human(secDur(h.maxAge)))
		if len(extras) > 0 {
			c.msg += "; " + strings.Join(extras, ", ")
		}
		c.msg += "."
		if !h.includeSubDomains {
			c.msg += " Add includeSubDomains to cover subdomains too."
		}
	}
	return c
}

// hstsNote adapts the HSTS check to the hop: over http, a redirect to https
// is the right first step, and an HSTS header is ignored.
func hstsNote(x *exchange) trace.Note {
	if !x.https {
		if x.resp.has("Strict-Transport-Security") {
			return note("security.hsts", trace.NoteSecurity, trace.LevelWarn, "Strict-Transport-Security",
				"Browsers ignore Strict-Transport-Security received over plain http; send it on the https responses.")
		}
		if loc, ok := x.resp.get("Location"); ok && x.status >= 300 && x.status < 400 && hasPrefixFold(loc, "https:") {
			return note("security.hsts", trace.NoteSecurity, trace.LevelInfo, "Strict-Transport-Security",
				"This http request is redirected to https, as it should be; HSTS on the https responses lets browsers skip this insecure first step.")
		}
	}
	return checkHSTS(x.resp, x.https).note()
}

func secDur(s int64) time.Duration { return time.Duration(s) * time.Second }

// ---- Content-Security-Policy ----------------------------------------------

// cspPolicy maps directive names (lower case) to their source lists
// (lower case); the first occurrence of a directive wins.
type cspPolicy map[string][]string

func parseCSPPolicy(v string) cspPolicy {
	p := cspPolicy{}
	for _, d := range strings.Split(v, ";") {
		fs := strings.Fields(d)
		if len(fs) == 0 {
			continue
		}
		name := strings.ToLower(fs[0])
		if _, dup := p[name]; dup {
			continue
		}
		srcs := make([]string, 0, len(fs)-1)
		for _, s := range fs[1:] {
			srcs = append(srcs, strings.ToLower(s))
		}
		p[name] = srcs
	}
	return p
}

// csp is what the enforced policies allow, taken together: a capability is
// allowed only if every policy allows it.
type csp struct {
	present, reportOnly                    bool
	scriptUnrestricted, inlineScript, eval bool
	broadScript                            bool // *, http:, https:, data: in script-src
	objectUnrestricted                     bool
	httpSources, httpPassiveOnly           bool
	inlineStyle                            bool
	frameAncestors                         bool
	defaultNone, formActionRestricted      bool
}

func analyseCSP(f fields) csp {
	var policies []cspPolicy
	for _, v := range f.all("Content-Security-Policy") {
		for _, p := range strings.Split(v, ",") {
			if strings.TrimSpace(p) != "" {
				policies = append(policies, parseCSPPolicy(p))
			}
		}
	}
	c := csp{reportOnly: f.has("Content-Security-Policy-Report-Only"), present: len(policies) > 0}
	if !c.present {
		return c
	}
	// all reports whether every policy's effective list for directive
	// (falling back to default-src) satisfies pred; nil means unrestricted.
	all := func(directive string, pred func([]string) bool) bool {
		for _, p := range policies {
			srcs, ok := p[directive]
			if !ok && directive != "frame-ancestors" && directive != "form-action" && directive != "base-uri" {
				srcs, ok = p["default-src"]
			}
			if !ok {
				srcs = nil
			}
			if !pred(srcs) {
				return false
			}
		}
		return true
	}
	has := func(srcs []string, s string) bool { return slices.Contains(srcs, s) }
	hasNonceOrHash := func(srcs []string) bool {
		return slices.ContainsFunc(srcs, func(s string) bool {
			return strings.HasPrefix(s, "'nonce-") || strings.HasPrefix(s, "'sha256-") ||
				strings.HasPrefix(s, "'sha384-") || strings.HasPrefix(s, "'sha512-")
		})
	}
	c.scriptUnrestricted = all("script-src", func(s []string) bool { return s == nil })
	c.inlineScript = all("script-src", func(s []string) bool {
		return s == nil || has(s, "'unsafe-inline'") && !hasNonceOrHash(s) && !has(s, "'strict-dynamic'")
	})
	c.eval = all("script-src", func(s []string) bool { return s == nil || has(s, "'unsafe-eval'") })
	c.broadScript = all("script-src", func(s []string) bool {
		if s == nil {
			return true
		}
		if has(s, "'strict-dynamic'") {
			return false
		}
		return has(s, "*") || has(s, "http:") || has(s, "https:") || has(s, "data:")
	})
	c.objectUnrestricted = all("object-src", func(s []string) bool { return s == nil || has(s, "*") })
	c.inlineStyle = all("style-src", func(s []string) bool { return has(s, "'unsafe-inline'") })
	c.frameAncestors = !all("frame-ancestors", func(s []string) bool { return s == nil })
	c.formActionRestricted = !all("form-action", func(s []string) bool { return !(has(s, "'none'") || has(s, "'self'")) })
	c.defaultNone = slices.ContainsFunc(policies, func(p cspPolicy) bool {
		d := p["default-src"]
		return len(d) == 1 && d[0] == "'none'"
	})
	active, passive := false, false
	for _, p := range policies {
		for name, srcs := range p {
			for _, s := range srcs {
				if strings.HasPrefix(s, "http:") {
					if name == "img-src" || name == "media-src" {
						passive = true
					} else {
						active = true
					}
				}
			}
		}
	}
	c.httpSources, c.httpPassiveOnly = active, passive && !active
	return c
}

func checkCSP(c csp) check {
	ch := check{id: "security.csp", subject: "Content-Security-Policy"}
	set := func(result string, pass bool, points int, level, msg string) check {
		ch.test = ScoreTest{TestCSP, result, pass, points, msg}
		ch.level, ch.msg = level, msg
		return ch
	}
	switch {
	case !c.present && c.reportOnly:
		return set("csp-not-implemented-but-reporting-enabled", false, -25, trace.LevelWarn,
			"Only Content-Security-Policy-Report-Only is sent: violations are reported but nothing is blocked. Enforce it once the reports are clean.")
	case !c.present:
		return set("csp-not-implemented", false, -25, trace.LevelWarn,
			"No Content-Security-Policy: nothing limits where scripts come from, so an XSS bug can run anything. Start with default-src 'self'; object-src 'none'; base-uri 'none'.")
	case c.scriptUnrestricted:
		return set("csp-implemented-with-unsafe-inline", false, -20, trace.LevelWarn,
			"The Content-Security-Policy has neither script-src nor default-src, so it does not restrict scripts at all.")
	case c.inlineScript:
		return set("csp-implemented-with-unsafe-inline", false, -20, trace.LevelWarn,
			"The Content-Security-Policy allows inline scripts ('unsafe-inline' in script-src without a nonce or hash), which defeats most of its XSS protection.")
	case c.broadScript:
		return set("csp-implemented-with-unsafe-inline", false, -20, trace.LevelWarn,
			"script-src allows any host or scheme (*, https:, http: or data:), so an attacker can load script from a server they control. List the hosts, or use nonces with 'strict-dynamic'.")
	case c.objectUnrestricted:
		return set("csp-implemented-with-unsafe-inline", false, -20, trace.LevelWarn,
			"The Content-Security-Policy leaves plugins unrestricted (no object-src or default-src); add object-src 'none'.")
	case c.httpSources:
		return set("csp-implemented-with-insecure-scheme", false, -20, trace.LevelWarn,
			"The Content-Security-Policy allows http: sources, which can be replaced in transit. Use https: sources only.")
	case c.eval:
		return set("csp-implemented-with-unsafe-eval", false, -10, trace.LevelWarn,
			"The Content-Security-Policy allows eval() ('unsafe-eval' in script-src), which turns injected strings into code.")
	case c.httpPassiveOnly:
		return set("csp-implemented-with-insecure-scheme-in-passive-content-only", false, -10, trace.LevelInfo,
			"The Content-Security-Policy allows images or media over http:, which leaks what the page shows and can be swapped in transit.")
	case c.inlineStyle:
		return set("csp-implemented-with-unsafe-inline-in-style-src-only", true, 0, trace.LevelGood,
			"The Content-Security-Policy restricts scripts; only styles may be inline ('unsafe-inline' in style-src), which is a small risk.")
	case c.defaultNone && c.formActionRestricted:
		return set("csp-implemented-with-no-unsafe-default-src-none", true, 10, trace.LevelGood,
			"Strict Content-Security-Policy: default-src 'none', restricted form-action and no unsafe sources.")
	}
	return set("csp-implemented-with-no-unsafe", true, 5, trace.LevelGood,
		"The Content-Security-Policy restricts scripts with no unsafe-inline or unsafe-eval.")
}

// ---- X-Content-Type-Options ------------------------------------------------

func checkXCTO(f fields) check {
	c := check{id: "security.xcto", subject: "X-Content-Type-Options"}
	v, ok := f.get("X-Content-Type-Options")
	switch {
	case !ok:
		c.test = ScoreTest{TestXCTO, "x-content-type-options-not-implemented", false, -5, "missing"}
		c.level, c.msg = trace.LevelWarn, "No X-Content-Type-Options: nosniff, so browsers may guess the type of this content and run a JSON or text file as script. Add it."
	case !strings.EqualFold(strings.TrimSpace(strings.Split(v, ",")[0]), "nosniff"):
		c.test = ScoreTest{TestXCTO, "x-content-type-options-header-invalid", false, -5, "not nosniff"}
		c.level, c.msg = trace.LevelWarn, fmt.Sprintf("X-Content-Type-Options %q is invalid; the only value is nosniff.", clip(v, 40))
	default:
		c.test = ScoreTest{TestXCTO, "x-content-type-options-nosniff", true, 0, "nosniff"}
		c.level, c.msg = trace.LevelGood, "X-Content-Type-Options: nosniff: browsers trust Content-Type instead of guessing."
	}
	return c
}

// ---- X-Frame-Options / frame-ancestors -------------------------------------

func checkFrame(f fields, c csp) check {
	ch := check{id: "security.frame", subject: "X-Frame-Options"}
	v, ok := f.get("X-Frame-Options")
	vals := map[string]bool{}
	for _, e := range f.list("X-Frame-Options") {
		vals[strings.ToUpper(e)] = true
	}
	single := ""
	if len(vals) == 1 {
		for k := range vals {
			single = k
		}
	}
	switch {
	case c.frameAncestors:
		ch.subject = "Content-Security-Policy"
		ch.test = ScoreTest{TestFrame, "x-frame-options-implemented-via-csp", true, 5, "CSP frame-ancestors"}
		ch.level, ch.msg = trace.LevelGood, "CSP frame-ancestors decides who may frame this page (it overrides X-Frame-Options), which protects against clickjacking."
	case !ok:
		ch.test = ScoreTest{TestFrame, "x-frame-options-not-implemented", false, -20, "missing"}
		ch.level, ch.msg = trace.LevelWarn, "Neither X-Frame-Options nor CSP frame-ancestors: any site can embed this page in a frame (clickjacking). Send frame-ancestors 'self' or X-Frame-Options: DENY."
	case single == "DENY" || single == "SAMEORIGIN":
		ch.test = ScoreTest{TestFrame, "x-frame-options-sameorigin-or-deny", true, 5, single}
		ch.level, ch.msg = trace.LevelGood, fmt.Sprintf("X-Frame-Options: %s stops other sites from framing this page (clickjacking).", single)
	case strings.HasPrefix(single, "ALLOW-FROM"):
		ch.test = ScoreTest{TestFrame, "x-frame-options-allow-from-origin", true, 0, "ALLOW-FROM"}
		ch.level, ch.msg = trace.LevelWarn, "X-Frame-Options: ALLOW-FROM is ignored by current browsers, so the page can be framed by anyone. Use CSP frame-ancestors."
	default:
		ch.test = ScoreTest{TestFrame, "x-frame-options-header-invalid", false, -20, "invalid"}
		ch.level, ch.msg = trace.LevelWarn, fmt.Sprintf("X-Frame-Options %q is not DENY or SAMEORIGIN, so browsers ignore it.", clip(v, 40))
	}
	return ch
}

// ---- Referrer-Policy --------------------------------------------------------

func checkReferrer(f fields) check {
	c := check{id: "security.referrer", subject: "Referrer-Policy"}
	good := []string{"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
	weak := []string{"origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"}
	// Browsers use the last value they recognise.
	policy, seen := "", false
	for _, v := range f.list("Referrer-Policy") {
		seen = true
		if l := strings.ToLower(v); slices.Contains(good, l) || slices.Contains(weak, l) {
			policy = l
		}
	}
	switch {
	case !seen:
		c.test = ScoreTest{TestReferrer, "referrer-policy-not-implemented", true, 0, "missing"}
		c.level, c.msg = trace.LevelInfo, "No Referrer-Policy: browsers default to strict-origin-when-cross-origin, which is reasonable; set it explicitly to be sure."
	case policy == "":
		c.test = ScoreTest{TestReferrer, "referrer-policy-header-invalid", false, -5, "invalid"}
		c.level, c.msg = trace.LevelWarn, "Referrer-Policy has no value browsers recognise, so they ignore it."
	case slices.Contains(good, policy):
		c.test = ScoreTest{TestReferrer, "referrer-policy-private", true, 5, policy}
		c.level, c.msg = trace.LevelGood, fmt.Sprintf("Referrer-Policy: %s keeps full URLs (paths, query strings) from leaking to other sites.", policy)
	default:
		c.test = ScoreTest{TestReferrer, "referrer-policy-unsafe", false, -5, policy}
		c.level, c.msg = trace.LevelWarn, fmt.Sprintf("Referrer-Policy: %s sends more of the URL to other sites than needed (unsafe-url even the full path and query). Use strict-origin-when-cross-origin.", policy)
	}
	return c
}

// ---- Permissions-Policy ------------------------------------------------------

func permissionsNote(f fields) trace.Note {
	const id, subj = "security.permissions", "Permissions-Policy"
	if v, ok := f.get("Permissions-Policy"); ok {
		if strings.TrimSpace(v) == "" {
			return note(id, trace.NoteSecurity, trace.LevelWarn, subj, "Permissions-Policy is empty, so it restricts nothing.")
		}
		n := len(f.list("Permissions-Policy"))
		return note(id, trace.NoteSecurity, trace.LevelGood, subj,
			"Permissions-Policy sets %d feature rule(s) (camera, geolocation, ...), limiting what this page and its frames may use.", n)
	}
	if f.has("Feature-Policy") {
		return note(id, trace.NoteSecurity, trace.LevelInfo, subj,
			"Only the old Feature-Policy is sent; current browsers read Permissions-Policy instead.")
	}
	return note(id, trace.NoteSecurity, trace.LevelInfo, subj,
		"No Permissions-Policy: powerful features (camera, microphone, geolocation) keep their default rules. Send one to switch off what the page does not use.")
}

// ---- Cross-origin policies ---------------------------------------------------

// policyValue is the value of a structured policy header without its
// parameters ("same-origin;report-to=x" → "same-origin").
func policyValue(v string) string {
	v, _, _ = strings.Cut(v, ";")
	return strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`))
}

func crossOriginCheck(f fields, header, test, id string, good, neutral []string, goodMsg, missingMsg string) check {
	c := check{id: id, subject: header}
	v, ok := f.get(header)
	val := policyValue(v)
	switch {
	case !ok:
		c.test = ScoreTest{test, test + "-not-implemented", true, 0, "missing"}
		c.level, c.msg = trace.LevelInfo, missingMsg
	case slices.Contains(good, val):
		c.test = ScoreTest{test, test + "-implemented-with-" + val, true, 10, val}
		c.level, c.msg = trace.LevelGood, fmt.Sprintf("%s: %s %s", header, val, goodMsg)
	case slices.Contains(neutral, val):
		c.test = ScoreTest{test, test + "-implemented-with-" + val, true, 0, val}
		c.level, c.msg = trace.LevelInfo, fmt.Sprintf("%s: %s is the permissive default; it adds no protection.", header, val)
	default:
		c.test = ScoreTest{test, test + "-header-invalid", false, -5, "invalid"}
		c.level, c.msg = trace.LevelWarn, fmt.Sprintf("%s %q is not a value browsers know, so they ignore it.", header, clip(v, 40))
	}
	return c
}

func checkCOOP(f fields) check {
	return crossOriginCheck(f, "Cross-Origin-Opener-Policy", TestCOOP, "security.coop",
		[]string{"same-origin", "same-origin-allow-popups", "noopener-allow-popups"}, []string{"unsafe-none"},
		"separates this page's window from cross-origin pages it opens or is opened by (no window.opener tricks, less Spectre exposure).",
		"No Cross-Origin-Opener-Policy: cross-origin pages this one opens, or that open it, keep a window reference to it. same-origin isolates it.")
}

func checkCOEP(f fields) check {
	return crossOriginCheck(f, "Cross-Origin-Embedder-Policy", TestCOEP, "security.coep",
		[]string{"require-corp", "credentialless"}, []string{"unsafe-none"},
		"only loads cross-origin resources that opt in; with COOP same-origin the page becomes cross-origin isolated.",
		"No Cross-Origin-Embedder-Policy: only needed for cross-origin isolation (SharedArrayBuffer, precise timers).")
}

func checkCORP(f fields) check {
	return crossOriginCheck(f, "Cross-Origin-Resource-Policy", TestCORP, "security.corp",
		[]string{"same-origin", "same-site"}, []string{"cross-origin"},
		"stops other sites from embedding this resource (and reading it via Spectre-style side channels).",
		"No Cross-Origin-Resource-Policy: other sites may embed this resource.")
}

// ---- Cookies (score only; the notes come from cookies.go) ------------------

func checkCookiesScore(f fields, https, hstsOn bool) check {
	c := check{subject: "Set-Cookie"} // scored only; cookies.go writes the notes
	var cookies []Cookie
	for _, v := range f.all("Set-Cookie") {
		if ck, err := ParseSetCookie(v); err == nil {
			cookies = append(cookies, ck)
		}
	}
	if len(cookies) == 0 {
		c.test = ScoreTest{TestCookies, "cookies-not-found", true, 0, "no cookies"}
		return c
	}
	type outcome struct {
		result string
		points int
		why    string
	}
	worst := outcome{"cookies-secure-with-httponly-sessions-and-samesite", 5, "all cookies Secure, sessions HttpOnly, SameSite set"}
	consider := func(o outcome) {
		if o.points < worst.points {
			worst = o
		}
	}
	allSameSite := true
	for _, ck := range cookies {
		session := sessionLike(ck.Name)
		secure := ck.Secure && https
		if ck.SameSite == "" {
			allSameSite = false
		}
		switch {
		case session && !secure && hstsOn:
			consider(outcome{"cookies-session-without-secure-flag-but-protected-by-hsts", -10, "session cookie without Secure (HSTS mitigates)"})
		case session && !secure:
			consider(outcome{"cookies-session-without-secure-flag", -40, "session cookie without Secure"})
		case !secure && hstsOn:
			consider(outcome{"cookies-without-secure-flag-but-protected-by-hsts", -5, "cookie without Secure (HSTS mitigates)"})
		case !secure:
			consider(outcome{"cookies-without-secure-flag", -20, "cookie without Secure"})
		}
		if session && !ck.HttpOnly {
			consider(outcome{"cookies-session-without-httponly-flag", -30, "session cookie without HttpOnly"})
		}
		if ck.SameSiteRaw != "" || ck.SameSite == "None" && !ck.Secure {
			consider(outcome{"cookies-samesite-flag-invalid", -20, "SameSite invalid, or None without Secure"})
		}
		if strings.Contains(strings.ToLower(ck.Name), "csrf") && ck.SameSite == "" {
			consider(outcome{"cookies-anticsrf-without-samesite-flag", -20, "anti-CSRF cookie without SameSite"})
		}
	}
	if worst.points == 5 && !allSameSite {
		worst = outcome{"cookies-secure-with-httponly-sessions", 0, "Secure and HttpOnly sessions, but not all cookies set SameSite"}
	}
	c.test = ScoreTest{TestCookies, worst.result, worst.points >= 0, worst.points, worst.why}
	return c
}

// ---- Disclosure ---------------------------------------------------------------

// versionRE finds a version number: "nginx/1.25.3", "PHP/8.1", "4.0.30319".
var versionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d+\.\d+|/\d`) })

// disclosureNotes flags headers that reveal software versions.
func disclosureNotes(f fields) []trace.Note {
	var notes []trace.Note
	for _, name := range []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator"} {
		v, ok := f.get(name)
		if !ok || v == "" {
			continue
		}
		switch {
		case versionRE().MatchString(v) || strings.HasPrefix(name, "X-AspNet"):
			notes = append(notes, note("security.disclosure", trace.NoteSecurity, trace.LevelWarn, name,
				"%s: %s reveals the software version, which tells attackers which known vulnerabilities to try. Remove it or drop the version.", name, strconv.Quote(clip(v, 60))))
		case name != "Server":
			notes = append(notes, note("security.disclosure", trace.NoteSecurity, trace.LevelInfo, name,
				"%s: %s names the framework behind the site; it serves no client and can be removed.", name, strconv.Quote(clip(v, 60))))
		}
	}
	return notes
}
