package annotate

import (
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// TestServerTimingLongerThanTheWaitIsFlagged: a metric cannot be longer
// than the wait for the first byte it belongs to.
func TestServerTimingLongerThanTheWaitIsFlagged(t *testing.T) {
	h := hop("https://www.example.test/", "GET", nil, resp(200, "Date", httpDate(t0)))
	h.Timings.Wait = &trace.Span{Start: 10 * time.Millisecond, Duration: 12 * time.Millisecond}
	h.Response.ServerTiming = []trace.ServerTiming{{Name: "db", Duration: 42 * time.Millisecond, HasDuration: true}, {Name: "app", Duration: 5 * time.Millisecond, HasDuration: true}}
	var got []trace.Note
	for _, n := range Hop(h, t0) {
		if n.Category == trace.NoteTiming {
			got = append(got, n)
		}
	}
	if len(got) != 1 || got[0].Level != trace.LevelWarn || !strings.Contains(got[0].Message, `"db" took 42.000 ms`) {
		t.Errorf("timing notes %+v", got)
	}
}
