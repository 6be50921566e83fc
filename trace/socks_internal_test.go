package trace

import (
	"bytes"
	"net"
	"net/url"
	"testing"
)

// scriptedConn answers with fixed bytes and swallows what is written.
type scriptedConn struct {
	net.Conn
	r *bytes.Reader
}

func (c scriptedConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c scriptedConn) Write(p []byte) (int, error) { return len(p), nil }

// FuzzSOCKSHandshake: whatever a proxy answers, the handshake ends with
// an error or a tunnel, never a panic, and reads no more than it needs.
func FuzzSOCKSHandshake(f *testing.F) {
	f.Add([]byte{5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0, 80}, true)
	f.Add([]byte{5, 2, 1, 0, 5, 0, 0, 3, 3, 'a', 'b', 'c', 0, 80}, true)
	f.Add([]byte{5, 2, 1, 1}, true)
	f.Add([]byte{5, 0, 5, 4, 0, 1}, false)
	f.Add([]byte{5, 0xff}, false)
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"), false)
	f.Fuzz(func(t *testing.T, answer []byte, withUser bool) {
		var user *url.Userinfo
		if withUser {
			user = url.UserPassword("u", "p")
		}
		r := bytes.NewReader(answer)
		err := socksHandshake(scriptedConn{r: r}, user, socksName("www.lab.test"), 443)
		if err == nil && len(answer)-r.Len() > 2+2+4+1+255+2 {
			t.Errorf("a tunnel after reading %d bytes of handshake", len(answer)-r.Len())
		}
	})
}
