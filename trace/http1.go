package trace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strconv"
	"strings"
)

// HTTP/1.1 is spoken by hand, not through net/http, because net/http
// canonicalises and reorders response headers; a tracer must show them
// exactly as the server sent them. The parser is strict about framing and
// lenient about nothing it has to guess.

// Limits on what a server can make us hold.
const (
	maxHeadBytes    = 1 << 20   // one response head, all lines
	maxHeadersKept  = 1000      // header lines kept in the Result, per head
	maxValueKept    = 16 << 10  // bytes of one header value kept
	maxHeadKept     = 256 << 10 // bytes of names and values kept, per head
	maxInformatonal = 32        // 1xx responses before the final one
)

// Errors that classify a bad response.
var (
	errNotHTTP   = errors.New("the server did not answer with HTTP")
	errHeadLarge = fmt.Errorf("the response head is larger than %d bytes", maxHeadBytes)
)

// respHead is one parsed response head.
type respHead struct {
	proto  string
	status int
	reason string
	line   string // the status line as received, for -D
	keeper
}

// keeper holds header fields within the caps on what a head may make us
// keep: lines, bytes per value, bytes in all. What it drops, it counts.
type keeper struct {
	headers   []Header
	linesCut  int // lines dropped
	valuesCut int // values cut short
	bytes     int
	dropped   bool // the last line was not kept: its continuations go too
}

// add keeps one field line, or counts it as cut.
func (k *keeper) add(name, value string) {
	if len(value) > maxValueKept {
		value = value[:maxValueKept]
		k.valuesCut++
	}
	k.dropped = len(k.headers) >= maxHeadersKept || k.bytes+len(name)+len(value) > maxHeadKept
	if k.dropped {
		k.linesCut++
		return
	}
	k.bytes += len(name) + len(value)
	k.headers = append(k.headers, Header{Name: name, Value: value})
}

// fold appends an obsolete continuation line to the last value kept.
func (k *keeper) fold(more string) {
	if k.dropped || len(k.headers) == 0 {
		return
	}
	last := &k.headers[len(k.headers)-1]
	room := min(maxValueKept-len(last.Value), maxHeadKept-k.bytes)
	if len(more) > room {
		more = more[:max(room, 0)]
		k.valuesCut++
	}
	last.Value += more
	k.bytes += len(more)
}

// keepAll applies the caps to fields that came in another way (HTTP/2).
func keepAll(hs []Header) keeper {
	var k keeper
	for _, h := range hs {
		k.add(h.Name, h.Value)
	}
	return k
}

// get returns the values of the named header.
func (h *respHead) get(name string) []string { return headerValues(h.headers, name) }

// readHead reads one response head: the status line and the header lines
// up to the empty line.
func readHead(br *bufio.Reader) (*respHead, error) {
	budget := maxHeadBytes
	line, err := readLine(br, &budget)
	if err != nil {
		return nil, err
	}
	h, err := parseStatusLine(line)
	if err != nil {
		return nil, err
	}
	for {
		line, err := readLine(br, &budget)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if line == "" {
			return h, nil
		}
		if err := h.addLine(line); err != nil {
			return nil, err
		}
	}
}

// readLine reads a line ending in LF (CRLF or bare LF), without the ending.
func readLine(br *bufio.Reader, budget *int) (string, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		*budget -= len(chunk)
		if *budget < 0 {
			return "", errHeadLarge
		}
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return "", err
		}
		return string(bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))), nil
	}
}

// parseStatusLine parses "HTTP/1.1 200 OK".
func parseStatusLine(line string) (*respHead, error) {
	proto, rest, _ := strings.Cut(line, " ")
	if !strings.HasPrefix(proto, "HTTP/") {
		return nil, errNotHTTP
	}
	if len(proto) != len("HTTP/1.1") || !isDigit(proto[5]) || proto[6] != '.' || !isDigit(proto[7]) {
		return nil, fmt.Errorf("malformed status line %q: bad HTTP version", line)
	}
	code, reason, _ := strings.Cut(rest, " ")
	if len(code) != 3 || !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) {
		return nil, fmt.Errorf("malformed status line %q: the status is not three digits", line)
	}
	status, _ := strconv.Atoi(code)
	if status < 100 {
		return nil, fmt.Errorf("malformed status line %q: status %d is below 100", line, status)
	}
	return &respHead{proto: proto, status: status, reason: reason, line: line}, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// addLine adds one header line, joining obsolete folded lines to the
// value before them.
func (h *respHead) addLine(line string) error {
	if strings.ContainsRune(line, '\r') {
		// RFC 9112 section 2.2: a bare CR is invalid; keeping it would let a
		// server smuggle a line break into a value.
		return fmt.Errorf("malformed header line %q: it holds a bare CR", line)
	}
	if line[0] == ' ' || line[0] == '\t' {
		if len(h.headers) == 0 && h.linesCut == 0 {
			return fmt.Errorf("malformed header block: it starts with a folded line %q", line)
		}
		h.fold(" " + strings.TrimSpace(line))
		return nil
	}
	name, value, ok := strings.Cut(line, ":")
	if !ok || !validToken(name) {
		return fmt.Errorf("malformed header line %q", line)
	}
	h.add(name, strings.Trim(value, " \t"))
	return nil
}

// untilClose is bodyReader's length for a body that ends when the server
// closes the connection (no Content-Length, not chunked).
const untilClose = -2

// bodyReader returns the reader for the body that follows head, per
// RFC 9112 section 6.3, and its length: -1 for chunked, untilClose when
// the connection's end marks it.
func bodyReader(method string, h *respHead, br *bufio.Reader) (io.Reader, int64, error) {
	if noBody(method, h.status) {
		return bytes.NewReader(nil), 0, nil
	}
	if te := h.get("Transfer-Encoding"); len(te) > 0 {
		codings := strings.Split(strings.Join(te, ","), ",")
		if !strings.EqualFold(strings.TrimSpace(codings[len(codings)-1]), "chunked") {
			return br, untilClose, nil // as RFC 9112 asks
		}
		return &chunkedBody{chunks: httputil.NewChunkedReader(br), br: br}, -1, nil
	}
	if cl := h.get("Content-Length"); len(cl) > 0 {
		n, err := contentLength(cl)
		if err != nil {
			return nil, 0, err
		}
		return io.LimitReader(br, n), n, nil
	}
	return br, untilClose, nil
}

// noBody reports whether a response has no body whatever its header
// fields say (RFC 9110 sections 6.4.1 and 8.6): to HEAD, and 1xx, 204, 304.
func noBody(method string, status int) bool {
	return method == "HEAD" || status/100 == 1 || status == 204 || status == 304
}

// chunkedBody reads a chunked body, then its trailer section, so that the
// connection is left at the start of the next response. The trailer
// fields are kept under the caps a head gets.
type chunkedBody struct {
	chunks   io.Reader
	br       *bufio.Reader
	done     bool
	trailers respHead
}

func (c *chunkedBody) Read(p []byte) (int, error) {
	if c.done {
		return 0, io.EOF
	}
	n, err := c.chunks.Read(p)
	if err != nil && err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, new(net.Error)) {
		return n, &chunkError{err} // the framing is broken, not the connection
	}
	if err == io.EOF {
		c.done = true
		budget := maxHeadBytes
		for {
			line, lerr := readLine(c.br, &budget)
			if lerr != nil {
				return n, &trailerError{lerr}
			}
			if line == "" {
				break
			}
			if terr := c.trailers.addLine(line); terr != nil {
				return n, &trailerError{terr}
			}
		}
	}
	return n, err
}

// chunkError marks a chunked body whose framing is malformed (RFC 9112
// section 7.1): a chunk-size line that is not hex, too long, or data not
// followed by CRLF.
type chunkError struct{ err error }

func (e *chunkError) Error() string {
	if errors.Is(e.err, httputil.ErrLineTooLong) {
		return fmt.Sprintf("a chunk-size line is longer than %d bytes", copyBuffer)
	}
	switch msg := e.err.Error(); {
	case strings.Contains(msg, "chunk length"):
		return "a chunk size is not a hexadecimal number (" + msg + ")"
	case msg == "malformed chunked encoding":
		return "a chunk's data is not followed by CRLF, or its size line is malformed"
	default:
		return msg
	}
}
func (e *chunkError) Unwrap() error { return e.err }

// trailerError marks a failure while reading the trailer section of a
// chunked body, so that it is not mistaken for a broken body or head.
type trailerError struct{ err error }

func (e *trailerError) Error() string { return "reading the trailer section: " + e.err.Error() }
func (e *trailerError) Unwrap() error { return e.err }

// keepAlive reports whether an HTTP/1.x connection stays open after this
// exchange (RFC 9112 section 9.3).
func keepAlive(h *respHead, sent []Header) bool {
	tokens := strings.ToLower(strings.Join(h.get("Connection"), ",") + "," + headerValue(sent, "Connection"))
	if strings.Contains(tokens, "close") {
		return false
	}
	return h.proto == "HTTP/1.1" || strings.Contains(tokens, "keep-alive")
}

// contentLength parses Content-Length field values; repeats must agree.
func contentLength(values []string) (int64, error) {
	var n int64 = -1
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			part = strings.Trim(part, " \t")
			m, err := strconv.ParseInt(part, 10, 64)
			// Digits only (RFC 9110 section 8.6): strconv also takes a
			// sign, and a proxy that does not would frame the body otherwise.
			if err != nil || m < 0 || strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
				return 0, fmt.Errorf("malformed Content-Length %q", v)
			}
			if n >= 0 && m != n {
				return 0, fmt.Errorf("conflicting Content-Length values %q", strings.Join(values, ", "))
			}
			n = m
		}
	}
	return n, nil
}

// typedValue is what follows the colon of h's line: the -H text as
// typed when h came from one, else a space and the value.
func typedValue(h Header, typed []HeaderEdit) string {
	for _, e := range typed {
		if !e.Remove && strings.EqualFold(e.Name, h.Name) && e.Value == h.Value && e.Typed != "" {
			return e.Typed
		}
	}
	return " " + h.Value
}

// headSize is the size of a head with this first line and these fields,
// as HTTP/1.1 writes it.
func headSize(first string, hs []Header) int64 {
	n := len(first) + 4 // CRLF after the first line and after the last field
	for _, h := range hs {
		n += len(h.Name) + len(h.Value) + 4
	}
	return int64(n)
}

// writeRequestHead serialises the request head; the body follows it. A
// field given with -H goes out as typed ("X-A:1" stays so), as in curl.
func writeRequestHead(method, target string, headers []Header, typed []HeaderEdit) []byte {
	var b bytes.Buffer
	b.WriteString(method + " " + target + " HTTP/1.1\r\n")
	for _, h := range headers {
		b.WriteString(h.Name + ":" + typedValue(h, typed) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}
