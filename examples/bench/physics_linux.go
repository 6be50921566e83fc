//go:build linux

package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// physicsCase is one request on the delayed link, with the phase it
// measures and that phase's cost in round trips (plus any server time).
type physicsCase struct {
	name   string
	req    request
	phase  string
	rtts   float64
	plusMS float64
}

// physics runs every tool in the client namespace of a delayed link and
// compares each one's phase figure with what the link's measured round
// trip says it must be: DNS ≈ 1 RTT, TCP connect ≈ 1 RTT, TLS 1.3 ≈ 1 RTT,
// TLS 1.2 ≈ 2 RTT, wait ≈ 1 RTT + the server's think time.
func (b *bench) physics(n int, rtt time.Duration) {
	fmt.Printf("(f) Physics: every tool on a link delayed by %v per round trip (TUN devices in two network\n", rtt)
	fmt.Println("    namespaces, this bench copying packets between them), names resolved the tools' default way")
	fmt.Println("    (/etc/resolv.conf names the lab's DNS across the link), default roots. Each figure in brackets:")
	fmt.Println("    its distance from the physics, which comes from the link's measured RTT (median TCP connect).")
	link, err := newDelayedLink(rtt)
	if err != nil {
		fmt.Printf("    skipped: %v\n\n", err)
		return
	}
	defer link.close()
	// An interrupted bench must not leave its namespaces behind.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		if _, ok := <-sig; ok {
			link.close()
			os.Exit(130)
		}
	}()
	for _, port := range []int{b.lab.HTTPPort, b.lab.HTTPSPort} {
		if err := link.forwardTCP(port); err != nil {
			fmt.Printf("    skipped: forwarding port %d: %v\n\n", port, err)
			return
		}
	}
	if err := link.forwardDNS(b.lab.DNSAddr); err != nil {
		fmt.Printf("    skipped: forwarding DNS: %v\n\n", err)
		return
	}
	if err := link.etcFiles(); err != nil {
		fmt.Printf("    skipped: %v\n\n", err)
		return
	}
	measured := link.rtt(b.lab.HTTPPort, 9)
	if os.Getenv("BENCH_HOLD") != "" {
		fmt.Printf("    holding the link: ip netns exec %s …; Ctrl-C ends\n", link.client)
		select {}
	}
	fmt.Printf("    measured RTT %s (set %v)\n\n", ms(measured), rtt)

	cases := []physicsCase{
		{"DNS, A (and AAAA) of a name", request{"http", "www.lab.test", "/", true}, "dns", 1, 0},
		{"TCP connect", request{"http", "www.lab.test", "/", true}, "connect", 1, 0},
		{"TLS 1.3 handshake", request{"https", "www.lab.test", "/", true}, "tls", 1, 0},
		{"TLS 1.2 handshake", request{"https", "tls12.lab.test", "/", true}, "tls", 2, 0},
		{"wait, h1, 50 ms think", request{"http", "www.lab.test", "/wait/50", true}, "wait", 1, 50},
		{"wait, h2, 50 ms think", request{"https", "www.lab.test", "/wait/50", true}, "wait", 1, 50},
	}
	cols := b.physicsColumns(link)
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"request", "phase", "physics"}
	for _, c := range cols {
		head = append(head, c.name)
	}
	head = append(head, "reqtrace−best peer")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	worst := math.Inf(-1)
	for _, pc := range cases {
		want := pc.rtts*measured + pc.plusMS
		probe := phaseCase{name: pc.name, req: pc.req, phase: pc.phase}
		b.measure(n, probe, cols)
		row := []string{pc.name, pc.phase, ms(want)}
		best := math.NaN()
		for i, c := range cols {
			if c.na != nil && c.na(probe) {
				row = append(row, "n/a")
				continue
			}
			v := median(c.got, pc.phase)
			row = append(row, ms(v)+" ("+diff(v, want)+")")
			if e := math.Abs(v - want); i > 0 && !math.IsNaN(v) && (math.IsNaN(best) || e < best) {
				best = e
			}
		}
		gap := math.Abs(median(cols[0].got, pc.phase)-want) - best
		row = append(row, signed(gap))
		if !math.IsNaN(gap) {
			worst = math.Max(worst, gap)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Printf("    goal: every phase's error vs physics ≤ the best peer's + 0.5 ms; worst gap %s: %s\n\n", signed(worst), verdict(worst <= 0.5))
}

// physicsColumns are the tools that can run in the client namespace.
func (b *bench) physicsColumns(link *delayedLink) []*column {
	roots := []string{"SSL_CERT_FILE=" + b.bundle}
	env := func(cmd *exec.Cmd, extra []string) *exec.Cmd {
		cmd.Env = append(os.Environ(), extra...)
		return cmd
	}
	cols := []*column{{name: "reqtrace", run: func(r request) (figures, error) {
		return reqtraceJSON(env(link.command(b.reqtrace, "--json", b.url(r)), roots))
	}}}
	if b.curl != "" {
		cols = append(cols, &column{name: "curl", run: func(r request) (figures, error) {
			return curlFigures(env(link.command(b.curl, "-s", "-o", "/dev/null", "-w", curlWriteOut, b.url(r)),
				[]string{"CURL_CA_BUNDLE=" + b.bundle}))
		}})
	}
	if b.httpstat != "" {
		cols = append(cols, &column{name: "httpstat", run: func(r request) (figures, error) {
			return httpstatFigures(env(link.command(b.httpstat, b.url(r)), append(roots, "NO_COLOR=1")), r.scheme == "https")
		}})
	}
	dnsOnly := func(c phaseCase) bool { return c.phase != "dns" }
	if b.kdig != "" {
		cols = append(cols, &column{name: "kdig", na: dnsOnly, run: func(r request) (figures, error) {
			d, err := toolTime(link.command(b.kdig, "@"+serverAddr, "+notcp", r.host, "A"), kdigTimeRe)
			return figures{"dns": d}, err
		}})
	}
	if b.dig != "" {
		cols = append(cols, &column{name: "dig", na: dnsOnly, run: func(r request) (figures, error) {
			d, err := toolTime(link.command(b.dig, "@"+serverAddr, "+notcp", r.host, "A"), digTimeRe)
			return figures{"dns": d}, err
		}})
	}
	return cols
}
