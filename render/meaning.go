package render

import "fmt"

// This file is the only place that knows what status codes mean. It is a
// stop-gap until the explain knowledge base exists; keep it self-contained
// so swapping it out touches one file.

// statusMeaning is one line on what a status code means and what to do:
// the class's sentence, then the code's own when it is a common one.
// Both are kept short so the line fits a 100-column terminal.
func statusMeaning(code int) string {
	class := classMeaning(code)
	if m, ok := codeMeanings[code]; ok {
		return fmt.Sprintf("%s · %d: %s", class, code, m)
	}
	return class
}

func classMeaning(code int) string {
	switch code / 100 {
	case 1:
		return "1xx: interim — the final response follows"
	case 2:
		return "2xx: success — the server did what was asked"
	case 3:
		return "3xx: redirect — see Location; -L follows it"
	case 4:
		return "4xx: the request was refused — fix the request"
	case 5:
		return "5xx: the server failed — retry or fix the server"
	}
	return fmt.Sprintf("%d is outside 100–599: not a valid HTTP status", code)
}

// codeMeanings covers the codes people actually meet.
var codeMeanings = map[int]string{
	100: "go ahead and send the body",
	101: "switching protocols (WebSocket, h2c)",
	103: "early hints: preload these while waiting",
	200: "the body is what you asked for",
	201: "created; Location names the new resource",
	202: "accepted, but not done yet",
	204: "done; there is deliberately no body",
	206: "part of the resource, as asked (Range)",
	301: "moved for good; update your links",
	302: "elsewhere for now; keep this URL",
	303: "GET the other URL (typical after a POST)",
	304: "not modified: your cached copy is good",
	307: "same method and body, elsewhere for now",
	308: "moved for good; same method and body",
	400: "malformed request; check syntax and body",
	401: "credentials missing or wrong (-u)",
	403: "forbidden; other credentials might help",
	404: "nothing at this URL; check the path",
	405: "method not allowed; see the Allow header",
	406: "nothing matches your Accept headers",
	408: "the server gave up waiting for you",
	409: "conflicts with the resource's state",
	410: "gone for good, on purpose",
	413: "the body is too large for the server",
	415: "this Content-Type is not accepted",
	422: "well-formed, but the content is invalid",
	429: "too many requests; see Retry-After",
	500: "unexpected error; see the server's logs",
	501: "the server does not support this",
	502: "a gateway got a bad upstream answer",
	503: "unavailable for now; see Retry-After",
	504: "a gateway timed out waiting upstream",
}
