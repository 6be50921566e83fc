// Package annotate explains a traced exchange: it reads each hop's request
// and response and adds trace.Note values about the status code, caching
// (RFC 9111), cookies (RFC 6265bis), security headers (with an
// Observatory-style score) and credentials (Basic, Bearer JWT,
// WWW-Authenticate challenges).
//
// The package does no I/O and prints nothing. Secrets stay out of the notes:
// a cookie's value, a Basic password and a JWT's signature never appear in a
// Note message.
//
// The parsers it is built on are exported so renderers and other commands
// can reuse them: ParseCacheControl, ParseSetCookie, DecodeJWT,
// ParseChallenges, Freshness and SecurityScore.
package annotate

import (
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reqtrace/reqtrace/trace"
)

// Result adds notes to every hop of r, as of now (for ages and expiry).
// The notes are appended to whatever Hop.Notes already holds, so call it
// once per result.
//
// When r.Started is set, each hop is assumed to start where the previous one
// ended; otherwise each hop is assumed to have just finished at now.
func Result(r *trace.Result, now time.Time) {
	if r == nil {
		return
	}
	start := r.Started
	for i := range r.Hops {
		h := &r.Hops[i]
		hs := now.Add(-h.Timings.Total)
		if !start.IsZero() {
			hs = start
			start = start.Add(h.Timings.Total)
		}
		h.Notes = append(h.Notes, hopNotes(h, hs, now)...)
	}
	if n := len(r.Hops); n > 0 && r.Revalidation != nil {
		r.Hops[n-1].Notes = append(r.Hops[n-1].Notes, revalidationNote(&r.Hops[n-1], r.Revalidation))
	}
}

// revalidationNote says what the conditional request of --revalidate
// showed: a 304 means caches can renew their copy for the cost of a head.
func revalidationNote(h, rv *trace.Hop) trace.Note {
	sent := ""
	for _, f := range rv.Request.Headers {
		if strings.EqualFold(f.Name, "If-None-Match") || strings.EqualFold(f.Name, "If-Modified-Since") {
			sent += ", " + textproto.CanonicalMIMEHeaderKey(f.Name)
		}
	}
	sent = strings.TrimPrefix(sent, ", ")
	subject := "ETag"
	if !strings.Contains(sent, "If-None-Match") {
		subject = "Last-Modified"
	}
	switch {
	case rv.Err != nil:
		return note("cache.revalidation", trace.NoteCaching, trace.LevelWarn, subject,
			"The conditional request (%s) failed: %s", sent, rv.Err.Message)
	case rv.Response.Status == 304:
		full := int64(0)
		if h.Response != nil {
			full = h.Response.BodyBytes
		}
		return note("cache.revalidation", trace.NoteCaching, trace.LevelGood, subject,
			"Revalidation works: with %s the server answered 304 Not Modified in %s, saving the %d-byte body.",
			sent, rv.Timings.Total.Round(time.Microsecond), full)
	case rv.Response.Status/100 == 2:
		return note("cache.revalidation", trace.NoteCaching, trace.LevelWarn, subject,
			"The server ignored %s and sent the whole %d-byte body again (%d): caches gain nothing from the validators; make it answer 304 when they match.",
			sent, rv.Response.BodyBytes, rv.Response.Status)
	}
	return note("cache.revalidation", trace.NoteCaching, trace.LevelInfo, subject,
		"The conditional request (%s) got %d.", sent, rv.Response.Status)
}

// Hop computes the notes for one hop, as of now. The hop is assumed to have
// just finished: it started Timings.Total before now.
func Hop(h *trace.Hop, now time.Time) []trace.Note {
	if h == nil {
		return nil
	}
	return hopNotes(h, now.Add(-h.Timings.Total), now)
}

// exchange is what every check needs to know about one hop.
type exchange struct {
	hop    *trace.Hop
	url    *url.URL // nil when the hop's URL does not parse
	https  bool
	req    fields
	resp   fields // nil without a response
	status int    // 0 without a response
	method string // upper case, GET when unknown
	// requestTime and responseTime are the wall-clock times the request
	// was sent and the response began to arrive (RFC 9111, Section 4.2.3).
	requestTime, responseTime time.Time
	now                       time.Time
}

func newExchange(h *trace.Hop, start, now time.Time) *exchange {
	x := &exchange{hop: h, now: now, req: fields(h.Request.Headers)}
	if u, err := url.Parse(h.URL); err == nil {
		x.url = u
		x.https = strings.EqualFold(u.Scheme, "https")
	}
	x.method = strings.ToUpper(strings.TrimSpace(h.Request.Method))
	if x.method == "" {
		x.method = "GET"
	}
	if h.Response != nil {
		x.resp = fields(h.Response.Headers)
		x.status = h.Response.Status
	}
	x.requestTime, x.responseTime = start, start.Add(h.Timings.Total)
	if s := h.Timings.Send; s != nil {
		x.requestTime = start.Add(s.Start)
	}
	if w := h.Timings.Wait; w != nil {
		x.responseTime = start.Add(w.End())
	}
	if x.responseTime.After(now) {
		x.responseTime = now
	}
	if x.requestTime.After(x.responseTime) {
		x.requestTime = x.responseTime
	}
	return x
}

// host is the hop's host name without port, lower case.
func (x *exchange) host() string {
	if x.url == nil {
		return ""
	}
	return strings.ToLower(x.url.Hostname())
}

// secureOrigin reports whether browsers treat the origin as secure for
// cookies: https, or a loopback host (http://localhost counts as
// potentially trustworthy).
func (x *exchange) secureOrigin() bool {
	if x.https {
		return true
	}
	h := x.host()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func hopNotes(h *trace.Hop, start, now time.Time) []trace.Note {
	x := newExchange(h, start, now)
	var notes []trace.Note
	notes = append(notes, statusNotes(x)...)
	notes = append(notes, framingNotes(x)...)
	notes = append(notes, authNotes(x)...)
	if x.hop.Response != nil && x.status >= 200 {
		notes = append(notes, cachingNotes(x)...)
		notes = append(notes, cookieNotes(x)...)
		notes = append(notes, securityNotes(x)...)
	}
	notes = append(notes, timingNotes(x)...)
	notes = append(notes, altSvcNotes(x)...)
	notes = append(notes, httpsRecordNotes(x)...)
	return notes
}

// note builds one Note; the message is a format string.
func note(id, category, level, subject, format string, args ...any) trace.Note {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return trace.Note{ID: id, Category: category, Level: level, Subject: subject, Message: msg}
}

// fields is a header list with case-insensitive lookups.
type fields []trace.Header

// get returns the first value of the named field.
func (f fields) get(name string) (string, bool) {
	for _, h := range f {
		if strings.EqualFold(strings.TrimSpace(h.Name), name) {
			return strings.TrimSpace(h.Value), true
		}
	}
	return "", false
}

// value returns the first value of the named field or "".
func (f fields) value(name string) string {
	v, _ := f.get(name)
	return v
}

func (f fields) has(name string) bool {
	_, ok := f.get(name)
	return ok
}

// all returns every value of the named field, one per field line.
func (f fields) all(name string) []string {
	var out []string
	for _, h := range f {
		if strings.EqualFold(strings.TrimSpace(h.Name), name) {
			out = append(out, strings.TrimSpace(h.Value))
		}
	}
	return out
}

// list returns the comma-separated elements of every line of the named
// field, trimmed, without empty ones. Commas inside quoted strings do not
// split.
func (f fields) list(name string) []string {
	var out []string
	for _, v := range f.all(name) {
		for _, e := range splitQuoted(v, ',') {
			if e = strings.TrimSpace(e); e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}

// splitQuoted splits s at sep, except inside double-quoted strings
// (where a backslash escapes the next byte).
func splitQuoted(s string, sep byte) []string {
	var out []string
	start, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unquote removes the double quotes around s and undoes backslash escapes;
// an unterminated quoted string runs to the end. Other strings come back
// unchanged.
func unquote(s string) string {
	if len(s) == 0 || s[0] != '"' {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isTokenChar reports whether c may appear in an RFC 9110 token.
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isOWS reports whether c is optional whitespace (SP or HTAB).
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// human renders a duration for people: "42s", "5m30s", "3h5m", "400d4h",
// "2y30d" (years only from two years on). Durations of a second or more
// are rounded to the nearest second first. Negative durations are shown by their magnitude.
func human(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d >= time.Second {
		d = d.Round(time.Second)
	}
	s := int64(d / time.Second)
	const (
		minute = 60
		hour   = 60 * minute
		day    = 24 * hour
		year   = 365 * day
	)
	two := func(a int64, ua string, b int64, ub string) string {
		if b == 0 {
			return strconv.FormatInt(a, 10) + ua
		}
		return strconv.FormatInt(a, 10) + ua + strconv.FormatInt(b, 10) + ub
	}
	switch {
	case s < minute:
		if d > 0 && d < time.Second {
			return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
		}
		return strconv.FormatInt(s, 10) + "s"
	case s < hour:
		return two(s/minute, "m", s%minute, "s")
	case s < day:
		return two(s/hour, "h", s%hour/minute, "m")
	case s < 2*year:
		return two(s/day, "d", s%day/hour, "h")
	}
	return two(s/year, "y", s%year/day, "d")
}

// relative says "in 5m" or "5m ago" for t against now.
func relative(t, now time.Time) string {
	if t.After(now) {
		return "in " + human(t.Sub(now))
	}
	return human(now.Sub(t)) + " ago"
}

// stamp formats a time for messages: RFC 3339 in UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// clip shortens s for quoting in a message, so a hostile header cannot
// flood the output.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// upperFirst capitalises the first byte of s (ASCII only).
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// joinAnd joins items as "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// mediaType is the lower-case type/subtype of a Content-Type value.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}
