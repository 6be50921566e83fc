package trace_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// recorder collects progress events; the engine may call it from several
// goroutines (HTTP/2 hooks).
type recorder struct {
	mu sync.Mutex
	ev []trace.ProgressEvent
}

func (r *recorder) add(e trace.ProgressEvent) {
	r.mu.Lock()
	r.ev = append(r.ev, e)
	r.mu.Unlock()
}

func (r *recorder) phases() []string {
	var out []string
	for _, e := range r.ev {
		if e.Kind == trace.ProgressPhase {
			out = append(out, e.Phase)
		}
	}
	return out
}

// The engine reports each phase as it starts, in order, and the body as it
// drips: bytes that only grow, the Content-Length as total, one last
// event with every byte, spaced in time rather than one per read.
func TestProgressEvents(t *testing.T) {
	lab := tracetest.New(t)
	for _, c := range []struct {
		scheme string
		phases []string
	}{
		{"http", []string{"dns", "connect", "send", "wait", "receive"}},
		{"https", []string{"dns", "connect", "tls", "send", "wait", "receive"}},
	} {
		rec := &recorder{}
		res := run(t, lab, lab.URL(c.scheme, "www.lab.test", "/drip?bytes=200000&ms=400"), func(o *trace.Options) { o.Progress = rec.add })
		hop := ok(t, res)
		if len(rec.ev) == 0 || rec.ev[0].Kind != trace.ProgressHop || rec.ev[0].URL != hop.URL {
			t.Fatalf("%s: the first event should be the hop: %+v", c.scheme, rec.ev)
		}
		if got := rec.phases(); !slices.Equal(got, c.phases) {
			t.Errorf("%s: phases %v, want %v", c.scheme, got, c.phases)
		}
		var body []trace.ProgressEvent
		var lastAt time.Duration
		for _, e := range rec.ev {
			if e.At < lastAt {
				t.Errorf("%s: event %+v goes back in time (after %v)", c.scheme, e, lastAt)
			}
			lastAt = e.At
			if e.Kind == trace.ProgressBody {
				body = append(body, e)
			}
		}
		if len(body) < 3 || len(body) > 40 {
			t.Fatalf("%s: %d body events for a 400 ms drip, want a few (spaced by 50 ms)", c.scheme, len(body))
		}
		for i, e := range body {
			if e.Total != 200000 || i > 0 && e.Bytes < body[i-1].Bytes || e.Done != (i == len(body)-1) {
				t.Errorf("%s: body event %d: %+v", c.scheme, i, e)
			}
		}
		if last := body[len(body)-1]; last.Bytes != hop.Response.BodyBytes {
			t.Errorf("%s: last body event has %d bytes, the body %d", c.scheme, last.Bytes, hop.Response.BodyBytes)
		}
	}
}

// Repeat reports each run with its number and the count; a reused
// connection starts at send.
func TestProgressRuns(t *testing.T) {
	lab := tracetest.New(t)
	u, _ := trace.ParseURL(lab.URL("http", "www.lab.test", "/"))
	rec := &recorder{}
	o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf, HostsFile: lab.HostsFile,
		MaxTime: 20 * time.Second, Progress: rec.add}
	trace.Repeat(context.Background(), o, trace.RepeatOptions{Count: 3}, nil)
	var runs []int
	for _, e := range rec.ev {
		if e.Kind == trace.ProgressRun {
			runs = append(runs, e.Run)
			if e.Count != 3 {
				t.Errorf("run event %+v: count should be 3", e)
			}
		}
	}
	if !slices.Equal(runs, []int{1, 2, 3}) {
		t.Errorf("runs %v, want [1 2 3]", runs)
	}
	if got, want := rec.phases(), []string{"dns", "connect", "send", "wait", "receive", "send", "wait", "receive", "send", "wait", "receive"}; !slices.Equal(got, want) {
		t.Errorf("phases %v, want %v", got, want)
	}
}
