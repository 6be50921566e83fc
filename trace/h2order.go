package trace

import (
	"encoding/binary"
	"net"
	"strconv"
	"sync"

	"golang.org/x/net/http2/hpack"
)

// The HTTP/2 client library hands over response headers as a map, so
// their order is lost. h2Tap recovers it: it watches the bytes the server
// sends as they are read, frame by frame, and decodes every header block
// with its own HPACK decoder (the dynamic table needs every block, in
// order). All other frames, DATA above all, are skipped without a copy.

// HTTP/2 frame types and flags (RFC 9113 section 6).
const (
	frameHeaders      = 0x1
	framePushPromise  = 0x5
	frameContinuation = 0x9
	flagEndHeaders    = 0x4
	flagPadded        = 0x8
	flagPriority      = 0x20
)

// h2Block is one decoded header block: its status and fields in order.
type h2Block struct {
	status  int
	headers []Header
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
	block  []byte // the header block being assembled (HEADERS + CONTINUATION)
	dec    *hpack.Decoder
	broken bool // something did not parse: give up, the map order stays
	blocks map[uint32][]h2Block
}

func newH2Tap(c net.Conn) *h2Tap {
	return &h2Tap{Conn: c, dec: hpack.NewDecoder(4096, nil), blocks: map[uint32][]h2Block{}}
}

func (t *h2Tap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if n > 0 {
		t.mu.Lock()
		t.scan(p[:n])
		t.mu.Unlock()
	}
	return n, err
}

// scan advances the frame parser over b.
func (t *h2Tap) scan(b []byte) {
	for len(b) > 0 && !t.broken {
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
		if t.keep {
			t.frag = append(t.frag, b[:k]...)
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
	t.keep = t.ftype == frameHeaders || t.ftype == frameContinuation || t.ftype == framePushPromise
	t.frag = t.frag[:0]
	if t.keep && len(t.block)+t.left > maxHeadBytes {
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
		t.broken = true
		return
	}
	t.block = append(t.block, frag...)
	if t.flags&flagEndHeaders == 0 {
		return // CONTINUATION frames follow
	}
	fields, err := t.dec.DecodeFull(t.block)
	t.block = t.block[:0]
	if err != nil {
		t.broken = true
		return
	}
	if t.ftype != framePushPromise && len(t.blocks[t.stream]) <= maxInformatonal {
		t.blocks[t.stream] = append(t.blocks[t.stream], blockOf(fields))
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

func blockOf(fields []hpack.HeaderField) h2Block {
	var b h2Block
	for _, f := range fields {
		if f.IsPseudo() {
			if f.Name == ":status" {
				b.status, _ = strconv.Atoi(f.Value)
			}
			continue
		}
		b.headers = append(b.headers, Header{f.Name, f.Value}) // capped with the rest, by keepAll
	}
	return b
}

// response returns the ordered header blocks of a stream: the 1xx ones and
// the final one, whose status must match. ok is false when the tap could
// not follow.
func (t *h2Tap) response(stream uint32, status int) (informational []h2Block, final *h2Block, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	bs := t.blocks[stream]
	if t.broken || len(bs) == 0 {
		return nil, nil, false
	}
	for i, b := range bs {
		if b.status == status {
			return bs[:i], &bs[i], true
		}
	}
	return nil, nil, false
}

// forget drops a finished stream's blocks.
func (t *h2Tap) forget(stream uint32) {
	t.mu.Lock()
	delete(t.blocks, stream)
	t.mu.Unlock()
}
