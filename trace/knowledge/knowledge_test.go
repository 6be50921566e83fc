package knowledge

import (
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// ianaCodes is the IANA HTTP Status Code Registry (snapshot 2025-09-15):
// code -> registered reason phrase.
var ianaCodes = map[int]string{
	100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
	104: "Upload Resumption Supported",
	200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
	204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
	208: "Already Reported", 226: "IM Used",
	300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
	304: "Not Modified", 305: "Use Proxy", 306: "(Unused)", 307: "Temporary Redirect",
	308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
	404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
	407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict",
	410: "Gone", 411: "Length Required", 412: "Precondition Failed",
	413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
	416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "(Unused)",
	421: "Misdirected Request", 422: "Unprocessable Content", 423: "Locked",
	424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required",
	428: "Precondition Required", 429: "Too Many Requests",
	431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
	500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
	503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
	506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
	510: "Not Extended", 511: "Network Authentication Required",
}

// vendorCodes are the unofficial codes the knowledge base must carry, with
// the vendor each is attributed to.
var vendorCodes = map[int]string{
	419: "Laravel", 420: "Twitter", 430: "Shopify",
	440: "IIS", 449: "IIS", 450: "Microsoft",
	444: "nginx", 494: "nginx", 495: "nginx", 496: "nginx", 497: "nginx", 499: "nginx",
	460: "AWS ELB", 463: "AWS ELB", 464: "AWS ELB", 561: "AWS ELB",
	498: "Esri ArcGIS", 509: "cPanel/Apache", 529: "Qualys SSL Labs",
	520: "Cloudflare", 521: "Cloudflare", 522: "Cloudflare", 523: "Cloudflare",
	524: "Cloudflare", 525: "Cloudflare", 526: "Cloudflare", 527: "Cloudflare", 530: "Cloudflare",
	598: "some proxies", 599: "some proxies",
}

func TestIANACodesPresentWithExactPhrase(t *testing.T) {
	if len(ianaCodes) != 64 {
		t.Fatalf("test table has %d IANA codes, want 64", len(ianaCodes))
	}
	for code, phrase := range ianaCodes {
		s, ok := LookupStatus(code)
		if !ok {
			t.Errorf("%d missing", code)
			continue
		}
		if s.Reason != phrase {
			t.Errorf("%d reason = %q, want %q", code, s.Reason, phrase)
		}
		if s.State == StateUnofficial || s.Vendor != "" {
			t.Errorf("%d is an IANA code but State=%q Vendor=%q", code, s.State, s.Vendor)
		}
	}
	wantState := map[int]string{104: StateTemporary, 305: StateDeprecated, 306: StateUnused, 418: StateUnused, 510: StateObsolete, 102: StateRegistered}
	for code, st := range wantState {
		if s, _ := LookupStatus(code); s.State != st {
			t.Errorf("%d state = %q, want %q", code, s.State, st)
		}
	}
	if s, _ := LookupStatus(102); !strings.Contains(strings.ToLower(s.Details), "deprecated") {
		t.Errorf("102 details should mention deprecation: %q", s.Details)
	}
}

func TestGoStatusTextCovered(t *testing.T) {
	for code := 100; code <= 599; code++ {
		if http.StatusText(code) == "" {
			continue
		}
		if _, ok := LookupStatus(code); !ok {
			t.Errorf("net/http knows %d (%q) but the knowledge base does not", code, http.StatusText(code))
		}
	}
}

func TestNewPhrasesKeepLegacyAliases(t *testing.T) {
	for code, legacy := range map[int]string{
		413: "Request Entity Too Large",
		414: "Request-URI Too Long",
		416: "Requested Range Not Satisfiable",
		422: "Unprocessable Entity",
		418: "I'm a teapot",
	} {
		s, _ := LookupStatus(code)
		if !slices.Contains(s.Aliases, legacy) {
			t.Errorf("%d aliases %q lack %q", code, s.Aliases, legacy)
		}
		// Go's own (old) phrase must be findable too.
		if goText := http.StatusText(code); goText != s.Reason && !slices.Contains(s.Aliases, goText) {
			t.Errorf("%d: Go's phrase %q is neither the reason nor an alias", code, goText)
		}
	}
	for _, code := range []int{413, 414, 416, 422} {
		if s, _ := LookupStatus(code); s.Reason != ianaCodes[code] {
			t.Errorf("%d reason %q is not the RFC 9110 phrase", code, s.Reason)
		}
	}
}

func TestVendorCodes(t *testing.T) {
	for code, vendor := range vendorCodes {
		s, ok := LookupStatus(code)
		if !ok {
			t.Errorf("vendor code %d missing", code)
			continue
		}
		if s.State != StateUnofficial {
			t.Errorf("%d state = %q, want unofficial", code, s.State)
		}
		if s.Vendor != vendor {
			t.Errorf("%d vendor = %q, want %q", code, s.Vendor, vendor)
		}
		if _, iana := ianaCodes[code]; iana {
			t.Errorf("%d is both vendor and IANA", code)
		}
	}
	for _, s := range Statuses() {
		if _, iana := ianaCodes[s.Code]; !iana {
			if s.State != StateUnofficial || s.Vendor == "" {
				t.Errorf("%d is not in IANA but State=%q Vendor=%q", s.Code, s.State, s.Vendor)
			}
			if _, listed := vendorCodes[s.Code]; !listed {
				t.Errorf("%d: unofficial code not listed in the test table", s.Code)
			}
		}
	}
}

var specStyle = regexp.MustCompile(`^RFC \d+(, (Section|Appendix) [A-Z0-9][0-9.]*)?( .*)?$`)

func checkSpec(t *testing.T, what, spec string) {
	t.Helper()
	if strings.TrimSpace(spec) == "" {
		t.Errorf("%s: empty Spec", what)
		return
	}
	if strings.Contains(spec, "§") {
		t.Errorf("%s: Spec %q uses §; write \"RFC N, Section X\"", what, spec)
	}
	if strings.HasPrefix(spec, "RFC") && !specStyle.MatchString(spec) {
		t.Errorf("%s: Spec %q is not in \"RFC N, Section X\" style", what, spec)
	}
}

func TestStatusEntriesComplete(t *testing.T) {
	validState := []string{StateRegistered, StateTemporary, StateUnused, StateObsolete, StateDeprecated, StateUnofficial}
	validRetry := []string{RetryNo, RetrySafe, RetryAfter}
	seen := map[int]bool{}
	for _, s := range statuses {
		what := "status " + strconv.Itoa(s.Code)
		if seen[s.Code] {
			t.Errorf("%s: duplicate entry", what)
		}
		seen[s.Code] = true
		if s.Code < 100 || s.Code > 599 {
			t.Errorf("%s: out of range", what)
		}
		checkSpec(t, what, s.Spec)
		if s.Reason == "" || s.Summary == "" || s.Details == "" || s.FixClient == "" || s.FixServer == "" {
			t.Errorf("%s: empty Reason, Summary, Details or Fix", what)
		}
		if !slices.Contains(validState, s.State) {
			t.Errorf("%s: bad State %q", what, s.State)
		}
		if !slices.Contains(validRetry, s.Retry) {
			t.Errorf("%s: bad Retry %q", what, s.Retry)
		}
		for _, h := range s.Headers {
			if _, ok := LookupHeader(h); !ok {
				t.Errorf("%s: related header %q has no entry", what, h)
			}
		}
		for _, ref := range s.SeeAlso {
			if !resolves(ref) {
				t.Errorf("%s: SeeAlso %q does not resolve", what, ref)
			}
			if ref == strconv.Itoa(s.Code) {
				t.Errorf("%s: SeeAlso refers to itself", what)
			}
		}
	}
}

func TestHeuristicallyCacheable(t *testing.T) {
	// RFC 9110, Section 15.1.
	want := []int{200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501}
	var got []int
	for _, s := range Statuses() {
		if s.Cacheable {
			got = append(got, s.Code)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("cacheable codes = %v, want %v", got, want)
	}
}

func TestRequiredHeadersOnStatuses(t *testing.T) {
	for code, h := range map[int]string{
		101: "Upgrade", 103: "Link", 201: "Location", 206: "Content-Range",
		301: "Location", 302: "Location", 303: "Location", 307: "Location", 308: "Location",
		401: "WWW-Authenticate", 405: "Allow", 407: "Proxy-Authenticate",
		416: "Content-Range", 426: "Upgrade", 429: "Retry-After", 503: "Retry-After",
		425: "Early-Data", 451: "Link", 304: "ETag",
	} {
		s, _ := LookupStatus(code)
		if !slices.Contains(s.Headers, h) {
			t.Errorf("%d Headers %v lack %q", code, s.Headers, h)
		}
	}
}

func TestClassOf(t *testing.T) {
	for code := 100; code <= 599; code++ {
		c, ok := ClassOf(code)
		if !ok || c.Class != code/100 {
			t.Fatalf("ClassOf(%d) = %v, %v", code, c.Class, ok)
		}
	}
	for _, code := range []int{0, 99, 600, 999, -1} {
		if _, ok := ClassOf(code); ok {
			t.Errorf("ClassOf(%d) should fail", code)
		}
	}
	for _, c := range Classes() {
		what := "class " + strconv.Itoa(c.Class)
		checkSpec(t, what, c.Spec)
		if c.Name == "" || c.Summary == "" || c.Details == "" || c.Fix == "" {
			t.Errorf("%s: empty field", what)
		}
	}
	if c, _ := ClassOf(404); !strings.Contains(c.Summary, "fix the request") {
		t.Errorf("4xx summary should say to fix the request: %q", c.Summary)
	}
	if c, _ := ClassOf(503); !strings.Contains(c.Summary, "fix the server") {
		t.Errorf("5xx summary should say to fix the server: %q", c.Summary)
	}
}

func TestMethods(t *testing.T) {
	type props struct{ safe, idem bool }
	core := map[string]props{
		"GET": {true, true}, "HEAD": {true, true}, "POST": {false, false}, "PUT": {false, true},
		"DELETE": {false, true}, "CONNECT": {false, false}, "OPTIONS": {true, true},
		"TRACE": {true, true}, "PATCH": {false, false}, "QUERY": {true, true},
		"PROPFIND": {true, true}, "PROPPATCH": {false, true}, "MKCOL": {false, true},
		"COPY": {false, true}, "MOVE": {false, true}, "LOCK": {false, false},
		"UNLOCK": {false, true}, "SEARCH": {true, true}, "REPORT": {true, true},
	}
	for name, p := range core {
		m, ok := LookupMethod(name)
		if !ok {
			t.Errorf("method %s missing", name)
			continue
		}
		if m.Safe != p.safe || m.Idempotent != p.idem {
			t.Errorf("%s safe=%v idempotent=%v, want %v %v", name, m.Safe, m.Idempotent, p.safe, p.idem)
		}
		if !m.Registered {
			t.Errorf("%s should be registered", name)
		}
	}
	var cors, forms, cacheable []string
	seen := map[string]bool{}
	for _, m := range Methods() {
		checkSpec(t, "method "+m.Name, m.Spec)
		if m.Summary == "" {
			t.Errorf("method %s: empty Summary", m.Name)
		}
		if m.Name != strings.ToUpper(m.Name) || seen[m.Name] {
			t.Errorf("method %s: not upper case or duplicate", m.Name)
		}
		seen[m.Name] = true
		if m.Safe && !m.Idempotent {
			t.Errorf("method %s: safe methods are idempotent", m.Name)
		}
		if m.CORSSafelisted {
			cors = append(cors, m.Name)
		}
		if m.HTMLForm {
			forms = append(forms, m.Name)
		}
		if m.Cacheable {
			cacheable = append(cacheable, m.Name)
		}
	}
	if want := []string{"GET", "HEAD", "POST"}; !slices.Equal(cors, want) {
		t.Errorf("CORS-safelisted = %v, want %v", cors, want)
	}
	if want := []string{"GET", "POST"}; !slices.Equal(forms, want) {
		t.Errorf("HTML form methods = %v, want %v", forms, want)
	}
	if want := []string{"GET", "HEAD", "QUERY"}; !slices.Equal(cacheable, want) {
		t.Errorf("cacheable methods = %v, want %v", cacheable, want)
	}
	for _, in := range []string{"patch", "Patch", " get ", "propfind"} {
		if _, ok := LookupMethod(in); !ok {
			t.Errorf("LookupMethod(%q) failed", in)
		}
	}
	if _, ok := LookupMethod("FETCH"); ok {
		t.Error("LookupMethod(FETCH) should fail")
	}
}

func TestHeaders(t *testing.T) {
	if n := len(Headers()); n < 110 {
		t.Errorf("%d headers, want at least 110", n)
	}
	validKind := []string{KindRequest, KindResponse, KindBoth}
	validCat := []string{"caching", "conditional", "negotiation", "auth", "cookies", "cors", "security", "proxy", "connection", "content", "timing", "misc"}
	owner := map[string]string{}
	for _, h := range headers() {
		what := "header " + h.Name
		checkSpec(t, what, h.Spec)
		if h.Summary == "" {
			t.Errorf("%s: empty Summary", what)
		}
		if h.Name != strings.TrimSpace(h.Name) || strings.ContainsAny(h.Name, " :_") {
			t.Errorf("%s: bad name", what)
		}
		if !slices.Contains(validKind, h.Kind) {
			t.Errorf("%s: bad Kind %q", what, h.Kind)
		}
		if !slices.Contains(validCat, h.Category) {
			t.Errorf("%s: bad Category %q", what, h.Category)
		}
		for _, n := range append([]string{h.Name}, h.Aliases...) {
			k := strings.ToLower(n)
			if prev, dup := owner[k]; dup {
				t.Errorf("name %q used by both %s and %s", n, prev, h.Name)
			}
			owner[k] = h.Name
			if _, isMethod := LookupMethod(n); isMethod {
				t.Errorf("header name %q is also a method name", n)
			}
		}
		for _, d := range h.Directives {
			if d.Name == "" || d.Summary == "" {
				t.Errorf("%s: directive with empty Name or Summary", what)
			}
			checkSpec(t, what+" directive "+d.Name, d.Spec)
			if d.In != "" && !slices.Contains(validKind, d.In) {
				t.Errorf("%s directive %s: bad In %q", what, d.Name, d.In)
			}
		}
		for _, ref := range h.SeeAlso {
			if !resolves(ref) {
				t.Errorf("%s: SeeAlso %q does not resolve", what, ref)
			}
			if strings.EqualFold(ref, h.Name) {
				t.Errorf("%s: SeeAlso refers to itself", what)
			}
		}
	}
}

func TestHeaderLookupCaseInsensitive(t *testing.T) {
	for in, want := range map[string]string{
		"cache-control":        "Cache-Control",
		"CACHE-CONTROL":        "Cache-Control",
		"Cache-Control:":       "Cache-Control",
		" cache_control ":      "Cache-Control",
		"www-authenticate":     "WWW-Authenticate",
		"etag":                 "ETag",
		"hsts":                 "Strict-Transport-Security",
		"csp":                  "Content-Security-Policy",
		"csp-report-only":      "Content-Security-Policy-Report-Only",
		"referrer":             "Referer",
		"x-forwarded-for":      "X-Forwarded-For",
		"sec-fetch-site":       "Sec-Fetch-Site",
		"cf-cache-status":      "CF-Cache-Status",
		"set-cookie":           "Set-Cookie",
		"x-xss-protection":     "X-XSS-Protection",
		"coop":                 "Cross-Origin-Opener-Policy",
		"http2-settings":       "HTTP2-Settings",
		"x-correlation-id":     "X-Request-ID",
		"content-security-pol": "",
	} {
		h, ok := LookupHeader(in)
		if want == "" {
			if ok {
				t.Errorf("LookupHeader(%q) = %s, want no match", in, h.Name)
			}
			continue
		}
		if !ok || h.Name != want {
			t.Errorf("LookupHeader(%q) = %q, %v; want %q", in, h.Name, ok, want)
		}
	}
}

// TestRequiredHeaders pins the headers the brief asks for.
func TestRequiredHeaders(t *testing.T) {
	required := []string{
		"Cache-Control", "Expires", "Age", "ETag", "Last-Modified", "Vary", "Pragma", "CDN-Cache-Control",
		"Cache-Status", "CF-Cache-Status", "X-Cache", "X-Cache-Lookup",
		"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range",
		"Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset", "Accept-Patch", "Accept-Query",
		"Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Location",
		"Content-Disposition", "Content-Range", "Range", "Accept-Ranges",
		"Authorization", "WWW-Authenticate", "Proxy-Authenticate", "Proxy-Authorization",
		"Cookie", "Set-Cookie",
		"Origin", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
		"Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
		"Access-Control-Request-Method", "Access-Control-Request-Headers", "Timing-Allow-Origin",
		"Strict-Transport-Security", "Content-Security-Policy", "Content-Security-Policy-Report-Only",
		"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy",
		"Cross-Origin-Opener-Policy", "Cross-Origin-Embedder-Policy", "Cross-Origin-Resource-Policy", "X-XSS-Protection",
		"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Via", "X-Real-IP",
		"Connection", "Keep-Alive", "Upgrade", "Transfer-Encoding", "TE", "Trailer", "Alt-Svc", "HTTP2-Settings",
		"Server-Timing", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User",
		"Accept-CH", "Sec-CH-UA", "Sec-CH-UA-Mobile", "Sec-CH-UA-Platform",
		"Host", "User-Agent", "Referer", "Date", "Server", "X-Powered-By", "Location", "Retry-After", "Allow",
		"Link", "Early-Data", "Expect", "Idempotency-Key", "Priority", "Clear-Site-Data", "NEL", "Report-To",
		"Reporting-Endpoints", "X-Request-ID", "Deprecation", "Sunset", "RateLimit", "RateLimit-Policy",
	}
	for _, name := range required {
		h, ok := LookupHeader(name)
		if !ok {
			t.Errorf("header %s missing", name)
			continue
		}
		if h.Name != name {
			t.Errorf("LookupHeader(%q).Name = %q", name, h.Name)
		}
	}
	for _, d := range []string{"X-XSS-Protection", "Pragma", "Feature-Policy", "Expect-CT", "Warning"} {
		if h, _ := LookupHeader(d); !h.Deprecated {
			t.Errorf("%s should be marked deprecated", d)
		}
	}
}

func directiveNames(h Header) []string {
	var out []string
	for _, d := range h.Directives {
		out = append(out, d.Name)
	}
	return out
}

func TestDirectives(t *testing.T) {
	for header, want := range map[string][]string{
		"Cache-Control": {"max-age", "s-maxage", "no-cache", "no-store", "private", "public", "must-revalidate",
			"proxy-revalidate", "must-understand", "no-transform", "immutable", "stale-while-revalidate",
			"stale-if-error", "max-stale", "min-fresh", "only-if-cached"},
		"Set-Cookie": {"Expires", "Max-Age", "Domain", "Path", "Secure", "HttpOnly", "SameSite=Strict",
			"SameSite=Lax", "SameSite=None", "Partitioned", "__Host-", "__Secure-"},
		"Strict-Transport-Security": {"max-age", "includeSubDomains", "preload"},
		"Content-Security-Policy": {"default-src", "script-src", "style-src", "img-src", "connect-src",
			"object-src", "base-uri", "form-action", "frame-ancestors", "report-to", "upgrade-insecure-requests"},
		"Referrer-Policy": {"no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin",
			"same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url"},
		"X-Frame-Options":            {"DENY", "SAMEORIGIN"},
		"Cross-Origin-Opener-Policy": {"same-origin", "same-origin-allow-popups", "unsafe-none"},
		"Authorization":              {"Basic", "Bearer"},
	} {
		h, _ := LookupHeader(header)
		got := directiveNames(h)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s lacks directive %q", header, w)
			}
		}
	}
	cc, _ := LookupHeader("Cache-Control")
	in := map[string][]string{}
	for _, d := range cc.Directives {
		in[d.Name] = append(in[d.Name], d.In)
	}
	for _, name := range []string{"max-age", "no-cache", "no-store"} {
		if !slices.Contains(in[name], KindRequest) || !slices.Contains(in[name], KindResponse) {
			t.Errorf("Cache-Control %s should have request and response entries, has %v", name, in[name])
		}
	}
	sc, _ := LookupHeader("Set-Cookie")
	if !strings.Contains(sc.Details, "400 days") {
		t.Error("Set-Cookie details should mention the 400-day cap")
	}
	auth, _ := LookupHeader("Authorization")
	if !strings.Contains(auth.Details, "Basic") || !strings.Contains(auth.Details, "Bearer") {
		t.Error("Authorization details should explain Basic and Bearer")
	}
}

func TestSortedAndCopied(t *testing.T) {
	st := Statuses()
	if !sort.SliceIsSorted(st, func(i, j int) bool { return st[i].Code < st[j].Code }) {
		t.Error("Statuses not sorted")
	}
	ms := Methods()
	if !sort.SliceIsSorted(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name }) {
		t.Error("Methods not sorted")
	}
	hs := Headers()
	if !sort.SliceIsSorted(hs, func(i, j int) bool { return strings.ToLower(hs[i].Name) < strings.ToLower(hs[j].Name) }) {
		t.Error("Headers not sorted")
	}
	s, _ := LookupStatus(413)
	s.Aliases[0] = "mutated"
	st[0].Reason = "mutated"
	if s2, _ := LookupStatus(413); s2.Aliases[0] == "mutated" {
		t.Error("LookupStatus returned shared slices")
	}
	if s2, _ := LookupStatus(st[0].Code); s2.Reason == "mutated" {
		t.Error("Statuses returned shared entries")
	}
	h, _ := LookupHeader("Cache-Control")
	h.Directives[0].Name = "mutated"
	if h2, _ := LookupHeader("Cache-Control"); h2.Directives[0].Name == "mutated" {
		t.Error("LookupHeader returned shared slices")
	}
}

func TestClosest(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"cache-contrl", 3, "Cache-Control"},
		{"Cache-Controll", 3, "Cache-Control"},
		{"4O4", 3, "404"},
		{"4o4", 1, "404"},
		{"5O3", 3, "503"},
		{"PACTH", 3, "PATCH"},
		{"x-forwarded-fro", 3, "X-Forwarded-For"},
		{"4xxx", 3, "4xx"},
		{"etga", 3, "ETag"},
		{"content-type", 1, "Content-Type"},
		{"strict-transport", 3, "Strict-Transport-Security"},
		{"hst", 3, "HSTS"},
		{"referer-policy", 3, "Referrer-Policy"},
		{"acess-control-allow-origin", 3, "Access-Control-Allow-Origin"},
	}
	for _, c := range cases {
		got := Closest(c.in, c.n)
		want := c.want
		if want == "HSTS" { // aliases are reported by their canonical name
			want = "Strict-Transport-Security"
		}
		if !slices.Contains(got, want) {
			t.Errorf("Closest(%q, %d) = %v, want it to contain %q", c.in, c.n, got, want)
		}
		if len(got) > c.n {
			t.Errorf("Closest(%q, %d) returned %d results", c.in, c.n, len(got))
		}
	}
	if got := Closest("zzzzzzzzzzzz", 5); len(got) != 0 {
		t.Errorf("Closest(nonsense) = %v, want nothing", got)
	}
	if got := Closest("404", 0); got != nil {
		t.Errorf("Closest with n=0 = %v", got)
	}
	if got := Closest("404", 5); len(got) == 0 || got[0] != "404" {
		t.Errorf("Closest(404) should rank the exact match first: %v", got)
	}
	for _, got := range Closest("content", 20) {
		if got == "" || !resolves(got) {
			t.Errorf("Closest returned unresolvable topic %q", got)
		}
	}
}

// resolves reports whether a topic names a status code, a class, a method or
// a header.
func resolves(ref string) bool {
	if code, err := strconv.Atoi(ref); err == nil {
		_, ok := LookupStatus(code)
		return ok
	}
	if len(ref) == 3 && strings.HasSuffix(ref, "xx") && ref[0] >= '1' && ref[0] <= '5' {
		return true
	}
	if _, ok := LookupMethod(ref); ok && ref == strings.ToUpper(ref) {
		return true
	}
	_, ok := LookupHeader(ref)
	return ok
}
