package cors

import (
	"net/url"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Failure kinds of the CORS check, in the order Chromium's CheckAccess
// tells them apart.
const (
	kindWildcard    = "allow-origin-wildcard-credentials"
	kindMissing     = "allow-origin-missing"
	kindMultiple    = "allow-origin-multiple"
	kindInvalid     = "allow-origin-invalid"
	kindMismatch    = "allow-origin-mismatch"
	kindCredentials = "allow-credentials"
)

// accessFailure is a failed CORS check: its kind and the value the
// console quotes.
type accessFailure struct {
	kind  string
	value string
}

// corsCheck is the standard's CORS check (Access-Control-Allow-Origin,
// then -Allow-Credentials) with Chromium's classification of failures.
// It runs on a preflight response with the actual request's credentials
// mode, and on every actual or redirect response.
func corsCheck(hs []trace.Header, origin Origin, creds bool) *accessFailure {
	acao, present := headerValue(hs, hACAO)
	if acao == "*" && present {
		if creds {
			return &accessFailure{kind: kindWildcard, value: acao}
		}
		return nil // Allow-Credentials is not even read
	}
	if !present {
		return &accessFailure{kind: kindMissing}
	}
	if acao != origin.String() {
		return &accessFailure{kind: originKind(acao), value: acao}
	}
	if creds {
		if acac, _ := headerValue(hs, hACAC); acac != "true" {
			return &accessFailure{kind: kindCredentials, value: acac}
		}
	}
	return nil
}

// originKind classifies an Allow-Origin value that does not match.
func originKind(acao string) string {
	switch {
	case strings.ContainsAny(acao, " ,"):
		return kindMultiple
	case acao == "null":
		return kindMismatch
	case !validURL(acao):
		return kindInvalid
	}
	return kindMismatch
}

// validURL approximates Chromium's GURL::is_valid for an Allow-Origin
// value: a scheme, and a host for the special schemes.
func validURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || !isScheme(u.Scheme) {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ws", "wss", "ftp":
		_, ok := canonicalHost(u.Hostname())
		return u.Hostname() != "" && ok
	}
	return true
}

func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if i == 0 && !letter || !letter && !('0' <= c && c <= '9') && strings.IndexByte("+-.", c) < 0 {
			return false
		}
	}
	return s != ""
}

// isRedirect reports a response the network stack would follow: a
// redirect status with a Location.
func isRedirect(resp *trace.Response) (string, bool) {
	switch resp.Status {
	case 301, 302, 303, 307, 308:
		loc, ok := headerValue(resp.Headers, "Location")
		return loc, ok
	}
	return "", false
}

// redirectOf reports a response fetch follows: a redirect status with a
// Location. An empty Location is the standard's puzzle: parsed against
// the response's URL it names that URL again, and Firefox follows it
// there (into the redirect limit); Chromium does not treat the response
// as a redirect at all, and script gets the 3xx.
func (r *Request) redirectOf(resp *trace.Response) (string, bool) {
	if _, ok := isRedirect(resp); !ok {
		return "", false
	}
	locs := headerValues(resp.Headers, "Location")
	if locs[0] == "" && !r.firefox() {
		return "", false
	}
	return locs[0], true
}

// headerValues are the values of every line named name, trimmed.
func headerValues(hs []trace.Header, name string) []string {
	var vals []string
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			vals = append(vals, strings.Trim(h.Value, " \t"))
		}
	}
	return vals
}

// unsafeRedirectSchemes are the schemes Chromium's network stack never
// follows a redirect to (net::ERR_UNSAFE_REDIRECT, before any CORS rule).
var unsafeRedirectSchemes = map[string]bool{"data": true, "file": true, "filesystem": true, "blob": true, "javascript": true, "about": true}

// redirectNetError is the network error the browser fails a redirect
// with before CORS looks at it: several different Locations, one that
// does not parse, or an unsafe scheme. "" when there is none.
func (r *Request) redirectNetError(resp *trace.Response, loc string) string {
	locs := headerValues(resp.Headers, "Location")
	for _, l := range locs[1:] {
		if l != locs[0] {
			return "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION"
		}
	}
	if r.firefox() && strings.ContainsAny(loc, "\t\r\n") {
		return firefoxBadLocation // the standard strips them
	}
	next, err := parseWebURL(loc, r.URL)
	switch {
	case err != nil:
		return "net::ERR_INVALID_REDIRECT"
	case unsafeRedirectSchemes[next.Scheme]:
		return "net::ERR_UNSAFE_REDIRECT"
	}
	return ""
}

// firefoxBadLocation names Firefox 153's failure on a Location holding a
// tab: it fails the redirect.
const firefoxBadLocation = "a Location with a tab or line break"

func okStatus(code int) bool { return code >= 200 && code <= 299 }
