package cors

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Preflight cache lifetimes (seconds).
const (
	defaultMaxAge  = 5     // no header: spec, Chromium and Firefox
	chromiumMaxAge = 7200  // Chromium caps at 2 hours (preflight_result.cc)
	firefoxMaxAge  = 86400 // Firefox caps at 24 hours
)

// maxAgeOf reads Access-Control-Max-Age the way each browser does.
func maxAgeOf(resp *trace.Response) *MaxAge {
	v, present := headerValue(resp.Headers, hMaxAge)
	m := &MaxAge{Header: v, Chromium: defaultMaxAge, Firefox: defaultMaxAge}
	if !present {
		return m
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		// Chromium: negative means "do not cache", unparsable means 5 s.
		m.Chromium = int(min(max(n, 0), chromiumMaxAge))
	}
	m.Firefox = 0 // Firefox: anything but digits is "do not cache"
	if allDigits(v) {
		n, _ := strconv.ParseInt(v, 10, 64)
		if len(v) > 9 {
			n = firefoxMaxAge
		}
		m.Firefox = int(min(n, firefoxMaxAge))
	}
	return m
}

// maxAgeWarning says when the browsers cache the preflight differently
// from what the header asks, or hardly at all.
func maxAgeWarning(m *MaxAge) *Problem {
	switch {
	case m.Header == "":
		return &Problem{Rule: "max-age", Message: "no Access-Control-Max-Age: browsers cache this preflight for 5 seconds, so most requests pay for an extra round trip",
			Fix: "send Access-Control-Max-Age: 7200 (Chromium's cap; Firefox keeps up to 86400)"}
	case m.Chromium != m.Firefox || fmt.Sprint(m.Chromium) != m.Header:
		return &Problem{Rule: "max-age",
			Message: fmt.Sprintf("Access-Control-Max-Age: %s is cached %d s by Chromium (cap 7200, negative means none) and %d s by Firefox (cap 86400, non-digits mean none)", m.Header, m.Chromium, m.Firefox),
			Fix:     "send a value from 0 to 7200 to get the same caching everywhere"}
	}
	return nil
}

// varyWarning: a response that echoes one origin must say it varies by
// Origin, or a shared cache serves it to other origins (cache poisoning,
// or a copy without CORS headers that blocks everyone else).
func varyWarning(resp *trace.Response) *Problem {
	acao, _ := headerValue(resp.Headers, hACAO)
	if acao == "" || acao == "*" {
		return nil
	}
	vary, _ := headerValue(resp.Headers, hVary)
	for v := range strings.SplitSeq(vary, ",") {
		v = strings.Trim(v, " \t")
		if strings.EqualFold(v, "origin") || v == "*" {
			return nil
		}
	}
	return &Problem{Rule: "vary-origin",
		Message: "Access-Control-Allow-Origin names one origin but Vary lacks Origin: a CDN or browser cache can hand this response to a page of another origin, which is then blocked (or the cached copy without CORS headers blocks this one)",
		Fix:     "send Vary: Origin on every response whose Access-Control-Allow-Origin depends on the request"}
}

// sideEffectWarning: a blocked simple request still ran on the server;
// CORS only hides the response.
func sideEffectWarning(r *Request) *Problem {
	return &Problem{Rule: "request-executed",
		Message: "no preflight protects this request: the server received and executed the " + r.Method + " even though the browser hides the response from script",
		Fix:     "do not rely on CORS to stop state-changing requests: check the Origin header or a CSRF token on the server"}
}

// cookieWarning: credentials across sites depend on cookie attributes and
// browser policy, which CORS does not show.
func cookieWarning(r *Request) *Problem {
	if !r.Credentials || r.Origin.Opaque || sameSite(r.Origin, r.Target) {
		return nil
	}
	return &Problem{Rule: "third-party-cookies",
		Message: "the page and the API are on different sites: the browser sends the API's cookies only if they are SameSite=None; Secure, and Safari, Firefox (strict mode) and users who block third-party cookies send none",
		Fix:     "prefer a token in an Authorization header, or serve the API from the page's site"}
}

// authorizationDroppedWarning: a redirect to another origin drops
// Authorization, so the server there never sees the token.
func authorizationDroppedWarning(r *Request, rds []RedirectHop) *Problem {
	if r.header("authorization") < 0 {
		return nil
	}
	for _, rd := range rds {
		if rd.CrossOrigin {
			return &Problem{Rule: "authorization-dropped",
				Message: "the redirect to " + rd.Location + " leaves the origin, so the browser drops the Authorization header there: that server gets the request without it",
				Fix:     "call " + rd.Location + " directly, or redirect within one origin"}
		}
	}
	return nil
}

// nullWarning: Allow-Origin: null admits every opaque origin.
func nullWarning(resp *trace.Response) *Problem {
	if acao, _ := headerValue(resp.Headers, hACAO); acao != "null" {
		return nil
	}
	return &Problem{Rule: "allow-origin-null",
		Message: "Access-Control-Allow-Origin: null admits every sandboxed iframe and every data: or file: page, whoever wrote it",
		Fix:     "allow named origins; never null for responses that carry private data"}
}

// clientHintWarning: a header only Chromium safelists needs a preflight
// in the other browsers.
func clientHintWarning(r *Request) *Problem {
	var names []string
	for _, h := range r.Headers {
		n := strings.ToLower(h.Name)
		if chromiumOnly(n) && unsafeHeaderReason(n, h.Value) == "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return &Problem{Rule: "browser-difference",
		Message: "Chromium safelists the client hint " + strings.Join(names, ", ") + " (no preflight); Firefox and Safari do not, and send a preflight that must allow it",
		Fix:     "list " + strings.Join(names, ", ") + " in Access-Control-Allow-Headers for the other browsers"}
}

// authorizationWarning: "*" in Access-Control-Allow-Headers does not
// cover Authorization in the standard (and in browsers that follow it),
// but Chromium 156 lets it through.
func authorizationWarning(r *Request, d Decision, resp *trace.Response) *Problem {
	acah, _, _ := headerList(resp.Headers, hACAH)
	if !contains(d.Unsafe, "authorization") || containsFold(acah, "authorization") || !contains(acah, "*") || r.Credentials {
		return nil
	}
	return &Problem{Rule: "browser-difference",
		Message: "Access-Control-Allow-Headers: * admits Authorization in Chromium 156, but the Fetch standard says * never covers Authorization, and browsers that follow it refuse the request",
		Fix:     "list Authorization by name: Access-Control-Allow-Headers: Authorization, *"}
}
