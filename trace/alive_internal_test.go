package trace

import (
	"bufio"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// idleConn returns a client connection (over TLS when secure) whose
// server side is handed to serve once the handshake is done.
func idleConn(t *testing.T, secure bool, serve func(net.Conn)) *conn {
	t.Helper()
	lab := tracetest.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	cert, err := lab.Certificate("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		if secure {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			if tc.Handshake() != nil {
				return
			}
			c = tc
		}
		serve(c)
	}()
	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	if secure {
		tc := tls.Client(nc, &tls.Config{ServerName: "www.lab.test", RootCAs: lab.CertPool()})
		if err := tc.Handshake(); err != nil {
			t.Fatal(err)
		}
		nc = tc
	}
	sc := newStampConn(nc, newClock())
	return &conn{sc: sc, br: bufio.NewReader(sc)}
}

// TestAliveDoesNotWait: the check before reusing an idle HTTP/1.1
// connection looks at the socket; it does not wait out a read timeout
// (it did: 1 ms per reuse, in no phase).
func TestAliveDoesNotWait(t *testing.T) {
	for _, secure := range []bool{false, true} {
		hold := make(chan struct{})
		c := idleConn(t, secure, func(s net.Conn) { <-hold; s.Close() })
		const n = 1000
		start := time.Now()
		for range n {
			if !c.alive() {
				t.Fatalf("secure=%v: an idle open connection is not alive", secure)
			}
		}
		// The old check took at least 1 ms each: n ms in all. Looking at
		// the socket takes microseconds; the bound only has to be below n ms.
		if d := time.Since(start); d >= n*time.Millisecond {
			t.Errorf("secure=%v: %d checks took %v: they wait", secure, n, d)
		}
		close(hold)
	}
}

// TestAliveSeesClosedAndUnaskedBytes: a connection the server closed, or
// on which it sent bytes nobody asked for, is not reused.
func TestAliveSeesClosedAndUnaskedBytes(t *testing.T) {
	cases := []struct {
		name   string
		secure bool
		serve  func(net.Conn)
	}{
		{"closed", false, func(s net.Conn) { s.Close() }},
		{"closed under TLS", true, func(s net.Conn) { s.Close() }},
		{"unasked bytes", false, func(s net.Conn) { s.Write([]byte("HTTP/1.1 408 Request Timeout\r\n\r\n")) }},
		{"unasked bytes under TLS", true, func(s net.Conn) { s.Write([]byte("HTTP/1.1 408 Request Timeout\r\n\r\n")) }},
	}
	for _, k := range cases {
		c := idleConn(t, k.secure, k.serve)
		deadline := time.Now().Add(10 * time.Second) // until the bytes or the FIN arrive
		for c.alive() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: still alive after 10 s", k.name)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
