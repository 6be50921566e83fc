package annotate

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/knowledge"
)

// statusNotes explains the status code, flags required headers that are
// missing and says where a redirect leads and with which method.
func statusNotes(x *exchange) []trace.Note {
	if x.hop.Response == nil {
		return nil
	}
	notes := []trace.Note{statusMeaning(x.status)}
	if n := x.hop.Response.HeadersCut; n > 0 {
		notes = append(notes, note("status.headers-cut", trace.NoteStatus, trace.LevelWarn, strconv.Itoa(x.status),
			"%d header line(s) were dropped by the size caps, so notes below about missing headers may be wrong.", n))
	}
	notes = append(notes, missingHeaders(x)...)
	notes = append(notes, redirectNotes(x)...)
	return notes
}

// statusMeaning is the knowledge base's one-line summary of the code.
func statusMeaning(code int) trace.Note {
	subject := strconv.Itoa(code)
	level := trace.LevelInfo
	switch code / 100 {
	case 2:
		level = trace.LevelGood
	case 4:
		level = trace.LevelWarn
	case 5:
		level = trace.LevelBad
	}
	if s, ok := knowledge.LookupStatus(code); ok {
		switch s.State {
		case knowledge.StateUnofficial:
			return note("status.meaning", trace.NoteStatus, level, subject,
				"%d %s (%s, not in the IANA registry): %s", code, s.Reason, s.Vendor, s.Summary)
		case knowledge.StateUnused, knowledge.StateObsolete, knowledge.StateDeprecated:
			return note("status.meaning", trace.NoteStatus, level, subject,
				"%d %s (%s; servers should not send it): %s", code, s.Reason, s.State, s.Summary)
		}
		return note("status.meaning", trace.NoteStatus, level, subject, "%d %s: %s", code, s.Reason, s.Summary)
	}
	if c, ok := knowledge.ClassOf(code); ok {
		return note("status.meaning", trace.NoteStatus, level, subject,
			"%d is not a registered code; clients treat it as %dxx %s. %s", code, code/100, c.Name, c.Summary)
	}
	return note("status.meaning", trace.NoteStatus, trace.LevelBad, subject,
		"%d is outside 100–599, so it is not a valid HTTP status code; clients may reject the response.", code)
}

// requirement is a header a status code needs: MUST ones are bad when
// missing, SHOULD/MAY ones informational.
type requirement struct {
	header string
	level  string
	why    string
}

// requirements maps status codes to the fields that should accompany them
// (RFC 9110, Section 15; RFC 6585 for 429).
var requirements = map[int][]requirement{
	201: {{"Location", trace.LevelInfo, "201 Created should name the new resource in Location; clients cannot find it otherwise."}},
	206: {{"Content-Range", trace.LevelBad, "206 Partial Content needs Content-Range (or a multipart/byteranges body) to say which bytes these are."}},
	300: {{"Location", trace.LevelInfo, "300 Multiple Choices may name the preferred choice in Location; without it clients have to pick from the body."}},
	301: {{"Location", trace.LevelBad, "A 301 redirect without Location leads nowhere; clients cannot follow it."}},
	302: {{"Location", trace.LevelBad, "A 302 redirect without Location leads nowhere; clients cannot follow it."}},
	303: {{"Location", trace.LevelBad, "A 303 redirect without Location leads nowhere; clients cannot follow it."}},
	307: {{"Location", trace.LevelBad, "A 307 redirect without Location leads nowhere; clients cannot follow it."}},
	308: {{"Location", trace.LevelBad, "A 308 redirect without Location leads nowhere; clients cannot follow it."}},
	401: {{"WWW-Authenticate", trace.LevelBad, "401 must carry WWW-Authenticate saying how to authenticate (Basic, Bearer, ...); without it clients cannot tell what credentials to send."}},
	405: {{"Allow", trace.LevelBad, "405 must list the methods the resource does support in Allow."}},
	407: {{"Proxy-Authenticate", trace.LevelBad, "407 must carry Proxy-Authenticate saying how to authenticate to the proxy."}},
	416: {{"Content-Range", trace.LevelInfo, "416 should send Content-Range: bytes */LENGTH so the client learns the current size."}},
	426: {{"Upgrade", trace.LevelBad, "426 must name the protocol(s) to switch to in Upgrade."}},
	429: {{"Retry-After", trace.LevelInfo, "429 without Retry-After leaves the client guessing how long to back off; send Retry-After with seconds or a date."}},
	503: {{"Retry-After", trace.LevelInfo, "503 without Retry-After gives no hint when to come back; send Retry-After if the outage has a known length."}},
}

// missingHeaders flags required or expected fields the response lacks.
func missingHeaders(x *exchange) []trace.Note {
	var notes []trace.Note
	for _, r := range requirements[x.status] {
		if x.resp.has(r.header) {
			continue
		}
		if r.header == "Content-Range" && x.status == 206 &&
			mediaType(x.resp.value("Content-Type")) == "multipart/byteranges" {
			continue
		}
		notes = append(notes, note("status.missing-header", trace.NoteStatus, r.level,
			strconv.Itoa(x.status), "No %s header. %s", r.header, r.why))
	}
	return notes
}

// redirectNotes says where a redirect leads and which method the client
// will use for the next request.
func redirectNotes(x *exchange) []trace.Note {
	switch x.status {
	case 301, 302, 303, 307, 308:
	default:
		return nil
	}
	loc, ok := x.resp.get("Location")
	if !ok {
		return nil
	}
	target, err := url.Parse(loc)
	if err != nil {
		return []trace.Note{note("status.location-invalid", trace.NoteStatus, trace.LevelBad, "Location",
			"Location %q is not a valid URL, so clients cannot follow the redirect.", clip(loc, 200))}
	}
	if x.url != nil {
		target = x.url.ResolveReference(target)
	}
	next, why := nextMethod(x.status, x.method)
	notes := []trace.Note{note("status.redirect-method", trace.NoteStatus, trace.LevelInfo, "Location",
		"Next request: %s %s. %s", next, clip(target.String(), 300), why)}
	if x.https && strings.EqualFold(target.Scheme, "http") {
		notes = append(notes, note("status.redirect-downgrade", trace.NoteStatus, trace.LevelWarn, "Location",
			"This redirect goes from https to plain http, so the next request can be read and changed in transit (and Secure cookies are not sent)."))
	}
	return notes
}

// nextMethod is the method browsers and curl -L use after a redirect, and
// why (RFC 9110, Section 15.4).
func nextMethod(status int, method string) (string, string) {
	perm := "temporary"
	if status == 301 || status == 308 {
		perm = "permanent (browsers may cache it)"
	}
	switch status {
	case 303:
		if method == "HEAD" {
			return "HEAD", "303 See Other switches to GET, except that HEAD stays HEAD."
		}
		if method == "GET" {
			return "GET", "303 See Other always continues with GET."
		}
		return "GET", "303 See Other always continues with GET, so the " + method + " body is dropped."
	case 307, 308:
		if method == "GET" || method == "HEAD" {
			return method, strconv.Itoa(status) + " keeps the method and body; the move is " + perm + "."
		}
		return method, strconv.Itoa(status) + " keeps the method and body, so the " + method + " is sent again to the new URL; the move is " + perm + "."
	}
	// 301 and 302.
	if method == "POST" {
		return "GET", "Browsers and curl -L turn POST into GET after a " + strconv.Itoa(status) +
			" (historical behaviour) and drop the body; use 307 or 308 to keep them."
	}
	return method, "The method stays " + method + "; the move is " + perm + "."
}
