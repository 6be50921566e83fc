package corslab

import "strconv"

// wptScenarios follow web-platform-tests' fetch/api/cors and cors/
// suites (cors-preflight*.any.js, cors-preflight-status.any.js,
// cors-preflight-star.any.js, cors-preflight-response-validation.any.js,
// cors-expose-star.sub.any.js, cors-redirect*.any.js,
// cors-safelisted-request-header.any.js), rewritten as loopback
// scenarios of this lab.
var wptScenarios = concat(
	preflightStatusScenarios(),
	[]Scenario{
		// Methods: fetch() upper-cases only the six names.
		{Name: "wpt-method-chicken-allowed", Method: "chicken", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "chicken"))}, Actual: Reply{Headers: star},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		{Name: "wpt-method-chicken-upper", Method: "chicken", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "CHICKEN"))},
			Want: Want{Preflight: true, Console: method("chicken")}},
		{Name: "wpt-method-patch-mixed", Method: "patcH", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "patcH"))}, Actual: Reply{Headers: star},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		{Name: "wpt-method-get-lower", Method: "get", Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
		{Name: "wpt-method-post-lower", Method: "post", HasBody: true, Body: "x", Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
		{Name: "wpt-method-options", Method: "options", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "OPTIONS"))},
			Want: Want{Preflight: true, Allowed: true, Status: 204}}, // the lab answers the OPTIONS itself as a preflight
		{Name: "wpt-method-delete-refused", Method: "DELETE", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "GET, PUT"))},
			Want: Want{Preflight: true, Console: method("DELETE")}},
		// Header lists: sorted, lower-cased names.
		{Name: "wpt-headers-sorted", Headers: [][2]string{h("x-test-header1", "v"), h("x-test-header65536", "v"), h("X-test-header2", "v"), h("x-test-header-b", "v"), h("x-test-header-D", "v"), h("x-test-header-C", "v"), h("x-test-header-a", "v"), h("Content-Type", "v")},
			Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "content-type, x-test-header-a, x-test-header-b, x-test-header-c, x-test-header-d, x-test-header1, x-test-header2, x-test-header65536"))}, Actual: Reply{Headers: star},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		{Name: "wpt-safe-headers", Headers: [][2]string{h("Accept", "*"), h("Accept-Language", "bzh"), h("Content-Language", "eu")}, Actual: Reply{Headers: star},
			Want: Want{Allowed: true, Readable: basicRead}},
		// "*" in the lists (cors-preflight-star).
		{Name: "wpt-star-method-custom", Method: "SUPER", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "*"))}, Actual: Reply{Headers: star},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		{Name: "wpt-star-headers-two", Headers: [][2]string{h("X-Pink-Unicorn", "1"), h("X-Shimmering", "1")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "*"))}, Actual: Reply{Headers: star},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		{Name: "wpt-star-both-creds", Credentials: true, Method: "PUT", Headers: [][2]string{h("X-A", "1")},
			Preflight: Reply{Headers: with(echoCreds, h("Access-Control-Allow-Methods", "*"), h("Access-Control-Allow-Headers", "*"))},
			Want:      Want{Preflight: true, Console: method("PUT")}},
		{Name: "wpt-star-headers-creds-listed", Credentials: true, Headers: [][2]string{h("X-A", "1")},
			Preflight: Reply{Headers: with(echoCreds, h("Access-Control-Allow-Headers", "*, x-a"))}, Actual: Reply{Headers: echoCreds},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		{Name: "wpt-star-method-creds-listed", Credentials: true, Method: "PUT",
			Preflight: Reply{Headers: with(echoCreds, h("Access-Control-Allow-Methods", "*, PUT"))}, Actual: Reply{Headers: echoCreds},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		// Lists that do not parse (cors-preflight-response-validation).
		{Name: "wpt-methods-trailing-comma", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT,"))}, Actual: Reply{Headers: star},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		{Name: "wpt-methods-parens", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "(PUT)"))},
			Want: Want{Preflight: true, Console: "Cannot parse Access-Control-Allow-Methods response header field in preflight response."}},
		{Name: "wpt-headers-space-inside", Headers: [][2]string{h("X-A", "1")}, Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-a x-b"))},
			Want: Want{Preflight: true, Console: "Cannot parse Access-Control-Allow-Headers response header field in preflight response."}},
		{Name: "wpt-headers-bad-unused", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Headers", "x-a/b"), h("Access-Control-Allow-Methods", "PUT"))}, Method: "PUT",
			Want: Want{Preflight: true, Console: "Cannot parse Access-Control-Allow-Headers response header field in preflight response."}},
		// Max-Age values do not decide the verdict.
		{Name: "wpt-max-age-negative", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"), h("Access-Control-Max-Age", "-1"))}, Actual: Reply{Headers: star},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		{Name: "wpt-max-age-text", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"), h("Access-Control-Max-Age", "abc"))}, Actual: Reply{Headers: star},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		// Exposed headers (cors-expose-star).
		{Name: "wpt-expose-star-and-name-creds", Credentials: true, Actual: Reply{Headers: with(echoCreds, h("Access-Control-Expose-Headers", "*, x-b"), h("X-A", "1"), h("X-B", "1"))},
			Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "x-b"}}},
		{Name: "wpt-expose-authorization-star", Actual: Reply{Headers: with(star, h("Access-Control-Expose-Headers", "*"), h("Authorization", "x"))},
			Want: Want{Allowed: true, Readable: []string{"access-control-allow-origin", "access-control-expose-headers", "authorization", "content-length", "content-type", "date"}}},
		{Name: "wpt-expose-case", Actual: Reply{Headers: with(star, h("Access-Control-Expose-Headers", "X-UPPER"), h("x-upper", "1"))},
			Want: Want{Allowed: true, Readable: []string{"content-length", "content-type", "x-upper"}}},
		// Allow-Origin values (cors-origin, cors/origin.htm).
		{Name: "wpt-acao-other-port", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "http://"+PageHost+":{apiport}")}}, Want: Want{Console: mismatch("http://" + PageHost + ":{apiport}")}},
		{Name: "wpt-acao-default-port", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "http://"+PageHost+":80")}}, Want: Want{Console: mismatch("http://" + PageHost + ":80")}},
		{Name: "wpt-acao-subdomain", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "http://www.{pagehost}")}}, Want: Want{Console: mismatch("http://www.{pagehost}")}},
		{Name: "wpt-acao-star-comma", Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "*, {origin}")}},
			Want: Want{Console: "The 'Access-Control-Allow-Origin' header contains multiple values '*, {page}', but only one is allowed." + validValue}},
		{Name: "wpt-acac-quoted", Credentials: true, Actual: Reply{Headers: with(echo, h("Access-Control-Allow-Credentials", `"true"`))},
			Want: Want{Console: "The value of the 'Access-Control-Allow-Credentials' header in the response is '\"true\"' which must be 'true' when the request's credentials mode is 'include'."}},
		{Name: "wpt-acac-one", Credentials: true, Actual: Reply{Headers: with(echo, h("Access-Control-Allow-Credentials", "1"))},
			Want: Want{Console: "The value of the 'Access-Control-Allow-Credentials' header in the response is '1' which must be 'true' when the request's credentials mode is 'include'."}},
		// Safelisted values (cors-safelisted-request-header).
		{Name: "wpt-range-ok", Headers: [][2]string{h("Range", "bytes=100-200")}, Actual: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead}},
		{Name: "wpt-range-reversed", Headers: [][2]string{h("Range", "bytes=200-100")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("range")}},
		{Name: "wpt-range-two", Headers: [][2]string{h("Range", "bytes=0-1,5-6")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("range")}},
		{Name: "wpt-content-type-garbage", Method: "POST", HasBody: true, Body: "x", Headers: [][2]string{h("Content-Type", "text/plain;garbage")}, Actual: Reply{Headers: star},
			Want: Want{Allowed: true, Readable: basicRead}},
		{Name: "wpt-content-type-space", Method: "POST", HasBody: true, Body: "x", Headers: [][2]string{h("Content-Type", "text /plain")}, Preflight: Reply{Headers: star},
			Want: Want{Preflight: true, Console: header("content-type")}},
		{Name: "wpt-content-type-del", Method: "POST", HasBody: true, Body: "x", Headers: [][2]string{h("Content-Type", "text/plain;\x7f")}, Preflight: Reply{Headers: star},
			Want: Want{Preflight: true, Console: header("content-type")}},
		{Name: "wpt-content-type-form", Method: "POST", HasBody: true, Body: "a=1", Headers: [][2]string{h("Content-Type", "application/x-www-form-urlencoded")}, Actual: Reply{Headers: star},
			Want: Want{Allowed: true, Readable: basicRead}},
		{Name: "wpt-content-language-at", Headers: [][2]string{h("Content-Language", "de@x")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("content-language")}},
		{Name: "wpt-last-event-id", Headers: [][2]string{h("Last-Event-ID", "1")}, Preflight: Reply{Headers: star}, Want: Want{Preflight: true, Console: header("last-event-id")}},
		// Redirect statuses (cors-redirect): every hop lets the origin in.
		{Name: "wpt-redirect-308-put", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))},
			Actual: Reply{Status: 308, Headers: with(star, h("Location", "/s/{name}-target"))}, Target: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Preflight: "{page}", Method: "PUT", Origin: "{page}"}}},
		{Name: "wpt-redirect-301-post", Method: "POST", HasBody: true, Body: "a=1", Actual: Reply{Status: 301, Headers: with(star, h("Location", "/s/{name}-target"))}, Target: Reply{Headers: star},
			Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
		{Name: "wpt-redirect-302-put", Method: "PUT", Preflight: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))},
			Actual: Reply{Status: 302, Headers: with(star, h("Location", "/s/{name}-target"))}, Target: Reply{Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))},
			Want: Want{Preflight: true, Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Preflight: "{page}", Method: "PUT", Origin: "{page}"}}},
		{Name: "wpt-redirect-other-two-hops", Actual: to302("{other}/s/{name}-hop"), Hop: to302("{api}/s/{name}-target"), Target: Reply{Headers: star},
			Want: Want{Allowed: true, Readable: basicRead, Requests: 3, Target: Reached{Method: "GET", Origin: "null"}}},
		{Name: "wpt-redirect-creds-null-ok", Credentials: true, Actual: Reply{Status: 302, Headers: with(echoCreds, h("Location", "{other}/s/{name}-target"))},
			Target: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "null"), h("Access-Control-Allow-Credentials", "true")}},
			Want:   Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}},
		// Chains and origins mixed.
		{Name: "chain-same-303-post", SameOrigin: true, Method: "POST", HasBody: true, Body: "a=1", Actual: Reply{Status: 303, Headers: [][2]string{h("Location", "{api}/s/{name}-target")}},
			Target: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
		{Name: "chain-same-creds-to-api", SameOrigin: true, Credentials: true, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "{api}/s/{name}-target")}},
			Target: Reply{Headers: echoCreds}, Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
		{Name: "chain-same-creds-to-api-star", SameOrigin: true, Credentials: true, Actual: Reply{Status: 302, Headers: [][2]string{h("Location", "{api}/s/{name}-target")}},
			Target: Reply{Headers: with(star, h("Access-Control-Allow-Credentials", "true"))},
			Want:   Want{Console: wildcardCr, At: "{api}/s/{name}-target", Requests: 2, Target: Reached{Method: "GET", Origin: "{page}"}}},
		{Name: "chain-api-page-other", Actual: to302("{page}/s/{name}-hop"), Hop: to302("{other}/s/{name}-target"), Target: Reply{Headers: star},
			Want: Want{Allowed: true, Readable: basicRead, Requests: 3, Target: Reached{Method: "GET", Origin: "null"}}},
		{Name: "chain-307-post-other", Method: "POST", HasBody: true, Body: "a=1", Actual: Reply{Status: 307, Headers: with(echo, h("Location", "{other}/s/{name}-target"))},
			Target: Reply{Headers: star}, Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "POST", Origin: "null"}}},
		{Name: "chain-sandbox-redirect", Sandbox: true, Actual: to302("{other}/s/{name}-target"), Target: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "null")}},
			Want: Want{Allowed: true, Readable: basicRead, Requests: 2, Target: Reached{Method: "GET", Origin: "null"}}},
		{Name: "chain-sandbox-put", Sandbox: true, Method: "PUT", Preflight: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "null"), h("Access-Control-Allow-Methods", "PUT")}},
			Actual: Reply{Headers: [][2]string{h("Access-Control-Allow-Origin", "null")}}, Want: Want{Preflight: true, Allowed: true, Readable: basicRead}},
		{Name: "preflight-302-no-location", Method: "PUT", Preflight: Reply{Status: 302, Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))}, Want: Want{Preflight: true, Console: notOK}},
		{Name: "head-expose", Method: "HEAD", Actual: Reply{Headers: with(star, h("Access-Control-Expose-Headers", "x-a"), h("X-A", "1"))}, Want: Want{Allowed: true, Readable: []string{"x-a"}}},
		{Name: "wpt-status-204", Actual: Reply{Status: 204, Headers: star}, Want: Want{Allowed: true, Readable: []string{}, Status: 204}},
		{Name: "wpt-status-206", Actual: Reply{Status: 206, Headers: star}, Want: Want{Allowed: true, Readable: basicRead, Status: 206}},
	},
)

// preflightStatusScenarios: the preflight passes on 200-299 only
// (cors-preflight-status.any.js).
func preflightStatusScenarios() []Scenario {
	var out []Scenario
	for _, st := range []int{200, 201, 202, 203, 205, 206, 299, 300, 400, 401, 404, 500, 503} {
		s := Scenario{Name: "wpt-preflight-status-" + strconv.Itoa(st), Method: "PUT",
			Preflight: Reply{Status: st, Headers: with(star, h("Access-Control-Allow-Methods", "PUT"))}, Actual: Reply{Headers: star}}
		if st <= 299 {
			s.Want = Want{Preflight: true, Allowed: true, Readable: basicRead}
		} else {
			s.Want = Want{Preflight: true, Console: notOK}
		}
		out = append(out, s)
	}
	return out
}

func concat(parts ...[]Scenario) []Scenario {
	var out []Scenario
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
