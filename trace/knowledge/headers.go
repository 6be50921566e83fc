package knowledge

import "sync"

// headers is every header entry, joined on first use; the per-domain
// tables live in the headers_*.go files.
var headers = sync.OnceValue(func() []Header {
	return concatHeaders(
		cachingHeaders,
		conditionalHeaders,
		contentHeaders,
		negotiationHeaders,
		authHeaders,
		cookieHeaders,
		corsHeaders,
		securityHeaders,
		connectionHeaders,
		proxyHeaders,
		timingHeaders,
		miscHeaders,
	)
})

func concatHeaders(groups ...[]Header) []Header {
	var out []Header
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// timingHeaders: performance and tracing information.
var timingHeaders = []Header{
	{
		Name: "Server-Timing", Kind: KindResponse, Category: "timing",
		Spec:    "W3C Server Timing",
		Summary: "Server-side timing metrics for the request, shown in browser dev tools: Server-Timing: db;dur=53, app;dur=47.2.",
		Details: "Each metric has a name and optional dur (milliseconds) and desc. Browsers expose it to cross-origin script only with Timing-Allow-Origin. It can reveal internals (cache status, backend names), so limit it in production.",
		Directives: []Directive{
			{Name: "dur", Spec: "W3C Server Timing", Summary: "Duration in milliseconds."},
			{Name: "desc", Spec: "W3C Server Timing", Summary: "Human-readable description."},
		},
		SeeAlso: []string{"Timing-Allow-Origin", "Trailer"},
	},
	{
		Name: "Timing-Allow-Origin", Kind: KindResponse, Category: "timing",
		Spec:    "W3C Resource Timing",
		Summary: "Which origins may see detailed timing (DNS, connect, TLS, sizes, Server-Timing) of this resource via the Resource Timing API.",
		Details: "Without it, cross-origin resources report zeros for most phases. * allows every origin.",
		SeeAlso: []string{"Server-Timing", "Access-Control-Allow-Origin"},
	},
	{
		Name: "X-Response-Time", Aliases: []string{"X-Runtime"}, Kind: KindResponse, Category: "timing",
		Spec:    "Non-standard; framework middleware",
		Summary: "How long the application took to produce the response, as measured by middleware (units vary: ms or seconds).",
		SeeAlso: []string{"Server-Timing"},
	},
	{
		Name: "Traceparent", Kind: KindRequest, Category: "timing",
		Spec:    "W3C Trace Context, Section 3.2",
		Summary: "Distributed tracing context: version, trace ID, parent span ID and flags (00-<32 hex>-<16 hex>-01).",
		Details: "Propagated by OpenTelemetry and most APM tools so one trace follows a request across services.",
		SeeAlso: []string{"Tracestate", "X-Request-ID"},
	},
	{
		Name: "Tracestate", Kind: KindRequest, Category: "timing",
		Spec:    "W3C Trace Context, Section 3.3",
		Summary: "Vendor-specific tracing data that travels with Traceparent.",
		SeeAlso: []string{"Traceparent"},
	},
}

// miscHeaders: general request and response fields.
var miscHeaders = []Header{
	{
		Name: "Host", Kind: KindRequest, Category: "misc",
		Spec:    "RFC 9110, Section 7.2",
		Summary: "The host name (and port, if not the default) the request is for; lets one IP address serve many sites.",
		Details: "Required in HTTP/1.1; HTTP/2 and HTTP/3 carry it in the :authority pseudo-header. A missing or unknown Host gives 400, the default site, or 421. Servers that build URLs from Host without checking it are open to host-header injection.",
		SeeAlso: []string{"X-Forwarded-Host", "421"},
	},
	{
		Name: "User-Agent", Kind: KindRequest, Category: "misc",
		Spec:    "RFC 9110, Section 10.1.5",
		Summary: "Identifies the client software, such as a browser version or curl/8.5.0.",
		Details: "Browsers now freeze most of the string and move details to Sec-CH-UA client hints. Some servers and WAFs block unknown or empty user agents, so scripts are often told to set a descriptive one.",
		SeeAlso: []string{"Sec-CH-UA", "Vary"},
	},
	{
		Name: "Referer", Aliases: []string{"Referrer"}, Kind: KindRequest, Category: "misc",
		Spec:    "RFC 9110, Section 10.1.3",
		Summary: "The URL of the page that linked to or requested this resource. (The misspelling is official.)",
		Details: "What is sent is limited by Referrer-Policy, by default only the origin for cross-origin requests. Never rely on it for security; it can be absent or forged by non-browser clients.",
		SeeAlso: []string{"Referrer-Policy", "Origin"},
	},
	{
		Name: "From", Kind: KindRequest, Category: "misc",
		Spec:    "RFC 9110, Section 10.1.2",
		Summary: "An email address for the human or operator responsible for the client, used by well-behaved crawlers.",
		SeeAlso: []string{"User-Agent"},
	},
	{
		Name: "Date", Kind: KindBoth, Category: "misc",
		Spec:    "RFC 9110, Section 6.6.1",
		Summary: "When the message was generated, in HTTP date format (Sun, 06 Nov 1994 08:49:37 GMT).",
		Details: "Origin servers must send it; caches use it with Age, Expires and Last-Modified to compute freshness. A Date far from the local clock points to a wrong server clock or an old cached response.",
		SeeAlso: []string{"Age", "Expires", "Last-Modified"},
	},
	{
		Name: "Server", Kind: KindResponse, Category: "misc",
		Spec:    "RFC 9110, Section 10.2.4",
		Summary: "Identifies the server software, such as nginx or cloudflare.",
		Details: "Detailed version numbers (Apache/2.4.41 (Ubuntu)) help attackers find known vulnerabilities; security checklists recommend a short or generic value.",
		SeeAlso: []string{"X-Powered-By", "Via"},
	},
	{
		Name: "X-Powered-By", Kind: KindResponse, Category: "misc",
		Spec:    "Non-standard",
		Summary: "Names the framework or language behind the site, such as PHP/8.1.2 or Express.",
		Details: "Serves no purpose for clients and discloses versions; remove it (Express: app.disable('x-powered-by'); PHP: expose_php = Off).",
		SeeAlso: []string{"Server", "X-AspNet-Version"},
	},
	{
		Name: "X-AspNet-Version", Aliases: []string{"X-AspNetMvc-Version"}, Kind: KindResponse, Category: "misc",
		Spec:    "Non-standard; Microsoft ASP.NET",
		Summary: "The ASP.NET (or ASP.NET MVC) version; discloses platform details and should be removed.",
		SeeAlso: []string{"X-Powered-By", "Server"},
	},
	{
		Name: "Location", Kind: KindResponse, Category: "misc",
		Spec:    "RFC 9110, Section 10.2.2",
		Summary: "The URL to go to for a redirect (3xx), or of a newly created resource (201).",
		Details: "May be relative; it is resolved against the request URL. Clients follow it for 3xx (curl only with -L). If the request URL had a fragment and Location has none, the fragment is kept. Open redirects that copy user input into Location are a common vulnerability.",
		SeeAlso: []string{"301", "302", "303", "307", "308", "201", "Content-Location"},
	},
	{
		Name: "Retry-After", Kind: KindResponse, Category: "misc",
		Spec:    "RFC 9110, Section 10.2.3",
		Summary: "How long to wait before retrying: a number of seconds or an HTTP date.",
		Details: "Sent with 503 (maintenance, overload), 429 (rate limit), 413, and with 3xx to suggest a minimum wait before following. Clients should honour it instead of retrying immediately.",
		SeeAlso: []string{"429", "503", "RateLimit"},
	},
	{
		Name: "Allow", Kind: KindResponse, Category: "misc",
		Spec:    "RFC 9110, Section 10.2.1",
		Summary: "The methods the target resource supports, such as GET, HEAD, OPTIONS.",
		Details: "Required with 405 Method Not Allowed; also common in answers to OPTIONS. An empty Allow means the resource allows no methods.",
		SeeAlso: []string{"405", "OPTIONS", "Access-Control-Allow-Methods"},
	},
	{
		Name: "Link", Kind: KindBoth, Category: "misc",
		Spec:    "RFC 8288, Section 3",
		Summary: "Typed links to related resources, like <link> in HTML: <https://cdn.example/app.css>; rel=preload; as=style.",
		Details: "Used for resource hints (preload, preconnect, in 103 Early Hints and 200s), pagination in APIs (rel=next, rel=last), canonical URLs, and rel=\"blocked-by\" with 451.",
		Directives: []Directive{
			{Name: "rel=preload", Spec: "W3C Preload", Summary: "Fetch this resource early; needs as= (style, script, font, image) and crossorigin for fonts."},
			{Name: "rel=preconnect", Spec: "W3C Resource Hints", Summary: "Open a connection (DNS, TCP, TLS) to this origin early."},
			{Name: "rel=dns-prefetch", Spec: "W3C Resource Hints", Summary: "Resolve this host name early."},
			{Name: "rel=canonical", Spec: "RFC 6596, Section 3", Summary: "The preferred URL of this content, for search engines."},
			{Name: "rel=next", Spec: "RFC 8288 (IANA link relations)", Summary: "The next page of a paginated collection (rel=prev, first and last similarly)."},
			{Name: "rel=alternate", Spec: "RFC 8288 (IANA link relations)", Summary: "An alternative version, such as a translation (with hreflang) or another format."},
			{Name: "rel=blocked-by", Spec: "RFC 7725, Section 4", Summary: "With 451: the entity that demanded the block."},
		},
		SeeAlso: []string{"103", "451", "Early-Data"},
	},
	{
		Name: "Early-Data", Kind: KindRequest, Category: "misc",
		Spec:    "RFC 8470, Section 5.1",
		Summary: "Early-Data: 1 is added by a proxy when it forwarded a request received in TLS 1.3 early data (0-RTT), which could be replayed.",
		Details: "The origin can answer 425 Too Early for requests that must not be replayed; the client then retries after the handshake.",
		SeeAlso: []string{"425"},
	},
	{
		Name: "Expect", Kind: KindRequest, Category: "misc",
		Spec:    "RFC 9110, Section 10.1.1",
		Summary: "Expect: 100-continue asks the server to confirm (with 100 Continue) before the client sends a large body.",
		Details: "The only defined expectation. A server can refuse early with 417 or another error and save the upload. Some proxies mishandle it, causing delays or 417.",
		SeeAlso: []string{"100", "417"},
	},
	{
		Name: "Idempotency-Key", Kind: KindRequest, Category: "misc",
		Spec:    "draft-ietf-httpapi-idempotency-key-header",
		Summary: "A unique client-chosen key that lets the server detect retries of a POST or PATCH and apply it only once.",
		Details: "Used by payment APIs (Stripe and others): if a request times out, the client retries with the same key and the server returns the stored result instead of charging twice. Reusing a key with a different body is an error (typically 422).",
		SeeAlso: []string{"POST", "PATCH", "409", "422"},
	},
	{
		Name: "Priority", Kind: KindBoth, Category: "misc",
		Spec:    "RFC 9218, Section 5",
		Summary: "Signals how urgent a response is and whether it can be delivered incrementally: Priority: u=1, i.",
		Directives: []Directive{
			{Name: "u", Spec: "RFC 9218, Section 4.1", Summary: "Urgency from 0 (highest) to 7 (lowest); default 3."},
			{Name: "i", Spec: "RFC 9218, Section 4.2", Summary: "Incremental: the client can use partial data (for example progressive images)."},
		},
		SeeAlso: []string{"Link"},
	},
	{
		Name: "NEL", Kind: KindResponse, Category: "misc",
		Spec:    "W3C Network Error Logging",
		Summary: "Network Error Logging policy: asks browsers to report failed (and optionally successful) requests to a reporting endpoint.",
		Details: "Example: NEL: {\"report_to\":\"default\",\"max_age\":2592000,\"failure_fraction\":0.1}. Reports DNS, TCP, TLS and HTTP failures that the server would never see in its own logs. Requires a Report-To (or Reporting-Endpoints) group.",
		SeeAlso: []string{"Report-To", "Reporting-Endpoints"},
	},
	{
		Name: "Report-To", Kind: KindResponse, Category: "misc", Deprecated: true,
		Spec:    "W3C Reporting API (first version; deprecated)",
		Summary: "Old JSON syntax for naming reporting endpoint groups; replaced by Reporting-Endpoints but still needed for NEL.",
		SeeAlso: []string{"Reporting-Endpoints", "NEL"},
	},
	{
		Name: "Reporting-Endpoints", Kind: KindResponse, Category: "misc",
		Spec:    "W3C Reporting API",
		Summary: "Names URLs that receive browser reports (CSP violations, COOP/COEP, deprecations): Reporting-Endpoints: csp=\"https://r.example/csp\".",
		SeeAlso: []string{"Content-Security-Policy", "Report-To"},
	},
	{
		Name: "X-Request-ID", Aliases: []string{"Request-Id", "X-Correlation-ID"}, Kind: KindBoth, Category: "misc",
		Spec:    "Non-standard; common convention (Heroku, nginx $request_id, many frameworks)",
		Summary: "A unique ID for one request, logged by every service it passes through; quote it when reporting a problem.",
		Details: "Usually generated by the first proxy if the client did not send one, and echoed in the response. X-Correlation-ID is a similar convention for grouping related requests. Traceparent is the standard for distributed tracing.",
		SeeAlso: []string{"Traceparent", "CF-Ray", "X-Amzn-Trace-Id"},
	},
	{
		Name: "Deprecation", Kind: KindResponse, Category: "misc",
		Spec:    "RFC 9745, Section 2",
		Summary: "Says the resource or API endpoint is deprecated, or will be from the given date (Deprecation: @1735689599).",
		Details: "Often sent with Sunset (when it stops working) and a Link rel=\"deprecation\" pointing to migration docs.",
		SeeAlso: []string{"Sunset", "Link"},
	},
	{
		Name: "Sunset", Kind: KindResponse, Category: "misc",
		Spec:    "RFC 8594, Section 3",
		Summary: "The date after which the resource is expected to become unavailable (an HTTP date).",
		SeeAlso: []string{"Deprecation", "410"},
	},
	{
		Name: "RateLimit", Kind: KindResponse, Category: "misc",
		Spec:    "draft-ietf-httpapi-ratelimit-headers",
		Summary: "The client's current rate-limit state for a named policy: remaining quota (r) and seconds until reset (t).",
		Details: "Example: RateLimit: \"default\";r=50;t=30, with the quota itself described in RateLimit-Policy. Still an IETF draft; earlier drafts used separate RateLimit-Limit, -Remaining and -Reset fields, and many APIs use X-RateLimit-*.",
		SeeAlso: []string{"RateLimit-Policy", "Retry-After", "429"},
	},
	{
		Name: "RateLimit-Policy", Kind: KindResponse, Category: "misc",
		Spec:    "draft-ietf-httpapi-ratelimit-headers",
		Summary: "Describes the quota policies that apply: RateLimit-Policy: \"default\";q=100;w=60 (100 requests per 60 seconds).",
		SeeAlso: []string{"RateLimit", "429"},
	},
	{
		Name: "RateLimit-Limit", Kind: KindResponse, Category: "misc",
		Spec:    "draft-ietf-httpapi-ratelimit-headers (earlier revisions)",
		Summary: "Earlier draft form: the request quota for the current window.",
		SeeAlso: []string{"RateLimit", "X-RateLimit-Limit"},
	},
	{
		Name: "RateLimit-Remaining", Kind: KindResponse, Category: "misc",
		Spec:    "draft-ietf-httpapi-ratelimit-headers (earlier revisions)",
		Summary: "Earlier draft form: requests left in the current window.",
		SeeAlso: []string{"RateLimit", "X-RateLimit-Remaining"},
	},
	{
		Name: "RateLimit-Reset", Kind: KindResponse, Category: "misc",
		Spec:    "draft-ietf-httpapi-ratelimit-headers (earlier revisions)",
		Summary: "Earlier draft form: seconds until the quota resets.",
		SeeAlso: []string{"RateLimit", "X-RateLimit-Reset"},
	},
	{
		Name: "X-RateLimit-Limit", Kind: KindResponse, Category: "misc",
		Spec:    "Non-standard; common API convention (GitHub, Twitter and others)",
		Summary: "The maximum number of requests allowed in the current window.",
		SeeAlso: []string{"X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit", "429"},
	},
	{
		Name: "X-RateLimit-Remaining", Kind: KindResponse, Category: "misc",
		Spec:    "Non-standard; common API convention",
		Summary: "How many requests are left in the current window.",
		SeeAlso: []string{"X-RateLimit-Limit", "X-RateLimit-Reset"},
	},
	{
		Name: "X-RateLimit-Reset", Kind: KindResponse, Category: "misc",
		Spec:    "Non-standard; common API convention",
		Summary: "When the window resets: a Unix timestamp on some APIs (GitHub), seconds from now on others.",
		SeeAlso: []string{"X-RateLimit-Limit", "Retry-After"},
	},
	{
		Name: "Refresh", Kind: KindResponse, Category: "misc",
		Spec:    "HTML Standard (refresh pragma)",
		Summary: "Reload or redirect after a delay: Refresh: 5; url=https://example.com/. Works like <meta http-equiv=refresh>.",
		Details: "Not an HTTP redirect: clients other than browsers ignore it, and it is bad for accessibility. Prefer a 3xx with Location.",
		SeeAlso: []string{"Location", "302"},
	},
	{
		Name: "X-Robots-Tag", Kind: KindResponse, Category: "misc",
		Spec:    "Non-standard; search engines (Google, Bing)",
		Summary: "Search engine indexing rules for this response, like the robots meta tag: noindex, nofollow, noarchive, nosnippet.",
		Details: "Useful for non-HTML files such as PDFs. A forgotten noindex on production is a common reason a site vanishes from search results.",
		SeeAlso: []string{"Link"},
	},
	{
		Name: "X-Requested-With", Kind: KindRequest, Category: "misc",
		Spec:    "Non-standard; set by jQuery and some frameworks",
		Summary: "X-Requested-With: XMLHttpRequest marks AJAX requests so servers can answer with JSON instead of a page.",
		Details: "Because it is not a safelisted header, cross-origin requests carrying it need a CORS preflight, which some apps relied on as a CSRF defence.",
		SeeAlso: []string{"Access-Control-Allow-Headers", "X-CSRF-Token"},
	},
	{
		Name: "DNT", Kind: KindRequest, Category: "misc", Deprecated: true,
		Spec:    "W3C Tracking Preference Expression (discontinued)",
		Summary: "Do Not Track: 1 asked sites not to track the user; deprecated and ignored by most sites. Superseded by Sec-GPC.",
		SeeAlso: []string{"Sec-GPC"},
	},
	{
		Name: "Sec-GPC", Kind: KindRequest, Category: "misc",
		Spec:    "Global Privacy Control specification",
		Summary: "Sec-GPC: 1 signals the user does not want their data sold or shared; legally binding in some jurisdictions (such as California).",
		SeeAlso: []string{"DNT"},
	},
	{
		Name: "Service-Worker-Allowed", Kind: KindResponse, Category: "misc",
		Spec:    "W3C Service Workers",
		Summary: "Lets a service worker script control a wider path scope than the directory it is served from.",
		SeeAlso: []string{"Service-Worker"},
	},
	{
		Name: "Service-Worker", Kind: KindRequest, Category: "misc",
		Spec:    "W3C Service Workers",
		Summary: "Service-Worker: script is sent when the browser fetches a service worker script.",
		SeeAlso: []string{"Service-Worker-Allowed"},
	},
	{
		Name: "SourceMap", Aliases: []string{"X-SourceMap"}, Kind: KindResponse, Category: "misc",
		Spec:    "Source Map specification (ECMA-426)",
		Summary: "URL of the source map for this JavaScript or CSS file, used by developer tools. Avoid exposing it in production if sources are private.",
		SeeAlso: []string{"Content-Type"},
	},
	{
		Name: "Speculation-Rules", Kind: KindResponse, Category: "misc",
		Spec:    "Speculation Rules (WICG)",
		Summary: "Points to a JSON file of speculation rules telling the browser which pages it may prefetch or prerender.",
		SeeAlso: []string{"Sec-Purpose", "Link"},
	},
	{
		Name: "X-UA-Compatible", Kind: KindResponse, Category: "misc", Deprecated: true,
		Spec:    "Non-standard; Internet Explorer",
		Summary: "Told Internet Explorer which document mode to use (IE=edge). Obsolete.",
		SeeAlso: []string{"User-Agent"},
	},
	{
		Name: "Use-As-Dictionary", Kind: KindResponse, Category: "content",
		Spec:    "Compression Dictionary Transport (IETF)",
		Summary: "Tells the browser to keep this response as a compression dictionary for future requests matching a URL pattern.",
		SeeAlso: []string{"Available-Dictionary", "Content-Encoding"},
	},
	{
		Name: "Available-Dictionary", Kind: KindRequest, Category: "content",
		Spec:    "Compression Dictionary Transport (IETF)",
		Summary: "The hash of a stored dictionary the client can use, so the server may send a dcb or dcz compressed delta.",
		SeeAlso: []string{"Use-As-Dictionary", "Accept-Encoding"},
	},
}
