package trace

import (
	"sync"
	"time"

	h3qlog "github.com/quic-go/quic-go/http3/qlog"
	"github.com/quic-go/quic-go/qlog"
	"github.com/quic-go/quic-go/qlogwriter"
)

// quicEvents records what quic-go's qlog events tell about one
// connection that ConnectionState and ConnectionStats do not: the
// server's transport parameters, Retry and Version Negotiation packets,
// and (from the http3 client on the connection) a GOAWAY frame. Only typed
// events are read; nothing is encoded.
type quicEvents struct {
	mu      sync.Mutex
	peer    *qlog.ParametersSet
	retries int // Retry packets received, the dropped ones included
	vn      []string
	goaway  bool // the server sent GOAWAY: no new request goes on the connection
}

// maxVNVersions caps the versions kept from a Version Negotiation packet.
const maxVNVersions = 8

// AddProducer is qlogwriter.Trace's: every producer records here.
func (q *quicEvents) AddProducer() qlogwriter.Recorder { return q }

// Close ends a producer: nothing to flush.
func (q *quicEvents) Close() error { return nil }

// RecordEvent keeps the events worth reporting. It is called for every
// packet of the connection (quic-go builds the events whatever the
// recorder keeps: about a tenth of HTTP/3's throughput on a 1 GiB body,
// the bench's table (h) found), so the rest return before the lock.
func (q *quicEvents) RecordEvent(ev qlogwriter.Event) {
	switch e := ev.(type) {
	case qlog.PacketReceived:
		if e.Header.PacketType != qlog.PacketTypeRetry {
			return
		}
	case h3qlog.FrameParsed:
		if _, ok := e.Frame.Frame.(h3qlog.GoAwayFrame); !ok {
			return
		}
	case qlog.ParametersSet, qlog.VersionNegotiationReceived:
	default:
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	switch e := ev.(type) {
	case qlog.ParametersSet:
		if e.Initiator == qlog.InitiatorRemote {
			p := e
			q.peer = &p
		}
	case qlog.PacketReceived:
		if e.Header.PacketType == qlog.PacketTypeRetry {
			q.retries++
		}
	case h3qlog.FrameParsed: // a GOAWAY: the only frame let through
		q.goaway = true
	case qlog.VersionNegotiationReceived:
		q.vn = q.vn[:0]
		for _, v := range e.SupportedVersions[:min(len(e.SupportedVersions), maxVNVersions)] {
			q.vn = append(q.vn, v.String())
		}
	}
}

// fill copies the server's transport parameters into the hop's QUIC.
func (q *quicEvents) fill(out *QUIC) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out.Retries = q.retries
	if p := q.peer; p != nil {
		out.Peer = &QUICParams{IdleTimeout: p.MaxIdleTimeout, MaxStreamsBidi: p.InitialMaxStreamsBidi, MaxStreamsUni: p.InitialMaxStreamsUni,
			MaxData: uint64(p.InitialMaxData), MaxUDPPayload: uint64(p.MaxUDPPayloadSize), MaxDatagramFrame: present(p.MaxDatagramFrameSize),
			ActiveConnIDLimit: p.ActiveConnectionIDLimit, DisableMigration: p.DisableActiveMigration}
	}
}

// goingAway reports whether the server sent GOAWAY (RFC 9114 section 5.2).
func (q *quicEvents) goingAway() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.goaway
}

func (q *quicEvents) snapshot() (retries int, vn []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.retries, append([]string(nil), q.vn...)
}

// QUICParams are the server's QUIC transport parameters worth knowing
// (RFC 9000 section 18.2).
type QUICParams struct {
	// IdleTimeout is max_idle_timeout: the server closes a connection
	// silent that long (0: no limit of its own).
	IdleTimeout time.Duration
	// MaxStreamsBidi/Uni: initial_max_streams_bidi/uni, how many
	// requests (bidirectional streams) may be open at once at first.
	MaxStreamsBidi, MaxStreamsUni int64
	MaxData                       uint64 // initial_max_data: connection flow-control window, bytes
	MaxUDPPayload                 uint64 // max_udp_payload_size
	// MaxDatagramFrame is max_datagram_frame_size (RFC 9221); 0: no
	// datagram support.
	MaxDatagramFrame  uint64
	ActiveConnIDLimit uint64
	DisableMigration  bool // disable_active_migration
}

// present is a byte-count parameter, 0 when absent (quic-go's qlog then
// holds a negative "invalid" count).
func present[T ~int64](n T) uint64 {
	if n < 0 {
		return 0
	}
	return uint64(n)
}
