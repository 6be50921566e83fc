package cors

import (
	"fmt"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// stage names the exchange a problem belongs to; it prefixes rule names.
const (
	stagePreflight = "preflight"
	stageActual    = "actual"
)

// problem builds the Problem for a failure: the console line, the header
// line that fixes it and the usual cause.
func (r *Request) problem(stage, kind, value string, resp *trace.Response, d Decision) Problem {
	fix, cause := r.fixFor(stage, kind, value, resp, d)
	return Problem{
		Rule:    stage + "." + kind,
		Message: r.console(stage == stagePreflight, kind, value),
		Fix:     fix,
		Cause:   cause,
	}
}

func (r *Request) fixFor(stage, kind, value string, resp *trace.Response, d Decision) (fix, cause string) {
	origin := r.Origin.String()
	if r.Tainted && (kind == kindMissing || kind == kindMismatch || kind == kindWildcard) {
		// The page's origin is not what the server is asked about any more.
		return r.missingFix(stage, d), r.taintedCause()
	}
	switch kind {
	case kindMissing:
		return r.missingFix(stage, d), missingCause(stage, resp)
	case kindWildcard:
		return "echo the page's origin instead of *: " + originLines(origin, true),
			"'*' is refused when the request carries credentials (cookies, HTTP authentication); or drop credentials: \"include\" if the request needs none"
	case kindMultiple:
		return "send exactly one value: Access-Control-Allow-Origin: " + origin, multipleCause(resp)
	case kindInvalid:
		return "send the origin as scheme://host[:port]: Access-Control-Allow-Origin: " + origin,
			"the value is not an origin at all (a host without a scheme, a pattern such as *.example.com?): browsers compare it byte for byte"
	case kindMismatch:
		return "send Access-Control-Allow-Origin: " + origin + " for this origin", mismatchHint(value, r.Origin)
	case kindCredentials:
		return "send Access-Control-Allow-Credentials: true (exactly: lower case, no quotes)", credentialsCause(value)
	case kindStatus:
		return "answer the preflight with 204 No Content (or 200) and the CORS headers", statusCause(resp.Status)
	case kindPreflightRedirect:
		return "answer OPTIONS at this URL without redirecting, or call the final URL (" + value + ") directly", redirectCause(r.URL.String(), value)
	case kindMethodsParse, kindHeadersParse:
		return "write it as a comma-separated list of names, e.g. " + r.methodsLine(nil),
			"a value that is not a list of tokens (quotes, slashes, spaces inside a name) makes the browser reject the whole header"
	case kindMethod:
		return "send " + r.methodsLine(resp.Headers), methodCause(r.Method, resp.Headers, r.Credentials)
	case kindHeader:
		return "send " + r.headersLine(resp.Headers, d), headerCause(value, resp.Headers, r.Credentials)
	case kindRedirectUserinfo:
		return "redirect to a URL without user:password@", "credentials in a redirect target are refused for cross-origin requests"
	case kindRedirectScheme:
		return "redirect only to http: or https: URLs", "a cross-origin request may only be redirected to http(s)"
	case kindRedirectUserinfoSilent:
		return "redirect to a URL without user:password@", "Chromium rejects the fetch() without a console message when a redirect, even one within the page's origin, carries credentials in the URL; the Fetch standard (and Firefox) refuse them only across origins"
	case kindNetError:
		return netErrorFix(value)
	case kindLNAInsecure:
		return "serve the page over HTTPS: from a secure context Chromium asks the user for Local Network Access permission instead of blocking",
			"Chromium (142+) blocks requests from a less private address space (a public page) to a private or loopback address unless the page is a secure context and the user allows it"
	case kindTooManyRedirects:
		return "let a URL of the chain answer without redirecting, within 20 redirects: past that fetch() rejects with a TypeError and the console shows no CORS message", value
	}
	return "", ""
}

// netErrorFix says how to repair a redirect the network stack refuses.
func netErrorFix(name string) (fix, cause string) {
	switch name {
	case "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION":
		return "send exactly one Location header", "the response has several different Location headers (often the app and a proxy both redirect): the browser fails the request rather than pick one"
	case "net::ERR_INVALID_REDIRECT":
		return "send a Location that is a valid URL: percent-encode odd characters, a port from 1 to 65535, IPv6 addresses in brackets", "the Location does not parse as a URL, so there is nowhere to go: fetch() rejects with a TypeError and the console shows no CORS message"
	case "net::ERR_UNSAFE_REDIRECT":
		return "redirect only to http: or https: URLs", "browsers never follow a redirect to data:, file:, blob: or javascript: URLs; fetch() rejects with a TypeError"
	}
	return "send a Location without tabs or line breaks", "Firefox 153 fails a redirect whose Location holds a tab or line break (the URL standard, and Chromium, strip them)"
}

// taintedCause explains a failure after a redirect to another origin,
// where the browser sends Origin: null.
func (r *Request) taintedCause() string {
	s := "the request was redirected to another origin, so the browser sent Origin: null and compares Access-Control-Allow-Origin with null"
	if r.Credentials {
		return s + ": with credentials only Access-Control-Allow-Origin: null and Access-Control-Allow-Credentials: true pass, which admits every sandboxed page; better have the page call " + r.URL.String() + " directly"
	}
	return s + ": send * on this response, or have the page call " + r.URL.String() + " directly"
}

// missingFix is the full set of lines the response lacks.
func (r *Request) missingFix(stage string, d Decision) string {
	lines := r.preflightLines(nil, d)
	if stage == stageActual {
		lines = r.actualLines(nil)
		return "send on this response, error responses included: " + strings.Join(lines, "; ")
	}
	return "answer OPTIONS " + r.URL.Path + " with 204 and: " + strings.Join(lines, "; ")
}

func missingCause(stage string, resp *trace.Response) string {
	if resp == nil {
		return ""
	}
	st := resp.Status
	if stage == stagePreflight {
		if !okStatus(st) {
			return statusCause(st)
		}
		return "the server answered OPTIONS without CORS headers: the CORS middleware does not cover this route, or it rejected the origin, method or a header and then dropped every CORS header (rs/cors and others do) instead of saying which"
	}
	if loc, ok := isRedirect(resp); ok {
		return "the browser checks CORS on the redirect itself before following it to " + loc + ": redirects (a trailing slash, http to https, a proxy's rule) are often sent before the CORS middleware runs; add the headers to them, or call the final URL directly"
	}
	if st >= 400 {
		return fmt.Sprintf("the real status is %d, but script only sees a network error: error responses often bypass the CORS middleware (nginx add_header without 'always', a proxy's error page, an exception handler)", st)
	}
	return "the CORS middleware does not cover this route, or it does not allow this origin"
}

func multipleCause(resp *trace.Response) string {
	n := 0
	for _, h := range resp.Headers {
		if strings.EqualFold(h.Name, hACAO) {
			n++
		}
	}
	if n > 1 {
		return fmt.Sprintf("%d Access-Control-Allow-Origin lines: two layers both add it (a proxy or CDN and the application, or two middlewares); keep one", n)
	}
	return "a list of origins was sent as is: keep the list on the server, compare the request's Origin with it and echo the one that matches (with Vary: Origin)"
}

func credentialsCause(v string) string {
	switch {
	case v == "":
		return "the header is missing: with credentials: \"include\" the response must opt in to being read"
	case strings.EqualFold(strings.Trim(v, `"`), "true"):
		return "only the exact value true counts: '" + v + "' is not it"
	}
	return "'" + v + "' is not true"
}

// statusCause explains a non-2xx preflight by its status class.
func statusCause(st int) string {
	switch {
	case st == 401 || st == 403:
		return fmt.Sprintf("status %d: authentication answered the preflight; a preflight never carries cookies or Authorization, so let OPTIONS through before the auth check (or run the CORS middleware first)", st)
	case st == 404 || st == 405 || st == 501:
		return fmt.Sprintf("status %d: the server has no OPTIONS route for this path; register the CORS middleware globally so that it answers OPTIONS before routing", st)
	case st >= 500:
		return fmt.Sprintf("status %d: the server failed while handling OPTIONS", st)
	case st >= 300 && st < 400:
		return fmt.Sprintf("status %d is not a success: a preflight must get a 2xx", st)
	}
	return fmt.Sprintf("status %d is not in 200-299", st)
}

func redirectCause(from, to string) string {
	switch {
	case strings.HasPrefix(from, "http://") && strings.HasPrefix(to, "https://"):
		return "the server redirects http to https: call the https:// URL"
	case strings.TrimSuffix(to, "/") == strings.TrimSuffix(from, "/") || strings.HasSuffix(to, strings.TrimPrefix(from, "/")+"/"):
		return "the server adds or removes a trailing slash: call the URL in its canonical form"
	}
	return "preflights never follow redirects"
}

func methodCause(m string, hs []trace.Header, creds bool) string {
	acam, _, _ := headerList(hs, hACAM)
	switch {
	case m != strings.ToUpper(m):
		return "fetch() sends \"" + m + "\" as written (it upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT) and the compare is case-sensitive: write method: \"" + strings.ToUpper(m) + "\" in the code"
	case containsFold(acam, m):
		return "the compare is case-sensitive: list " + m + " exactly"
	case contains(acam, "*") && creds:
		return "'*' means any method only for requests without credentials: list " + m + " by name"
	}
	return ""
}

func headerCause(name string, hs []trace.Header, creds bool) string {
	acah, _, _ := headerList(hs, hACAH)
	switch {
	case contains(acah, "*") && creds:
		return "'*' means any header only for requests without credentials: list the names"
	}
	return "every header the code sets beyond the safelisted ones must be listed (names are case-insensitive)"
}

// preflightLines are the header lines a passing preflight response needs,
// merged with what the server already sends.
func (r *Request) preflightLines(hs []trace.Header, d Decision) []string {
	lines := r.originLinesFor(hs)
	if !safelistedMethod(r.Method) {
		lines = append(lines, r.methodsLine(hs))
	}
	if len(d.Unsafe) > 0 {
		lines = append(lines, r.headersLine(hs, d))
	}
	return append(lines, "Access-Control-Max-Age: 7200")
}

// actualLines are the header lines the actual response needs.
func (r *Request) actualLines(hs []trace.Header) []string {
	return r.originLinesFor(hs)
}

// originLinesFor keeps an Allow-Origin that already passes (a static
// "*" needs no Vary) and otherwise echoes the origin; after a redirect to
// another origin, "*" is what admits the null origin safely.
func (r *Request) originLinesFor(hs []trace.Header) []string {
	if hs != nil && corsCheck(hs, r.SentOrigin(), r.Credentials) == nil {
		acao, _ := headerValue(hs, hACAO)
		lines := []string{hACAO + ": " + acao}
		if acao != "*" {
			lines = append(lines, "Vary: Origin")
		}
		if r.Credentials {
			lines = append(lines, hACAC+": true")
		}
		return lines
	}
	if r.Tainted && !r.Credentials {
		return []string{hACAO + ": *"}
	}
	return strings.Split(originLines(r.SentOrigin().String(), r.Credentials), "; ")
}

// originLines allows one origin: echo it, say the response varies by it,
// and opt in to credentials when they are used.
func originLines(origin string, creds bool) string {
	s := "Access-Control-Allow-Origin: " + origin + "; Vary: Origin"
	if creds {
		s += "; Access-Control-Allow-Credentials: true"
	}
	return s
}

// methodsLine is Access-Control-Allow-Methods with the request's method
// added to what the server already allows.
func (r *Request) methodsLine(hs []trace.Header) string {
	have, _, ok := headerList(hs, hACAM)
	if !ok {
		have = nil
	}
	if !contains(have, r.Method) {
		have = append(have, r.Method)
	}
	return hACAM + ": " + strings.Join(without(have, "*", r.Credentials), ", ")
}

// headersLine is Access-Control-Allow-Headers with every unsafe header
// added to what the server already allows.
func (r *Request) headersLine(hs []trace.Header, d Decision) string {
	have, _, ok := headerList(hs, hACAH)
	if !ok {
		have = nil
	}
	for _, n := range d.Unsafe {
		if !containsFold(have, n) {
			have = append(have, n)
		}
	}
	return hACAH + ": " + strings.Join(without(have, "*", r.Credentials), ", ")
}

// without drops s from list when cond holds ('*' is useless with
// credentials).
func without(list []string, s string, cond bool) []string {
	if !cond {
		return list
	}
	var out []string
	for _, e := range list {
		if e != s {
			out = append(out, e)
		}
	}
	return out
}
