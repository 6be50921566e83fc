package trace

import (
	"time"
)

// Result is everything one trace learned: one Hop per request sent (more
// than one once redirects are followed) and the error that ended it, if any.
// It is the one value that flows from the engine to the renderers; it holds
// typed values (durations, times) and leaves formatting to render.
type Result struct {
	URL     string    // the URL as the user gave it
	Started time.Time // wall clock at the start, for reports only
	Hops    []Hop
	Err     *Error // the failure that ended the trace; nil when it completed
	// Insecure is true when certificate verification was turned off (-k).
	Insecure bool
	// Retries lists the attempts --retry repeated before this one.
	Retries []Retry
	// Revalidation is the conditional request --revalidate sent after the
	// trace, with the final response's validators; nil when not asked or
	// when the response had none.
	Revalidation *Hop
	// Cookies is what the cookie engine (-b, -c) holds at the end, the -b
	// file's cookies included, for -c to save; nil when it is off.
	Cookies []Cookie
}

// Hop is one request/response exchange and the connection it used.
// A nil section means the step did not take place; Timings.Skipped says why.
type Hop struct {
	URL      string
	Request  Request
	DNS      *DNS
	Connect  *Connect
	TLS      *TLS
	Response *Response
	// Informational holds the 1xx responses (100 Continue, 103 Early Hints)
	// that came before the final response, in arrival order.
	Informational []Informational
	Timings       Timings
	// Started is the wall clock when the hop began; the phases' offsets
	// count from it.
	Started time.Time
	// SpanID is the parent span ID sent in this hop's traceparent header
	// (zero when none was sent).
	SpanID [8]byte
	// ConnID numbers the connections of a trace (of a Pool) from 1; hops that reuse a
	// connection share its number (HAR's "connection", curl's num_connects).
	ConnID int
	// Stream is the HTTP/2 stream the hop's request went on (odd, from
	// 1, as the client's wire bytes showed); 0 over HTTP/1.x and HTTP/3.
	Stream uint32
	// QUIC describes the QUIC connection of an HTTP/3 hop; nil otherwise.
	QUIC *QUIC
	// Fallback says why a hop that was to try HTTP/3 (--http3, an Alt-Svc
	// cache's h3) went over TCP instead, with the QUIC attempt; nil when
	// it went over HTTP/3 or was not to try it.
	Fallback *Fallback
	// Proxy describes the proxy the hop went through; nil for none.
	Proxy *Proxy
	// Redirect says where a 3xx pointed and what the client does next;
	// nil for other responses.
	Redirect *Redirect
	// Notes explain what the response means: its status, caching,
	// cookies, security headers, credentials. Filled in by package
	// trace/annotate; empty until then.
	Notes []Note
	Err   *Error
}

// Fallback is why a hop that was to try HTTP/3 went over TCP, and what
// became of its QUIC attempt.
type Fallback struct {
	Reason  string // FallbackQUICFailed, FallbackTCPFirst or FallbackNotTried
	Message string // one line: what happened
	// Span is when the QUIC attempt ran, since the hop started (all its
	// addresses); nil when HTTP/3 was not tried.
	Span *Span
	// Address is the last UDP address the QUIC attempt tried; empty when
	// it was not tried.
	Address string
	// Err is the QUIC attempt's failure: its own, or, when TCP was ready
	// first, why it was abandoned (no answer yet, or a handshake still
	// under way); nil when its handshake completed after TCP's and TLS's,
	// or HTTP/3 was not tried.
	Err *Error
}

// Fallback reasons; the names are part of the JSON contract.
const (
	FallbackQUICFailed = "quic_failed" // the QUIC handshake failed
	FallbackTCPFirst   = "tcp_first"   // TCP and TLS were ready first: QUIC was abandoned
	FallbackNotTried   = "not_tried"   // HTTP/3 cannot go this way (a proxy, a Unix socket, http://)
)

// Note is one annotation of a hop, shown next to what it concerns.
type Note struct {
	ID       string // stable identifier, e.g. "cache.heuristic", "cookie.samesite-none-insecure"
	Category string // NoteStatus, NoteCaching, ...
	Level    string // LevelGood, LevelInfo, LevelWarn or LevelBad
	Subject  string // what it is about: a header name ("Cache-Control"), a status ("401")
	Message  string // one or two plain sentences: what it means and, if needed, what to do
}

// Note categories and levels; the names are part of the JSON contract.
const (
	NoteStatus   = "status"
	NoteCaching  = "caching"
	NoteCookies  = "cookies"
	NoteSecurity = "security"
	NoteAuth     = "auth"
	NoteCORS     = "cors"
	NoteTiming   = "timing"

	LevelGood = "good"
	LevelInfo = "info"
	LevelWarn = "warn"
	LevelBad  = "bad"
)

// Redirect describes a 3xx response's Location and the rule that shapes
// the next request (RFC 9110 section 15.4, as browsers and curl apply it).
type Redirect struct {
	Location    string   // resolved against the hop's URL
	Method      string   // the method of the next request
	KeepsBody   bool     // 307 and 308 resend the body; the others drop it
	Rule        string   // e.g. "303 See Other: the next request is a GET without a body"
	CrossOrigin bool     // the next hop goes to another scheme, host or port
	Dropped     []string // headers not sent on to the next hop (Authorization, Cookie, ...)
	Followed    bool     // -L followed it
}

// Header is one field line, with the name spelled as sent or received.
type Header struct {
	Name  string
	Value string
}

// Request is what was sent, as it went on the wire.
type Request struct {
	Method  string
	Target  string   // request target: path and query ("/a?b=1")
	Proto   string   // "HTTP/1.1" or "HTTP/2.0"
	Headers []Header // in the order written; pseudo-headers excluded
	// HeadBytes is the size of the request head as HTTP/1.1 would write it
	// (curl's size_request counts the same way for HTTP/2).
	HeadBytes int64
	BodyBytes int64
	// Upload is true when the body is a -T upload, which curl leaves out
	// of size_request (it counts only the head then).
	Upload bool
	// BodyPreview holds the first bytes of the body sent (for HAR's postData).
	BodyPreview []byte
}

// DNS describes how the URL's host became addresses.
type DNS struct {
	Host string // as asked: an internationalized name in its A-label (xn--) form
	// HostUnicode is Host in Unicode when it holds A-labels that decode
	// ("bücher.example" for "xn--bcher-kva.example"); empty otherwise.
	HostUnicode string
	// Source is where the addresses came from: SourceDNS, SourceHosts,
	// SourceResolve or SourceLiteral.
	Source string
	// Server is the "ip:port" of the server whose answer was used; empty
	// when no server was asked.
	Server  string
	Rcode   string   // "NOERROR", "NXDOMAIN", ...; empty when no server was asked
	Name    string   // the name whose answer was used, after the search list
	Records []Record // every answer record, CNAMEs included, in answer order
	// Authority is the SOA a server sends with a negative answer
	// (NXDOMAIN, or a name without addresses), as dig's AUTHORITY section.
	Authority []Record
	// NegativeTTL is how long resolvers may cache that negative answer
	// (RFC 2308: the lesser of the SOA's TTL and its MINIMUM field): a
	// record added now is not seen through them before it runs out. Nil
	// when the answer was not negative or came without a SOA.
	NegativeTTL *uint32
	Addresses   []string // the addresses to connect to, in the order tried
	Queries     []Query  // every query sent, in the order started
	// Tried lists every name the search list made the resolver ask about,
	// in order, each with its own answer's facts; Name, Rcode, Authority
	// and NegativeTTL above are those of the name that decided the outcome.
	Tried []NameTried
	// HTTPSName is the name asked for the host's HTTPS record (RFC 9460:
	// "_PORT._https." before it for a port other than 443); empty when
	// none was asked (http:// URLs, --connect-to, a proxy).
	HTTPSName string
	// HTTPS holds the HTTPS records of the name, ServiceMode ones in
	// priority order, then those an AliasMode record led to.
	HTTPS []HTTPSRecord
	// HTTPSErr says why the HTTPS answer is missing or incomplete (no
	// answer within Chrome's extra wait, SERVFAIL, a second alias); it
	// never fails the lookup.
	HTTPSErr string
	Duration time.Duration
}

// NameTried is what the DNS servers said about one name of the search
// list, A and AAAA together.
type NameTried struct {
	Name   string // fully qualified
	Server string // the server whose answer this is; empty when none gave one
	// Rcode is the answer's: "NOERROR" (NODATA when there is no address),
	// "NXDOMAIN", or the failure's ("SERVFAIL", "REFUSED", "FORMERR", ...);
	// empty when no answer came at all.
	Rcode       string
	Authority   []Record // the SOA of a negative answer for this name
	NegativeTTL *uint32  // RFC 2308's, from that SOA; nil if not negative
	Start       time.Duration
	Duration    time.Duration
	Err         string // why no usable answer came; empty otherwise
}

// Where addresses come from.
const (
	SourceDNS     = "dns"
	SourceHosts   = "hosts"
	SourceResolve = "resolve"
	SourceLiteral = "literal"
)

// Record is one resource record of an answer.
type Record struct {
	Name  string // owner name, fully qualified
	Type  string // "A", "AAAA", "CNAME", ...
	TTL   uint32 // seconds
	Value string // the record's data as text (address, target name, ...)
}

// Query is one DNS question sent to one server over one transport.
type Query struct {
	Name      string
	Type      string        // "A", "AAAA" or "HTTPS"
	Server    string        // "ip:port"
	Transport string        // "udp" or "tcp" (tcp after a truncated udp answer)
	Start     time.Duration // since the hop started
	Duration  time.Duration // including the dial, unlike miekg/dns's rtt
	Rcode     string        // empty when no answer came
	Truncated bool          // the answer had TC set (and was retried over tcp)
	Flags     string        // the answer's header flags as dig prints them ("qr rd ra")
	Answers   int
	Err       string
}

// Connect describes the TCP connection the request used.
type Connect struct {
	Address string // remote "ip:port" of the winning attempt
	Local   string // local "ip:port"
	Reused  bool   // an idle connection was reused: no DNS, TCP or TLS
	// Coalesced is the origin an HTTP/2 connection was opened to, when the
	// hop rode it for another origin its certificate also covers, at the
	// same address (a Pool's connection coalescing, as Chrome does).
	Coalesced string
	Via       string // how the address was chosen when not from the URL ("--connect-to host:port")
	// Transport is "udp" for an HTTP/3 hop's QUIC connection, "" for TCP.
	Transport string
	Duration  time.Duration
	// Attempts lists every dial, winners and losers (Happy Eyeballs),
	// in the order started.
	Attempts []Attempt
}

// Attempt is one dial to one address.
type Attempt struct {
	Address string
	// Transport is "udp" for a QUIC handshake, "" for a TCP connect: an
	// --http3 hop races both (see Fallback).
	Transport string
	Start     time.Duration // since the hop started
	Duration  time.Duration
	Err       string // empty for the winner; "canceled..." or "abandoned..." for a loser cut short
}

// End is when the attempt ended, since the hop started.
func (a Attempt) End() time.Duration { return a.Start + a.Duration }

// TLS describes the handshake and what the server presented.
type TLS struct {
	Version     string // "TLS 1.3"
	CipherSuite string // "TLS_AES_128_GCM_SHA256"
	ALPN        string // "h2", "http/1.1" or "" when none was agreed
	Group       string // key exchange group, "X25519MLKEM768"
	ServerName  string // SNI sent; empty for an IP address
	Resumed     bool
	OCSPStapled bool
	// Verified is true when the chain verified against the roots in use for
	// ServerName. With -k it still says whether it would have.
	Verified bool
	// Verify is what the certificate check found: VerifyOK, or why it
	// failed (also with -k); empty when no certificate arrived.
	Verify VerifyReason
	// VerifyError explains why verification failed (also with -k).
	VerifyError  string
	Duration     time.Duration
	Certificates []Certificate // leaf first, as the server sent them
}

// Certificate is one certificate of the presented chain.
type Certificate struct {
	Subject            string
	Issuer             string
	DNSNames           []string
	IPAddresses        []string
	NotBefore          time.Time
	NotAfter           time.Time
	SerialNumber       string
	SignatureAlgorithm string
	PublicKey          string // "ECDSA P-256", "RSA 2048"
	IsCA               bool
}

// Response is the final (non-1xx) response.
type Response struct {
	Proto  string // "HTTP/1.1", "HTTP/2.0"
	Status int
	// Reason is the reason phrase as received, empty when the server sent
	// none; HTTP/2 has none, so it is empty there.
	Reason string
	// StatusLine is the status line as received (HTTP/1.x), for -D; empty
	// over HTTP/2, which has none.
	StatusLine string
	Headers    []Header // in received order
	// HeadersCut counts header lines dropped because of the size caps;
	// ValuesCut counts values kept only in part (16 KiB each).
	HeadersCut int
	ValuesCut  int
	// HeadBudgetCut: the lines HeadersCut counts were dropped (some, or
	// all) because the trace's budget for the heads of the redirects it
	// follows ran out, not by the per-head caps.
	HeadBudgetCut bool
	// HeadBytes is the size of the response head(s), 1xx and the proxy's
	// answer to CONNECT included, as HTTP/1.1 writes them (curl's
	// size_header).
	HeadBytes int64
	BodyBytes int64 // bytes of body on the wire (after chunked decoding, before any content decoding)
	// DecodedBytes is the body's size after Content-Encoding was undone
	// (--compressed); -1 when it was not decoded.
	DecodedBytes int64
	// Trailers holds the trailer fields that came after the body (chunked
	// HTTP/1.1, or HTTP/2), in received order (HTTP/2: sorted by name).
	Trailers []Header
	// ServerTiming holds the parsed Server-Timing metrics, in order.
	ServerTiming []ServerTiming
	// BodyPreview holds the first bytes of the body, untrusted and raw.
	BodyPreview []byte
	SavedTo     string // the file the body was written to (-o)
}

// ServerTiming is one Server-Timing metric (W3C Server Timing).
type ServerTiming struct {
	Name        string
	Duration    time.Duration // 0 when the metric has no dur
	HasDuration bool
	Description string
}

// Informational is one 1xx response.
type Informational struct {
	Status     int
	Reason     string // the reason phrase as received (HTTP/1.x), "" over HTTP/2
	StatusLine string // the status line as received (HTTP/1.x), for -D
	Headers    []Header
	At         time.Duration // since the hop started
}

// Span is a measured phase: when it started, relative to the hop's start,
// and how long it took.
type Span struct {
	Start    time.Duration
	Duration time.Duration
}

// End is when the span ended, relative to the hop's start.
func (s Span) End() time.Duration { return s.Start + s.Duration }

// Timings holds the hop's phases in HAR's vocabulary. A nil phase did not
// take place; Skipped carries the reason, keyed by phase name.
type Timings struct {
	// Blocked is the time the hop waited, from its start, for a
	// connection (all of the origin's busy, or its first HTTPS one still
	// negotiating) or for another request's DNS lookup of the same host:
	// HAR's blocked. Only a Pool's hops wait; nil when the hop did not.
	Blocked *Span
	DNS     *Span
	Connect *Span
	QUIC    *Span // HTTP/3: the QUIC handshake, TCP's connect and TLS's in one
	Proxy   *Span // the proxy's CONNECT round trip (and TLS to an https:// proxy)
	TLS     *Span
	Send    *Span // connection ready → request fully written
	Wait    *Span // request written → first byte of the final response
	Receive *Span // first byte → last body byte
	Total   time.Duration
	Skipped map[string]string
}

// Phase names, shared by Timings.Skipped, Error.Phase and the JSON output.
const (
	PhaseDNS      = "dns"
	PhaseConnect  = "connect"
	PhaseTLS      = "tls"
	PhaseProxy    = "proxy"
	PhaseSend     = "send"
	PhaseWait     = "wait"
	PhaseReceive  = "receive"
	PhaseRedirect = "redirect"
	PhaseInput    = "input"
)
