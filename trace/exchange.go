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
	"sync"
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
	headers, expect := h.expectContinue(headers)
	reqHead := writeRequestHead(method, target, headers, h.o.Headers)
	h.hop.Request = h.sentRequest("HTTP/1.1", headers, int64(len(reqHead)))
	h.hop.Request.Target = target

	h.setPhase(PhaseSend)
	sendStart := h.readyAt()
	first, held := append(reqHead, h.req.body...), []byte(nil)
	if expect { // the body waits for the server's 100 Continue
		first, held = reqHead, h.req.body
	}
	if !h.write(ctx, c, first) {
		return false
	}
	sent := h.clock.since()
	h.hop.Timings.Send = &Span{sendStart, sent - sendStart}

	h.setPhase(PhaseWait)
	start := c.sc.bytesRead() - int64(c.br.Buffered())
	var sendHeld func() bool
	if held != nil {
		sendHeld = func() bool {
			h.setPhase(PhaseSend)
			if !h.write(ctx, c, held) {
				return false
			}
			sent, held = h.clock.since(), nil
			h.hop.Timings.Send = &Span{sendStart, sent - sendStart}
			h.setPhase(PhaseWait)
			return true
		}
	}
	head, at, ok := h.readFinalHead(ctx, c.sc, c.br, sendHeld)
	if !ok {
		return false
	}
	if held != nil { // the server answered without waiting for the body
		h.hop.Request.BodyBytes = 0
	}
	h.hop.Timings.Wait = &Span{sent, max(at-sent, 0)}
	h.hop.Response = &Response{Proto: head.proto, Status: head.status, Reason: head.reason, StatusLine: head.line,
		Headers: head.headers, HeadersCut: head.linesCut, ValuesCut: head.valuesCut, DecodedBytes: -1,
		HeadBytes: c.sc.bytesRead() - int64(c.br.Buffered()) - start + h.tunnelHeadBytes()}

	h.setPhase(PhaseReceive)
	body, want, err := bodyReader(method, head, c.br)
	if err != nil {
		e := badResponse(err)
		if strings.Contains(err.Error(), "Content-Length") {
			e.Hint = "Content-Length must be digits only, and repeats must agree (RFC 9110 section 8.6); the server or a proxy in front of it sends a bad one"
		}
		h.fail(ctx, nil, e)
		return false
	}
	h.receive(ctx, body, want, at)
	if cb, ok := body.(*chunkedBody); ok {
		h.hop.Response.Trailers = cb.trailers.headers
	}
	return h.hop.Err == nil && want != untilClose && keepAlive(head, headers) && held == nil
}

// write sends p on the connection, failing the hop when it cannot.
func (h *hopRun) write(ctx context.Context, c *conn, p []byte) bool {
	if _, err := c.sc.Write(p); err != nil {
		h.fail(ctx, nil, &Error{Kind: KindSend, Message: "sending the request failed: " + dialErrorText(err), Err: err,
			Hint: "the server closed the connection before the request was written; check its logs and request size limits"})
		return false
	}
	return true
}

// Expect: 100-continue, as curl 7.88 sends it over HTTP/1.1: for a -T
// upload that is not empty, and for -d/-F data over 1 MiB. The body waits
// for the 100, or expectWait without any answer (curl's
// --expect100-timeout default).
const (
	expectDataOver = 1 << 20
	expectWait     = time.Second
)

// expectContinue adds Expect: 100-continue where curl would (a -H Expect
// of the user's replaces or removes it) and reports whether the body is
// to wait for the server's 100.
func (h *hopRun) expectContinue(hs []Header) ([]Header, bool) {
	body := h.req.body
	if len(body) == 0 {
		return hs, false
	}
	if v := headerValue(hs, "Expect"); v != "" {
		return hs, strings.EqualFold(v, "100-continue")
	}
	if h.o.removes("Expect") || !h.req.upload && len(body) <= expectDataOver {
		return hs, false
	}
	return append(hs, Header{"Expect", "100-continue"}), true
}

// readyAt is when the connection was ready for the request: the end of
// the last connection phase, or the hop's start (or the end of its wait
// for a connection) on a reused connection.
// The send phase starts there, so that the phases add up to the total.
func (h *hopRun) readyAt() time.Duration {
	var at time.Duration
	tm := h.hop.Timings
	for _, s := range []*Span{tm.Blocked, tm.DNS, tm.Connect, tm.Proxy, tm.TLS} {
		if s != nil {
			at = max(at, s.End())
		}
	}
	return at
}

// readFinalHead reads response heads until the final (non-1xx) one,
// recording each 1xx with its arrival time.
//
// sendHeld, when not nil, sends a body held back for Expect:
// 100-continue: it runs when the 100 arrives, or when expectWait passes
// without any answer; a final answer before then means it is not sent.
func (h *hopRun) readFinalHead(ctx context.Context, c *stampConn, br *bufio.Reader, sendHeld func() bool) (*respHead, time.Duration, bool) {
	start := c.bytesRead() // a reused connection has read before
	for {
		if sendHeld != nil && !h.answerWithin(ctx, c, br, expectWait) {
			if !sendHeld() {
				return nil, 0, false
			}
			sendHeld = nil
		}
		// Wait for the head's first byte and look up when it came now,
		// while its read is among the recent ones the log keeps.
		_, _ = br.Peek(1)
		off := c.bytesRead() - int64(br.Buffered())
		at, _ := c.arrival(off)
		head, err := readHead(br)
		if err != nil {
			h.headPartial = c.bytesRead() - off
			h.fail(ctx, nil, headError(err, c.bytesRead() == start))
			return nil, 0, false
		}
		if head.status/100 != 1 || head.status == 101 {
			return head, at, true
		}
		if len(h.hop.Informational) == maxInformatonal {
			h.fail(ctx, nil, tooManyInformational())
			return nil, 0, false
		}
		h.hop.Informational = append(h.hop.Informational, Informational{Status: head.status, Reason: head.reason, StatusLine: head.line,
			Headers: h.keepInformational(head.headers), At: at})
		h.emitInformational()
		if head.status == 100 && sendHeld != nil {
			if !sendHeld() {
				return nil, 0, false
			}
			sendHeld = nil
		}
	}
}

// answerWithin reports whether the server's answer begins within d.
// -m still bounds the wait: once ctx is done the deadline stays past.
func (h *hopRun) answerWithin(ctx context.Context, c *stampConn, br *bufio.Reader, d time.Duration) bool {
	if br.Buffered() > 0 {
		return true
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		d = max(time.Until(dl), 0)
	}
	c.SetReadDeadline(time.Now().Add(d))
	_, err := br.Peek(1)
	c.SetReadDeadline(time.Time{})
	if ctx.Err() != nil {
		c.SetDeadline(time.Unix(1, 0))
		return true // let the read report the time limit
	}
	return !isTimeout(err)
}

var errTooManyInformational = fmt.Errorf("the server sent more than %d 1xx responses", maxInformatonal)

// tooManyInformational ends a hop whose server sends interim responses
// without end, over HTTP/1.1 and HTTP/2 alike.
func tooManyInformational() *Error {
	return &Error{Kind: KindBadResponse, Err: errTooManyInformational,
		Message: fmt.Sprintf("the server sent more than %d 1xx responses before the final one: reqtrace reads no more", maxInformatonal),
		Hint: fmt.Sprintf("the server sent %d interim (1xx) responses without a response; it loops on 100 Continue or 103 Early Hints: check it",
			maxInformatonal+1)}
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
	if h.o.SkipErrorBody && r.Status >= 400 {
		sink.out = nil // as curl -f: an error page is not written to -o
	}
	n, err := io.CopyBuffer(sink, src, make([]byte, copyBuffer))
	end := h.clock.since()
	h.hop.Timings.Receive = &Span{firstByte, max(end-firstByte, 0)}
	r.BodyBytes, r.BodyPreview = wire.n, sink.preview
	if h.o.OnResponse != nil {
		h.o.OnResponse(h.req.url, r)
	}
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
	case isQUICError(err):
		e := h3Error(err, PhaseReceive)
		e.Message += fmt.Sprintf(" (after %d body bytes)", wire.n)
		h.fail(ctx, nil, e)
	case want > 0 && wire.n < want: // a LimitReader ends quietly when the connection does
		h.fail(ctx, nil, &Error{Kind: KindReceive, Err: err,
			Message: fmt.Sprintf("the connection ended after %d of %d body bytes", wire.n, want),
			Hint:    "the server or a proxy cut the transfer short; check their logs and timeouts"})
	case errors.As(err, new(*chunkError)):
		h.fail(ctx, nil, &Error{Kind: KindReceive, Err: err,
			Message: fmt.Sprintf("the chunked encoding of the body is broken after %d bytes: %v", wire.n, err),
			Hint:    "the server (or a proxy in front of it) sends malformed chunks; each is a hex size line, CRLF, the data and CRLF (RFC 9112 section 7.1); curl fails the same way (exit 56)"})
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

// startH2 starts the HTTP/2 client on the connection, once; fail is
// called when it cannot.
func (c *conn) startH2(fail func(error)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h2 != nil {
		return true
	}
	t := &http2.Transport{DisableCompression: true, MaxHeaderListSize: maxHeadBytes}
	c.tap = newH2Tap(c.sc)
	cc, err := t.NewClientConn(c.tap)
	if err != nil {
		fail(err)
		return false
	}
	c.h2 = cc
	return true
}

// Why x/net's deprecated ClientConn stays (issue 12 item 8, evaluated
// against Go 1.26's http.Transport.NewClientConn, net/http/clientconn.go):
// net/http dials itself; our connection gets in only through a dialer
// hook, and over TLS it picks HTTP/2 only when that hook returns a bare
// *tls.Conn (transport.go dialConn reads ALPN from it), so the frame tap
// that gives the header order as received would be gone; it needs
// ForceAttemptHTTP2 with a custom dialer; and the bundled HTTP/2's stream,
// GOAWAY and connection errors are unexported types, so a reset, a GOAWAY
// and a frame-size error could only be told apart by parsing messages.
// The httptrace hooks (WroteRequest, GotFirstResponseByte, Got1xxResponse
// with 103) exist in both. Re-evaluate when net/http exports those.
// exchangeH2 sends the request over HTTP/2 with x/net/http2 on our own
// connection (net/http would not take a connection it did not dial), and
// times the exchange with its httptrace hooks. It reports whether the
// connection can carry another request.
func (h *hopRun) exchangeH2(ctx context.Context, c *conn) bool {
	all := h.s.headers(h.req)
	method := h.req.method
	h.hop.Request = h.sentRequest("HTTP/2.0", h2SentHeaders(all), headSize(method+" "+h.req.url.RequestURI()+" HTTP/2", all))

	h.setPhase(PhaseSend)
	sendStart := h.readyAt()
	if !c.startH2(func(err error) { h.fail(ctx, nil, h2Error(err, PhaseSend)) }) {
		return false
	}
	req := h.h2Request(ctx, all)
	if req == nil {
		return false
	}
	// Only the opening of the stream is serialised on the connection: from
	// before RoundTrip until its HEADERS frame is written (or RoundTrip
	// fails), so that the tap knows the stream x/net gave this hop.
	c.opening.Lock()
	st := c.tap.open()
	var stream uint32
	opened := sync.OnceFunc(func() {
		stream = c.tap.settle(st)
		c.opening.Unlock()
	})
	defer func() {
		opened()
		c.tap.forget(stream)
	}()
	var sent, firstByte time.Duration = -1, -1
	var mu = &h.mu
	wrote := make(chan struct{})
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteHeaders: opened,
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
			if len(h.hop.Informational) == maxInformatonal {
				return errTooManyInformational // x/net has no bound of its own: it resets the stream
			}
			h.hop.Informational = append(h.hop.Informational, Informational{Status: code, Headers: h2Headers(http.Header(hdr)), At: at})
			h.emitInformational()
			return nil
		},
	}))

	resp, err := c.h2.RoundTrip(req)
	got := h.clock.since()
	opened()
	h.hop.Stream = stream
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
		h.headPartial = c.tap.partialHead(stream)
		e := h2Error(c.tap.explain(stream, err), h.currentPhase())
		// x/net says "frame too large" for an HTTP/1.1 answer, or only that
		// the connection broke when the server closed it right after: the
		// tap saw which bytes came.
		if http1Answer(err) || c.tap.spokeHTTP1() {
			e = http1AnswerError(h.currentPhase(), c.h2c, err)
		}
		h.fail(ctx, nil, e)
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
	h.hop.Response.HeadBytes = h2HeadBytes(h.hop.Response.Status, h.hop.Response.Headers, h.hop.Informational) + h.tunnelHeadBytes()
	h.setPhase(PhaseReceive)
	var body io.Reader = &explainReader{resp.Body, c.tap, stream}
	want := resp.ContentLength
	if noBody(method, resp.StatusCode) {
		// Content-Length on a HEAD or 304 tells the size of the body a GET
		// would get (RFC 9110 section 8.6): none comes.
		body, want = bytes.NewReader(nil), 0
	}
	h.receive(ctx, body, want, final)
	if len(resp.Trailer) > 0 { // filled in once the body has been read
		h.hop.Response.Trailers = keepAll(h2Headers(resp.Trailer)).headers
	}
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

// emitInformational reports the 1xx response just kept.
func (h *hopRun) emitInformational() {
	in := h.hop.Informational[len(h.hop.Informational)-1]
	h.o.emit(ProgressEvent{Kind: ProgressInformational, Status: in.Status, Headers: in.Headers, At: in.At})
}

// capH2Headers applies the caps HTTP/1.1 heads get while they are read.
func (h *hopRun) capH2Headers() {
	r := h.hop.Response
	k := keepAll(r.Headers) // the tap's blocks are within the caps already: it adds their cuts
	r.Headers, r.HeadersCut, r.ValuesCut = k.headers, r.HeadersCut+k.linesCut, r.ValuesCut+k.valuesCut
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
	r := h.hop.Response
	r.Headers, r.HeadersCut, r.ValuesCut = final.headers, final.linesCut, final.valuesCut
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
		HeadBytes: headBytes, BodyBytes: int64(len(body)), Upload: h.req.upload && body != nil, BodyPreview: body[:min(len(body), maxBodyPreviewSent)]}
}

// maxBodyPreviewSent caps the copy of the request body kept in the Result.
const maxBodyPreviewSent = 64 << 10

// tunnelHeadBytes is the size of the proxy's answer to the CONNECT that
// opened the hop's connection: curl's size_header counts it too.
func (h *hopRun) tunnelHeadBytes() int64 {
	p := h.hop.Proxy
	if p == nil || !p.Tunnel || p.StatusLine == "" || h.hop.Connect != nil && h.hop.Connect.Reused {
		return 0
	}
	return headSize(p.StatusLine, p.Headers)
}

// h2HeadBytes counts HTTP/2 response heads as curl's size_header does:
// as HTTP/1.1 would write them, under curl's status line ("HTTP/2 200 ").
func h2HeadBytes(status int, hs []Header, infos []Informational) int64 {
	n := headSize(H2StatusLine(status), hs)
	for _, in := range infos {
		n += headSize(H2StatusLine(in.Status), in.Headers)
	}
	return n
}

// H2StatusLine is the status line curl writes for an HTTP/2 response
// (-D, -i, size_header): "HTTP/2 200 ", the space kept, no phrase.
func H2StatusLine(status int) string { return "HTTP/2 " + strconv.Itoa(status) + " " }

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
	var ce http2.ConnectionError
	var flood *h2FloodError
	return errors.As(err, &se) || errors.As(err, &ga) || errors.As(err, &ce) || errors.As(err, &flood) ||
		err != nil && strings.Contains(err.Error(), "http2: ")
}

// http1AnswerError is the error for an HTTP/1.1 answer to HTTP/2: after
// prior knowledge, curl's empty reply (exit 52: no HTTP/2 response came);
// after ALPN agreed on h2, an HTTP/2 failure of the server's.
func http1AnswerError(phase string, priorKnowledge bool, err error) *Error {
	if priorKnowledge {
		return &Error{Phase: phase, Kind: KindEmptyReply, Err: err,
			Message: "the port speaks HTTP/1.1, not HTTP/2: it answered the HTTP/2 connection preface with an HTTP/1.1 response",
			Hint:    "drop --http2-prior-knowledge (or use --http1.1), or turn on h2c for this port at the server"}
	}
	return &Error{Phase: phase, Kind: KindHTTP2, Err: err,
		Message: "the server agreed to HTTP/2 in the TLS handshake (ALPN h2), then answered in HTTP/1.1",
		Hint:    "a misconfigured server or a proxy in front of it; compare with --http1.1"}
}

// http1Answer reports whether an HTTP/2 exchange failed because the
// server answered in HTTP/1.1: x/net reads "HTTP/1.1 " as the header of
// a frame far too large, and says what it looked like.
func http1Answer(err error) bool {
	return errors.Is(err, http2.ErrFrameTooLarge) && strings.Contains(err.Error(), "looked like an HTTP/1.1 header")
}

// explainReader gives the tap's words to the HTTP/2 errors that end a body.
type explainReader struct {
	r      io.Reader
	tap    *h2Tap
	stream uint32
}

func (e *explainReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		err = e.tap.explain(e.stream, err)
	}
	return n, err
}

// ownH2Hint is the hint for an HTTP/2 error reqtrace's client raised
// against what the server sent: the server did not reset anything.
const ownH2Hint = "raised by reqtrace's HTTP/2 client (golang.org/x/net), not sent by the server: the server's frames break RFC 9113 or reqtrace's limits; compare with --http1.1, or curl --http2"

func h2Error(err error, phase string) *Error {
	if clientCertAlert(err) {
		return clientCertError(err, phase, false)
	}
	if isTimeout(err) {
		return &Error{Phase: phase, Kind: KindTimeout, Message: "timed out over HTTP/2", Err: err}
	}
	if http1Answer(err) {
		return http1AnswerError(phase, true, err)
	}
	var se http2.StreamError
	var ga http2.GoAwayError
	var flood *h2FloodError
	switch {
	case errors.As(err, &flood):
		return &Error{Phase: phase, Kind: KindHTTP2, Err: err,
			Message: fmt.Sprintf("the server sent %d HTTP/2 frames without a response: reqtrace stops there", flood.n),
			Hint: fmt.Sprintf("the server sent %d frames (%s) without a response: a flood, the shape of HTTP/2 denial-of-service attacks; check the server or the proxy in front of it, or compare with --http1.1",
				flood.n, flood.types())}
	case errors.As(err, &se) && errors.Is(se.Cause, errTooManyInformational):
		e := tooManyInformational()
		e.Phase, e.Err = phase, err
		return e
	}
	var v *h2Violation
	var ce http2.ConnectionError
	own := func(msg string) *Error {
		return &Error{Phase: phase, Kind: KindHTTP2, Message: msg, Err: err, Hint: ownH2Hint}
	}
	switch {
	case errors.As(err, &v):
		return own(v.what + ": reqtrace's HTTP/2 client refused it")
	case errors.As(err, &se) && !fromPeer(se):
		why := ""
		if se.Cause != nil {
			why = ": " + strings.TrimPrefix(se.Cause.Error(), "http2: ")
		}
		return own(fmt.Sprintf("the response breaks HTTP/2, so reqtrace's client reset the stream itself (%s)%s", se.Code, why))
	case errors.As(err, &ce):
		return own(fmt.Sprintf("the server's frames break HTTP/2, so reqtrace's client closed the connection itself (%s)", http2.ErrCode(ce)))
	}
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
