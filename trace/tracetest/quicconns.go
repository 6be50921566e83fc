package tracetest

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// quicConns counts the QUIC connections the HTTP/3 server took, and
// lets a handler reach the connection its request came on.
type quicConns struct {
	accepted atomic.Int64
	rejected atomic.Bool // /quic/reject-once has rejected its request
}

type quicConnKey struct{}

// QUICConnections counts the QUIC connections the lab's HTTP/3 server
// has accepted so far (handshakes that never got an answer, such as
// noquic.lab.test's, are not counted).
func (l *Lab) QUICConnections() int { return int(l.quic.accepted.Load()) }

// connContext is the HTTP/3 server's ConnContext: it counts the
// connection and keeps it in the context of its requests.
func (q *quicConns) connContext(ctx context.Context, c *quic.Conn) context.Context {
	q.accepted.Add(1)
	return context.WithValue(ctx, quicConnKey{}, c)
}

// QUICCloseDelay is how long after answering /quic/close the lab closes
// the QUIC connection the request came on.
const QUICCloseDelay = 30 * time.Millisecond

// h3Only serves what only HTTP/3 has, in front of h: /quic/close answers
// "closing\n", then closes its QUIC connection (CONNECTION_CLOSE with
// H3_NO_ERROR) QUICCloseDelay later, as a server does at its idle
// timeout or when it restarts. /quic/reject-once resets the lab's first
// request to it with H3_REQUEST_REJECTED before any response, as a
// server does to a request that crossed its GOAWAY, and answers "ok\n"
// to the later ones.
func (l *Lab) h3Only(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := r.Context().Value(quicConnKey{}).(*quic.Conn)
		switch {
		case !ok:
			h.ServeHTTP(w, r)
		case early(c) && !safeMethod(r.Method):
			// A request in 0-RTT data can be replayed by an attacker: an
			// unsafe one waits for a client that sends it after the
			// handshake (RFC 8470 section 5.2).
			w.WriteHeader(http.StatusTooEarly)
		case r.URL.Path == "/quic/close":
			w.Header().Set("Content-Length", "8")
			io.WriteString(w, "closing\n")
			l.serving.Go(func() {
				l.sleep(l.base, QUICCloseDelay) // the response's end goes out first
				c.CloseWithError(quic.ApplicationErrorCode(http3.ErrCodeNoError), "")
			})
		case r.URL.Path == "/quic/reject-once" && !l.quic.rejected.Swap(true):
			if s, ok := w.(http3.HTTPStreamer); ok {
				if str, err := s.HTTPStream(); err == nil {
					str.CancelRead(quic.StreamErrorCode(http3.ErrCodeRequestRejected))
					str.CancelWrite(quic.StreamErrorCode(http3.ErrCodeRequestRejected))
				}
			}
		case r.URL.Path == "/quic/reject-once":
			w.Header().Set("Content-Length", "3")
			io.WriteString(w, "ok\n")
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// early reports whether a request on c came in 0-RTT data: the
// handshake, which confirms the client, has not completed.
func early(c *quic.Conn) bool {
	select {
	case <-c.HandshakeComplete():
		return false
	default:
		return c.ConnectionState().Used0RTT
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// GoAwayHTTP3 shuts the HTTP/3 server down gracefully: every QUIC
// connection gets a GOAWAY, its running requests finish, new ones are
// not taken. Close ends what is left.
func (l *Lab) GoAwayHTTP3() {
	l.serving.Go(func() { l.h3.Shutdown(l.base) })
}
