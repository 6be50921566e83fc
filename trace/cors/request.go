package cors

import (
	"io"
	"net/url"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Config is what the user asked for: fetch(URL, {method, headers, body,
// mode: "cors", credentials}) from a page at Origin.
type Config struct {
	URL     *url.URL           // from trace.ParseURL
	Origin  string             // --origin, as typed
	Method  string             // -X; "" means GET, or POST with a body (curl's rule)
	Headers []trace.HeaderEdit // -H, as script would set them
	Body    []byte             // -d; nil means no body
	// BodyType is the Content-Type the browser gives the body when script
	// sets none: "" means a string body, text/plain;charset=UTF-8; a
	// FormData body (-F) is multipart/form-data with a boundary.
	BodyType    string
	Credentials bool // credentials: "include" (else "omit")
	// Actual sends the actual request even when its method is not GET or
	// HEAD. Without it an unsafe method is never sent.
	Actual bool
	// MaxRedirects, when set below fetch's 20 (--max-redirs), stops the
	// chain there: the trace ends with too_many_redirects and no verdict.
	MaxRedirects *int
	// Output receives the body of the actual request's last response
	// (-o), even one the browser hides from script; the preflight's and
	// the redirects' bodies are not written.
	Output     io.Writer
	OutputName string
	// Net holds the network settings for every request sent (DNS servers,
	// --resolve, CA, -k, timeouts, HTTP version). Its URL, Method, Headers
	// and Body are ignored.
	Net trace.Options
	// Browser is the engine to evaluate as where engines differ: Chromium
	// ("" too) or Firefox.
	Browser string
	// OriginSpace overrides the address space of the page's server
	// (SpacePublic, SpaceLocal, SpaceLoopback). Empty means: find it by
	// resolving the origin's host. Tests set it to act as a public page.
	OriginSpace string
}

// Request is the request as the browser models it once fetch() has
// normalised it: the method upper-cased where fetch does, forbidden
// headers gone, repeated headers combined.
type Request struct {
	Engine  string // Chromium or Firefox
	URL     *url.URL
	Origin  Origin
	Target  Origin // the URL's origin
	Method  string
	Headers []trace.Header // script's header list, in first-set order, names as typed
	// Entries are script's headers one per set call, before combining:
	// Firefox checks the safelist on each (engine.go).
	Entries     []trace.Header
	Body        []byte
	Credentials bool
	// Cookie stands for the browser's cookie jar: a -H Cookie value is sent
	// with credentials, as the browser would send its stored cookies.
	Cookie string
	// Notes are warnings found while building the request: dropped
	// headers, a normalised origin.
	Notes []Problem

	// Tainted is set once a redirect has left the request's first origin:
	// from then on the browser sends Origin: null and checks every
	// response against null (redirect.go).
	Tainted bool
	// first is the URL script fetched, when this request follows a
	// redirect; Chromium's console names both. Nil for the first request.
	first *url.URL
	// crossSite is set when a URL earlier in the redirect chain was
	// cross-site: Sec-Fetch-Site says so for the rest of the chain.
	crossSite bool
	// corsTainting is fetch's response tainting "cors": set once a URL of
	// the chain was another origin than the page's. From then on every
	// response is checked, even one back at the page's origin.
	corsTainting bool
}

// SameOrigin reports whether CORS does not apply to this request: its URL
// is the page's origin and so was every URL before it. Fetch still runs:
// the request is sent, and every response header is readable.
func (r *Request) SameOrigin() bool { return !r.corsTainting && r.Origin.Same(r.Target) }

// SentOrigin is the origin the browser sends and checks responses
// against: the page's, or the opaque origin "null" once tainted. Referer
// and Sec-Fetch-Site keep using the page's origin.
func (r *Request) SentOrigin() Origin {
	if r.Tainted {
		return Origin{Opaque: true}
	}
	return r.Origin
}

// preflightOrigin is the Origin of a preflight: the one the request
// sends, except that Firefox sends the page's origin on the preflight it
// makes after a redirect to another origin (the standard and Chromium
// send null there).
func (r *Request) preflightOrigin() Origin {
	if r.firefox() {
		return r.Origin
	}
	return r.SentOrigin()
}

// NewRequest validates cfg the way fetch() would: a TypeError there is a
// bad input here (exit 2).
func NewRequest(cfg Config) (*Request, error) {
	if cfg.URL == nil {
		return nil, trace.BadInput("no URL given")
	}
	if cfg.URL.User != nil {
		return nil, trace.BadInput("the URL holds a user name or password: fetch() throws a TypeError for such URLs; send an Authorization header with -H instead")
	}
	origin, notes, err := ParseOrigin(cfg.Origin)
	if err != nil {
		return nil, err
	}
	method, err := normalizeMethod(cfg.Method, cfg.Body != nil)
	if err != nil {
		return nil, err
	}
	engine, err := ParseBrowser(cfg.Browser)
	if err != nil {
		return nil, err
	}
	r := &Request{Engine: engine, URL: cfg.URL, Origin: origin, Target: URLOrigin(cfg.URL), Method: method,
		Body: cfg.Body, Credentials: cfg.Credentials}
	for _, n := range notes {
		r.Notes = append(r.Notes, Problem{Rule: "origin-normalised", Message: "--origin " + cfg.Origin + ": " + n + "; the browser sends Origin: " + origin.String(),
			Fix: "configure the server with the origin exactly as browsers send it: " + origin.String()})
	}
	for _, e := range cfg.Headers {
		if err := checkHeaderValue(e.Name, e.Value); err != nil {
			return nil, err
		}
		r.addHeader(e.Name, e.Value)
	}
	if cfg.Body != nil && r.header("content-type") < 0 {
		// fetch() labels the body itself; both labels keep the request simple.
		bt := cfg.BodyType
		if bt == "" {
			bt = "text/plain;charset=UTF-8"
		}
		r.Headers = append(r.Headers, trace.Header{Name: "Content-Type", Value: bt})
		r.Entries = append(r.Entries, trace.Header{Name: "Content-Type", Value: bt})
	}
	return r, nil
}

// checkHeaderValue applies fetch()'s rule for header values: after
// leading and trailing HTTP whitespace is stripped, only NUL, CR and LF
// make a value invalid (a TypeError). Other control bytes are legal; they
// only make a header CORS-unsafe (a preflight).
func checkHeaderValue(name, value string) error {
	if !isToken(name) {
		return trace.BadInput("-H %q: the name is not a valid header name: fetch() throws a TypeError", name)
	}
	if i := strings.IndexAny(value, "\x00\r\n"); i >= 0 {
		return trace.BadInput("-H %s: the value holds the byte 0x%02x: fetch() throws a TypeError for NUL, CR and LF in a header value", name, value[i])
	}
	return nil
}

// sixMethods are the names fetch() upper-cases; every other method is
// sent exactly as written ("patch" stays "patch").
var sixMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}

// normalizeMethod applies fetch()'s method rules.
func normalizeMethod(m string, hasBody bool) (string, error) {
	switch {
	case m == "" && hasBody:
		return "POST", nil
	case m == "":
		return "GET", nil
	case !isToken(m):
		return "", trace.BadInput("-X %q is not a valid method name: fetch() throws a TypeError", m)
	}
	upper := strings.ToUpper(m)
	switch upper {
	case "CONNECT", "TRACE", "TRACK":
		return "", trace.BadInput("-X %s: fetch() throws a TypeError (\"'%s' HTTP method is unsupported\"); browsers never send CONNECT, TRACE or TRACK", m, m)
	}
	for _, s := range sixMethods {
		if upper == s {
			m = s
		}
	}
	if hasBody && (m == "GET" || m == "HEAD") {
		return "", trace.BadInput("-X %s with -d: fetch() throws a TypeError (\"Request with GET/HEAD method cannot have body.\"); drop -d or use -X POST", m)
	}
	return m, nil
}

// addHeader applies one script-set header: forbidden names are dropped
// (the browser ignores them silently), repeated names are combined with
// ", " as the Headers object does.
func (r *Request) addHeader(name, value string) {
	value = strings.Trim(value, " \t\r\n") // fetch's "normalize"
	lower := strings.ToLower(name)
	if lower == "cookie" {
		r.addCookie(value)
		return
	}
	if lower == "user-agent" {
		r.Notes = append(r.Notes, Problem{Rule: "browser-difference",
			Message: "Chromium drops -H " + name + " (it still forbids script to set User-Agent); Firefox sends it, and since it is not safelisted, preflights it (the Fetch standard sides with Firefox: User-Agent is no longer a forbidden header)",
			Fix:     "for Firefox, list user-agent in Access-Control-Allow-Headers, or stop setting it"})
		if !r.firefox() {
			return
		}
	}
	if why := forbiddenHeader(lower, value); why != "" && !(lower == "user-agent" && r.firefox()) {
		r.Notes = append(r.Notes, Problem{Rule: "forbidden-header",
			Message: "the browser drops -H " + name + ": " + why + "; script cannot set it and it is not sent",
			Fix:     "remove the header from the request code: the browser controls it"})
		return
	}
	r.Entries = append(r.Entries, trace.Header{Name: name, Value: value})
	if i := r.header(lower); i >= 0 {
		r.Headers[i].Value += ", " + value
		return
	}
	r.Headers = append(r.Headers, trace.Header{Name: name, Value: value})
}

// addCookie keeps a -H Cookie as the cookie jar's content: sent only with
// credentials, as stored cookies would be.
func (r *Request) addCookie(value string) {
	if !r.Credentials {
		r.Notes = append(r.Notes, Problem{Rule: "cookie-without-credentials",
			Message: "-H Cookie is not sent: script cannot set Cookie, and the browser sends its cookies only with credentials: \"include\"",
			Fix:     "add --credentials to model fetch(url, {credentials: \"include\"})"})
		return
	}
	if r.Cookie != "" {
		r.Cookie += "; "
	}
	r.Cookie += value
}

// header returns the index of a header by lower-case name, or -1.
func (r *Request) header(lower string) int {
	for i, h := range r.Headers {
		if strings.EqualFold(h.Name, lower) {
			return i
		}
	}
	return -1
}

// HeaderNames lists the names of the request's header list, lower case,
// sorted and unique: the contract's request_headers.
func (r *Request) HeaderNames() []string {
	names := make([]string, 0, len(r.Headers))
	for _, h := range r.Headers {
		names = append(names, strings.ToLower(h.Name))
	}
	return sortedUnique(names)
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return false
		}
	}
	return true
}

func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
