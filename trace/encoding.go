package trace

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"strings"
)

// acceptEncoding is what --compressed asks for: the codings the standard
// library can undo.
const acceptEncoding = "deflate, gzip"

// decodable reports whether the body carries one coding reqtrace undoes.
func decodable(hs []Header) bool {
	switch strings.ToLower(strings.TrimSpace(headerValue(hs, "Content-Encoding"))) {
	case "gzip", "x-gzip", "deflate":
		return true
	}
	return false
}

// newDecoder undoes a gzip or deflate coding. "deflate" is meant to be
// zlib-wrapped (RFC 9110 section 8.4.1.2), but some servers send raw
// deflate; the zlib header tells them apart.
func newDecoder(r io.Reader, coding string) io.Reader {
	if c := strings.ToLower(strings.TrimSpace(coding)); c == "gzip" || c == "x-gzip" {
		return &lazyDecoder{open: func() (io.Reader, error) { return gzip.NewReader(r) }}
	}
	br := bufio.NewReader(r)
	return &lazyDecoder{open: func() (io.Reader, error) {
		if h, err := br.Peek(2); err == nil && h[0]&0x0f == 8 && (uint(h[0])<<8|uint(h[1]))%31 == 0 {
			return zlib.NewReader(br)
		}
		return flate.NewReader(br), nil
	}}
}

// lazyDecoder opens its decoder on the first Read, so that reading the
// coding's header counts as receiving the body.
type lazyDecoder struct {
	open func() (io.Reader, error)
	r    io.Reader
}

func (d *lazyDecoder) Read(p []byte) (int, error) {
	if d.r == nil {
		r, err := d.open()
		if err != nil {
			return 0, err
		}
		d.r = r
	}
	return d.r.Read(p)
}
