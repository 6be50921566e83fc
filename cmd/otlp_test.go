package cmd_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// jaegerConfig runs Jaeger v2 with in-memory storage, receiving OTLP/HTTP
// and answering its query API on the given loopback ports, and nothing
// else listening.
const jaegerConfig = `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics: {level: none}
    logs: {level: warn}
extensions:
  jaeger_query:
    storage: {traces: mem}
    http: {endpoint: "127.0.0.1:%d"}
    grpc: {endpoint: "127.0.0.1:%d"}
  jaeger_storage:
    backends:
      mem:
        memory: {max_traces: 1000}
receivers:
  otlp:
    protocols:
      http: {endpoint: "127.0.0.1:%d"}
processors:
  batch: {timeout: 100ms}
exporters:
  jaeger_storage_exporter: {trace_storage: mem}
`

// jaegerSpan is a span as Jaeger's query API returns it.
type jaegerSpan struct {
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	References    []struct {
		RefType string `json:"refType"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	StartTime int64 `json:"startTime"` // µs
	Duration  int64 `json:"duration"`  // µs
	Tags      []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	} `json:"tags"`
	ProcessID string `json:"processID"`
}

func (s jaegerSpan) parent() string {
	for _, r := range s.References {
		if r.RefType == "CHILD_OF" {
			return r.SpanID
		}
	}
	return ""
}

func (s jaegerSpan) tag(key string) any {
	for _, t := range s.Tags {
		if t.Key == key {
			return t.Value
		}
	}
	return nil
}

// The judge is Jaeger: reqtrace --otlp sends its spans there, the lab's
// instrumented server sends its own, and the trace read back through
// Jaeger's query API has both under one trace ID, the server's span a
// child of the hop's client span (joined by the traceparent reqtrace
// sent), and phase spans at least as long as the lab's injected delays.
func TestOTLPSpansInJaeger(t *testing.T) {
	jaeger := need(t, "jaeger", "jaeger (built by .ci/run from .ci/jaeger)")
	queryPort, grpcPort, otlpPort := freePort(t), freePort(t), freePort(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "jaeger.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(jaegerConfig, queryPort, grpcPort, otlpPort)), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, jaeger, "--config", cfg)
	query := fmt.Sprintf("http://127.0.0.1:%d", queryPort)
	otlpURL := fmt.Sprintf("http://127.0.0.1:%d", otlpPort)
	waitFor(t, query+"/api/services", 60*time.Second, d)

	lab := tracetest.New(t)
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(otlpURL+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("lab"))))
	defer tp.Shutdown(context.Background())
	lab.Instrument(tp)
	defer lab.Instrument(nil)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	url := lab.URL("https", "dnsdelay-20.www.lab.test", "/wait/50")
	o := reqtrace(t, nil, append(labArgs(lab), "--otlp", otlpURL, "--traceparent", "00-"+traceID+"-00f067aa0ba902b7-01", "-o", "/dev/null", url)...)
	if o.code != 0 || strings.Contains(o.stderr, "warning") {
		t.Fatalf("reqtrace: exit %d\n%s", o.code, o.stderr)
	}

	spans, services := jaegerTrace(t, query, traceID, 30*time.Second)
	byName := map[string]jaegerSpan{}
	for _, s := range spans {
		byName[s.OperationName] = s
	}
	hop, ok := byName["GET"]
	if !ok {
		t.Fatalf("no GET client span among %d spans: %v", len(spans), names(spans))
	}
	root := byName["reqtrace "+url]
	if hop.parent() != root.SpanID || root.parent() != "00f067aa0ba902b7" {
		t.Errorf("hop's parent %q, root %q (whose parent is %q, want the --traceparent's)", hop.parent(), root.SpanID, root.parent())
	}
	if services[hop.ProcessID] != "reqtrace" || fmt.Sprint(hop.tag("http.response.status_code")) != "200" || hop.tag("span.kind") != "client" {
		t.Errorf("hop span: service %q, tags %+v", services[hop.ProcessID], hop.Tags)
	}
	for _, phase := range []string{"dns", "connect", "tls", "send", "wait", "receive"} {
		s, ok := byName[phase]
		if !ok || s.parent() != hop.SpanID {
			t.Errorf("phase %s: present %v, parent %q, want the hop %q", phase, ok, s.parent(), hop.SpanID)
		}
	}
	if d := byName["dns"].Duration; d < 20000 {
		t.Errorf("dns span %d µs, want at least the lab's 20 ms", d)
	}
	if d := byName["send"].Duration + byName["wait"].Duration; d < 50000 {
		t.Errorf("send+wait spans %d µs, want at least the lab's 50 ms", d)
	}
	queries := 0
	for _, s := range spans {
		if strings.HasPrefix(s.OperationName, "dns A ") || strings.HasPrefix(s.OperationName, "dns AAAA ") {
			queries++
			if s.parent() != byName["dns"].SpanID {
				t.Errorf("%s hangs under %q, not the dns span", s.OperationName, s.parent())
			}
		}
	}
	if queries < 2 {
		t.Errorf("%d DNS query spans, want A and AAAA", queries)
	}
	server, ok := byName["GET /wait/50"]
	if !ok || services[server.ProcessID] != "lab" || server.parent() != hop.SpanID {
		t.Fatalf("the lab's server span: found %v, service %q, parent %q, want the hop %q", ok, services[server.ProcessID], server.parent(), hop.SpanID)
	}
	if server.Duration < 50000 || server.StartTime < hop.StartTime || server.StartTime+server.Duration > hop.StartTime+hop.Duration+2000 {
		t.Errorf("server span [%d, +%d] µs is not inside the hop's [%d, +%d]", server.StartTime, server.Duration, hop.StartTime, hop.Duration)
	}
}

func names(spans []jaegerSpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.OperationName)
	}
	return out
}

func waitFor(t *testing.T, url string, limit time.Duration, d *daemon) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within %v:\n%s", url, limit, d.stderr.String())
}

// jaegerTrace polls the query API until the trace has spans from both the
// client and the lab, and returns them with the service of each process.
func jaegerTrace(t *testing.T, query, traceID string, limit time.Duration) ([]jaegerSpan, map[string]string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(query + "/api/traces/" + traceID)
		if err == nil {
			var doc struct {
				Data []struct {
					Spans     []jaegerSpan `json:"spans"`
					Processes map[string]struct {
						ServiceName string `json:"serviceName"`
					} `json:"processes"`
				} `json:"data"`
			}
			err = json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if err == nil && len(doc.Data) == 1 {
				services := map[string]string{}
				seen := map[string]bool{}
				for id, p := range doc.Data[0].Processes {
					services[id] = p.ServiceName
				}
				for _, s := range doc.Data[0].Spans {
					seen[services[s.ProcessID]] = true
				}
				if seen["reqtrace"] && seen["lab"] {
					return doc.Data[0].Spans, services
				}
				last = fmt.Sprintf("%d spans, services %v", len(doc.Data[0].Spans), seen)
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("trace %s never had spans from reqtrace and the lab in Jaeger (last: %s)", traceID, last)
	return nil, nil
}
