package trace_test

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// Hostile QUIC servers, on raw UDP sockets: each must end in bounded
// time with the right kind and hint.

// udpServer answers every datagram with what reply returns (nothing for
// nil), until the test ends; it counts the datagrams it got.
type udpServer struct {
	pc   net.PacketConn
	mu   sync.Mutex
	got  int
	done sync.WaitGroup
}

func startUDP(t *testing.T, reply func(pkt []byte) [][]byte) *udpServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &udpServer{pc: pc}
	s.done.Go(func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.got++
			s.mu.Unlock()
			for _, out := range reply(buf[:n]) {
				pc.WriteTo(out, from)
			}
		}
	})
	t.Cleanup(func() { pc.Close(); s.done.Wait() })
	return s
}

func (s *udpServer) port() int { return s.pc.LocalAddr().(*net.UDPAddr).Port }

func (s *udpServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got
}

// longHeader reads a long-header packet's version and connection IDs.
func longHeader(p []byte) (version uint32, dcid, scid []byte, ok bool) {
	if len(p) < 7 || p[0]&0x80 == 0 {
		return 0, nil, nil, false
	}
	version = binary.BigEndian.Uint32(p[1:5])
	dl := int(p[5])
	if len(p) < 6+dl+1 {
		return 0, nil, nil, false
	}
	dcid = p[6 : 6+dl]
	sl := int(p[6+dl])
	if len(p) < 7+dl+sl {
		return 0, nil, nil, false
	}
	return version, dcid, p[7+dl : 7+dl+sl], true
}

// versionNegotiation is RFC 9000 section 17.2.1's packet, listing
// versions the client does not speak.
func versionNegotiation(p []byte) [][]byte {
	_, dcid, scid, ok := longHeader(p)
	if !ok {
		return nil
	}
	out := []byte{0x80 | 0x3a, 0, 0, 0, 0, byte(len(scid))}
	out = append(out, scid...)
	out = append(out, byte(len(dcid)))
	out = append(out, dcid...)
	for _, v := range []uint32{0x1a2a3a4a, 0xff00001d} {
		out = binary.BigEndian.AppendUint32(out, v)
	}
	return [][]byte{out}
}

// RFC 9001 section 5.8: the Retry integrity key and nonce of QUIC v1.
var (
	retryKey   = []byte{0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a, 0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e}
	retryNonce = []byte{0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63, 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb}
)

// retryLoop answers every Initial with a valid Retry (a new token and
// connection ID each time), so the handshake never gets past it.
func retryLoop() func([]byte) [][]byte {
	n := 0
	return func(p []byte) [][]byte {
		version, dcid, scid, ok := longHeader(p)
		if !ok || version != 1 || (p[0]>>4)&0x3 != 0 { // v1 Initial only
			return nil
		}
		n++
		newID := []byte(fmt.Sprintf("retry-%03d", n%1000))
		pkt := []byte{0xf0, 0, 0, 0, 1, byte(len(scid))}
		pkt = append(pkt, scid...)
		pkt = append(pkt, byte(len(newID)))
		pkt = append(pkt, newID...)
		pkt = append(pkt, fmt.Sprintf("token-%d", n)...)
		pseudo := append(append([]byte{byte(len(dcid))}, dcid...), pkt...)
		block, _ := aes.NewCipher(retryKey)
		gcm, _ := cipher.NewGCM(block)
		return [][]byte{gcm.Seal(pkt, retryNonce, nil, pseudo)}
	}
}

func hostileURL(port int) string { return fmt.Sprintf("https://www.lab.test:%d/", port) }

// A server that never answers an Initial: quic_timeout with the UDP hint,
// at the connect timeout.
func TestHTTP3Silent(t *testing.T) {
	lab := tracetest.New(t)
	s := startUDP(t, func([]byte) [][]byte { return nil })
	start := time.Now()
	res := run(t, lab, hostileURL(s.port()), h3("3-only"), func(o *trace.Options) { o.ConnectTimeout = 600 * time.Millisecond })
	took := time.Since(start)
	if res.Err == nil || res.Err.Kind != trace.KindQUICTimeout || !strings.Contains(res.Err.Hint, "UDP") || s.count() == 0 {
		t.Fatalf("%+v after %d datagrams", res.Err, s.count())
	}
	if took < 600*time.Millisecond || took > 15*time.Second {
		t.Errorf("gave up after %v, want the 600 ms connect timeout", took)
	}
}

// Version Negotiation to versions reqtrace does not speak: a handshake
// failure that names them, at once, not a timeout.
func TestHTTP3VersionNegotiation(t *testing.T) {
	lab := tracetest.New(t)
	s := startUDP(t, versionNegotiation)
	start := time.Now()
	res := run(t, lab, hostileURL(s.port()), h3("3-only"), func(o *trace.Options) { o.ConnectTimeout = 5 * time.Second })
	if res.Err == nil || res.Err.Kind != trace.KindHandshake || !strings.Contains(res.Err.Message, "0x1a2a3a4a") || !strings.Contains(res.Err.Message, "v1") {
		t.Fatalf("%+v", res.Err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("took %v: it waited for the timeout", took)
	}
}

// A Retry loop: the client takes one Retry (RFC 9000), the second goes
// unanswered, and the handshake times out at the connect timeout with a
// message that counts them.
func TestHTTP3RetryLoop(t *testing.T) {
	lab := tracetest.New(t)
	s := startUDP(t, retryLoop())
	start := time.Now()
	res := run(t, lab, hostileURL(s.port()), h3("3-only"), func(o *trace.Options) { o.ConnectTimeout = 700 * time.Millisecond })
	took := time.Since(start)
	if res.Err == nil || res.Err.Kind != trace.KindQUICTimeout || !strings.Contains(res.Err.Message, "Retry") || !strings.Contains(res.Err.Hint, "Retry loop") {
		t.Fatalf("%+v", res.Err)
	}
	if took < 700*time.Millisecond || took > 15*time.Second {
		t.Errorf("gave up after %v, want the 700 ms connect timeout", took)
	}
	// quic-go resends its Initial a bounded number of times: no flood.
	if n := s.count(); n < 2 || n > 200 {
		t.Errorf("%d datagrams to the Retry loop", n)
	}
}

// A stream reset mid-body: http3_error, with the bytes that came kept.
func TestHTTP3StreamReset(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("https", "www.lab.test", "/reset/3000"), h3("3-only"))
	if res.Err == nil || res.Err.Kind != trace.KindHTTP3 || res.Err.Phase != trace.PhaseReceive {
		t.Fatalf("%+v", res.Err)
	}
	hop := res.Hops[len(res.Hops)-1]
	if hop.Response == nil || hop.Response.Status != 200 || hop.Response.BodyBytes != 3000 {
		t.Errorf("response %+v", hop.Response)
	}
	if !strings.Contains(res.Err.Message, "reset") {
		t.Errorf("message %q", res.Err.Message)
	}
}

// The server's transport parameters and the Retry count reach the hop.
func TestHTTP3TransportParams(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/"), h3("3-only")))
	p := hop.QUIC.Peer
	// quic-go's server defaults: 30 s idle timeout, 100 bidirectional
	// streams; the lab enables no datagrams.
	if p == nil || p.IdleTimeout != 30*time.Second || p.MaxStreamsBidi != 100 || p.MaxDatagramFrame != 0 || p.MaxUDPPayload == 0 || hop.QUIC.Retries != 0 {
		t.Errorf("peer params %+v, retries %d", p, hop.QUIC.Retries)
	}
}
