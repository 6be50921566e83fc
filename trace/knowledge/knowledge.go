// Package knowledge is reqtrace's offline HTTP knowledge base: status codes
// (the IANA registry plus vendor codes seen in the wild), status classes,
// request methods and header fields, each with a spec citation and short
// explanations written for developers and students.
//
// The package is pure data plus lookups. It does no I/O and parses nothing at
// run time; every table is a Go literal. The lookup functions return copies
// of the entries, so callers may modify what they get back without affecting
// the tables.
package knowledge

// RegistrySnapshot names the IANA HTTP Status Code Registry snapshot the
// status table was checked against.
const RegistrySnapshot = "IANA 2025-09-15"

// Values of Status.State.
const (
	StateRegistered = "registered" // in the IANA registry, in use
	StateTemporary  = "temporary"  // provisional IANA registration with an expiry date
	StateUnused     = "unused"     // reserved by IANA, must not be sent (306, 418)
	StateObsolete   = "obsolete"   // registered but the defining spec was made historic (510)
	StateDeprecated = "deprecated" // registered but deprecated by its spec (305)
	StateUnofficial = "unofficial" // not in the IANA registry; a vendor or product uses it
)

// Values of Status.Retry.
const (
	RetryNo    = "no"                // repeating the same request will not help, or nothing to retry
	RetrySafe  = "safe"              // may be retried, with backoff; automatically only for idempotent methods
	RetryAfter = "after Retry-After" // retry later, waiting as long as Retry-After says when present
)

// Values of Header.Kind and Directive.In.
const (
	KindRequest  = "request"
	KindResponse = "response"
	KindBoth     = "both"
)

// Status describes one HTTP status code.
type Status struct {
	Code int
	// Reason is the current IANA reason phrase, e.g. 413 "Content Too Large",
	// 422 "Unprocessable Content". For unofficial codes it is the phrase the
	// vendor uses; for unused codes it is "(Unused)".
	Reason string
	// Aliases are other phrases in circulation: legacy phrases from older
	// RFCs ("Request Entity Too Large", "Unprocessable Entity") and
	// nicknames ("I'm a teapot").
	Aliases []string
	// State is one of the State* constants.
	State string
	// Vendor names who uses an unofficial code ("nginx", "Cloudflare",
	// "AWS ELB", "IIS", ...). Empty for registry codes.
	Vendor string
	// Spec cites the defining document, e.g. "RFC 9110, Section 15.5.5".
	Spec string
	// Summary is one line: what the code means.
	Summary string
	// Details says who sends it and when, and the common causes.
	Details string
	// FixClient and FixServer say what to change on each side.
	FixClient, FixServer string
	// Headers lists related or required header fields, e.g. "Location"
	// for 201 and 3xx, "WWW-Authenticate" for 401, "Allow" for 405.
	Headers []string
	// Cacheable reports whether the code is heuristically cacheable by
	// default (RFC 9110, Section 15.1).
	Cacheable bool
	// Retry is one of the Retry* constants: whether a client may retry.
	Retry string
	// SeeAlso lists related topics (codes as decimal strings).
	SeeAlso []string
}

// Class describes one status class (1xx to 5xx).
type Class struct {
	Class   int    // 1..5
	Name    string // "Informational", "Successful", "Redirection", "Client Error", "Server Error"
	Summary string
	Details string
	Fix     string
	Spec    string
}

// Method describes one HTTP request method.
type Method struct {
	Name    string // upper case, as registered, e.g. "PATCH"
	Spec    string
	Summary string
	Details string
	// Safe: the client asks for no state change on the server (RFC 9110, Section 9.2.1).
	Safe bool
	// Idempotent: repeating the request has the same intended effect as
	// sending it once, so it may be retried automatically (RFC 9110, Section 9.2.2).
	Idempotent bool
	// Cacheable: responses may be stored and reused by caches in the
	// ordinary case (RFC 9110, Section 9.2.3). POST and PATCH are false here
	// even though the spec allows caching with explicit freshness; Details
	// explains.
	Cacheable bool
	// RequestBody: the request normally carries content with defined meaning.
	RequestBody bool
	// ResponseBody: a successful response normally carries content.
	ResponseBody bool
	// CORSSafelisted: a browser may send it cross-origin without a preflight.
	CORSSafelisted bool
	// HTMLForm: an HTML <form method=...> can send it.
	HTMLForm bool
	// Registered: listed in the IANA HTTP Method Registry.
	Registered bool
}

// Header describes one header field.
type Header struct {
	// Name is the canonical display spelling, e.g. "Cache-Control",
	// "WWW-Authenticate".
	Name string
	// Aliases are other names that look this entry up: prefixed or legacy
	// spellings and common shorthands ("HSTS", "CSP").
	Aliases []string
	// Kind is KindRequest, KindResponse or KindBoth.
	Kind string
	// Category is one of "caching", "conditional", "negotiation", "auth",
	// "cookies", "cors", "security", "proxy", "connection", "content",
	// "timing", "misc".
	Category string
	Spec     string
	Summary  string
	Details  string
	// Directives lists the directives, attributes, parameters or values
	// the field carries (Cache-Control directives, Set-Cookie attributes,
	// CSP directives, ...).
	Directives []Directive
	// Deprecated is true for fields that are obsolete, deprecated or
	// ignored by current browsers.
	Deprecated bool
	// SeeAlso lists related topics (header names, codes, methods).
	SeeAlso []string
}

// Directive is one directive, attribute, parameter or value of a header.
type Directive struct {
	Name    string
	Summary string
	Spec    string
	// In says where the directive appears when the header is used in both
	// directions (KindRequest, KindResponse or KindBoth); empty when it
	// follows the header's Kind.
	In string
}
