package cors

import (
	"net/url"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Chromium's console texts (third_party/blink/.../cors_error_string.cc),
// checked against Chromium 156 by the browser test. Each is the part after
// "Access to fetch at '…' from origin '…' has been blocked by CORS
// policy: ".

// preflightInfix precedes the failures of the preflight's own CORS check,
// status and redirect; method and header failures do without it.
const preflightInfix = "Response to preflight request doesn't pass access control check: "

// validValue ends the Allow-Origin value messages of fetch() (XHR's
// differ); the missing-header message has no such ending in Chromium 156.
const validValue = " Have the server send the header with a valid value."

// consoleText is the message for a failure kind; value is the quoted
// header value, method or header name where the message has one.
func consoleText(kind, value string) string {
	switch kind {
	case kindWildcard:
		return "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
	case kindMissing:
		return "No 'Access-Control-Allow-Origin' header is present on the requested resource."
	case kindMultiple:
		return "The 'Access-Control-Allow-Origin' header contains multiple values '" + value + "', but only one is allowed." + validValue
	case kindInvalid:
		return "The 'Access-Control-Allow-Origin' header contains the invalid value '" + value + "'." + validValue
	case kindMismatch:
		return "The 'Access-Control-Allow-Origin' header has a value '" + value + "' that is not equal to the supplied origin." + validValue
	case kindCredentials:
		return "The value of the 'Access-Control-Allow-Credentials' header in the response is '" + value + "' which must be 'true' when the request's credentials mode is 'include'."
	case kindStatus:
		return "It does not have HTTP ok status."
	case kindPreflightRedirect:
		return "Redirect is not allowed for a preflight request."
	case kindMethodsParse:
		return "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
	case kindHeadersParse:
		return "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
	case kindMethod:
		return "Method " + value + " is not allowed by Access-Control-Allow-Methods in preflight response."
	case kindHeader:
		return "Request header field " + value + " is not allowed by Access-Control-Allow-Headers in preflight response."
	case kindRedirectUserinfo:
		// Chromium 156 leaves the location out of this message.
		return "Redirect location '' contains a username and password, which is disallowed for cross-origin requests."
	case kindRedirectScheme:
		return "Cross origin requests are only supported for protocol schemes: chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app."
	case kindRedirectUserinfoSilent:
		return "fetch() rejects with a TypeError, and Chromium logs no console line: it refuses a redirect to a URL with user:password@ even within the page's origin"
	case kindNetError:
		return "Failed to load resource: " + value
	case kindLNAInsecure:
		return "The request client is not a secure context and the resource is in more-private address space `" + value + "`."
	case kindTooManyRedirects:
		return "Failed to load resource: net::ERR_TOO_MANY_REDIRECTS"
	}
	return ""
}

// Failure kinds besides the CORS check's (check.go).
const (
	kindStatus            = "status"
	kindPreflightRedirect = "redirect"
	kindMethodsParse      = "allow-methods-parse"
	kindHeadersParse      = "allow-headers-parse"
	kindMethod            = "allow-methods"
	kindHeader            = "allow-headers"
	kindRedirectUserinfo  = "redirect-userinfo"
	kindRedirectScheme    = "redirect-scheme"
	// kindRedirectUserinfoSilent: Chromium also refuses user:password@ in
	// a redirect within the page's origin, without a console line (the
	// standard and Firefox follow it).
	kindRedirectUserinfoSilent = "redirect-userinfo-same-origin"
	// kindNetError is a network error the browser logs as it is
	// ("Failed to load resource: net::ERR_…"), not a CORS failure; the
	// value is the error's name.
	kindNetError         = "network-error"
	kindLNAInsecure      = "local-network-access"
	kindTooManyRedirects = "too-many-redirects" // a network error, not a CORS one
)

// withInfix reports whether a preflight failure carries preflightInfix.
func withInfix(kind string) bool {
	switch kind {
	case kindMethodsParse, kindHeadersParse, kindMethod, kindHeader, kindLNAInsecure:
		return false
	}
	return true
}

// console is the whole line Chromium prints for a failure. Down a
// redirect chain it names the URL that failed and the one script
// fetched, and still the page's origin (not "null"). A network error is
// logged as it is, without the CORS preamble.
func (r *Request) console(preflight bool, kind, value string) string {
	text := consoleText(kind, value)
	switch kind {
	case kindTooManyRedirects, kindNetError, kindRedirectUserinfoSilent:
		return text
	}
	if preflight && withInfix(kind) {
		text = preflightInfix + text
	}
	at := "'" + consoleURL(r.URL) + "'"
	if r.first != nil {
		at += " (redirected from '" + consoleURL(r.first) + "')"
	}
	return "Access to fetch at " + at + " from origin '" + r.Origin.String() + "' has been blocked by CORS policy: " + text
}

// consoleURL is the URL as Chromium prints it: without the scheme's
// default port, with the host in lower case.
func consoleURL(u *url.URL) string {
	c := *u
	host, _ := canonicalHost(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	c.Host = host
	if p := u.Port(); p != "" && trace.Port(u) != defaultPort(u.Scheme) {
		c.Host += ":" + p
	}
	return c.String()
}
