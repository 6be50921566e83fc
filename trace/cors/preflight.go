package cors

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Decision says whether the browser sends a preflight, and every reason.
type Decision struct {
	Needed  bool
	Reasons []string
	// Unsafe are the CORS-unsafe request-header names, lower case, unique
	// and byte-sorted: the value of Access-Control-Request-Headers.
	Unsafe []string
}

// Decide applies the standard's preflight rules (a non-safelisted method,
// or any CORS-unsafe request-header name) and explains each trigger.
// Credentials never trigger a preflight on their own.
func (r *Request) Decide() Decision {
	var d Decision
	if !safelistedMethod(r.Method) {
		d.Reasons = append(d.Reasons, methodReason(r.Method))
	}
	var safe []string
	total := 0
	hs := r.Headers
	if r.firefox() {
		hs = r.Entries // Firefox checks each header set on its own
	}
	for _, h := range hs {
		name := strings.ToLower(h.Name)
		if why := r.unsafeHeaderReason(name, h.Value); why != "" {
			d.Unsafe = append(d.Unsafe, name)
			d.Reasons = append(d.Reasons, why)
			continue
		}
		safe = append(safe, name)
		total += len(h.Value)
	}
	if total > maxSafelistedTotal && !r.firefox() { // Firefox 153 has no such total
		// Over the cap, every safelisted header turns unsafe.
		d.Unsafe = append(d.Unsafe, safe...)
		d.Reasons = append(d.Reasons, fmt.Sprintf("the safelisted header values add up to %d bytes (more than %d), so %s need the preflight too",
			total, maxSafelistedTotal, strings.Join(safe, ", ")))
	}
	if r.firefox() {
		// Firefox lists a name once per header set (x-a,x-a); the standard
		// and Chromium list each once.
		slices.Sort(d.Unsafe)
	} else {
		d.Unsafe = sortedUnique(d.Unsafe)
	}
	d.Reasons = slices.Compact(d.Reasons)
	d.Needed = len(d.Reasons) > 0
	return d
}

func methodReason(m string) string {
	why := "the method " + m + " is not CORS-safelisted (only GET, HEAD and POST are)"
	if up := strings.ToUpper(m); up != m {
		why += "; fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT, so it sends \"" + m + "\", not " + up
	}
	return why
}

// PreflightHeaders are the headers of the OPTIONS request as Chromium
// sends it, besides Host and User-Agent: no credentials, no script
// headers, the request-headers list without spaces.
func (r *Request) PreflightHeaders(d Decision) []trace.Header {
	hs := []trace.Header{
		{Name: "Accept", Value: "*/*"},
		{Name: "Access-Control-Request-Method", Value: r.Method},
	}
	if len(d.Unsafe) > 0 {
		// Joined with "," and no space: the standard deliberately does not
		// "combine" here, and servers such as rs/cors compare it verbatim.
		hs = append(hs, trace.Header{Name: "Access-Control-Request-Headers", Value: strings.Join(d.Unsafe, ",")})
	}
	hs = append(hs, trace.Header{Name: "Origin", Value: r.preflightOrigin().String()})
	if !r.firefox() || trustworthy(r.Target) {
		// Chromium sets Sec-Fetch-Mode on every preflight; Firefox sends
		// fetch metadata only to potentially trustworthy URLs.
		hs = append(hs, trace.Header{Name: "Sec-Fetch-Mode", Value: "cors"})
	}
	return append(hs, r.contextHeaders()...)
}

// ActualHeaders are the headers of the actual request: script's headers,
// the browser's Origin and fetch metadata, and cookies with credentials.
func (r *Request) ActualHeaders() []trace.Header {
	hs := []trace.Header{{Name: "Accept", Value: "*/*"}}
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, "accept") {
			hs[0] = h // script's Accept replaces the default
			continue
		}
		if r.firefox() && strings.EqualFold(h.Name, "content-type") {
			// Firefox's HTTP layer keeps one Content-Type: the last set.
			h.Value = r.lastEntry("content-type")
		}
		hs = append(hs, h)
	}
	if !r.SameOrigin() || r.Method != "GET" && r.Method != "HEAD" {
		// Fetch sends Origin within an origin too, but not with GET or HEAD.
		hs = append(hs, trace.Header{Name: "Origin", Value: r.SentOrigin().String()})
	}
	if trustworthy(r.Target) {
		hs = append(hs, trace.Header{Name: "Sec-Fetch-Mode", Value: "cors"})
	}
	hs = append(hs, r.contextHeaders()...)
	if r.Credentials && r.Cookie != "" {
		hs = append(hs, trace.Header{Name: "Cookie", Value: r.Cookie})
	}
	return hs
}

// lastEntry is the value script set last for a header (lower-case name).
func (r *Request) lastEntry(lower string) string {
	for i := len(r.Entries) - 1; i >= 0; i-- {
		if strings.EqualFold(r.Entries[i].Name, lower) {
			return r.Entries[i].Value
		}
	}
	return ""
}

// contextHeaders are Sec-Fetch-Site/-Dest (only to potentially trustworthy
// URLs, as Chromium does) and the Referer the default policy
// strict-origin-when-cross-origin leaves: the page's origin, and nothing
// on an https-to-http downgrade.
func (r *Request) contextHeaders() []trace.Header {
	var hs []trace.Header
	if trustworthy(r.Target) {
		hs = append(hs,
			trace.Header{Name: "Sec-Fetch-Site", Value: r.fetchSite()},
			trace.Header{Name: "Sec-Fetch-Dest", Value: "empty"})
	}
	if !r.Origin.Opaque && !(r.Origin.Scheme == "https" && r.Target.Scheme == "http") {
		hs = append(hs, trace.Header{Name: "Referer", Value: r.Origin.String() + "/"})
	}
	return hs
}

// fetchSite is Sec-Fetch-Site: the least related of the page's origin and
// each URL of the redirect chain so far.
func (r *Request) fetchSite() string {
	if r.SameOrigin() { // every URL so far is the page's origin
		return "same-origin"
	}
	if r.crossSite {
		return "cross-site"
	}
	return secFetchSite(r.Origin, r.Target)
}

// edits turns headers into -H edits for trace.Do, which sends Host and
// User-Agent itself and replaces its own Accept in place.
func edits(hs []trace.Header) []trace.HeaderEdit {
	out := make([]trace.HeaderEdit, 0, len(hs))
	for _, h := range hs {
		out = append(out, trace.HeaderEdit{Name: h.Name, Value: h.Value})
	}
	return out
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
