package knowledge

// connectionHeaders: hop-by-hop connection management, message framing and
// protocol switching.
var connectionHeaders = []Header{
	{
		Name: "Connection", Kind: KindBoth, Category: "connection",
		Spec:    "RFC 9110, Section 7.6.1",
		Summary: "Options for this connection only (close, keep-alive, upgrade), plus the names of other hop-by-hop headers proxies must remove.",
		Details: "Connection: close means the sender will close the connection after this message; HTTP/1.1 connections are otherwise persistent by default. Proxies must not forward Connection or the headers it names. HTTP/2 and HTTP/3 forbid it, and a message that carries it there is malformed.",
		Directives: []Directive{
			{Name: "close", Spec: "RFC 9112, Section 9.6", Summary: "Close the connection after this exchange."},
			{Name: "keep-alive", Spec: "RFC 9112, Appendix C.2.2", Summary: "HTTP/1.0 request to keep the connection open (the HTTP/1.1 default)."},
			{Name: "upgrade", Spec: "RFC 9110, Section 7.8", Summary: "Marks the Upgrade header as hop-by-hop; required when asking to switch protocols."},
		},
		SeeAlso: []string{"Keep-Alive", "Upgrade", "Transfer-Encoding", "Proxy-Connection"},
	},
	{
		Name: "Keep-Alive", Kind: KindBoth, Category: "connection",
		Spec:    "RFC 2068, Section 19.7.1.1 (historic HTTP/1.0 extension)",
		Summary: "Hints how long an idle persistent connection is kept open (timeout) and how many requests it may serve (max).",
		Details: "Only meaningful with Connection: keep-alive in HTTP/1.x; forbidden in HTTP/2 and HTTP/3. Clients should close idle connections before the server's timeout to avoid racing a close.",
		Directives: []Directive{
			{Name: "timeout", Spec: "RFC 2068, Section 19.7.1.1", Summary: "Seconds an idle connection is kept open."},
			{Name: "max", Spec: "RFC 2068, Section 19.7.1.1", Summary: "Requests that may still be sent on this connection."},
		},
		SeeAlso: []string{"Connection"},
	},
	{
		Name: "Upgrade", Kind: KindBoth, Category: "connection",
		Spec:    "RFC 9110, Section 7.8",
		Summary: "Asks to switch the connection to another protocol (websocket, h2c); in a 101 or 426 response, names the protocol.",
		Details: "The client sends Upgrade with Connection: upgrade; the server answers 101 Switching Protocols and continues in the new protocol, or ignores it. HTTP/1.1 only. Reverse proxies must be configured to pass it through for WebSockets to work.",
		Directives: []Directive{
			{Name: "websocket", Spec: "RFC 6455, Section 4.1", Summary: "The WebSocket handshake."},
			{Name: "h2c", Spec: "RFC 7540, Section 3.2", Summary: "HTTP/2 over cleartext; deprecated by RFC 9113 and rarely supported."},
		},
		SeeAlso: []string{"Connection", "101", "426", "Sec-WebSocket-Key"},
	},
	{
		Name: "Transfer-Encoding", Kind: KindBoth, Category: "connection",
		Spec:    "RFC 9112, Section 6.1",
		Summary: "How the HTTP/1.1 message body is framed on this hop; in practice Transfer-Encoding: chunked.",
		Details: "Chunked encoding sends the body in size-prefixed pieces so the length need not be known in advance (streaming). It is hop-by-hop: proxies may add or remove it. It must not be combined with Content-Length; disagreement between the two is the basis of request smuggling attacks. HTTP/2 and HTTP/3 have their own framing and forbid it.",
		Directives: []Directive{
			{Name: "chunked", Spec: "RFC 9112, Section 7.1", Summary: "Body sent as a series of chunks, ended by a zero-length chunk and optional trailers."},
			{Name: "gzip", Spec: "RFC 9112, Section 7.2", Summary: "Compression per hop; rarely used (Content-Encoding is the normal place)."},
		},
		SeeAlso: []string{"Content-Length", "TE", "Trailer", "411"},
	},
	{
		Name: "TE", Kind: KindRequest, Category: "connection",
		Spec:    "RFC 9110, Section 10.1.4",
		Summary: "The transfer codings the client accepts, and whether it accepts trailer fields (TE: trailers).",
		Details: "In HTTP/2 the only allowed value is trailers, which gRPC requires.",
		SeeAlso: []string{"Transfer-Encoding", "Trailer", "Accept-Encoding"},
	},
	{
		Name: "Trailer", Kind: KindBoth, Category: "connection",
		Spec:    "RFC 9110, Section 6.6.2",
		Summary: "Announces which fields will be sent after the body, as trailers (for example a checksum or Server-Timing).",
		SeeAlso: []string{"TE", "Transfer-Encoding", "Server-Timing"},
	},
	{
		Name: "Alt-Svc", Kind: KindResponse, Category: "connection",
		Spec:    "RFC 7838, Section 3",
		Summary: "Advertises another way to reach the same service, typically HTTP/3: Alt-Svc: h3=\":443\"; ma=86400.",
		Details: "Browsers remember the alternative for ma seconds and try it for later requests; this is how most clients discover HTTP/3 (DNS HTTPS records are the other way). Alt-Svc: clear removes earlier advertisements.",
		Directives: []Directive{
			{Name: "ma", Spec: "RFC 7838, Section 3.1", Summary: "Max age in seconds of the advertisement (default 24 hours)."},
			{Name: "persist", Spec: "RFC 7838, Section 3.1", Summary: "persist=1: keep the alternative across network changes."},
			{Name: "clear", Spec: "RFC 7838, Section 3", Summary: "Forget all alternatives for this origin."},
		},
		SeeAlso: []string{"Alt-Used", "Upgrade"},
	},
	{
		Name: "Alt-Used", Kind: KindRequest, Category: "connection",
		Spec:    "RFC 7838, Section 5",
		Summary: "Tells the server which alternative service (host:port) the client is using for this request.",
		SeeAlso: []string{"Alt-Svc"},
	},
	{
		Name: "HTTP2-Settings", Kind: KindRequest, Category: "connection", Deprecated: true,
		Spec:    "RFC 7540, Section 3.2.1",
		Summary: "Base64url-encoded HTTP/2 SETTINGS sent with an Upgrade: h2c request. The h2c upgrade is deprecated by RFC 9113.",
		SeeAlso: []string{"Upgrade", "PRI"},
	},
	{
		Name: "Proxy-Connection", Kind: KindRequest, Category: "connection", Deprecated: true,
		Spec:    "Non-standard; obsolete",
		Summary: "Old, never-standardised variant of Connection sent to proxies; servers should ignore it.",
		SeeAlso: []string{"Connection"},
	},
	{
		Name: "Sec-WebSocket-Key", Kind: KindRequest, Category: "connection",
		Spec:    "RFC 6455, Section 11.3.1",
		Summary: "A random base64 nonce in the WebSocket handshake; the server proves it understood by hashing it into Sec-WebSocket-Accept.",
		SeeAlso: []string{"Sec-WebSocket-Accept", "Upgrade", "101"},
	},
	{
		Name: "Sec-WebSocket-Accept", Kind: KindResponse, Category: "connection",
		Spec:    "RFC 6455, Section 11.3.3",
		Summary: "The server's handshake answer: base64(SHA-1(Sec-WebSocket-Key + fixed GUID)). A wrong value makes the client abort.",
		SeeAlso: []string{"Sec-WebSocket-Key"},
	},
	{
		Name: "Sec-WebSocket-Version", Kind: KindBoth, Category: "connection",
		Spec:    "RFC 6455, Section 11.3.5",
		Summary: "The WebSocket protocol version; 13 is the only one in use.",
		SeeAlso: []string{"Sec-WebSocket-Key"},
	},
	{
		Name: "Sec-WebSocket-Protocol", Kind: KindBoth, Category: "connection",
		Spec:    "RFC 6455, Section 11.3.4",
		Summary: "Subprotocols the client offers (such as graphql-ws) and the one the server picked.",
		SeeAlso: []string{"Sec-WebSocket-Key"},
	},
	{
		Name: "Sec-WebSocket-Extensions", Kind: KindBoth, Category: "connection",
		Spec:    "RFC 6455, Section 11.3.2",
		Summary: "WebSocket extensions offered and accepted, most commonly permessage-deflate compression.",
		SeeAlso: []string{"Sec-WebSocket-Key"},
	},
}

// proxyHeaders: forwarding information added by proxies, load balancers
// and CDNs.
var proxyHeaders = []Header{
	{
		Name: "Forwarded", Kind: KindRequest, Category: "proxy",
		Spec:    "RFC 7239, Section 4",
		Summary: "Standard header in which proxies record the client address, protocol and host of the original request.",
		Details: "Example: Forwarded: for=192.0.2.60;proto=https;host=example.com, for=\"[2001:db8::1]\". Each proxy appends an element. As with X-Forwarded-For, only trust elements added by your own proxies; clients can send anything.",
		Directives: []Directive{
			{Name: "for", Spec: "RFC 7239, Section 5.2", Summary: "The client (or previous proxy) address; may be obfuscated or \"unknown\"."},
			{Name: "by", Spec: "RFC 7239, Section 5.1", Summary: "The interface where the proxy received the request."},
			{Name: "host", Spec: "RFC 7239, Section 5.3", Summary: "The original Host header."},
			{Name: "proto", Spec: "RFC 7239, Section 5.4", Summary: "The original scheme, http or https."},
		},
		SeeAlso: []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Via"},
	},
	{
		Name: "X-Forwarded-For", Aliases: []string{"XFF"}, Kind: KindRequest, Category: "proxy",
		Spec:    "Non-standard; de facto (see RFC 7239 for the standard Forwarded)",
		Summary: "Comma-separated list of client and proxy IP addresses the request passed through, original client first.",
		Details: "Each proxy appends the address it received the connection from. The leftmost entries come from the client and can be forged, so to find the real client walk the list from the right and skip only your own trusted proxies. Never use it for access control without that care.",
		SeeAlso: []string{"Forwarded", "X-Real-IP", "463"},
	},
	{
		Name: "X-Forwarded-Proto", Aliases: []string{"X-Forwarded-Protocol", "X-Forwarded-Scheme"}, Kind: KindRequest, Category: "proxy",
		Spec:    "Non-standard; de facto",
		Summary: "The scheme (http or https) the client used to reach the proxy or load balancer.",
		Details: "Applications behind a TLS-terminating proxy use it to build absolute URLs and decide on https redirects; if it is ignored or missing, apps often produce redirect loops or http:// links.",
		SeeAlso: []string{"Forwarded", "X-Forwarded-Host"},
	},
	{
		Name: "X-Forwarded-Host", Kind: KindRequest, Category: "proxy",
		Spec:    "Non-standard; de facto",
		Summary: "The Host header the client originally sent to the proxy.",
		Details: "Trust it only from your own proxies: a forged value can poison caches or password-reset links.",
		SeeAlso: []string{"Host", "Forwarded"},
	},
	{
		Name: "X-Forwarded-Port", Kind: KindRequest, Category: "proxy",
		Spec:    "Non-standard; de facto",
		Summary: "The port the client originally connected to on the proxy.",
		SeeAlso: []string{"X-Forwarded-Proto"},
	},
	{
		Name: "X-Real-IP", Kind: KindRequest, Category: "proxy",
		Spec:    "Non-standard; nginx convention",
		Summary: "A single client IP address set by a reverse proxy (commonly nginx) for the backend.",
		SeeAlso: []string{"X-Forwarded-For", "CF-Connecting-IP"},
	},
	{
		Name: "Via", Kind: KindBoth, Category: "proxy",
		Spec:    "RFC 9110, Section 7.6.3",
		Summary: "Lists the proxies and gateways the message passed through, with their protocol versions (e.g. 1.1 varnish, or 1.1 abc.cloudfront.net (CloudFront)).",
		Details: "Useful for spotting CDNs and proxies on the path, and for loop detection. It may reveal internal host names.",
		SeeAlso: []string{"Forwarded", "X-Cache"},
	},
	{
		Name: "Max-Forwards", Kind: KindRequest, Category: "proxy",
		Spec:    "RFC 9110, Section 7.6.2",
		Summary: "Limits how many more proxies may forward a TRACE or OPTIONS request; each decrements it.",
		SeeAlso: []string{"TRACE", "OPTIONS"},
	},
	{
		Name: "Proxy-Status", Kind: KindResponse, Category: "proxy",
		Spec:    "RFC 9209, Section 2",
		Summary: "Lets a proxy explain how it handled the response, and why it failed (e.g. error=connection_timeout).",
		Details: "Example: Proxy-Status: ExampleCDN; error=http_response_timeout. Error types include dns_error, dns_timeout, destination_not_found, destination_unavailable, connection_refused, connection_timeout, tls_certificate_error and http_response_timeout, which pin down the cause of a 502 or 504.",
		SeeAlso: []string{"Cache-Status", "502", "504"},
	},
	{
		Name: "CF-Connecting-IP", Kind: KindRequest, Category: "proxy",
		Spec:    "Non-standard; Cloudflare",
		Summary: "Cloudflare: the visitor's IP address, added to requests sent to the origin.",
		SeeAlso: []string{"True-Client-IP", "X-Forwarded-For", "CF-Ray"},
	},
	{
		Name: "True-Client-IP", Kind: KindRequest, Category: "proxy",
		Spec:    "Non-standard; Akamai and Cloudflare Enterprise",
		Summary: "The visitor's IP address as seen by the CDN edge.",
		SeeAlso: []string{"CF-Connecting-IP", "X-Forwarded-For"},
	},
	{
		Name: "CF-Ray", Kind: KindBoth, Category: "proxy",
		Spec:    "Non-standard; Cloudflare",
		Summary: "Cloudflare's request ID, ending with the data-centre code (e.g. 8a1b2c3d4e5f6a7b-FRA); quote it in support tickets.",
		SeeAlso: []string{"CF-Cache-Status", "X-Request-ID"},
	},
	{
		Name: "CF-IPCountry", Kind: KindRequest, Category: "proxy",
		Spec:    "Non-standard; Cloudflare",
		Summary: "Cloudflare: the visitor's country as a two-letter code, added to requests to the origin.",
		SeeAlso: []string{"CF-Connecting-IP"},
	},
	{
		Name: "X-Amzn-Trace-Id", Kind: KindRequest, Category: "proxy",
		Spec:    "Non-standard; AWS load balancers and X-Ray",
		Summary: "Trace ID added by AWS load balancers (Root=1-...), for following a request through logs and X-Ray.",
		SeeAlso: []string{"X-Request-ID", "Traceparent"},
	},
	{
		Name: "X-Amz-Cf-Id", Kind: KindResponse, Category: "proxy",
		Spec:    "Non-standard; Amazon CloudFront",
		Summary: "CloudFront's request ID; AWS support asks for it when debugging.",
		SeeAlso: []string{"X-Amz-Cf-Pop", "X-Cache"},
	},
	{
		Name: "X-Amz-Cf-Pop", Kind: KindResponse, Category: "proxy",
		Spec:    "Non-standard; Amazon CloudFront",
		Summary: "The CloudFront edge location (point of presence) that served the request, such as FRA56-P1.",
		SeeAlso: []string{"X-Amz-Cf-Id"},
	},
}
