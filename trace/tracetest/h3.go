package tracetest

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// startH3 serves HTTP/3 on UDP at the HTTPS port, with the same handler
// and certificates (tlsdelay-N slows the QUIC handshake as it slows TLS
// over TCP). The name noquic.lab.test never gets a QUIC answer, as if UDP
// were filtered; responses for h3.lab.test names advertise HTTP/3 with
// Alt-Svc. The server takes 0-RTT on resumed sessions, except for
// no0rtt.lab.test names: they resume, but their early data is refused.
func (l *Lab) startH3(h http.Handler, udp net.PacketConn) error {
	base := l.tlsConfigs.server()
	choose := base.GetConfigForClient
	base.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		if parseName(hello.ServerName).kind == "noquic" {
			select { // drop it: the client waits out its timeout
			case <-hello.Context().Done():
			case <-l.done:
			}
			return nil, errClosing
		}
		cfg, err := choose(hello)
		if err != nil || parseName(hello.ServerName).kind != "no0rtt" {
			return cfg, err
		}
		return refuseEarlyData(cfg), nil
	}
	s := &http3.Server{Handler: l.h3Only(h), ConnContext: l.quic.connContext}
	// Listening here, not in Serve's goroutine, starts quic-go's own
	// goroutines before Start returns: tests count goroutines from then.
	// Allow0RTT: a client resuming a session sends its request in the
	// first flight, as a CDN's HTTP/3 server lets it (see h3Only for the
	// unsafe methods).
	ln, err := quic.ListenEarly(udp, http3.ConfigureTLSConfig(base), &quic.Config{Allow0RTT: true})
	if err != nil {
		return fmt.Errorf("tracetest: HTTP/3 on UDP %d: %w", l.HTTPSPort, err)
	}
	l.h3 = s
	l.serving.Go(func() { s.ServeListener(ln) })
	return nil
}

// refuseEarlyData is cfg resuming sessions without their early data, as
// a server does that takes 0-RTT only sometimes (a replay window full, a
// ticket from another instance): the client's 0-RTT packets are
// discarded, and it sends again after the handshake. Its tickets are
// sealed with keys of their own (crypto/tls would otherwise use the
// listener's, which a per-client config cannot reach).
func refuseEarlyData(cfg *tls.Config) *tls.Config {
	out := cfg.Clone()
	out.WrapSession = no0RTTKeys.EncryptTicket
	out.UnwrapSession = func(identity []byte, cs tls.ConnectionState) (*tls.SessionState, error) {
		ss, err := no0RTTKeys.DecryptTicket(identity, cs)
		if ss != nil {
			ss.EarlyData = false
		}
		return ss, err
	}
	return out
}

// no0RTTKeys holds the ticket keys of no0rtt names (made on first use).
var no0RTTKeys = &tls.Config{}

// altSvc advertises HTTP/3 on the HTTPS port for h3.lab.test names.
func (l *Lab) altSvc(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if parseName(host).kind == "h3" || strings.HasPrefix(host, "h3.") {
		w.Header().Set("Alt-Svc", fmt.Sprintf(`h3=":%d"; ma=60`, l.HTTPSPort))
	}
}

// ResetCode is the HTTP/3 error code /reset/{n} resets its stream with
// (H3_INTERNAL_ERROR).
const ResetCode = 0x102

// resetAfter sends n body bytes of a longer body, then abandons the
// response: over HTTP/3 it resets the stream (RESET_STREAM with
// ResetCode), over HTTP/2 RST_STREAM, over HTTP/1.1 it closes the
// connection.
func resetAfter(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n > 1<<20 {
		http.Error(w, "bad size", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(2*n+1))
	if s, ok := w.(http3.HTTPStreamer); ok {
		w.WriteHeader(http.StatusOK)
		if str, err := s.HTTPStream(); err == nil { // the head goes out; str writes DATA frames
			str.Write(make([]byte, n))
			time.Sleep(20 * time.Millisecond) // the bytes arrive before the reset
			str.CancelWrite(quic.StreamErrorCode(ResetCode))
			return
		}
	}
	w.Write(make([]byte, n))
	http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}
