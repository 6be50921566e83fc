package tracetest

// Hostile servers: raw TCP (optionally TLS) and DNS servers on 127.0.0.1
// that misbehave on purpose, so tests can check that a client survives
// whatever a server sends. Unlike the lab's servers they are built from
// bytes, not from net/http or a well-behaved DNS library, because the
// point is to send what those libraries would never produce.

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// Terminal attacks a hostile server can send, for tests to plant in
// headers, bodies, certificates and DNS names.
const (
	EscClear = "\x1b[2J"                                            // CSI: clear the screen
	EscTitle = "\x1b]0;pwned\x07"                                   // OSC 0: set the window title, BEL-terminated
	EscLink  = "\x1b]8;;https://evil.test/\x1b\\link\x1b]8;;\x1b\\" // OSC 8 hyperlink, ST-terminated
	EscBell  = "\x07"                                               // BEL
	EscC1    = "\u009b31m"                                          // one-character CSI (C1), UTF-8 encoded
	EscDEL   = "\x7f"                                               // DEL
	EscSGR   = "\x1b[5;31m"                                         // SGR: blinking red, the kind of sequence reqtrace's own colours use
	// EscInvisible is format characters (Unicode Cf) and line separators:
	// invisible, yet they reorder or hide what a person reads (bidi marks,
	// embeddings, overrides and isolates, zero widths, BOM, soft hyphen, a
	// tag character, U+2028/2029).
	EscInvisible = "\u200e\u200f\u061c\u202a\u202e\u2066\u2069\u200b\u200c\u200d\u2060\ufeff\u00ad\U000e0041\u2028\u2029"
	EscAll       = EscClear + EscTitle + EscLink + EscBell + EscC1 + EscDEL + EscSGR + EscInvisible
	escC1Raw     = "\x9b" // the same CSI as a raw 8-bit byte (not UTF-8)
)

// HostileBody is the body of EscapesResponse: every attack in EscAll, then
// a raw 8-bit C1 byte that is not valid UTF-8.
const HostileBody = "<p>" + EscAll + escC1Raw + "</p>\n"

// Hostile is a raw server on 127.0.0.1 running one Behaviour per
// connection, over plain TCP or TLS. Close (or the test's end, for
// NewHostile) closes the listener and every connection and waits for the
// behaviours to return.
type Hostile struct {
	Addr string // "127.0.0.1:PORT"
	Port int

	ln       net.Listener
	behave   Behaviour
	tlsConf  *tls.Config
	done     chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	accepted int
}

// HostileOptions says how a Hostile server speaks: plain TCP when
// Certificate is nil, else TLS with it (and ALPN from ALPN, none when
// empty).
type HostileOptions struct {
	Certificate *tls.Certificate
	ALPN        []string
}

// Behaviour is what a Hostile server does with one accepted connection.
// It returns when it is done; the connection is closed after it.
type Behaviour func(c *HostileConn)

// HostileConn is one accepted connection, with helpers for behaviours.
type HostileConn struct {
	net.Conn
	br   *bufio.Reader
	done chan struct{}
	n    int // 1 for the first connection the server accepted
}

// NewHostile starts a Hostile server and closes it when t ends.
func NewHostile(t testing.TB, b Behaviour, o HostileOptions) *Hostile {
	t.Helper()
	h, err := StartHostile(b, o)
	if err != nil {
		t.Fatalf("tracetest: %v", err)
	}
	t.Cleanup(h.Close)
	return h
}

// StartHostile starts a Hostile server; the caller must Close it.
func StartHostile(b Behaviour, o HostileOptions) (*Hostile, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hostile: %w", err)
	}
	h := &Hostile{Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port, ln: ln, behave: b,
		done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	if o.Certificate != nil {
		h.tlsConf = &tls.Config{Certificates: []tls.Certificate{*o.Certificate}, NextProtos: o.ALPN}
	}
	h.wg.Go(h.serve)
	return h, nil
}

// Accepted counts the connections accepted so far.
func (h *Hostile) Accepted() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.accepted
}

// Close stops the server, closes its connections and waits for the
// behaviours to return. It is safe to call more than once.
func (h *Hostile) Close() {
	h.once.Do(func() {
		close(h.done)
		h.ln.Close()
		h.mu.Lock()
		for c := range h.conns {
			c.Close()
		}
		h.mu.Unlock()
		h.wg.Wait()
	})
}

func (h *Hostile) serve() {
	for {
		c, err := h.ln.Accept()
		if err != nil {
			return
		}
		h.mu.Lock()
		select {
		case <-h.done:
			h.mu.Unlock()
			c.Close()
			return
		default:
		}
		h.conns[c] = struct{}{}
		h.accepted++
		n := h.accepted
		h.mu.Unlock()
		h.wg.Go(func() {
			defer func() {
				c.Close()
				h.mu.Lock()
				delete(h.conns, c)
				h.mu.Unlock()
			}()
			var nc net.Conn = c
			if h.tlsConf != nil {
				tc := tls.Server(c, h.tlsConf)
				tc.SetDeadline(time.Now().Add(10 * time.Second))
				if err := tc.Handshake(); err != nil {
					return
				}
				tc.SetDeadline(time.Time{})
				nc = tc
			}
			h.behave(&HostileConn{Conn: nc, br: bufio.NewReader(nc), done: h.done, n: n})
		})
	}
}

// N is 1 for the server's first connection, 2 for the second, ...
func (c *HostileConn) N() int { return c.n }

// Sleep waits d, or less if the server closes; it reports whether the
// whole d passed.
func (c *HostileConn) Sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.done:
		return false
	}
}

// ReadRequest reads one HTTP/1.1 request head and skips its body (by
// Content-Length); it returns the method and target.
func (c *HostileConn) ReadRequest() (method, target string, err error) {
	tp := textproto.NewReader(c.br)
	line, err := tp.ReadLine()
	if err != nil {
		return "", "", err
	}
	parts := strings.SplitN(line, " ", 3)
	if len(parts) != 3 {
		return "", "", fmt.Errorf("hostile: bad request line %q", line)
	}
	hdr, err := tp.ReadMIMEHeader()
	if err != nil {
		return "", "", err
	}
	if n, _ := strconv.ParseInt(hdr.Get("Content-Length"), 10, 64); n > 0 {
		if _, err := io.CopyN(io.Discard, c.br, n); err != nil {
			return "", "", err
		}
	}
	return parts[0], parts[1], nil
}

// Hold keeps the connection open, reading and discarding what the client
// sends, until the client or the server closes it.
func (c *HostileConn) Hold() { io.Copy(io.Discard, c.br) }

// Silent accepts the connection and never says anything: for https, a
// TLS server that accepts TCP and never answers the ClientHello.
func Silent() Behaviour { return func(c *HostileConn) { c.Hold() } }

// Garbage writes b as soon as the connection is accepted, without
// reading anything, then holds the connection open.
func Garbage(b []byte) Behaviour {
	return func(c *HostileConn) {
		c.Write(b)
		c.Hold()
	}
}

// Reply reads the request head, writes raw and closes the connection.
func Reply(raw string) Behaviour {
	return func(c *HostileConn) {
		if _, _, err := c.ReadRequest(); err != nil {
			return
		}
		c.Write([]byte(raw))
	}
}

// ReplyHold is Reply that keeps the connection open afterwards, so only
// the framing (or the client's limits) can end the response.
func ReplyHold(raw string) Behaviour {
	return func(c *HostileConn) {
		if _, _, err := c.ReadRequest(); err != nil {
			return
		}
		c.Write([]byte(raw))
		c.Hold()
	}
}

// ManyHeaders answers with n header lines "X-Hostile-I: value" (values
// of valueLen bytes) and an empty body.
func ManyHeaders(n, valueLen int) Behaviour {
	return func(c *HostileConn) {
		if _, _, err := c.ReadRequest(); err != nil {
			return
		}
		w := bufio.NewWriterSize(c, 64<<10)
		w.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n")
		value := strings.Repeat("v", valueLen)
		for i := range n {
			fmt.Fprintf(w, "X-Hostile-%d: %s\r\n", i, value)
		}
		w.WriteString("\r\n")
		w.Flush()
	}
}

// EndlessHead sends a status line and then header lines forever.
func EndlessHead() Behaviour {
	return func(c *HostileConn) {
		if _, _, err := c.ReadRequest(); err != nil {
			return
		}
		if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\n"); err != nil {
			return
		}
		line := []byte("X-Again: " + strings.Repeat("a", 1000) + "\r\n")
		buf := bytes.Repeat(line, 32)
		for {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}
}

// EndlessBody answers 200 with no Content-Length and no chunking (the
// body ends when the connection does) and never stops sending.
func EndlessBody() Behaviour {
	return func(c *HostileConn) {
		if _, _, err := c.ReadRequest(); err != nil {
			return
		}
		if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n"); err != nil {
			return
		}
		for {
			if _, err := c.Write(filler); err != nil {
				return
			}
		}
	}
}

// Drip writes head at once, then drip one byte at a time, every apart.
// When drip is empty it drips filler bytes forever.
func Drip(head, drip string, every time.Duration) Behaviour {
	return func(c *HostileConn) {
		if _, _, err := c.ReadRequest(); err != nil {
			return
		}
		if _, err := io.WriteString(c, head); err != nil {
			return
		}
		for i := 0; drip == "" || i < len(drip); i++ {
			if !c.Sleep(every) {
				return
			}
			b := filler[i%len(filler)]
			if drip != "" {
				b = drip[i]
			}
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
		}
		c.Hold()
	}
}

// RedirectLoop answers every request on a kept-alive connection with a
// 302: /a to /b and anything else to /a.
func RedirectLoop() Behaviour {
	return func(c *HostileConn) {
		for {
			_, target, err := c.ReadRequest()
			if err != nil {
				return
			}
			next := "/a"
			if target == "/a" {
				next = "/b"
			}
			body := "round and round\n"
			fmt.Fprintf(c, "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: %d\r\n\r\n%s", next, len(body), body)
		}
	}
}

// RedirectChain answers every request with a 302 to a URL never seen
// before: /N to /N+1 (anything else to /1), on a kept-alive connection.
// Each response carries pad extra header lines of 1 KiB.
func RedirectChain(pad int) Behaviour {
	padding := ""
	for i := range pad {
		padding += fmt.Sprintf("X-Pad-%d: %s\r\n", i, strings.Repeat("p", 1024))
	}
	return func(c *HostileConn) {
		for {
			_, target, err := c.ReadRequest()
			if err != nil {
				return
			}
			n, _ := strconv.Atoi(strings.TrimPrefix(target, "/"))
			fmt.Fprintf(c, "HTTP/1.1 302 Found\r\nLocation: /%d\r\n%sContent-Length: 0\r\n\r\n", n+1, padding)
		}
	}
}

// EscapesResponse is an HTTP/1.1 response with a terminal attack in the
// reason phrase, in header values, in a header whose value is all
// attacks, and in the body.
func EscapesResponse() string {
	return "HTTP/1.1 200 OK" + EscClear + EscBell + "\r\n" +
		"Content-Type: text/plain\r\n" +
		"X-Clear: a" + EscClear + "b\r\n" +
		"X-Title: " + EscTitle + "\r\n" +
		"X-Link: " + EscLink + "\r\n" +
		"X-C1: " + EscC1 + escC1Raw + "\r\n" +
		"X-Del: a" + EscDEL + "b\r\n" +
		"X-All: " + EscAll + "\r\n" +
		"Content-Length: " + strconv.Itoa(len(HostileBody)) + "\r\n" +
		"Connection: close\r\n" +
		"\r\n" + HostileBody
}

// MintCertificate signs a leaf for tmpl with the lab's CA (and the key
// every lab leaf shares), so a test can present a certificate with any
// fields it likes and still be trusted through CAPEM. Serial, validity
// and usage are filled in when tmpl leaves them zero.
func (l *Lab) MintCertificate(tmpl *x509.Certificate) (tls.Certificate, error) {
	t := *tmpl
	now := time.Now()
	if t.SerialNumber == nil {
		t.SerialNumber = serialNumber()
	}
	if t.NotBefore.IsZero() {
		t.NotBefore = now.Add(-time.Hour)
	}
	if t.NotAfter.IsZero() {
		t.NotAfter = now.Add(90 * day)
	}
	if t.KeyUsage == 0 {
		t.KeyUsage = x509.KeyUsageDigitalSignature
	}
	if t.ExtKeyUsage == nil {
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	c, err := l.certs.ca.issue(&t, l.certs.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return *c, nil
}

// H2Conn is the server side of an HTTP/2 connection, after the preface
// and the SETTINGS exchange, once the client's first request (Stream)
// has arrived. Its methods write frames; SETTINGS and PING are answered
// in the background.
type H2Conn struct {
	Stream   uint32
	fr       *http2.Framer
	mu       *sync.Mutex
	conn     *HostileConn
	readDone <-chan struct{} // closed when the client's side of the connection ends
}

// Headers sends one header block (pseudo-headers first, as given).
func (h *H2Conn) Headers(endStream bool, fields ...hpack.HeaderField) error {
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	enc.SetMaxDynamicTableSizeLimit(0)
	for _, f := range fields {
		enc.WriteField(f)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	block := buf.Bytes()
	const maxFrag = 16 << 10 // the default SETTINGS_MAX_FRAME_SIZE
	first := true
	for first || len(block) > 0 {
		frag := block[:min(len(block), maxFrag)]
		block = block[len(frag):]
		var err error
		if first {
			err = h.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: h.Stream, BlockFragment: frag,
				EndHeaders: len(block) == 0, EndStream: endStream})
		} else {
			err = h.fr.WriteContinuation(h.Stream, len(block) == 0, frag)
		}
		if err != nil {
			return err
		}
		first = false
	}
	return nil
}

// Data sends one DATA frame on the stream.
func (h *H2Conn) Data(b []byte, endStream bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fr.WriteData(h.Stream, endStream, b)
}

// GoAway sends GOAWAY with code and debug data, naming lastStream as the
// last one processed.
func (h *H2Conn) GoAway(lastStream uint32, code http2.ErrCode, debug string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fr.WriteGoAway(lastStream, code, []byte(debug))
}

// Raw writes b on the connection as it is, outside any frame.
func (h *H2Conn) Raw(b []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.conn.Write(b)
	return err
}

// Reset sends RST_STREAM with code on the stream.
func (h *H2Conn) Reset(code http2.ErrCode) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fr.WriteRSTStream(h.Stream, code)
}

// Frame writes one frame as given, on any stream, whatever the client
// opened or asked for: the raw material of the HTTP/2 floods.
func (h *H2Conn) Frame(t http2.FrameType, flags http2.Flags, stream uint32, payload []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fr.WriteRawFrame(t, flags, stream, payload)
}

// H2OtherStreamHeaders sends about total bytes of header blocks on
// streams the client never opened (3, 5, 7, ...; a client ignores them),
// then answers the request with a 200 and a short body. The blocks are
// HPACK's amplification: the first puts one small field in the dynamic
// table, every later byte names it again (an indexed field), so each
// 16 KB frame decodes to some 16,000 fields.
func H2OtherStreamHeaders(total int) func(c *H2Conn) {
	return func(c *H2Conn) {
		first := append([]byte{0x88, 0x40, 3}, "x-a\x01b"...) // :status 200, then x-a: b, indexed
		refs := append([]byte{0x88}, bytes.Repeat([]byte{0xbe}, 16000)...)
		stream := uint32(3)
		for sent := 0; sent < total; stream += 2 {
			block := refs
			if sent == 0 {
				block = first
			}
			if c.Frame(http2.FrameHeaders, http2.FlagHeadersEndHeaders|http2.FlagHeadersEndStream, stream, block) != nil {
				return
			}
			sent += len(block)
			if stream > 1<<30 {
				stream = 1
			}
		}
		c.Headers(false, H2Field(":status", "200"), H2Field("content-length", "2"))
		c.Data([]byte("ok"), true)
		c.Hold()
	}
}

// H2Flood runs first (when not nil), then again and again until the
// client goes away or the server closes: the shape of the HTTP/2 flood
// attacks (endless 1xx, empty CONTINUATION, PING or SETTINGS storms).
func H2Flood(first, again func(c *H2Conn) error) func(c *H2Conn) {
	return func(c *H2Conn) {
		if first != nil && first(c) != nil {
			return
		}
		for {
			select {
			case <-c.readDone:
				return
			case <-c.conn.done:
				return
			default:
			}
			if again(c) != nil {
				return
			}
		}
	}
}

// Sleep waits d unless the server closes first.
func (h *H2Conn) Sleep(d time.Duration) bool { return h.conn.Sleep(d) }

// Hold keeps the connection open until the client closes it.
func (h *H2Conn) Hold() {
	select {
	case <-h.conn.done:
	case <-h.readDone:
	}
}

// H2 runs script on an HTTP/2 connection once the first request has
// arrived. Use it with HostileOptions{ALPN: []string{"h2"}} and a
// certificate. The connection closes when script returns.
func H2(script func(h *H2Conn)) Behaviour {
	return func(c *HostileConn) {
		preface := make([]byte, len(http2.ClientPreface))
		if _, err := io.ReadFull(c.br, preface); err != nil || string(preface) != http2.ClientPreface {
			return
		}
		fr := http2.NewFramer(c.Conn, c.br)
		fr.SetMaxReadFrameSize(1 << 20)
		mu := &sync.Mutex{}
		mu.Lock()
		err := fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100})
		mu.Unlock()
		if err != nil {
			return
		}
		readDone := make(chan struct{})
		request := make(chan uint32, 1)
		go func() {
			defer close(readDone)
			for {
				f, err := fr.ReadFrame()
				if err != nil {
					return
				}
				switch f := f.(type) {
				case *http2.SettingsFrame:
					if !f.IsAck() {
						mu.Lock()
						fr.WriteSettingsAck()
						mu.Unlock()
					}
				case *http2.PingFrame:
					if !f.IsAck() {
						mu.Lock()
						fr.WritePing(true, f.Data)
						mu.Unlock()
					}
				case *http2.HeadersFrame:
					select {
					case request <- f.StreamID:
					default:
					}
				}
			}
		}()
		defer func() {
			c.Conn.Close()
			<-readDone
		}()
		select {
		case id := <-request:
			script(&H2Conn{Stream: id, fr: fr, mu: mu, conn: c, readDone: readDone})
		case <-readDone:
		case <-c.done:
		}
	}
}

// H2Field is shorthand for an hpack.HeaderField.
func H2Field(name, value string) hpack.HeaderField {
	return hpack.HeaderField{Name: name, Value: value}
}

// ---- DNS ----

// DNSBehaviour is what a HostileDNS server does with each query.
type DNSBehaviour string

// DNS behaviours. Names the server answers with addresses resolve to
// 127.0.0.1.
const (
	// DNSGarbage answers every UDP query with bytes that are not DNS.
	DNSGarbage DNSBehaviour = "garbage"
	// DNSMalformed answers with the right ID and a header that promises
	// records the message does not hold.
	DNSMalformed DNSBehaviour = "malformed"
	// DNSPointerLoop answers with a name whose compression pointer points
	// at itself.
	DNSPointerLoop DNSBehaviour = "pointer-loop"
	// DNSWrongID answers with another query's ID (a spoofing attempt):
	// a client must ignore it and time out.
	DNSWrongID DNSBehaviour = "wrong-id"
	// DNSTruncatedNoTCP sets TC over UDP; nothing listens on TCP.
	DNSTruncatedNoTCP DNSBehaviour = "truncated-no-tcp"
	// DNSTruncatedTCPClose sets TC over UDP; TCP accepts and closes at once.
	DNSTruncatedTCPClose DNSBehaviour = "truncated-tcp-close"
	// DNSTruncatedTCPGarbage sets TC over UDP; TCP answers with a message
	// cut short (no length prefix, no ID) and closes.
	DNSTruncatedTCPGarbage DNSBehaviour = "truncated-tcp-garbage"
	// DNSOversize answers over UDP with OversizeRecords A records and TC
	// clear: far more than the 1232 bytes the client said it accepts.
	DNSOversize DNSBehaviour = "oversize"
	// DNSManyRecords sets TC over UDP and answers over TCP with
	// ManyRecords A records (127.0.x.y, 127.0.0.1 first): a 50 KB answer.
	DNSManyRecords DNSBehaviour = "many-records"
	// DNSEscapes answers with a CNAME whose target holds terminal
	// escapes, and an A record for that target.
	DNSEscapes DNSBehaviour = "escapes"
	// DNSCNAMELoop answers with a CNAME to a name that is a CNAME back.
	DNSCNAMELoop DNSBehaviour = "cname-loop"
	// DNSCNAMELong answers with a chain of LongChain CNAMEs (c1.NAME →
	// c2.NAME → …) whose last name has an A record.
	DNSCNAMELong DNSBehaviour = "cname-long"
	// DNSWrongQuestion answers with the query's ID but another question
	// (ForgedName, A ForgedAddr): a client must ignore it and time out.
	DNSWrongQuestion DNSBehaviour = "wrong-question"
	// DNSWrongType answers an A query with the query's ID and name but
	// the question type AAAA (and AAAA with A): ignored, a timeout.
	DNSWrongType DNSBehaviour = "wrong-type"
	// DNSForgeriesFirst sends, before each real answer (A 127.0.0.1), a
	// forged reply with the right ID for ForgedName (A ForgedAddr), one
	// with another ID, and noise: a client must skip all three.
	DNSForgeriesFirst DNSBehaviour = "forgeries-first"
	// DNSCaseChanged answers with the question name's letters in mixed
	// case (as a 0x20-randomising resolver sees them): still a match.
	DNSCaseChanged DNSBehaviour = "case-changed"
)

// ForgedName and ForgedAddr are what the forged replies claim.
const (
	ForgedName = "forged.evil.test."
	ForgedAddr = "127.0.0.66"
)

// Record counts of the oversize behaviours, and the CNAME chain's length.
const (
	LongChain       = 20
	OversizeRecords = 300
	ManyRecords     = 3000
)

// EscapedTarget is the CNAME target DNSEscapes answers with, in
// presentation form ("\027" is ESC): a label with an OSC 0 title, a
// clear-screen and a BEL.
const EscapedTarget = "\\027]0;pwned\\007\\027[2J.evil.test."

// HostileDNS is a DNS server on 127.0.0.1 (UDP, and TCP on the same port
// when the behaviour has a TCP side) that misbehaves.
type HostileDNS struct {
	Addr string // "127.0.0.1:PORT"

	behave DNSBehaviour
	udp    net.PacketConn
	tcp    net.Listener
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	udpN   int
	tcpN   int
}

// NewHostileDNS starts a HostileDNS server and closes it when t ends.
func NewHostileDNS(t testing.TB, b DNSBehaviour) *HostileDNS {
	t.Helper()
	h, err := StartHostileDNS(b)
	if err != nil {
		t.Fatalf("tracetest: %v", err)
	}
	t.Cleanup(h.Close)
	return h
}

// StartHostileDNS starts a HostileDNS server; the caller must Close it.
func StartHostileDNS(b DNSBehaviour) (*HostileDNS, error) {
	tcp, udp, err := listenSamePort()
	if err != nil {
		return nil, err
	}
	h := &HostileDNS{Addr: udp.LocalAddr().String(), behave: b, udp: udp, done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	if b == DNSTruncatedNoTCP {
		tcp.Close() // the port is refused over TCP
	} else {
		h.tcp = tcp
		h.wg.Go(h.serveTCP)
	}
	h.wg.Go(h.serveUDP)
	return h, nil
}

// Queries returns how many queries arrived over UDP and over TCP.
func (h *HostileDNS) Queries() (udp, tcp int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.udpN, h.tcpN
}

// Close stops the server and waits for its goroutines.
func (h *HostileDNS) Close() {
	h.once.Do(func() {
		close(h.done)
		h.udp.Close()
		if h.tcp != nil {
			h.tcp.Close()
		}
		h.mu.Lock()
		for c := range h.conns {
			c.Close()
		}
		h.mu.Unlock()
		h.wg.Wait()
	})
}

func (h *HostileDNS) serveUDP() {
	buf := make([]byte, 65535)
	for {
		n, from, err := h.udp.ReadFrom(buf)
		if err != nil {
			return
		}
		h.mu.Lock()
		h.udpN++
		h.mu.Unlock()
		if h.behave == DNSForgeriesFirst {
			for _, f := range h.forgeries(buf[:n]) {
				h.udp.WriteTo(f, from)
			}
		}
		if reply := h.reply(buf[:n], false); reply != nil {
			h.udp.WriteTo(reply, from)
		}
	}
}

func (h *HostileDNS) serveTCP() {
	for {
		c, err := h.tcp.Accept()
		if err != nil {
			return
		}
		h.mu.Lock()
		h.conns[c] = struct{}{}
		h.mu.Unlock()
		h.wg.Go(func() {
			defer func() {
				c.Close()
				h.mu.Lock()
				delete(h.conns, c)
				h.mu.Unlock()
			}()
			if h.behave == DNSTruncatedTCPClose {
				return
			}
			for {
				var size uint16
				if err := binary.Read(c, binary.BigEndian, &size); err != nil {
					return
				}
				q := make([]byte, size)
				if _, err := io.ReadFull(c, q); err != nil {
					return
				}
				h.mu.Lock()
				h.tcpN++
				h.mu.Unlock()
				reply := h.reply(q, true)
				if reply == nil {
					continue
				}
				if h.behave == DNSTruncatedTCPGarbage {
					c.Write(reply[2:]) // no length prefix, no ID: garbage on a stream
					return
				}
				c.Write(binary.BigEndian.AppendUint16(nil, uint16(len(reply))))
				c.Write(reply)
			}
		})
	}
}

// reply builds the answer to the query in q, or nil for none.
func (h *HostileDNS) reply(q []byte, overTCP bool) []byte {
	query := new(dns.Msg)
	if err := query.Unpack(q); err != nil || len(query.Question) != 1 {
		return nil
	}
	id := query.Id
	m := new(dns.Msg).SetReply(query)
	qn, qt := query.Question[0].Name, query.Question[0].Qtype
	a := func(owner string, ip net.IP) dns.RR {
		return &dns.A{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: ip}
	}
	cnameRR := func(owner, target string) dns.RR {
		return &dns.CNAME{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: target}
	}
	pack := func(m *dns.Msg) []byte {
		b, err := m.Pack()
		if err != nil {
			return nil
		}
		return b
	}
	truncated := func() []byte {
		m.Truncated = true
		return pack(m)
	}
	switch h.behave {
	case DNSGarbage:
		return []byte("this is not DNS at all, just a hostile server's noise\n")
	case DNSMalformed:
		// A reply header for this query claiming one question and five
		// answers, followed by a label that runs past the end.
		b := binary.BigEndian.AppendUint16(nil, id)
		b = append(b, 0x81, 0x80, 0, 1, 0, 5, 0, 0, 0, 0)
		return append(b, 0x3f, 'x', 'y', 'z')
	case DNSPointerLoop:
		b := binary.BigEndian.AppendUint16(nil, id)
		b = append(b, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0)
		// An answer whose owner name is a pointer to offset 12: itself.
		return append(b, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1)
	case DNSWrongID:
		b := pack(m)
		if b != nil {
			binary.BigEndian.PutUint16(b, id^0x5a5a)
		}
		return b
	case DNSTruncatedNoTCP, DNSTruncatedTCPClose, DNSTruncatedTCPGarbage:
		if !overTCP {
			return truncated()
		}
		if qt == dns.TypeA {
			m.Answer = []dns.RR{a(qn, net.IPv4(127, 0, 0, 1))}
		}
		return pack(m)
	case DNSOversize:
		if qt == dns.TypeA {
			for i := range OversizeRecords {
				m.Answer = append(m.Answer, a(qn, net.IPv4(127, 0, byte(i/250), byte(i%250+1))))
			}
		}
		m.Compress = false
		return pack(m)
	case DNSManyRecords:
		if !overTCP {
			return truncated()
		}
		if qt == dns.TypeA {
			for i := range ManyRecords {
				m.Answer = append(m.Answer, a(qn, net.IPv4(127, 0, byte(i/250), byte(i%250+1))))
			}
		}
		m.Compress = true
		return pack(m)
	case DNSEscapes:
		m.Answer = []dns.RR{cnameRR(qn, EscapedTarget)}
		if qt == dns.TypeA {
			m.Answer = append(m.Answer, a(EscapedTarget, net.IPv4(127, 0, 0, 1)))
		}
		return pack(m)
	case DNSCNAMELong:
		owner := qn
		for i := 1; i <= LongChain; i++ {
			next := fmt.Sprintf("c%d.%s", i, qn)
			m.Answer = append(m.Answer, cnameRR(owner, next))
			owner = next
		}
		if qt == dns.TypeA {
			m.Answer = append(m.Answer, a(owner, net.IPv4(127, 0, 0, 1)))
		}
		return pack(m)
	case DNSWrongQuestion:
		m.Question[0].Name = ForgedName
		m.Answer = []dns.RR{a(ForgedName, net.ParseIP(ForgedAddr))}
		return pack(m)
	case DNSWrongType:
		m.Question[0].Qtype = map[uint16]uint16{dns.TypeA: dns.TypeAAAA}[qt]
		if m.Question[0].Qtype == 0 {
			m.Question[0].Qtype = dns.TypeA
		}
		return pack(m)
	case DNSForgeriesFirst, DNSCaseChanged:
		if h.behave == DNSCaseChanged {
			m.Question[0].Name = mixCase(qn)
		}
		if qt == dns.TypeA {
			m.Answer = []dns.RR{a(qn, net.IPv4(127, 0, 0, 1))}
		}
		return pack(m)
	case DNSCNAMELoop:
		other := "loop-back." + qn
		m.Answer = []dns.RR{cnameRR(qn, other), cnameRR(other, qn)}
		return pack(m)
	}
	return nil
}

// forgeries are the replies DNSForgeriesFirst sends before the real one.
func (h *HostileDNS) forgeries(q []byte) [][]byte {
	query := new(dns.Msg)
	if err := query.Unpack(q); err != nil || len(query.Question) != 1 {
		return nil
	}
	forged := new(dns.Msg).SetReply(query)
	forged.Question[0].Name = ForgedName
	forged.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: ForgedName, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(ForgedAddr)}}
	sameID, _ := forged.Pack()
	forged.Question[0].Name = query.Question[0].Name
	forged.Answer[0].Header().Name = query.Question[0].Name
	forged.Id ^= 0x5a5a
	otherID, _ := forged.Pack()
	return [][]byte{sameID, otherID, []byte("noise, not DNS")}
}

// mixCase upper-cases every other letter of name.
func mixCase(name string) string {
	b := []byte(name)
	for i := 0; i < len(b); i += 2 {
		if 'a' <= b[i] && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

// EvilSelfSigned makes a self-signed certificate nobody trusts whose
// subject and issuer are terminal attacks; its name still matches
// www.lab.test, so only the trust check fails.
func EvilSelfSigned(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name := pkix.Name{CommonName: "Evil CA" + EscAll, Organization: []string{EscTitle}}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(666), Subject: name, Issuer: name, DNSNames: []string{"www.lab.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// EvilCertificate is a leaf for www.lab.test, trusted through the lab CA,
// whose subject, organisation, unit and second SAN are terminal attacks.
func (l *Lab) EvilCertificate() (tls.Certificate, error) {
	return l.MintCertificate(&x509.Certificate{
		Subject: pkix.Name{CommonName: "www.lab.test" + EscAll, Organization: []string{"Evil" + EscTitle + EscC1},
			OrganizationalUnit: []string{EscLink}},
		DNSNames: []string{"www.lab.test", "x" + EscClear + EscBell + EscDEL + ".evil.test"},
	})
}
