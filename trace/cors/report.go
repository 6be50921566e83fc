package cors

import "github.com/reqtrace/reqtrace/trace"

// Verdicts: the contract's values.
const (
	Allowed = "allowed" // script can read the response
	Blocked = "blocked" // the browser hides the response (or never sends the request)
	Unknown = "unknown" // not decided: the actual request was not sent, or the network failed
)

// Check results.
const (
	Pass = "pass"
	Fail = "fail"
	Skip = "skip" // the browser does not get that far, or the rule does not apply
)

// Report is everything one evaluation found.
type Report struct {
	Browser        string // the engine evaluated as: Chromium or Firefox
	URL            string
	Origin         string // as the browser sends it
	Method         string // after fetch()'s normalisation
	RequestHeaders []string
	Credentials    bool
	SameOrigin     bool
	Preflight      Preflight
	Actual         Actual
	Readable       []string // lower-case names script can read; nil unless allowed
	Verdict        string
	Summary        string // the verdict in one line
	// Console is the line Chromium's console prints for the first problem:
	// "Access to fetch at … has been blocked by CORS policy: …".
	Console  string
	Problems []Problem // why it is blocked, in the order the browser checks
	Warnings []Problem // not blocking now, but worth fixing
	// Fix lists the response header lines that make this request pass.
	Fix Fix
	// BlockedBeforeSending is true when the browser sends nothing at all
	// (mixed content; Chromium's Local Network Access from an insecure page).
	BlockedBeforeSending bool
	Err                  *trace.Error // the network failure that stopped the evaluation
	Scan                 *Scan        // --scan results
	// Engines are what Chromium and Firefox each do, the evaluated engine
	// first, when they differ; nil when they agree.
	Engines []EngineOutcome
}

// Exchange is one request the browser sends and what came back.
type Exchange struct {
	Method   string
	URL      string
	Headers  []trace.Header // as sent; as it would be sent when not sent
	Hop      *trace.Hop     // the trace of the exchange; nil when not sent
	Passed   *bool          // nil when not evaluated
	Checks   []Check
	Problems []Problem
}

// Preflight is the OPTIONS request and the decision to send it.
type Preflight struct {
	Needed  bool
	Reasons []string
	Exchange
	MaxAge *MaxAge // nil unless a preflight response came
}

// Actual is the request script asked for and the redirects the browser
// followed from it (redirect.go).
type Actual struct {
	Sent    bool
	NotSent string // why it was not sent
	// Exchange is the last request of the chain: the one whose response
	// script reads or the browser refused. Without redirects it is the
	// request script made; its Hop is nil when the preflight the browser
	// sent to it after a redirect failed.
	Exchange
	OriginSent string // the Origin header of that request ("null" once tainted)
	// Redirects are the redirects followed before it, in order.
	Redirects []RedirectHop
	// Redirect is the Location of a redirect not followed: the browser
	// refused it (the last response failed a check), or --max-redirs
	// stopped the chain (it passed); "" otherwise.
	Redirect string
}

// Check is one rule of the browser's checklist.
type Check struct {
	Rule   string // stable identifier, e.g. "allow-origin"
	Title  string // what is checked
	Result string // Pass, Fail or Skip
	Detail string // what was seen; may hold server-controlled text
}

// Problem is a finding: what the browser says and how to fix it.
type Problem struct {
	Rule    string // stable identifier, e.g. "preflight.allow-origin-missing"
	Message string // the browser's console text, or a plain sentence for warnings
	Fix     string // what to change, with the header line to send
	Cause   string // the usual reason this happens; may be empty
}

// Fix is the set of response headers that would make the request pass.
type Fix struct {
	Preflight []string // header lines for the OPTIONS response (status 204)
	Actual    []string // header lines for the actual response
	// URL is where those responses come from when it is not the URL
	// script fetched: the redirect target that failed. "" otherwise.
	URL string
}

// MaxAge is how long browsers cache this preflight result.
type MaxAge struct {
	Header   string // the Access-Control-Max-Age value; "" when absent
	Chromium int    // seconds Chromium caches it (0: not cached)
	Firefox  int    // seconds Firefox caches it
}

func boolPtr(b bool) *bool { return &b }
