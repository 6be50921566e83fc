// Command bench measures reqtrace against its peers on the in-process lab,
// loopback only, and prints ratio tables: phase figures against the delay
// the lab injected and against curl's, httpstat's and Chromium's figures
// for the same request; one DNS answer against kdig and dig; start-up,
// wall time and peak RSS of a whole trace run the way users run it; 1 GiB
// throughput; and, with -rtt, every tool's phases against the physics of a
// delayed link. It measures and reports; it asserts nothing. See README.md
// next to it.
//
//	go run ./examples/bench [-n 15] [-big 1073741824] [-big-runs 3] [-rtt 20ms]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func main() {
	n := flag.Int("n", 15, "runs of each tool per request (alternating)")
	big := flag.Int64("big", 1<<30, "body size in bytes for the throughput table (0 skips it)")
	bigRuns := flag.Int("big-runs", 3, "runs of each tool per throughput row")
	rtt := flag.Duration("rtt", 20*time.Millisecond, "round trip of the delayed link for the physics table (0 skips it)")
	bin := flag.String("reqtrace", "", "reqtrace binary to measure (default: go build one into a temp dir)")
	curlPath := flag.String("curl", "", "curl binary (default: curl on PATH)")
	httpstatPath := flag.String("httpstat", "", "httpstat binary (default: httpstat on PATH)")
	tables := flag.String("tables", "abcdefgh", "which tables to print, by letter")
	chromium := flag.String("chromium", "", "Chromium binary for Resource Timing (default: chromium on PATH; \"none\" skips it)")
	flag.Parse()
	b := &bench{reqtrace: *bin, chromium: *chromium, tables: *tables, hostsFiles: map[string]string{}}
	if err := b.run(*n, *big, *bigRuns, *rtt, *curlPath, *httpstatPath); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// bench holds what every measurement needs.
type bench struct {
	lab        *tracetest.Lab
	dir        string
	reqtrace   string
	curl       string // each peer's path, "" when absent
	curlDNS    bool   // this curl takes --dns-servers (built with c-ares)
	httpstat   string
	kdig, dig  string
	chromium   string
	unshare    string
	timeCmd    string // /usr/bin/time, "" when absent
	browser    *chromiumTiming
	hostsFiles map[string]string
	bundle     string // the system roots plus the lab's CA, for the "as users run" tables
	tables     string // the letters of the tables to print
}

// want reports whether table t was asked for.
func (b *bench) want(t string) bool { return strings.Contains(b.tables, t) }

func (b *bench) run(n int, big int64, bigRuns int, rtt time.Duration, curlPath, httpstatPath string) error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "reqtrace-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b.dir = dir
	if b.reqtrace == "" {
		b.reqtrace = filepath.Join(dir, "reqtrace")
		fmt.Fprintln(os.Stderr, "building reqtrace…")
		build := exec.Command("go", "build", "-o", b.reqtrace, "github.com/reqtrace/reqtrace")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build: %w", err)
		}
	}
	b.findPeers(curlPath, httpstatPath)
	if p, err := exec.LookPath("/usr/bin/time"); err == nil {
		b.timeCmd = p
	}
	lab, err := tracetest.Start()
	if err != nil {
		return err
	}
	defer lab.Close()
	b.lab = lab
	if err := b.writeBundle(); err != nil {
		return err
	}
	b.curlDNS = b.curl != "" && b.curlHasDNSServers()
	if b.chromium != "" && b.chromium != "none" && (b.want("a") || b.want("g") || b.want("h")) {
		if c, err := startChromium(b.chromium, filepath.Join(dir, "chromium")); err == nil {
			b.browser = c
			defer c.close()
		} else {
			fmt.Fprintln(os.Stderr, "chromium:", err)
		}
	}

	b.machine()
	fmt.Printf("runs: %d per tool per request, the tools in turn (a different one first each round); figures are medians\n\n", n)
	for _, t := range []struct {
		letter string
		run    func()
	}{
		{"a", func() { b.phases(n) }},
		{"b", func() { b.dnsTable(n) }},
		{"c", func() { b.startup(n) }},
		{"d", func() { b.whole(n) }},
		{"e", func() { b.throughput(big, bigRuns) }},
		{"f", func() { b.physics(n, rtt) }},
		{"g", func() { b.pageTable(n) }},
		{"h", func() { b.h3Table(n, big, bigRuns) }},
	} {
		if b.want(t.letter) && !(t.letter == "e" && big == 0) && !(t.letter == "f" && rtt == 0) {
			t.run()
		}
	}
	fmt.Printf("bench took %v\n", time.Since(start).Round(time.Second))
	return nil
}

// machine prints what the figures were measured on, and which peers.
func (b *bench) machine() {
	model := "unknown"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	goVersion := runtime.Version()
	if out, err := exec.Command("go", "version").Output(); err == nil {
		goVersion = strings.TrimSpace(string(out))
	}
	firstLine := func(path string, args ...string) string {
		if path == "" {
			return "absent"
		}
		out, _ := exec.Command(path, args...).Output()
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return path + ": " + line
	}
	fmt.Println("Machine")
	fmt.Printf("  cpu       %s × %d (nproc)\n", model, runtime.NumCPU())
	fmt.Printf("  kernel    %s %s\n", runtime.GOOS, strings.TrimSpace(string(kernel)))
	fmt.Printf("  go        %s\n", goVersion)
	fmt.Printf("  reqtrace  %s\n", firstLine(b.reqtrace, "version"))
	fmt.Printf("  curl      %s\n", firstLine(b.curl, "--version"))
	httpstat := "absent (the module proxy may refuse davecheney/httpstat: build it from its source and pass -httpstat)"
	if b.httpstat != "" {
		httpstat = b.httpstat + " (prints whole milliseconds)"
	}
	fmt.Printf("  httpstat  %s\n", httpstat)
	fmt.Printf("  kdig      %s\n", orAbsent(b.kdig))
	fmt.Printf("  dig       %s\n", orAbsent(b.dig))
	chromium := "absent or not started"
	if b.browser != nil {
		chromium = firstLine(b.chromium, "--version")
	}
	fmt.Printf("  chromium  %s\n", chromium)
	fmt.Println()
}

func orAbsent(p string) string {
	if p == "" {
		return "absent"
	}
	return p
}

// writeBundle writes the system's root bundle with the lab's CA appended:
// the "as users run" tables hand it to each tool the way that tool finds
// its roots by default (SSL_CERT_FILE for the Go tools, CURL_CA_BUNDLE for
// curl), so each pays for loading a full system store as it would on a
// real https:// URL, and none takes a shortcut flag.
func (b *bench) writeBundle() error {
	var system []byte
	for _, p := range []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"} {
		if data, err := os.ReadFile(p); err == nil {
			system = data
			break
		}
	}
	b.bundle = filepath.Join(b.dir, "roots.pem")
	return os.WriteFile(b.bundle, append(append(system, '\n'), b.lab.CAPEM...), 0o644)
}

func (b *bench) curlHasDNSServers() bool {
	cmd := exec.Command(b.curl, "-s", "-o", "/dev/null", "--dns-servers", b.lab.DNSAddr, "--max-time", "2",
		b.lab.URL("http", "www.lab.test", "/"))
	return cmd.Run() == nil
}

func (b *bench) url(r request) string { return b.lab.URL(r.scheme, r.host, r.path) }

func (b *bench) port(scheme string) int {
	if scheme == "https" {
		return b.lab.HTTPSPort
	}
	return b.lab.HTTPPort
}

func (b *bench) resolve(scheme, host string) string {
	return fmt.Sprintf("%s:%d:127.0.0.1", host, b.port(scheme))
}
