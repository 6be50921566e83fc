package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace"
)

// series is three runs of the http fixture: a cold one and two warm ones.
func series() *trace.Series {
	cold := rendertest.HTTPIP()
	var runs []*trace.Result
	runs = append(runs, cold)
	for i, wait := range []float64{0.9, 1.4} {
		warm := rendertest.HTTPIP()
		h := &warm.Hops[0]
		h.DNS, h.TLS = nil, nil
		h.Connect = &trace.Connect{Address: "192.0.2.20:8080", Reused: true}
		h.Timings = trace.Timings{Send: rendertest.Span(0, 0.02), Wait: rendertest.Span(0.02, wait), Receive: rendertest.Span(0.02+wait, 0.01),
			Total: rendertest.Msec(0.03 + wait), Skipped: map[string]string{trace.PhaseDNS: "connection #1 was reused"}}
		warm.Started = rendertest.Started.Add(time.Duration(i+1) * time.Second)
		runs = append(runs, warm)
	}
	for i, r := range runs {
		runs[i] = annotated(r)
	}
	return &trace.Series{Runs: runs, Stats: trace.Summarize(runs)}
}

func TestSeriesGolden(t *testing.T) {
	var text, js bytes.Buffer
	if err := SeriesText(&text, series(), Style{Width: 100}); err != nil {
		t.Fatal(err)
	}
	rendertest.Golden(t, "series_text", text.Bytes())
	if err := SeriesJSON(&js, series()); err != nil {
		t.Fatal(err)
	}
	rendertest.Golden(t, "series_json", js.Bytes())

	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	exactKeys(t, "series", doc, contractTop, append(extTop, "runs", "stats"))
	stats := doc["stats"].(map[string]any)
	if doc["runs"].([]any)[2] == nil || stats["runs"] != 3.0 || stats["phases"].(map[string]any)["wait"] == nil || stats["phases"].(map[string]any)["dns"] != nil || stats["warm"].(map[string]any)["n"] != 2.0 {
		t.Errorf("stats = %v", stats)
	}
}

func TestSparkline(t *testing.T) {
	got := sparkline([]time.Duration{1, 8, 4, 8, 1}, 10)
	if got != "▁█▄█▁" {
		t.Errorf("sparkline = %q", got)
	}
	if got := sparkline([]time.Duration{5, 5}, 10); got != "▁▁" {
		t.Errorf("flat = %q", got)
	}
}

// TestSeriesProxyPhase: through a proxy the runs table and the statistics
// show the proxy phase, so the rows account for the total.
func TestSeriesProxyPhase(t *testing.T) {
	ser := series()
	for _, r := range ser.Runs {
		h := &r.Hops[0]
		h.Timings.Proxy = rendertest.Span(0, 7.5)
		h.Timings.Total += rendertest.Msec(7.5)
	}
	ser.Stats = trace.Summarize(ser.Runs)
	var text bytes.Buffer
	if err := SeriesText(&text, ser, Style{Width: 100}); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	_, stats, _ := strings.Cut(out, "Statistics")
	if !strings.Contains(out, "PROXY") || !strings.Contains(stats, "Proxy handshake   3  7.500 ms") {
		t.Errorf("no PROXY column or proxy statistics in\n%s", out)
	}
	if ps := ser.Stats.Phase(trace.PhaseProxy); ps.N != 3 || ps.Min != rendertest.Msec(7.5) {
		t.Errorf("proxy stats %+v", ps)
	}
}
