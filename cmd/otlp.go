package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/otlp"
	"github.com/reqtrace/reqtrace/trace"
)

// spans exports the traces of one command line as OpenTelemetry spans.
type spans struct {
	exp      *otlp.Exporter
	tp       *trace.TraceParent
	endpoint string
}

// traceContext sets up --traceparent and --otlp: the traceparent the
// requests carry (nil for none) and the exporter (nil when no endpoint is
// set by the flag or the OTEL_EXPORTER_OTLP_* variables).
func (f *traceFlags) traceContext(ios *IO, opts *trace.Options) (*spans, error) {
	var tp *trace.TraceParent
	switch f.traceparent {
	case "", "auto":
	case "off":
	default:
		var err error
		if tp, err = trace.ParseTraceParent(f.traceparent); err != nil {
			return nil, err
		}
	}
	endpoint := f.otlp
	exporting := endpoint != "" || ios.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || ios.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	if !exporting {
		if tp != nil { // joined as given: the server's span hangs under the user's
			opts.Headers = append(opts.Headers, trace.HeaderEdit{Name: "traceparent", Value: f.traceparent})
		}
		return nil, nil
	}
	if tp == nil {
		tp = trace.NewTraceParent()
	}
	if f.traceparent != "off" {
		opts.TraceParent = tp
	}
	exp, err := otlp.New(context.Background(), endpoint, trace.Version)
	if err != nil {
		return nil, usageErrorf("--otlp %s: %v", endpoint, err)
	}
	return &spans{exp: exp, tp: tp, endpoint: endpoint}, nil
}

func (s *spans) export(res *trace.Result) {
	if s != nil {
		s.exp.Export(res, s.tp)
	}
}

// close sends the spans; a collector that cannot be reached is a warning,
// not a failure of the trace.
func (s *spans) close(ios *IO, silent bool) {
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.exp.Close(ctx); err != nil && !silent {
		where := s.endpoint
		if where == "" {
			where = "the OTEL_EXPORTER_OTLP_* endpoint"
		}
		fmt.Fprintln(ios.ErrOut, "reqtrace: warning: sending the spans to "+render.Safe(where)+" failed: "+render.Safe(err.Error()))
	}
}
