package cors

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits of the CORS-safelisted request-header rules (Fetch standard).
const (
	maxSafelistedValue = 128  // bytes per value
	maxSafelistedTotal = 1024 // bytes over all safelisted values together
)

// safelistedMethod: GET, HEAD and POST never need a preflight. The compare
// is byte for byte; fetch() has already upper-cased them.
func safelistedMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "POST" }

// unsafeHeaderReason returns why a header (lower-case name) is not a
// CORS-safelisted request-header, or "" when it is. The rules are the
// standard's plus Chromium's client hints, checked against Chromium 156.
func unsafeHeaderReason(name, value string) string {
	check, ok := safelistRules[name]
	if !ok || name == "user-agent" {
		return name + " is not a CORS-safelisted header"
	}
	if len(value) > maxSafelistedValue {
		return fmt.Sprintf("%s: the value is %d bytes (safelisted values are at most %d)", name, len(value), maxSafelistedValue)
	}
	if why := check(value); why != "" {
		return name + ": " + why
	}
	return ""
}

// unsafeHeaderReason is the package rule as r's engine applies it:
// Firefox has no client hints in its safelist, and takes no byte above
// 0x7F in Accept.
func (r *Request) unsafeHeaderReason(name, value string) string {
	if r.firefox() {
		if chromiumOnly(name) {
			return name + " is not a CORS-safelisted header in Firefox (client hints are Chromium's)"
		}
		if name == "accept" && strings.ContainsFunc(value, func(c rune) bool { return c > 0x7f }) && len(value) <= maxSafelistedValue {
			return "accept: Firefox does not safelist bytes above 0x7F in Accept (the standard does)"
		}
	}
	return unsafeHeaderReason(name, value)
}

// safelistRules maps each safelisted name to its value rule.
var safelistRules = map[string]func(string) string{
	"accept":           noUnsafeBytes,
	"accept-language":  languageValue,
	"content-language": languageValue,
	"content-type":     contentTypeValue,
	"range":            rangeValue,
	// Chromium's client hints (not in the standard; Firefox preflights them).
	"dpr":            decimalValue,
	"device-memory":  decimalValue,
	"downlink":       decimalValue,
	"width":          integerValue,
	"viewport-width": integerValue,
	"rtt":            integerValue,
	"ect":            oneOf("slow-2g", "2g", "3g", "4g"),
	"save-data":      oneOf("on"),
}

// chromiumOnly lists the safelisted names that only Chromium safelists.
func chromiumOnly(name string) bool {
	switch name {
	case "accept", "accept-language", "content-language", "content-type", "range":
		return false
	}
	_, ok := safelistRules[name]
	return ok
}

// unsafeByte is a CORS-unsafe request-header byte.
func unsafeByte(c byte) bool {
	return c < 0x20 && c != '\t' || c == 0x7f || strings.IndexByte(`"():<>?@[\]{}`, c) >= 0
}

func noUnsafeBytes(v string) string {
	for i := 0; i < len(v); i++ {
		if unsafeByte(v[i]) {
			return fmt.Sprintf("the value contains %s, a byte CORS treats as unsafe", quoteByte(v[i]))
		}
	}
	return ""
}

func languageValue(v string) string {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || strings.IndexByte(" *,-.;=", c) >= 0) {
			return fmt.Sprintf("the value contains %s (only letters, digits, space and *,-.;= are safelisted)", quoteByte(c))
		}
	}
	return ""
}

// safeContentTypes are the MIME essences a simple request may carry.
var safeContentTypes = []string{"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}

func contentTypeValue(v string) string {
	if why := noUnsafeBytes(v); why != "" {
		return why
	}
	essence, ok := mimeEssence(v)
	if !ok {
		return strconv.Quote(v) + " does not parse as a MIME type"
	}
	for _, s := range safeContentTypes {
		if essence == s {
			return ""
		}
	}
	return strconv.Quote(essence) + " is not one of " + strings.Join(safeContentTypes, ", ")
}

// mimeEssence runs the start of the standard's "parse a MIME type": the
// type and subtype must be tokens. Parameters never make it fail.
func mimeEssence(v string) (string, bool) {
	v = strings.Trim(v, " \t\r\n")
	typ, rest, ok := strings.Cut(v, "/")
	if !ok || !isToken(typ) {
		return "", false
	}
	sub, _, _ := strings.Cut(rest, ";")
	sub = strings.TrimRight(sub, " \t\r\n")
	if !isToken(sub) {
		return "", false
	}
	return strings.ToLower(typ + "/" + sub), true
}

// rangeValue accepts only "bytes=N-" and "bytes=N-M" with N <= M: the
// forms browsers themselves have sent.
func rangeValue(v string) string {
	const bad = "only bytes=N- and bytes=N-M (N <= M, no spaces) are safelisted"
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return bad
	}
	start, end, ok := strings.Cut(spec, "-")
	if !ok || !allDigits(start) || end != "" && !allDigits(end) {
		return bad
	}
	if end != "" && cmpDecimal(start, end) > 0 {
		return bad
	}
	return ""
}

func decimalValue(v string) string {
	whole, frac, dot := strings.Cut(v, ".")
	if !allDigits(whole) || dot && !allDigits(frac) {
		return "Chromium safelists this client hint only with a non-negative decimal number"
	}
	return ""
}

func integerValue(v string) string {
	if !allDigits(v) {
		return "Chromium safelists this client hint only with a non-negative integer"
	}
	return ""
}

func oneOf(values ...string) func(string) string {
	return func(v string) string {
		for _, ok := range values {
			if v == ok {
				return ""
			}
		}
		return "Chromium safelists this client hint only with the value " + strings.Join(values, ", ")
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cmpDecimal compares two digit strings as numbers of any length.
func cmpDecimal(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func quoteByte(c byte) string {
	if c < 0x20 || c == 0x7f {
		return fmt.Sprintf("the control byte 0x%02x", c)
	}
	return "'" + string(c) + "'"
}
