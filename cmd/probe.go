package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/metrics"
	"github.com/reqtrace/reqtrace/trace/probe"
)

type probeFlags struct {
	listen, config string
	maxConcurrent  int
	timeoutOffset  float64
}

func newCmdProbe(ios *IO) *cobra.Command {
	f := &probeFlags{}
	c := &cobra.Command{
		Use:   "probe [--listen ADDR] [--config FILE]",
		Short: "Serve Prometheus probes, as blackbox_exporter does: /probe?target=URL&module=NAME",
		Long: `Probe answers Prometheus scrapes of /probe?target=URL&module=NAME with the
trace of that URL as metrics: blackbox_exporter's names for what it also
measures (probe_success, probe_http_duration_seconds{phase}, probe_http_status_code,
probe_ssl_earliest_cert_expiry, ...), so its dashboards and alerts keep working,
and reqtrace_probe_* for the rest. /metrics has the prober's own metrics.
Add &debug=true to a probe URL to get reqtrace's text report instead.

Modules come from a YAML file with blackbox_exporter's http prober settings
(method, headers, body, valid_status_codes, valid_http_versions,
no_follow_redirects, fail_if_ssl, fail_if_not_ssl, preferred_ip_protocol,
tls_config) and reqtrace's own (http_version, assertions, dns_servers).
Without a file, the module http_2xx probes with a GET and wants a 2xx.`,
		Example: `  reqtrace probe --listen 127.0.0.1:9115 --config probe.yml
  curl 'http://127.0.0.1:9115/probe?target=https://example.com/&module=http_2xx'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runProbe(c.Context(), ios, f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:9115", "ADDR to serve on (host:port; :9115 for every interface)")
	fl.StringVar(&f.config, "config", "", "FILE with the modules (YAML)")
	fl.IntVar(&f.maxConcurrent, "max-concurrent", 64, "N probes at most in flight; more wait, then get 503")
	fl.Float64Var(&f.timeoutOffset, "timeout-offset", 0.5, "SECONDS to keep from Prometheus's scrape timeout for the answer")
	return c
}

func runProbe(ctx context.Context, ios *IO, f *probeFlags) error {
	cfg := &probe.Config{Modules: map[string]*probe.Module{"http_2xx": probe.Default()}}
	if f.config != "" {
		var err error
		if cfg, err = probe.LoadConfig(f.config); err != nil {
			return &exitError{code: ExitUsage, msg: "reqtrace: " + render.Safe(err.Error())}
		}
	}
	if f.maxConcurrent < 1 {
		return usageErrorf("--max-concurrent %d: give at least 1", f.maxConcurrent)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return usageErrorf("--listen %s: %v", f.listen, err)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: newProber(cfg, f).mux(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(ios.ErrOut, "reqtrace: probing on http://%s/probe?target=URL&module=NAME (modules: %d); Ctrl-C stops\n", ln.Addr(), len(cfg.Modules))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return &exitError{code: ExitFailure, msg: "reqtrace: serving probes: " + err.Error()}
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return &exitError{code: ExitFailure, msg: "reqtrace: stopping: " + err.Error()}
	}
	return nil
}

func usageErrorf(format string, a ...any) error {
	return &exitError{code: ExitUsage, msg: "reqtrace: " + render.Safe(fmt.Sprintf(format, a...))}
}

// prober serves /probe and /metrics.
type prober struct {
	cfg    *probe.Config
	f      *probeFlags
	slots  chan struct{} // one token per probe in flight
	reg    *prometheus.Registry
	probes *prometheus.CounterVec
	busy   prometheus.Gauge
	turned prometheus.Counter
}

func newProber(cfg *probe.Config, f *probeFlags) *prober {
	p := &prober{cfg: cfg, f: f, slots: make(chan struct{}, f.maxConcurrent), reg: prometheus.NewRegistry()}
	p.probes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "reqtrace_probes_total",
		Help: "Probes run, by module and result (success, failure)"}, []string{"module", "result"})
	p.busy = prometheus.NewGauge(prometheus.GaugeOpts{Name: "reqtrace_probes_in_flight", Help: "Probes running now"})
	p.turned = prometheus.NewCounter(prometheus.CounterOpts{Name: "reqtrace_probes_rejected_total",
		Help: "Probes refused with 503 because --max-concurrent were in flight until the scrape's timeout"})
	p.reg.MustRegister(p.probes, p.busy, p.turned, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return p
}

func (p *prober) mux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/probe", p.serveProbe)
	m.Handle("/metrics", promhttp.HandlerFor(p.reg, promhttp.HandlerOpts{}))
	m.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "reqtrace probe: /probe?target=URL&module=NAME (add &debug=true for the report), /metrics")
	})
	return m
}

// serveProbe runs one probe within the scrape's timeout and answers with
// its metrics (or, with debug=true, the text report).
func (p *prober) serveProbe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target := q.Get("target")
	if target == "" {
		http.Error(w, "target parameter is missing: /probe?target=https://example.com/&module=http_2xx", http.StatusBadRequest)
		return
	}
	name := q.Get("module")
	if name == "" {
		name = "http_2xx"
	}
	m, ok := p.cfg.Modules[name]
	if !ok {
		http.Error(w, "unknown module "+strconv.Quote(name), http.StatusBadRequest)
		return
	}
	timeout := p.scrapeTimeout(r)
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		p.turned.Inc()
		http.Error(w, "too many probes in flight (--max-concurrent)", http.StatusServiceUnavailable)
		return
	}
	p.busy.Inc()
	out := probe.Run(ctx, m, target, timeout)
	p.busy.Dec()
	<-p.slots
	result := "failure"
	if out.Success {
		result = "success"
	}
	p.probes.WithLabelValues(name, result).Inc()

	if q.Get("debug") == "true" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if out.Result != nil {
			render.Text(w, render.Redact(out.Result), render.Style{Width: 100})
		}
		fmt.Fprintf(w, "\nprobe_success %d\n", map[bool]int{true: 1, false: 0}[out.Success])
		for _, why := range out.Failures {
			fmt.Fprintln(w, "failed: "+render.Safe(why))
		}
		return
	}
	reg := prometheus.NewRegistry()
	metrics.Probe(reg, out)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// scrapeTimeout is Prometheus's scrape timeout less the offset, as
// blackbox_exporter computes it; the module's own timeout may be shorter.
func (p *prober) scrapeTimeout(r *http.Request) time.Duration {
	if v, err := strconv.ParseFloat(r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"), 64); err == nil && v > 0 {
		if t := time.Duration((v - p.f.timeoutOffset) * float64(time.Second)); t > 0 {
			return t
		}
	}
	return probe.DefaultTimeout
}
