package trace_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func repeat(t *testing.T, lab *tracetest.Lab, rawURL string, ro trace.RepeatOptions) *trace.Series {
	t.Helper()
	u, err := trace.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
		HostsFile: lab.HostsFile, CACert: lab.CAPEM, MaxTime: 10 * time.Second}
	return trace.Repeat(context.Background(), o, ro, nil)
}

func TestRepeatColdThenWarm(t *testing.T) {
	lab := tracetest.New(t)
	for _, c := range []struct{ scheme, path string }{{"https", "/wait/20"}, {"http", "/wait/20"}, {"http", "/chunked"}} {
		ser := repeat(t, lab, lab.URL(c.scheme, "dnsdelay-15.www.lab.test", c.path), trace.RepeatOptions{Count: 4})
		if len(ser.Runs) != 4 || ser.Interrupted || ser.Stats.Failed != 0 {
			t.Fatalf("%s%s: %d runs, interrupted %v, failed %d", c.scheme, c.path, len(ser.Runs), ser.Interrupted, ser.Stats.Failed)
		}
		for i, r := range ser.Runs {
			hop := r.Hops[0]
			if reused := hop.Connect.Reused; reused != (i > 0) || hop.ConnID != 1 {
				t.Errorf("%s%s run %d: reused %v conn #%d; want run 1 cold, the rest warm on #1", c.scheme, c.path, i+1, reused, hop.ConnID)
			}
		}
		st := ser.Stats
		if st.Cold.N != 1 || st.Warm.N != 3 {
			t.Errorf("%s%s: cold %d warm %d", c.scheme, c.path, st.Cold.N, st.Warm.N)
		}
		dns := st.Phase(trace.PhaseDNS)
		if dns.Phase != trace.PhaseDNS || dns.N != 1 || dns.Min < 15*time.Millisecond {
			t.Errorf("%s%s: dns stats %+v: want one cold lookup of at least 15 ms", c.scheme, c.path, dns)
		}
		total := st.Phases[len(st.Phases)-1]
		if total.N != 4 || total.Min > total.Median || total.Median > total.P95 || total.P95 > total.Max {
			t.Errorf("%s%s: total stats out of order: %+v", c.scheme, c.path, total)
		}
		if c.path == "/wait/20" && st.Phase(trace.PhaseWait).Min < 20*time.Millisecond {
			t.Errorf("%s: wait min %v below the injected 20 ms", c.scheme, st.Phase(trace.PhaseWait).Min)
		}
	}
}

func TestRepeatFreshOpensNewConnections(t *testing.T) {
	lab := tracetest.New(t)
	ser := repeat(t, lab, lab.URL("https", "www.lab.test", "/"), trace.RepeatOptions{Count: 3, Fresh: true})
	for i, r := range ser.Runs {
		if r.Hops[0].Connect.Reused || r.Hops[0].DNS == nil || r.Hops[0].Timings.TLS == nil {
			t.Errorf("run %d reused a connection with --fresh", i+1)
		}
	}
	if ser.Stats.Cold.N != 3 || ser.Stats.Warm.N != 0 {
		t.Errorf("cold %d warm %d", ser.Stats.Cold.N, ser.Stats.Warm.N)
	}
}

func TestRepeatInterruptedKeepsWhatRan(t *testing.T) {
	lab := tracetest.New(t)
	u, _ := trace.ParseURL(lab.URL("http", "www.lab.test", "/"))
	o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf, HostsFile: lab.HostsFile}
	ctx, cancel := context.WithCancel(context.Background())
	ser := trace.Repeat(ctx, o, trace.RepeatOptions{Count: 100, Interval: 50 * time.Millisecond}, func(i int, r *trace.Result) {
		if i == 1 {
			cancel()
		}
	})
	if !ser.Interrupted || len(ser.Runs) != 2 || ser.Stats.Runs != 2 {
		t.Errorf("interrupted %v after %d runs", ser.Interrupted, len(ser.Runs))
	}
}

func TestSummarizePercentiles(t *testing.T) {
	var runs []*trace.Result
	for i := 1; i <= 20; i++ {
		runs = append(runs, &trace.Result{Hops: []trace.Hop{{Timings: trace.Timings{Total: time.Duration(i) * time.Millisecond,
			Wait: &trace.Span{Duration: time.Duration(i) * time.Millisecond}}}}})
	}
	st := trace.Summarize(runs)
	total := st.Phases[len(st.Phases)-1]
	if total.Min != time.Millisecond || total.Median != 10*time.Millisecond || total.P95 != 19*time.Millisecond ||
		total.Max != 20*time.Millisecond || total.Mean != 10500*time.Microsecond {
		t.Errorf("total = %+v", total)
	}
	if st.Phase(trace.PhaseDNS).N != 0 || st.Phase(trace.PhaseWait).N != 20 {
		t.Errorf("dns n %d, wait n %d", st.Phase(trace.PhaseDNS).N, st.Phase(trace.PhaseWait).N)
	}
}

// TestStaleConnectionIsRetried: the server answers one request per
// connection and closes it a moment later without saying so; the next run
// finds the idle connection dead and must go on with a new one.
func TestStaleConnectionIsRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var conns atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				if n, _ := c.Read(buf); n == 0 {
					return
				}
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
				time.Sleep(200 * time.Millisecond) // the client reuses it meanwhile
			}()
		}
	}()
	u, _ := trace.ParseURL("http://" + l.Addr().String() + "/")
	ser := trace.Repeat(context.Background(), &trace.Options{URL: u, MaxTime: 5 * time.Second}, trace.RepeatOptions{Count: 2}, nil)
	for i, r := range ser.Runs {
		if r.Err != nil || r.Hops[0].Response.Status != 200 {
			t.Errorf("run %d: %+v", i+1, r.Err)
		}
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the second run on a new one)", n)
	}
}

// TestRepeatCountsTheProxyPhase: through a proxy the CONNECT round trip is
// a phase of its own in the statistics, so the phases add up to the total
// (the 200 ms the proxy waits were missing from every row).
func TestRepeatCountsTheProxyPhase(t *testing.T) {
	lab := tracetest.New(t)
	u, err := trace.ParseURL(lab.URL("https", "proxydelay-200.www.lab.test", "/"))
	if err != nil {
		t.Fatal(err)
	}
	o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
		HostsFile: lab.HostsFile, CACert: lab.CAPEM, MaxTime: 10 * time.Second}
	viaLab(lab, "")(o)
	ser := trace.Repeat(context.Background(), o, trace.RepeatOptions{Count: 2, Fresh: true}, nil)
	if len(ser.Runs) != 2 || ser.Stats.Failed != 0 {
		t.Fatalf("%d runs, %d failed", len(ser.Runs), ser.Stats.Failed)
	}
	px := ser.Stats.Phase(trace.PhaseProxy)
	if px.N != 2 || px.Min < 200*time.Millisecond {
		t.Errorf("proxy stats %+v: want both runs, each at least 200 ms", px)
	}
	for i, r := range ser.Runs {
		tm := r.Hops[0].Timings
		var sum time.Duration
		for _, sp := range []*trace.Span{tm.DNS, tm.Connect, tm.Proxy, tm.TLS, tm.Send, tm.Wait, tm.Receive} {
			if sp != nil {
				sum += sp.Duration
			}
		}
		if sum > tm.Total || tm.Total-sum >= 200*time.Millisecond {
			t.Errorf("run %d: the phases add up to %v of a %v total", i+1, sum, tm.Total)
		}
	}
}

// TestRepeatFreshResumesTLS: --fresh opens a new connection per run, but
// its handshake resumes the TLS session, as curl and browsers do;
// NoSessionID (--no-sessionid) makes every handshake a full one.
func TestRepeatFreshResumesTLS(t *testing.T) {
	lab := tracetest.New(t)
	for _, noSession := range []bool{false, true} {
		u, err := trace.ParseURL(lab.URL("https", "www.lab.test", "/"))
		if err != nil {
			t.Fatal(err)
		}
		o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
			HostsFile: lab.HostsFile, CACert: lab.CAPEM, MaxTime: 10 * time.Second, NoSessionID: noSession}
		ser := trace.Repeat(context.Background(), o, trace.RepeatOptions{Count: 3, Fresh: true}, nil)
		if len(ser.Runs) != 3 || ser.Stats.Failed != 0 {
			t.Fatalf("no-sessionid %v: %d runs, %d failed", noSession, len(ser.Runs), ser.Stats.Failed)
		}
		for i, r := range ser.Runs {
			hop := r.Hops[0]
			if hop.Connect.Reused || hop.TLS == nil {
				t.Fatalf("run %d: reused %v with --fresh, tls %v", i+1, hop.Connect.Reused, hop.TLS)
			}
			want := i > 0 && !noSession
			if hop.TLS.Resumed != want || !hop.TLS.Verified || len(hop.TLS.Certificates) == 0 {
				t.Errorf("no-sessionid %v, run %d: resumed %v (want %v), verified %v, %d certificates",
					noSession, i+1, hop.TLS.Resumed, want, hop.TLS.Verified, len(hop.TLS.Certificates))
			}
		}
	}
}
