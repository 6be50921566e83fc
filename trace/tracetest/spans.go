package tracetest

import (
	"net/http"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// spans is the lab's OpenTelemetry instrumentation, off until a test
// gives it a tracer provider: each request then gets a server span, child
// of the traceparent the client sent, as an instrumented service's would.
type spans struct {
	mu     sync.Mutex
	tracer oteltrace.Tracer
}

// Instrument makes the lab's HTTP servers record a server span per request
// with tp (nil turns it off again).
func (l *Lab) Instrument(tp oteltrace.TracerProvider) {
	l.spans.mu.Lock()
	defer l.spans.mu.Unlock()
	if tp == nil {
		l.spans.tracer = nil
		return
	}
	l.spans.tracer = tp.Tracer("github.com/reqtrace/reqtrace/trace/tracetest")
}

func (s *spans) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		tracer := s.tracer
		s.mu.Unlock()
		if tracer == nil {
			next.ServeHTTP(w, r)
			return
		}
		ctx := propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tracer.Start(ctx, r.Method+" "+r.URL.Path, oteltrace.WithSpanKind(oteltrace.SpanKindServer),
			oteltrace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path),
				attribute.String("server.address", r.Host)))
		defer span.End()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
