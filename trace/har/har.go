// Package har reads HAR 1.2 files, a browser's "Export HAR" or reqtrace's
// own --har output, into trace.Results that render.Text shows with the
// same waterfall as a live trace.
//
// Each HAR page becomes one Result and each entry one Hop. HAR lays the
// phases of an entry end to end from its startedDateTime: blocked, dns,
// connect (of which the last ssl milliseconds are TLS), send, wait,
// receive; a phase that is -1 (or absent) did not take place and gets a
// Skipped reason. Hops hold no start time of their own, so the Result keeps
// each entry's phases but not how the entries overlapped on the page.
//
// A file reqtrace wrote carries "_reqtrace" extras (DNS records, dial
// attempts, certificates, exact phase offsets, errors); they are read back
// so the Result is the one that was written, redacted secrets aside.
//
// Read is strict about size (MaxInput bytes, MaxEntry bytes per entry,
// MaxEntries entries, at most a few thousand list items per entry and
// MaxItems in all) and lenient about content: optional fields may be
// missing or of the wrong type. It decodes the file as it reads it.
package har

import (
	"bufio"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// Limits on what Read accepts.
const (
	MaxInput   = 256 << 20 // bytes of HAR
	MaxEntry   = 64 << 20  // bytes of one entry (it is decoded whole)
	MaxEntries = 100_000   // entries (and pages)
	MaxItems   = 4 << 20   // header lines, records, certificates, ... in all

	maxPreview = 64 << 10 // bytes of a body kept as BodyPreview
	maxMS      = 1e9      // a phase longer than ~11.6 days is not a timing
)

type limits struct {
	input   int64
	entry   int64
	entries int
	items   int
	preview int // bytes of each body kept; 0 is maxPreview
}

var defaultLimits = limits{input: MaxInput, entry: MaxEntry, entries: MaxEntries, items: MaxItems}

// TooLargeError is the error for a file, or one entry, over its cap.
type TooLargeError struct {
	What  string // "the file" or "an entry"
	Limit int64
}

func (e *TooLargeError) Error() string {
	return "har: " + e.What + " is larger than " + size(e.Limit) + ", the most reqtrace reads"
}

// Read parses a HAR file: one Result per page, in the order of the pages,
// each holding that page's entries as hops ordered by start time. Without
// pages, one Result holds every entry; entries whose pageref names no page
// come last, in a Result of their own.
//
// The file is decoded as it is read, one entry at a time, so memory
// follows what is kept (each body's first 64 KiB), not the file's size.
func Read(r io.Reader) ([]*trace.Result, error) {
	return read(r, defaultLimits)
}

// ReadPreview is Read keeping at most preview bytes of each body (at
// least 1), for a report that shows no more.
func ReadPreview(r io.Reader, preview int) ([]*trace.Result, error) {
	lim := defaultLimits
	lim.preview = min(max(preview, 1), maxPreview)
	return read(r, lim)
}

func read(r io.Reader, lim limits) ([]*trace.Result, error) {
	in := &countReader{r: io.LimitReader(r, lim.input+1), entryCap: lim.entry}
	br := bufio.NewReader(in)
	if bom, _ := br.Peek(3); string(bom) == "\xef\xbb\xbf" { // a BOM, as some Windows tools write
		br.Discard(3)
	}
	dec := json.NewDecoder(br)
	d := &decoder{lim: lim, in: in}
	err := d.file(dec)
	if err == nil {
		if _, end := dec.Token(); end != io.EOF {
			err = notHAR(end, errors.New("har: not JSON: more data after the HAR object"))
		}
	}
	switch {
	case in.n > lim.input:
		return nil, &TooLargeError{"the file", lim.input}
	case in.entryOver:
		return nil, &TooLargeError{"an entry", lim.entry}
	case err != nil:
		return nil, err
	case len(d.entries) == 0:
		return nil, errors.New("har: the file has no entries")
	}
	return d.results(), nil
}

// countReader counts the bytes read, to tell a file over the cap from
// one cut short, and fails a read once one entry (from mark on) is over
// entryCap: the decoder holds an entry whole while it decodes it.
type countReader struct {
	r         io.Reader
	n, mark   int64
	entryCap  int64 // 0: no cap
	inEntry   bool
	entryOver bool
}

var errEntryTooLarge = errors.New("an entry is too large")

func (c *countReader) Read(p []byte) (int, error) {
	if c.inEntry && c.entryCap > 0 && c.n-c.mark > c.entryCap {
		c.entryOver = true
		return 0, errEntryTooLarge
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// notHAR is the error for a token the walk did not expect: what broke
// the JSON when it is not JSON (or the reader failed), else fallback.
func notHAR(err, fallback error) error {
	var se *json.SyntaxError
	switch {
	case err == nil:
		return fallback
	case errors.As(err, &se):
		return fmt.Errorf("har: not JSON: %v (at byte %d)", se, se.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("har: not JSON: the file ends in the middle of a value")
	}
	return fmt.Errorf("har: %w", err)
}

// decoder walks the file's tokens down to log.pages and log.entries and
// decodes those one at a time, so memory follows what is kept.
type decoder struct {
	lim     limits
	in      *countReader
	pages   []page
	entries []pending
	items   int
	sawLog  bool
}

// pending is an entry read, waiting to be grouped into its page's Result.
type pending struct {
	hop      trace.Hop
	start    time.Time
	pageref  string
	conn     string
	inferred bool // Redirect was built from the HAR, not read from _reqtrace
}

var errNotHAR = errors.New(`har: not a HAR file (it needs a "log" object with "entries")`)

func (d *decoder) file(dec *json.Decoder) error {
	if err := delim(dec, '{'); err != nil {
		return notHAR(err, errNotHAR)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return notHAR(err, errNotHAR)
		}
		if key == "log" && !d.sawLog {
			d.sawLog = true
			if err := d.log(dec); err != nil {
				return err
			}
			continue
		}
		if err := skip(dec); err != nil {
			return notHAR(err, errNotHAR)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return notHAR(err, errNotHAR)
	}
	if !d.sawLog {
		return errNotHAR
	}
	return nil
}

func (d *decoder) log(dec *json.Decoder) error {
	if err := delim(dec, '{'); err != nil {
		return notHAR(err, errNotHAR)
	}
	sawEntries := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return notHAR(err, errNotHAR)
		}
		switch key {
		case "entries":
			sawEntries = true
			err = d.array(dec, "entries", d.entry)
		case "pages":
			err = d.array(dec, "pages", d.page)
		default:
			err = skip(dec)
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return notHAR(err, errNotHAR)
	}
	if !sawEntries {
		return errNotHAR
	}
	return nil
}

// array calls fn with each item of the array that comes next; null is an
// empty array, anything else is not a HAR.
func (d *decoder) array(dec *json.Decoder, name string, fn func(json.RawMessage) error) error {
	t, err := dec.Token()
	switch {
	case err != nil:
		return notHAR(err, errNotHAR)
	case t == nil:
		return nil
	case t != json.Delim('['):
		return fmt.Errorf("har: log.%s is not an array", name)
	}
	n := 0
	for dec.More() {
		if n++; n > d.lim.entries {
			return fmt.Errorf("har: more than %d %s", d.lim.entries, name)
		}
		var raw json.RawMessage
		d.in.mark, d.in.inEntry = d.in.n, true
		err := dec.Decode(&raw)
		d.in.inEntry = false
		if err != nil {
			return notHAR(err, errNotHAR)
		}
		if err := fn(raw); err != nil {
			return err
		}
	}
	if _, err = dec.Token(); err != nil { // ]
		return notHAR(err, errNotHAR)
	}
	return nil
}

func (d *decoder) page(raw json.RawMessage) error {
	var p page
	if decodeLenient(raw, &p) {
		d.pages = append(d.pages, p)
	}
	return nil
}

func (d *decoder) entry(raw json.RawMessage) error {
	var e entry
	if !decodeLenient(raw, &e) {
		return nil // not an object: nothing to show
	}
	p := pending{pageref: string(e.Pageref), conn: string(e.Connection)}
	p.start, _ = parseTime(string(e.StartedDateTime))
	p.hop, p.inferred = hopOf(&e, cmp.Or(d.lim.preview, maxPreview))
	if d.items += weight(&p.hop); d.items > d.lim.items {
		return fmt.Errorf("har: more than %d header lines, records and other list items in all", d.lim.items)
	}
	d.entries = append(d.entries, p)
	return nil
}

// weight counts the list items a hop holds, for the MaxItems budget.
func weight(h *trace.Hop) int {
	n := len(h.Request.Headers)
	if h.Response != nil {
		n += len(h.Response.Headers) + len(h.Response.ServerTiming)
	}
	for _, i := range h.Informational {
		n += 1 + len(i.Headers)
	}
	if h.DNS != nil {
		n += len(h.DNS.Records) + len(h.DNS.Addresses) + len(h.DNS.Queries) + len(h.DNS.Authority) + len(h.DNS.Tried)
	}
	if h.Connect != nil {
		n += len(h.Connect.Attempts)
	}
	if h.TLS != nil {
		for _, c := range h.TLS.Certificates {
			n += 1 + len(c.DNSNames) + len(c.IPAddresses)
		}
	}
	if h.Redirect != nil {
		n += len(h.Redirect.Dropped)
	}
	return n + 1
}

// delim reads the next token: nil if it is d, errNotHAR if it is
// another, the decoder's error if there is none.
func delim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	switch {
	case err != nil:
		return err
	case t != d:
		return errNotHAR
	}
	return nil
}

// skip passes over the next value.
func skip(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// parseTime reads an ISO 8601 date as HAR tools write them.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// results groups the entries by page, one Result per page that has any.
func (d *decoder) results() []*trace.Result {
	type group struct {
		page  *page
		items []pending
	}
	var groups []*group
	byID := map[string]*group{}
	for i := range d.pages {
		id := string(d.pages[i].ID)
		if _, dup := byID[id]; dup {
			continue
		}
		g := &group{page: &d.pages[i]}
		byID[id] = g
		groups = append(groups, g)
	}
	var orphans group
	for _, p := range d.entries {
		if g, ok := byID[p.pageref]; ok && len(d.pages) > 0 {
			g.items = append(g.items, p)
		} else {
			orphans.items = append(orphans.items, p)
		}
	}
	groups = append(groups, &orphans)
	var out []*trace.Result
	for _, g := range groups {
		if len(g.items) > 0 {
			out = append(out, result(g.page, g.items))
		}
	}
	return out
}

// result builds one Result: hops by start time (when every entry has
// one), connections numbered from 1 in order of first use.
func result(pg *page, items []pending) *trace.Result {
	if !slices.ContainsFunc(items, func(p pending) bool { return p.start.IsZero() }) {
		slices.SortStableFunc(items, func(a, b pending) int { return a.start.Compare(b.start) })
	}
	r := &trace.Result{Hops: make([]trace.Hop, 0, len(items))}
	conns := map[string]int{}
	for _, p := range items {
		h := p.hop
		if p.conn != "" {
			if _, ok := conns[p.conn]; !ok {
				conns[p.conn] = len(conns) + 1
			}
			h.ConnID = conns[p.conn]
		}
		r.Hops = append(r.Hops, h)
	}
	last := map[string]int{} // the last hop to each URL: a redirect was followed if one comes after it
	for i, h := range r.Hops {
		last[h.URL] = i
	}
	for i, p := range items {
		if rd := r.Hops[i].Redirect; rd != nil && p.inferred {
			j, ok := last[rd.Location]
			rd.Followed = ok && j > i
		}
	}
	r.URL, r.Started = r.Hops[0].URL, items[0].start
	if pg != nil {
		if t, ok := parseTime(string(pg.StartedDateTime)); ok {
			r.Started = t
		}
		if x := pg.Reqtrace; x != nil {
			if x.URL != "" {
				r.URL = string(x.URL)
			}
			r.Insecure = x.Insecure
			r.Err = errorOf(x.Error)
		}
	}
	if r.Started.IsZero() {
		for _, p := range items {
			if !p.start.IsZero() && (r.Started.IsZero() || p.start.Before(r.Started)) {
				r.Started = p.start
			}
		}
	}
	return r
}

// hopOf turns one entry into a Hop. inferred reports a Redirect built from
// the HAR alone, whose Followed the caller works out.
func hopOf(e *entry, preview int) (h trace.Hop, inferred bool) {
	x, ours := e.Reqtrace, e.Reqtrace != nil // ours: written by reqtrace
	if !ours {
		x = &extras{}
	}
	u := string(e.Request.URL)
	pu, err := url.Parse(u)
	if err != nil {
		pu = nil
	}
	h.URL = u
	h.Request = requestOf(&e.Request, pu, x, preview)
	h.Response = responseOf(&e.Response, x, preview)
	h.Informational = infosOf(x.Informational.items)
	h.Timings = timingsOf(e, h.Response != nil)
	h.DNS = dnsOf(x.DNS)
	h.Connect = connectOf(x.Connect)
	h.TLS = tlsOf(x.TLS)
	h.QUIC = quicOf(x.QUIC)
	h.Err = errorOf(x.Error)
	h.Fallback = fallbackOf(x.Fallback)
	switch {
	case x.Redirect != nil:
		h.Redirect = redirectOf(x.Redirect)
	case !ours:
		h.Redirect = inferRedirect(&h, pu, string(e.Response.RedirectURL))
		inferred = h.Redirect != nil
	}
	if x.Offsets != nil {
		placeExactly(&h.Timings, e, x)
	} else {
		infer(&h, e, pu)
	}
	if h.Err == nil {
		h.Err = browserError(string(e.Response.Error), &h)
	}
	return h, inferred
}

func requestOf(rq *request, pu *url.URL, x *extras, preview int) trace.Request {
	out := trace.Request{
		Method:  string(rq.Method),
		Proto:   proto(string(rq.HTTPVersion)),
		Headers: headersOf(rq.Headers.items),
	}
	switch {
	case x.Target != nil:
		out.Target = string(*x.Target)
	case pu != nil:
		out.Target = pu.RequestURI()
	}
	out.HeadBytes, _ = rq.HeadersSize.count(math.MaxInt64 / 2)
	var text string
	if rq.PostData != nil {
		text = string(rq.PostData.Text)
	}
	if n, ok := rq.BodySize.count(math.MaxInt64 / 2); ok {
		out.BodyBytes = n
	} else {
		out.BodyBytes = int64(len(text))
	}
	if text != "" {
		out.BodyPreview = []byte(text[:min(len(text), preview)])
	}
	return out
}

func responseOf(rs *response, x *extras, preview int) *trace.Response {
	status, ok := rs.Status.count(999)
	if !ok || status < 100 {
		return nil // status 0: no response came (Chrome's failed requests)
	}
	out := &trace.Response{
		Proto:        proto(string(rs.HTTPVersion)),
		Status:       int(status),
		Reason:       string(rs.StatusText),
		Headers:      headersOf(rs.Headers.items),
		HeadersCut:   rs.Headers.dropped,
		DecodedBytes: -1,
	}
	if n, ok := x.HeadersCut.count(math.MaxInt32); ok {
		out.HeadersCut += int(n)
	}
	out.HeadBytes, _ = rs.HeadersSize.count(math.MaxInt64 / 2)
	size, sizeOK := rs.Content.Size.count(math.MaxInt64 / 2)
	if n, ok := rs.BodySize.count(math.MaxInt64 / 2); ok && (n > 0 || size == 0) {
		out.BodyBytes = n
	} else {
		// Chrome writes -1 for HTTP/2 (no wire size) and 0 for the cache
		// (nothing came over the wire); the body still has a size.
		out.BodyBytes = size
	}
	if sizeOK && encoded(out.Headers) {
		out.DecodedBytes = size
	}
	out.BodyPreview = bodyPreview(&rs.Content, preview)
	if x.ServerTiming != nil {
		for _, m := range x.ServerTiming.items {
			st := trace.ServerTiming{Name: string(m.Name), Description: string(m.Description)}
			st.Duration, st.HasDuration = duration(m.DurationMS)
			out.ServerTiming = append(out.ServerTiming, st)
		}
	} else {
		out.ServerTiming = trace.ParseServerTiming(headerValues(out.Headers, "Server-Timing"))
	}
	return out
}

// bodyPreview is the start of content.text (at most preview bytes),
// base64-decoded if need be.
func bodyPreview(c *content, preview int) []byte {
	text := string(c.Text)
	if text == "" {
		return nil
	}
	if strings.EqualFold(string(c.Encoding), "base64") {
		// Decode only what the preview keeps: 4 characters per 3 bytes.
		text = strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' {
				return -1
			}
			return r
		}, text[:min(len(text), (preview/3+1)*4+1024)])
		text = text[:len(text)/4*4]
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil
		}
		return b[:min(len(b), preview)]
	}
	return []byte(text[:min(len(text), preview)])
}

// encoded says whether a Content-Encoding other than identity applies.
func encoded(hs []trace.Header) bool {
	for _, v := range headerValues(hs, "Content-Encoding") {
		if v = strings.TrimSpace(v); v != "" && !strings.EqualFold(v, "identity") {
			return true
		}
	}
	return false
}

func headerValues(hs []trace.Header, name string) []string {
	var out []string
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			out = append(out, h.Value)
		}
	}
	return out
}

// headersOf keeps header lines in order, without HTTP/2 pseudo-headers
// (Chrome lists :method, :path, ...) or nameless lines; a Set-Cookie value
// holding several cookies one per line (as some exports merge them) is
// split back.
func headersOf(hs []header) []trace.Header {
	out := make([]trace.Header, 0, len(hs))
	for _, h := range hs {
		name := strings.TrimSpace(string(h.Name))
		if name == "" || name[0] == ':' {
			continue
		}
		if strings.EqualFold(name, "Set-Cookie") && strings.Contains(string(h.Value), "\n") {
			for _, v := range strings.Split(string(h.Value), "\n") {
				if v = strings.TrimSpace(v); v != "" {
					out = append(out, trace.Header{Name: name, Value: v})
				}
			}
			continue
		}
		out = append(out, trace.Header{Name: name, Value: string(h.Value)})
	}
	return out
}

// proto spells the HTTP version the way the engine does.
func proto(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "http/1.1":
		return "HTTP/1.1"
	case "http/1.0":
		return "HTTP/1.0"
	case "h2", "http/2", "http/2.0", "h2c":
		return "HTTP/2.0"
	case "h3", "http/3", "http/3.0", "h3-29":
		return "HTTP/3.0"
	}
	return v
}

// duration reads milliseconds; ok is false for absent, negative (-1: did
// not apply) or absurd values.
func duration(n lnum) (time.Duration, bool) {
	if !n.ok || n.v < 0 || n.v > maxMS {
		return 0, false
	}
	return time.Duration(math.Round(n.v * float64(time.Millisecond))), true
}

// timingsOf lays HAR's phases end to end from the entry's start: blocked
// (not a phase of ours, so only a gap), dns, connect without ssl, ssl,
// send, wait, receive. A request without a response has no send, wait or
// receive even when the HAR says 0 (Chrome's failed requests).
func timingsOf(e *entry, answered bool) trace.Timings {
	t := &e.Timings
	var out trace.Timings
	at := time.Duration(0)
	span := func(d time.Duration) *trace.Span {
		s := &trace.Span{Start: at, Duration: d}
		at += d
		return s
	}
	if d, ok := duration(t.Blocked); ok {
		at += d
	}
	if d, ok := duration(t.DNS); ok {
		out.DNS = span(d)
	}
	conn, connOK := duration(t.Connect)
	ssl, sslOK := duration(t.SSL)
	switch {
	case connOK && isH3(e):
		// Chrome exports an HTTP/3 request's QUIC handshake as connect,
		// with ssl the same span: one phase, as the engine measures it.
		out.QUIC = span(conn)
	case connOK && sslOK && ssl <= conn:
		out.Connect = span(conn - ssl)
		out.TLS = span(ssl)
	case connOK && sslOK: // ssl not counted in connect, against HAR 1.2
		out.Connect = span(conn)
		out.TLS = span(ssl)
	case connOK:
		out.Connect = span(conn)
	case sslOK:
		out.TLS = span(ssl)
	}
	for _, p := range []struct {
		n   lnum
		dst **trace.Span
	}{{t.Send, &out.Send}, {t.Wait, &out.Wait}, {t.Receive, &out.Receive}} {
		if d, ok := duration(p.n); ok && (answered || d > 0) {
			*p.dst = span(d)
		}
	}
	out.Total = at
	if d, ok := duration(e.Time); ok && d > out.Total {
		out.Total = d
	}
	return out
}

// isH3 reports whether the entry went over HTTP/3.
func isH3(e *entry) bool {
	return proto(string(e.Response.HTTPVersion)) == "HTTP/3.0" || proto(string(e.Request.HTTPVersion)) == "HTTP/3.0"
}

// placeExactly places the phases at the offsets reqtrace measured and
// recorded in _reqtrace (HAR's own fields lose the gaps between phases),
// with HAR's durations. A phase whose offset is null did not take place.
func placeExactly(t *trace.Timings, e *entry, x *extras) {
	ht, o := &e.Timings, x.Offsets
	tcp, tcpOK := duration(ht.Connect)
	ssl, sslOK := duration(ht.SSL)
	if tcpOK && sslOK && ssl <= tcp {
		tcp -= ssl
	}
	*t = trace.Timings{}
	for _, p := range []struct {
		at  lnum
		dur lnum
		dst **trace.Span
	}{
		{o.DNS, ht.DNS, &t.DNS}, {o.Connect, ht.Connect, &t.Connect}, {o.TLS, ht.SSL, &t.TLS},
		{o.Send, ht.Send, &t.Send}, {o.Wait, ht.Wait, &t.Wait}, {o.Receive, ht.Receive, &t.Receive},
	} {
		start, ok := duration(p.at)
		d, dOK := duration(p.dur)
		switch {
		case !ok || !dOK:
			continue
		case p.dst == &t.Connect:
			d = tcp
		}
		*p.dst = &trace.Span{Start: start, Duration: d}
	}
	if start, ok := duration(o.QUIC); ok {
		// HTTP/3: connect and ssl are both the QUIC handshake, as Chrome
		// exports them; TCP and TLS did not take place.
		if d, ok := duration(ht.Connect); ok {
			t.QUIC = &trace.Span{Start: start, Duration: d}
		}
	}
	if d, ok := duration(x.TotalMS); ok {
		t.Total = d
	} else if d, ok := duration(e.Time); ok {
		t.Total = d
	}
	for _, s := range []*trace.Span{t.DNS, t.Connect, t.QUIC, t.TLS, t.Send, t.Wait, t.Receive} {
		if s != nil && s.End() > t.Total {
			t.Total = s.End()
		}
	}
	if len(x.Skipped) > 0 {
		t.Skipped = map[string]string(x.Skipped)
	}
}

// infer fills in, for a HAR without _reqtrace, the sections a browser's
// timings imply: a DNS lookup, a connection (new or reused), a handshake,
// and why the phases that did not happen were skipped.
func infer(h *trace.Hop, e *entry, pu *url.URL) {
	t := &h.Timings
	host, port, scheme := "", "", ""
	if pu != nil {
		host, port, scheme = pu.Hostname(), pu.Port(), strings.ToLower(pu.Scheme)
	}
	if port == "" {
		port = map[string]string{"http": "80", "ws": "80", "https": "443", "wss": "443"}[scheme]
	}
	ip := serverIP(string(e.ServerIPAddress))
	addr := ""
	if ip != "" && port != "" {
		addr = net.JoinHostPort(ip, port)
	}
	cached := string(e.FromCache)
	reused := t.Connect == nil && t.TLS == nil && t.QUIC == nil && h.Response != nil && cached == "" && addr != ""
	if t.DNS != nil && h.DNS == nil {
		h.DNS = &trace.DNS{Host: host, Duration: t.DNS.Duration}
		if ip != "" {
			h.DNS.Addresses = []string{ip}
		}
	}
	switch {
	case h.Connect != nil:
	case t.Connect != nil:
		h.Connect = &trace.Connect{Address: addr, Duration: t.Connect.Duration}
	case t.QUIC != nil:
		h.Connect = &trace.Connect{Address: addr, Transport: "udp", Duration: t.QUIC.Duration}
	case reused:
		h.Connect = &trace.Connect{Address: addr, Reused: true}
	}
	if hs := cmp.Or(t.TLS, t.QUIC); hs != nil && h.TLS == nil {
		h.TLS = &trace.TLS{Duration: hs.Duration}
		if _, err := netip.ParseAddr(host); err != nil {
			h.TLS.ServerName = host
		}
		switch hopProto(h) {
		case "HTTP/3.0":
			h.TLS.ALPN, h.TLS.Version = "h3", "TLS 1.3"
		case "HTTP/2.0":
			h.TLS.ALPN = "h2"
		case "HTTP/1.1":
			h.TLS.ALPN = "http/1.1"
		}
	}
	if h.Response == nil {
		return // a failed request: the error says where it stopped
	}
	skip := func(phase, why string) {
		if t.Skipped == nil {
			t.Skipped = map[string]string{}
		}
		t.Skipped[phase] = why
	}
	switch {
	case cached != "":
		why := "served from the browser's " + cached + " cache"
		for _, p := range []string{trace.PhaseDNS, trace.PhaseConnect, trace.PhaseTLS} {
			skip(p, why)
		}
		return
	case reused:
		why := "the browser reused a connection"
		skip(trace.PhaseDNS, why)
		skip(trace.PhaseConnect, why)
		if scheme != "http" {
			skip(trace.PhaseTLS, why)
		}
	}
	if t.QUIC != nil {
		skip(trace.PhaseConnect, "HTTP/3 runs over QUIC (UDP): the QUIC handshake replaces TCP's connect and TLS's")
		skip(trace.PhaseTLS, "the TLS 1.3 handshake runs inside the QUIC handshake")
	}
	if t.DNS == nil && (t.Connect != nil || t.QUIC != nil) {
		if _, err := netip.ParseAddr(host); err == nil {
			skip(trace.PhaseDNS, "the URL's host is an IP address")
		} else {
			skip(trace.PhaseDNS, "the HAR has no DNS time (the browser knew the address)")
		}
	}
	if t.TLS == nil && scheme == "http" {
		skip(trace.PhaseTLS, "plain http:// has no TLS")
	} else if t.TLS == nil && t.Connect != nil {
		skip(trace.PhaseTLS, "the HAR has no TLS time")
	}
}

func hopProto(h *trace.Hop) string {
	if h.Response != nil && h.Response.Proto != "" {
		return h.Response.Proto
	}
	return h.Request.Proto
}

// serverIP reads serverIPAddress, which Chrome writes in brackets for IPv6.
func serverIP(s string) string {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return ip.String()
}

func infosOf(xs []xInfo) []trace.Informational {
	var out []trace.Informational
	for _, x := range xs {
		status, ok := x.Status.count(199)
		if !ok || status < 100 {
			continue
		}
		at, _ := duration(x.AtMS)
		out = append(out, trace.Informational{Status: int(status), Headers: headersOf(x.Headers.items), At: at})
	}
	return out
}

func dnsOf(x *xDNS) *trace.DNS {
	if x == nil {
		return nil
	}
	d := &trace.DNS{
		Host: string(x.Host), HostUnicode: string(x.HostUni), Name: string(x.Name), Server: string(x.Server), Source: string(x.Source),
		Rcode: string(x.Rcode), Addresses: strs(x.Addresses.items),
	}
	d.Duration, _ = duration(x.DurationMS)
	d.Records = recordsOf(x.Records.items)
	d.Authority = recordsOf(x.Authority.items)
	if ttl, ok := x.NegTTL.count(math.MaxUint32); ok {
		t := uint32(ttl)
		d.NegativeTTL = &t
	}
	for _, q := range x.Queries.items {
		answers, _ := q.Answers.count(math.MaxInt32)
		tq := trace.Query{
			Name: string(q.Name), Type: string(q.Type), Server: string(q.Server), Transport: string(q.Transport),
			Rcode: string(q.Rcode), Truncated: q.Truncated, Flags: string(q.Flags), Answers: int(answers), Err: string(q.Error),
		}
		tq.Start, _ = duration(q.StartMS)
		tq.Duration, _ = duration(q.DurationMS)
		d.Queries = append(d.Queries, tq)
	}
	for _, t := range x.Tried.items {
		nt := trace.NameTried{Name: string(t.Name), Server: string(t.Server), Rcode: string(t.Rcode),
			Authority: recordsOf(t.Authority.items), Err: string(t.Error)}
		if ttl, ok := t.NegTTL.count(math.MaxUint32); ok {
			v := uint32(ttl)
			nt.NegativeTTL = &v
		}
		nt.Start, _ = duration(t.StartMS)
		nt.Duration, _ = duration(t.DurationMS)
		d.Tried = append(d.Tried, nt)
	}
	d.HTTPSName, d.HTTPSErr = string(x.HTTPSName), string(x.HTTPSError)
	for _, h := range x.HTTPS.items {
		ttl, _ := h.TTL.count(math.MaxUint32)
		prio, _ := h.Priority.count(math.MaxUint16)
		port, _ := h.Port.count(65535)
		d.HTTPS = append(d.HTTPS, trace.HTTPSRecord{Name: string(h.Name), TTL: uint32(ttl), Priority: uint16(prio), Target: string(h.Target),
			ALPN: strs(h.ALPN.items), NoDefaultALPN: h.NoDefaultALPN, Port: int(port), IPv4Hint: strs(h.IPv4Hint.items),
			IPv6Hint: strs(h.IPv6Hint.items), ECH: h.ECH, Via: string(h.Via)})
	}
	return d
}

func recordsOf(xs []xRecord) []trace.Record {
	var out []trace.Record
	for _, r := range xs {
		ttl, _ := r.TTL.count(math.MaxUint32)
		out = append(out, trace.Record{Name: string(r.Name), Type: string(r.Type), TTL: uint32(ttl), Value: string(r.Value)})
	}
	return out
}

func connectOf(x *xConnect) *trace.Connect {
	if x == nil {
		return nil
	}
	c := &trace.Connect{Address: string(x.Address), Local: string(x.LocalAddress), Reused: x.Reused, Via: string(x.Via)}
	c.Duration, _ = duration(x.DurationMS)
	for _, a := range x.Attempts.items {
		ta := trace.Attempt{Address: string(a.Address), Err: string(a.Error)}
		if a.Transport == "udp" { // "tcp" and "unix" are the default's
			ta.Transport = "udp"
		}
		ta.Start, _ = duration(a.StartMS)
		ta.Duration, _ = duration(a.DurationMS)
		c.Attempts = append(c.Attempts, ta)
	}
	return c
}

func quicOf(x *xQUIC) *trace.QUIC {
	if x == nil {
		return nil
	}
	q := &trace.QUIC{Version: string(x.Version), Used0RTT: x.Used0RTT, Datagrams: x.Datagrams,
		PacketsSent: count(x.PacketsSent), PacketsLost: count(x.PacketsLost), Retries: int(min(count(x.Retries), 1<<20))}
	q.MinRTT, _ = duration(x.MinRTTMS)
	q.SmoothedRTT, _ = duration(x.SmoothedRTTMS)
	if p := x.Peer; p != nil {
		q.Peer = &trace.QUICParams{MaxStreamsBidi: int64(min(count(p.MaxStreamsBidi), 1<<60)), MaxStreamsUni: int64(min(count(p.MaxStreamsUni), 1<<60)),
			MaxData: count(p.MaxData), MaxUDPPayload: count(p.MaxUDPPayload), MaxDatagramFrame: count(p.MaxDatagramFrame),
			ActiveConnIDLimit: count(p.ActiveConnIDLimit), DisableMigration: p.DisableMigration}
		q.Peer.IdleTimeout, _ = duration(p.IdleTimeoutMS)
	}
	return q
}

// count reads a non-negative whole number; 0 for anything else.
func count(n lnum) uint64 {
	if !n.ok || n.v < 0 || n.v > 1<<62 {
		return 0
	}
	return uint64(n.v)
}

func tlsOf(x *xTLS) *trace.TLS {
	if x == nil {
		return nil
	}
	t := &trace.TLS{
		Version: string(x.Version), CipherSuite: string(x.CipherSuite), ALPN: string(x.ALPN),
		Group: string(x.Group), ServerName: string(x.ServerName), Resumed: x.Resumed,
		OCSPStapled: x.OCSPStapled, Verified: x.Verified, VerifyError: string(x.VerifyError),
		Verify: trace.VerifyReason(x.VerifyReason),
	}
	t.Duration, _ = duration(x.DurationMS)
	for _, c := range x.Certificates.items {
		tc := trace.Certificate{
			Subject: string(c.Subject), Issuer: string(c.Issuer),
			DNSNames: strs(c.DNSNames.items), IPAddresses: strs(c.IPAddresses.items),
			SerialNumber: string(c.Serial), SignatureAlgorithm: string(c.SignatureAlgorithm),
			PublicKey: string(c.PublicKey), IsCA: c.IsCA,
		}
		tc.NotBefore, _ = parseTime(string(c.NotBefore))
		tc.NotAfter, _ = parseTime(string(c.NotAfter))
		t.Certificates = append(t.Certificates, tc)
	}
	return t
}

func strs(xs []lstr) []string {
	if len(xs) == 0 {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func errorOf(x *xError) *trace.Error {
	if x == nil || (x.Message == "" && x.Kind == "") {
		return nil
	}
	return &trace.Error{Phase: string(x.Phase), Kind: string(x.Kind), Message: string(x.Message), Hint: string(x.Hint)}
}

func fallbackOf(x *xFallback) *trace.Fallback {
	if x == nil {
		return nil
	}
	f := &trace.Fallback{Reason: string(x.Reason), Message: string(x.Message), Address: string(x.Address), Err: errorOf(x.Error)}
	start, okStart := duration(x.StartMS)
	d, okDur := duration(x.DurationMS)
	if okStart && okDur {
		f.Span = &trace.Span{Start: start, Duration: d}
	}
	return f
}

func redirectOf(x *xRedirect) *trace.Redirect {
	return &trace.Redirect{
		Location: string(x.Location), Method: string(x.Method), KeepsBody: x.KeepsBody, Rule: string(x.Rule),
		CrossOrigin: x.CrossOrigin, Dropped: strs(x.Dropped.items), Followed: x.Followed,
	}
}

// inferRedirect reads a 3xx's redirectURL (or Location) as the engine
// would: resolved against the URL, with the browsers' method rule.
func inferRedirect(h *trace.Hop, pu *url.URL, redirectURL string) *trace.Redirect {
	rs := h.Response
	if rs == nil || rs.Status < 300 || rs.Status > 399 || pu == nil {
		return nil
	}
	loc := redirectURL
	if loc == "" {
		if vs := headerValues(rs.Headers, "Location"); len(vs) > 0 {
			loc = vs[0]
		}
	}
	if loc == "" {
		return nil
	}
	target, err := pu.Parse(loc)
	if err != nil {
		return &trace.Redirect{Location: loc}
	}
	target.Fragment, target.RawFragment = "", ""
	method := h.Request.Method
	rd := &trace.Redirect{Location: target.String(), Method: method, KeepsBody: h.Request.BodyBytes > 0}
	rd.CrossOrigin = !strings.EqualFold(target.Scheme, pu.Scheme) || !strings.EqualFold(target.Host, pu.Host)
	switch {
	case rs.Status == 303 && method != "HEAD":
		rd.Method, rd.KeepsBody = "GET", false
		rd.Rule = "303 See Other: the next request is a GET without a body"
	case (rs.Status == 301 || rs.Status == 302) && method == "POST":
		rd.Method, rd.KeepsBody = "GET", false
		rd.Rule = fmt.Sprintf("%d: browsers and curl turn a POST into a GET without a body (use 307/308 to keep it)", rs.Status)
	case rs.Status == 307 || rs.Status == 308:
		rd.Rule = fmt.Sprintf("%d: the next request repeats %s with the same body", rs.Status, method)
	default:
		rd.Rule = fmt.Sprintf("%d: the next request repeats %s", rs.Status, method)
	}
	return rd
}
