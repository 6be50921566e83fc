package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// CompareSchema names the --compare-protocols JSON document.
const CompareSchema = "reqtrace.compare/v1"

// comparePhases are the rows of the comparison, in the order they run.
var comparePhases = []struct {
	name string
	span func(*trace.Timings) *trace.Span
}{
	{"dns", func(t *trace.Timings) *trace.Span { return t.DNS }},
	{"connect", func(t *trace.Timings) *trace.Span { return t.Connect }},
	{"tls", func(t *trace.Timings) *trace.Span { return t.TLS }},
	{"quic", func(t *trace.Timings) *trace.Span { return t.QUIC }},
	{"send", func(t *trace.Timings) *trace.Span { return t.Send }},
	{"wait", func(t *trace.Timings) *trace.Span { return t.Wait }},
	{"receive", func(t *trace.Timings) *trace.Span { return t.Receive }},
}

// CompareText prints the protocols' phases side by side, the saving of
// HTTP/3 over HTTP/2, and why a protocol could not be compared.
func CompareText(w io.Writer, c *trace.Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Protocols compared for %s\n", Safe(c.URL))
	b.WriteString("each on a fresh connection with a full handshake: no TLS resumption, 0-RTT or Alt-Svc between runs\n\n")
	fmt.Fprintf(&b, "%-10s", "PHASE")
	for _, r := range c.Runs {
		fmt.Fprintf(&b, " %12s", r.Protocol)
	}
	b.WriteString("\n")
	for _, p := range comparePhases {
		fmt.Fprintf(&b, "%-10s", p.name)
		for _, r := range c.Runs {
			fmt.Fprintf(&b, " %12s", cell(r, p.span))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%-10s", "total")
	for _, r := range c.Runs {
		v := "failed"
		if r.Failed == "" {
			v = fmtDur(r.Result.Hops[0].Timings.Total)
		}
		fmt.Fprintf(&b, " %12s", v)
	}
	b.WriteString("\n")
	if s := h3Saving(c); s != nil {
		fmt.Fprintf(&b, "\nHTTP/3 vs HTTP/2: %s in total (%+.0f%%); connection setup %s (QUIC handshake %s vs TCP + TLS %s)\n",
			savingText(s.total), -s.percent, savingText(s.setup), fmtDur(s.h3Setup), fmtDur(s.h2Setup))
	}
	for _, r := range c.Runs {
		if r.Failed != "" {
			fmt.Fprintf(&b, "✗ %s could not be compared: %s\n", r.Protocol, Safe(r.Failed))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cell(r trace.ProtocolRun, span func(*trace.Timings) *trace.Span) string {
	if r.Failed != "" || len(r.Result.Hops) == 0 {
		return "—"
	}
	if s := span(&r.Result.Hops[0].Timings); s != nil {
		return fmtDur(s.Duration)
	}
	return "—"
}

// saving is what HTTP/3 saved over HTTP/2 (negative: it cost more).
type saving struct {
	total, setup, h2Setup, h3Setup time.Duration
	percent                        float64
}

func h3Saving(c *trace.Comparison) *saving {
	var h2, h3 *trace.Hop
	for _, r := range c.Runs {
		if r.Failed != "" || len(r.Result.Hops) == 0 {
			continue
		}
		switch r.Protocol {
		case "HTTP/2":
			h2 = &r.Result.Hops[0]
		case "HTTP/3":
			h3 = &r.Result.Hops[0]
		}
	}
	if h2 == nil || h3 == nil || h2.Timings.Total <= 0 {
		return nil
	}
	s := &saving{total: h2.Timings.Total - h3.Timings.Total, h2Setup: spanDur(h2.Timings.Connect) + spanDur(h2.Timings.TLS), h3Setup: spanDur(h3.Timings.QUIC)}
	s.setup = s.h2Setup - s.h3Setup
	s.percent = 100 * float64(s.total) / float64(h2.Timings.Total)
	return s
}

func spanDur(s *trace.Span) time.Duration {
	if s == nil {
		return 0
	}
	return s.Duration
}

func savingText(d time.Duration) string {
	if d >= 0 {
		return fmtDur(d) + " faster"
	}
	return fmtDur(-d) + " slower"
}

type wireCompare struct {
	Schema           string            `json:"schema"`
	URL              string            `json:"url"`
	FreshConnections bool              `json:"fresh_connections"`
	Runs             []wireProtocolRun `json:"runs"`
	H3VsH2           *wireSaving       `json:"h3_vs_h2"`
}

type wireProtocolRun struct {
	Protocol string     `json:"protocol"`
	OK       bool       `json:"ok"`
	Failed   *string    `json:"failed"`
	Trace    wireResult `json:"trace"`
}

type wireSaving struct {
	TotalMS      float64 `json:"total_ms"`
	TotalPercent float64 `json:"total_percent"`
	SetupMS      float64 `json:"setup_ms"`
}

// CompareJSON writes the comparison: each protocol's full trace
// document, and HTTP/3's saving over HTTP/2 (positive: faster; null when
// either could not be compared).
func CompareJSON(w io.Writer, c *trace.Comparison) error {
	doc := wireCompare{Schema: CompareSchema, URL: c.URL, FreshConnections: true, Runs: []wireProtocolRun{}}
	for _, r := range c.Runs {
		doc.Runs = append(doc.Runs, wireProtocolRun{Protocol: r.Protocol, OK: r.Failed == "", Failed: strOrNull(r.Failed), Trace: toWire(r.Result)})
	}
	if s := h3Saving(c); s != nil {
		doc.H3VsH2 = &wireSaving{TotalMS: ms(s.total), TotalPercent: float64(int(s.percent*10)) / 10, SetupMS: ms(s.setup)}
	}
	return writeJSON(w, doc)
}
