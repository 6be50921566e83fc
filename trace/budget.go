package trace

import "slices"

// maxRedirectHeadsKept bounds the header bytes kept over all the
// redirects a trace follows. --max-redirs -1 follows up to 1000, and each
// head may keep 256 KiB (plus 64 KiB of 1xx): without a shared bound a
// chain of large heads would fill memory, and --json would print it all.
// A line counts its name, its value and 32 bytes for the line itself (as
// HPACK counts a field), so that many small lines are bounded too. The
// final response is not charged: it keeps its own caps.
const maxRedirectHeadsKept = 1 << 20

// spendHeads charges a followed redirect's kept header lines (its 1xx
// responses' too) to the trace's budget, spent so far, and returns what
// is spent after it. Once the budget runs out, the lines that do not fit
// are dropped, counted in HeadersCut, and HeadBudgetCut says why.
func spendHeads(hop *Hop, spent int) int {
	cost := func(h Header) int { return len(h.Name) + len(h.Value) + 32 }
	for i := range hop.Informational {
		in := &hop.Informational[i]
		for j, h := range in.Headers {
			if spent += cost(h); spent > maxRedirectHeadsKept {
				in.Headers = slices.Clone(in.Headers[:j]) // a copy: the dropped lines are freed
				break
			}
		}
	}
	r := hop.Response
	if r == nil {
		return spent
	}
	for i, h := range r.Headers {
		if spent += cost(h); spent > maxRedirectHeadsKept {
			r.HeadersCut += len(r.Headers) - i
			r.Headers, r.HeadBudgetCut = slices.Clone(r.Headers[:i]), true
			return maxRedirectHeadsKept
		}
	}
	return spent
}
