package annotate

import (
	"fmt"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// timingNotes checks the server's account of its time against ours: a
// Server-Timing metric cannot be longer than the wait for the first byte
// it is part of.
func timingNotes(x *exchange) []trace.Note {
	r, wait := x.hop.Response, x.hop.Timings.Wait
	if r == nil || wait == nil {
		return nil
	}
	var notes []trace.Note
	for _, m := range r.ServerTiming {
		if !m.HasDuration || m.Duration <= wait.Duration {
			continue
		}
		notes = append(notes, note("timing.server-timing-exceeds-wait", trace.NoteTiming, trace.LevelWarn, "Server-Timing",
			"Server-Timing says %q took %s, longer than the whole wait for the first byte (%s, measured here): the metric counts work outside this request (before it arrived, or after the head went out), or is in the wrong unit (dur is milliseconds).",
			m.Name, fmtMS(m.Duration), fmtMS(wait.Duration)))
	}
	return notes
}

func fmtMS(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}
