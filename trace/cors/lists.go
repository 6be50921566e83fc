package cors

import (
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Response header names the checks read.
const (
	hACAO   = "Access-Control-Allow-Origin"
	hACAC   = "Access-Control-Allow-Credentials"
	hACAM   = "Access-Control-Allow-Methods"
	hACAH   = "Access-Control-Allow-Headers"
	hACEH   = "Access-Control-Expose-Headers"
	hMaxAge = "Access-Control-Max-Age"
	hVary   = "Vary"
)

// headerValue returns all field lines of name joined with ", ", each
// trimmed of spaces and tabs, as Chromium's GetNormalizedHeader does: two
// Access-Control-Allow-Origin lines read as one value with a comma.
func headerValue(hs []trace.Header, name string) (string, bool) {
	var vals []string
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			vals = append(vals, strings.Trim(h.Value, " \t"))
		}
	}
	return strings.Join(vals, ", "), vals != nil
}

// ParseTokenList parses a comma-separated list of tokens (the syntax of
// Access-Control-Allow-Methods, -Allow-Headers and -Expose-Headers) the
// way Chromium does: elements are trimmed of spaces and tabs, empty
// elements are skipped, and a single element that is not a token makes
// the whole list fail (ok is false, items nil). The input is untrusted.
func ParseTokenList(v string) (items []string, ok bool) {
	for e := range strings.SplitSeq(v, ",") {
		e = strings.Trim(e, " \t")
		if e == "" {
			continue
		}
		if !isToken(e) {
			return nil, false
		}
		items = append(items, e)
	}
	return items, true
}

// headerList parses a list header of a response. A missing header is an
// empty list that parsed.
func headerList(hs []trace.Header, name string) (items []string, raw string, ok bool) {
	raw, present := headerValue(hs, name)
	if !present {
		return nil, "", true
	}
	items, ok = ParseTokenList(raw)
	return items, raw, ok
}

// containsFold reports whether list holds s, ignoring ASCII case.
func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
