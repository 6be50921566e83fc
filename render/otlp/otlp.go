// Package otlp renders a finished trace as OpenTelemetry spans and sends
// them to an OTLP/HTTP endpoint (a collector, Jaeger) with the official
// SDK: one client span per hop, named by its method as the HTTP semantic
// conventions say, with a child span per phase (a span per DNS query and
// per connection attempt under theirs) and the notes as span events. The
// hop spans carry the IDs reqtrace sent in each request's traceparent, so
// an instrumented server's spans land under them in the same trace.
//
// It is the one part of render that writes to the network, the way -o
// writes to a file: the spans are output, made after the trace is over.
package otlp

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/reqtrace/reqtrace/trace"
)

// Exporter sends traces' spans to one endpoint.
type Exporter struct {
	tp     *sdktrace.TracerProvider
	tracer oteltrace.Tracer
}

// New makes an exporter for endpoint, an OTLP/HTTP URL such as
// http://127.0.0.1:4318 (the path defaults to /v1/traces). An empty
// endpoint leaves it to the OTEL_EXPORTER_OTLP_* variables, as every
// OpenTelemetry SDK reads them.
func New(ctx context.Context, endpoint, version string) (*Exporter, error) {
	var opts []otlptracehttp.Option
	if endpoint != "" {
		if !strings.Contains(endpoint, "://") {
			endpoint = "http://" + endpoint
		}
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("not a URL: give it as http://HOST:4318")
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/v1/traces" // OTLP/HTTP's path, as the SDK adds it to OTEL_EXPORTER_OTLP_ENDPOINT
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
	}
	// The SDK logs export failures itself, unprefixed; Close reports them.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, err
	}
	res := resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName("reqtrace"), semconv.ServiceVersion(version))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res),
		sdktrace.WithIDGenerator(givenIDs{}), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	return &Exporter{tp: tp, tracer: tp.Tracer("github.com/reqtrace/reqtrace")}, nil
}

// Close sends what is queued and stops; its error is the export's.
func (e *Exporter) Close(ctx context.Context) error {
	if err := e.tp.ForceFlush(ctx); err != nil {
		e.tp.Shutdown(ctx)
		return err
	}
	return e.tp.Shutdown(ctx)
}

// Export queues the spans of one trace run under tp.
func (e *Exporter) Export(res *trace.Result, tp *trace.TraceParent) {
	if res == nil || tp == nil || len(res.Hops) == 0 {
		return
	}
	ctx := context.Background()
	if tp.ParentID != ([8]byte{}) {
		ctx = oteltrace.ContextWithRemoteSpanContext(ctx, oteltrace.NewSpanContext(oteltrace.SpanContextConfig{
			TraceID: tp.TraceID, SpanID: tp.ParentID, TraceFlags: oteltrace.FlagsSampled, Remote: true}))
	}
	end := res.Started
	for _, h := range res.Hops {
		end = later(end, h.Started.Add(h.Timings.Total))
	}
	root := e.start(withIDs(ctx, tp.TraceID, newSpanID()), "reqtrace "+res.URL, res.Started,
		oteltrace.WithSpanKind(oteltrace.SpanKindInternal), oteltrace.WithAttributes(attribute.String("url.full", res.URL)))
	rctx := oteltrace.ContextWithSpan(ctx, root)
	for i := range res.Hops {
		e.hop(rctx, tp.TraceID, &res.Hops[i])
	}
	if res.Err != nil {
		root.SetStatus(codes.Error, res.Err.Message)
		root.SetAttributes(attribute.String("error.type", res.Err.Kind))
	}
	root.End(oteltrace.WithTimestamp(end))
}

func (e *Exporter) start(ctx context.Context, name string, at time.Time, opts ...oteltrace.SpanStartOption) oteltrace.Span {
	_, s := e.tracer.Start(ctx, name, append(opts, oteltrace.WithTimestamp(at))...)
	return s
}

// hop is the HTTP client span of one exchange and its phases.
func (e *Exporter) hop(ctx context.Context, traceID [16]byte, h *trace.Hop) {
	id := h.SpanID
	if id == ([8]byte{}) {
		id = newSpanID()
	}
	method := h.Request.Method
	if method == "" {
		method = "HTTP"
	}
	s := e.start(withIDs(ctx, traceID, id), method, h.Started, oteltrace.WithSpanKind(oteltrace.SpanKindClient),
		oteltrace.WithAttributes(hopAttributes(h)...))
	hctx := oteltrace.ContextWithSpan(ctx, s)
	at := func(d time.Duration) time.Time { return h.Started.Add(d) }
	phase := func(name string, sp *trace.Span, attrs ...attribute.KeyValue) context.Context {
		if sp == nil {
			return nil
		}
		c := e.start(withIDs(hctx, traceID, newSpanID()), name, at(sp.Start), oteltrace.WithAttributes(attrs...))
		c.End(oteltrace.WithTimestamp(at(sp.End())))
		return oteltrace.ContextWithSpan(hctx, c)
	}
	if h.DNS != nil {
		if dctx := phase("dns", h.Timings.DNS, attribute.String("dns.question.name", h.DNS.Host), attribute.String("reqtrace.dns.rcode", h.DNS.Rcode)); dctx != nil {
			for _, q := range h.DNS.Queries {
				c := e.start(withIDs(dctx, traceID, newSpanID()), "dns "+q.Type+" "+q.Name, at(q.Start), oteltrace.WithAttributes(
					attribute.String("dns.question.name", q.Name), attribute.String("dns.question.type", q.Type),
					attribute.String("server.address", q.Server), attribute.String("network.transport", q.Transport),
					attribute.String("reqtrace.dns.rcode", q.Rcode), attribute.Int("reqtrace.dns.answers", q.Answers)))
				if q.Err != "" {
					c.SetStatus(codes.Error, q.Err)
				}
				c.End(oteltrace.WithTimestamp(at(q.Start + q.Duration)))
			}
		}
	}
	if h.Connect != nil {
		if cctx := phase("connect", h.Timings.Connect, attribute.String("network.peer.address", h.Connect.Address)); cctx != nil {
			for _, a := range h.Connect.Attempts {
				c := e.start(withIDs(cctx, traceID, newSpanID()), "connect "+a.Address, at(a.Start),
					oteltrace.WithAttributes(attribute.String("network.peer.address", a.Address)))
				if a.Err != "" {
					c.SetStatus(codes.Error, a.Err)
				}
				c.End(oteltrace.WithTimestamp(at(a.End())))
			}
		}
	}
	phase("proxy", h.Timings.Proxy)
	if h.TLS != nil {
		phase("tls", h.Timings.TLS, attribute.String("tls.protocol.version", strings.TrimPrefix(h.TLS.Version, "TLS ")),
			attribute.String("tls.cipher", h.TLS.CipherSuite), attribute.String("tls.next_protocol", h.TLS.ALPN),
			attribute.Bool("tls.resumed", h.TLS.Resumed), attribute.Bool("reqtrace.tls.verified", h.TLS.Verified))
	}
	phase("send", h.Timings.Send)
	phase("wait", h.Timings.Wait)
	phase("receive", h.Timings.Receive)
	for _, n := range h.Notes {
		s.AddEvent(n.ID, oteltrace.WithTimestamp(h.Started), oteltrace.WithAttributes(
			attribute.String("reqtrace.note.level", n.Level), attribute.String("reqtrace.note.category", n.Category),
			attribute.String("reqtrace.note.subject", n.Subject), attribute.String("reqtrace.note.message", n.Message)))
	}
	switch {
	case h.Err != nil:
		s.SetStatus(codes.Error, h.Err.Message)
	case h.Response != nil && h.Response.Status >= 400:
		s.SetStatus(codes.Error, "")
	}
	s.End(oteltrace.WithTimestamp(h.Started.Add(h.Timings.Total)))
}

// hopAttributes are the HTTP client span's semantic-convention attributes.
func hopAttributes(h *trace.Hop) []attribute.KeyValue {
	attrs := []attribute.KeyValue{attribute.String("http.request.method", h.Request.Method), attribute.String("url.full", h.URL)}
	if host, port, ok := hostPort(h.URL); ok {
		attrs = append(attrs, attribute.String("server.address", host), attribute.Int("server.port", port))
	}
	if h.Connect != nil {
		if ip, port, err := net.SplitHostPort(h.Connect.Address); err == nil {
			p, _ := strconv.Atoi(port)
			attrs = append(attrs, attribute.String("network.peer.address", ip), attribute.Int("network.peer.port", p),
				attribute.Bool("reqtrace.connection.reused", h.Connect.Reused))
		}
	}
	if r := h.Response; r != nil {
		attrs = append(attrs, attribute.Int("http.response.status_code", r.Status),
			attribute.String("network.protocol.version", protoVersion(r.Proto)),
			attribute.Int64("http.response.body.size", r.BodyBytes))
	}
	if h.Err != nil {
		attrs = append(attrs, attribute.String("error.type", h.Err.Kind))
	} else if h.Response != nil && h.Response.Status >= 400 {
		attrs = append(attrs, attribute.String("error.type", strconv.Itoa(h.Response.Status)))
	}
	return attrs
}

func hostPort(raw string) (string, int, bool) {
	u, err := trace.ParseURL(raw)
	if err != nil {
		return "", 0, false
	}
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = map[string]int{"http": 80, "https": 443}[u.Scheme]
	}
	return u.Hostname(), port, true
}

// protoVersion is "1.1" for HTTP/1.1 and "2" for HTTP/2.0, as
// network.protocol.version wants it.
func protoVersion(proto string) string {
	v := strings.TrimPrefix(proto, "HTTP/")
	return strings.TrimSuffix(v, ".0")
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func newSpanID() [8]byte {
	var id [8]byte
	rand.Read(id[:])
	return id
}

// givenIDs hands the SDK the IDs a trace already used on the wire: the
// trace ID of its traceparent and each hop's parent span ID, carried in
// the context of the span about to start.
type givenIDs struct{}

type idsKey struct{}

type ids struct {
	trace [16]byte
	span  [8]byte
}

func withIDs(ctx context.Context, traceID [16]byte, span [8]byte) context.Context {
	return context.WithValue(ctx, idsKey{}, ids{traceID, span})
}

func (givenIDs) NewIDs(ctx context.Context) (oteltrace.TraceID, oteltrace.SpanID) {
	if v, ok := ctx.Value(idsKey{}).(ids); ok {
		return v.trace, v.span
	}
	var t [16]byte
	rand.Read(t[:])
	return t, newSpanID()
}

func (givenIDs) NewSpanID(ctx context.Context, _ oteltrace.TraceID) oteltrace.SpanID {
	if v, ok := ctx.Value(idsKey{}).(ids); ok {
		return v.span
	}
	return newSpanID()
}
