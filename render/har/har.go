// Package har writes the HAR 1.2 file of --har FILE from trace Results.
package har

// HAR 1.2 output (http://www.softwareishard.com/blog/har-12-spec/), what
// `--har FILE` writes: one log, one page per Result, one entry per hop.
//
// Timings follow HAR's rules, not ours: "connect" is TCP plus TLS (HAR 1.1
// compatibility) and "ssl" repeats the TLS part; an optional phase that did
// not take place is -1; send, wait and receive are required and never
// negative, so a phase the hop never reached is 0 there (as in Chrome's
// export) and null in _reqtrace.offsets_ms. "time" is the sum of the
// phases without ssl and without the -1s. "blocked" is the wait for a
// connection (trace.Pool's queueing), -1 when there was none.
//
// What HAR has no field for goes in "_reqtrace" objects, named as in the
// --json document (CONTRACT.md):
//
//	page   _reqtrace  {url, insecure, error}: the Result (the URL as given, -k, what ended it)
//	entry  _reqtrace  {target, dns, connect, tls, informational, server_timing, redirect,
//	                   error, offsets_ms, skipped, total_ms, headers_cut}
//	       offsets_ms and total_ms place the phases exactly as measured (HAR lays
//	       them end to end and loses the gaps); trace/har reads them back.
//	response _error   the error message of a hop that failed (status 0 when no response came)
//	postData _note    why "text" is missing
//
// Secrets: unless Options.ShowSecrets, the credentials in Authorization,
// Proxy-Authorization, Cookie and Set-Cookie values and in the cookie
// arrays become "[redacted]" (the auth scheme, the cookie names and the
// Set-Cookie attributes stay), and a password in a URL becomes "xxxxx".

import (
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
)

// Options tunes the HAR output.
type Options struct {
	// ShowSecrets keeps credentials (Authorization, Proxy-Authorization,
	// Cookie, Set-Cookie) as sent and received instead of "[redacted]".
	ShowSecrets bool
}

// Version is the HAR format version written.
const Version = "1.2"

// redacted replaces a secret.
const redacted = render.RedactedMark

type harDoc struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Pages   []harPage  `json:"pages"`
	Entries []harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harPage struct {
	StartedDateTime string         `json:"startedDateTime"`
	ID              string         `json:"id"`
	Title           string         `json:"title"`
	PageTimings     harPageTimings `json:"pageTimings"`
	Reqtrace        harPageExtra   `json:"_reqtrace"`
}

type harPageTimings struct {
	OnContentLoad float64 `json:"onContentLoad"`
	OnLoad        float64 `json:"onLoad"`
}

type harPageExtra struct {
	URL      string            `json:"url"`
	Insecure bool              `json:"insecure"`
	Error    *render.WireError `json:"error"`
}

type harEntry struct {
	Pageref         string       `json:"pageref"`
	StartedDateTime string       `json:"startedDateTime"`
	Time            float64      `json:"time"`
	Request         harRequest   `json:"request"`
	Response        harResponse  `json:"response"`
	Cache           struct{}     `json:"cache"`
	Timings         harTimings   `json:"timings"`
	ServerIPAddress string       `json:"serverIPAddress,omitempty"`
	Connection      string       `json:"connection,omitempty"`
	Reqtrace        harHopExtras `json:"_reqtrace"`
}

type harRequest struct {
	Method      string              `json:"method"`
	URL         string              `json:"url"`
	HTTPVersion string              `json:"httpVersion"`
	Cookies     []harCookie         `json:"cookies"`
	Headers     []render.WireHeader `json:"headers"`
	QueryString []render.WireHeader `json:"queryString"`
	PostData    *harPostData        `json:"postData,omitempty"`
	HeadersSize int64               `json:"headersSize"`
	BodySize    int64               `json:"bodySize"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Text     *string `json:"text,omitempty"`
	Note     string  `json:"_note,omitempty"`
}

type harCookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Expires  string `json:"expires,omitempty"`
	HTTPOnly *bool  `json:"httpOnly,omitempty"`
	Secure   *bool  `json:"secure,omitempty"`
	SameSite string `json:"sameSite,omitempty"` // as Chrome writes it
}

type harResponse struct {
	Status      int                 `json:"status"`
	StatusText  string              `json:"statusText"`
	HTTPVersion string              `json:"httpVersion"`
	Cookies     []harCookie         `json:"cookies"`
	Headers     []render.WireHeader `json:"headers"`
	Content     harContent          `json:"content"`
	RedirectURL string              `json:"redirectURL"`
	HeadersSize int64               `json:"headersSize"`
	BodySize    int64               `json:"bodySize"`
	Error       *string             `json:"_error,omitempty"`
}

type harContent struct {
	Size        int64   `json:"size"`
	Compression *int64  `json:"compression,omitempty"`
	MimeType    string  `json:"mimeType"`
	Text        *string `json:"text,omitempty"`
}

// harTimings in Chrome's order. Optional phases are -1 when they did not
// take place.
type harTimings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	SSL     float64 `json:"ssl"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

type harHopExtras struct {
	Target        string                     `json:"target"`
	DNS           *render.WireDNS            `json:"dns"`
	Connect       *render.WireConnect        `json:"connect"`
	TLS           *render.WireTLS            `json:"tls"`
	QUIC          *render.WireQUIC           `json:"quic,omitempty"`
	Informational []render.WireInformational `json:"informational"`
	ServerTiming  []harServerTiming          `json:"server_timing"`
	Redirect      *harRedirect               `json:"redirect"`
	Error         *render.WireError          `json:"error"`
	Fallback      *render.WireFallback       `json:"fallback,omitempty"` // why a hop to try HTTP/3 went over TCP
	OffsetsMS     render.WireOffsets         `json:"offsets_ms"`
	Skipped       map[string]string          `json:"skipped"`
	TotalMS       float64                    `json:"total_ms"`
	HeadersCut    int                        `json:"headers_cut"`
}

type harServerTiming struct {
	Name        string   `json:"name"`
	DurationMS  *float64 `json:"duration_ms"`
	Description string   `json:"description"`
}

type harRedirect struct {
	Location    string   `json:"location"`
	Method      string   `json:"method"`
	KeepsBody   bool     `json:"keeps_body"`
	Rule        string   `json:"rule"`
	CrossOrigin bool     `json:"cross_origin"`
	Dropped     []string `json:"dropped"`
	Followed    bool     `json:"followed"`
}

// Write writes rs as one HAR 1.2 log: a page per Result, in order, and an
// entry per hop, each hop starting where the previous one ended (hops of a
// trace run one after the other). The document is indented two spaces and
// ends with a newline.
func Write(w io.Writer, rs []*trace.Result, opt Options) error {
	doc := harDoc{Log: harLog{
		Version: Version,
		Creator: harCreator{Name: "reqtrace", Version: trace.Version},
		Pages:   make([]harPage, 0, len(rs)),
		Entries: []harEntry{},
	}}
	for i, r := range rs {
		if r == nil {
			return render.ErrNilResult
		}
		id := "page_" + strconv.Itoa(i+1)
		doc.Log.Pages = append(doc.Log.Pages, harPage{
			StartedDateTime: harTime(r.Started),
			ID:              id,
			Title:           opt.given(r.URL),
			PageTimings:     harPageTimings{OnContentLoad: -1, OnLoad: -1},
			Reqtrace:        harPageExtra{URL: opt.given(r.URL), Insecure: r.Insecure, Error: render.WireErr(r.Err)},
		})
		start := r.Started
		for j := range r.Hops {
			h := &r.Hops[j]
			doc.Log.Entries = append(doc.Log.Entries, opt.entry(id, start, h, r))
			start = start.Add(max(h.Timings.Total, 0))
		}
	}
	return render.WriteJSON(w, doc)
}

// harTime is HAR's ISO 8601 date: UTC, to the microsecond.
func harTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

func (opt Options) entry(page string, start time.Time, h *trace.Hop, r *trace.Result) harEntry {
	u := h.URL
	if u == "" {
		u = r.URL
	}
	t := harTimingsOf(&h.Timings)
	e := harEntry{
		Pageref:         page,
		StartedDateTime: harTime(start),
		Time:            harTotal(t),
		Request:         opt.request(u, &h.Request),
		Response:        opt.response(h, start),
		Timings:         t,
		Reqtrace:        opt.extras(h, r),
	}
	if h.Connect != nil {
		e.ServerIPAddress = hostIP(h.Connect.Address)
	}
	if h.ConnID > 0 {
		e.Connection = strconv.Itoa(h.ConnID)
	}
	return e
}

// harTimingsOf maps our spans onto HAR's fields. HAR counts TLS inside
// connect; durations are rounded to the microsecond before adding, so
// connect - ssl gives back the TCP time exactly.
func harTimingsOf(t *trace.Timings) harTimings {
	opt := func(s *trace.Span) float64 {
		if s == nil {
			return -1
		}
		return render.Millis(max(s.Duration, 0))
	}
	req := func(s *trace.Span) float64 { return max(opt(s), 0) }
	out := harTimings{
		Blocked: opt(t.Blocked),
		DNS:     opt(t.DNS),
		Connect: opt(t.Connect),
		SSL:     opt(t.TLS),
		Send:    req(t.Send),
		Wait:    req(t.Wait),
		Receive: req(t.Receive),
	}
	if out.SSL >= 0 {
		out.Connect = round3(max(out.Connect, 0) + out.SSL)
	}
	if t.QUIC != nil { // as Chrome exports HTTP/3: connect is the QUIC handshake, TLS inside it
		q := *t.QUIC
		if t.Send != nil && t.Send.Start < q.End() {
			// 0-RTT: the request went before the handshake completed. HAR's
			// phases follow one another, so connect ends when the
			// connection could carry the request; _reqtrace keeps the
			// whole handshake.
			q.Duration = max(t.Send.Start-q.Start, 0)
		}
		out.Connect, out.SSL = opt(&q), opt(&q)
	}
	return out
}

// harVersion is the protocol as HAR files spell it; HTTP/3 as Chrome
// exports it ("h3").
func harVersion(proto string) string {
	if proto == "HTTP/3.0" {
		return "h3"
	}
	return proto
}

// harTotal is entry.time: the sum of the phases, ssl excluded (it is
// inside connect) and -1s ignored.
func harTotal(t harTimings) float64 {
	sum := 0.0
	for _, v := range []float64{t.Blocked, t.DNS, t.Connect, t.Send, t.Wait, t.Receive} {
		sum += max(v, 0)
	}
	return round3(sum)
}

// round3 rounds milliseconds to the microsecond, so sums print cleanly.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// hostIP is the IP address of an "ip:port", without brackets or zone, as
// HAR's serverIPAddress wants it; "" if it is not one.
func hostIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return ip.WithZone("").String()
}

func (opt Options) request(u string, rq *trace.Request) harRequest {
	out := harRequest{
		Method:      rq.Method,
		URL:         opt.url(u),
		HTTPVersion: harVersion(rq.Proto),
		Cookies:     []harCookie{},
		Headers:     opt.headers(rq.Headers),
		QueryString: queryString(u),
		HeadersSize: sizeOrUnknown(rq.HeadBytes),
		BodySize:    rq.BodyBytes,
	}
	for _, h := range rq.Headers {
		if strings.EqualFold(h.Name, "Cookie") {
			out.Cookies = append(out.Cookies, opt.requestCookies(h.Value)...)
		}
	}
	if rq.BodyBytes > 0 {
		pd := &harPostData{MimeType: render.HeaderValue(rq.Headers, "Content-Type")}
		switch {
		case int64(len(rq.BodyPreview)) < rq.BodyBytes:
			pd.Note = fmt.Sprintf("text left out: reqtrace kept only the first %d of %d bytes", len(rq.BodyPreview), rq.BodyBytes)
		case !utf8.Valid(rq.BodyPreview):
			pd.Note = "text left out: the body is not valid UTF-8"
		default:
			s := string(rq.BodyPreview)
			pd.Text = &s
		}
		out.PostData = pd
	}
	return out
}

func sizeOrUnknown(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}

// url is a request URL as HAR wants it: without the fragment, which is
// never sent, and with any password hidden.
func (opt Options) url(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	return opt.given(s)
}

// given is a URL as the user gave it, with any password hidden.
func (opt Options) given(s string) string {
	if opt.ShowSecrets {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return hideUserinfo(s)
	}
	if u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); !ok {
		return s
	}
	return u.Redacted()
}

// hideUserinfo hides the user information of a URL url.Parse refused, in
// case a password is in it.
func hideUserinfo(s string) string {
	_, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	authority, _, _ := strings.Cut(rest, "/")
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		return s[:len(s)-len(rest)] + "xxxxx" + rest[i:]
	}
	return s
}

// queryString lists the query's pairs in order, decoded where they decode.
func queryString(s string) []render.WireHeader {
	out := []render.WireHeader{}
	u, err := url.Parse(s)
	if err != nil || u.RawQuery == "" {
		return out
	}
	for _, part := range strings.Split(u.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, render.WireHeader{Name: unescapeQuery(k), Value: unescapeQuery(v)})
	}
	return out
}

func unescapeQuery(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// headers copies header lines, with the secrets redacted.
func (opt Options) headers(hs []trace.Header) []render.WireHeader {
	out := make([]render.WireHeader, 0, len(hs))
	for _, h := range hs {
		out = append(out, render.WireHeader{Name: h.Name, Value: opt.headerValue(h)})
	}
	return out
}

func (opt Options) headerValue(h trace.Header) string {
	if opt.ShowSecrets {
		return h.Value
	}
	return render.RedactHeader(h.Name, h.Value)
}

func (opt Options) secret(v string) string {
	if opt.ShowSecrets {
		return v
	}
	return redacted
}

// requestCookies parses a Cookie header: "a=1; b=2".
func (opt Options) requestCookies(v string) []harCookie {
	var out []harCookie
	for _, p := range strings.Split(v, ";") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		name, value, _ := strings.Cut(p, "=")
		out = append(out, harCookie{Name: strings.TrimSpace(name), Value: opt.secret(strings.TrimSpace(value))})
	}
	return out
}

// responseCookie parses one Set-Cookie value. received is when the
// response came, the origin of Max-Age.
func (opt Options) responseCookie(v string, received time.Time) harCookie {
	c, err := http.ParseSetCookie(v)
	if err != nil {
		// Not a cookie Go accepts; still show its name and value.
		pair, _, _ := strings.Cut(v, ";")
		name, value, _ := strings.Cut(pair, "=")
		return harCookie{Name: strings.TrimSpace(name), Value: opt.secret(strings.TrimSpace(value))}
	}
	out := harCookie{
		Name: c.Name, Value: opt.secret(c.Value), Path: c.Path, Domain: c.Domain,
		HTTPOnly: &c.HttpOnly, Secure: &c.Secure,
	}
	switch {
	case c.MaxAge > 0:
		out.Expires = harTime(received.Add(time.Duration(c.MaxAge) * time.Second))
	case c.MaxAge < 0: // Max-Age=0 or less: expire it now
		out.Expires = harTime(time.Unix(0, 0))
	case !c.Expires.IsZero():
		out.Expires = harTime(c.Expires)
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		out.SameSite = "Lax"
	case http.SameSiteStrictMode:
		out.SameSite = "Strict"
	case http.SameSiteNoneMode:
		out.SameSite = "None"
	}
	return out
}

func (opt Options) response(h *trace.Hop, start time.Time) harResponse {
	rs := h.Response
	var errText *string
	if h.Err != nil {
		errText = &h.Err.Message
	}
	if rs == nil {
		// Chrome's shape for a request that got no response.
		return harResponse{
			Cookies: []harCookie{}, Headers: []render.WireHeader{},
			Content:     harContent{MimeType: "x-unknown"},
			HeadersSize: -1, BodySize: -1, Error: errText,
		}
	}
	received := start
	if h.Timings.Wait != nil {
		received = start.Add(h.Timings.Wait.End())
	}
	reason := render.ReasonOf(rs.Proto, rs.Status, rs.Reason) // HTTP/2 has no reason phrase
	out := harResponse{
		Status:      rs.Status,
		StatusText:  reason,
		HTTPVersion: harVersion(rs.Proto),
		Cookies:     []harCookie{},
		Headers:     opt.headers(rs.Headers),
		Content:     content(h),
		HeadersSize: sizeOrUnknown(rs.HeadBytes),
		BodySize:    rs.BodyBytes,
		Error:       errText,
	}
	if h.Redirect != nil {
		out.RedirectURL = h.Redirect.Location
	}
	for _, hd := range rs.Headers {
		if strings.EqualFold(hd.Name, "Set-Cookie") {
			out.Cookies = append(out.Cookies, opt.responseCookie(hd.Value, received))
		}
	}
	return out
}

// content describes the body: its size once decoded, how much the
// encoding saved, and the text when reqtrace kept all of it and it is text.
func content(h *trace.Hop) harContent {
	rs := h.Response
	mime := render.HeaderValue(rs.Headers, "Content-Type")
	if mime == "" {
		mime = "x-unknown"
	}
	out := harContent{Size: rs.BodyBytes, MimeType: mime}
	encoded := contentEncoded(rs.Headers)
	decoded := encoded && rs.DecodedBytes >= 0
	if decoded {
		saved := rs.DecodedBytes - rs.BodyBytes // HAR: "bytes saved"; negative if encoding grew it
		out.Size, out.Compression = rs.DecodedBytes, &saved
	}
	whole := out.Size > 0 && int64(len(rs.BodyPreview)) == out.Size
	if whole && (decoded || !encoded) && utf8.Valid(rs.BodyPreview) && h.Request.Method != http.MethodHead {
		s := string(rs.BodyPreview)
		out.Text = &s
	}
	return out
}

// contentEncoded says whether the body came with a Content-Encoding other
// than identity, which DecodedBytes may have undone.
func contentEncoded(hs []trace.Header) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, "Content-Encoding") {
			if v := strings.TrimSpace(h.Value); v != "" && !strings.EqualFold(v, "identity") {
				return true
			}
		}
	}
	return false
}

func (opt Options) extras(h *trace.Hop, r *trace.Result) harHopExtras {
	t := &h.Timings
	skipped := map[string]string{}
	for k, v := range t.Skipped {
		skipped[k] = v
	}
	infos := make([]trace.Informational, len(h.Informational))
	for i, in := range h.Informational {
		in.Headers = redactHeaders(opt, in.Headers)
		infos[i] = in
	}
	out := harHopExtras{
		Target:        h.Request.Target,
		DNS:           render.WireDNSOf(h.DNS),
		Connect:       render.WireConnectOf(h.Connect),
		TLS:           render.WireTLSOf(h.TLS, r),
		QUIC:          render.WireQUICOf(h.QUIC),
		Informational: render.WireInfos(infos),
		ServerTiming:  []harServerTiming{},
		Redirect:      harRedirectOf(h.Redirect),
		Error:         render.WireErr(h.Err),
		Fallback:      render.WireFallbackOf(h.Fallback),
		OffsetsMS: render.WireOffsets{
			DNS: render.StartMillis(t.DNS), Connect: render.StartMillis(t.Connect), QUIC: render.StartMillis(t.QUIC), TLS: render.StartMillis(t.TLS),
			Send: render.StartMillis(t.Send), Wait: render.StartMillis(t.Wait), Receive: render.StartMillis(t.Receive),
		},
		Skipped: skipped,
		TotalMS: render.Millis(t.Total),
	}
	if rs := h.Response; rs != nil {
		out.HeadersCut = rs.HeadersCut
		for _, m := range rs.ServerTiming {
			st := harServerTiming{Name: m.Name, Description: m.Description}
			if m.HasDuration {
				d := render.Millis(m.Duration)
				st.DurationMS = &d
			}
			out.ServerTiming = append(out.ServerTiming, st)
		}
	}
	return out
}

func redactHeaders(opt Options, hs []trace.Header) []trace.Header {
	out := make([]trace.Header, len(hs))
	for i, h := range hs {
		out[i] = trace.Header{Name: h.Name, Value: opt.headerValue(h)}
	}
	return out
}

func harRedirectOf(rd *trace.Redirect) *harRedirect {
	if rd == nil {
		return nil
	}
	return &harRedirect{
		Location: rd.Location, Method: rd.Method, KeepsBody: rd.KeepsBody, Rule: rd.Rule,
		CrossOrigin: rd.CrossOrigin, Dropped: render.OrEmpty(rd.Dropped), Followed: rd.Followed,
	}
}
