package cmd

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// meter draws the engine's progress events on stderr while a trace runs:
// one line, rewritten in place, of the phases done and the one under way,
// and while a body downloads its bytes, total, rate and time left, as
// curl's meter does; with -n, the run counter. It is only used when
// stderr is a terminal, and the line is erased before the report prints.
type meter struct {
	w     io.Writer
	width int

	mu         sync.Mutex
	run, count int
	hopStart   time.Time // wall clock, when the hop's event arrived
	phases     []phaseMark
	bytes      int64
	total      int64
	bodyStart  time.Time
	drawn      bool

	stopOnce sync.Once
	quit     chan struct{}
	done     chan struct{}
}

type phaseMark struct {
	name string
	at   time.Duration // since the hop started, as the engine measured
}

// meterTick is how often the line is redrawn: often enough that the
// figures move, not so often that the terminal is busy.
const meterTick = 100 * time.Millisecond

// startMeter starts drawing on w, a terminal width columns wide.
func startMeter(w io.Writer, width int) *meter {
	m := &meter{w: w, width: width, total: -1, quit: make(chan struct{}), done: make(chan struct{})}
	go m.loop()
	return m
}

func (m *meter) loop() {
	defer close(m.done)
	t := time.NewTicker(meterTick)
	defer t.Stop()
	for {
		select {
		case <-m.quit:
			return
		case <-t.C:
			m.mu.Lock()
			m.draw(time.Now())
			m.mu.Unlock()
		}
	}
}

// stop ends the drawing and erases the line; safe to call twice.
func (m *meter) stop() {
	m.stopOnce.Do(func() {
		close(m.quit)
		<-m.done
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.drawn {
			io.WriteString(m.w, "\r\x1b[K")
		}
	})
}

// on takes one event from the engine (trace.Options.Progress).
func (m *meter) on(e trace.ProgressEvent) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch e.Kind {
	case trace.ProgressRun:
		m.run, m.count = e.Run, e.Count
	case trace.ProgressHop:
		m.hopStart, m.phases, m.bytes, m.total = time.Now(), nil, 0, -1
	case trace.ProgressPhase:
		m.phases = append(m.phases, phaseMark{e.Phase, e.At})
		if e.Phase == trace.PhaseReceive {
			m.bodyStart = time.Now()
		}
	case trace.ProgressBody:
		m.bytes, m.total = e.Bytes, e.Total
	}
}

// draw writes the line for now; the caller holds mu.
func (m *meter) draw(now time.Time) {
	if m.hopStart.IsZero() {
		return
	}
	line := m.line(now)
	if max := m.width - 1; len(line) > max && max > 0 {
		line = line[:max] // a wrapped line could not be erased with \r
	}
	fmt.Fprintf(m.w, "\r\x1b[K%s", line)
	m.drawn = true
}

// phaseWords are the phases as the line names them.
var phaseWords = map[string]string{trace.PhaseSend: "sending", trace.PhaseWait: "waiting", trace.PhaseReceive: "receiving"}

// line is the text: "run 2/5  dns 1.2 ms  connect 0.3 ms  receiving 1.5 MiB / 4.0 MiB  38%  12 MiB/s  ETA 1s".
func (m *meter) line(now time.Time) string {
	var parts []string
	if m.count > 1 {
		parts = append(parts, fmt.Sprintf("run %d/%d", m.run, m.count))
	}
	elapsed := now.Sub(m.hopStart)
	for i, p := range m.phases {
		if i < len(m.phases)-1 {
			parts = append(parts, p.name+" "+meterDuration(m.phases[i+1].at-p.at))
			continue
		}
		name := p.name
		if w, ok := phaseWords[name]; ok {
			name = w
		}
		if p.name == trace.PhaseReceive && m.bytes > 0 {
			parts = append(parts, m.body(now))
			continue
		}
		parts = append(parts, name+" "+meterDuration(max(elapsed-p.at, 0))+"…")
	}
	return strings.Join(parts, "  ")
}

// body is the download: bytes, total, share, rate and time left.
func (m *meter) body(now time.Time) string {
	s := "receiving " + meterBytes(m.bytes)
	if m.total > 0 {
		s += " / " + meterBytes(m.total) + fmt.Sprintf("  %d%%", min(100, m.bytes*100/m.total))
	}
	secs := now.Sub(m.bodyStart).Seconds()
	if secs < 0.2 { // too early for a rate worth showing
		return s
	}
	rate := float64(m.bytes) / secs
	s += "  " + meterBytes(int64(rate)) + "/s"
	if m.total > m.bytes && rate > 0 {
		s += "  ETA " + meterETA(time.Duration(float64(m.total-m.bytes)/rate*float64(time.Second)))
	}
	return s
}

func meterDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.0f s", d.Seconds())
}

func meterBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}

func meterETA(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
