package trace_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// labOptions is the lab's shared settings for a pool, and for each of
// its requests with the URL set.
func labOptions(t *testing.T, lab *tracetest.Lab, rawURL string) *trace.Options {
	t.Helper()
	o := &trace.Options{DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
		HostsFile: lab.HostsFile, CACert: lab.CAPEM, MaxTime: 20 * time.Second}
	if rawURL != "" {
		u, err := trace.ParseURL(rawURL)
		if err != nil {
			t.Fatalf("ParseURL(%q): %v", rawURL, err)
		}
		o.URL = u
	}
	return o
}

func newPool(t *testing.T, lab *tracetest.Lab) *trace.Pool {
	t.Helper()
	p, err := trace.NewPool(labOptions(t, lab, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// doAll runs every URL on the pool at once and returns the results in order.
func doAll(t *testing.T, lab *tracetest.Lab, p *trace.Pool, urls []string) []*trace.Result {
	t.Helper()
	out := make([]*trace.Result, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		o := labOptions(t, lab, u)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = p.Do(context.Background(), o)
		}()
	}
	wg.Wait()
	return out
}

func repeatURL(n int, u string) []string {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = u
	}
	return urls
}

func conns(t *testing.T, rs []*trace.Result) map[int]int {
	t.Helper()
	ids := map[int]int{}
	for i, r := range rs {
		if r.Err != nil {
			t.Fatalf("request %d failed: %s/%s: %s", i, r.Err.Phase, r.Err.Kind, r.Err.Message)
		}
		ids[r.Hops[0].ConnID]++
	}
	return ids
}

func TestPoolHTTP1SixConnectionsPerOrigin(t *testing.T) {
	lab := tracetest.New(t)
	p := newPool(t, lab)
	const delay = 300 * time.Millisecond
	rs := doAll(t, lab, p, repeatURL(12, lab.URL("https", "pool.h1only.lab.test", "/wait/300")))
	ids := conns(t, rs)
	if len(ids) != trace.PoolPerOrigin {
		t.Fatalf("%d connections %v, want %d", len(ids), ids, trace.PoolPerOrigin)
	}
	blocked := 0
	for i, r := range rs {
		h := r.Hops[0]
		if h.Response.Proto != "HTTP/1.1" {
			t.Fatalf("request %d over %s", i, h.Response.Proto)
		}
		if h.Connect.Reused {
			// It waited for one of the first six to finish its /wait/300.
			blocked++
			within(t, "blocked", h.Timings.Blocked, delay)
		}
		within(t, "wait", h.Timings.Wait, delay)
	}
	if blocked != 12-trace.PoolPerOrigin {
		t.Errorf("%d requests reused a connection, want %d", blocked, 12-trace.PoolPerOrigin)
	}
}

func TestPoolHTTP2OneConnection(t *testing.T) {
	lab := tracetest.New(t)
	p := newPool(t, lab)
	rs := doAll(t, lab, p, repeatURL(12, lab.URL("https", "pool.lab.test", "/wait/100")))
	ids := conns(t, rs)
	if len(ids) != 1 {
		t.Fatalf("%d connections %v, want 1", len(ids), ids)
	}
	for i, r := range rs {
		h := r.Hops[0]
		if h.Response.Proto != "HTTP/2.0" {
			t.Fatalf("request %d over %s", i, h.Response.Proto)
		}
		within(t, "wait", h.Timings.Wait, 100*time.Millisecond)
	}
}
