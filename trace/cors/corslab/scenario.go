package corslab

// Scenario is one CORS configuration of the API and one fetch() against
// it, with what Chromium 156 did (checked by the browser test).
type Scenario struct {
	Name        string
	Method      string      // "" means GET
	Headers     [][2]string // set by script, in order
	Body        string      // sent when HasBody
	HasBody     bool
	Credentials bool // credentials: "include" (else "omit")
	Sandbox     bool // fetch from a sandboxed iframe: Origin null
	PublicPage  bool // the page is on a public address (Local Network Access)
	SecurePage  bool // the page is https:// (SecurePageOrigin): http:// URLs are mixed content
	TLS         bool // the API is https:// (a potentially trustworthy URL)
	// SameOrigin puts the scenario's URL on the page's own origin (its
	// server answers /s/ too): CORS does not apply until a redirect
	// leaves the origin.
	SameOrigin bool

	Preflight Reply // the answer to OPTIONS
	Actual    Reply // the answer to the actual request
	Target    Reply // the answer at /s/{name}-target, where redirects point
	Hop       Reply // the answer at /s/{name}-hop, a redirect chain's middle

	Want Want
	// Firefox is what Firefox ESR did, where it differs from Want
	// (Chromium); nil when both engines do the same.
	Firefox *Want
	// Limitation says why reqtrace cannot decide this scenario (its
	// verdict is "unknown"); empty for the scenarios it must agree on.
	Limitation string
}

// Want is what Chromium 156 did.
type Want struct {
	Preflight bool     // it sent an OPTIONS request
	Allowed   bool     // fetch() resolved
	Readable  []string // the header names script could read, when allowed
	Status    int      // the status script read, when allowed; 0 means 200 unless the reply says otherwise
	// Console is Chromium's console text after "has been blocked by CORS
	// policy: "; empty when allowed or when no CORS rule failed.
	Console string
	// At is the URL Chromium names in the console line when it is not the
	// scenario's: a request further down a redirect chain. The line then
	// reads "Access to fetch at '{At}' (redirected from '<scenario URL>')".
	At string
	// Error is the network error Chromium logged instead of a CORS
	// failure ("net::ERR_TOO_MANY_REDIRECTS"); empty when none.
	Error string
	// Line is a whole console line of another kind (mixed content), with
	// placeholders; empty when none.
	Line string

	// Redirect scenarios also record what the chain looked like (zero
	// values are not checked).
	Requests int     // requests other than OPTIONS that reached the API
	Target   Reached // what reached /s/{name}-target first
}

// Reached is what the redirect target received first.
type Reached struct {
	Preflight string // the Origin header of the OPTIONS request; "" when none came
	Method    string // the method of the first other request; "" when none came
	Origin    string // that request's Origin header
}

// URL is the scenario's API URL.
func (l *Lab) ScenarioURL(s *Scenario) string {
	switch {
	case s.SameOrigin && s.SecurePage:
		return l.SecurePageOrigin() + s.Path()
	case s.TLS:
		return l.TLSURL(s.Path())
	case s.SameOrigin:
		return l.PageOrigin() + s.Path()
	}
	return l.URL(s.Path())
}

// Path is the scenario's API path.
func (s *Scenario) Path() string { return "/s/" + s.Name }

// FetchMethod is the method as script passes it.
func (s *Scenario) FetchMethod() string {
	if s.Method == "" {
		return "GET"
	}
	return s.Method
}

// Scenarios returns the scenario table.
func Scenarios() []Scenario { return append([]Scenario(nil), scenarios...) }

// Scenario returns one scenario by name.
func ByName(name string) (Scenario, bool) {
	for _, s := range scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// h is one header line.
func h(name, value string) [2]string { return [2]string{name, value} }

// Header sets used by many scenarios.
var (
	star       = [][2]string{h("Access-Control-Allow-Origin", "*")}
	echo       = [][2]string{h("Access-Control-Allow-Origin", "{origin}"), h("Vary", "Origin")}
	echoCreds  = [][2]string{h("Access-Control-Allow-Origin", "{origin}"), h("Access-Control-Allow-Credentials", "true"), h("Vary", "Origin")}
	basicRead  = []string{"content-length", "content-type"}
	noneAllow  = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
	pre        = "Response to preflight request doesn't pass access control check: "
	notOK      = pre + "It does not have HTTP ok status."
	wildcardCr = "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
)

func with(base [][2]string, more ...[2]string) [][2]string {
	return append(append([][2]string(nil), base...), more...)
}

func method(m string) string {
	return "Method " + m + " is not allowed by Access-Control-Allow-Methods in preflight response."
}

func header(n string) string {
	return "Request header field " + n + " is not allowed by Access-Control-Allow-Headers in preflight response."
}

// validValue ends Chromium's messages about a wrong Allow-Origin value.
const validValue = " Have the server send the header with a valid value."

func mismatch(v string) string {
	return "The 'Access-Control-Allow-Origin' header has a value '" + v + "' that is not equal to the supplied origin." + validValue
}

// Expand replaces the placeholders of a scenario's texts ({page},
// {pagehost}, {PAGEHOST}, {apiport}, {name}) with the lab's values.
func (l *Lab) Expand(s *Scenario, text string) string {
	return l.replacer(s.Name, "").Replace(text)
}
