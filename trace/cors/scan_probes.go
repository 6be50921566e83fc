package cors

import (
	"net/url"
	"strings"
)

// Probe classes: the misconfigurations of Corsy and CORScanner.
const (
	ClassBaseline     = "baseline"           // the --origin itself
	ClassReflected    = "reflected-origin"   // any origin is echoed
	ClassPrefix       = "prefix-match"       // api.example.com.evil.com passes
	ClassSuffix       = "suffix-match"       // evilexample.com passes
	ClassSubstring    = "substring-match"    // xample.com passes
	ClassNull         = "null-origin"        // null passes
	ClassUnescapedDot = "unescaped-dot"      // apixexample.com passes (a regex with "." unescaped)
	ClassSubdomain    = "any-subdomain"      // evil.api.example.com passes
	ClassHTTP         = "https-trusts-http"  // http://api.example.com passes for an https site
	ClassSpecialChars = "special-characters" // api.example.com_.evil.com passes (parser confusion)
	ClassThirdParty   = "third-party"        // code-hosting sites anyone can publish on pass
	// Passive classes, read from every response.
	ClassWildcard        = "wildcard"
	ClassNoVary          = "reflected-without-vary"
	ClassMultiple        = "multiple-values"
	ClassHeadersReflect  = "allow-headers-reflected"
	ClassMethodsWildcard = "allow-methods-any"
)

// probeSpec is one Origin to try and the class it tests.
type probeSpec struct {
	class, origin string
}

// specialChars are CORScanner's parser-confusion characters (Safari
// accepts most in host names; "_" works in every browser).
var specialChars = []string{"_", "-", `"`, "{", "}", "+", "^", "%60", "!", "~", "`", ";", "|", "&", "'", "(", ")", "*", ",", "$", "=", "%0b"}

// thirdParties are sites where anyone can publish a page.
var thirdParties = []string{"https://whatever.github.io", "http://jsbin.com", "https://codepen.io", "https://jsfiddle.net", "http://www.webdevout.net", "https://repl.it"}

// probeSpecs lists every probe for a target URL, all of them run.
func probeSpecs(u *url.URL, baseline string) []probeSpec {
	host := strings.ToLower(u.Hostname())
	scheme := u.Scheme + "://"
	reg := site(host)
	ps := []probeSpec{
		{ClassBaseline, baseline},
		{ClassReflected, scheme + "evil.com"},
		{ClassPrefix, scheme + host + ".evil.com"},
		{ClassSuffix, scheme + "evil" + reg},
		{ClassSuffix, scheme + "d3v" + host},
		{ClassNull, "null"},
		{ClassSubdomain, scheme + "evil." + host},
	}
	if len(reg) > 1 {
		ps = append(ps, probeSpec{ClassSubstring, scheme + reg[1:]})
	}
	if strings.Count(host, ".") > 1 {
		ps = append(ps, probeSpec{ClassUnescapedDot, scheme + strings.Replace(host, ".", "x", 1)})
	}
	if i := strings.LastIndex(host, "."); i > 0 {
		ps = append(ps, probeSpec{ClassUnescapedDot, scheme + host[:i] + "a" + host[i+1:]})
	}
	if u.Scheme == "https" {
		ps = append(ps, probeSpec{ClassHTTP, "http://" + host})
	}
	for _, c := range specialChars {
		ps = append(ps, probeSpec{ClassSpecialChars, scheme + host + c + ".evil.com"})
	}
	for _, t := range thirdParties {
		ps = append(ps, probeSpec{ClassThirdParty, t})
	}
	return ps
}

// Severities.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityLow    = "low"
	SeverityInfo   = "info"
)

// severity of a class that let an origin in; credentials raise it, since
// then the attacker's page reads the victim's private data.
func severity(class string, creds bool) string {
	switch class {
	case ClassHTTP:
		if creds {
			return SeverityMedium
		}
		return SeverityLow
	case ClassBaseline:
		return SeverityInfo
	}
	if creds {
		return SeverityHigh
	}
	return SeverityMedium
}

// classText is what a class means and how to fix it.
var classText = map[string][2]string{
	ClassReflected:    {"any origin is allowed: the server echoes whatever Origin it gets", "compare the Origin with an allow-list of full origins and echo only a match"},
	ClassPrefix:       {"an origin that merely starts with the site's host is allowed (a startsWith check)", "compare whole origins, not prefixes"},
	ClassSuffix:       {"an origin that merely ends with the site's domain is allowed (an endsWith check without the dot)", "compare whole origins, or check the suffix with its leading dot"},
	ClassSubstring:    {"an origin that merely contains part of the domain is allowed (a contains/indexOf check)", "compare whole origins"},
	ClassNull:         {"the null origin is allowed: any sandboxed iframe or data: page can read the response", "never allow null"},
	ClassUnescapedDot: {"a regular expression with an unescaped dot lets look-alike domains in", "escape the dots (\\.) and anchor the expression (^…$), or compare whole origins"},
	ClassSubdomain:    {"every subdomain is trusted: one subdomain with XSS or a takeover exposes this API", "list the subdomains that need access"},
	ClassHTTP:         {"the http:// version of the site is trusted by the https:// API: a network attacker can inject a page there", "allow only https:// origins"},
	ClassSpecialChars: {"origins with special characters after the host are allowed: the server's URL parsing is confused", "parse the Origin strictly and compare whole origins"},
	ClassThirdParty:   {"a code-hosting site where anyone can publish pages is allowed", "remove third-party hosting sites from the allow-list"},
	ClassWildcard:     {"Access-Control-Allow-Origin: * lets every site read responses made without credentials", "fine for public data; for anything else, allow named origins"},
	ClassNoVary:       {"the origin is echoed without Vary: Origin: caches can serve one origin's response to another (cache poisoning)", "send Vary: Origin on every response whose Access-Control-Allow-Origin depends on the request"},
	ClassMultiple:     {"Access-Control-Allow-Origin carries several values: every browser refuses it", "send exactly one origin"},
	ClassHeadersReflect: {"Access-Control-Allow-Headers echoes whatever the preflight asks for, so any header is allowed",
		"list the headers the API accepts"},
	ClassMethodsWildcard: {"Access-Control-Allow-Methods allows any method the preflight asks for", "list the methods the API accepts"},
}
