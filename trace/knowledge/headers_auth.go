package knowledge

// authHeaders: HTTP authentication (RFC 9110, Section 11) and common API
// credentials.
var authHeaders = []Header{
	{
		Name: "Authorization", Kind: KindRequest, Category: "auth",
		Spec:    "RFC 9110, Section 11.6.2",
		Summary: "Credentials for the server, as a scheme followed by data: Basic user:password, Bearer token, and others.",
		Details: "Basic sends base64(user:password), which is encoding, not encryption: anyone who sees the request can read the password, so use it only over HTTPS. Bearer sends a token (often an OAuth 2.0 access token or a JWT); whoever holds the token can use it, so it must also stay on HTTPS and out of logs and URLs. Shared caches do not reuse responses to requests with Authorization unless the response explicitly allows it (public, s-maxage, must-revalidate). Clients drop it when following a redirect to another host.",
		Directives: []Directive{
			{Name: "Basic", Spec: "RFC 7617, Section 2", Summary: "base64 of user-id:password. Easy to decode; only safe over TLS."},
			{Name: "Bearer", Spec: "RFC 6750, Section 2.1", Summary: "An opaque or JWT access token; possession is enough to use it, so keep it secret and short-lived."},
			{Name: "Digest", Spec: "RFC 7616, Section 3.4", Summary: "Challenge-response with a hashed password; rarely used today."},
			{Name: "Negotiate", Spec: "RFC 4559, Section 4", Summary: "Kerberos/SPNEGO (Windows integrated authentication); often with a 401 round trip first."},
			{Name: "DPoP", Spec: "RFC 9449, Section 7.1", Summary: "An access token bound to the client's key; each request also carries a DPoP proof header."},
			{Name: "AWS4-HMAC-SHA256", Spec: "AWS Signature Version 4 (non-standard)", Summary: "AWS request signing: the credential scope, signed headers and an HMAC signature of the request."},
		},
		SeeAlso: []string{"WWW-Authenticate", "Proxy-Authorization", "401", "403"},
	},
	{
		Name: "WWW-Authenticate", Kind: KindResponse, Category: "auth",
		Spec:    "RFC 9110, Section 11.6.1",
		Summary: "Sent with 401: the authentication scheme(s) the server accepts and their parameters (a challenge).",
		Details: "For example WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The access token expired\". With Basic, browsers show a login dialog. A 401 without this header is a spec violation and confuses clients.",
		Directives: []Directive{
			{Name: "realm", Spec: "RFC 9110, Section 11.5", Summary: "Names the protection space; credentials for one realm are reused within it."},
			{Name: "charset", Spec: "RFC 7617, Section 2.1", Summary: "Basic only: charset=\"UTF-8\" says user names and passwords are UTF-8."},
			{Name: "scope", Spec: "RFC 6750, Section 3", Summary: "Bearer: the OAuth scopes needed."},
			{Name: "error", Spec: "RFC 6750, Section 3.1", Summary: "Bearer: invalid_request (400), invalid_token (401: expired, revoked or malformed) or insufficient_scope (403)."},
			{Name: "error_description", Spec: "RFC 6750, Section 3", Summary: "Bearer: human-readable explanation of the error."},
		},
		SeeAlso: []string{"Authorization", "401"},
	},
	{
		Name: "Proxy-Authenticate", Kind: KindResponse, Category: "auth",
		Spec:    "RFC 9110, Section 11.7.1",
		Summary: "Sent by a proxy with 407: the authentication scheme the proxy requires.",
		SeeAlso: []string{"Proxy-Authorization", "407"},
	},
	{
		Name: "Proxy-Authorization", Kind: KindRequest, Category: "auth",
		Spec:    "RFC 9110, Section 11.7.2",
		Summary: "Credentials for the next proxy on the path; the proxy consumes it and does not forward it.",
		SeeAlso: []string{"Proxy-Authenticate", "407"},
	},
	{
		Name: "Authentication-Info", Kind: KindResponse, Category: "auth",
		Spec:    "RFC 9110, Section 11.6.3",
		Summary: "Extra information after successful authentication, such as the next nonce in Digest authentication.",
		SeeAlso: []string{"Authorization"},
	},
	{
		Name: "Proxy-Authentication-Info", Kind: KindResponse, Category: "auth",
		Spec:    "RFC 9110, Section 11.7.3",
		Summary: "Like Authentication-Info, but for proxy authentication.",
		SeeAlso: []string{"Proxy-Authorization"},
	},
	{
		Name: "DPoP", Kind: KindRequest, Category: "auth",
		Spec:    "RFC 9449, Section 4",
		Summary: "A signed JWT proving the client holds the private key its access token is bound to.",
		Details: "Sent alongside Authorization: DPoP <token>. The proof covers the method, URL and time, so a stolen token alone is useless.",
		SeeAlso: []string{"Authorization"},
	},
	{
		Name: "X-API-Key", Aliases: []string{"Api-Key"}, Kind: KindRequest, Category: "auth",
		Spec:    "Non-standard; common API convention",
		Summary: "An API key identifying the calling application.",
		Details: "Not defined by any spec; each API chooses the name. Treat it like a password: send it only over HTTPS and keep it out of logs and URLs.",
		SeeAlso: []string{"Authorization"},
	},
}

// cookieHeaders: HTTP state management (RFC 6265 and its revision).
var cookieHeaders = []Header{
	{
		Name: "Set-Cookie", Kind: KindResponse, Category: "cookies",
		Spec:    "RFC 6265, Section 4.1",
		Summary: "Stores a cookie (name=value plus attributes) in the browser, to be sent back in later requests.",
		Details: "Each cookie needs its own Set-Cookie line; the header cannot be combined with commas. Without Expires or Max-Age it is a session cookie. Session and authentication cookies should have Secure, HttpOnly and SameSite=Lax or Strict. Browsers cap the lifetime at 400 days and limit name plus value to 4096 bytes. A Set-Cookie on a response usually makes shared caches skip it.",
		Directives: []Directive{
			{Name: "Expires", Spec: "RFC 6265, Section 4.1.2.1", Summary: "Expires=<HTTP date>: when the cookie should be deleted. A date in the past deletes it now. Browsers cap it at 400 days from now."},
			{Name: "Max-Age", Spec: "RFC 6265, Section 4.1.2.2", Summary: "Max-Age=N: lifetime in seconds; takes precedence over Expires. 0 or less deletes the cookie. Capped at 400 days (34560000 s)."},
			{Name: "Domain", Spec: "RFC 6265, Section 4.1.2.3", Summary: "Shares the cookie with this domain and all its subdomains. Leave it out to keep the cookie host-only (safer). It must cover the current host and cannot be a public suffix; a leading dot is ignored."},
			{Name: "Path", Spec: "RFC 6265, Section 4.1.2.4", Summary: "Only send the cookie for URLs under this path; defaults to the current directory. Not a security boundary."},
			{Name: "Secure", Spec: "RFC 6265, Section 4.1.2.5", Summary: "Only send the cookie over HTTPS; http:// pages cannot set or overwrite Secure cookies."},
			{Name: "HttpOnly", Spec: "RFC 6265, Section 4.1.2.6", Summary: "JavaScript (document.cookie) cannot read the cookie, which limits what an XSS bug can steal."},
			{Name: "SameSite=Strict", Spec: "draft-ietf-httpbis-rfc6265bis, Section 4.1.2.7", Summary: "Never sent on cross-site requests, not even when following a link from another site."},
			{Name: "SameSite=Lax", Spec: "draft-ietf-httpbis-rfc6265bis, Section 4.1.2.7", Summary: "Sent on same-site requests and on top-level GET navigations from other sites, not on cross-site POSTs, iframes or fetches. Chromium's default when SameSite is missing."},
			{Name: "SameSite=None", Spec: "draft-ietf-httpbis-rfc6265bis, Section 4.1.2.7", Summary: "Sent on all requests, including cross-site ones (third-party use). Requires Secure, or the browser rejects the cookie."},
			{Name: "Partitioned", Spec: "CHIPS (draft-cutler-httpbis-partitioned-cookies)", Summary: "Stores the cookie separately per top-level site, so an embedded service gets a different jar on each site. Requires Secure."},
			{Name: "__Secure-", Spec: "draft-ietf-httpbis-rfc6265bis, Section 4.1.3.1", Summary: "Name prefix: the browser accepts the cookie only with Secure, set from an HTTPS page."},
			{Name: "__Host-", Spec: "draft-ietf-httpbis-rfc6265bis, Section 4.1.3.2", Summary: "Name prefix: requires Secure, Path=/ and no Domain, locking the cookie to exactly this host. The strongest choice for session cookies."},
			{Name: "__Http-", Spec: "IETF cookie drafts (httpwg/http-extensions PR #3511)", Summary: "Newer name prefix: requires Secure and HttpOnly, so the cookie cannot have been set by script."},
			{Name: "__Host-Http-", Spec: "IETF cookie drafts (httpwg/http-extensions PR #3511)", Summary: "Newer name prefix combining __Host- and __Http-: Secure, HttpOnly, Path=/ and no Domain."},
			{Name: "Priority", Spec: "Non-standard (Chromium); deprecated", Summary: "Low, Medium or High: which cookies Chromium evicts first when over its limit. Other browsers ignore it."},
		},
		SeeAlso: []string{"Cookie", "Set-Cookie2", "Strict-Transport-Security"},
	},
	{
		Name: "Cookie", Kind: KindRequest, Category: "cookies",
		Spec:    "RFC 6265, Section 4.2",
		Summary: "The cookies the browser stored for this site, sent as name=value pairs separated by semicolons.",
		Details: "Only names and values are sent, never attributes, so the server cannot tell when a cookie expires or which domain set it. Many or large cookies cause 431 or 400 errors. Responses that depend on cookies must not be cached by shared caches (use private or no-store).",
		SeeAlso: []string{"Set-Cookie", "431", "Vary"},
	},
	{
		Name: "Set-Cookie2", Kind: KindResponse, Category: "cookies", Deprecated: true,
		Spec:    "RFC 2965, Section 3.2.2 (obsoleted by RFC 6265)",
		Summary: "Obsolete cookie header from RFC 2965; browsers ignore it. Use Set-Cookie.",
		SeeAlso: []string{"Set-Cookie"},
	},
}

// corsHeaders: Cross-Origin Resource Sharing (Fetch Standard).
var corsHeaders = []Header{
	{
		Name: "Origin", Kind: KindRequest, Category: "cors",
		Spec:    "RFC 6454, Section 7",
		Summary: "The scheme, host and port of the page that initiated the request, such as https://app.example.",
		Details: "Browsers send it on cross-origin requests, on all POSTs and in CORS preflights; it is null for privacy-sensitive contexts (sandboxed iframes, file: URLs, some redirects). Servers compare it with an allow-list to decide on CORS headers and to block CSRF. A response that echoes it in Access-Control-Allow-Origin must carry Vary: Origin.",
		SeeAlso: []string{"Access-Control-Allow-Origin", "Referer", "Sec-Fetch-Site", "Vary"},
	},
	{
		Name: "Access-Control-Allow-Origin", Kind: KindResponse, Category: "cors",
		Spec:    "Fetch Standard, Section 3.2.3",
		Summary: "Which origin may read this response from script: one exact origin, or * for any.",
		Details: "Only one value is allowed; to allow several origins, check the request's Origin against a list and echo it back, with Vary: Origin. * cannot be combined with credentials (cookies, Authorization): the browser then requires an exact origin and Access-Control-Allow-Credentials: true. Echoing any Origin together with credentials lets every site read users' data.",
		SeeAlso: []string{"Origin", "Access-Control-Allow-Credentials", "Vary"},
	},
	{
		Name: "Access-Control-Allow-Credentials", Kind: KindResponse, Category: "cors",
		Spec:    "Fetch Standard, Section 3.2.3",
		Summary: "true lets script read the response to a request sent with credentials (cookies, HTTP auth, client certificates).",
		Details: "The only valid value is true; to deny, leave the header out. It requires an exact Access-Control-Allow-Origin, not *.",
		SeeAlso: []string{"Access-Control-Allow-Origin", "Cookie"},
	},
	{
		Name: "Access-Control-Allow-Methods", Kind: KindResponse, Category: "cors",
		Spec:    "Fetch Standard, Section 3.2.3",
		Summary: "Preflight answer: the methods allowed for the actual request.",
		Details: "GET, HEAD and POST are always allowed and need not be listed. * means any method, but only for requests without credentials.",
		SeeAlso: []string{"Access-Control-Request-Method", "OPTIONS"},
	},
	{
		Name: "Access-Control-Allow-Headers", Kind: KindResponse, Category: "cors",
		Spec:    "Fetch Standard, Section 3.2.3",
		Summary: "Preflight answer: the request headers the actual request may carry.",
		Details: "Must list every non-safelisted header the client sends, for example Authorization, Content-Type: application/json, or X-Requested-With. * means any header except Authorization, and only without credentials.",
		SeeAlso: []string{"Access-Control-Request-Headers", "OPTIONS"},
	},
	{
		Name: "Access-Control-Expose-Headers", Kind: KindResponse, Category: "cors",
		Spec:    "Fetch Standard, Section 3.2.3",
		Summary: "Which response headers, beyond the safelisted ones, script may read in a cross-origin response.",
		Details: "By default script sees only Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified and Pragma. List others such as ETag, Location or X-Request-ID here. * works only without credentials.",
		SeeAlso: []string{"Access-Control-Allow-Origin"},
	},
	{
		Name: "Access-Control-Max-Age", Kind: KindResponse, Category: "cors",
		Spec:    "Fetch Standard, Section 3.2.3",
		Summary: "How many seconds the browser may cache a preflight result.",
		Details: "Browsers cap it (Chromium at 2 hours, Firefox at 24 hours); the default without it is 5 seconds. -1 disables caching.",
		SeeAlso: []string{"OPTIONS", "Access-Control-Allow-Methods"},
	},
	{
		Name: "Access-Control-Request-Method", Kind: KindRequest, Category: "cors",
		Spec:    "Fetch Standard, Section 3.2.2",
		Summary: "Sent in a preflight: the method the actual request will use.",
		SeeAlso: []string{"Access-Control-Allow-Methods", "OPTIONS"},
	},
	{
		Name: "Access-Control-Request-Headers", Kind: KindRequest, Category: "cors",
		Spec:    "Fetch Standard, Section 3.2.2",
		Summary: "Sent in a preflight: the non-safelisted headers the actual request will carry, lower case and comma-separated.",
		SeeAlso: []string{"Access-Control-Allow-Headers", "OPTIONS"},
	},
	{
		Name: "Access-Control-Request-Private-Network", Kind: KindRequest, Category: "cors",
		Spec:    "Private Network Access (WICG draft)",
		Summary: "Chromium preflight flag: a public site is trying to reach a private-network or localhost address.",
		Details: "Part of Private Network Access, which Chromium experimented with and is replacing with a user permission prompt (Local Network Access).",
		SeeAlso: []string{"Access-Control-Allow-Private-Network"},
	},
	{
		Name: "Access-Control-Allow-Private-Network", Kind: KindResponse, Category: "cors",
		Spec:    "Private Network Access (WICG draft)",
		Summary: "true allows a public site to reach this private-network device (answer to the Private Network Access preflight).",
		SeeAlso: []string{"Access-Control-Request-Private-Network"},
	},
}
