package trace

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Frames writes frames with x/net's framer (as a server would) and
// returns the bytes; blocks are encoded with one shared HPACK encoder.
type h2Frames struct {
	buf bytes.Buffer
	fr  *http2.Framer
	hb  bytes.Buffer
	enc *hpack.Encoder
}

func newH2Frames() *h2Frames {
	f := &h2Frames{}
	f.fr = http2.NewFramer(&f.buf, nil)
	f.enc = hpack.NewEncoder(&f.hb)
	return f
}

func (f *h2Frames) block(fields ...string) []byte {
	f.hb.Reset()
	for i := 0; i+1 < len(fields); i += 2 {
		f.enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
	}
	return bytes.Clone(f.hb.Bytes())
}

func (f *h2Frames) headers(stream uint32, fields ...string) {
	f.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: stream, BlockFragment: f.block(fields...), EndHeaders: true})
}

// TestH2TapKeepsOnlyTheExpectedStream: blocks on other streams are decoded
// (the HPACK table needs them) but not kept, and a flood of 1xx blocks
// stops being kept at the caps.
func TestH2TapKeepsOnlyTheExpectedStream(t *testing.T) {
	f := newH2Frames()
	f.fr.WriteSettings()
	for i := range 500 {
		f.headers(uint32(3+2*i), ":status", "200", "x-other", strings.Repeat("o", 1000))
	}
	for range 40 {
		f.headers(1, ":status", "103", "link", strings.Repeat("l", 10000))
	}
	f.headers(1, ":status", "200", "z", "1", "a", "2")
	f.fr.WriteData(1, true, []byte("body"))

	tap := newH2Tap(nil)
	tap.expect(1)
	tap.scan(f.buf.Bytes())
	if tap.broken {
		t.Fatal("the tap gave up on valid frames")
	}
	st := tap.streams[1]
	if len(st.blocks) != maxInformatonal+1 {
		t.Errorf("%d blocks kept, want %d (the 1xx cap and one more)", len(st.blocks), maxInformatonal+1)
	}
	if st.infoKept > maxInformationalKept {
		t.Errorf("%d bytes of 1xx fields kept, the cap is %d", st.infoKept, maxInformationalKept)
	}
	for _, b := range st.blocks {
		for _, h := range b.headers {
			if h.Name == "x-other" {
				t.Fatal("a block of another stream was kept")
			}
		}
	}
	// The final block came after the 1xx cap: it is not among the kept
	// blocks, so the order is not recovered (the map order stays).
	if _, final, ok := tap.response(1, 200); ok || final != nil {
		t.Errorf("a final block was found beyond the 1xx cap")
	}

	// Within the caps the final block is found, with its order.
	tap = newH2Tap(nil)
	tap.expect(1)
	g := newH2Frames()
	g.headers(3, ":status", "200", "x-other", "o")
	g.headers(1, ":status", "103", "link", "</a>")
	g.headers(1, ":status", "200", "z", "1", "a", "2")
	tap.scan(g.buf.Bytes())
	infos, final, ok := tap.response(1, 200)
	if !ok || len(infos) != 1 || len(final.headers) != 2 || final.headers[0].Name != "z" {
		t.Fatalf("response: ok %v infos %+v final %+v", ok, infos, final)
	}
	tap.forget(1)
	if tap.streams[1] != nil {
		t.Error("forget kept the blocks")
	}
}

// FuzzH2Tap feeds the frame scanner arbitrary server bytes: it must not
// panic, must keep within its caps, and must see the same thing whether
// the bytes come in one read or in many.
func FuzzH2Tap(f *testing.F) {
	g := newH2Frames()
	g.fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100})
	g.headers(1, ":status", "103", "link", "</a.css>")
	g.headers(3, ":status", "200", "x-other", "o")
	g.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: g.block(":status", "200", "b", "2"), EndHeaders: false, PadLength: 3,
		Priority: http2.PriorityParam{StreamDep: 0, Weight: 1}})
	g.fr.WriteContinuation(1, false, nil)
	g.fr.WriteContinuation(1, true, g.block("a", "1"))
	g.fr.WritePushPromise(http2.PushPromiseParam{StreamID: 1, PromiseID: 2, BlockFragment: g.block(":path", "/x"), EndHeaders: true})
	g.fr.WriteData(1, true, []byte("body"))
	f.Add(g.buf.Bytes(), uint8(7))
	f.Add([]byte{0, 0, 1, 1, 4, 0, 0, 0, 1, 0xbe}, uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, step uint8) {
		// Two streams followed at once, as a Pool's connection has them.
		whole := newH2Tap(nil)
		whole.expect(1)
		whole.expect(3)
		whole.scan(b)
		parts := newH2Tap(nil)
		parts.expect(1)
		parts.expect(3)
		for rest, n := b, int(step)+1; len(rest) > 0; {
			k := min(n, len(rest))
			parts.scan(rest[:k])
			rest = rest[k:]
		}
		for _, id := range []uint32{1, 3} {
			w, p := whole.streams[id], parts.streams[id]
			if whole.broken != parts.broken || len(w.blocks) != len(p.blocks) {
				t.Fatalf("stream %d: one read: broken %v, %d blocks; reads of %d: broken %v, %d blocks", id, whole.broken, len(w.blocks), step+1, parts.broken, len(p.blocks))
			}
			if len(w.blocks) > maxInformatonal+1 || w.infoKept > maxInformationalKept {
				t.Fatalf("stream %d: %d blocks, %d bytes of 1xx fields kept", id, len(w.blocks), w.infoKept)
			}
			for _, bl := range w.blocks {
				if len(bl.headers) > maxHeadersKept || bl.bytes > maxHeadKept {
					t.Fatalf("a block keeps %d lines, %d bytes", len(bl.headers), bl.bytes)
				}
			}
		}
	})
}

// TestH2TapFollowsManyStreams: blocks of streams in flight together are
// kept apart, each in its own order, and the client's HEADERS frame tells
// which stream a hop opened; no more than maxTapStreams are followed.
func TestH2TapFollowsManyStreams(t *testing.T) {
	tap := newH2Tap(nil)
	client := newH2Frames()
	client.buf.WriteString(http2.ClientPreface)
	client.fr.WriteSettings()
	client.headers(1, ":method", "GET")
	tap.scanOut(client.buf.Bytes()[:10]) // the preface split over writes
	tap.scanOut(client.buf.Bytes()[10:])
	tap.expect(1)
	// Another stream's trailers are no new stream.
	client.buf.Reset()
	st := tap.open()
	client.headers(1, "x-trailer", "t")
	client.headers(5, ":method", "GET")
	tap.scanOut(client.buf.Bytes())
	if id := tap.settle(st); id != 5 {
		t.Fatalf("the hop's stream is %d, want 5", id)
	}
	if tap.open() != nil && tap.settle(&tapStream{}) != 0 {
		t.Fatal("a stream never written has an ID")
	}

	f := newH2Frames()
	f.headers(5, ":status", "200", "b", "5", "a", "5")
	f.headers(1, ":status", "103", "link", "</1>")
	f.headers(1, ":status", "404", "z", "1", "y", "1")
	tap.scan(f.buf.Bytes())
	for id, want := range map[uint32][]string{1: {"z", "y"}, 5: {"b", "a"}} {
		status := map[uint32]int{1: 404, 5: 200}[id]
		infos, final, ok := tap.response(id, status)
		if !ok || len(final.headers) != 2 || final.headers[0].Name != want[0] || final.headers[1].Name != want[1] {
			t.Fatalf("stream %d: ok %v final %+v", id, ok, final)
		}
		if len(infos) != map[uint32]int{1: 1, 5: 0}[id] {
			t.Errorf("stream %d: %d 1xx blocks", id, len(infos))
		}
	}

	for i := range maxTapStreams + 10 {
		tap.expect(uint32(7 + 2*i))
	}
	if len(tap.streams) != maxTapStreams {
		t.Errorf("%d streams followed, the cap is %d", len(tap.streams), maxTapStreams)
	}
}
