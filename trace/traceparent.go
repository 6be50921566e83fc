package trace

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// TraceParent is the W3C Trace Context a trace joins (--traceparent) or
// starts (--otlp).
type TraceParent struct {
	TraceID [16]byte
	// ParentID is the span the trace's own spans hang under, when the
	// user gave one; zero when reqtrace starts the trace.
	ParentID [8]byte
	Sampled  bool
}

// NewTraceParent starts a new trace, sampled.
func NewTraceParent() *TraceParent {
	tp := &TraceParent{Sampled: true}
	rand.Read(tp.TraceID[:])
	return tp
}

// ParseTraceParent reads a traceparent header value (W3C Trace Context:
// version 00, 32 hex digits of trace ID, 16 of parent ID, 2 of flags; the
// IDs not all zero).
func ParseTraceParent(s string) (*TraceParent, error) {
	bad := func(why string) (*TraceParent, error) {
		return nil, BadInput("bad --traceparent %q: %s; write it as 00-<32 hex digits>-<16 hex digits>-01", s, why)
	}
	parts := strings.Split(strings.TrimSpace(s), "-")
	if len(parts) != 4 || len(parts[0]) != 2 || len(parts[1]) != 32 || len(parts[2]) != 16 || len(parts[3]) != 2 {
		return bad("not four dash-separated parts of 2, 32, 16 and 2 hex digits")
	}
	if parts[0] != "00" {
		return bad("only version 00 is defined")
	}
	tp := &TraceParent{}
	var flags [1]byte
	for _, f := range []struct {
		dst []byte
		src string
	}{{tp.TraceID[:], parts[1]}, {tp.ParentID[:], parts[2]}, {flags[:], parts[3]}} {
		if strings.ToLower(f.src) != f.src {
			return bad("hex digits are lower case")
		}
		if _, err := hex.Decode(f.dst, []byte(f.src)); err != nil {
			return bad("not hex digits")
		}
	}
	if tp.TraceID == [16]byte{} || tp.ParentID == [8]byte{} {
		return bad("an all-zero ID is invalid")
	}
	tp.Sampled = flags[0]&1 == 1
	return tp, nil
}

// header is the traceparent value that names span as the parent.
func (tp *TraceParent) header(span [8]byte) string {
	flags := "00"
	if tp.Sampled {
		flags = "01"
	}
	return "00-" + hex.EncodeToString(tp.TraceID[:]) + "-" + hex.EncodeToString(span[:]) + "-" + flags
}

// traceparent adds the header to req, with a new span ID for the hop,
// and returns that ID (zero when no trace context is on).
func (s *session) traceparent(req *request) [8]byte {
	var span [8]byte
	if s.o.TraceParent == nil {
		return span
	}
	rand.Read(span[:])
	req.extra = append(append([]Header(nil), req.extra...), Header{"traceparent", s.o.TraceParent.header(span)})
	return span
}
