package annotate

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/reqtrace/reqtrace/trace"
)

// Cookie is one parsed Set-Cookie field (RFC 6265bis, Section 5.6).
// Value holds the cookie's value, which is often a secret: never show it.
type Cookie struct {
	Name  string
	Value string // secret: keep it out of messages and logs

	// Expires is the Expires attribute; zero when absent or unparseable.
	Expires time.Time
	// MaxAge is the Max-Age attribute in seconds when HasMaxAge; zero or
	// less means "delete now".
	MaxAge    int64
	HasMaxAge bool
	// Domain is the Domain attribute, lower case, without a leading dot;
	// empty means host-only.
	Domain string
	// Path is the Path attribute; empty when absent or invalid (the
	// browser then uses the request path's directory).
	Path        string
	Secure      bool
	HttpOnly    bool
	Partitioned bool
	// SameSite is "Strict", "Lax" or "None"; empty when absent or invalid.
	SameSite string
	// SameSiteRaw is the attribute's value as sent when it was present
	// but invalid (treated as unset by browsers).
	SameSiteRaw string
	// Priority is Chromium's non-standard Priority attribute (Low, Medium,
	// High) when present.
	Priority string
	// Unknown lists the names of attributes browsers do not know, as sent.
	Unknown []string
	// Problems lists attributes that were ignored and why (an unparseable
	// Expires, a malformed Max-Age, an empty Domain, a duplicate).
	Problems []string
}

// Cookie parse errors: browsers ignore the whole Set-Cookie line.
var (
	ErrCookieEmpty    = errors.New("empty Set-Cookie")
	ErrCookieNoName   = errors.New("no cookie name and no value")
	ErrCookieControl  = errors.New("control character in the cookie")
	ErrCookieTooLarge = errors.New("name and value together exceed 4096 bytes")
	ErrCookiePrefix   = errors.New("a nameless cookie whose value starts with __Secure- or __Host-")
)

// Limits from RFC 6265bis, Section 5.6.
const (
	maxNameValue = 4096
	maxAttrValue = 1024
	// lifetimeCap is the longest lifetime browsers keep (400 days).
	lifetimeCap = 400 * 24 * time.Hour
)

// ParseSetCookie parses one Set-Cookie field value the way browsers do
// (RFC 6265bis, Section 5.6): the first "name=value" pair, then attributes
// separated by ";". Attribute names are case-insensitive; when one is
// repeated the last occurrence wins. Invalid attributes are ignored and
// recorded in Problems; an error means a browser ignores the whole line.
func ParseSetCookie(value string) (Cookie, error) {
	var c Cookie
	if strings.TrimSpace(value) == "" {
		return c, ErrCookieEmpty
	}
	for i := 0; i < len(value); i++ {
		if b := value[i]; b < 0x20 && b != '\t' || b == 0x7f {
			return c, ErrCookieControl
		}
	}
	pair, attrs, _ := strings.Cut(value, ";")
	if name, val, ok := strings.Cut(pair, "="); ok {
		c.Name, c.Value = trimWS(name), trimWS(val)
	} else {
		c.Value = trimWS(pair)
	}
	switch {
	case c.Name == "" && c.Value == "":
		return Cookie{}, ErrCookieNoName
	case len(c.Name)+len(c.Value) > maxNameValue:
		return Cookie{}, ErrCookieTooLarge
	case c.Name == "" && (hasPrefixFold(c.Value, "__Secure-") || hasPrefixFold(c.Value, "__Host-")):
		return Cookie{}, ErrCookiePrefix
	}
	seen := map[string]bool{}
	for _, av := range strings.Split(attrs, ";") {
		if trimWS(av) == "" {
			continue
		}
		name, val, _ := strings.Cut(av, "=")
		name, val = trimWS(name), trimWS(val)
		key := strings.ToLower(name)
		if seen[key] && knownAttr(key) {
			c.Problems = append(c.Problems, fmt.Sprintf("%s is given more than once; later ones override earlier ones", clip(name, 40)))
		}
		seen[key] = true
		if len(val) > maxAttrValue {
			c.Problems = append(c.Problems, fmt.Sprintf("the %s value is longer than 1024 bytes and is ignored", clip(name, 40)))
			continue
		}
		c.attribute(key, name, val)
	}
	return c, nil
}

// knownAttr reports whether browsers understand the attribute name (lower case).
func knownAttr(key string) bool {
	switch key {
	case "expires", "max-age", "domain", "path", "secure", "httponly", "samesite", "partitioned", "priority":
		return true
	}
	return false
}

// attribute applies one cookie-av (Section 5.6 steps for each attribute).
func (c *Cookie) attribute(key, name, val string) {
	switch key {
	case "expires":
		if t, ok := parseCookieDate(val); ok {
			c.Expires = t
		} else {
			c.Problems = append(c.Problems, fmt.Sprintf("Expires %q is not a date browsers understand; ignored", clip(val, 40)))
		}
	case "max-age":
		n, ok := parseMaxAge(val)
		if !ok {
			c.Problems = append(c.Problems, fmt.Sprintf("Max-Age %q is not a whole number of seconds; ignored", clip(val, 40)))
			return
		}
		c.MaxAge, c.HasMaxAge = n, true
	case "domain":
		if val == "" {
			c.Problems = append(c.Problems, "Domain is empty; ignored")
			return
		}
		c.Domain = strings.ToLower(strings.TrimPrefix(val, "."))
	case "path":
		if val == "" || val[0] != '/' {
			c.Path = ""
			if val != "" {
				c.Problems = append(c.Problems, fmt.Sprintf("Path %q does not start with /; the default path is used", clip(val, 40)))
			}
			return
		}
		c.Path = val
	case "secure":
		c.Secure = true
	case "httponly":
		c.HttpOnly = true
	case "partitioned":
		c.Partitioned = true
	case "samesite":
		switch strings.ToLower(val) {
		case "strict":
			c.SameSite, c.SameSiteRaw = "Strict", ""
		case "lax":
			c.SameSite, c.SameSiteRaw = "Lax", ""
		case "none":
			c.SameSite, c.SameSiteRaw = "None", ""
		default:
			c.SameSite, c.SameSiteRaw = "", clip(val, 40)
		}
	case "priority":
		c.Priority = clip(val, 20)
	default:
		c.Unknown = append(c.Unknown, clip(name, 40))
	}
}

// trimWS removes leading and trailing SP and HTAB.
func trimWS(s string) string { return strings.Trim(s, " \t") }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// parseMaxAge follows Section 5.6.2: an optional "-" then digits only.
func parseMaxAge(v string) (int64, bool) {
	neg := strings.HasPrefix(v, "-")
	digits := strings.TrimPrefix(v, "-")
	if digits == "" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	if neg {
		return 0, true
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil { // overflow: as long as it gets
		n = 1<<63 - 1
	}
	return n, true
}

// isCookieDelimiter is the delimiter set of the cookie-date grammar
// (RFC 6265, Section 5.1.1).
func isCookieDelimiter(c byte) bool {
	return c == 0x09 || c >= 0x20 && c <= 0x2f || c >= 0x3b && c <= 0x40 ||
		c >= 0x5b && c <= 0x60 || c >= 0x7b && c <= 0x7e
}

// leadingDigits returns the value of the 1 to max digits at the start of
// tok and how many there were, requiring at least min and that a non-digit
// (or the end) follows them.
func leadingDigits(tok string, minN, maxN int) (int, bool) {
	n, v := 0, 0
	for n < len(tok) && tok[n] >= '0' && tok[n] <= '9' {
		if n == maxN {
			return 0, false
		}
		v = v*10 + int(tok[n]-'0')
		n++
	}
	return v, n >= minN
}

// parseCookieDate is the lenient cookie-date algorithm of RFC 6265,
// Section 5.1.1, which every browser uses for Expires.
func parseCookieDate(s string) (time.Time, bool) {
	var (
		hour, minute, sec, day, year int
		month                        time.Month
		foundTime, foundDay          bool
		foundMonth, foundYear        bool
	)
	months := []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	for i := 0; i < len(s); {
		for i < len(s) && isCookieDelimiter(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !isCookieDelimiter(s[j]) {
			j++
		}
		tok := s[i:j]
		i = j
		if tok == "" {
			continue
		}
		if !foundTime {
			if h, m, se, ok := parseHMS(tok); ok {
				hour, minute, sec, foundTime = h, m, se, true
				continue
			}
		}
		if !foundDay {
			if d, ok := leadingDigits(tok, 1, 2); ok {
				day, foundDay = d, true
				continue
			}
		}
		if !foundMonth && len(tok) >= 3 {
			for k, m := range months {
				if strings.EqualFold(tok[:3], m) {
					month, foundMonth = time.Month(k+1), true
					break
				}
			}
			if foundMonth {
				continue
			}
		}
		if !foundYear {
			if y, ok := leadingDigits(tok, 2, 4); ok {
				year, foundYear = y, true
				continue
			}
		}
	}
	if !foundTime || !foundDay || !foundMonth || !foundYear {
		return time.Time{}, false
	}
	switch {
	case year >= 70 && year <= 99:
		year += 1900
	case year >= 0 && year <= 69:
		year += 2000
	}
	if day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, month, day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day { // 31 April and the like do not exist
		return time.Time{}, false
	}
	return t, true
}

// parseHMS matches hms-time: 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT, optionally
// followed by a non-digit and anything.
func parseHMS(tok string) (h, m, s int, ok bool) {
	parts := strings.SplitN(tok, ":", 3)
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	var ok1, ok2, ok3 bool
	h, ok1 = exactDigits(parts[0], 2)
	m, ok2 = exactDigits(parts[1], 2)
	s, ok3 = leadingDigits(parts[2], 1, 2)
	return h, m, s, ok1 && ok2 && ok3
}

// exactDigits parses 1 to maxN digits making up all of s.
func exactDigits(s string, maxN int) (int, bool) {
	if s == "" || len(s) > maxN {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// Lifetime is how long a browser keeps the cookie from now: Max-Age wins
// over Expires; session is true when neither is set (kept until the
// browser session ends). A lifetime of zero or less deletes the cookie.
// Lifetimes beyond 400 days are not capped here.
func (c Cookie) Lifetime(now time.Time) (d time.Duration, session bool) {
	switch {
	case c.HasMaxAge:
		if c.MaxAge <= 0 {
			return 0, false
		}
		if c.MaxAge > int64(1<<62/time.Second) {
			return time.Duration(1 << 62), false
		}
		return time.Duration(c.MaxAge) * time.Second, false
	case !c.Expires.IsZero():
		return c.Expires.Sub(now), false
	}
	return 0, true
}

// sessionLike reports whether a cookie name looks like it carries a
// session or credentials (session, sid, token, auth, jwt, login, ...).
// CSRF tokens are excluded: scripts often must read them.
func sessionLike(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "csrf") || strings.Contains(n, "xsrf") {
		return false
	}
	for _, s := range []string{"sess", "token", "auth", "jwt", "login"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	for _, w := range strings.FieldsFunc(n, func(r rune) bool { return r < 'a' || r > 'z' }) {
		if w == "sid" || w == "sessid" {
			return true
		}
	}
	return strings.HasSuffix(n, "sid")
}

// looksLikeJWT reports whether a value has the shape of a JWS compact
// token: three base64url parts, the first starting with "eyJ".
func looksLikeJWT(v string) bool {
	if !strings.HasPrefix(v, "eyJ") || strings.Count(v, ".") != 2 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '=') {
			return false
		}
	}
	return true
}

// cookieLabel names a cookie in messages; a nameless cookie has no label
// of its own, and its value must not stand in for one.
func cookieLabel(c Cookie) string {
	if c.Name == "" {
		return "the nameless cookie"
	}
	return "cookie " + strconv.Quote(clip(c.Name, 60))
}

// cookieNotes parses every Set-Cookie line and adds a summary note per
// cookie plus the warnings browsers would act on.
func cookieNotes(x *exchange) []trace.Note {
	var notes []trace.Note
	type key struct{ name, domain, path string }
	seen := map[key]bool{}
	for _, v := range x.resp.all("Set-Cookie") {
		c, err := ParseSetCookie(v)
		if err != nil {
			notes = append(notes, note("cookie.malformed", trace.NoteCookies, trace.LevelBad, "Set-Cookie",
				"Browsers ignore a Set-Cookie line here: %s.", err))
			continue
		}
		k := key{c.Name, c.Domain, c.Path}
		if seen[k] {
			notes = append(notes, note("cookie.duplicate", trace.NoteCookies, trace.LevelWarn, "Set-Cookie",
				"%s is set more than once in this response; only the last one sticks.", upperFirst(cookieLabel(c))))
		}
		seen[k] = true
		notes = append(notes, cookieChecks(x, c)...)
	}
	return notes
}

// cookieChecks is the summary note and the warnings for one cookie.
func cookieChecks(x *exchange, c Cookie) []trace.Note {
	var warnings []trace.Note
	for _, check := range []func(*exchange, Cookie) []trace.Note{
		cookieSecureChecks, cookiePrefixChecks, cookieDomainCheck, cookieHttpOnlyCheck,
		cookieSameSiteChecks, cookieLifetimeCheck, cookieAttrChecks, cookieJWTCheck,
	} {
		warnings = append(warnings, check(x, c)...)
	}
	rejected := slices.ContainsFunc(warnings, func(n trace.Note) bool { return n.Level == trace.LevelBad })
	return append([]trace.Note{cookieSummary(x, c, rejected)}, warnings...)
}

// cookieSummary lists the cookie's attributes in one line.
func cookieSummary(x *exchange, c Cookie, rejected bool) trace.Note {
	var attrs []string
	flag := func(on bool, yes, no string) {
		if on {
			attrs = append(attrs, yes)
		} else if no != "" {
			attrs = append(attrs, no)
		}
	}
	flag(c.Secure, "Secure", "not Secure")
	flag(c.HttpOnly, "HttpOnly", "readable by scripts (no HttpOnly)")
	switch {
	case c.SameSite != "":
		attrs = append(attrs, "SameSite="+c.SameSite)
	default:
		attrs = append(attrs, "no SameSite (Lax in Chromium)")
	}
	flag(c.Partitioned, "Partitioned", "")
	if c.Domain != "" {
		attrs = append(attrs, "Domain="+clip(c.Domain, 80)+" (sent to its subdomains too)")
	} else {
		attrs = append(attrs, "host-only")
	}
	if c.Path != "" {
		attrs = append(attrs, "Path="+clip(c.Path, 80))
	}
	d, session := c.Lifetime(x.now)
	switch {
	case session:
		attrs = append(attrs, "session cookie (gone when the browser closes)")
	case d <= 0:
		attrs = append(attrs, "deletes the cookie (expiry in the past)")
	case c.HasMaxAge:
		attrs = append(attrs, "expires in "+human(d)+" (Max-Age="+strconv.FormatInt(c.MaxAge, 10)+")")
	default:
		attrs = append(attrs, "expires in "+human(d)+" ("+stamp(c.Expires)+")")
	}
	level, tail := trace.LevelInfo, ""
	switch {
	case rejected:
		tail = " Browsers will not store it (see below)."
	case c.Secure && c.HttpOnly && (c.SameSite == "Lax" || c.SameSite == "Strict"):
		level = trace.LevelGood
	}
	return note("cookie.attributes", trace.NoteCookies, level, "Set-Cookie",
		"%s: %s.%s", upperFirst(cookieLabel(c)), strings.Join(attrs, ", "), tail)
}

// cookieSecureChecks: Secure over http, no Secure over https, Partitioned
// without Secure.
func cookieSecureChecks(x *exchange, c Cookie) []trace.Note {
	var notes []trace.Note
	label := cookieLabel(c)
	switch {
	case c.Secure && !x.secureOrigin():
		notes = append(notes, note("cookie.secure-over-http", trace.NoteCookies, trace.LevelBad, "Set-Cookie",
			"Browsers reject %s: it is marked Secure but was set over plain http.", label))
	case !c.Secure && x.https:
		notes = append(notes, note("cookie.no-secure", trace.NoteCookies, trace.LevelWarn, "Set-Cookie",
			"%s lacks Secure, so the browser also sends it over plain http, where it can be read in transit. Add Secure.", upperFirst(label)))
	}
	if c.Partitioned && !c.Secure {
		notes = append(notes, note("cookie.partitioned-insecure", trace.NoteCookies, trace.LevelBad, "Set-Cookie",
			"Browsers reject %s: Partitioned requires Secure.", label))
	}
	return notes
}

// cookiePrefixChecks applies the __Secure-, __Host-, __Http- and
// __Host-Http- rules (case-insensitive, as browsers do).
func cookiePrefixChecks(x *exchange, c Cookie) []trace.Note {
	label := cookieLabel(c)
	var notes []trace.Note
	bad := func(id string, why []string) {
		notes = append(notes, note(id, trace.NoteCookies, trace.LevelBad, "Set-Cookie",
			"Browsers reject %s: the prefix requires %s.", label, joinAnd(why)))
	}
	host := hasPrefixFold(c.Name, "__Host-")
	switch {
	case host:
		var why []string
		if !c.Secure || !x.secureOrigin() {
			why = append(why, "Secure over https")
		}
		if c.Path != "/" {
			why = append(why, "Path=/")
		}
		if c.Domain != "" {
			why = append(why, "no Domain attribute")
		}
		if len(why) > 0 {
			bad("cookie.host-prefix", why)
		}
	case hasPrefixFold(c.Name, "__Secure-"):
		if !c.Secure || !x.secureOrigin() {
			bad("cookie.secure-prefix", []string{"Secure over https"})
		}
	}
	if (hasPrefixFold(c.Name, "__Http-") || hasPrefixFold(c.Name, "__Host-Http-")) && (!c.HttpOnly || !c.Secure) {
		bad("cookie.http-prefix", []string{"HttpOnly and Secure"})
	}
	return notes
}

// cookieDomainCheck: a Domain that does not cover the host, or is a public
// suffix, makes browsers reject the cookie.
func cookieDomainCheck(x *exchange, c Cookie) []trace.Note {
	host := x.host()
	if c.Domain == "" || host == "" {
		return nil
	}
	label := cookieLabel(c)
	if !domainMatch(host, c.Domain) {
		return []trace.Note{note("cookie.domain-mismatch", trace.NoteCookies, trace.LevelBad, "Set-Cookie",
			"Browsers reject %s: Domain=%s does not cover the host %s.", label, clip(c.Domain, 80), clip(host, 80))}
	}
	if net.ParseIP(c.Domain) == nil && c.Domain != host {
		if ps, _ := publicsuffix.PublicSuffix(c.Domain); ps == c.Domain {
			return []trace.Note{note("cookie.domain-mismatch", trace.NoteCookies, trace.LevelBad, "Set-Cookie",
				"Browsers reject %s: Domain=%s is a public suffix, shared by unrelated sites.", label, clip(c.Domain, 80))}
		}
	}
	return nil
}

// domainMatch is RFC 6265's domain-match: equal, or host ends with
// "."+domain and host is a name, not an IP address.
func domainMatch(host, domain string) bool {
	if host == domain {
		return true
	}
	return net.ParseIP(host) == nil && strings.HasSuffix(host, "."+domain)
}

// cookieHttpOnlyCheck: session-looking cookies should not be readable by
// scripts.
func cookieHttpOnlyCheck(_ *exchange, c Cookie) []trace.Note {
	if c.HttpOnly || !sessionLike(c.Name) {
		return nil
	}
	return []trace.Note{note("cookie.no-httponly", trace.NoteCookies, trace.LevelWarn, "Set-Cookie",
		"%s looks like a session or credential cookie but lacks HttpOnly, so any script on the page (including injected ones) can read it. Add HttpOnly.", upperFirst(cookieLabel(c)))}
}

// cookieSameSiteChecks: None without Secure, invalid values, missing.
func cookieSameSiteChecks(_ *exchange, c Cookie) []trace.Note {
	label := cookieLabel(c)
	switch {
	case c.SameSite == "None" && !c.Secure:
		return []trace.Note{note("cookie.samesite-none-insecure", trace.NoteCookies, trace.LevelBad, "Set-Cookie",
			"Browsers reject %s: SameSite=None requires Secure.", label)}
	case c.SameSiteRaw != "":
		return []trace.Note{note("cookie.samesite-invalid", trace.NoteCookies, trace.LevelWarn, "Set-Cookie",
			"SameSite=%s on %s is not Strict, Lax or None, so browsers treat it as unset (Lax in Chromium).", c.SameSiteRaw, label)}
	case c.SameSite == "":
		return []trace.Note{note("cookie.samesite-missing", trace.NoteCookies, trace.LevelInfo, "Set-Cookie",
			"%s has no SameSite: Chromium treats it as Lax, other browsers may send it on cross-site requests. Set SameSite explicitly.", upperFirst(label))}
	}
	return nil
}

// cookieLifetimeCheck: browsers cap lifetimes at 400 days.
func cookieLifetimeCheck(x *exchange, c Cookie) []trace.Note {
	d, session := c.Lifetime(x.now)
	if session || d <= lifetimeCap {
		return nil
	}
	return []trace.Note{note("cookie.lifetime-cap", trace.NoteCookies, trace.LevelWarn, "Set-Cookie",
		"%s asks to live %s, but browsers cap cookie lifetimes at 400 days.", upperFirst(cookieLabel(c)), human(d))}
}

// cookieAttrChecks: unknown, obsolete and ignored attributes.
func cookieAttrChecks(_ *exchange, c Cookie) []trace.Note {
	var notes []trace.Note
	label := cookieLabel(c)
	for _, p := range c.Problems {
		notes = append(notes, note("cookie.invalid-attr", trace.NoteCookies, trace.LevelWarn, "Set-Cookie",
			"On %s: %s.", label, p))
	}
	if len(c.Unknown) > 0 {
		notes = append(notes, note("cookie.unknown-attr", trace.NoteCookies, trace.LevelWarn, "Set-Cookie",
			"On %s, browsers ignore the unknown attribute(s) %s (Version and Comment are obsolete RFC 2965 leftovers).", label, joinAnd(c.Unknown)))
	}
	return notes
}

// cookieJWTCheck points out a value shaped like a JWT, without showing it.
func cookieJWTCheck(x *exchange, c Cookie) []trace.Note {
	if !looksLikeJWT(c.Value) {
		return nil
	}
	j, err := DecodeJWT(c.Value)
	if err != nil {
		return nil
	}
	msg := fmt.Sprintf("The value of %s is a JWT (alg %s)", cookieLabel(c), clip(j.Alg, 20))
	if !j.ExpiresAt.IsZero() {
		if j.ExpiresAt.After(x.now) {
			msg += ", expiring " + relative(j.ExpiresAt, x.now)
		} else {
			msg += ", expired " + relative(j.ExpiresAt, x.now)
		}
	}
	return []trace.Note{note("cookie.jwt-value", trace.NoteCookies, trace.LevelInfo, "Set-Cookie",
		"%s; its claims are only base64-encoded, readable by anyone who has the cookie.", msg)}
}
