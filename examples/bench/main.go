// Command bench measures reqtrace against curl on the in-process lab,
// loopback only, and prints ratio tables: phase figures against the delay
// the lab injected and against curl's -w figures for the same request;
// wall time and peak RSS of a whole trace; and 1 GiB throughput. It
// measures and reports; it asserts nothing. See README.md next to it.
//
//	go run ./examples/bench [-n 15] [-big 1073741824] [-big-runs 3]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func main() {
	n := flag.Int("n", 15, "runs of each tool per request (alternating)")
	big := flag.Int64("big", 1<<30, "body size in bytes for the throughput table (0 skips it)")
	bigRuns := flag.Int("big-runs", 3, "runs of each tool per throughput row")
	bin := flag.String("reqtrace", "", "reqtrace binary to measure (default: go build one into a temp dir)")
	curlPath := flag.String("curl", "", "curl binary (default: curl on PATH)")
	flag.Parse()
	if err := run(*n, *big, *bigRuns, *bin, *curlPath); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// bench holds what every measurement needs.
type bench struct {
	lab      *tracetest.Lab
	reqtrace string
	curl     string // "" when curl is absent
	timeCmd  string // /usr/bin/time, "" when absent
}

func run(n int, big int64, bigRuns int, bin, curlPath string) error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "reqtrace-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "reqtrace")
		fmt.Fprintln(os.Stderr, "building reqtrace…")
		build := exec.Command("go", "build", "-o", bin, "github.com/reqtrace/reqtrace")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build: %w", err)
		}
	}
	b := &bench{reqtrace: bin}
	if curlPath == "" {
		curlPath, _ = exec.LookPath("curl")
	}
	b.curl = curlPath
	if p, err := exec.LookPath("/usr/bin/time"); err == nil {
		b.timeCmd = p
	}
	lab, err := tracetest.Start()
	if err != nil {
		return err
	}
	defer lab.Close()
	b.lab = lab

	machine(b)
	if b.curl == "" {
		fmt.Println("curl not found: skipping the curl columns (install curl or pass -curl PATH to compare)")
	}
	fmt.Printf("runs: %d per tool per request, alternating reqtrace and curl; figures are medians\n\n", n)

	b.phases(n)
	b.dnsOverhead(n)
	b.whole(n)
	if big > 0 {
		b.throughput(big, bigRuns)
	}
	fmt.Printf("bench took %v\n", time.Since(start).Round(time.Second))
	return nil
}

// machine prints what the figures were measured on.
func machine(b *bench) {
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
	curlVersion := "absent"
	if b.curl != "" {
		if out, err := exec.Command(b.curl, "--version").Output(); err == nil {
			curlVersion, _, _ = strings.Cut(string(out), "\n")
		}
	}
	rtVersion, _ := exec.Command(b.reqtrace, "version").Output()
	fmt.Println("Machine")
	fmt.Printf("  cpu       %s × %d (nproc)\n", model, runtime.NumCPU())
	fmt.Printf("  kernel    %s %s\n", runtime.GOOS, strings.TrimSpace(string(kernel)))
	fmt.Printf("  go        %s\n", goVersion)
	fmt.Printf("  curl      %s\n", curlVersion)
	fmt.Printf("  reqtrace  %s\n", strings.TrimSpace(string(rtVersion)))
	fmt.Println()
}

// ---- (a) phases ----

// figures are one run's phases in milliseconds, by name.
type figures map[string]float64

// phaseCase is one request measured phase by phase.
type phaseCase struct {
	name     string
	scheme   string
	host     string
	path     string
	phase    string  // the phase the lab injects into
	injected float64 // ms
	viaDNS   bool    // reqtrace resolves through the lab's DNS (curl cannot reach it)
}

func (b *bench) phases(n int) {
	cases := []phaseCase{
		{"DNS answer delayed 50 ms", "http", "dnsdelay-50.www.lab.test", "/", "dns", 50, true},
		{"TCP connect (loopback)", "http", "www.lab.test", "/", "connect", 0, false},
		{"TLS handshake delayed 50 ms", "https", "tlsdelay-50.www.lab.test", "/", "tls", 50, false},
		{"server think time 100 ms (h2)", "https", "www.lab.test", "/wait/100", "wait", 100, false},
		{"server think time 100 ms (h1)", "http", "www.lab.test", "/wait/100", "wait", 100, false},
		{"body dripped over 100 ms", "http", "www.lab.test", "/drip?bytes=100000&ms=100", "receive", 100, false},
	}
	curlDNS := b.curl != "" && b.curlHasDNSServers()
	fmt.Println("(a) Phases: median of each tool's figure for the phase the lab delays, against the injected delay")
	fmt.Println("    reqtrace: its own phase timings (--json); curl: -w, cumulative, split as httpstat does:")
	fmt.Println("    dns=namelookup connect=connect−namelookup tls=appconnect−connect wait=starttransfer−pretransfer")
	fmt.Println("    receive=total−starttransfer. reqtrace's wait here is send+wait, the span curl's wait covers.")
	if !curlDNS {
		fmt.Println("    This curl has no --dns-servers (no c-ares), so it cannot ask the lab's DNS server: curl uses")
		fmt.Println("    --resolve, and its dns column reads the figure of a lookup that did not happen.")
	}
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\tphase\tinjected\treqtrace\tcurl\treqtrace−injected\tcurl−injected\treqtrace−curl\treqtrace total\tcurl total\t")
	for _, c := range cases {
		var rt, cu []figures
		b.alternate(n, func(_ int, curl bool) {
			if !curl {
				if f, err := b.reqtracePhases(c); err == nil {
					rt = append(rt, f)
				} else {
					fmt.Fprintln(os.Stderr, "reqtrace:", err)
				}
			} else if f, err := b.curlPhases(c, curlDNS); err == nil {
				cu = append(cu, f)
			} else {
				fmt.Fprintln(os.Stderr, "curl:", err)
			}
		})
		r, k := median(rt, c.phase), median(cu, c.phase)
		row := []string{c.name, c.phase, ms(c.injected), ms(r), ms(k), diff(r, c.injected), diff(k, c.injected), diff(r, k),
			ms(median(rt, "total")), ms(median(cu, "total"))}
		if c.phase == "connect" {
			row[2], row[5], row[6] = "—", "—", "—"
		}
		if c.viaDNS && !curlDNS {
			row[4], row[6], row[7] = "n/a", "n/a", "n/a"
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Println()
}

// curlHasDNSServers reports whether this curl was built with c-ares and
// takes --dns-servers.
// alternate calls measure n times for reqtrace and for curl (when it is
// installed), switching which goes first each round so that neither
// always finds the warmer machine.
func (b *bench) alternate(n int, measure func(i int, curl bool)) {
	for i := range n {
		order := []bool{false, true}
		if i%2 == 1 {
			order = []bool{true, false}
		}
		for _, curl := range order {
			if !curl || b.curl != "" {
				measure(i, curl)
			}
		}
	}
}

func (b *bench) curlHasDNSServers() bool {
	cmd := exec.Command(b.curl, "-s", "-o", "/dev/null", "--dns-servers", b.lab.DNSAddr, "--max-time", "2",
		b.lab.URL("http", "www.lab.test", "/"))
	return cmd.Run() == nil
}

func (b *bench) url(c phaseCase) string { return b.lab.URL(c.scheme, c.host, c.path) }

func (b *bench) port(scheme string) int {
	if scheme == "https" {
		return b.lab.HTTPSPort
	}
	return b.lab.HTTPPort
}

func (b *bench) resolve(scheme, host string) string {
	return fmt.Sprintf("%s:%d:127.0.0.1", host, b.port(scheme))
}

// reqtracePhases runs reqtrace --json and reads the hop's phases.
func (b *bench) reqtracePhases(c phaseCase) (figures, error) {
	args := []string{"--json", "--cacert", b.lab.CAFile}
	if c.viaDNS {
		args = append(args, "--dns-servers", b.lab.DNSAddr)
	} else {
		args = append(args, "--resolve", b.resolve(c.scheme, c.host))
	}
	out, err := exec.Command(b.reqtrace, append(args, b.url(c))...).Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, out)
	}
	var doc struct {
		Hops []struct {
			Timings map[string]*float64 `json:"timings_ms"`
		} `json:"hops"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.Hops) != 1 {
		return nil, fmt.Errorf("unexpected output %v: %.200s", err, out)
	}
	f := figures{}
	for k, v := range doc.Hops[0].Timings {
		if v != nil {
			f[k] = *v
		}
	}
	f["wait"] += f["send"] // the span curl's starttransfer−pretransfer covers
	return f, nil
}

// curlPhases runs curl -w and splits its cumulative figures into phases.
func (b *bench) curlPhases(c phaseCase, viaDNS bool) (figures, error) {
	args := []string{"-s", "-o", "/dev/null", "--cacert", b.lab.CAFile,
		"-w", "%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}"}
	if c.viaDNS && viaDNS {
		args = append(args, "--dns-servers", b.lab.DNSAddr)
	} else {
		args = append(args, "--resolve", b.resolve(c.scheme, c.host))
	}
	out, err := exec.Command(b.curl, append(args, b.url(c))...).Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, out)
	}
	var v [6]float64
	fields := strings.Fields(string(out))
	if len(fields) != 6 {
		return nil, fmt.Errorf("unexpected -w output %q", out)
	}
	for i, s := range fields {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, err
		}
		v[i] = x * 1000
	}
	namelookup, connect, appconnect, pretransfer, starttransfer, total := v[0], v[1], v[2], v[3], v[4], v[5]
	f := figures{"dns": namelookup, "connect": connect - namelookup, "wait": starttransfer - pretransfer,
		"receive": total - starttransfer, "total": total}
	if appconnect > 0 {
		f["tls"] = appconnect - connect
	}
	return f, nil
}

// ---- (b) a whole trace: wall time and peak RSS ----

func (b *bench) whole(n int) {
	fmt.Println("(b) A whole trace, process start to exit: median wall time and peak RSS (both tools use --resolve)")
	if b.timeCmd == "" {
		fmt.Println("    /usr/bin/time is absent: RSS is the child's VmHWM polled every 2 ms, which may miss a short peak")
	} else {
		fmt.Println("    RSS: /usr/bin/time -f %M (GNU time forks, so its child's maxrss is its own; Go's os/exec")
		fmt.Println("    vfork would carry the bench's RSS into the child's)")
	}
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\treqtrace wall\tcurl wall\treqtrace/curl\treqtrace RSS\tcurl RSS\treqtrace/curl\t")
	for _, c := range []struct{ name, scheme, path string }{
		{"plain HTTP/1.1, 28 B body", "http", "/"},
		{"HTTPS (h2), 28 B body", "https", "/"},
		{"HTTPS (h2), 1 MiB body", "https", "/bytes/1048576"},
	} {
		u := b.lab.URL(c.scheme, "www.lab.test", c.path)
		rtArgs := []string{"--cacert", b.lab.CAFile, "--resolve", b.resolve(c.scheme, "www.lab.test"), "-o", "/dev/null", u}
		cuArgs := []string{"-s", "--cacert", b.lab.CAFile, "--resolve", b.resolve(c.scheme, "www.lab.test"), "-o", "/dev/null", u}
		var rtWall, cuWall, rtRSS, cuRSS []float64
		b.alternate(n, func(_ int, curl bool) {
			tool, bin, args, wall, rss := "reqtrace", b.reqtrace, rtArgs, &rtWall, &rtRSS
			if curl {
				tool, bin, args, wall, rss = "curl", b.curl, cuArgs, &cuWall, &cuRSS
			}
			if d, err := timed(bin, args); err == nil {
				*wall = append(*wall, d.Seconds()*1000)
			} else {
				fmt.Fprintln(os.Stderr, tool+":", err)
			}
			if r, err := b.peakRSS(bin, args); err == nil {
				*rss = append(*rss, float64(r))
			} else {
				fmt.Fprintln(os.Stderr, tool+":", err)
			}
		})
		rw, cw, rr, cr := med(rtWall), med(cuWall), med(rtRSS), med(cuRSS)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c.name, ms(rw), ms(cw), ratio(rw, cw), mib(rr), mib(cr), ratio(rr, cr))
	}
	tw.Flush()
	fmt.Println()
}

// timed runs a command with its output discarded and returns its wall time.
func timed(bin string, args []string) (time.Duration, error) {
	cmd := exec.Command(bin, args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, fmt.Errorf("%v: %s", err, errb.String())
	}
	return d, nil
}

// peakRSS runs a command and returns its peak RSS in bytes.
func (b *bench) peakRSS(bin string, args []string) (int64, error) {
	if b.timeCmd != "" {
		f, err := os.CreateTemp("", "bench-time-")
		if err != nil {
			return 0, err
		}
		f.Close()
		defer os.Remove(f.Name())
		cmd := exec.Command(b.timeCmd, append([]string{"-f", "%M", "-o", f.Name(), bin}, args...)...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("%v: %s", err, errb.String())
		}
		out, err := os.ReadFile(f.Name())
		if err != nil {
			return 0, err
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(lastLine(string(out))), 10, 64)
		return kb << 10, err
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var hwm int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		if v := tracetest.PeakRSS(cmd.Process.Pid); v > hwm {
			hwm = v
		}
		select {
		case err := <-done:
			return hwm, err
		case <-tick.C:
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// ---- (c) throughput ----

func (b *bench) throughput(size int64, runs int) {
	fmt.Printf("(c) A %s body to /dev/null (-o /dev/null): median throughput over %d runs each, wall clock\n", bytesText(size), runs)
	fmt.Println("    from process start to exit; peak RSS as in (b)")
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "transfer\treqtrace\tcurl\treqtrace/curl\treqtrace RSS\tcurl RSS\t")
	path := "/bytes/" + strconv.FormatInt(size, 10)
	for _, c := range []struct {
		name, scheme string
		flags        []string
	}{
		{"plain HTTP/1.1", "http", nil},
		{"HTTPS HTTP/1.1", "https", []string{"--http1.1"}},
		{"HTTPS h2", "https", []string{"--http2"}},
	} {
		u := b.lab.URL(c.scheme, "www.lab.test", path)
		common := append([]string{"--cacert", b.lab.CAFile, "--resolve", b.resolve(c.scheme, "www.lab.test"), "-o", "/dev/null"}, c.flags...)
		rtArgs := append(append([]string{}, common...), u)
		cuArgs := append(append([]string{"-s"}, common...), u)
		var rt, cu, rtRSS, cuRSS []float64
		b.alternate(runs, func(i int, curl bool) {
			tool, bin, args, rate, rss := "reqtrace", b.reqtrace, rtArgs, &rt, &rtRSS
			if curl {
				tool, bin, args, rate, rss = "curl", b.curl, cuArgs, &cu, &cuRSS
			}
			var d time.Duration
			var peak int64
			var err error
			if i == 0 {
				peak, err = b.peakRSS(bin, args) // the first run also measures RSS
				if err == nil {
					*rss = append(*rss, float64(peak))
				}
			}
			if err == nil {
				d, err = timed(bin, args)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, tool+":", err)
				return
			}
			*rate = append(*rate, float64(size)/(1<<20)/d.Seconds())
		})
		r, k := med(rt), med(cu)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", c.name, rateText(r), rateText(k), ratio(r, k), mib(med(rtRSS)), mib(med(cuRSS)))
	}
	tw.Flush()
	fmt.Println()
}

// ---- formatting and statistics ----

func median(fs []figures, key string) float64 {
	var xs []float64
	for _, f := range fs {
		if v, ok := f[key]; ok {
			xs = append(xs, v)
		}
	}
	return med(xs)
}

func med(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v < 10:
		return fmt.Sprintf("%.3f ms", v)
	case v < 100:
		return fmt.Sprintf("%.2f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

func diff(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) {
		return "—"
	}
	return fmt.Sprintf("%+.3f ms", a-b)
}

func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func mib(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.1f MiB", v/(1<<20))
}

func rateText(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.0f MiB/s", v)
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d B", n)
}
