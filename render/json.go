package render

// JSON output: the `trace --json` document of /work/shared/CONTRACT.md.
//
// The wire types below are separate from trace.Result on purpose: the
// contract must survive refactors of the engine. Contract fields are always
// present; a section or phase that did not take place is null. Where the
// contract shows a plain string (rcode, alpn, server_name, hint) an absent
// value is "", not null. "reason" falls back to the standard reason phrase
// when the protocol has none (HTTP/2), as in the contract's example.
//
// Compatible extensions (not in CONTRACT.md v1; documented here for the README):
//
//	top level   "started"   RFC 3339 time the trace began (omitted if unknown)
//	            "insecure"  true when certificate verification was off (-k)
//	            "retries"   [{attempt, reason, wait_ms, status, error}]: attempts --retry repeated
//	                        (only when there were some)
//	            "revalidation"  the conditional request --revalidate sent, as a hop (only with it)
//	request     "target"    request target as sent ("/a?b=1")
//	            "proto"     "HTTP/1.1" or "HTTP/2.0"
//	dns         "host_unicode"  the host in Unicode when "host" (as asked) holds A-labels
//	                            ("bücher.example" for "xn--bcher-kva.example"); null otherwise
//	            "name"      the name whose answer was used, after the search list
//	            "queries"   [{name, type, server, transport, start_ms, duration_ms,
//	                          rcode (null if no answer), truncated, flags ("qr rd ra", as dig
//	                          prints them; "" if no answer), answers, error (null or text)}]
//	            "authority" [records]: the SOA sent with a negative answer (NXDOMAIN, no address)
//	            "negative_ttl"  seconds resolvers may cache that negative answer (RFC 2308:
//	                            min of the SOA's TTL and MINIMUM); null when not negative
//	            "tried"     [{name, server, rcode, authority, negative_ttl, start_ms, duration_ms,
//	                          error}]: every name the search list made, in the order asked, each
//	                          with its own answer (rcode null when none came); the fields above
//	                          are those of the name that decided the outcome
//	quic        "retries"       Retry packets the server sent; "peer_params" null or the server's
//	                            transport parameters {idle_timeout_ms, max_streams_bidi, max_streams_uni,
//	                            max_data, max_udp_payload, max_datagram_frame (0: no datagrams),
//	                            active_connection_id_limit, disable_active_migration}
//	connect     "local_address"        local "ip:port" (null if unknown)
//	            "via"           how the address was chosen when not from the URL: "--connect-to …",
//	                            "DNS HTTPS record (h3 on port N)", "Alt-Svc cache (h3 at host:port)"; else null
//	            attempts[].start_ms     when the dial started, since the hop started
//	tls         "group"         key exchange group ("X25519MLKEM768")
//	            "ocsp_stapled"  the server stapled an OCSP response
//	            "verify_error"  why the chain did not verify (null if it did); also with -k
//	            "insecure"      verification was skipped (-k)
//	certificates[] "ip_addresses", "serial", "signature_algorithm", "public_key", "is_ca",
//	            "days_left"     whole days from "started" to not_after, negative once expired
//	response    "headers_cut"   header lines dropped by the size caps
//	            "values_cut"    header values kept only in part (16 KiB each)
//	            "body_preview"  first bytes of the body as text, invalid UTF-8 replaced (omitted if none)
//	            "saved_to"      the file the body was written to with -o (omitted if none)
//	hop         "informational" [{status, headers, at_ms}]: 1xx responses before the final one
//	            "offsets_ms"    {dns, connect, tls, send, wait, receive}: when each phase
//	                            started, since the hop started; null if it did not take place
//	            "skipped"       {phase: reason} for the phases that did not take place
//	            "conn_id"       the connection's number (1, 2, ...); reused hops share it
//	            "proxy"         null, or {url (password hidden), source ("-x", "HTTPS_PROXY", ...),
//	                            tunnel (CONNECT, or SOCKS5), status and headers of the CONNECT
//	                            answer (0 and [] through SOCKS5)}
//	timings_ms, offsets_ms "proxy"  the CONNECT round trip, or the SOCKS5 handshake; present only
//	                            when a proxy was used
//	            "redirect"      null, or {location, method, keeps_body, rule, cross_origin,
//	                            dropped [header names not sent on], followed}
//	            "notes"         [{id, category, level, subject, message}]: what the response means
//	request     "head_bytes"    size of the request head as HTTP/1.1 writes it
//	response    "head_bytes"    size of the response head(s), 1xx included (curl's size_header)
//	            "decoded_bytes" body size after Content-Encoding was undone (--compressed), else null
//	            "server_timing" [{name, duration_ms (null if none), description}]
//
// Server-controlled strings may hold bytes a terminal acts on. encoding/json
// escapes C0 controls, U+2028 and U+2029; we also escape DEL, the C1
// controls U+0080–U+009F and the bidi controls, so `reqtrace --json URL`
// printed to a terminal is harmless.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reqtrace/reqtrace/trace"
)

// Schema names the JSON document's format and version.
const Schema = "reqtrace.trace/v1"

type wireResult struct {
	Schema   string     `json:"schema"`
	URL      string     `json:"url"`
	Started  string     `json:"started,omitempty"`
	Insecure bool       `json:"insecure"`
	Hops     []wireHop  `json:"hops"`
	Error    *WireError `json:"error"`
	// extensions, only when they apply
	Retries      []wireRetry `json:"retries,omitempty"`
	Revalidation *wireHop    `json:"revalidation,omitempty"`
}

type wireRetry struct {
	Attempt int        `json:"attempt"`
	Reason  string     `json:"reason"`
	WaitMS  float64    `json:"wait_ms"`
	Status  int        `json:"status"`
	Error   *WireError `json:"error"`
}

type wireHop struct {
	URL           string              `json:"url"`
	Request       wireRequest         `json:"request"`
	DNS           *WireDNS            `json:"dns"`
	Connect       *WireConnect        `json:"connect"`
	TLS           *WireTLS            `json:"tls"`
	Response      *wireResponse       `json:"response"`
	Informational []WireInformational `json:"informational"`
	TimingsMS     wireTimings         `json:"timings_ms"`
	OffsetsMS     WireOffsets         `json:"offsets_ms"`
	Skipped       map[string]string   `json:"skipped"`
	ConnID        int                 `json:"conn_id"`
	Proxy         *wireProxy          `json:"proxy"`
	QUIC          *wireQUIC           `json:"quic,omitempty"`     // HTTP/3 only
	Fallback      *WireFallback       `json:"fallback,omitempty"` // why a hop to try HTTP/3 went over TCP
	Redirect      *wireRedirect       `json:"redirect"`
	Notes         []wireNote          `json:"notes"`
	Error         *WireError          `json:"error"`
}

// WireFallback is why a hop that was to try HTTP/3 (--http3, an Alt-Svc
// cache) went over TCP: reason quic_failed, tcp_first (TCP and TLS were
// ready first, QUIC abandoned) or not_tried, and the QUIC attempt's span,
// last address and failure (null when it was not tried, or completed too
// late).
type WireFallback struct {
	Reason     string     `json:"reason"`
	Message    string     `json:"message"`
	Address    *string    `json:"address"`
	StartMS    *float64   `json:"start_ms"`
	DurationMS *float64   `json:"duration_ms"`
	Error      *WireError `json:"error"`
}

func WireFallbackOf(f *trace.Fallback) *WireFallback {
	if f == nil {
		return nil
	}
	return &WireFallback{Reason: f.Reason, Message: f.Message, Address: StrOrNull(f.Address),
		StartMS: StartMillis(f.Span), DurationMS: spanMS(f.Span), Error: WireErr(f.Err)}
}

type wireRedirect struct {
	Location    string   `json:"location"`
	Method      string   `json:"method"`
	KeepsBody   bool     `json:"keeps_body"`
	Rule        string   `json:"rule"`
	CrossOrigin bool     `json:"cross_origin"`
	Dropped     []string `json:"dropped"`
	Followed    bool     `json:"followed"`
}

type wireProxy struct {
	URL     string       `json:"url"`
	Source  string       `json:"source"`
	Tunnel  bool         `json:"tunnel"`
	Status  int          `json:"status"`
	Headers []WireHeader `json:"headers"`
}

type wireNote struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Level    string `json:"level"`
	Subject  string `json:"subject"`
	Message  string `json:"message"`
}

type wireServerTiming struct {
	Name        string   `json:"name"`
	DurationMS  *float64 `json:"duration_ms"`
	Description string   `json:"description"`
}

type WireHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type wireRequest struct {
	Method    string       `json:"method"`
	Target    string       `json:"target"`
	Proto     string       `json:"proto"`
	Headers   []WireHeader `json:"headers"`
	HeadBytes int64        `json:"head_bytes"`
	BodyBytes int64        `json:"body_bytes"`
}

type WireDNS struct {
	Host       string       `json:"host"`
	HostUni    *string      `json:"host_unicode"`
	Name       string       `json:"name"`
	Server     *string      `json:"server"`
	Source     string       `json:"source"`
	Rcode      string       `json:"rcode"`
	Records    []wireRecord `json:"records"`
	Addresses  []string     `json:"addresses"`
	Queries    []wireQuery  `json:"queries"`
	DurationMS float64      `json:"duration_ms"`
	Authority  []wireRecord `json:"authority"`
	NegTTL     *uint32      `json:"negative_ttl"`
	Tried      []wireTried  `json:"tried"`
	HTTPSName  *string      `json:"https_name"`
	HTTPS      []wireHTTPS  `json:"https"`
	HTTPSError *string      `json:"https_error"`
}

type wireHTTPS struct {
	Name          string   `json:"name"`
	TTL           uint32   `json:"ttl"`
	Priority      uint16   `json:"priority"`
	Target        string   `json:"target"`
	ALPN          []string `json:"alpn"`
	NoDefaultALPN bool     `json:"no_default_alpn"`
	Port          *int     `json:"port"`
	IPv4Hint      []string `json:"ipv4hint"`
	IPv6Hint      []string `json:"ipv6hint"`
	ECH           bool     `json:"ech"`
	Via           *string  `json:"via"`
}

func wireHTTPSOf(rs []trace.HTTPSRecord) []wireHTTPS {
	out := make([]wireHTTPS, 0, len(rs))
	for _, r := range rs {
		w := wireHTTPS{Name: r.Name, TTL: r.TTL, Priority: r.Priority, Target: r.Target, ALPN: OrEmpty(r.ALPN),
			NoDefaultALPN: r.NoDefaultALPN, IPv4Hint: OrEmpty(r.IPv4Hint), IPv6Hint: OrEmpty(r.IPv6Hint), ECH: r.ECH, Via: StrOrNull(r.Via)}
		if r.Port > 0 {
			p := r.Port
			w.Port = &p
		}
		out = append(out, w)
	}
	return out
}

type wireTried struct {
	Name       string       `json:"name"`
	Server     *string      `json:"server"`
	Rcode      *string      `json:"rcode"`
	Authority  []wireRecord `json:"authority"`
	NegTTL     *uint32      `json:"negative_ttl"`
	StartMS    float64      `json:"start_ms"`
	DurationMS float64      `json:"duration_ms"`
	Error      *string      `json:"error"`
}

type wireRecord struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	TTL   uint32 `json:"ttl"`
	Value string `json:"value"`
}

type wireQuery struct {
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Server     string  `json:"server"`
	Transport  string  `json:"transport"`
	StartMS    float64 `json:"start_ms"`
	DurationMS float64 `json:"duration_ms"`
	Rcode      *string `json:"rcode"`
	Truncated  bool    `json:"truncated"`
	Flags      string  `json:"flags"`
	Answers    int     `json:"answers"`
	Error      *string `json:"error"`
}

type WireConnect struct {
	Address      string        `json:"address"`
	LocalAddress *string       `json:"local_address"`
	Reused       bool          `json:"reused"`
	Coalesced    string        `json:"coalesced,omitempty"` // the origin the HTTP/2 connection was opened to (trace.Pool)
	DurationMS   float64       `json:"duration_ms"`
	Attempts     []wireAttempt `json:"attempts"`
	Via          *string       `json:"via"`
}

type wireAttempt struct {
	Address    string  `json:"address"`
	Transport  string  `json:"transport"` // "tcp", "udp" (a QUIC handshake) or "unix"
	StartMS    float64 `json:"start_ms"`
	DurationMS float64 `json:"duration_ms"`
	Error      *string `json:"error"`
}

type WireTLS struct {
	Version      string     `json:"version"`
	CipherSuite  string     `json:"cipher_suite"`
	ALPN         string     `json:"alpn"`
	Group        string     `json:"group"`
	ServerName   string     `json:"server_name"`
	Resumed      bool       `json:"resumed"`
	OCSPStapled  bool       `json:"ocsp_stapled"`
	Verified     bool       `json:"verified"`
	VerifyError  *string    `json:"verify_error"`
	VerifyReason *string    `json:"verify_reason"`
	Insecure     bool       `json:"insecure"`
	DurationMS   float64    `json:"duration_ms"`
	Certificates []wireCert `json:"certificates"`
}

type wireCert struct {
	Subject            string   `json:"subject"`
	Issuer             string   `json:"issuer"`
	DNSNames           []string `json:"dns_names"`
	IPAddresses        []string `json:"ip_addresses"`
	NotBefore          string   `json:"not_before"`
	NotAfter           string   `json:"not_after"`
	Serial             string   `json:"serial"`
	SignatureAlgorithm string   `json:"signature_algorithm"`
	PublicKey          string   `json:"public_key"`
	IsCA               bool     `json:"is_ca"`
	DaysLeft           *int     `json:"days_left"`
}

type wireResponse struct {
	Proto        string             `json:"proto"`
	Status       int                `json:"status"`
	Reason       string             `json:"reason"`
	Headers      []WireHeader       `json:"headers"`
	HeadersCut   int                `json:"headers_cut"`
	ValuesCut    int                `json:"values_cut"`
	BudgetCut    bool               `json:"head_budget_cut,omitempty"` // lines dropped by the budget for followed redirects' heads
	HeadBytes    int64              `json:"head_bytes"`
	BodyBytes    int64              `json:"body_bytes"`
	DecodedBytes *int64             `json:"decoded_bytes"`
	ServerTiming []wireServerTiming `json:"server_timing"`
	Trailers     []WireHeader       `json:"trailers"`
	BodyPreview  string             `json:"body_preview,omitempty"`
	SavedTo      string             `json:"saved_to,omitempty"`
}

type WireInformational struct {
	Status  int          `json:"status"`
	Reason  string       `json:"reason"` // as received over HTTP/1.x; the registry's over HTTP/2
	Headers []WireHeader `json:"headers"`
	AtMS    float64      `json:"at_ms"`
}

type wireTimings struct {
	Blocked *float64 `json:"blocked,omitempty"` // only when the hop waited for a connection (trace.Pool)
	DNS     *float64 `json:"dns"`
	Connect *float64 `json:"connect"`
	Proxy   *float64 `json:"proxy,omitempty"` // only when a proxy was used
	QUIC    *float64 `json:"quic,omitempty"`  // only for HTTP/3
	TLS     *float64 `json:"tls"`
	Send    *float64 `json:"send"`
	Wait    *float64 `json:"wait"`
	Receive *float64 `json:"receive"`
	Total   float64  `json:"total"`
}

type WireOffsets struct {
	DNS     *float64 `json:"dns"`
	Connect *float64 `json:"connect"`
	Proxy   *float64 `json:"proxy,omitempty"`
	QUIC    *float64 `json:"quic,omitempty"`
	TLS     *float64 `json:"tls"`
	Send    *float64 `json:"send"`
	Wait    *float64 `json:"wait"`
	Receive *float64 `json:"receive"`
}

type WireError struct {
	Phase   string `json:"phase"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Hint    string `json:"hint"`
}

// JSON writes r as exactly one JSON document, indented two spaces, and a
// newline.
func JSON(w io.Writer, r *trace.Result) error {
	if r == nil {
		return ErrNilResult
	}
	return WriteJSON(w, toWire(r))
}

// JSONList writes several traces as one JSON array of trace documents.
func JSONList(w io.Writer, rs []*trace.Result) error {
	docs := make([]wireResult, len(rs))
	for i, r := range rs {
		if r == nil {
			return ErrNilResult
		}
		docs[i] = toWire(r)
	}
	return WriteJSON(w, docs)
}

// writeJSON writes v as one JSON document indented two spaces, with HTML
// escaping off ("<" in a Link header should stay readable) and the runes
// a terminal acts on escaped.
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	return writeEscaped(w, buf.Bytes())
}

// writeEscaped writes the encoder's output with the runes that
// encoding/json leaves raw but a terminal may act on rewritten as \uXXXX
// escapes. The input is valid UTF-8 with non-ASCII and DEL only inside
// strings, so every replacement lands inside a string and keeps the
// document valid. Plain runs are written as they are, without a copy.
func writeEscaped(w io.Writer, b []byte) error {
	start := 0
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == 0x7f || UnsafeRune(r) {
			if _, err := w.Write(b[start:i]); err != nil {
				return err
			}
			var esc strings.Builder
			WriteJSONEscape(&esc, r)
			if _, err := io.WriteString(w, esc.String()); err != nil {
				return err
			}
			start = i + n
		}
		i += n
	}
	_, err := w.Write(b[start:])
	return err
}

func toWire(r *trace.Result) wireResult {
	out := wireResult{
		Schema:   Schema,
		URL:      r.URL,
		Insecure: r.Insecure,
		Hops:     make([]wireHop, 0, len(r.Hops)),
		Error:    WireErr(r.Err),
	}
	if !r.Started.IsZero() {
		out.Started = r.Started.Format(time.RFC3339Nano)
	}
	for i := range r.Hops {
		out.Hops = append(out.Hops, wireHopOf(&r.Hops[i], r))
	}
	for _, rt := range r.Retries {
		out.Retries = append(out.Retries, wireRetry{rt.Attempt, rt.Reason, Millis(rt.Wait), rt.Status, WireErr(rt.Err)})
	}
	if r.Revalidation != nil {
		rv := wireHopOf(r.Revalidation, r)
		out.Revalidation = &rv
	}
	return out
}

func wireHopOf(h *trace.Hop, r *trace.Result) wireHop {
	t := &h.Timings
	skipped := map[string]string{}
	for k, v := range t.Skipped {
		skipped[k] = v
	}
	return wireHop{
		URL: h.URL,
		Request: wireRequest{
			Method:    h.Request.Method,
			Target:    h.Request.Target,
			Proto:     h.Request.Proto,
			Headers:   WireHeaders(h.Request.Headers),
			HeadBytes: h.Request.HeadBytes,
			BodyBytes: h.Request.BodyBytes,
		},
		DNS:           WireDNSOf(h.DNS),
		Connect:       WireConnectOf(h.Connect),
		TLS:           WireTLSOf(h.TLS, r),
		Response:      wireResponseOf(h.Response),
		Informational: WireInfos(h.Informational),
		TimingsMS: wireTimings{
			Blocked: spanMS(t.Blocked), DNS: spanMS(t.DNS), Connect: spanMS(t.Connect), Proxy: spanMS(t.Proxy), QUIC: spanMS(t.QUIC), TLS: spanMS(t.TLS),
			Send: spanMS(t.Send), Wait: spanMS(t.Wait), Receive: spanMS(t.Receive),
			Total: Millis(t.Total),
		},
		OffsetsMS: WireOffsets{
			DNS: StartMillis(t.DNS), Connect: StartMillis(t.Connect), Proxy: StartMillis(t.Proxy), QUIC: StartMillis(t.QUIC), TLS: StartMillis(t.TLS),
			Send: StartMillis(t.Send), Wait: StartMillis(t.Wait), Receive: StartMillis(t.Receive),
		},
		Skipped:  skipped,
		ConnID:   h.ConnID,
		Proxy:    wireProxyOf(h.Proxy),
		QUIC:     wireQUICOf(h.QUIC),
		Fallback: WireFallbackOf(h.Fallback),
		Redirect: wireRedirectOf(h.Redirect),
		Notes:    wireNotes(h.Notes),
		Error:    WireErr(h.Err),
	}
}

type wireQUIC struct {
	Version  string `json:"version"`
	Used0RTT bool   `json:"used_0rtt"`
	// extension: the request went in 0-RTT, the server refused the early
	// data, and it went again after the handshake
	Rejected0RTT  bool    `json:"rejected_0rtt"`
	Datagrams     bool    `json:"datagrams"`
	MinRTTMS      float64 `json:"min_rtt_ms"`
	SmoothedRTTMS float64 `json:"smoothed_rtt_ms"`
	PacketsSent   uint64  `json:"packets_sent"`
	PacketsLost   uint64  `json:"packets_lost"`
	// extensions: Retry packets received, the server's transport parameters
	Retries int             `json:"retries"`
	Peer    *wireQUICParams `json:"peer_params"`
}

type wireQUICParams struct {
	IdleTimeoutMS     float64 `json:"idle_timeout_ms"`
	MaxStreamsBidi    int64   `json:"max_streams_bidi"`
	MaxStreamsUni     int64   `json:"max_streams_uni"`
	MaxData           uint64  `json:"max_data"`
	MaxUDPPayload     uint64  `json:"max_udp_payload"`
	MaxDatagramFrame  uint64  `json:"max_datagram_frame"`
	ActiveConnIDLimit uint64  `json:"active_connection_id_limit"`
	DisableMigration  bool    `json:"disable_active_migration"`
}

func wireQUICOf(q *trace.QUIC) *wireQUIC {
	if q == nil {
		return nil
	}
	w := &wireQUIC{Version: q.Version, Used0RTT: q.Used0RTT, Rejected0RTT: q.Rejected0RTT, Datagrams: q.Datagrams, MinRTTMS: Millis(q.MinRTT),
		SmoothedRTTMS: Millis(q.SmoothedRTT), PacketsSent: q.PacketsSent, PacketsLost: q.PacketsLost, Retries: q.Retries}
	if p := q.Peer; p != nil {
		w.Peer = &wireQUICParams{IdleTimeoutMS: Millis(p.IdleTimeout), MaxStreamsBidi: p.MaxStreamsBidi, MaxStreamsUni: p.MaxStreamsUni,
			MaxData: p.MaxData, MaxUDPPayload: p.MaxUDPPayload, MaxDatagramFrame: p.MaxDatagramFrame,
			ActiveConnIDLimit: p.ActiveConnIDLimit, DisableMigration: p.DisableMigration}
	}
	return w
}

func wireRedirectOf(rd *trace.Redirect) *wireRedirect {
	if rd == nil {
		return nil
	}
	return &wireRedirect{Location: rd.Location, Method: rd.Method, KeepsBody: rd.KeepsBody, Rule: rd.Rule,
		CrossOrigin: rd.CrossOrigin, Dropped: OrEmpty(rd.Dropped), Followed: rd.Followed}
}

func wireProxyOf(p *trace.Proxy) *wireProxy {
	if p == nil {
		return nil
	}
	return &wireProxy{URL: p.URL, Source: p.Source, Tunnel: p.Tunnel, Status: p.Status, Headers: WireHeaders(p.Headers)}
}

func wireNotes(ns []trace.Note) []wireNote {
	out := make([]wireNote, len(ns))
	for i, n := range ns {
		out[i] = wireNote{n.ID, n.Category, n.Level, n.Subject, n.Message}
	}
	return out
}

func wireServerTimings(metrics []trace.ServerTiming) []wireServerTiming {
	out := make([]wireServerTiming, len(metrics))
	for i, m := range metrics {
		out[i] = wireServerTiming{Name: m.Name, Description: m.Description}
		if m.HasDuration {
			d := Millis(m.Duration)
			out[i].DurationMS = &d
		}
	}
	return out
}

func WireDNSOf(d *trace.DNS) *WireDNS {
	if d == nil {
		return nil
	}
	out := &WireDNS{
		Host:       d.Host,
		HostUni:    StrOrNull(d.HostUnicode),
		Name:       d.Name,
		Server:     StrOrNull(d.Server),
		Source:     d.Source,
		Rcode:      d.Rcode,
		Records:    make([]wireRecord, 0, len(d.Records)),
		Addresses:  OrEmpty(d.Addresses),
		Queries:    make([]wireQuery, 0, len(d.Queries)),
		DurationMS: Millis(d.Duration),
		Authority:  make([]wireRecord, 0, len(d.Authority)),
		NegTTL:     d.NegativeTTL,
		HTTPSName:  StrOrNull(d.HTTPSName),
		HTTPS:      wireHTTPSOf(d.HTTPS),
		HTTPSError: StrOrNull(d.HTTPSErr),
	}
	for _, rr := range d.Records {
		out.Records = append(out.Records, wireRecord{Name: rr.Name, Type: rr.Type, TTL: rr.TTL, Value: rr.Value})
	}
	for _, rr := range d.Authority {
		out.Authority = append(out.Authority, wireRecord{Name: rr.Name, Type: rr.Type, TTL: rr.TTL, Value: rr.Value})
	}
	out.Tried = make([]wireTried, 0, len(d.Tried))
	for _, t := range d.Tried {
		w := wireTried{Name: t.Name, Server: StrOrNull(t.Server), Rcode: StrOrNull(t.Rcode), NegTTL: t.NegativeTTL,
			StartMS: Millis(t.Start), DurationMS: Millis(t.Duration), Error: StrOrNull(t.Err), Authority: make([]wireRecord, 0, len(t.Authority))}
		for _, rr := range t.Authority {
			w.Authority = append(w.Authority, wireRecord{Name: rr.Name, Type: rr.Type, TTL: rr.TTL, Value: rr.Value})
		}
		out.Tried = append(out.Tried, w)
	}
	for _, q := range d.Queries {
		out.Queries = append(out.Queries, wireQuery{
			Name: q.Name, Type: q.Type, Server: q.Server, Transport: q.Transport,
			StartMS: Millis(q.Start), DurationMS: Millis(q.Duration),
			Rcode: StrOrNull(q.Rcode), Truncated: q.Truncated, Flags: q.Flags, Answers: q.Answers,
			Error: StrOrNull(q.Err),
		})
	}
	return out
}

func WireConnectOf(c *trace.Connect) *WireConnect {
	if c == nil {
		return nil
	}
	out := &WireConnect{
		Address:      c.Address,
		LocalAddress: StrOrNull(c.Local),
		Reused:       c.Reused,
		Coalesced:    c.Coalesced,
		Via:          StrOrNull(c.Via),
		DurationMS:   Millis(c.Duration),
		Attempts:     make([]wireAttempt, 0, len(c.Attempts)),
	}
	for _, a := range c.Attempts {
		out.Attempts = append(out.Attempts, wireAttempt{
			Address: a.Address, Transport: attemptTransport(a), StartMS: Millis(a.Start), DurationMS: Millis(a.Duration), Error: StrOrNull(a.Err),
		})
	}
	return out
}

func attemptTransport(a trace.Attempt) string {
	switch {
	case a.Transport != "":
		return a.Transport
	case strings.HasPrefix(a.Address, "unix:"):
		return "unix"
	}
	return "tcp"
}

func WireTLSOf(t *trace.TLS, r *trace.Result) *WireTLS {
	if t == nil {
		return nil
	}
	out := &WireTLS{
		Version: t.Version, CipherSuite: t.CipherSuite, ALPN: t.ALPN, Group: t.Group,
		ServerName: t.ServerName, Resumed: t.Resumed, OCSPStapled: t.OCSPStapled,
		Verified: t.Verified, VerifyError: StrOrNull(t.VerifyError), VerifyReason: StrOrNull(string(t.Verify)), Insecure: r.Insecure,
		DurationMS:   Millis(t.Duration),
		Certificates: make([]wireCert, 0, len(t.Certificates)),
	}
	for _, c := range t.Certificates {
		wc := wireCert{
			Subject: c.Subject, Issuer: c.Issuer,
			DNSNames: OrEmpty(c.DNSNames), IPAddresses: OrEmpty(c.IPAddresses),
			NotBefore: rfc3339(c.NotBefore), NotAfter: rfc3339(c.NotAfter),
			Serial: c.SerialNumber, SignatureAlgorithm: c.SignatureAlgorithm,
			PublicKey: c.PublicKey, IsCA: c.IsCA,
		}
		if d, ok := daysLeft(r.Started, c.NotAfter); ok {
			wc.DaysLeft = &d
		}
		out.Certificates = append(out.Certificates, wc)
	}
	return out
}

func wireResponseOf(rs *trace.Response) *wireResponse {
	if rs == nil {
		return nil
	}
	reason := ReasonOf(rs.Proto, rs.Status, rs.Reason)
	var decoded *int64
	if rs.DecodedBytes >= 0 {
		decoded = &rs.DecodedBytes
	}
	return &wireResponse{
		Proto: rs.Proto, Status: rs.Status, Reason: reason,
		Headers:      WireHeaders(rs.Headers),
		HeadersCut:   rs.HeadersCut,
		ValuesCut:    rs.ValuesCut,
		BudgetCut:    rs.HeadBudgetCut,
		HeadBytes:    rs.HeadBytes,
		BodyBytes:    rs.BodyBytes,
		DecodedBytes: decoded,
		ServerTiming: wireServerTimings(rs.ServerTiming),
		Trailers:     WireHeaders(rs.Trailers),
		BodyPreview:  strings.ToValidUTF8(string(rs.BodyPreview), "\uFFFD"),
		SavedTo:      rs.SavedTo,
	}
}

func WireInfos(is []trace.Informational) []WireInformational {
	out := make([]WireInformational, 0, len(is))
	for _, i := range is {
		out = append(out, WireInformational{Status: i.Status, Reason: infoReason(i),
			Headers: WireHeaders(i.Headers), AtMS: Millis(i.At)})
	}
	return out
}

func WireHeaders(hs []trace.Header) []WireHeader {
	out := make([]WireHeader, 0, len(hs))
	for _, h := range hs {
		out = append(out, WireHeader{Name: h.Name, Value: h.Value})
	}
	return out
}

func WireErr(e *trace.Error) *WireError {
	if e == nil {
		return nil
	}
	return &WireError{Phase: e.Phase, Kind: e.Kind, Message: e.Message, Hint: e.Hint}
}

// ms is a duration in float milliseconds, rounded to the microsecond.
func Millis(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}

func spanMS(s *trace.Span) *float64 {
	if s == nil {
		return nil
	}
	v := Millis(s.Duration)
	return &v
}

func StartMillis(s *trace.Span) *float64 {
	if s == nil {
		return nil
	}
	v := Millis(s.Start)
	return &v
}

func StrOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func OrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
