// Package probe runs one trace the way a Prometheus blackbox probe does:
// a target URL and a module (how to ask, what counts as success) in, one
// Outcome out. The module file uses blackbox_exporter's names for the
// settings it shares, so an existing http prober module keeps its meaning.
package probe

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/assert"
)

// MaxConfigBytes bounds the module file.
const MaxConfigBytes = 1 << 20

// DefaultTimeout bounds a probe when neither the module nor the scrape
// says otherwise (blackbox_exporter's default too).
const DefaultTimeout = 5 * time.Second

// Config is the module file: modules by name.
type Config struct {
	Modules map[string]*Module `yaml:"modules"`
}

// Module is one way to probe a target.
type Module struct {
	Prober  string        `yaml:"prober"` // "http", the only one
	Timeout time.Duration `yaml:"timeout"`
	HTTP    HTTPProbe     `yaml:"http"`

	checks []*assert.Check
	caPEM  []byte
}

// HTTPProbe holds the http prober's settings.
type HTTPProbe struct {
	Method              string            `yaml:"method"`
	Headers             map[string]string `yaml:"headers"`
	Body                string            `yaml:"body"`
	ValidStatusCodes    []int             `yaml:"valid_status_codes"`  // default: any 2xx
	ValidHTTPVersions   []string          `yaml:"valid_http_versions"` // "HTTP/1.1", "HTTP/2.0"
	NoFollowRedirects   bool              `yaml:"no_follow_redirects"`
	FailIfSSL           bool              `yaml:"fail_if_ssl"`
	FailIfNotSSL        bool              `yaml:"fail_if_not_ssl"`
	PreferredIPProtocol string            `yaml:"preferred_ip_protocol"` // "ip4" or "ip6": that family only
	TLSConfig           struct {
		InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
		CAFile             string `yaml:"ca_file"`
	} `yaml:"tls_config"`
	// reqtrace's own: the HTTP version to ask for ("1.1", "2"), --assert
	// checks that must hold, and DNS servers to ask instead of the system's.
	HTTPVersion string   `yaml:"http_version"`
	Assertions  []string `yaml:"assertions"`
	DNSServers  []string `yaml:"dns_servers"`
}

// Default is the module used when no file is given or the scrape names
// none: a GET whose final response must be 2xx (blackbox's http_2xx).
func Default() *Module { return &Module{Prober: "http"} }

// LoadConfig reads a module file. Unknown keys are errors, so a misspelt
// setting does not silently fall back to its default.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--config %s: %v", path, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if n, err := buf.ReadFrom(io.LimitReader(f, MaxConfigBytes+1)); err != nil {
		return nil, fmt.Errorf("--config %s: %v", path, err)
	} else if n > MaxConfigBytes {
		return nil, fmt.Errorf("--config %s: larger than %d bytes", path, MaxConfigBytes)
	}
	return ParseConfig(buf.Bytes(), path)
}

// ParseConfig parses and checks a module file's contents.
func ParseConfig(data []byte, name string) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(c.Modules) == 0 {
		return nil, fmt.Errorf("%s: no modules: write modules: {http_2xx: {prober: http}}", name)
	}
	for mname, m := range c.Modules {
		if m == nil {
			m = Default()
			c.Modules[mname] = m
		}
		if err := m.check(); err != nil {
			return nil, fmt.Errorf("%s: module %s: %v", name, mname, err)
		}
	}
	return &c, nil
}

// check validates a module and prepares what it needs at probe time.
func (m *Module) check() error {
	if m.Prober != "" && m.Prober != "http" {
		return fmt.Errorf("prober %q: reqtrace probes http only", m.Prober)
	}
	switch m.HTTP.PreferredIPProtocol {
	case "", "ip4", "ip6":
	default:
		return fmt.Errorf("preferred_ip_protocol %q: write ip4 or ip6", m.HTTP.PreferredIPProtocol)
	}
	switch m.HTTP.HTTPVersion {
	case "", "1.1", "2":
	default:
		return fmt.Errorf("http_version %q: write 1.1 or 2", m.HTTP.HTTPVersion)
	}
	for _, e := range m.HTTP.Assertions {
		c, err := assert.Parse(e)
		if err != nil {
			return err
		}
		m.checks = append(m.checks, c)
	}
	if f := m.HTTP.TLSConfig.CAFile; f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("tls_config.ca_file: %v", err)
		}
		m.caPEM = pem
	}
	return nil
}

// Outcome is one probe's result.
type Outcome struct {
	Result   *trace.Result
	Success  bool
	Failures []string // why it failed, in plain words; empty on success
	Duration time.Duration
}

// Run probes target with m, within timeout (the scrape's budget).
func Run(ctx context.Context, m *Module, target string, timeout time.Duration) Outcome {
	start := time.Now()
	if m.Timeout > 0 && (timeout <= 0 || m.Timeout < timeout) {
		timeout = m.Timeout
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	u, err := trace.ParseURL(target)
	if err != nil {
		return Outcome{Failures: []string{err.Error()}, Duration: time.Since(start)}
	}
	o := m.options(u, timeout)
	res := trace.Do(ctx, o)
	annotate.Result(res, time.Now())
	out := Outcome{Result: res, Duration: time.Since(start)}
	out.Failures = m.judge(res)
	out.Success = len(out.Failures) == 0
	return out
}

func (m *Module) options(u *url.URL, timeout time.Duration) *trace.Options {
	h := m.HTTP
	o := &trace.Options{URL: u, Method: strings.ToUpper(h.Method), MaxTime: timeout,
		FollowRedirects: !h.NoFollowRedirects, MaxRedirects: 10, Insecure: h.TLSConfig.InsecureSkipVerify,
		CACert: m.caPEM, HTTP: h.HTTPVersion, DNSServers: h.DNSServers}
	if h.Body != "" {
		o.Body = []byte(h.Body)
	}
	names := make([]string, 0, len(h.Headers))
	for n := range h.Headers {
		names = append(names, n)
	}
	slices.Sort(names) // a stable order on the wire
	for _, n := range names {
		o.Headers = append(o.Headers, trace.HeaderEdit{Name: n, Value: h.Headers[n]})
	}
	switch h.PreferredIPProtocol {
	case "ip4":
		o.IPVersion = 4
	case "ip6":
		o.IPVersion = 6
	}
	return o
}

// judge says why the probe failed, if it did: the trace's own error, the
// status and version rules, the TLS rules, and the module's assertions.
func (m *Module) judge(res *trace.Result) []string {
	if res.Err != nil {
		return []string{res.Err.Kind + ": " + res.Err.Message}
	}
	var why []string
	hop := res.Hops[len(res.Hops)-1]
	resp := hop.Response
	if resp == nil {
		return []string{"no response"}
	}
	codes := m.HTTP.ValidStatusCodes
	if len(codes) == 0 && (resp.Status < 200 || resp.Status > 299) || len(codes) > 0 && !slices.Contains(codes, resp.Status) {
		why = append(why, fmt.Sprintf("status %d is not a valid status code", resp.Status))
	}
	if v := m.HTTP.ValidHTTPVersions; len(v) > 0 && !slices.Contains(v, resp.Proto) {
		why = append(why, fmt.Sprintf("%s is not a valid HTTP version", resp.Proto))
	}
	tls := strings.HasPrefix(hop.URL, "https:")
	if m.HTTP.FailIfSSL && tls {
		why = append(why, "the final hop used TLS (fail_if_ssl)")
	}
	if m.HTTP.FailIfNotSSL && !tls {
		why = append(why, "the final hop did not use TLS (fail_if_not_ssl)")
	}
	for _, c := range m.checks {
		if o := c.Eval([]*trace.Result{res}); !o.Passed {
			why = append(why, "assertion failed: "+o.Expr+": "+strings.Join(o.Actual, ", "))
		}
	}
	return why
}
