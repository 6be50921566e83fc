package annotate

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/knowledge"
)

// Directive is one Cache-Control directive.
type Directive struct {
	Name     string // lower case, e.g. "max-age"
	Value    string // the argument, unquoted; "" when there is none
	HasValue bool   // an "=" was present
}

// Conflict is a pair of directives that contradict each other, or the same
// directive given twice with different values (A == B then).
type Conflict struct {
	A, B string // directive names
	Why  string // what a cache does about it, in plain words
	Bad  bool   // a real contradiction rather than redundancy
}

// CacheControl is a parsed Cache-Control field (all its lines together).
type CacheControl struct {
	Directives []Directive // in order of appearance
	// Duplicates names directives given more than once.
	Duplicates []string
	// Conflicts lists contradicting directives and duplicates whose values
	// differ.
	Conflicts []Conflict
	// Invalid lists directives whose argument is missing, malformed or not
	// allowed, as written ("max-age=abc", "no-store=1").
	Invalid []string
}

// Has reports whether the directive is present.
func (cc CacheControl) Has(name string) bool {
	_, ok := cc.find(name)
	return ok
}

// Value returns the argument of the first occurrence of the directive.
func (cc CacheControl) Value(name string) (string, bool) {
	d, ok := cc.find(name)
	return d.Value, ok
}

// Seconds returns the first occurrence's argument as delta-seconds (RFC
// 9111, Section 1.2.2); values beyond 2^31 are capped there. ok is false
// when the directive is absent or its argument is not a number.
func (cc CacheControl) Seconds(name string) (secs int64, ok bool) {
	d, found := cc.find(name)
	if !found {
		return 0, false
	}
	return deltaSeconds(d.Value)
}

func (cc CacheControl) find(name string) (Directive, bool) {
	name = strings.ToLower(name)
	for _, d := range cc.Directives {
		if d.Name == name {
			return d, true
		}
	}
	return Directive{}, false
}

// deltaSecondsCap is the largest delta-seconds value a cache has to
// represent (RFC 9111, Section 1.2.2).
const deltaSecondsCap = 1 << 31

// deltaSeconds parses a non-negative decimal integer, capping it at 2^31.
func deltaSeconds(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < deltaSecondsCap {
			n = n*10 + int64(c-'0')
		}
	}
	return min(n, deltaSecondsCap), true
}

// secondsDirectives take a delta-seconds argument; flagDirectives take
// none; listDirectives may take a quoted list of field names.
var (
	secondsDirectives = []string{"max-age", "s-maxage", "stale-while-revalidate", "stale-if-error", "min-fresh"}
	flagDirectives    = []string{"no-store", "public", "must-revalidate", "proxy-revalidate", "must-understand", "no-transform", "immutable", "only-if-cached"}
	listDirectives    = []string{"no-cache", "private"}
)

// ParseCacheControl parses the lines of a Cache-Control field (RFC 9111,
// Section 5.2). Directive names are case-insensitive; arguments may be
// tokens or quoted strings. Duplicates, contradictions and malformed
// arguments are recorded rather than rejected.
func ParseCacheControl(values []string) CacheControl {
	var cc CacheControl
	seen := map[string]int{}
	for _, v := range values {
		for _, e := range splitQuoted(v, ',') {
			e = strings.Trim(e, " \t")
			if e == "" {
				continue
			}
			d := Directive{Name: e}
			if i := strings.IndexByte(e, '='); i >= 0 {
				d.Name = strings.Trim(e[:i], " \t")
				d.Value = unquote(strings.Trim(e[i+1:], " \t"))
				d.HasValue = true
			}
			d.Name = strings.ToLower(d.Name)
			if !validDirective(d) {
				cc.Invalid = append(cc.Invalid, e)
			}
			if d.Name == "" {
				continue
			}
			seen[d.Name]++
			if seen[d.Name] == 2 {
				cc.Duplicates = append(cc.Duplicates, d.Name)
			}
			cc.Directives = append(cc.Directives, d)
		}
	}
	cc.Conflicts = conflicts(cc)
	return cc
}

// validDirective checks a directive's name and argument shape.
func validDirective(d Directive) bool {
	switch {
	case !isToken(d.Name):
		return false
	case slices.Contains(secondsDirectives, d.Name), d.Name == "max-stale" && d.HasValue:
		_, ok := deltaSeconds(d.Value)
		return ok
	case slices.Contains(flagDirectives, d.Name):
		return !d.HasValue
	case slices.Contains(listDirectives, d.Name):
		return !d.HasValue || d.Value != ""
	}
	return true
}

// conflicts finds contradicting directives and duplicates with different
// values.
func conflicts(cc CacheControl) []Conflict {
	var out []Conflict
	for _, name := range cc.Duplicates {
		var vals []string
		for _, d := range cc.Directives {
			if d.Name == name && !slices.Contains(vals, d.Value) {
				vals = append(vals, d.Value)
			}
		}
		if len(vals) > 1 {
			out = append(out, Conflict{A: name, B: name, Bad: true,
				Why: fmt.Sprintf("%s is given with different values (%s); caches may use the first or treat the response as stale", name, clip(strings.Join(vals, " and "), 80))})
		}
	}
	if cc.Has("public") && cc.Has("private") {
		out = append(out, Conflict{A: "public", B: "private", Bad: true,
			Why: "public and private contradict each other; caches honour the more restrictive private, so shared caches will not store it"})
	}
	if cc.Has("no-store") {
		for _, other := range []string{"max-age", "s-maxage", "public", "immutable", "stale-while-revalidate", "stale-if-error"} {
			if cc.Has(other) {
				out = append(out, Conflict{A: "no-store", B: other,
					Why: "no-store overrides " + other + ": nothing is stored, so " + other + " has no effect"})
			}
		}
	}
	if cc.Has("immutable") {
		if v, ok := cc.Value("no-cache"); ok && v == "" {
			out = append(out, Conflict{A: "no-cache", B: "immutable", Bad: true,
				Why: "no-cache asks for revalidation on every use while immutable says never revalidate; no-cache wins"})
		}
	}
	return out
}

// Freshness lifetime sources (RFC 9111, Section 4.2.1).
const (
	SourceSMaxAge   = "s-maxage"  // Cache-Control: s-maxage (shared caches only)
	SourceMaxAge    = "max-age"   // Cache-Control: max-age
	SourceExpires   = "expires"   // Expires minus Date
	SourceHeuristic = "heuristic" // 10% of Date minus Last-Modified (Section 4.2.2)
	SourceNone      = "none"      // no lifetime: stale as soon as it is received
)

// Fresh is the freshness arithmetic of RFC 9111, Section 4.2 for one
// response, from both a private (browser) and a shared (CDN, proxy) cache's
// point of view.
type Fresh struct {
	// Lifetime is the freshness lifetime a private cache uses, and Source
	// says where it came from (SourceMaxAge, SourceExpires, SourceHeuristic
	// or SourceNone).
	Lifetime time.Duration
	Source   string
	// SharedLifetime and SharedSource are the same for a shared cache,
	// which prefers s-maxage.
	SharedLifetime time.Duration
	SharedSource   string
	// Heuristic is the basis of a heuristic lifetime: Date minus
	// Last-Modified (the lifetime is a tenth of it). Zero otherwise.
	Heuristic time.Duration

	// Date is the Date field (the response time when absent or invalid).
	Date time.Time
	// AgeHeader is the Age field's value; HasAge says it was present and valid.
	AgeHeader time.Duration
	HasAge    bool
	// ApparentAge, CorrectedAge and Age are the steps of Section 4.2.3:
	// max(0, response_time - Date), Age + response delay, and the current age.
	ApparentAge  time.Duration
	CorrectedAge time.Duration
	Age          time.Duration

	// FreshFor is how much longer a private cache may serve it without
	// asking (Lifetime - Age, when positive); StaleBy is Age - Lifetime
	// once it is not. SharedFreshFor and SharedStaleBy are the same for a
	// shared cache.
	FreshFor, StaleBy             time.Duration
	SharedFreshFor, SharedStaleBy time.Duration

	// Problems lists what made the arithmetic fall back: an invalid
	// Expires, a malformed or duplicated max-age, a missing Date.
	Problems []string

	// staleWhy is the problem that made the private lifetime 0.
	staleWhy string
}

// IsFresh reports whether a private cache may reuse the response now.
func (f Fresh) IsFresh() bool { return f.Lifetime > f.Age }

// IsSharedFresh reports whether a shared cache may reuse the response now.
func (f Fresh) IsSharedFresh() bool { return f.SharedLifetime > f.Age }

// Freshness computes the freshness lifetime, its source and the current
// age of resp (RFC 9111, Sections 4.2.1 to 4.2.3). requestTime is when the
// request was sent, responseTime when the response arrived and now the
// moment to evaluate at. The status code decides whether a heuristic
// lifetime is allowed (RFC 9110, Section 15.1). A nil resp gives a zero
// Fresh with SourceNone.
func Freshness(resp *trace.Response, requestTime, responseTime, now time.Time) Fresh {
	f := Fresh{Source: SourceNone, SharedSource: SourceNone}
	if resp == nil {
		return f
	}
	h := fields(resp.Headers)
	cc := ParseCacheControl(h.all("Cache-Control"))

	f.Date = responseTime
	if v, ok := h.get("Date"); ok {
		if t, err := http.ParseTime(v); err == nil {
			f.Date = t
		} else {
			f.Problems = append(f.Problems, "Date is not a valid HTTP date; used the time the response arrived")
		}
	} else if h.has("Expires") || h.has("Last-Modified") {
		f.Problems = append(f.Problems, "no Date header; used the time the response arrived")
	}

	f.Lifetime, f.Source = privateLifetime(&f, h, cc, resp.Status)
	f.SharedLifetime, f.SharedSource = f.Lifetime, f.Source
	if secs, ok, bad := explicitSeconds(cc, "s-maxage"); ok {
		f.SharedLifetime, f.SharedSource = time.Duration(secs)*time.Second, SourceSMaxAge
	} else if bad != "" {
		f.Problems = append(f.Problems, bad)
		f.SharedLifetime, f.SharedSource = 0, SourceSMaxAge
	}

	f.age(h, requestTime, responseTime, now)
	f.FreshFor, f.StaleBy = split(f.Lifetime - f.Age)
	f.SharedFreshFor, f.SharedStaleBy = split(f.SharedLifetime - f.Age)
	return f
}

// split turns lifetime minus age into (fresh for, stale by).
func split(left time.Duration) (time.Duration, time.Duration) {
	if left > 0 {
		return left, 0
	}
	return 0, -left
}

// explicitSeconds reads a delta-seconds directive. ok is true when it is
// present and usable; bad explains why it is present but unusable
// (malformed, or duplicated with different values: treat as stale).
func explicitSeconds(cc CacheControl, name string) (secs int64, ok bool, bad string) {
	if !cc.Has(name) {
		return 0, false, ""
	}
	var vals []string
	for _, d := range cc.Directives {
		if d.Name == name && !slices.Contains(vals, d.Value) {
			vals = append(vals, d.Value)
		}
	}
	if len(vals) > 1 {
		return 0, false, name + " is given twice with different values, so the response counts as stale"
	}
	s, valid := cc.Seconds(name)
	if !valid {
		return 0, false, fmt.Sprintf("%s=%s is not a number of seconds, so the response counts as stale", name, clip(vals[0], 40))
	}
	return s, true, ""
}

// privateLifetime applies Section 4.2.1 without s-maxage: max-age, then
// Expires - Date, then the heuristic.
func privateLifetime(f *Fresh, h fields, cc CacheControl, status int) (time.Duration, string) {
	if secs, ok, bad := explicitSeconds(cc, "max-age"); ok {
		return time.Duration(secs) * time.Second, SourceMaxAge
	} else if bad != "" {
		f.Problems = append(f.Problems, bad)
		f.staleWhy = bad
		return 0, SourceMaxAge
	}
	if exp := h.all("Expires"); len(exp) > 0 {
		t, err := http.ParseTime(exp[0])
		if err != nil {
			f.staleWhy = fmt.Sprintf("Expires %q is not a valid date, which means already expired", clip(exp[0], 40))
			f.Problems = append(f.Problems, f.staleWhy)
			return 0, SourceExpires
		}
		if len(exp) > 1 && exp[1] != exp[0] {
			f.Problems = append(f.Problems, "Expires is given twice; used the first")
		}
		return max(0, t.Sub(f.Date)), SourceExpires
	}
	st, _ := knowledge.LookupStatus(status)
	if !st.Cacheable && !cc.Has("public") {
		return 0, SourceNone
	}
	lm, ok := h.get("Last-Modified")
	if !ok {
		return 0, SourceNone
	}
	t, err := http.ParseTime(lm)
	if err != nil {
		f.Problems = append(f.Problems, "Last-Modified is not a valid date")
		return 0, SourceNone
	}
	if d := f.Date.Sub(t); d > 0 {
		f.Heuristic = d
		return d / 10, SourceHeuristic
	}
	return 0, SourceHeuristic
}

// age computes the current age (Section 4.2.3).
func (f *Fresh) age(h fields, requestTime, responseTime, now time.Time) {
	if v, ok := h.get("Age"); ok {
		if s, valid := deltaSeconds(v); valid {
			f.AgeHeader, f.HasAge = time.Duration(s)*time.Second, true
		} else {
			f.Problems = append(f.Problems, fmt.Sprintf("Age %q is not a number of seconds; ignored", clip(v, 40)))
		}
	}
	f.ApparentAge = max(0, responseTime.Sub(f.Date))
	delay := max(0, responseTime.Sub(requestTime))
	f.CorrectedAge = f.AgeHeader + delay
	initial := max(f.ApparentAge, f.CorrectedAge)
	f.Age = initial + max(0, now.Sub(responseTime))
}

// cachingNotes covers storability, freshness, validators, conflicting
// directives, Vary and CDN cache-status headers.
func cachingNotes(x *exchange) []trace.Note {
	cc := ParseCacheControl(x.resp.all("Cache-Control"))
	st := storable(x, cc)
	notes := []trace.Note{st.note()}
	if st.private || st.shared {
		f := Freshness(x.hop.Response, x.requestTime, x.responseTime, x.now)
		notes = append(notes, freshnessNote(x, cc, f, st))
	}
	notes = append(notes, validatorNote(x, cc, st))
	notes = append(notes, conflictNotes(cc)...)
	notes = append(notes, pragmaNote(x)...)
	notes = append(notes, varyNotes(x)...)
	notes = append(notes, setCookieCacheNote(x, st)...)
	notes = append(notes, cdnNotes(x)...)
	var out []trace.Note
	for _, n := range notes {
		if n.ID != "" {
			out = append(out, n)
		}
	}
	return out
}

// storability says who may store the response and why (RFC 9111,
// Section 3).
type storability struct {
	private, shared bool
	why             string // the reason for the outcome
	sharedWhy       string // why shared caches may not, when private may
}

func (s storability) note() trace.Note {
	const id, cat, subj = "cache.storable", trace.NoteCaching, "Cache-Control"
	switch {
	case s.shared:
		return note(id, cat, trace.LevelInfo, subj,
			"Browsers and shared caches (CDNs, proxies) may store this response: %s.", s.why)
	case s.private:
		return note(id, cat, trace.LevelInfo, subj,
			"Only the browser's own cache may store this response; shared caches (CDNs, proxies) must not, %s.", s.sharedWhy)
	}
	return note(id, cat, trace.LevelInfo, subj, "No cache may store this response: %s.", s.why)
}

func storable(x *exchange, cc CacheControl) storability {
	if m, ok := knowledge.LookupMethod(x.method); !ok || !m.Cacheable {
		return storability{why: fmt.Sprintf("caches store responses to GET and HEAD, not %s", clip(x.method, 20))}
	}
	// Section 5.2.2.3: with must-understand, caches that understand the
	// status code ignore no-store.
	if cc.Has("no-store") && !(cc.Has("must-understand") && understood(x.status)) {
		return storability{why: "Cache-Control: no-store"}
	}
	if x.status == 304 {
		return storability{private: true, shared: true,
			why: "a 304 refreshes the stored response's headers and the body comes from the cache"}
	}
	st, _ := knowledge.LookupStatus(x.status)
	var basis string
	switch {
	case cc.Has("public"):
		basis = "Cache-Control: public"
	case cc.Has("s-maxage"):
		basis = "s-maxage is set"
	case cc.Has("max-age"):
		basis = "max-age is set"
	case x.resp.has("Expires"):
		basis = "Expires is set"
	case cc.Has("private"):
		basis = "Cache-Control: private"
	case st.Cacheable:
		basis = fmt.Sprintf("status %d is cacheable by default", x.status)
	default:
		return storability{why: fmt.Sprintf("status %d is not cacheable by default and there is no explicit freshness (max-age, Expires) or public", x.status)}
	}
	if cc.Has("no-cache") {
		basis += ", though no-cache makes every reuse wait for revalidation"
	}
	if v, ok := cc.Value("private"); ok {
		if v != "" {
			return storability{private: true, shared: true,
				why: fmt.Sprintf("%s; private=%q keeps those fields out of shared caches", basis, clip(v, 60))}
		}
		return storability{private: true, why: basis, sharedWhy: "because of Cache-Control: private"}
	}
	if x.req.has("Authorization") && !cc.Has("public") && !cc.Has("s-maxage") && !cc.Has("must-revalidate") {
		return storability{private: true, why: basis,
			sharedWhy: "because the request carried Authorization and the response has no public, s-maxage or must-revalidate"}
	}
	return storability{private: true, shared: true, why: basis}
}

// understood reports whether a cache implementing RFC 9110 knows the
// caching rules of the status code (for must-understand).
func understood(status int) bool {
	st, ok := knowledge.LookupStatus(status)
	return ok && st.State == knowledge.StateRegistered && status >= 200
}

// revalidateHint says how a cache would revalidate.
func revalidateHint(x *exchange) string {
	switch {
	case x.resp.has("ETag"):
		return "revalidate with If-None-Match"
	case x.resp.has("Last-Modified"):
		return "revalidate with If-Modified-Since"
	}
	return "fetch it again in full (there is no ETag or Last-Modified to revalidate with)"
}

// freshnessNote is "fresh for X / stale by Y" with the lifetime's source.
func freshnessNote(x *exchange, cc CacheControl, f Fresh, st storability) trace.Note {
	const id, cat = "cache.freshness", trace.NoteCaching
	subject := "Cache-Control"
	switch f.Source {
	case SourceExpires:
		subject = "Expires"
	case SourceHeuristic:
		subject = "Last-Modified"
	}
	ageText := "age " + human(f.Age)
	if f.HasAge && (f.Age-f.AgeHeader) >= time.Second {
		ageText += " incl. Age " + human(f.AgeHeader)
	}
	source := sourceText(f.Source, f.Lifetime)
	after := afterStale(x, cc)

	if f.staleWhy != "" {
		return note(id, cat, trace.LevelWarn, subject, "Stale on arrival: %s. Caches will %s before reusing it.", f.staleWhy, revalidateHint(x))
	}
	if cc.Has("no-cache") {
		v, _ := cc.Value("no-cache")
		if v == "" {
			return note(id, cat, trace.LevelInfo, subject,
				"no-cache: caches may keep it but must %s before every use (%s, %s).", revalidateHint(x), source, ageText)
		}
	}
	var shared string
	if st.shared && f.SharedSource != f.Source {
		if f.IsSharedFresh() {
			shared = fmt.Sprintf(" Shared caches use s-maxage=%s instead: fresh for %s more.", secs(f.SharedLifetime), human(f.SharedFreshFor))
		} else {
			shared = fmt.Sprintf(" Shared caches use s-maxage=%s instead: stale by %s.", secs(f.SharedLifetime), human(f.SharedStaleBy))
		}
	}
	switch f.Source {
	case SourceNone:
		if st.shared && f.SharedSource == SourceSMaxAge {
			return note(id, cat, trace.LevelInfo, subject, "Browsers get no freshness lifetime and %s on each use.%s", revalidateHint(x), shared)
		}
		if x.status == 301 || x.status == 308 {
			// RFC 9111 section 4.2.2 lets a cache pick its own lifetime for a
			// heuristically cacheable status (RFC 9110 sections 15.4.2, 15.4.9);
			// browsers do, and reuse a permanent redirect without asking.
			return note(id, cat, trace.LevelWarn, subject,
				"No explicit lifetime, but a %d is heuristically cacheable (RFC 9111 section 4.2.2): browsers keep it and follow it without asking the server again, often until their cache is cleared. Send Cache-Control: max-age (or no-cache) to decide how long.", x.status)
		}
		return note(id, cat, trace.LevelInfo, subject,
			"No freshness lifetime (no max-age, Expires or Last-Modified), so caches treat it as stale at once and %s on each use.", revalidateHint(x))
	case SourceHeuristic:
		if f.Lifetime == 0 {
			return note(id, cat, trace.LevelWarn, subject,
				"No explicit lifetime and Last-Modified is not before Date, so the heuristic gives 0s: caches %s on each use. Set max-age to decide yourself.", revalidateHint(x))
		}
		state := "fresh for " + human(f.FreshFor) + " more"
		if !f.IsFresh() {
			state = "stale by " + human(f.StaleBy)
		}
		return note(id, cat, trace.LevelWarn, subject,
			"No explicit lifetime, so caches guess one: typically 10%% of the %s since Last-Modified = %s (%s, %s). Set max-age to decide yourself.%s",
			human(f.Heuristic), human(f.Lifetime), state, ageText, shared)
	}
	if f.Lifetime == 0 {
		return note(id, cat, trace.LevelInfo, subject, "%s: stale at once, so caches must %s before every reuse.%s",
			source, revalidateHint(x), shared)
	}
	if f.IsFresh() {
		return note(id, cat, trace.LevelGood, subject, "Fresh for %s more (%s, %s); after that a cache must %s.%s",
			human(f.FreshFor), source, ageText, after, shared)
	}
	return note(id, cat, trace.LevelInfo, subject, "Stale by %s (%s, %s): a cache must %s.%s",
		human(f.StaleBy), source, ageText, after, shared)
}

// sourceText names the lifetime's source: "max-age=60", "Expires − Date = 1h".
func sourceText(source string, lifetime time.Duration) string {
	switch source {
	case SourceMaxAge, SourceSMaxAge:
		return source + "=" + secs(lifetime)
	case SourceExpires:
		return "Expires − Date = " + human(lifetime)
	case SourceHeuristic:
		return "heuristic " + human(lifetime)
	}
	return "no lifetime"
}

// secs is a duration as whole seconds, "60".
func secs(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// afterStale says what a cache does once the response is stale, taking
// must-revalidate, stale-while-revalidate and stale-if-error into account.
func afterStale(x *exchange, cc CacheControl) string {
	s := revalidateHint(x)
	if cc.Has("must-revalidate") {
		return s + " (must-revalidate: never serve it stale)"
	}
	var extra []string
	if n, ok := cc.Seconds("stale-while-revalidate"); ok {
		extra = append(extra, "it may be served stale for "+human(time.Duration(n)*time.Second)+" while revalidating in the background")
	}
	if n, ok := cc.Seconds("stale-if-error"); ok {
		extra = append(extra, "for "+human(time.Duration(n)*time.Second)+" if the origin fails")
	}
	if cc.Has("immutable") {
		extra = append(extra, "until then browsers skip revalidation even on reload (immutable)")
	}
	if len(extra) > 0 {
		return s + "; " + strings.Join(extra, ", ")
	}
	return s
}

// validatorNote describes ETag and Last-Modified.
func validatorNote(x *exchange, cc CacheControl, st storability) trace.Note {
	const id, cat = "cache.validators", trace.NoteCaching
	etag, hasETag := x.resp.get("ETag")
	lm, hasLM := x.resp.get("Last-Modified")
	var parts []string
	subject := "ETag"
	if hasETag {
		if strings.HasPrefix(etag, "W/") {
			parts = append(parts, "a weak ETag (If-None-Match can confirm it is equivalent, not byte-identical; unusable for Range requests)")
		} else if strings.HasPrefix(etag, `"`) && strings.HasSuffix(etag, `"`) && len(etag) >= 2 {
			parts = append(parts, "a strong ETag (byte-identical match, usable with If-None-Match and If-Range)")
		} else {
			return note(id, cat, trace.LevelWarn, subject,
				"ETag %s is not a quoted string, so clients and caches may not echo it back correctly; send ETag: \"...\" or W/\"...\".", clip(etag, 80))
		}
	}
	if hasLM {
		if !hasETag {
			subject = "Last-Modified"
		}
		if _, err := http.ParseTime(lm); err != nil {
			parts = append(parts, "a Last-Modified that is not a valid HTTP date (ignored by caches)")
		} else {
			parts = append(parts, "Last-Modified (If-Modified-Since, second resolution)")
		}
	}
	if x.status == 304 {
		return note(id, cat, trace.LevelGood, subject,
			"304 Not Modified: the validator matched, so the client reuses its cached body; nothing was re-downloaded.")
	}
	if len(parts) > 0 {
		return note(id, cat, trace.LevelGood, subject,
			"Revalidation is possible: the response has %s, so a cache can get a cheap 304 instead of the full body.", joinAnd(parts))
	}
	if !st.private && !st.shared {
		return trace.Note{}
	}
	if cc.Has("no-cache") || cc.Has("must-revalidate") || cc.Has("max-age") && !cc.Has("immutable") {
		return note(id, cat, trace.LevelWarn, subject,
			"No ETag or Last-Modified: once stale (or with no-cache, on every use) a cache must download the full body again. Add an ETag.")
	}
	return note(id, cat, trace.LevelInfo, subject,
		"No ETag or Last-Modified, so caches cannot revalidate cheaply with a 304; they download the full body again.")
}

// conflictNotes reports contradicting, duplicated and malformed directives.
func conflictNotes(cc CacheControl) []trace.Note {
	const id, cat, subj = "cache.conflict", trace.NoteCaching, "Cache-Control"
	var notes []trace.Note
	for _, c := range cc.Conflicts {
		level := trace.LevelWarn
		if c.Bad {
			level = trace.LevelBad
		}
		notes = append(notes, note(id, cat, level, subj, "Cache-Control conflict: %s.", c.Why))
	}
	for _, name := range cc.Duplicates {
		if slices.ContainsFunc(cc.Conflicts, func(c Conflict) bool { return c.A == name && c.B == name }) {
			continue
		}
		notes = append(notes, note(id, cat, trace.LevelInfo, subj, "%s appears more than once; harmless, but one is enough.", clip(name, 40)))
	}
	for _, s := range cc.Invalid {
		notes = append(notes, note("cache.invalid", cat, trace.LevelWarn, subj,
			"Directive %q is malformed (a missing or unexpected argument); caches may ignore it or treat the response as stale.", clip(s, 60)))
	}
	return notes
}

// pragmaNote flags Pragma in a response: it is an HTTP/1.0 request header.
func pragmaNote(x *exchange) []trace.Note {
	if !x.resp.has("Pragma") {
		return nil
	}
	return []trace.Note{note("cache.pragma", trace.NoteCaching, trace.LevelInfo, "Pragma",
		"Pragma is an HTTP/1.0 request header; caches ignore it in responses. Use Cache-Control.")}
}

// varyNotes explains Vary and its pitfalls.
func varyNotes(x *exchange) []trace.Note {
	const id, cat, subj = "cache.vary", trace.NoteCaching, "Vary"
	vary := x.resp.list("Vary")
	var names []string
	for _, v := range vary {
		names = append(names, strings.ToLower(v))
	}
	var notes []trace.Note
	if slices.Contains(names, "*") {
		return []trace.Note{note(id, cat, trace.LevelWarn, subj,
			"Vary: * means no stored copy can be reused without asking the server, which effectively disables caching.")}
	}
	if enc := x.resp.value("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") &&
		!slices.Contains(names, "accept-encoding") {
		notes = append(notes, note(id, cat, trace.LevelWarn, subj,
			"The body is %s-compressed but Vary lacks Accept-Encoding, so a shared cache may hand it to a client that cannot decode it.", clip(enc, 20)))
	}
	if len(names) == 0 {
		return notes
	}
	var pit []string
	if slices.Contains(names, "user-agent") {
		pit = append(pit, "User-Agent (thousands of distinct values)")
	}
	if slices.Contains(names, "cookie") {
		pit = append(pit, "Cookie (one copy per visitor)")
	}
	if len(pit) > 0 {
		notes = append(notes, note(id, cat, trace.LevelWarn, subj,
			"Vary on %s splits the cache into so many variants that shared caches rarely get a hit. Vary on something coarser, or mark it private.", joinAnd(pit)))
		return notes
	}
	return append(notes, note(id, cat, trace.LevelInfo, subj,
		"Caches keep a separate copy for each value of %s in the request.", clip(joinAnd(vary), 120)))
}

// setCookieCacheNote warns when a response that sets cookies may be stored
// by shared caches: Set-Cookie does not stop caching (RFC 9111, Section 7.3).
func setCookieCacheNote(x *exchange, st storability) []trace.Note {
	if !st.shared || x.status == 304 || !x.resp.has("Set-Cookie") {
		return nil
	}
	cc := ParseCacheControl(x.resp.all("Cache-Control"))
	if v, ok := cc.Value("private"); ok && strings.Contains(strings.ToLower(v), "set-cookie") {
		return nil
	}
	if v, ok := cc.Value("no-cache"); ok && (v == "" || strings.Contains(strings.ToLower(v), "set-cookie")) {
		return nil
	}
	return []trace.Note{note("cache.set-cookie", trace.NoteCaching, trace.LevelWarn, "Set-Cookie",
		"This response sets cookies yet shared caches may store it; a CDN that does could hand these cookies to other users. Mark it private, or keep Set-Cookie off cacheable responses.")}
}

// cdnNotes interprets cache-status headers from CDNs and proxies.
func cdnNotes(x *exchange) []trace.Note {
	var notes []trace.Note
	for _, v := range x.resp.all("Cache-Status") {
		notes = append(notes, cacheStatusNote(v))
	}
	if v, ok := x.resp.get("CF-Cache-Status"); ok {
		notes = append(notes, cfCacheStatusNote(v))
	}
	for _, name := range []string{"X-Cache", "X-Cache-Status", "X-Proxy-Cache"} {
		if v, ok := x.resp.get(name); ok {
			notes = append(notes, xCacheNote(name, v))
		}
	}
	if v, ok := x.resp.get("Age"); ok {
		if s, valid := deltaSeconds(v); valid && s > 0 {
			notes = append(notes, note("cache.cdn-status", trace.NoteCaching, trace.LevelInfo, "Age",
				"Age: %d: this response was served from a cache, where it had already been stored for %s.", s, human(time.Duration(s)*time.Second)))
		}
	}
	return notes
}

// cacheStatusNote reads Cache-Status (RFC 9211): a list of caches, the one
// nearest the client last, each with hit, fwd, fwd-status, ttl, stored.
func cacheStatusNote(v string) trace.Note {
	members := splitQuoted(v, ',')
	last := strings.TrimSpace(members[len(members)-1])
	parts := splitQuoted(last, ';')
	cache := unquote(strings.TrimSpace(parts[0]))
	params := map[string]string{}
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		k, val, _ := strings.Cut(p, "=")
		params[strings.ToLower(strings.TrimSpace(k))] = unquote(strings.TrimSpace(val))
	}
	var what string
	if _, hit := params["hit"]; hit {
		what = "answered from its store (hit)"
	} else if fwd, ok := params["fwd"]; ok {
		what = "forwarded the request to the next hop (" + fwdMeaning(fwd) + ")"
	} else {
		what = "gave no hit or fwd parameter"
	}
	var extra []string
	if ttl, ok := params["ttl"]; ok {
		extra = append(extra, "ttl "+clip(ttl, 12)+"s left")
	}
	if _, ok := params["stored"]; ok {
		extra = append(extra, "stored the response")
	}
	if s, ok := params["fwd-status"]; ok {
		extra = append(extra, "next hop answered "+clip(s, 6))
	}
	msg := fmt.Sprintf("Cache-Status: the cache nearest to you (%s) %s", clip(cache, 60), what)
	if len(extra) > 0 {
		msg += "; " + strings.Join(extra, ", ")
	}
	if len(members) > 1 {
		msg += fmt.Sprintf(". %d caches reported in all", len(members))
	}
	return note("cache.cdn-status", trace.NoteCaching, trace.LevelInfo, "Cache-Status", "%s.", msg)
}

// fwdMeaning explains an RFC 9211 fwd reason.
func fwdMeaning(fwd string) string {
	switch strings.ToLower(fwd) {
	case "bypass":
		return "configured to bypass the cache"
	case "method":
		return "the method is not cacheable"
	case "uri-miss":
		return "nothing stored for this URL"
	case "vary-miss":
		return "a stored copy exists but Vary did not match"
	case "miss":
		return "not in the cache"
	case "request":
		return "the request asked not to use the cache"
	case "stale":
		return "the stored copy was stale"
	case "partial":
		return "only part of the response was stored"
	}
	return "reason " + clip(fwd, 20)
}

// cfCacheStatusNote explains Cloudflare's CF-Cache-Status values.
func cfCacheStatusNote(v string) trace.Note {
	meanings := map[string]string{
		"HIT":         "served from Cloudflare's cache",
		"MISS":        "not in Cloudflare's cache; fetched from the origin (and possibly stored now)",
		"EXPIRED":     "the cached copy had expired, so Cloudflare fetched it from the origin again",
		"STALE":       "served a stale copy because the origin could not be reached",
		"BYPASS":      "the origin or a rule told Cloudflare not to cache (e.g. no-cache, private or a cookie)",
		"REVALIDATED": "the stale copy was revalidated with the origin (304) and served",
		"UPDATING":    "served a stale copy while Cloudflare refreshes it in the background",
		"DYNAMIC":     "Cloudflare does not consider this cacheable (not a static file type and no cache rule), so it went to the origin",
		"NONE":        "Cloudflare did not look in the cache (e.g. a Worker or a redirect answered)",
		"UNKNOWN":     "Cloudflare did not look in the cache (e.g. a Worker or a redirect answered)",
	}
	m, ok := meanings[strings.ToUpper(strings.TrimSpace(v))]
	if !ok {
		m = "a value Cloudflare does not document"
	}
	return note("cache.cdn-status", trace.NoteCaching, trace.LevelInfo, "CF-Cache-Status",
		"CF-Cache-Status %s: %s.", clip(v, 20), m)
}

// xCacheNote explains the non-standard X-Cache family (Varnish, Fastly,
// CloudFront, Squid, nginx): HIT or MISS, one per cache layer.
func xCacheNote(name, v string) trace.Note {
	up := strings.ToUpper(v)
	var what string
	switch {
	case strings.Contains(up, "HIT"):
		what = "a cache answered from its store (hit)"
	case strings.Contains(up, "MISS"):
		what = "the cache did not have it and asked the origin (miss)"
	case strings.Contains(up, "EXPIRED"), strings.Contains(up, "STALE"), strings.Contains(up, "REFRESH"):
		what = "the cached copy was stale and was refreshed from the origin"
	case strings.Contains(up, "BYPASS"), strings.Contains(up, "PASS"):
		what = "the cache was bypassed"
	default:
		what = "a value this tool does not recognise"
	}
	msg := fmt.Sprintf("%s %s: %s", name, clip(v, 60), what)
	if layers := strings.Count(v, ",") + 1; layers > 1 {
		msg += fmt.Sprintf(" (%d cache layers reported, one value each)", layers)
	}
	return note("cache.cdn-status", trace.NoteCaching, trace.LevelInfo, name, "%s.", msg)
}
