package trace

import (
	"io"
	"time"
)

// ProgressKind says what a ProgressEvent reports.
type ProgressKind int

const (
	// ProgressRun: with Repeat, run Run of Count starts.
	ProgressRun ProgressKind = iota + 1
	// ProgressHop: a request (the first, a redirect's, a retry's) starts; URL is set.
	ProgressHop
	// ProgressPhase: Phase (dns, proxy, connect, tls, send, wait, receive)
	// starts, At after the hop's start; the phase before it has ended.
	ProgressPhase
	// ProgressBody: Bytes of the body have arrived (on the wire), of
	// Total (Content-Length, -1 when unknown); Done on the last one.
	ProgressBody
	// ProgressInformational: a 1xx response arrived (103 Early Hints, 100
	// Continue); Status and Headers are its, At when it came. A page load
	// acts on Early Hints' Link headers as they arrive.
	ProgressInformational
)

// ProgressEvent is one step of a trace, for a live display. The engine
// only reports; what to show, and whether to, is the caller's.
type ProgressEvent struct {
	Kind       ProgressKind
	Run, Count int           // ProgressRun
	URL        string        // ProgressHop
	Phase      string        // ProgressPhase
	At         time.Duration // since the hop started
	Bytes      int64         // ProgressBody
	Total      int64         // ProgressBody: -1 when unknown
	Done       bool          // ProgressBody: the body ended (whole or not)
	Status     int           // ProgressInformational
	Headers    []Header      // ProgressInformational: as kept in Hop.Informational
}

// progressEvery spaces body events: a display redraws a few times a
// second, and a callback per 32 KiB read would cost throughput.
const progressEvery = 50 * time.Millisecond

// emit hands e to Options.Progress, if set. It may be called from the
// goroutines x/net/http2 runs hooks on: the callback must be safe for that.
func (o *Options) emit(e ProgressEvent) {
	if o.Progress != nil {
		o.Progress(e)
	}
}

// meter returns r, counting body bytes for ProgressBody events when a
// Progress callback is set; want is the Content-Length or negative.
func (h *hopRun) meter(r *countingReader, want int64) io.Reader {
	if h.o.Progress == nil {
		return r
	}
	return &meterReader{r: r, h: h, total: max(want, -1)}
}

type meterReader struct {
	r     *countingReader
	h     *hopRun
	total int64
	last  time.Duration
	done  bool
}

func (m *meterReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	now := m.h.clock.since()
	if end := err != nil; (end || now-m.last >= progressEvery) && !m.done {
		m.last, m.done = now, end
		m.h.o.emit(ProgressEvent{Kind: ProgressBody, At: now, Bytes: m.r.n, Total: m.total, Done: end})
	}
	return n, err
}
