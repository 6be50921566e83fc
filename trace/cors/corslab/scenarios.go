package corslab

import (
	"slices"
	"strings"
)

// scenarios is the table the browser test runs. Group by group: simple
// requests and Allow-Origin, credentials, error statuses, readable
// headers, what needs a preflight, the preflight's checks, redirects,
// the null origin, Local Network Access.
var scenarios = slices.Concat(coreScenarios, locationScenarios, valueScenarios, engineScenarios, mixedScenarios, wptScenarios)

// coreScenarios are the first table: simple requests and Allow-Origin,
// credentials, error statuses, readable headers, what needs a preflight,
// the preflight's checks, redirects, the null origin, Local Network
// Access, same origin.
var coreScenarios = []Scenario{
	// Simple GET and Access-Control-Allow-Origin.
	{Name: "get-star", Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "get-none", Want: Want{Console: noneAllow}},
	{Name: "get-echo", Actual: Reply{Headers: echo}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "get-echo-no-vary", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{origin}")}}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "get-static-page", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{page}")}}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "get-other-origin", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "https://other.example")}}, Want: Want{Console: mismatch("https://other.example")}},
	{Name: "get-trailing-slash", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{page}/")}}, Want: Want{Console: mismatch("{page}/")}},
	{Name: "get-scheme-mismatch", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "https://{pagehost}")}}, Want: Want{Console: mismatch("https://{pagehost}")}},
	{Name: "get-port-mismatch", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "http://"+PageHost+":1")}}, Want: Want{Console: mismatch("http://" + PageHost + ":1")}},
	{Name: "get-upper-case", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "HTTP://{PAGEHOST}")}}, Want: Want{Console: mismatch("HTTP://{PAGEHOST}")}},
	{Name: "get-ows", Actual: Reply{Raw: true, Headers: [][2]string{h("Access-Control-Allow-Origin", "   *  ")}}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "get-tab-echo", Actual: Reply{Raw: true, Headers: [][2]string{h("access-control-allow-origin", "\t{origin}\t")}}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "get-comma-list", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{origin}, https://other.example")}},
		Want: Want{Console: "The 'Access-Control-Allow-Origin' header contains multiple values '{page}, https://other.example', but only one is allowed." + validValue}},
	{Name: "get-two-lines", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{origin}"), h("Access-Control-Allow-Origin", "{origin}")}},
		Want: Want{Console: "The 'Access-Control-Allow-Origin' header contains multiple values '{page}, {page}', but only one is allowed." + validValue}},
	{Name: "get-two-stars", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "*"), h("Access-Control-Allow-Origin", "*")}},
		Want: Want{Console: "The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but only one is allowed." + validValue}},
	{Name: "get-null-value", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "null")}}, Want: Want{Console: mismatch("null")}},
	{Name: "get-host-only", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{pagehost}")}},
		Want: Want{Console: mismatch("{pagehost}")}}, // a valid URL to Chromium: scheme "app.cors.test"
	{Name: "get-empty-value", Actual: Reply{Raw: true, Headers: [][2]string{h("Access-Control-Allow-Origin", "")}},
		Want: Want{Console: "The 'Access-Control-Allow-Origin' header contains the invalid value ''." + validValue}},
	{Name: "get-quoted-star", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", `"*"`)}},
		Want: Want{Console: "The 'Access-Control-Allow-Origin' header contains the invalid value '\"*\"'." + validValue}},
	{Name: "head-star", Method: "HEAD", Actual: Reply{Headers: star}, Want: Want{Allowed: true}},

	// Credentials.
	{Name: "creds-star", Credentials: true, Actual: Reply{Headers: with(star, h("Access-Control-Allow-Credentials", "true"))}, Want: Want{Console: wildcardCr}},
	{Name: "creds-echo", Credentials: true, Actual: Reply{Headers: echoCreds}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "creds-no-acac", Credentials: true, Actual: Reply{Headers: echo},
		Want: Want{Console: "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."}},
	{Name: "creds-acac-capital", Credentials: true, Actual: Reply{Headers: with(echo, h("Access-Control-Allow-Credentials", "True"))},
		Want: Want{Console: "The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'."}},
	{Name: "star-acac-no-creds", Actual: Reply{Headers: with(star, h("Access-Control-Allow-Credentials", "true"))}, Want: Want{Allowed: true, Readable: basicRead}},

	// Error statuses.
	{Name: "get-500-no-cors", Actual: Reply{Status: 500}, Want: Want{Console: noneAllow}},
	{Name: "get-404-star", Actual: Reply{Status: 404, Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "get-401-echo", Actual: Reply{Status: 401, Headers: echo}, Want: Want{Allowed: true, Readable: basicRead}},

	// Readable response headers.
	{Name: "expose-list", Actual: Reply{Headers: with(star, h("Access-Control-Expose-Headers", "X-Total, X-Other"), h("X-Total", "3"), h("X-Hidden", "1"))},
		Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "x-total"}}},
	{Name: "expose-star", Actual: Reply{Headers: with(star, h("Access-Control-Expose-Headers", "*"), h("X-A", "1"), h("Set-Cookie", "a=1"))},
		Want: Want{Allowed: true, Readable: []string{"access-control-allow-origin", "access-control-expose-headers", "content-length", "content-type", "date", "x-a"}}},
	{Name: "expose-star-creds", Credentials: true, Actual: Reply{Headers: with(echoCreds, h("Access-Control-Expose-Headers", "*"), h("X-A", "1"))},
		Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "expose-invalid", Actual: Reply{Headers: with(star, h("Access-Control-Expose-Headers", `x-a, "x-b"`), h("X-A", "1"), h("X-B", "1"))},
		Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "expose-empty-items", Actual: Reply{Headers: with(star, h("Access-Control-Expose-Headers", ", x-a,, X-B ,"), h("X-A", "1"), h("X-B", "1"))},
		Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "x-a", "x-b"}}},
	{Name: "expose-set-cookie", Actual: Reply{Headers: with(star, h("Access-Control-Expose-Headers", "Set-Cookie, X-A"), h("Set-Cookie", "a=1"), h("X-A", "1"))},
		Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "x-a"}}},
	{Name: "expose-safelisted", Actual: Reply{Headers: with(star, h("Cache-Control", "no-store"), h("Expires", "0"), h("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"), h("Pragma", "no-cache"), h("Content-Language", "en"), h("ETag", `"x"`))},
		Want: Want{Allowed: true, Readable: []string{"cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"}}},

	// What needs a preflight.
	{Name: "forbidden-headers", Headers: [][2]string{h("Connection", "close"), h("User-Agent", "x"), h("Sec-Foo", "1"), h("Proxy-Foo", "1")}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "safelisted-headers", Headers: [][2]string{h("Accept", "application/json"), h("Accept-Language", "en-US,de;q=0.5"), h("Content-Language", "de"), h("Range", "bytes=0-")},
		Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "accept-unsafe-byte", Headers: [][2]string{h("Accept", `a"b`)}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("accept")}},
	{Name: "accept-129-bytes", Headers: [][2]string{h("Accept", strings.Repeat("a", 129))}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("accept")}},
	{Name: "accept-128-bytes", Headers: [][2]string{h("Accept", strings.Repeat("a", 128))}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "accept-language-at", Headers: [][2]string{h("Accept-Language", "en@x")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("accept-language")}},
	{Name: "range-suffix", Headers: [][2]string{h("Range", "bytes=-5")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("range")}},
	{Name: "client-hint-dpr", Headers: [][2]string{h("DPR", "2")}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "client-hint-bad", Headers: [][2]string{h("Viewport-Width", "wide")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("viewport-width")}},
	{Name: "empty-custom-header", Headers: [][2]string{h("X-Empty", "")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-empty"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},

	// POST bodies.
	{Name: "post-text", Method: "POST", HasBody: true, Body: "a=1", Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "post-no-cors", Method: "POST", HasBody: true, Body: "a=1", Want: Want{Console: noneAllow}},
	{Name: "post-json-refused", Method: "POST", HasBody: true, Body: "{}", Headers: [][2]string{h("Content-Type", "application/json")}, Preflight: Reply{Headers: star},
		Want: Want{Preflight: true, Console: header("content-type")}},
	{Name: "post-json-allowed", Method: "POST", HasBody: true, Body: "{}", Headers: [][2]string{h("Content-Type", "application/json")},
		Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "Content-Type"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "post-text-mixed-case", Method: "POST", HasBody: true, Body: "x", Headers: [][2]string{h("Content-Type", "Text/Plain;charset=utf-8")}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "post-multipart", Method: "POST", HasBody: true, Body: "x", Headers: [][2]string{h("Content-Type", "multipart/form-data; boundary=x")}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "post-text-comma", Method: "POST", HasBody: true, Body: "x", Headers: [][2]string{h("Content-Type", "text/plain,")}, Preflight: Reply{Headers: star},
		Want: Want{Preflight: true, Console: header("content-type")}},

	// The preflight's checks.
	{Name: "put-allowed", Method: "PUT", Preflight: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "PUT"))}, Actual: Reply{Headers: echo},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "put-no-methods", Method: "PUT", Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: method("PUT")}},
	{Name: "put-lower-case-list", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "get, put"))}, Want: Want{Preflight: true, Console: method("PUT")}},
	{Name: "delete-normalised", Method: "delete", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "GET, DELETE"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "patch-lower-case", Method: "patch", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PATCH"))}, Want: Want{Preflight: true, Console: method("patch")}},
	{Name: "custom-method", Method: "NEW", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "NEW"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "methods-star", Method: "PATCH", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "*"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "methods-star-creds", Method: "PATCH", Credentials: true, Preflight: Reply{Headers: with(echoCreds, h("Access-Control-Allow-Methods", "*"))},
		Want: Want{Preflight: true, Console: method("PATCH")}},
	{Name: "methods-empty-items", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", ", PUT ,,"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "methods-unparsable", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT GET"))},
		Want: Want{Preflight: true, Console: "Cannot parse Access-Control-Allow-Methods response header field in preflight response."}},
	{Name: "header-listed", Headers: [][2]string{h("X-Api-Key", "k")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-api-key"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "header-listed-upper", Headers: [][2]string{h("x-api-key", "k")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "X-API-KEY"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "header-missing", Headers: [][2]string{h("X-Api-Key", "k")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-other"))},
		Want: Want{Preflight: true, Console: header("x-api-key")}},
	{Name: "headers-first-missing", Headers: [][2]string{h("X-B", "1"), h("X-A", "1"), h("X-C", "1")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-b"))},
		Want: Want{Preflight: true, Console: header("x-c")}}, // x-a and x-c are refused; Chromium names either
	{Name: "headers-two-missing", Headers: [][2]string{h("X-A", "1"), h("X-C", "1")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("x-a")}},
	{Name: "headers-star", Headers: [][2]string{h("X-Api-Key", "k")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "*"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	// The standard says "*" does not cover Authorization; Chromium 156 lets it through.
	{Name: "headers-star-authorization", Headers: [][2]string{h("Authorization", "Bearer t"), h("X-A", "1")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "*"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "authorization-not-listed", Headers: [][2]string{h("Authorization", "Bearer t")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-b"))},
		Want: Want{Preflight: true, Console: header("authorization")}},
	{Name: "authorization-listed", Headers: [][2]string{h("Authorization", "Bearer t")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "*, Authorization"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "headers-star-creds", Credentials: true, Headers: [][2]string{h("X-Api-Key", "k")}, Preflight: Reply{Headers: with(echoCreds, h("Access-Control-Allow-Headers", "*"))},
		Want: Want{Preflight: true, Console: header("x-api-key")}},
	{Name: "headers-unparsable", Headers: [][2]string{h("X-A", "1")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-a/b"))},
		Want: Want{Preflight: true, Console: "Cannot parse Access-Control-Allow-Headers response header field in preflight response."}},
	{Name: "preflight-200", Method: "PUT", Preflight: Reply{Status: 200, Headers: with(star, h("Access-Control-Allow-Methods", "PUT"), h("Access-Control-Max-Age", "86400"))}, Actual: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "preflight-401-no-cors", Method: "PUT", Preflight: Reply{Status: 401}, Want: Want{Preflight: true, Console: pre + noneAllow}},
	{Name: "preflight-401-cors", Method: "PUT", Preflight: Reply{Status: 401, Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))}, Want: Want{Preflight: true, Console: notOK}},
	{Name: "preflight-403-cors", Method: "DELETE", Preflight: Reply{Status: 403, Headers: with(echo, h("Access-Control-Allow-Methods", "DELETE"))}, Want: Want{Preflight: true, Console: notOK}},
	{Name: "preflight-404-no-cors", Method: "PUT", Preflight: Reply{Status: 404}, Want: Want{Preflight: true, Console: pre + noneAllow}},
	{Name: "preflight-405-cors", Method: "PUT", Preflight: Reply{Status: 405, Headers: star}, Want: Want{Preflight: true, Console: notOK}},
	{Name: "preflight-500-cors", Method: "PUT", Preflight: Reply{Status: 500, Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))}, Want: Want{Preflight: true, Console: notOK}},
	{Name: "preflight-creds-no-acac", Method: "PUT", Credentials: true, Preflight: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "PUT"))},
		Want: Want{Preflight: true, Console: pre + "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."}},
	{Name: "preflight-creds-star", Method: "PUT", Credentials: true, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))}, Want: Want{Preflight: true, Console: pre + wildcardCr}},
	{Name: "preflight-creds-ok", Method: "PUT", Credentials: true, Preflight: Reply{Headers: with(echoCreds, h("Access-Control-Allow-Methods", "PUT"))}, Actual: Reply{Headers: echoCreds},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "preflight-mismatch", Method: "PUT", Preflight: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "https://other.example"), h("Access-Control-Allow-Methods", "PUT")}},
		Want: Want{Preflight: true, Console: pre + mismatch("https://other.example")}},
	{Name: "preflight-ok-actual-none", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))}, Want: Want{Preflight: true, Console: noneAllow}},
	{Name: "preflight-ok-actual-500", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))}, Actual: Reply{Status: 500}, Want: Want{Preflight: true, Console: noneAllow}},

	// Redirects of the preflight: never followed.
	{Name: "preflight-redirect-307", Method: "PUT", Preflight: Reply{Status: 307, Headers: with(star, h("Location", "/s/{name}-target"))}, Target: Reply{Headers: star},
		Want: Want{Preflight: true, Console: pre + "Redirect is not allowed for a preflight request."}},
	{Name: "preflight-redirect-301", Headers: [][2]string{h("X-A", "1")}, Preflight: Reply{Status: 301, Headers: [][2]string{h("Location", "/s/{name}-target")}}, Target: Reply{Headers: star},
		Want: Want{Preflight: true, Console: pre + "Redirect is not allowed for a preflight request."}},

	// Redirects of the actual request, followed hop by hop: each redirect
	// response passes the CORS check, and a hop to another origin makes
	// the browser send Origin: null from then on.
	{Name: "redirect-no-cors", Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "/s/{name}-target")}}, Target: Reply{Headers: star},
		Want: Want{Console: noneAllow, Requests: 1}}, // blocked at the redirect itself
	{Name: "redirect-userinfo", Actual: Reply{Status: 302, Headers: with(star, h("Location", "http://user:pass@"+APIHost+":{apiport}/s/{name}-target"))}, Target: Reply{Headers: star},
		Want: Want{Console: "Redirect location '' contains a username and password, which is disallowed for cross-origin requests.", Requests: 1}}, // sic: Chromium leaves the location out
	{Name: "redirect-followed", Actual: Reply{Status: 302, Headers: with(star, h("Location", "/s/{name}-target"))}, Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "redirect-same-host-echo", Actual: Reply{Status: 302, Headers: with(echo, h("Location", "/s/{name}-target"))}, Target: Reply{Headers: echo},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "redirect-target-no-cors", Actual: Reply{Status: 302, Headers: with(star, h("Location", "/s/{name}-target"))},
		Want: Want{Console: noneAllow, At: "http://" + APIHost + ":{apiport}/s/{name}-target", Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "redirect-other-star", Actual: Reply{Status: 302, Headers: with(echo, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}},
	{Name: "redirect-other-echo", Actual: Reply{Status: 302, Headers: with(echo, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: echo},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}}, // it echoes null
	{Name: "redirect-other-page-only", Actual: Reply{Status: 302, Headers: with(echo, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{page}")}},
		Want: Want{Console: mismatch("{page}"), At: "{other}/s/{name}-target", Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}},
	{Name: "redirect-other-creds-echo", Credentials: true, Actual: Reply{Status: 302, Headers: with(echoCreds, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: echoCreds},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}}, // null and credentials: allowed
	{Name: "redirect-other-creds-star", Credentials: true, Actual: Reply{Status: 302, Headers: with(echoCreds, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: with(star, h("Access-Control-Allow-Credentials", "true"))},
		Want: Want{Console: wildcardCr, At: "{other}/s/{name}-target", Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}},
	{Name: "redirect-back-to-page", Actual: Reply{Status: 302, Headers: with(echo, h("Location", "http://{pagehost}/s/{name}-target"))}, // the page's server answers 404
		Want: Want{Console: noneAllow, At: "http://{pagehost}/s/{name}-target", Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}},
	{Name: "redirect-authorization-other", Headers: [][2]string{h("Authorization", "Bearer t")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "authorization"))},
		Actual: Reply{Status: 302, Headers: with(star, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}}, // Authorization dropped: no new preflight
	{Name: "redirect-303-post", Method: "POST", HasBody: true, Body: "a=1", Actual: Reply{Status: 303, Headers: with(star, h("Location", "/s/{name}-target"))}, Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "redirect-307-post", Method: "POST", HasBody: true, Body: "a=1", Actual: Reply{Status: 307, Headers: with(star, h("Location", "/s/{name}-target"))}, Target: Reply{Headers: star},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "POST", Origin: "{page}"}}},
	{Name: "redirect-301-json-post", Method: "POST", HasBody: true, Body: "{}", Headers: [][2]string{h("Content-Type", "application/json")},
		Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "content-type"))},
		Actual:    Reply{Status: 301, Headers: with(star, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: star},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}}, // a GET without body: no new preflight
	// A request that needs a preflight gets a new one at the new URL, with Origin: null after a cross-origin hop.
	{Name: "redirect-307-put-same-host", Method: "PUT", Preflight: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "PUT"))},
		Actual: Reply{Status: 307, Headers: with(echo, h("Location", "/s/{name}-target"))}, Target: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "PUT"))},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Preflight: "{page}", Method: "PUT", Origin: "{page}"}}},
	{Name: "redirect-307-put-other", Method: "PUT", Preflight: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "PUT"))},
		Actual: Reply{Status: 307, Headers: with(echo, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Preflight: "null", Method: "PUT", Origin: "null"}}},
	{Name: "redirect-307-put-other-refused", Method: "PUT", Preflight: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "PUT"))},
		Actual: Reply{Status: 307, Headers: with(echo, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "GET"))},
		Want: Want{Preflight: true, Console: method("PUT"), At: "{other}/s/{name}-target", Requests: 1, Target: Reached{Preflight: "null"}}},
	// 21 requests: the 21st redirect fails the fetch, with no CORS message.
	{Name: "redirect-loop", Actual: Reply{Status: 302, Headers: with(star, h("Location", "/s/{name}-target"))}, Target: Reply{Status: 302, Headers: with(star, h("Location", "/s/{name}"))},
		Want: Want{Error: "net::ERR_TOO_MANY_REDIRECTS", Requests: 21, Target: Reached{Method: "GET", Origin: "{page}"}}},

	// The null origin (a sandboxed iframe).
	{Name: "null-allowed", Sandbox: true, Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "null")}}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "null-star", Sandbox: true, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "null-echo", Sandbox: true, Actual: Reply{Headers: echo}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "null-page-origin", Sandbox: true, Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{page}")}}, Want: Want{Console: mismatch("{page}")}},

	// An https:// API is potentially trustworthy: Chromium adds Sec-Fetch-Site and Sec-Fetch-Dest.
	{Name: "tls-get-star", TLS: true, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
	{Name: "tls-put-allowed", TLS: true, Method: "PUT", Headers: [][2]string{h("X-Api-Key", "k")},
		Preflight: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "PUT"), h("Access-Control-Allow-Headers", "X-Api-Key"))}, Actual: Reply{Headers: echo},
		Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
	{Name: "tls-creds-no-acac", TLS: true, Credentials: true, Actual: Reply{Headers: echo},
		Want: Want{Console: "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."}},

	// Local Network Access: a page on a public address may not reach loopback from http://.
	{Name: "lna-public-http", PublicPage: true, Actual: Reply{Headers: star},
		Want: Want{Console: "The request client is not a secure context and the resource is in more-private address space `loopback`."}},
	{Name: "lna-public-http-put", PublicPage: true, Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))}, Actual: Reply{Headers: star},
		Want: Want{Console: "The request client is not a secure context and the resource is in more-private address space `loopback`."}},
	// Same origin: fetch runs without CORS (no Origin on GET, no
	// preflight, every header readable) until a redirect leaves the
	// origin; from that hop on CORS applies, and a second hop to yet
	// another origin taints the request (Origin: null).
	{Name: "same-get", SameOrigin: true, Actual: Reply{Headers: [][2]string{h("X-Secret", "1"), h("Set-Cookie", "a=1")}},
		Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "date", "x-secret"}}},
	{Name: "same-404", SameOrigin: true, Actual: Reply{Status: 404}, Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "date"}}},
	{Name: "same-put-custom", SameOrigin: true, Method: "PUT", Headers: [][2]string{h("X-Api-Key", "k"), h("Content-Type", "application/json")}, HasBody: true, Body: "{}",
		Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "date"}}},
	{Name: "same-post", SameOrigin: true, Method: "POST", HasBody: true, Body: "a=1", Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "date"}}},
	{Name: "same-creds", SameOrigin: true, Credentials: true, Actual: Reply{Headers: [][2]string{h("X-A", "1")}},
		Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "date", "x-a"}}},
	{Name: "same-redirect-same", SameOrigin: true, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "/s/{name}-target")}}, Target: Reply{Headers: [][2]string{h("X-A", "1")}},
		Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "date", "x-a"}, Requests: 2, Target: Reached{Method: "GET"}}},
	{Name: "same-redirect-api-star", SameOrigin: true, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "{api}/s/{name}-target")}}, Target: Reply{Headers: with(star, h("X-A", "1"))},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "same-redirect-api-none", SameOrigin: true, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "{api}/s/{name}-target")}},
		Want: Want{Console: noneAllow, At: "{api}/s/{name}-target", Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
	{Name: "same-redirect-api-put", SameOrigin: true, Method: "PUT", Actual: Reply{Status: 307, Headers: [][2]string{h("Location", "{api}/s/{name}-target")}},
		Target: Reply{Headers: with(echo, h("Access-Control-Allow-Methods", "PUT"))},
		Want:   Want{Preflight: false, Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Preflight: "{page}", Method: "PUT", Origin: "{page}"}}},
	{Name: "same-redirect-api-put-refused", SameOrigin: true, Method: "PUT", Actual: Reply{Status: 307, Headers: [][2]string{h("Location", "{api}/s/{name}-target")}},
		Target: Reply{Headers: star},
		Want:   Want{Console: method("PUT"), At: "{api}/s/{name}-target", Requests: 1, Target: Reached{Preflight: "{page}"}}},
	{Name: "same-redirect-api-header", SameOrigin: true, Headers: [][2]string{h("X-Api-Key", "k")}, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "{api}/s/{name}-target")}},
		Target: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-api-key"))},
		Want:   Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Preflight: "{page}", Method: "GET", Origin: "{page}"}}},
	{Name: "same-redirect-api-other", SameOrigin: true, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "{api}/s/{name}-hop")}},
		Hop: Reply{Status: 302, Headers: with(star, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: echo},
		Want: Want{Allowed: true, Readable: basicRead, Requests: 3, Target: Reached{Method: "GET", Origin: "null"}}},
	{Name: "same-redirect-api-other-page-only", SameOrigin: true, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "{api}/s/{name}-hop")}},
		Hop: Reply{Status: 302, Headers: with(star, h("Location", "{other}/s/{name}-target"))}, Target: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "{page}")}},
		Want: Want{Console: mismatch("{page}"), At: "{other}/s/{name}-target", Requests: 3, Target: Reached{Method: "GET", Origin: "null"}}},
	{Name: "same-redirect-api-back", SameOrigin: true, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "{api}/s/{name}-hop")}},
		Hop: Reply{Status: 302, Headers: with(star, h("Location", "{page}/s/{name}-target"))}, Target: Reply{Headers: [][2]string{h("X-A", "1")}},
		Want: Want{Console: noneAllow, At: "{page}/s/{name}-target", Requests: 3, Target: Reached{Method: "GET", Origin: "null"}}},
}
