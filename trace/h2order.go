package trace

import (
	"io"
	"net"
	"strconv"
	"sync"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// The HTTP/2 client library hands over response headers as a map, so
// their order is lost. h2Tap recovers it: it copies the bytes the server
// sends into a second frame reader of our own, which decodes the header
// blocks of the first stream in order. Once the final response's headers
// are seen it stops copying, so bodies pass through untouched.

// h2Block is one decoded header block: its status and fields in order.
type h2Block struct {
	status  int
	headers []Header
}

type h2Tap struct {
	net.Conn
	pw *io.PipeWriter

	mu     sync.Mutex
	done   bool
	blocks []h2Block
	ended  chan struct{}
}

// streamID is the stream of the first request on a new connection.
const firstStreamID = 1

func newH2Tap(c net.Conn) *h2Tap {
	pr, pw := io.Pipe()
	t := &h2Tap{Conn: c, pw: pw, ended: make(chan struct{})}
	go t.decode(pr)
	return t
}

func (t *h2Tap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if n > 0 && !t.isDone() {
		// A closed pipe fails at once; the copy never holds up the read
		// for longer than the decoder takes to parse a frame.
		t.pw.Write(p[:n])
	}
	return n, err
}

func (t *h2Tap) isDone() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.done
}

// decode reads frames until the final response's headers, or any error.
func (t *h2Tap) decode(r *io.PipeReader) {
	defer close(t.ended)
	fr := http2.NewFramer(io.Discard, r)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.MaxHeaderListSize = maxHeadBytes
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			break
		}
		mh, ok := f.(*http2.MetaHeadersFrame)
		if !ok || mh.StreamID != firstStreamID {
			continue
		}
		b := blockOf(mh)
		t.mu.Lock()
		if len(t.blocks) < maxInformatonal+1 {
			t.blocks = append(t.blocks, b)
		}
		t.mu.Unlock()
		if b.status >= 200 || b.status == 0 {
			break
		}
	}
	t.mu.Lock()
	t.done = true
	t.mu.Unlock()
	r.CloseWithError(io.EOF)
}

func blockOf(mh *http2.MetaHeadersFrame) h2Block {
	var b h2Block
	for _, f := range mh.Fields {
		if f.IsPseudo() {
			if f.Name == ":status" {
				b.status, _ = strconv.Atoi(f.Value)
			}
			continue
		}
		if len(b.headers) < maxHeadersKept {
			b.headers = append(b.headers, Header{f.Name, f.Value})
		}
	}
	return b
}

// final returns the ordered header blocks once decoding has ended: the
// 1xx ones and the final one. ok is false when they are not complete.
func (t *h2Tap) final(status int) (informational []h2Block, final *h2Block, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.blocks); n > 0 && t.blocks[n-1].status == status {
		return t.blocks[:n-1], &t.blocks[n-1], true
	}
	return nil, nil, false
}

// stop ends the copying (used when the exchange ends early).
func (t *h2Tap) stop() {
	t.mu.Lock()
	t.done = true
	t.mu.Unlock()
	t.pw.CloseWithError(io.EOF)
}
