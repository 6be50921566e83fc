package cmd

import (
	"context"
	"io"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/har"
)

// Every Result cmd hands to render comes from one of the functions below,
// and producing a Result includes its notes (package trace/annotate): no
// caller has to remember that step. trace cannot add them itself, as
// annotate reads trace's types.

// traced runs one trace.
func traced(ctx context.Context, o *trace.Options) *trace.Result {
	return annotated(trace.Do(ctx, o))
}

// repeated runs the trace ro.Count times (-n); each run is annotated as it
// completes.
func repeated(ctx context.Context, o *trace.Options, ro trace.RepeatOptions) *trace.Series {
	return trace.Repeat(ctx, o, ro, func(_ int, r *trace.Result) { annotated(r) })
}

// fromHAR reads a HAR file's pages as Results.
func fromHAR(in io.Reader) ([]*trace.Result, error) {
	// The report shows no more of a body than a trace without -i keeps:
	// the rest is not held in memory.
	rs, err := har.ReadPreview(in, harPreview)
	for _, r := range rs {
		annotated(r)
	}
	return rs, err
}

// annotated adds the notes to r, as of now (for ages and expiry).
func annotated(r *trace.Result) *trace.Result {
	annotate.Result(r, time.Now())
	return r
}
