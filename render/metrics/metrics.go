// Package metrics renders a probe's Outcome as Prometheus metrics. Where
// blackbox_exporter's http prober has a metric for a fact, the name, type,
// labels and meaning are blackbox's, so dashboards and alerts written for
// it keep working; reqtrace's additions are named reqtrace_probe_*.
package metrics

import (
	"hash/fnv"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/probe"
)

// Probe fills reg with the metrics of one probe.
func Probe(reg *prometheus.Registry, o probe.Outcome) {
	g := func(name, help string, v float64) {
		m := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		m.Set(v)
		reg.MustRegister(m)
	}
	g("probe_success", "Displays whether or not the probe was a success", b2f(o.Success))
	g("probe_duration_seconds", "Returns how long the probe took to complete in seconds", o.Duration.Seconds())
	g("reqtrace_probe_failures", "How many of the module's rules the probe broke (0 on success)", float64(len(o.Failures)))
	res := o.Result
	if res == nil {
		return
	}

	phases := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "probe_http_duration_seconds",
		Help: "Duration of http request by phase, summed over all redirects"}, []string{"phase"})
	for phase, d := range phaseSums(res) {
		phases.WithLabelValues(phase).Set(d.Seconds())
	}
	reg.MustRegister(phases)

	if d := firstDNS(res); d != nil {
		g("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds", d.Duration.Seconds())
		g("reqtrace_probe_dns_answers", "Addresses the DNS answer gave", float64(len(d.Addresses)))
	}
	if c := lastConnect(res); c != nil {
		if host, _, err := net.SplitHostPort(c.Address); err == nil {
			ip := net.ParseIP(host)
			proto := 6.0
			if v4 := ip.To4(); v4 != nil {
				proto, ip = 4, v4
			}
			g("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6", proto)
			// blackbox hashes the address's bytes, 4 of them for IPv4.
			h := fnv.New32a()
			h.Write(ip)
			g("probe_ip_addr_hash", "Specifies the hash of IP address. It's useful to detect if the IP address changes.", float64(h.Sum32()))
		}
	}
	g("probe_http_redirects", "The number of redirects", float64(max(0, len(res.Hops)-1)))
	hop := res.Hops[len(res.Hops)-1]
	g("probe_http_ssl", "Indicates if SSL was used for the final redirect", b2f(strings.HasPrefix(hop.URL, "https:")))
	if r := hop.Response; r != nil {
		g("probe_http_status_code", "Response HTTP status code", float64(r.Status))
		g("probe_http_content_length", "Length of http content response", contentLength(r))
		body := float64(r.BodyBytes)
		if r.DecodedBytes >= 0 {
			body = float64(r.DecodedBytes)
		}
		g("probe_http_uncompressed_body_length", "Length of uncompressed response body", body)
		g("probe_http_version", "Returns the version of HTTP of the probe response", httpVersion(r.Proto))
		if lm, ok := header(r, "Last-Modified"); ok {
			if t, err := time.Parse(time.RFC1123, lm); err == nil {
				g("probe_http_last_modified_timestamp_seconds", "Returns the Last-Modified HTTP response header in unixtime", float64(t.Unix()))
			}
		}
	} else {
		g("probe_http_status_code", "Response HTTP status code", 0)
	}
	if t := lastTLS(res); t != nil && len(t.Certificates) > 0 {
		earliest := t.Certificates[0].NotAfter
		for _, c := range t.Certificates {
			if c.NotAfter.Before(earliest) {
				earliest = c.NotAfter
			}
		}
		g("probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime", float64(earliest.Unix()))
		g("probe_ssl_last_chain_expiry_timestamp_seconds", "Returns last SSL chain expiry in timestamp", float64(earliest.Unix()))
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "probe_tls_version_info",
			Help: "Returns the TLS version used or NaN when unknown"}, []string{"version"})
		v.WithLabelValues(t.Version).Set(1)
		reg.MustRegister(v)
		g("reqtrace_probe_tls_verified", "Whether the certificate chain verified (1) or not (0)", b2f(t.Verified))
	}
}

// phaseSums maps reqtrace's phases to blackbox's over every hop: resolve
// = dns, connect, tls, processing = send + wait (request written to first
// byte, as Go's httptrace measures blackbox's), transfer = receive. Every
// phase is present, 0 when it did not take place, as blackbox reports it.
func phaseSums(res *trace.Result) map[string]time.Duration {
	sums := map[string]time.Duration{"resolve": 0, "connect": 0, "tls": 0, "processing": 0, "transfer": 0}
	add := func(name string, s *trace.Span) {
		if s != nil {
			sums[name] += s.Duration
		}
	}
	for _, h := range res.Hops {
		t := h.Timings
		add("resolve", t.DNS)
		add("connect", t.Connect)
		add("tls", t.TLS)
		add("processing", t.Send)
		add("processing", t.Wait)
		add("transfer", t.Receive)
	}
	return sums
}

func firstDNS(res *trace.Result) *trace.DNS {
	for _, h := range res.Hops {
		if h.DNS != nil {
			return h.DNS
		}
	}
	return nil
}

func lastConnect(res *trace.Result) *trace.Connect {
	for i := len(res.Hops) - 1; i >= 0; i-- {
		if c := res.Hops[i].Connect; c != nil {
			return c
		}
	}
	return nil
}

func lastTLS(res *trace.Result) *trace.TLS {
	for i := len(res.Hops) - 1; i >= 0; i-- {
		if t := res.Hops[i].TLS; t != nil {
			return t
		}
	}
	return nil
}

func header(r *trace.Response, name string) (string, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// contentLength is the Content-Length header, -1 when absent or bad (Go's
// http.Response.ContentLength, which blackbox reports).
func contentLength(r *trace.Response) float64 {
	v, ok := header(r, "Content-Length")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return float64(n)
}

// httpVersion is 1.1 for "HTTP/1.1" and 2 for "HTTP/2.0".
func httpVersion(proto string) float64 {
	v, err := strconv.ParseFloat(strings.TrimPrefix(proto, "HTTP/"), 64)
	if err != nil {
		return 0
	}
	return v
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
