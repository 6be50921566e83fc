package cors

import "strings"

// forbiddenNames are the request headers script cannot set (Fetch
// "forbidden request-header", plus Chromium's own: it still forbids
// User-Agent, which the standard allows since 2015 and Firefox honours).
var forbiddenNames = map[string]bool{
	"accept-charset": true, "accept-encoding": true,
	"access-control-request-headers": true, "access-control-request-method": true,
	"access-control-request-private-network": true,
	"connection":                             true, "content-length": true, "cookie": true, "cookie2": true,
	"date": true, "dnt": true, "expect": true, "host": true, "keep-alive": true,
	"origin": true, "referer": true, "set-cookie": true, "te": true, "trailer": true,
	"transfer-encoding": true, "upgrade": true, "via": true,
	"user-agent": true, // Chromium only; see userAgentWarning
}

// methodOverrides are forbidden only when they name a forbidden method.
var methodOverrides = map[string]bool{
	"x-http-method": true, "x-http-method-override": true, "x-method-override": true,
}

// forbiddenHeader returns why script cannot set a header (lower-case
// name), or "" when it can.
func forbiddenHeader(lower, value string) string {
	switch {
	case forbiddenNames[lower]:
		return "it is a forbidden request header"
	case strings.HasPrefix(lower, "sec-"), strings.HasPrefix(lower, "proxy-"):
		return "names starting with Sec- or Proxy- are reserved for the browser"
	case methodOverrides[lower]:
		for m := range strings.SplitSeq(value, ",") {
			switch strings.ToUpper(strings.Trim(m, " \t")) {
			case "CONNECT", "TRACE", "TRACK":
				return "it names a forbidden method"
			}
		}
	}
	return ""
}
