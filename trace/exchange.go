package trace

//lint:file-ignore SA1019 x/net/http2's Transport and ClientConn stay until net/http's HTTP/2 ClientConn is shown to keep every measured behaviour (header order, timings, 1xx, errors): issue 12 item 8.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http2"
)

const (
	previewBytes = 1024
	copyBuffer   = 64 << 10
)

// exchangeH1 sends the request and reads the response over HTTP/1.1,
// by hand, so that bytes on the wire give the phase boundaries. It
// reports whether the connection can carry another request.
func (h *hopRun) exchangeH1(ctx context.Context, c *conn) bool {
	headers := h.s.headers(h.req)
	method := h.req.method
	target := h.req.url.RequestURI()
	if c.forward != nil { // a proxy takes the whole URL (RFC 9112 section 3.2.2)
		abs := *h.req.url
		abs.User, abs.Fragment = nil, ""
		target = abs.String()
		if auth := proxyAuthorization(c.forward); auth != "" {
			headers = append(headers, Header{"Proxy-Authorization", auth})
		}
	}
	reqHead := writeRequestHead(method, target, headers)
	h.hop.Request = h.sentRequest("HTTP/1.1", headers, int64(len(reqHead)))
	h.hop.Request.Target = target

	h.setPhase(PhaseSend)
	sendStart := h.clock.since()
	if _, err := c.sc.Write(append(reqHead, h.req.body...)); err != nil {
		h.fail(ctx, nil, &Error{Kind: KindSend, Message: "sending the request failed: " + dialErrorText(err), Err: err,
			Hint: "the server closed the connection before the request was written; check its logs and request size limits"})
		return false
	}
	sent := h.clock.since()
	h.hop.Timings.Send = &Span{sendStart, sent - sendStart}

	h.setPhase(PhaseWait)
	start := c.sc.bytesRead() - int64(c.br.Buffered())
	head, at, ok := h.readFinalHead(ctx, c.sc, c.br)
	if !ok {
		return false
	}
	h.hop.Timings.Wait = &Span{sent, max(at-sent, 0)}
	h.hop.Response = &Response{Proto: head.proto, Status: head.status, Reason: head.reason,
		Headers: head.headers, HeadersCut: head.linesCut, ValuesCut: head.valuesCut, DecodedBytes: -1,
		HeadBytes: c.sc.bytesRead() - int64(c.br.Buffered()) - start}

	h.setPhase(PhaseReceive)
	body, want, err := bodyReader(method, head, c.br)
	if err != nil {
		h.fail(ctx, nil, badResponse(err))
		return false
	}
	h.receive(ctx, body, want, at)
	return h.hop.Err == nil && want != untilClose && keepAlive(head, headers)
}

// readFinalHead reads response heads until the final (non-1xx) one,
// recording each 1xx with its arrival time.
func (h *hopRun) readFinalHead(ctx context.Context, c *stampConn, br *bufio.Reader) (*respHead, time.Duration, bool) {
	start := c.bytesRead() // a reused connection has read before
	for {
		// Wait for the head's first byte and look up when it came now,
		// while its read is among the recent ones the log keeps.
		_, _ = br.Peek(1)
		off := c.bytesRead() - int64(br.Buffered())
		at, _ := c.arrival(off)
		head, err := readHead(br)
		if err != nil {
			h.fail(ctx, nil, headError(err, c.bytesRead() == start))
			return nil, 0, false
		}
		if head.status/100 != 1 || head.status == 101 {
			return head, at, true
		}
		if len(h.hop.Informational) == maxInformatonal {
			h.fail(ctx, nil, badResponse(fmt.Errorf("the server sent more than %d 1xx responses", maxInformatonal)))
			return nil, 0, false
		}
		h.hop.Informational = append(h.hop.Informational, Informational{Status: head.status, Headers: h.keepInformational(head.headers), At: at})
	}
}

func headError(err error, nothingRead bool) *Error {
	switch {
	case clientCertAlert(err):
		return clientCertError(err, PhaseWait, false)
	case isTimeout(err):
		return &Error{Kind: KindTimeout, Message: "timed out waiting for the response", Err: err}
	case nothingRead && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
		return &Error{Kind: KindEmptyReply, Err: err,
			Message: "the server closed the connection without sending a response",
			Hint:    "the server crashed, rejected the request, or expects another protocol (TLS on an http:// URL?)"}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Kind: KindReceive, Err: err,
			Message: "the server closed the connection in the middle of the response head",
			Hint:    "the server or a proxy in front of it dropped the connection; check their logs"}
	case errors.Is(err, errHeadLarge):
		return headTooLarge(err, "response head")
	case errors.Is(err, errNotHTTP), strings.HasPrefix(err.Error(), "malformed"):
		return badResponse(err)
	}
	return &Error{Kind: KindReceive, Message: "reading the response failed: " + dialErrorText(err), Err: err,
		Hint: "the connection broke while the response arrived; check the network and the server's logs"}
}

// headTooLarge is a valid but oversized head or trailer section: the
// server is not wrong about HTTP, it sends too much of it.
func headTooLarge(err error, what string) *Error {
	return &Error{Kind: KindBadResponse, Err: err,
		Message: fmt.Sprintf("the %s is larger than %d bytes: reqtrace reads no more", what, maxHeadBytes),
		Hint:    "the server sends too many or too large header fields (often cookies piling up); trim them at the server"}
}

func badResponse(err error) *Error {
	return &Error{Kind: KindBadResponse, Message: "the response is not valid HTTP: " + err.Error(), Err: err,
		Hint: "is this port speaking HTTP? a TLS port needs https://, and some services speak other protocols"}
}

// receive streams the body to the output, counting it and keeping a short
// preview; it never holds the body whole.
func (h *hopRun) receive(ctx context.Context, body io.Reader, want int64, firstByte time.Duration) {
	r := h.hop.Response
	r.ServerTiming = ParseServerTiming(headerValues(r.Headers, "Server-Timing"))
	wire := &countingReader{r: body}
	src, decoding := h.meter(wire, want), h.o.Compressed && decodable(r.Headers)
	if decoding {
		src = newDecoder(wire, headerValue(r.Headers, "Content-Encoding"))
	}
	sink := &bodySink{out: h.o.Output, keep: cmpInt(h.o.PreviewBytes, previewBytes)}
	if (h.o.FollowRedirects || h.o.SkipRedirectBody) && isRedirect(r.Status) && headerValue(r.Headers, "Location") != "" {
		sink.out = nil // as curl -L: a redirect's body is not the document; -o gets the last hop's
	}
	n, err := io.CopyBuffer(sink, src, make([]byte, copyBuffer))
	end := h.clock.since()
	h.hop.Timings.Receive = &Span{firstByte, max(end-firstByte, 0)}
	r.BodyBytes, r.BodyPreview = wire.n, sink.preview
	if decoding {
		r.DecodedBytes = n
	}
	if sink.out != nil && sink.err == nil {
		r.SavedTo = h.o.OutputName
	}
	switch {
	case sink.err != nil:
		h.fail(ctx, nil, &Error{Kind: KindWrite, Message: "writing the body failed: " + sink.err.Error(), Err: sink.err,
			Hint: "check that the -o file's folder exists, is writable and has room"})
	case isHTTP2Error(err):
		h.fail(ctx, nil, h2Error(err, PhaseReceive))
	case want > 0 && wire.n < want: // a LimitReader ends quietly when the connection does
		h.fail(ctx, nil, &Error{Kind: KindReceive, Err: err,
			Message: fmt.Sprintf("the connection ended after %d of %d body bytes", wire.n, want),
			Hint:    "the server or a proxy cut the transfer short; check their logs and timeouts"})
	case errors.As(err, new(*trailerError)) && errors.Is(err, errHeadLarge):
		h.fail(ctx, nil, headTooLarge(err, "trailer section after the chunked body"))
	case errors.As(err, new(*trailerError)):
		h.fail(ctx, nil, &Error{Kind: KindReceive, Err: err, Message: "the connection broke in the trailer section after the chunked body: " + dialErrorText(errors.Unwrap(err)),
			Hint: "the body arrived whole; the server or a proxy cut the trailers short"})
	case err != nil && wire.err == nil && decoding:
		h.fail(ctx, nil, &Error{Kind: KindBadEncoding, Err: err,
			Message: fmt.Sprintf("the %s body does not decode: %v", headerValue(r.Headers, "Content-Encoding"), err),
			Hint:    "the server labels the body with a Content-Encoding it does not have; drop --compressed to see the raw bytes"})
	case err != nil:
		h.fail(ctx, nil, &Error{Kind: KindReceive, Message: "receiving the body failed: " + dialErrorText(err), Err: err,
			Hint: "the connection broke during the transfer; check the network and the server's logs"})
	}
}

func cmpInt(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// countingReader counts the bytes read through it and keeps the error.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// bodySink writes the body to out and keeps its first bytes.
type bodySink struct {
	out     io.Writer
	keep    int
	preview []byte
	err     error // the output's error, kept apart from the network's
}

func (s *bodySink) Write(p []byte) (int, error) {
	if room := s.keep - len(s.preview); room > 0 {
		s.preview = append(s.preview, p[:min(room, len(p))]...)
	}
	if s.out != nil && s.err == nil {
		if _, err := s.out.Write(p); err != nil {
			s.err = err
			return 0, err
		}
	}
	return len(p), nil
}

// exchangeH2 sends the request over HTTP/2 with x/net/http2 on our own
// connection (net/http would not take a connection it did not dial), and
// times the exchange with its httptrace hooks. It reports whether the
// connection can carry another request.
func (h *hopRun) exchangeH2(ctx context.Context, c *conn) bool {
	all := h.s.headers(h.req)
	method := h.req.method
	h.hop.Request = h.sentRequest("HTTP/2.0", h2SentHeaders(all), headSize(method+" "+h.req.url.RequestURI()+" HTTP/2", all))

	h.setPhase(PhaseSend)
	sendStart := h.clock.since()
	if c.h2 == nil {
		t := &http2.Transport{DisableCompression: true, MaxHeaderListSize: maxHeadBytes}
		c.tap = newH2Tap(c.sc)
		cc, err := t.NewClientConn(c.tap)
		if err != nil {
			h.fail(ctx, nil, h2Error(err, PhaseSend))
			return false
		}
		c.h2 = cc
	}
	c.streams++
	stream := 2*c.streams - 1 // client streams are odd, opened in order
	defer c.tap.forget(stream)

	req := h.h2Request(ctx, all)
	if req == nil {
		return false
	}
	var sent, firstByte time.Duration = -1, -1
	var mu = &h.mu
	wrote := make(chan struct{})
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) {
			mu.Lock()
			defer mu.Unlock()
			if sent < 0 { // it may fire again for a retried request: keep the first
				sent, h.phase = h.clock.since(), PhaseWait
				h.o.emit(ProgressEvent{Kind: ProgressPhase, Phase: PhaseWait, At: sent})
				close(wrote)
			}
		},
		GotFirstResponseByte: func() {
			mu.Lock()
			firstByte = h.clock.since()
			mu.Unlock()
		},
		Got1xxResponse: func(code int, hdr textproto.MIMEHeader) error {
			at := h.clock.since()
			mu.Lock()
			defer mu.Unlock()
			if len(h.hop.Informational) < maxInformatonal {
				h.hop.Informational = append(h.hop.Informational, Informational{Status: code, Headers: h2Headers(http.Header(hdr)), At: at})
			}
			return nil
		},
	}))

	resp, err := c.h2.RoundTrip(req)
	got := h.clock.since()
	if err == nil {
		// The writer goroutine reports the write; the response may have
		// overtaken its report, never the write itself.
		select {
		case <-wrote:
		case <-time.After(time.Second):
		}
	}
	mu.Lock()
	sentAt, firstAt, informational := sent, firstByte, len(h.hop.Informational)
	mu.Unlock()
	if sentAt >= 0 {
		h.hop.Timings.Send = &Span{sendStart, sentAt - sendStart}
	}
	if err != nil {
		h.fail(ctx, nil, h2Error(err, h.currentPhase()))
		return false
	}
	defer resp.Body.Close()
	// The hook marks the first HEADERS frame; after a 1xx the final
	// response's head is the one RoundTrip returns with.
	final := firstAt
	if final < 0 || informational > 0 {
		final = got
	}
	if sentAt >= 0 {
		// No response byte, a 1xx's included, comes before the request
		// was written: the write's report can lag behind them.
		sentAt = min(sentAt, final)
		if firstAt >= 0 {
			sentAt = min(sentAt, firstAt)
		}
		h.hop.Timings.Send = &Span{sendStart, max(sentAt-sendStart, 0)}
		h.hop.Timings.Wait = &Span{sentAt, final - sentAt}
	}
	h.hop.Response = &Response{Proto: "HTTP/2.0", Status: resp.StatusCode, Headers: h2Headers(resp.Header), DecodedBytes: -1}
	h.orderH2Headers(c.tap, stream)
	h.capH2Headers()
	h.hop.Response.HeadBytes = h2HeadBytes(h.hop.Response.Status, h.hop.Response.Headers, h.hop.Informational)
	h.setPhase(PhaseReceive)
	var body io.Reader = resp.Body
	if method == "HEAD" {
		body = bytes.NewReader(nil)
	}
	h.receive(ctx, body, resp.ContentLength, final)
	return h.hop.Err == nil
}

// maxInformationalKept bounds the header bytes kept over all the 1xx
// responses of a hop: a flood of interim responses must not fill memory.
const maxInformationalKept = 64 << 10

// keepInformational keeps a 1xx response's headers while the hop's budget
// for them lasts; the status and arrival time are always kept.
func (h *hopRun) keepInformational(hs []Header) []Header {
	used := 0
	for _, in := range h.hop.Informational {
		for _, f := range in.Headers {
			used += len(f.Name) + len(f.Value)
		}
	}
	var kept []Header
	for _, f := range hs {
		if used += len(f.Name) + len(f.Value); used > maxInformationalKept {
			break
		}
		kept = append(kept, f)
	}
	return kept
}

// capH2Headers applies the caps HTTP/1.1 heads get while they are read.
func (h *hopRun) capH2Headers() {
	r := h.hop.Response
	k := keepAll(r.Headers)
	r.Headers, r.HeadersCut, r.ValuesCut = k.headers, k.linesCut, k.valuesCut
	h.mu.Lock()
	defer h.mu.Unlock()
	infos := h.hop.Informational
	h.hop.Informational = nil
	for _, in := range infos {
		in.Headers = h.keepInformational(keepAll(in.Headers).headers)
		h.hop.Informational = append(h.hop.Informational, in)
	}
}

// orderH2Headers replaces the map-ordered headers with the order the tap
// saw on the wire. The tap has read the block before RoundTrip returned.
func (h *hopRun) orderH2Headers(tap *h2Tap, stream uint32) {
	infos, final, ok := tap.response(stream, h.hop.Response.Status)
	if !ok {
		return
	}
	h.hop.Response.Headers = final.headers
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(infos) == len(h.hop.Informational) {
		for i := range infos {
			h.hop.Informational[i].Headers = infos[i].headers
		}
	}
}

// sentRequest records the request as sent; the body preview is what HAR
// calls postData.
func (h *hopRun) sentRequest(proto string, headers []Header, headBytes int64) Request {
	body := h.req.body
	return Request{Method: h.req.method, Target: h.req.url.RequestURI(), Proto: proto, Headers: headers,
		HeadBytes: headBytes, BodyBytes: int64(len(body)), BodyPreview: body[:min(len(body), maxBodyPreviewSent)]}
}

// maxBodyPreviewSent caps the copy of the request body kept in the Result.
const maxBodyPreviewSent = 64 << 10

// h2HeadBytes counts HTTP/2 response heads as HTTP/1.1 would write them,
// the way curl's size_header does.
func h2HeadBytes(status int, hs []Header, infos []Informational) int64 {
	n := headSize("HTTP/2 "+strconv.Itoa(status), hs)
	for _, in := range infos {
		n += headSize("HTTP/2 "+strconv.Itoa(in.Status), in.Headers)
	}
	return n
}

// h2Request builds the net/http request x/net/http2 sends.
func (h *hopRun) h2Request(ctx context.Context, all []Header) *http.Request {
	req, err := http.NewRequestWithContext(ctx, h.req.method, h.req.url.String(), bytes.NewReader(h.req.body))
	if err != nil {
		h.fail(ctx, nil, asError(BadInput("cannot build the request: %v", err), PhaseInput))
		return nil
	}
	req.ContentLength = int64(len(h.req.body))
	if h.req.body == nil {
		req.Body = http.NoBody
	}
	authority := hostHeader(h.req.url)
	for _, f := range all {
		switch {
		case strings.EqualFold(f.Name, "Host"):
			authority = f.Value
		case strings.EqualFold(f.Name, "Content-Length"):
		default:
			req.Header[f.Name] = append(req.Header[f.Name], f.Value)
		}
	}
	if _, ok := req.Header["User-Agent"]; !ok {
		req.Header["User-Agent"] = []string{""} // removed with -H 'User-Agent:': send none
	}
	req.Host = authority
	return req
}

// h2SentHeaders lists the fields as HTTP/2 sends them: lower-case names,
// with Host carried in the :authority pseudo-header (not listed).
func h2SentHeaders(all []Header) []Header {
	var out []Header
	for _, f := range all {
		if strings.EqualFold(f.Name, "Host") {
			continue
		}
		if strings.EqualFold(f.Name, "User-Agent") && f.Value == "" {
			continue
		}
		out = append(out, Header{strings.ToLower(f.Name), f.Value})
	}
	return out
}

// h2Headers lists a decoded header map as HTTP/2 spells it (lower case),
// sorted by name: the fallback when the tap could not recover the order.
func h2Headers(hdr http.Header) []Header {
	names := make([]string, 0, len(hdr))
	for k := range hdr {
		names = append(names, k)
	}
	slices.Sort(names)
	var out []Header
	for _, k := range names {
		for _, v := range hdr[k] {
			out = append(out, Header{strings.ToLower(k), v})
		}
	}
	return out
}

// isHTTP2Error reports whether the HTTP/2 layer ended the exchange: a
// stream reset or a GOAWAY.
func isHTTP2Error(err error) bool {
	var se http2.StreamError
	var ga http2.GoAwayError
	return errors.As(err, &se) || errors.As(err, &ga) || err != nil && strings.Contains(err.Error(), "http2: ")
}

func h2Error(err error, phase string) *Error {
	if clientCertAlert(err) {
		return clientCertError(err, phase, false)
	}
	if isTimeout(err) {
		return &Error{Phase: phase, Kind: KindTimeout, Message: "timed out over HTTP/2", Err: err}
	}
	var se http2.StreamError
	var ga http2.GoAwayError
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		msg = fmt.Sprintf("the server reset the HTTP/2 stream (%s)", se.Code)
	case errors.As(err, &ga):
		msg = fmt.Sprintf("the server closed the HTTP/2 connection with GOAWAY (%s)", ga.ErrCode)
	}
	return &Error{Phase: phase, Kind: KindHTTP2, Message: msg, Err: err,
		Hint: "the server ended the HTTP/2 exchange; retry with --http1.1 to compare, and check the server's logs"}
}
