package trace

import (
	"context"
	"time"
)

// Compared are the protocols Compare runs, in the order they are shown:
// the label, and the Options.HTTP value that asks for it. HTTP/3 is
// 3-only: a fallback to TCP would make its row a copy of another.
var Compared = []struct{ Label, HTTP string }{
	{"HTTP/1.1", "1.1"},
	{"HTTP/2", "2"},
	{"HTTP/3", "3-only"},
}

// Comparison is one URL traced over each HTTP version (--compare-protocols),
// every run on a new connection with a full handshake, so that the rows
// side by side show what each protocol costs before the first byte.
type Comparison struct {
	URL         string
	Rounds      int  // rounds completed (a round runs every protocol once)
	Interrupted bool // the context ended it before every round ran
	Protocols   []ProtocolRuns
}

// ProtocolRuns holds one protocol's runs and their statistics.
type ProtocolRuns struct {
	Asked string    // "HTTP/1.1", "HTTP/2", "HTTP/3": what was asked for
	Runs  []*Result // in round order
	Stats Stats
	// Setup is the connection's cost before the request can go: TCP
	// connect, proxy and TLS handshake, or the QUIC handshake (summed over
	// a run's hops). It is what HTTP/3 exists to cut.
	Setup PhaseStats
}

// Proto is the protocol the server spoke on the last run that got a
// response ("HTTP/1.1" when asked for HTTP/2 by a server without h2),
// or "" when no run got one.
func (p *ProtocolRuns) Proto() string {
	for i := len(p.Runs) - 1; i >= 0; i-- {
		if hs := p.Runs[i].Hops; len(hs) > 0 && hs[len(hs)-1].Response != nil {
			return hs[len(hs)-1].Response.Proto
		}
	}
	return ""
}

// Err is the last run's error, nil when it succeeded.
func (p *ProtocolRuns) Err() *Error {
	if len(p.Runs) == 0 {
		return nil
	}
	return p.Runs[len(p.Runs)-1].Err
}

// CompareOptions says how often to compare.
type CompareOptions struct {
	Rounds   int           // each protocol runs this many times; 0 means 1
	Interval time.Duration // pause between runs
	// OnRun, if set, is called after each run (for annotations).
	OnRun func(protocol string, round int, r *Result)
}

// Compare traces o's URL over HTTP/1.1, HTTP/2 and HTTP/3 in turn, Rounds
// times. Each run is a session of its own: a new connection, fresh DNS and
// a full TLS handshake (no session ticket from an earlier run), so no
// protocol is helped by another's work. The first protocol of a round
// rotates, so that none always runs first (a cold cache on either side
// would count against it). Failures are kept in the runs, as Do does.
func Compare(ctx context.Context, o *Options, co CompareOptions) *Comparison {
	rounds := max(co.Rounds, 1)
	c := &Comparison{URL: o.URL.String(), Protocols: make([]ProtocolRuns, len(Compared))}
	for i, p := range Compared {
		c.Protocols[i].Asked = p.Label
	}
	roots, err := loadRoots(o)
	if err != nil {
		for i := range c.Protocols {
			c.Protocols[i].Runs = []*Result{{URL: c.URL, Started: time.Now(), Insecure: o.Insecure, Err: asError(err, PhaseInput)}}
		}
		c.Summarize()
		return c
	}
	first := true
	for round := 0; round < rounds; round++ {
		runs := make([]*Result, len(Compared))
		for k := range Compared {
			i := (round + k) % len(Compared)
			if !first && !sleep(ctx, co.Interval) {
				break
			}
			first = false
			po := *o
			po.HTTP, po.H3Alternative = Compared[i].HTTP, nil
			s := newSession(&po, roots, newTickets(&po))
			runs[i] = withRetries(ctx, &po, func() *Result { return runOnce(ctx, s) })
			s.close()
			if ctx.Err() != nil {
				break
			}
		}
		if ctx.Err() != nil {
			break // a round cut short is dropped whole: its rows would not compare
		}
		for i, r := range runs {
			c.Protocols[i].Runs = append(c.Protocols[i].Runs, r)
			if co.OnRun != nil {
				co.OnRun(Compared[i].Label, round, r)
			}
		}
		c.Rounds++
	}
	c.Interrupted = c.Rounds < rounds
	c.Summarize()
	return c
}

// Summarize computes each protocol's statistics and setup from its runs
// (Compare does; a comparison built by hand calls it).
func (c *Comparison) Summarize() {
	for i := range c.Protocols {
		p := &c.Protocols[i]
		p.Stats = Summarize(p.Runs)
		var setups []time.Duration
		for _, r := range p.Runs {
			if d, ok := setupOf(r); ok {
				setups = append(setups, d)
			}
		}
		p.Setup = distribution("setup", setups)
	}
}

// setupOf sums a run's connection setup: TCP connect, proxy, TLS and
// QUIC; false when no hop opened a connection, or the run failed before
// one was up (a handshake timed out is not a setup time).
func setupOf(r *Result) (time.Duration, bool) {
	if r.Err != nil {
		switch r.Err.Phase {
		case PhaseSend, PhaseWait, PhaseReceive, PhaseRedirect:
		default:
			return 0, false
		}
	}
	var sum time.Duration
	seen := false
	for k, d := range runPhases(r) {
		switch k {
		case PhaseConnect, PhaseProxy, PhaseTLS, PhaseQUIC:
			sum += d
			seen = true
		}
	}
	return sum, seen
}

// Protocol is the runs of the protocol asked for as label ("HTTP/2"),
// nil when the comparison has none.
func (c *Comparison) Protocol(label string) *ProtocolRuns {
	for i := range c.Protocols {
		if c.Protocols[i].Asked == label {
			return &c.Protocols[i]
		}
	}
	return nil
}

// QUICSaving is HTTP/2's median setup (TCP and TLS) minus HTTP/3's (the
// QUIC handshake): what QUIC saved before the request could go. ok is
// false unless both set up a connection (HTTP/2's row may have been
// spoken as HTTP/1.1: its TCP and TLS cost the same).
func (c *Comparison) QUICSaving() (saved time.Duration, ok bool) {
	h2, h3 := c.Protocol("HTTP/2"), c.Protocol("HTTP/3")
	if h2 == nil || h3 == nil || h2.Setup.N == 0 || h3.Setup.N == 0 || h3.Proto() != "HTTP/3.0" {
		return 0, false
	}
	return h2.Setup.Median - h3.Setup.Median, true
}
