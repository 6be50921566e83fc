package trace

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// The DNS exchange itself, on plain sockets rather than dns.Client: the A
// and AAAA questions go out back to back on one UDP socket (as glibc's
// stub resolver sends them), so a lookup costs one socket and no extra
// goroutine, and each reply is matched to its question before it counts.

// failure classifies why a question got no usable answer.
type failure int

const (
	failNone     failure = iota
	failNoAnswer         // nothing came back: a timeout, or nothing listens on the port
	failBad              // a reply came for the question, but it does not parse
)

type exchangeResult struct {
	msg     *dns.Msg
	err     error
	fail    failure
	records []Query
}

// udpBuffer is the largest UDP answer read whole: four times the EDNS0
// size we advertise, since some servers send more than asked.
const udpBuffer = 4 * ednsBufferSize

// maxIgnored bounds how many non-matching TCP messages are read before
// giving up on the stream (UDP is bounded by the deadline alone).
const maxIgnored = 64

// flight is one question in flight: its packed query and what came of it.
type flight struct {
	qname string
	qtype uint16
	// optional: the round does not wait for it past Chrome's extra time
	// for HTTPS once the others are in (see svcb.go).
	optional bool
	id       uint16
	packed   []byte
	q        Query
	msg      *dns.Msg
	err      error
	fail     failure
	done     bool
	ignored  int // replies for this socket that matched no question
}

// exchangeAll asks server about name, one question per type, over UDP,
// and again over TCP for an answer that came back truncated. Each try is
// timed including its socket setup.
func (r *resolver) exchangeAll(ctx context.Context, server, name string, types []uint16) []exchangeResult {
	return r.exchangeWith(ctx, server, name, types, "")
}

// exchangeWith is exchangeAll with an HTTPS question for httpsName
// asked too, when not empty, as an optional flight: its result comes
// last.
func (r *resolver) exchangeWith(ctx context.Context, server, name string, types []uint16, httpsName string) []exchangeResult {
	fs := make([]*flight, len(types))
	for i, t := range types {
		fs[i] = newFlight(name, t, server)
	}
	if httpsName != "" {
		f := newFlight(httpsName, dns.TypeHTTPS, server)
		f.optional = true
		fs = append(fs, f)
	}
	r.udpRound(ctx, server, fs)
	out := make([]exchangeResult, len(fs))
	for i, f := range fs {
		out[i].records = append(out[i].records, f.q)
		if f.optional && f.msg != nil && f.msg.Truncated {
			// A TCP retry would add a round trip past Chrome's wait.
			out[i].err, out[i].fail = errors.New("truncated over UDP; reqtrace does not retry the HTTPS query over TCP"), failBad
			continue
		}
		if f.msg != nil && f.msg.Truncated {
			tf := newFlight(name, f.qtype, server)
			tf.q.Transport = "tcp"
			r.tcpRound(ctx, server, tf)
			out[i].records = append(out[i].records, tf.q)
			if tf.err != nil {
				tf.err = fmt.Errorf("truncated over UDP, then over TCP: %w", tf.err)
				if tf.fail == failNoAnswer {
					tf.fail = failBad // the server did answer, over UDP
				}
			}
			f = tf
		}
		out[i].msg, out[i].err, out[i].fail = f.msg, f.err, f.fail
	}
	return out
}

func newFlight(name string, qtype uint16, server string) *flight {
	// The ID comes from the runtime's ChaCha8 generator (math/rand/v2's
	// top-level functions), seeded from the OS, as Go's own resolver draws
	// its IDs: unpredictable, and without the ~0.1 ms crypto/rand costs on
	// its first use in a fresh process (dns.Msg.SetQuestion calls dns.Id).
	m := &dns.Msg{MsgHdr: dns.MsgHdr{Id: uint16(rand.Uint32()), Opcode: dns.OpcodeQuery, RecursionDesired: true},
		Question: []dns.Question{{Name: name, Qtype: qtype, Qclass: dns.ClassINET}}}
	m.SetEdns0(ednsBufferSize, false)
	f := &flight{qname: name, qtype: qtype, id: m.Id, q: Query{Name: name, Type: dns.TypeToString[qtype], Server: server, Transport: "udp"}}
	f.packed, f.err = m.Pack()
	if f.err != nil {
		f.fail, f.done = failBad, true
		f.q.Err = "cannot build the query: " + f.err.Error()
	}
	return f
}

// deadline is when a try must end: the per-query timeout of resolv.conf,
// or the context's deadline if that comes first.
func (r *resolver) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(r.timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}

// interrupt makes conn's blocked reads and writes return when ctx ends.
func interrupt(ctx context.Context, conn net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
}

// udpRound sends every flight's query on one connected UDP socket (the
// kernel then drops datagrams from any other address) and reads until
// each has its answer or the deadline passes. A reply that does not match
// an outstanding question on ID and question is ignored: it may be a late
// answer to an earlier try, or a forgery.
//
// Optional flights (HTTPS) are waited for only httpsExtraTime past the
// moment the others are all in.
func (r *resolver) udpRound(ctx context.Context, server string, fs []*flight) {
	start := r.clock.since()
	for _, f := range fs {
		f.q.Start = start
	}
	// DialUDP with a parsed address skips net.Dial's resolver and context
	// machinery: the server is always an IP literal.
	ap, err := netip.ParseAddrPort(server)
	if err != nil {
		finish(r, fs, err)
		return
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(ap))
	if err != nil {
		finish(r, fs, err)
		return
	}
	defer conn.Close()
	defer interrupt(ctx, conn)()
	conn.SetDeadline(r.deadline(ctx))
	for i, f := range fs {
		if f.done {
			continue
		}
		if i > 0 {
			f.q.Start = r.clock.since()
		}
		if _, err := conn.Write(f.packed); err != nil {
			finish(r, fs, err)
			return
		}
	}
	// The buffer holds what the query allowed (EDNS0) with room to spare;
	// a datagram that does not fit (MSG_TRUNC) is treated as truncated and
	// asked again over TCP, which has no such limit.
	buf := make([]byte, udpBuffer)
	ignored := 0
	var extra time.Duration // set once only optional flights are left
	for pending(fs) {
		if extra == 0 && !pendingRequired(fs) && ctx.Err() == nil {
			extra = httpsExtraTime(r.clock.since() - start)
			conn.SetReadDeadline(earliest(time.Now().Add(extra), r.deadline(ctx)))
		}
		n, _, flags, _, err := conn.ReadMsgUDP(buf, nil)
		if err != nil {
			for _, f := range fs {
				f.ignored = ignored
			}
			if extra > 0 && queryError(err) == "timeout" && ctx.Err() == nil {
				err = fmt.Errorf("no answer within the %s reqtrace waits for HTTPS once the addresses are in (Chrome's rule: 20%% of the lookup so far, 5 to 50 ms)", extra.Round(100*time.Microsecond))
			}
			finish(r, fs, err)
			return
		}
		if f, m, err := match(fs, buf[:n]); f != nil {
			if msgTrunc != 0 && flags&msgTrunc != 0 && m != nil {
				m.Truncated, err = true, nil // cut by our buffer: retry over TCP
			}
			r.settle(f, m, err)
		} else {
			ignored++
		}
	}
}

// tcpRound asks f's question over TCP (RFC 7766 framing: a two-byte
// length before each message), reading until the matching answer.
func (r *resolver) tcpRound(ctx context.Context, server string, f *flight) {
	f.q.Start = r.clock.since()
	fs := []*flight{f}
	d := net.Dialer{Deadline: r.deadline(ctx)}
	conn, err := d.DialContext(ctx, "tcp", server)
	if err != nil {
		finish(r, fs, err)
		return
	}
	defer conn.Close()
	defer interrupt(ctx, conn)()
	conn.SetDeadline(r.deadline(ctx))
	if _, err := conn.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(f.packed))), f.packed...)); err != nil {
		finish(r, fs, err)
		return
	}
	for range maxIgnored {
		var size [2]byte
		if _, err := io.ReadFull(conn, size[:]); err != nil {
			finish(r, fs, err)
			return
		}
		msg := make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(conn, msg); err != nil {
			finish(r, fs, err)
			return
		}
		if _, m, err := match(fs, msg); m != nil {
			r.settle(f, m, err)
			return
		}
		f.ignored++
	}
	finish(r, fs, fmt.Errorf("%d messages over TCP, none an answer to the question", maxIgnored))
}

// pendingRequired reports whether a flight the round must wait for is
// still out.
func pendingRequired(fs []*flight) bool {
	for _, f := range fs {
		if !f.done && !f.optional {
			return true
		}
	}
	return false
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func pending(fs []*flight) bool {
	for _, f := range fs {
		if !f.done {
			return true
		}
	}
	return false
}

// match finds the outstanding flight a reply answers. The ID must match,
// and so must the question (name case-insensitively, as RFC 1035 and the
// 0x20 trick allow, type and class) once the message parses; a reply
// with our ID that does not parse still answers that flight, as a
// malformed answer, since only the server could know the ID.
func match(fs []*flight, b []byte) (*flight, *dns.Msg, error) {
	if len(b) < 12 || b[2]&0x80 == 0 { // shorter than a header, or QR=0
		return nil, nil, nil
	}
	id := binary.BigEndian.Uint16(b)
	for _, f := range fs {
		if f.done || f.id != id {
			continue
		}
		m := new(dns.Msg)
		if err := m.Unpack(b); err != nil {
			return f, m, err
		}
		if len(m.Question) != 1 {
			return nil, nil, nil
		}
		q := m.Question[0]
		if q.Qtype != f.qtype || q.Qclass != dns.ClassINET || !equalFoldASCII(q.Name, f.qname) {
			return nil, nil, nil
		}
		return f, m, nil
	}
	return nil, nil, nil
}

// settle records m, the answer to f (err: it did not fully parse).
func (r *resolver) settle(f *flight, m *dns.Msg, err error) {
	f.done = true
	f.q.Duration = r.clock.since() - f.q.Start
	// The header always parsed (match checked its length).
	f.q.Rcode, f.q.Truncated, f.q.Answers = dns.RcodeToString[m.Rcode], m.Truncated, len(m.Answer)
	f.q.Flags = headerFlags(m)
	if err != nil && !m.Truncated { // TC may come together with an unpack error
		f.err, f.fail = fmt.Errorf("malformed answer: %w", err), failBad
		f.q.Err = f.err.Error()
		return
	}
	f.msg = m
}

// finish ends every outstanding flight with err.
func finish(r *resolver, fs []*flight, err error) {
	for _, f := range fs {
		if f.done {
			continue
		}
		f.done = true
		f.q.Duration = r.clock.since() - f.q.Start
		text := queryError(err)
		f.fail = failBad
		if noAnswer(text) {
			f.fail = failNoAnswer
		}
		if f.ignored > 0 {
			text += fmt.Sprintf("; ignored %d replies that did not match the question (ID, name, type or class)", f.ignored)
		}
		f.err, f.q.Err = errors.New(text), text
	}
}

// equalFoldASCII compares DNS names case-insensitively, ASCII letters only
// (RFC 4343): other bytes must match exactly.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
