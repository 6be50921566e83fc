package trace

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// The HTTP/2 client library hands over response headers as a map, so
// their order is lost. h2Tap recovers it: it watches the bytes the server
// sends as they are read, frame by frame, and decodes every header block
// with its own HPACK decoder (the dynamic table needs every block, in
// order). All other frames, DATA above all, are skipped without a copy.
//
// A server chooses what the decoder produces, and HPACK lets one byte
// name a field of up to 4 KiB again: decoded, blocks can be dozens of
// times larger than on the wire. So the tap decodes a fragment at a time
// and keeps fields only for the streams the engine has in flight (a Pool
// runs many on one connection), within the caps a Result's heads have
// anyway: per stream at most maxInformatonal 1xx blocks and one final
// block, keeper's caps per block, and maxInformationalKept over all the
// 1xx fields; and at most maxTapStreams streams followed at once.
//
// Which stream is whose is read off the wire too: the client's bytes pass
// through the tap's Write, and the first new stream's HEADERS frame
// written while a hop holds the connection's open lock (see open) is that
// hop's, whatever ID x/net gave it.

// HTTP/2 frame types and flags (RFC 9113 section 6).
const (
	frameData         = 0x0
	frameHeaders      = 0x1
	framePushPromise  = 0x5
	frameWindowUpdate = 0x8
	frameContinuation = 0x9
	flagEndHeaders    = 0x4
	flagPadded        = 0x8
	flagPriority      = 0x20
)

// h2Block is one decoded header block: its status and fields in order,
// within keeper's caps (what was cut is counted).
type h2Block struct {
	status int
	keeper
	full bool // a 1xx block that ran out of the 1xx budget: the rest is cut
	size int  // the header list size so far, as RFC 9113 counts it
}

type h2Tap struct {
	net.Conn

	mu     sync.Mutex
	head   [9]byte // the frame header being read
	headN  int
	left   int  // payload bytes of the current frame still to come
	keep   bool // the current frame carries a header block fragment
	ftype  byte
	flags  byte
	stream uint32
	frag   []byte // the current frame's payload, when kept
	dec    *hpack.Decoder
	broken bool // something did not parse: give up, the map order stays

	streams map[uint32]*tapStream // the streams whose blocks are kept
	cur     *h2Block              // the block being decoded, when it is kept
	curSt   *tapStream            // whose it is

	// The client's side: pending is the stream a hop is opening, which
	// the next new stream's HEADERS frame the client writes belongs to.
	pending   *tapStream
	out       [9]byte // the client frame header being written
	outN      int
	outLeft   int
	maxClient uint32 // the highest stream the client opened
	// prefaceLeft counts the bytes of the client's connection preface
	// ("PRI * HTTP/2.0...") still to be written: they come before any frame.
	prefaceLeft int

	// Frames that do not advance a followed response, since the last that did.
	noise   int
	noiseBy map[byte]int // by frame type
	updates int          // WINDOW_UPDATE frames, over the connection's life
	written int64        // bytes the client wrote
	flood   error        // set once noise passed maxH2Noise: every Read fails with it

	// first holds the first bytes the server sent, to tell an HTTP/1.1
	// answer to the HTTP/2 preface whatever error x/net reports for it.
	first []byte

	// What x/net is about to refuse, in words it does not give (its
	// errors say only PROTOCOL_ERROR): the first violation seen on the
	// connection (each followed stream keeps its own too).
	violation string
	length    int  // the current frame's payload length
	padCheck  bool // the current frame is a padded DATA frame: check its first byte
}

// tapStream is what the tap keeps of one followed stream.
type tapStream struct {
	id        uint32    // 0 until its HEADERS frame was written
	blocks    []h2Block // its blocks, in order
	infoKept  int       // bytes of names and values kept over its 1xx blocks
	partial   int64     // bytes of its header block in progress (not yet END_HEADERS)
	violation string    // the first violation seen on its frames
}

// maxTapStreams bounds the streams followed at once, and with the
// per-stream caps the tap's memory: a stream opened beyond it keeps the
// map order (sorted). x/net's default for the server's
// SETTINGS_MAX_CONCURRENT_STREAMS is 100 until the server says; Chrome
// allows at most 256 streams per session.
const maxTapStreams = 256

// maxH2Noise bounds the frames a server may send without advancing the
// response in flight (HEADERS or DATA on its stream): PING, SETTINGS,
// empty CONTINUATION, frames for other streams or of unknown types. Each
// costs the client work (a PING or SETTINGS even an answer), and x/net
// puts no bound on them. Go's own HTTP/2 server stops a client at 10,000
// queued control frames.
const maxH2Noise = 10000

// h2FloodError ends a connection whose server sent maxH2Noise frames in a
// row without advancing the response.
type h2FloodError struct {
	n      int
	byType map[byte]int
}

func (e *h2FloodError) Error() string {
	return fmt.Sprintf("the server sent %d HTTP/2 frames without a response (%s)", e.n, e.types())
}

// types lists the frame types of the flood, the most frequent first.
func (e *h2FloodError) types() string {
	ts := slices.Collect(maps.Keys(e.byType))
	slices.SortFunc(ts, func(a, b byte) int {
		if d := e.byType[b] - e.byType[a]; d != 0 {
			return d
		}
		return int(a) - int(b)
	})
	var parts []string
	for _, t := range ts[:min(len(ts), 3)] {
		parts = append(parts, fmt.Sprintf("%d %s", e.byType[t], http2.FrameType(t)))
	}
	return strings.Join(parts, ", ")
}

func newH2Tap(c net.Conn) *h2Tap {
	t := &h2Tap{Conn: c, streams: map[uint32]*tapStream{}, prefaceLeft: len(http2.ClientPreface)}
	t.dec = hpack.NewDecoder(4096, t.field)
	t.dec.SetMaxStringLength(maxHeadBytes)
	return t
}

// expect follows a stream whose ID is known (tests, and any stream the
// caller opened itself).
func (t *h2Tap) expect(stream uint32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.follow(&tapStream{id: stream})
}

// follow starts keeping st's blocks. A connection without other streams in
// flight starts afresh: what it saw for an earlier one is no concern of
// st's. t.mu is held.
func (t *h2Tap) follow(st *tapStream) {
	if len(t.streams) == 0 {
		t.violation = ""
	}
	if len(t.streams) < maxTapStreams {
		t.streams[st.id] = st
	}
}

// open marks the stream a hop is about to open: the next new stream the
// client writes HEADERS for is st. The caller holds the connection's
// open lock until settle.
func (t *h2Tap) open() *tapStream {
	st := &tapStream{}
	t.mu.Lock()
	t.pending = st
	t.mu.Unlock()
	return st
}

// settle ends the opening of st and returns its stream ID, 0 when its
// HEADERS frame was never written.
func (t *h2Tap) settle(st *tapStream) uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending == st {
		t.pending = nil
	}
	return st.id
}

func (t *h2Tap) Read(p []byte) (int, error) {
	t.mu.Lock()
	flood := t.flood
	t.mu.Unlock()
	if flood != nil {
		return 0, flood
	}
	n, err := t.Conn.Read(p)
	if n > 0 {
		t.mu.Lock()
		if room := len("HTTP/1.") - len(t.first); room > 0 {
			t.first = append(t.first, p[:min(room, n)]...)
		}
		t.scan(p[:n])
		flood = t.flood
		t.mu.Unlock()
	}
	if flood != nil {
		return 0, flood // the connection ends here: x/net closes it
	}
	return n, err
}

// spokeHTTP1 reports whether the server answered in HTTP/1.x.
func (t *h2Tap) spokeHTTP1() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.first) == "HTTP/1."
}

// Write counts what the client sends (WINDOW_UPDATE frames answer it)
// and finds the stream a hop opens, before the bytes go out: the
// server's answer cannot come before the tap knows whose it is.
func (t *h2Tap) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.scanOut(p)
	t.mu.Unlock()
	n, err := t.Conn.Write(p)
	t.mu.Lock()
	t.written += int64(n)
	t.mu.Unlock()
	return n, err
}

// scanOut walks the client's frames, headers only. t.mu is held.
func (t *h2Tap) scanOut(b []byte) {
	if k := min(t.prefaceLeft, len(b)); k > 0 { // the preface is no frame
		t.prefaceLeft -= k
		b = b[k:]
	}
	for len(b) > 0 {
		if t.outLeft > 0 {
			k := min(t.outLeft, len(b))
			t.outLeft -= k
			b = b[k:]
			continue
		}
		k := copy(t.out[t.outN:], b)
		t.outN += k
		b = b[k:]
		if t.outN < len(t.out) {
			return
		}
		t.outN = 0
		t.outLeft = int(t.out[0])<<16 | int(t.out[1])<<8 | int(t.out[2])
		id := binary.BigEndian.Uint32(t.out[5:]) & 0x7fffffff
		if t.out[3] == frameHeaders && id > t.maxClient {
			t.maxClient = id
			if st := t.pending; st != nil {
				t.pending, st.id = nil, id
				t.follow(st)
			}
		}
	}
}

// scan advances the frame parser over b.
func (t *h2Tap) scan(b []byte) {
	for len(b) > 0 && t.flood == nil {
		if t.headN < len(t.head) {
			k := copy(t.head[t.headN:], b)
			t.headN += k
			b = b[k:]
			if t.headN == len(t.head) {
				t.startFrame()
			}
			continue
		}
		k := min(t.left, len(b))
		if t.padCheck && k > 0 {
			t.padCheck = false
			if int(b[0]) >= t.length {
				t.violate(fmt.Sprintf("the server sent a DATA frame whose padding (%d bytes) is longer than the frame (%d bytes), which RFC 9113 forbids", b[0], t.length))
			}
		}
		if t.keep {
			t.frag = append(t.frag, b[:k]...)
		}
		if st := t.streams[t.stream]; t.keep && st != nil {
			st.partial += int64(k)
		}
		t.left -= k
		b = b[k:]
		if t.left == 0 {
			t.endFrame()
		}
	}
}

func (t *h2Tap) startFrame() {
	t.left = int(t.head[0])<<16 | int(t.head[1])<<8 | int(t.head[2])
	t.ftype, t.flags = t.head[3], t.head[4]
	t.stream = binary.BigEndian.Uint32(t.head[5:]) & 0x7fffffff
	t.keep = !t.broken && (t.ftype == frameHeaders || t.ftype == frameContinuation || t.ftype == framePushPromise)
	t.frag = t.frag[:0]
	t.length = t.left
	t.padCheck = t.ftype == frameData && t.flags&flagPadded != 0
	if t.padCheck && t.left == 0 {
		t.violate("the server sent an empty padded DATA frame (no room for its pad length), which RFC 9113 forbids")
	}
	if st := t.streams[t.stream]; t.keep && st != nil {
		st.partial += int64(len(t.head))
	}
	t.count()
	if t.keep && t.left > maxHeadBytes { // larger than any peer may send (16 KiB unless we raise it)
		t.broken = true
	}
	if t.left == 0 {
		t.endFrame()
	}
}

func (t *h2Tap) endFrame() {
	t.headN = 0
	if !t.keep {
		return
	}
	frag, ok := t.fragment()
	if !ok {
		t.violate(fmt.Sprintf("the server sent a %s frame whose padding or priority fields are longer than the frame (%d bytes), which RFC 9113 forbids", http2.FrameType(t.ftype), t.length))
		t.broken = true
		return
	}
	st := t.streams[t.stream]
	if t.ftype != frameContinuation {
		t.cur, t.curSt = nil, nil
		if t.ftype == frameHeaders && st != nil && len(st.blocks) <= maxInformatonal {
			t.cur, t.curSt = &h2Block{}, st
		}
	}
	// A block of another stream is decoded only to keep the dynamic table
	// in step: with emit off the decoder builds no strings, so a flood of
	// amplified blocks there (hostile) is not turned into garbage.
	t.dec.SetEmitEnabled(t.cur != nil)
	if _, err := t.dec.Write(frag); err != nil {
		t.broken = true
		return
	}
	if t.flags&flagEndHeaders == 0 {
		return // CONTINUATION frames follow
	}
	if st != nil {
		st.partial = 0
	}
	if err := t.dec.Close(); err != nil {
		t.broken = true
		return
	}
	if t.cur != nil {
		t.curSt.blocks = append(t.curSt.blocks, *t.cur)
		t.cur, t.curSt = nil, nil
	}
}

// field receives each decoded field of the block being decoded; it
// keeps it only when the block is one of ours.
func (t *h2Tap) field(f hpack.HeaderField) {
	b := t.cur
	if b != nil {
		if b.size += len(f.Name) + len(f.Value) + 32; b.size > maxHeadBytes {
			t.violate(fmt.Sprintf("the response header list is larger than %d bytes (decoded, as RFC 9113 counts it), the most reqtrace accepts", maxHeadBytes))
		}
	}
	switch {
	case b == nil:
	case f.IsPseudo():
		if f.Name == ":status" {
			b.status, _ = strconv.Atoi(f.Value)
		}
	case b.status/100 == 1:
		// The 1xx fields share one budget, as keepInformational's.
		n := len(f.Name) + min(len(f.Value), maxValueKept)
		if b.full || t.curSt.infoKept+n > maxInformationalKept {
			b.full = true
			b.linesCut++
			return
		}
		kept := len(b.headers)
		if b.add(f.Name, f.Value); len(b.headers) > kept {
			t.curSt.infoKept += n
		}
	default:
		b.add(f.Name, f.Value)
	}
}

// count classifies the frame just begun as progress on a response in
// flight or as noise, and ends the connection when the noise is endless.
func (t *h2Tap) count() {
	st := t.streams[t.stream]
	ours := st != nil
	switch {
	case ours && t.ftype == frameData && !t.broken && len(st.blocks) == 0 && t.curSt != st:
		t.violate("the server sent DATA before the response's HEADERS, which RFC 9113 forbids")
	case ours && t.ftype == frameHeaders, ours && t.ftype == frameData && t.left > 0:
		t.noise, t.noiseBy = 0, nil
		return
	case t.ftype == frameWindowUpdate:
		// Flow control answers the data the client sends: one update per
		// KiB it wrote is no flood.
		if t.updates++; t.updates <= int(t.written>>10) {
			return
		}
	}
	if t.noiseBy == nil {
		t.noiseBy = map[byte]int{}
	}
	t.noise++
	t.noiseBy[t.ftype]++
	if t.noise >= maxH2Noise {
		t.flood = &h2FloodError{n: t.noise, byType: t.noiseBy}
	}
}

// fragment strips the padding, priority and promised-stream fields that
// surround a header block fragment.
func (t *h2Tap) fragment() ([]byte, bool) {
	f := t.frag
	if t.ftype == frameContinuation {
		return f, true
	}
	pad := 0
	if t.flags&flagPadded != 0 {
		if len(f) < 1 {
			return nil, false
		}
		pad, f = int(f[0]), f[1:]
	}
	switch {
	case t.ftype == framePushPromise:
		if len(f) < 4 {
			return nil, false
		}
		f = f[4:]
	case t.flags&flagPriority != 0:
		if len(f) < 5 {
			return nil, false
		}
		f = f[5:]
	}
	if pad > len(f) {
		return nil, false
	}
	return f[:len(f)-pad], true
}

func (t *h2Tap) violate(what string) {
	if t.violation == "" {
		t.violation = what
	}
	if st := t.streams[t.stream]; st != nil && st.violation == "" {
		st.violation = what
	}
}

// h2Violation is an error x/net's client raised against the server's
// frames, with the tap's words for what was wrong.
type h2Violation struct {
	what string
	err  error
}

func (v *h2Violation) Error() string { return v.what + ": " + v.err.Error() }
func (v *h2Violation) Unwrap() error { return v.err }

// explain adds the violation the tap saw, if any, to an HTTP/2 error the
// client raised itself: a connection error gets the connection's first,
// a stream error it did not receive from the server the stream's own
// (or the connection's, when the stream is the only one in flight).
func (t *h2Tap) explain(stream uint32, err error) error {
	var ce http2.ConnectionError
	var se http2.StreamError
	t.mu.Lock()
	what := ""
	switch {
	case errors.As(err, &ce):
		what = t.violation
	case errors.As(err, &se) && !fromPeer(se):
		if st := t.streams[stream]; st != nil {
			what = st.violation
		}
		if what == "" && len(t.streams) <= 1 {
			what = t.violation
		}
	}
	t.mu.Unlock()
	if what == "" {
		return err
	}
	return &h2Violation{what, err}
}

// fromPeer reports whether the server sent the stream error (RST_STREAM)
// rather than the client raising it. x/net marks the first kind with a
// Cause it does not export.
func fromPeer(se http2.StreamError) bool {
	return se.Cause != nil && se.Cause.Error() == "received from peer"
}

// partialHead returns how many bytes of stream's header block had come
// when the block was still unfinished: 0 when none was in progress.
func (t *h2Tap) partialHead(stream uint32) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.streams[stream]; st != nil {
		return st.partial
	}
	return 0
}

// response returns the ordered header blocks of a stream: the 1xx ones and
// the final one, whose status must match. ok is false when the tap could
// not follow.
func (t *h2Tap) response(stream uint32, status int) (informational []h2Block, final *h2Block, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.streams[stream]
	if t.broken || st == nil || len(st.blocks) == 0 {
		return nil, nil, false
	}
	for i, b := range st.blocks {
		if b.status == status {
			return st.blocks[:i], &st.blocks[i], true
		}
	}
	return nil, nil, false
}

// forget drops a finished stream's blocks.
func (t *h2Tap) forget(stream uint32) {
	t.mu.Lock()
	if st := t.streams[stream]; st != nil {
		delete(t.streams, stream)
		if t.curSt == st {
			t.cur, t.curSt = nil, nil
		}
	}
	t.mu.Unlock()
}
