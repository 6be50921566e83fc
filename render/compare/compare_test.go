package compare_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/compare"
	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace"
)

var ms = rendertest.Msec

// run is one fixture run: a 12 ms DNS answer, then the setup phases given
// (TCP+TLS, or QUIC), a 0.2 ms send, a 20 ms wait and a 3 ms download.
func run(proto string, connect, tls, quic float64) *trace.Result {
	t := trace.Timings{DNS: rendertest.Span(0, 12)}
	at := 12.0
	for _, p := range []struct {
		d   float64
		set **trace.Span
	}{{connect, &t.Connect}, {tls, &t.TLS}, {quic, &t.QUIC}} {
		if p.d > 0 {
			*p.set = rendertest.Span(at, p.d)
			at += p.d
		}
	}
	t.Send, t.Wait, t.Receive = rendertest.Span(at, 0.2), rendertest.Span(at+0.2, 20), rendertest.Span(at+20.2, 3)
	t.Total = ms(at + 23.2)
	h := trace.Hop{URL: "https://www.example.test/", Request: trace.Request{Method: "GET", Target: "/", Proto: proto},
		Connect: &trace.Connect{Address: "192.0.2.10:443", Duration: ms(connect + quic)}, TLS: &trace.TLS{Version: "TLS 1.3"},
		Response: &trace.Response{Proto: proto, Status: 200, BodyBytes: 512}, Timings: t, ConnID: 1}
	if quic > 0 {
		h.QUIC = &trace.QUIC{Version: "v1", MinRTT: ms(0.08)}
		h.Connect.Transport = "udp"
	}
	return &trace.Result{URL: h.URL, Started: rendertest.Started, Hops: []trace.Hop{h}}
}

func fixture() *trace.Comparison {
	c := &trace.Comparison{URL: "https://www.example.test/", Rounds: 1, Protocols: []trace.ProtocolRuns{
		{Asked: "HTTP/1.1", Runs: []*trace.Result{run("HTTP/1.1", 1, 9, 0)}},
		{Asked: "HTTP/2", Runs: []*trace.Result{run("HTTP/2.0", 1.2, 9.4, 0)}},
		{Asked: "HTTP/3", Runs: []*trace.Result{run("HTTP/3.0", 0, 0, 6.1)}},
	}}
	c.Summarize()
	return c
}

// failedH3 has an HTTP/3 row that timed out, and an HTTP/2 row spoken as
// HTTP/1.1 by a server without h2.
func failedH3() *trace.Comparison {
	c := fixture()
	c.Protocols[1].Runs = []*trace.Result{run("HTTP/1.1", 1.2, 9.4, 0)}
	e := &trace.Error{Phase: trace.PhaseQUIC, Kind: trace.KindQUICTimeout, Message: "no QUIC answer from 192.0.2.10:443 within the connect timeout",
		Hint: "UDP to this port may be filtered"}
	c.Protocols[2].Runs = []*trace.Result{{URL: c.URL, Started: rendertest.Started, Err: e, Hops: []trace.Hop{{URL: c.URL, Err: e,
		Timings: trace.Timings{DNS: rendertest.Span(0, 12), QUIC: rendertest.Span(12, 700), Total: ms(712)}}}}}
	c.Summarize()
	return c
}

func TestText(t *testing.T) {
	for name, c := range map[string]*trace.Comparison{"text": fixture(), "text_failed": failedH3(), "text_none": {URL: "https://x.test/", Interrupted: true}} {
		var buf bytes.Buffer
		if err := compare.Text(&buf, c, render.Style{Width: 100}); err != nil {
			t.Fatal(err)
		}
		rendertest.Golden(t, name, buf.Bytes())
	}
}

// The saving is HTTP/2's setup (TCP 1.2 ms + TLS 9.4 ms) minus QUIC's 6.1.
func TestSaving(t *testing.T) {
	saved, ok := fixture().QUICSaving()
	if !ok || saved != ms(10.6)-ms(6.1) {
		t.Fatalf("saving %v, %v", saved, ok)
	}
	var buf bytes.Buffer
	compare.Text(&buf, fixture(), render.Style{Width: 100})
	if !strings.Contains(buf.String(), "saved 4.500 ms of connection setup (42% of TCP and TLS's 10.60 ms)") {
		t.Errorf("no saving line:\n%s", buf.String())
	}
	buf.Reset()
	compare.Text(&buf, failedH3(), render.Style{Width: 100})
	if out := buf.String(); strings.Contains(out, "saved") || !strings.Contains(out, "HTTP/2 → HTTP/1.1") || !strings.Contains(out, "✗ HTTP/3 failed") {
		t.Errorf("failed comparison:\n%s", out)
	}
}

// Narrow terminals lose the DNS column, never the setup.
func TestTextNarrow(t *testing.T) {
	var buf bytes.Buffer
	if err := compare.Text(&buf, fixture(), render.Style{Width: 60}); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(buf.String(), "\n") {
		if render.TextWidth(l) > 60 {
			t.Errorf("line wider than 60: %q", l)
		}
	}
	if !strings.Contains(buf.String(), "SETUP") {
		t.Errorf("setup column dropped:\n%s", buf.String())
	}
}

func TestJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := compare.JSON(&buf, fixture()); err != nil {
		t.Fatal(err)
	}
	rendertest.Golden(t, "json", buf.Bytes())
	doc := rendertest.DecodeOne(t, buf.Bytes())
	if doc["quic_saves_ms"] != 4.5 {
		t.Errorf("quic_saves_ms = %v", doc["quic_saves_ms"])
	}
	p3 := doc["protocols"].([]any)[2].(map[string]any)
	med := p3["median_ms"].(map[string]any)
	if p3["proto"] != "HTTP/3.0" || med["quic"] != 6.1 || med["setup"] != 6.1 || med["connect"] != nil {
		t.Errorf("HTTP/3 row: %v", p3)
	}
	if tr := p3["traces"].([]any)[0].(map[string]any); tr["schema"] != render.Schema {
		t.Errorf("a run is not a trace document: %v", tr["schema"])
	}
}

// The schema is generated from the wire types; rewrite it with -update.
func TestSchemaFile(t *testing.T) {
	rendertest.CheckSchema(t, filepath.Join("..", "schema"), rendertest.SchemaDoc{
		Name: "compare", Title: "reqtrace --compare-protocols --json", Schema: compare.Schema, Type: compare.WireType()})
}

// Real output validates against the embedded schema, which is strict.
func TestJSONMatchesSchema(t *testing.T) {
	sch := rendertest.Compiled(t, "compare")
	for name, cmp := range map[string]*trace.Comparison{"ok": fixture(), "failed": failedH3()} {
		var buf bytes.Buffer
		if err := compare.JSON(&buf, cmp); err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// What a server sent is made safe before it is printed.
func TestTextHostile(t *testing.T) {
	c := failedH3()
	c.URL = "https://evil.test/\x1b]0;owned\x07"
	c.Protocols[2].Runs[0].Err.Message = "bad \x1b[2J news\u202e"
	var buf bytes.Buffer
	if err := compare.Text(&buf, c, render.Style{Width: 100, Color: true}); err != nil {
		t.Fatal(err)
	}
	rendertest.AssertTerminalSafe(t, buf.Bytes(), true)
}
