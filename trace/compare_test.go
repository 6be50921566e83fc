package trace_test

import (
	"context"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func compare(t *testing.T, lab *tracetest.Lab, rawURL string, co trace.CompareOptions, edit ...func(*trace.Options)) *trace.Comparison {
	t.Helper()
	o := labOptions(t, lab, rawURL)
	for _, e := range edit {
		e(o)
	}
	return trace.Compare(context.Background(), o, co)
}

// Each protocol runs on a connection of its own with a full handshake, so
// the injected TLS delay is paid by every row, QUIC's included; the first
// protocol of a round rotates.
func TestCompareProtocols(t *testing.T) {
	lab := tracetest.New(t)
	const delay = 40 * time.Millisecond
	var order []string
	c := compare(t, lab, lab.URL("https", "tlsdelay-40.www.lab.test", "/bytes/1000"), trace.CompareOptions{Rounds: 2,
		OnRun: func(p string, _ int, _ *trace.Result) { order = append(order, p) }})
	if c.Rounds != 2 || c.Interrupted || len(c.Protocols) != 3 {
		t.Fatalf("rounds %d, interrupted %v, %d protocols", c.Rounds, c.Interrupted, len(c.Protocols))
	}
	want := map[string]string{"HTTP/1.1": "HTTP/1.1", "HTTP/2": "HTTP/2.0", "HTTP/3": "HTTP/3.0"}
	for _, p := range c.Protocols {
		if p.Proto() != want[p.Asked] || p.Err() != nil || len(p.Runs) != 2 || p.Stats.Runs != 2 || p.Stats.Failed != 0 {
			t.Fatalf("%s: spoke %q, err %v, %d runs", p.Asked, p.Proto(), p.Err(), len(p.Runs))
		}
		for i, r := range p.Runs {
			h := &r.Hops[0]
			if h.Connect == nil || h.Connect.Reused || h.TLS == nil || h.TLS.Resumed || h.QUIC != nil && h.QUIC.Used0RTT {
				t.Errorf("%s run %d: reused or resumed: %+v %+v", p.Asked, i, h.Connect, h.TLS)
			}
			if h.Response.BodyBytes != 1000 {
				t.Errorf("%s run %d: %d body bytes", p.Asked, i, h.Response.BodyBytes)
			}
			hs := h.Timings.TLS
			if p.Asked == "HTTP/3" {
				hs = h.Timings.QUIC
			}
			within(t, p.Asked+" handshake", hs, delay)
		}
		if p.Setup.N != 2 || p.Setup.Median < delay || p.Setup.Median > delay+slack {
			t.Errorf("%s setup: %+v", p.Asked, p.Setup)
		}
	}
	if q := c.Protocols[2].Stats.Phase(trace.PhaseQUIC); q.N != 2 || c.Protocols[1].Stats.Phase(trace.PhaseQUIC).N != 0 {
		t.Errorf("quic phase stats: HTTP/3 %+v, HTTP/2 %+v", q, c.Protocols[1].Stats.Phase(trace.PhaseQUIC))
	}
	saved, ok := c.QUICSaving()
	h2, h3 := c.Protocols[1].Setup.Median, c.Protocols[2].Setup.Median
	if !ok || saved != h2-h3 {
		t.Errorf("QUICSaving = %v, %v; want %v", saved, ok, h2-h3)
	}
	if got := order; len(got) != 6 || got[0] != "HTTP/1.1" || got[3] != "HTTP/1.1" {
		t.Errorf("OnRun order %v", got) // called per round in the rows' order
	}
	r0, r1 := c.Protocols[0].Runs, c.Protocols[1].Runs
	if !r0[0].Started.Before(r1[0].Started) || !r1[1].Started.Before(r0[1].Started) {
		t.Errorf("round 2 should start with HTTP/2: HTTP/1.1 at %v, HTTP/2 at %v", r0[1].Started, r1[1].Started)
	}
}

// A server without h2 speaks HTTP/1.1 on the HTTP/2 row, which says so;
// UDP that never answers fails the HTTP/3 row alone, with no saving.
func TestCompareProtocolsPartial(t *testing.T) {
	lab := tracetest.New(t)
	short := func(o *trace.Options) { o.ConnectTimeout = 500 * time.Millisecond }
	c := compare(t, lab, lab.URL("https", "h1only.lab.test", "/"), trace.CompareOptions{})
	if h2 := &c.Protocols[1]; h2.Proto() != "HTTP/1.1" || h2.Err() != nil {
		t.Errorf("HTTP/2 row on an h1-only server: spoke %q, err %v", h2.Proto(), h2.Err())
	}
	c = compare(t, lab, lab.URL("https", "noquic.lab.test", "/"), trace.CompareOptions{}, short)
	h1, h2, h3 := &c.Protocols[0], &c.Protocols[1], &c.Protocols[2]
	if h1.Proto() != "HTTP/1.1" || h2.Proto() != "HTTP/2.0" {
		t.Errorf("TCP rows: %q, %q", h1.Proto(), h2.Proto())
	}
	if e := h3.Err(); e == nil || e.Kind != trace.KindQUICTimeout || h3.Proto() != "" || h3.Setup.N != 0 || h3.Stats.Failed != 1 {
		t.Fatalf("HTTP/3 row: err %+v, spoke %q, setup %+v", e, h3.Proto(), h3.Setup)
	}
	if _, ok := c.QUICSaving(); ok {
		t.Error("a saving without an HTTP/3 connection")
	}
}

// A cancelled comparison drops the round it was in and says so.
func TestCompareProtocolsInterrupted(t *testing.T) {
	lab := tracetest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	o := labOptions(t, lab, lab.URL("https", "www.lab.test", "/wait/3000"))
	time.AfterFunc(300*time.Millisecond, cancel)
	c := trace.Compare(ctx, o, trace.CompareOptions{Rounds: 3})
	if !c.Interrupted || c.Rounds != 0 || len(c.Protocols[0].Runs) != 0 {
		t.Errorf("interrupted %v after %d rounds, %d runs", c.Interrupted, c.Rounds, len(c.Protocols[0].Runs))
	}
}

// -n over HTTP/3 counts the QUIC handshake in its statistics.
func TestRepeatHTTP3Stats(t *testing.T) {
	lab := tracetest.New(t)
	o := labOptions(t, lab, lab.URL("https", "tlsdelay-30.www.lab.test", "/"))
	o.HTTP = "3-only"
	ser := trace.Repeat(context.Background(), o, trace.RepeatOptions{Count: 2, Fresh: true}, nil)
	q := ser.Stats.Phase(trace.PhaseQUIC)
	if ser.Stats.Failed != 0 || q.N != 2 || q.Min < 30*time.Millisecond {
		t.Errorf("quic stats %+v (failed %d)", q, ser.Stats.Failed)
	}
}
