package trace

import (
	"context"
	"math"
	"slices"
	"time"
)

// Series is the same trace run several times (-n), with statistics.
type Series struct {
	Runs        []*Result
	Stats       Stats
	Interrupted bool // Ctrl-C (or the context) ended it early
}

// RepeatOptions says how to repeat a trace.
type RepeatOptions struct {
	Count    int
	Interval time.Duration // pause between the end of a run and the next
	// Fresh opens a new connection every run instead of reusing one; its
	// TLS handshake resumes the session unless Options.NoSessionID.
	Fresh bool
}

// Stats summarises a Series per phase. A run's phase is the sum over its
// hops (as curl sums across redirects); a run without the phase (a warm
// run has no DNS, TCP or TLS) does not count towards it.
type Stats struct {
	Runs   int
	Failed int
	Phases []PhaseStats // dns, connect, proxy, tls, quic, send, wait, receive, total
	// Cold and Warm split the total between runs that opened a new
	// connection and runs that reused one.
	Cold, Warm PhaseStats
}

// Phase returns the statistics of the named phase ("total" included); a
// zero PhaseStats for a name it does not know.
func (s Stats) Phase(name string) PhaseStats {
	for _, ps := range s.Phases {
		if ps.Phase == name {
			return ps
		}
	}
	return PhaseStats{Phase: name}
}

// PhaseStats is the distribution of one phase's duration.
type PhaseStats struct {
	Phase                       string
	N                           int
	Min, Median, P95, Max, Mean time.Duration
	Values                      []time.Duration // per counted run, in run order
}

// Repeat runs o ro.Count times, reusing the connection between runs unless
// ro.Fresh, and calls onRun (if set) after each run. A run cut short by
// ctx is dropped and the series is marked Interrupted.
func Repeat(ctx context.Context, o *Options, ro RepeatOptions, onRun func(i int, r *Result)) *Series {
	ser := &Series{}
	roots, err := loadRoots(o)
	if err != nil {
		ser.Runs = []*Result{{URL: o.URL.String(), Started: time.Now(), Insecure: o.Insecure, Err: asError(err, PhaseInput)}}
		ser.Stats = Summarize(ser.Runs)
		return ser
	}
	tickets := newTickets(o) // resumed across runs, --fresh included
	s := newSession(o, roots, tickets)
	defer func() { s.close() }()
	for i := 0; i < ro.Count; i++ {
		if i > 0 && !sleep(ctx, ro.Interval) {
			break
		}
		if ro.Fresh {
			s.close()
			s = newSession(o, roots, tickets)
		}
		o.emit(ProgressEvent{Kind: ProgressRun, Run: i + 1, Count: ro.Count})
		r := withRetries(ctx, o, func() *Result { return runOnce(ctx, s) })
		if ctx.Err() != nil {
			break
		}
		ser.Runs = append(ser.Runs, r)
		if onRun != nil {
			onRun(i, r)
		}
	}
	ser.Interrupted = ctx.Err() != nil && len(ser.Runs) < ro.Count
	ser.Stats = Summarize(ser.Runs)
	return ser
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Summarize computes the statistics of runs.
func Summarize(runs []*Result) Stats {
	st := Stats{Runs: len(runs)}
	per := map[string][]time.Duration{}
	var cold, warm []time.Duration
	for _, r := range runs {
		if r.Err != nil {
			st.Failed++
		}
		phases := runPhases(r)
		for k, d := range phases {
			per[k] = append(per[k], d)
		}
		if len(r.Hops) == 0 {
			continue
		}
		if c := r.Hops[0].Connect; c != nil && c.Reused {
			warm = append(warm, phases["total"])
		} else {
			cold = append(cold, phases["total"])
		}
	}
	for _, k := range []string{PhaseDNS, PhaseConnect, PhaseProxy, PhaseTLS, PhaseQUIC, PhaseSend, PhaseWait, PhaseReceive, "total"} {
		st.Phases = append(st.Phases, distribution(k, per[k]))
	}
	st.Cold, st.Warm = distribution("cold", cold), distribution("warm", warm)
	return st
}

// runPhases sums each phase over a run's hops; phases no hop had are absent.
func runPhases(r *Result) map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, h := range r.Hops {
		t := h.Timings
		for k, sp := range map[string]*Span{PhaseDNS: t.DNS, PhaseConnect: t.Connect, PhaseProxy: t.Proxy, PhaseTLS: t.TLS,
			PhaseQUIC: t.QUIC, PhaseSend: t.Send, PhaseWait: t.Wait, PhaseReceive: t.Receive} {
			if sp != nil {
				out[k] += sp.Duration
			}
		}
		out["total"] += t.Total
	}
	if len(r.Hops) == 0 {
		delete(out, "total")
	}
	return out
}

// distribution computes min, median, p95 (nearest rank), max and mean.
func distribution(phase string, values []time.Duration) PhaseStats {
	ps := PhaseStats{Phase: phase, N: len(values), Values: values}
	if len(values) == 0 {
		return ps
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	var sum time.Duration
	for _, v := range sorted {
		sum += v
	}
	rank := func(p float64) time.Duration {
		return sorted[max(int(math.Ceil(p*float64(len(sorted))))-1, 0)]
	}
	ps.Min, ps.Max, ps.Mean = sorted[0], sorted[len(sorted)-1], sum/time.Duration(len(sorted))
	ps.Median, ps.P95 = rank(0.5), rank(0.95)
	return ps
}
