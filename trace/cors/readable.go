package cors

import (
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// safelistedResponse are the response headers script can always read.
var safelistedResponse = map[string]bool{
	"cache-control": true, "content-language": true, "content-length": true,
	"content-type": true, "expires": true, "last-modified": true, "pragma": true,
}

// AllHeaders lists the response headers script reads from a same-origin
// response ("basic" filtering): every one but Set-Cookie and Set-Cookie2.
func AllHeaders(resp *trace.Response) []string {
	var out []string
	for _, h := range resp.Headers {
		if name := strings.ToLower(h.Name); name != "set-cookie" && name != "set-cookie2" {
			out = append(out, name)
		}
	}
	return sortedUnique(out)
}

// ReadableHeaders lists the response headers script can read from a CORS
// response: the safelisted ones and those named by
// Access-Control-Expose-Headers, or all of them for "*" when the request
// has no credentials (with credentials "*" names a header called "*").
// Set-Cookie is never readable. Names are lower case, sorted, unique, and
// only of headers the response has. A list that does not parse exposes
// nothing (Chromium 156).
func ReadableHeaders(resp *trace.Response, creds bool) []string {
	exposed, _, ok := headerList(resp.Headers, hACEH)
	if !ok {
		exposed = nil
	}
	all := !creds && contains(exposed, "*")
	var out []string
	for _, h := range resp.Headers {
		name := strings.ToLower(h.Name)
		if name == "set-cookie" || name == "set-cookie2" {
			continue
		}
		if all || safelistedResponse[name] || containsFold(exposed, name) {
			out = append(out, name)
		}
	}
	return sortedUnique(out)
}
