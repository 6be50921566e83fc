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
// timeout or when it restarts.
func (l *Lab) h3Only(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := r.Context().Value(quicConnKey{}).(*quic.Conn)
		if r.URL.Path != "/quic/close" || !ok {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Length", "8")
		io.WriteString(w, "closing\n")
		l.serving.Go(func() {
			l.sleep(l.base, QUICCloseDelay) // the response's end goes out first
			c.CloseWithError(quic.ApplicationErrorCode(http3.ErrCodeNoError), "")
		})
	})
}

// GoAwayHTTP3 shuts the HTTP/3 server down gracefully: every QUIC
// connection gets a GOAWAY, its running requests finish, new ones are
// not taken. Close ends what is left.
func (l *Lab) GoAwayHTTP3() {
	l.serving.Go(func() { l.h3.Shutdown(l.base) })
}
