package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// invocation is one tool's command line for a whole-process measurement.
type invocation struct {
	tool    string
	bin     string
	args    []string
	env     []string // added to the bench's environment
	anyExit bool     // a non-zero exit is expected (httpstat's usage)
}

// asUsers returns each tool's command for u as a user types it: a host
// name resolved the tool's default way (localhost, from /etc/hosts), the
// default roots (a system bundle that also holds the lab's CA, found
// where each tool looks by default), the body thrown away, no other flag.
func (b *bench) asUsers(u string, extra map[string][]string) []invocation {
	roots := []string{"SSL_CERT_FILE=" + b.bundle}
	inv := []invocation{{tool: "reqtrace", bin: b.reqtrace, args: append(append([]string{"-o", "/dev/null"}, extra["reqtrace"]...), u), env: roots}}
	if b.curl != "" {
		inv = append(inv, invocation{tool: "curl", bin: b.curl, args: append(append([]string{"-s", "-o", "/dev/null"}, extra["curl"]...), u),
			env: []string{"CURL_CA_BUNDLE=" + b.bundle}})
	}
	if b.httpstat != "" && extra["httpstat"] == nil {
		inv = append(inv, invocation{tool: "httpstat", bin: b.httpstat, args: []string{"-o", "/dev/null", u}, env: roots})
	}
	return inv
}

// ---- (c) start-up ----

func (b *bench) startup(n int) {
	fmt.Println("(c) Start-up: median wall time of a command that makes no request (process start to exit)")
	fmt.Println()
	inv := []invocation{{tool: "reqtrace version", bin: b.reqtrace, args: []string{"version"}}}
	if b.curl != "" {
		inv = append(inv, invocation{tool: "curl --version", bin: b.curl, args: []string{"--version"}})
	}
	if b.httpstat != "" {
		inv = append(inv, invocation{tool: "httpstat (usage, exit 2)", bin: b.httpstat, anyExit: true})
	}
	walls := b.wallTimes(n, inv)
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "command\twall\tvs reqtrace\t")
	for i, in := range inv {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", in.tool, ms(walls[i]), ratio(walls[0], walls[i]))
	}
	tw.Flush()
	if b.httpstat != "" {
		fmt.Printf("    goal: start-up ≤ httpstat's: %s\n", verdict(walls[0] <= walls[len(walls)-1]))
	}
	fmt.Println()
}

// ---- (d) a whole trace, as users run it ----

func (b *bench) whole(n int) {
	fmt.Println("(d) A whole trace as users run it: `tool URL` on http(s)://localhost:PORT (the name from /etc/hosts,")
	fmt.Println("    the default roots: the system bundle plus the lab's CA via SSL_CERT_FILE / CURL_CA_BUNDLE), body")
	fmt.Println("    to /dev/null. Median wall time, process start to exit, and peak RSS; ratios are tool/reqtrace.")
	fmt.Println("    httpstat sets its own TLS config, which turns off Go's HTTP/2: its https:// rows are HTTP/1.1.")
	if b.timeCmd == "" {
		fmt.Println("    /usr/bin/time is absent: RSS is the child's VmHWM polled every 2 ms, which may miss a short peak")
	}
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	cases := []struct{ name, scheme, path string }{
		{"plain HTTP/1.1, 28 B body", "http", "/"},
		{"HTTPS (h2), 28 B body", "https", "/"},
		{"HTTPS (h2), 1 MiB body", "https", "/bytes/1048576"},
	}
	header := false
	worst := 0.0
	for _, c := range cases {
		inv := b.asUsers(b.lab.URL(c.scheme, "localhost", c.path), nil)
		if !header {
			head := []string{"request"}
			for _, in := range inv {
				head = append(head, in.tool+" wall")
			}
			for _, in := range inv[1:] {
				head = append(head, in.tool+"/reqtrace")
			}
			for _, in := range inv {
				head = append(head, in.tool+" RSS")
			}
			fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
			header = true
		}
		walls := b.wallTimes(n, inv)
		row := []string{c.name}
		for _, w := range walls {
			row = append(row, ms(w))
		}
		fastest := math.Inf(1)
		for _, w := range walls[1:] {
			row = append(row, ratio(w, walls[0]))
			fastest = math.Min(fastest, w)
		}
		if r := walls[0] / fastest; c.path == "/" && r > worst {
			worst = r
		}
		for _, in := range inv {
			rss, err := b.peakRSS(in)
			if err != nil {
				fmt.Fprintln(os.Stderr, in.tool+":", err)
			}
			row = append(row, mib(float64(rss)))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Printf("    goal: whole-trace wall ≤ 1.0× the fastest peer (28 B rows); reqtrace/fastest here %.2f×: %s\n\n", worst, verdict(worst <= 1.0))
}

// wallTimes runs each invocation n times in turns and returns the medians.
func (b *bench) wallTimes(n int, inv []invocation) []float64 {
	got := make([][]float64, len(inv))
	for i := range n {
		var fns []func()
		for k, in := range inv {
			fns = append(fns, func() {
				if d, err := timed(in); err == nil {
					got[k] = append(got[k], d.Seconds()*1000)
				} else {
					fmt.Fprintln(os.Stderr, in.tool+":", err)
				}
			})
		}
		rotate(i, fns)
	}
	out := make([]float64, len(inv))
	for k := range inv {
		out[k] = med(got[k])
	}
	return out
}

func (in invocation) command(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), in.env...)
	return cmd
}

// timed runs a command with its output discarded and returns its wall time.
func timed(in invocation) (time.Duration, error) {
	cmd := in.command(in.bin, in.args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !(in.anyExit && errors.As(err, &exit)) {
		return d, fmt.Errorf("%v: %s", err, errb.String())
	}
	return d, nil
}

// peakRSS runs a command and returns its peak RSS in bytes. RSS comes from
// /usr/bin/time -f %M: GNU time forks, so its child's maxrss is its own
// (Go's os/exec vforks, and Linux would carry the bench's RSS into it).
func (b *bench) peakRSS(in invocation) (int64, error) {
	if b.timeCmd != "" {
		f, err := os.CreateTemp(b.dir, "time-")
		if err != nil {
			return 0, err
		}
		f.Close()
		defer os.Remove(f.Name())
		cmd := in.command(b.timeCmd, append([]string{"-f", "%M", "-o", f.Name(), in.bin}, in.args...)...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil && !in.anyExit {
			return 0, fmt.Errorf("%v: %s", err, errb.String())
		}
		out, err := os.ReadFile(f.Name())
		if err != nil {
			return 0, err
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(lastLine(string(out))), 10, 64)
		return kb << 10, err
	}
	cmd := in.command(in.bin, in.args...)
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

// ---- (e) throughput ----

func (b *bench) throughput(size int64, runs int) {
	fmt.Printf("(e) A %s body to /dev/null, as users run it (as in (d)): median throughput over %d runs each,\n", bytesText(size), runs)
	fmt.Println("    wall clock from process start to exit; peak RSS of the first run")
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	path := "/bytes/" + strconv.FormatInt(size, 10)
	var names []string
	for _, c := range []struct {
		name, scheme string
		extra        map[string][]string
	}{
		{"plain HTTP/1.1", "http", nil},
		{"HTTPS HTTP/1.1", "https", map[string][]string{"reqtrace": {"--http1.1"}, "curl": {"--http1.1"}}},
		{"HTTPS h2", "https", map[string][]string{"reqtrace": {"--http2"}, "curl": {"--http2"}, "httpstat": {}}},
	} {
		inv := b.asUsers(b.lab.URL(c.scheme, "localhost", path), c.extra)
		if names == nil {
			for _, in := range inv {
				names = append(names, in.tool)
			}
			head := append([]string{"transfer"}, names...)
			head = append(head, "reqtrace/curl")
			for _, name := range names {
				head = append(head, name+" RSS")
			}
			fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		}
		rates := map[string][]float64{}
		rss := map[string]float64{}
		for _, in := range inv {
			if r, err := b.peakRSS(in); err == nil {
				rss[in.tool] = float64(r)
			} else {
				fmt.Fprintln(os.Stderr, in.tool+":", err)
			}
		}
		for i := range runs {
			var fns []func()
			for _, in := range inv {
				fns = append(fns, func() {
					if d, err := timed(in); err == nil {
						rates[in.tool] = append(rates[in.tool], float64(size)/(1<<20)/d.Seconds())
					} else {
						fmt.Fprintln(os.Stderr, in.tool+":", err)
					}
				})
			}
			rotate(i, fns)
		}
		row := []string{c.name}
		for _, name := range names {
			row = append(row, rateText(med(rates[name])))
		}
		row = append(row, ratio(med(rates["reqtrace"]), med(rates["curl"])))
		for _, name := range names {
			v, ok := rss[name]
			if !ok {
				v = math.NaN()
			}
			row = append(row, mib(v))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Println("    goal: throughput ≥ 1.0× curl with reqtrace's RSS < 32 MiB (httpstat has no HTTP/2 row: see (d))")
	fmt.Println()
}
