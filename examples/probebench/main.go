// Command probebench measures `reqtrace probe` under load, beside Debian's
// blackbox_exporter when it is installed: N scrapers (10, 100, 1000 by
// default) each probing its own lab target in a loop for a while, and for
// each prober the probes per second, the share that succeeded, its peak
// RSS and its goroutines once the load is gone (a leak shows there). It
// measures and reports; it asserts nothing.
//
//	go run ./examples/probebench [-for 5s] [-n 10,100,1000]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func main() {
	dur := flag.Duration("for", 5*time.Second, "how long each load runs")
	levels := flag.String("n", "10,100,1000", "concurrent scrapers, comma-separated")
	bbePath := flag.String("blackbox", "prometheus-blackbox-exporter", "blackbox_exporter binary (\"none\" skips it)")
	flag.Parse()
	if err := run(*dur, *levels, *bbePath); err != nil {
		fmt.Fprintln(os.Stderr, "probebench:", err)
		os.Exit(1)
	}
}

// prober is one exporter process under test.
type prober struct {
	name string
	base string
	cmd  *exec.Cmd
}

func run(dur time.Duration, levels, bbePath string) error {
	dir, err := os.MkdirTemp("", "probebench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lab, err := tracetest.Start()
	if err != nil {
		return err
	}
	defer lab.Close()
	// The HTTP server's keep-alive connections are per client, so a
	// thousand scrapers hold a thousand connections: raise the limit.
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	bin := filepath.Join(dir, "reqtrace")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/reqtrace/reqtrace").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v: %s", err, out)
	}
	cfg := filepath.Join(dir, "probe.yml")
	module := "modules:\n  http_2xx:\n    prober: http\n    http:\n      preferred_ip_protocol: ip4\n"
	if err := os.WriteFile(cfg, []byte(module), 0o644); err != nil {
		return err
	}
	var probers []*prober
	rt, err := startReqtrace(bin, cfg)
	if err != nil {
		return err
	}
	probers = append(probers, rt)
	if p, err := exec.LookPath(bbePath); err == nil && bbePath != "none" {
		if b, err := startBlackbox(p, cfg); err == nil {
			probers = append(probers, b)
		} else {
			fmt.Fprintln(os.Stderr, "blackbox_exporter:", err)
		}
	} else {
		fmt.Println("blackbox_exporter not found (Debian: prometheus-blackbox-exporter): reqtrace alone")
	}
	defer func() {
		for _, p := range probers {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	}()

	fmt.Printf("Each scraper probes its own target (http://127.0.0.1:%d/?t=N, the lab's 28-byte page) in a loop for %v.\n", lab.HTTPPort, dur)
	fmt.Println("reqtrace probe runs with its default --max-concurrent 64 (the rest queue); blackbox_exporter has no limit.")
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "prober\tscrapers\tprobes/s\tsucceeded\tp50 scrape\tp99 scrape\tpeak RSS\tgoroutines after\t")
	for _, level := range strings.Split(levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(level))
		if err != nil || n < 1 {
			return fmt.Errorf("-n %q: not a positive number", level)
		}
		for _, p := range probers {
			r := load(p, lab.HTTPPort, n, dur)
			time.Sleep(500 * time.Millisecond) // let the prober's idle connections and goroutines go
			fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f%%\t%s\t%s\t%.1f MiB\t%s\t\n", p.name, n, r.rate, r.okShare*100,
				r.p50.Round(100*time.Microsecond), r.p99.Round(100*time.Microsecond), float64(peakRSS(p.cmd.Process.Pid))/(1<<20), goroutines(p))
		}
	}
	tw.Flush()
	return nil
}

func startReqtrace(bin, cfg string) (*prober, error) {
	c := exec.Command(bin, "probe", "--listen", "127.0.0.1:0", "--config", cfg)
	errPipe, err := c.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	line, _ := bufio.NewReader(errPipe).ReadString('\n')
	go io.Copy(io.Discard, errPipe)
	i := strings.Index(line, "http://")
	j := strings.Index(line, "/probe")
	if i < 0 || j < i {
		c.Process.Kill()
		return nil, fmt.Errorf("reqtrace probe said %q", line)
	}
	return &prober{name: "reqtrace probe", base: line[i:j], cmd: c}, nil
}

func startBlackbox(bin, cfg string) (*prober, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	c := exec.Command(bin, "--config.file="+cfg, "--web.listen-address="+addr, "--log.level=error")
	if err := c.Start(); err != nil {
		return nil, err
	}
	p := &prober{name: "blackbox_exporter", base: "http://" + addr, cmd: c}
	for range 100 {
		if resp, err := http.Get(p.base + "/metrics"); err == nil {
			resp.Body.Close()
			return p, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.Process.Kill()
	return nil, fmt.Errorf("did not start on %s", addr)
}

type loadResult struct {
	rate, okShare float64
	p50, p99      time.Duration
}

// load runs n scrapers against p for d and reports what came back.
func load(p *prober, port, n int, d time.Duration) loadResult {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	var done, ok atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			q := url.Values{"module": {"http_2xx"}, "target": {fmt.Sprintf("http://127.0.0.1:%d/?t=%d", port, i)}}
			u := p.base + "/probe?" + q.Encode()
			for time.Now().Before(stop) {
				start := time.Now()
				resp, err := client.Get(u)
				if err != nil {
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				took := time.Since(start)
				done.Add(1)
				if resp.StatusCode == 200 && strings.Contains(string(body), "\nprobe_success 1\n") {
					ok.Add(1)
				}
				mu.Lock()
				lat = append(lat, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	client.CloseIdleConnections()
	r := loadResult{rate: float64(done.Load()) / d.Seconds()}
	if done.Load() > 0 {
		r.okShare = float64(ok.Load()) / float64(done.Load())
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.p50, r.p99 = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return r
}

// peakRSS is the process's VmHWM.
func peakRSS(pid int) int64 { return tracetest.PeakRSS(pid) }

// goroutines reads go_goroutines from the prober's own /metrics.
func goroutines(p *prober) string {
	resp, err := http.Get(p.base + "/metrics")
	if err != nil {
		return "—"
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			return v
		}
	}
	return "—"
}
