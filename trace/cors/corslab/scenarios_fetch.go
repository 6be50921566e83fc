package corslab

import (
	"slices"
	"strings"
)

// to302 is a 302 that lets every origin read it, to location.
func to302(location string) Reply {
	return Reply{Status: 302, Headers: with(star, h("Location", location))}
}

// locationScenarios are redirects as fetch parses them: Location is
// parsed with the URL standard's rules against the response's URL, and
// several or odd values are network errors.
var locationScenarios = []Scenario{
	{Name: "loc-backslash", Actual: to302(`\s\{name}-target`), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "loc-backslash-abs", Actual: to302(`http:\\` + APIHost + `:{apiport}\s\{name}-target`), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "loc-tab", Actual: Reply{Raw: true, Status: 302, Headers: with(star, h("Location", " /s/{name}-tar\tget"))}, Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "loc-dot-segments", Actual: to302("/x/../s/./{name}-target"), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "loc-upper-host", Actual: to302("HTTP://" + strings.ToUpper(APIHost) + ":{apiport}/s/{name}-target"), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "loc-scheme-relative", Actual: to302("//" + OtherHost + ":{apiport}/s/{name}-target"), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}},
	{Name: "loc-space", Actual: to302("/s/{name}-target?a b"), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "loc-same-scheme-relative", Actual: to302("http:/s/{name}-target"), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "loc-ipv4-hex", Actual: to302("http://0x7f.1:{apiport}/s/{name}-target"), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}},
	{Name: "loc-fragment", Actual: to302("/s/{name}-target#frag"), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "loc-query-only", Actual: to302("?x=1"), Want: Want{Error: "net::ERR_TOO_MANY_REDIRECTS", Requests: 21}},
	{Name: "loc-two-different", Actual: Reply{Status: 302, Headers: with(star, h("Location", "/s/{name}-target"), h("Location", "/s/{name}-target?2"))}, Target: Reply{Headers: star},
		Want: Want{Error: "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION", Requests: 1}},
	{Name: "loc-two-same", Actual: Reply{Status: 302, Headers: with(star, h("Location", "/s/{name}-target"), h("Location", "/s/{name}-target"))}, Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	// Chromium: not a redirect, script gets the 302. Firefox: the
	// standard's reading, a redirect to the response's own URL.
	{Name: "loc-empty", Actual: Reply{Raw: true, Status: 302, Headers: with(star, h("Location", ""))}, Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Status: 302, Requests: 1}},
	{Name: "loc-user-colon", Actual: to302("http://user:@" + APIHost + ":{apiport}/s/{name}-target"), Target: Reply{Headers: star},
		Want: Want{Console: "Redirect location '' contains a username and password, which is disallowed for cross-origin requests.", Requests: 1}},
	{Name: "loc-colon-pass", Actual: to302("http://:pass@" + APIHost + ":{apiport}/s/{name}-target"), Target: Reply{Headers: star},
		Want: Want{Console: "Redirect location '' contains a username and password, which is disallowed for cross-origin requests.", Requests: 1}},
	{Name: "loc-data", Actual: to302("data:text/plain,hi"), Want: Want{Error: "net::ERR_UNSAFE_REDIRECT", Requests: 1}},
	{Name: "loc-unparsable", Actual: to302("http://[::1/"), Want: Want{Error: "net::ERR_INVALID_REDIRECT", Requests: 1}},
	{Name: "loc-bad-port", Actual: to302("http://" + APIHost + ":99999/"), Want: Want{Error: "net::ERR_INVALID_REDIRECT", Requests: 1}},
	{Name: "loc-ftp", Actual: to302("ftp://" + APIHost + "/x"), Want: Want{At: "ftp://" + APIHost + "/x", Requests: 1,
		Console: "Cross origin requests are only supported for protocol schemes: chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app."}},
	{Name: "loc-same-origin-userinfo", SameOrigin: true, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "http://u:p@{pagehost}/s/{name}-target")}}, Target: Reply{Headers: [][2]string{h("X-A", "1")}},
		Want: Want{Requests: 1}}, // Chromium rejects without a console line
}

// valueScenarios are header values as fetch defines them, and the known
// differences between the engines' safelists.
var valueScenarios = []Scenario{
	{Name: "value-ctl-custom", Headers: [][2]string{h("X-A", "a\x01b")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("x-a")}},
	{Name: "value-ctl-accept", Headers: [][2]string{h("Accept", "a\x01b")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("accept")}},
	{Name: "value-del-accept", Headers: [][2]string{h("Accept", "a\x7fb")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("accept")}},
	{Name: "value-vt-content-type", Method: "POST", HasBody: true, Body: "x", Headers: [][2]string{h("Content-Type", "text/plain\x0b")}, Preflight: Reply{Headers: star},
		Want: Want{Preflight: true, Console: header("content-type")}},
	{Name: "value-trimmed", Headers: [][2]string{h("Accept", " \t text/plain \t ")}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "value-non-ascii-accept", Headers: [][2]string{h("Accept", "text/\u00e9")}, Preflight: Reply{Headers: star}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "value-dup-content-type", Method: "POST", HasBody: true, Body: "x", Headers: [][2]string{h("Content-Type", "text/plain"), h("Content-Type", "text/plain")},
		Preflight: Reply{Headers: star}, Actual: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("content-type")}},
	{Name: "value-dup-custom", Headers: [][2]string{h("X-A", "1"), h("x-a", "2")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-a"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "value-total-1024", Headers: [][2]string{h("Accept", strings.Repeat("a", 128)), h("Accept-Language", strings.Repeat("a", 128)), h("Content-Language", strings.Repeat("a", 128)),
		h("DPR", strings.Repeat("1", 128)), h("Device-Memory", strings.Repeat("1", 128)), h("Downlink", strings.Repeat("1", 128)), h("Width", strings.Repeat("1", 128)), h("Viewport-Width", strings.Repeat("1", 128)), h("RTT", strings.Repeat("1", 128))},
		Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "*"))}, Actual: Reply{Headers: star}, Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "value-save-data", Headers: [][2]string{h("Save-Data", "on")}, Preflight: Reply{Headers: star}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "value-ect", Headers: [][2]string{h("ECT", "4g")}, Preflight: Reply{Headers: star}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "value-acrh-safelisted-mix", Headers: [][2]string{h("X-B", "1"), h("Accept", strings.Repeat("a", 129)), h("x-b", "2")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "*"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
}

// mixedLine is Chromium's console line for a blocked http:// URL.
func mixedLine(url string) string {
	return "Mixed Content: The page at '{secure}/' was loaded over HTTPS, but requested an insecure resource '" + url + "'. This request has been blocked; the content must be served over HTTPS."
}

// mixedScenarios: an https:// page, so http:// URLs are mixed content,
// blocked before CORS.
var mixedScenarios = []Scenario{
	{Name: "mixed-get", SecurePage: true, Actual: Reply{Headers: star}, Want: Want{Line: mixedLine("{api}/s/{name}")}},
	{Name: "mixed-put", SecurePage: true, Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))}, Actual: Reply{Headers: star},
		Want: Want{Line: mixedLine("{api}/s/{name}")}},
	{Name: "secure-tls-get", SecurePage: true, TLS: true, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "secure-tls-echo-creds", SecurePage: true, TLS: true, Credentials: true, Actual: Reply{Headers: echoCreds}, Want: Want{Allowed: true, Readable: basicRead}},
	// Same origin over https: fetch metadata says same-origin.
	{Name: "secure-same-origin-get", SecurePage: true, SameOrigin: true, Actual: Reply{Headers: [][2]string{h("X-A", "1")}},
		Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "date", "x-a"}}},
	{Name: "secure-same-origin-put", SecurePage: true, SameOrigin: true, Method: "PUT", Headers: [][2]string{h("X-A", "1")},
		Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "date"}}},
	{Name: "secure-same-to-api-tls", SecurePage: true, SameOrigin: true, Actual: to302("{tlsapi}/s/{name}-target"), Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{secure}"}}},
	{Name: "mixed-redirect", SecurePage: true, TLS: true, Actual: to302("{api}/s/{name}-target"), Target: Reply{Headers: star},
		Want: Want{Line: mixedLine("{api}/s/{name}-target"), Requests: 1}},
}

// engineScenarios are the known differences between the engines that the
// tables above do not show yet.
var engineScenarios = []Scenario{
	// Firefox's preflight at the new origin carries the page's origin, and
	// is checked against it; the PUT itself then carries Origin: null.
	{Name: "redirect-307-put-other-page-only", Method: "PUT", Preflight: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "PUT"))},
		Actual: Reply{Status: 307, Headers: with(echo, h("Location", "{other}/s/{name}-target"))},
		Target: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{page}"), h("Access-Control-Allow-Methods", "PUT")}},
		Want:   Want{Preflight: true, Console: pre + mismatch("{page}"), At: "{other}/s/{name}-target", Requests: 1, Target: Reached{Preflight: "null"}}},
	// Nine Accept entries of 128 bytes: each safelisted, 1152 bytes in all.
	{Name: "value-accept-entries-1152", Headers: slices.Repeat([][2]string{h("Accept", strings.Repeat("a", 128))}, 9),
		Preflight: Reply{Headers: star}, Actual: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("accept")}},
	// A script-set User-Agent with an Allow-Headers that lists it.
	{Name: "user-agent-listed", Headers: [][2]string{h("User-Agent", "bot/1")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "user-agent"))},
		Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
}
