package render

import "github.com/reqtrace/reqtrace/trace"

// WireHop is one hop of the trace document, as `trace --json` writes it;
// the page document (render/page) embeds it, so a hop reads the same
// everywhere and is converted in one place.
type WireHop = wireHop

// WireHops converts r's hops as `trace --json` does (never nil).
func WireHops(r *trace.Result) []WireHop {
	out := make([]WireHop, 0, len(r.Hops))
	for i := range r.Hops {
		out = append(out, wireHopOf(&r.Hops[i], r))
	}
	return out
}

// WireResult is the whole trace document, as `trace --json` writes it;
// the comparison document (render/compare) embeds one per run.
type WireResult = wireResult

// WireResultOf converts r as `trace --json` does.
func WireResultOf(r *trace.Result) WireResult { return toWire(r) }
