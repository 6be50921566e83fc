package cmd_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// daemon is a server process a test started; stop ends its process group.
type daemon struct {
	cmd    *exec.Cmd
	stderr *strings.Builder
}

func startDaemon(t *testing.T, name string, args ...string) *daemon {
	t.Helper()
	c := exec.Command(name, args...)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	d := &daemon{cmd: c, stderr: &strings.Builder{}}
	c.Stdout, c.Stderr = io.Discard, d.stderr
	if err := c.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	t.Cleanup(func() {
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		c.Wait()
	})
	return d
}

// need finds a server binary: missing is a failure in CI (which must
// install it) and a skip elsewhere.
func need(t *testing.T, bin, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed: .ci/run must apt-get install %s", bin, pkg)
		}
		t.Skipf("%s is not installed (apt-get install %s)", bin, pkg)
	}
	return p
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startProbe runs `reqtrace probe` on an ephemeral port and returns its
// base URL, read from the line it prints.
func startProbe(t *testing.T, config string) string {
	t.Helper()
	args := []string{"probe", "--listen", "127.0.0.1:0"}
	if config != "" {
		args = append(args, "--config", config)
	}
	c := exec.Command(binary, args...)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	errPipe, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		c.Wait()
	})
	line, err := bufio.NewReader(errPipe).ReadString('\n')
	m := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/`).FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("reqtrace probe said %q (%v)", line, err)
	}
	go io.Copy(io.Discard, errPipe)
	return "http://" + m[1]
}

// scrape fetches a metrics page and returns its samples by series
// ("name" or `name{label="v"}`).
func scrape(t *testing.T, u string) (map[string]float64, int) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	samples := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			samples[line[:i]] = v
		}
	}
	return samples, resp.StatusCode
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "probe.yml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The probe's metrics, read directly: blackbox's names and meanings, the
// module's rules, and the errors a scrape can get.
func TestProbeMetrics(t *testing.T) {
	lab := tracetest.New(t)
	cfg := writeConfig(t, fmt.Sprintf(`modules:
  http_2xx:
    prober: http
    http:
      dns_servers: [%q]
      tls_config: {ca_file: %q}
  fast:
    http:
      dns_servers: [%q]
      assertions: ["timings.wait < 50ms"]
`, lab.DNSAddr, lab.CAFile, lab.DNSAddr))
	base := startProbe(t, cfg)
	probe := func(target, module string) (map[string]float64, int) {
		return scrape(t, base+"/probe?"+url.Values{"target": {target}, "module": {module}}.Encode())
	}

	m, code := probe(lab.URL("https", "www.lab.test", "/wait/100"), "http_2xx")
	want := map[string]float64{"probe_success": 1, "probe_http_status_code": 200, "probe_http_version": 2,
		"probe_http_ssl": 1, "probe_http_redirects": 0, "probe_ip_protocol": 4, "reqtrace_probe_dns_answers": 1,
		`probe_tls_version_info{version="TLS 1.3"}`: 1, "reqtrace_probe_tls_verified": 1}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if code != 200 || m[`probe_http_duration_seconds{phase="processing"}`] < 0.1 || m[`probe_http_duration_seconds{phase="tls"}`] <= 0 ||
		m["probe_duration_seconds"] < 0.1 || m["probe_ssl_earliest_cert_expiry"] < float64(time.Now().Unix()) {
		t.Errorf("timings and expiry: %v (HTTP %d)", m, code)
	}

	if m, _ := probe(lab.URL("http", "www.lab.test", "/status/503"), "http_2xx"); m["probe_success"] != 0 || m["probe_http_status_code"] != 503 || m["reqtrace_probe_failures"] != 1 {
		t.Errorf("503: %v", m)
	}
	if m, _ := probe(lab.URL("http", "www.lab.test", "/wait/80"), "fast"); m["probe_success"] != 0 || m["probe_http_status_code"] != 200 {
		t.Errorf("assertion: %v", m)
	}
	if m, _ := probe(lab.URL("http", "www.lab.test", "/redirect/2"), "fast"); m["probe_http_redirects"] != 2 || m["probe_success"] != 1 {
		t.Errorf("redirects: %v", m)
	}
	if m, _ := probe(lab.URL("https", "nxdomain.lab.test", "/"), "http_2xx"); m["probe_success"] != 0 || m["probe_http_status_code"] != 0 {
		t.Errorf("nxdomain: %v", m)
	}
	if _, code := probe("http://x/", "nope"); code != 400 {
		t.Errorf("unknown module: HTTP %d, want 400", code)
	}
	if m, _ := scrape(t, base+"/metrics"); m[`reqtrace_probes_total{module="fast",result="failure"}`] != 1 || m["reqtrace_probes_in_flight"] != 0 {
		t.Errorf("/metrics: %v", m)
	}
}

// A module file that is wrong is bad usage, with the reason, before the
// server starts.
func TestProbeBadConfig(t *testing.T) {
	for text, want := range map[string]string{
		"modules:\n  a:\n    http:\n      methd: GET\n":                 "field methd not found",
		"modules:\n  a:\n    http:\n      assertions: ['status = 2']\n": "write == to compare",
		"modules:\n  a:\n    prober: icmp\n":                            "http only",
		"modules: {}\n":                                                 "no modules",
	} {
		o := reqtrace(t, nil, "probe", "--listen", "127.0.0.1:0", "--config", writeConfig(t, text))
		if o.code != 2 || !strings.Contains(o.stderr, want) {
			t.Errorf("%q: exit %d, stderr %q, want %q", text, o.code, o.stderr, want)
		}
	}
}

// The judge is Prometheus itself: Debian's prometheus scrapes reqtrace
// probe the way blackbox_exporter's documentation sets it up (relabelling
// the target into the probe's parameter), and the series read back through
// its HTTP API must be the ones the probe measured.
func TestProbeScrapedByPrometheus(t *testing.T) {
	prom := need(t, "prometheus", "prometheus")
	lab := tracetest.New(t)
	base := startProbe(t, writeConfig(t, fmt.Sprintf("modules:\n  http_2xx:\n    http:\n      dns_servers: [%q]\n      tls_config: {ca_file: %q}\n", lab.DNSAddr, lab.CAFile)))
	good, bad := lab.URL("https", "www.lab.test", "/wait/50"), lab.URL("http", "www.lab.test", "/status/404")
	promPort := freePort(t)
	dir := t.TempDir()
	config := fmt.Sprintf(`global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: reqtrace
    metrics_path: /probe
    params: {module: [http_2xx]}
    static_configs: [{targets: [%q, %q]}]
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {source_labels: [__param_target], target_label: instance}
      - {target_label: __address__, replacement: %q}
`, good, bad, strings.TrimPrefix(base, "http://"))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, prom, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort))
	api := fmt.Sprintf("http://127.0.0.1:%d/api/v1/query?query=", promPort)
	query := func(q string) map[string]float64 {
		resp, err := http.Get(api + url.QueryEscape(q))
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var doc struct {
			Data struct {
				Result []struct {
					Metric map[string]string `json:"metric"`
					Value  [2]any            `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.NewDecoder(resp.Body).Decode(&doc) != nil {
			return nil
		}
		out := map[string]float64{}
		for _, r := range doc.Data.Result {
			s, _ := r.Value[1].(string)
			v, _ := strconv.ParseFloat(s, 64)
			out[r.Metric["instance"]] = v
		}
		return out
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var success map[string]float64
	for ctx.Err() == nil {
		if success = query("probe_success"); len(success) == 2 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(success) != 2 {
		t.Fatalf("Prometheus never had probe_success for both targets: %v\n%s", success, d.stderr.String())
	}
	if success[good] != 1 || success[bad] != 0 {
		t.Errorf("probe_success = %v", success)
	}
	if st := query("probe_http_status_code"); st[good] != 200 || st[bad] != 404 {
		t.Errorf("probe_http_status_code = %v", st)
	}
	if p := query(`probe_http_duration_seconds{phase="processing"}`); p[good] < 0.05 {
		t.Errorf("processing phase = %v, want at least the 50 ms the lab waits", p)
	}
	if up := query("up"); up[good] != 1 || up[bad] != 1 {
		t.Errorf("up = %v: the scrapes themselves failed", up)
	}
}

// blackbox_exporter (Debian's) probes the same targets with the same
// module; every metric both export must agree, but for durations, which
// are measured separately.
func TestProbeAgreesWithBlackboxExporter(t *testing.T) {
	bbe := need(t, "prometheus-blackbox-exporter", "prometheus-blackbox-exporter")
	lab := tracetest.New(t)
	module := fmt.Sprintf("modules:\n  http_2xx:\n    prober: http\n    http:\n      preferred_ip_protocol: ip4\n      tls_config: {ca_file: %q}\n", lab.CAFile)
	cfg := writeConfig(t, module)
	base := startProbe(t, cfg)
	port := freePort(t)
	startDaemon(t, bbe, "--config.file="+cfg, fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port))
	bbeBase := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(bbeBase + "/metrics"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("blackbox_exporter did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, target := range []string{
		fmt.Sprintf("http://127.0.0.1:%d/", lab.HTTPPort),
		fmt.Sprintf("http://127.0.0.1:%d/status/404", lab.HTTPPort),
		fmt.Sprintf("http://127.0.0.1:%d/redirect/2", lab.HTTPPort),
		fmt.Sprintf("https://localhost:%d/bytes/1000", lab.HTTPSPort),
		fmt.Sprintf("http://127.0.0.1:%d/gzip", lab.HTTPPort),
	} {
		q := "/probe?" + url.Values{"target": {target}, "module": {"http_2xx"}}.Encode()
		ours, _ := scrape(t, base+q)
		theirs, _ := scrape(t, bbeBase+q)
		compared := 0
		for name, v := range theirs {
			if strings.Contains(name, "duration") || strings.Contains(name, "time_seconds") || name == "probe_ip_addr_hash" && v == 0 {
				continue
			}
			got, ok := ours[name]
			if !ok {
				if strings.HasPrefix(name, "probe_ssl_last_chain_info") || name == "probe_failed_due_to_regex" || strings.HasPrefix(name, "probe_http_last_modified") {
					continue // see the README: facts reqtrace does not export
				}
				t.Errorf("%s: blackbox_exporter has %s = %v, reqtrace has none", target, name, v)
				continue
			}
			compared++
			if got != v {
				t.Errorf("%s: %s = %v, blackbox_exporter says %v", target, name, got, v)
			}
		}
		if compared < 8 {
			t.Errorf("%s: only %d metrics compared", target, compared)
		}
	}
}
