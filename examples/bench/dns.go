package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/miekg/dns"
)

// ---- (b) one DNS query ----

// dnsTable compares the time one DNS answer takes, as each tool reports
// it, with the bare round trip of the same query on the same socket kind
// (the bench's own UDP exchange, no parsing): what a tool adds over the
// network is its figure minus that. reqtrace asks for A and AAAA at once;
// its dns phase ends when both answers are in.
func (b *bench) dnsTable(n int) {
	fmt.Println("(b) One DNS answer from the lab's server (UDP, loopback): each tool's own figure, medians")
	fmt.Println("    rtt = the bench's bare UDP exchange of the same A query (no client library); reqtrace = its")
	fmt.Println("    dns phase (A and AAAA in parallel); kdig = its \"in X ms\"; dig = its Query time (whole ms)")
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"name", "injected", "rtt", "reqtrace", "reqtrace−rtt"}
	if b.kdig != "" {
		head = append(head, "kdig", "kdig−rtt")
	}
	if b.dig != "" {
		head = append(head, "dig")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, c := range []struct {
		host     string
		injected float64
	}{{"www.lab.test", 0}, {"dnsdelay-20.www.lab.test", 20}} {
		var rtt, rt, kd, dg []float64
		for i := range n {
			if d, err := b.rawDNS(c.host); err == nil {
				rtt = append(rtt, d)
			}
			tools := []func(){
				func() {
					r := request{scheme: "http", host: c.host, path: "/", viaDNS: true}
					if f, err := b.reqtracePhases(r); err == nil {
						rt = append(rt, f["dns"])
					} else {
						fmt.Fprintln(os.Stderr, "reqtrace:", err)
					}
				},
				func() {
					if b.kdig != "" {
						if d, err := b.kdigTime(c.host); err == nil {
							kd = append(kd, d)
						} else {
							fmt.Fprintln(os.Stderr, "kdig:", err)
						}
					}
				},
				func() {
					if b.dig != "" {
						if d, err := b.digTime(c.host); err == nil {
							dg = append(dg, d)
						} else {
							fmt.Fprintln(os.Stderr, "dig:", err)
						}
					}
				},
			}
			rotate(i, tools)
		}
		base := med(rtt)
		row := []string{c.host, ms(c.injected), ms(base), ms(med(rt)), diff(med(rt), base)}
		if c.injected == 0 {
			row[1] = "—"
		}
		if b.kdig != "" {
			row = append(row, ms(med(kd)), diff(med(kd), base))
		}
		if b.dig != "" {
			row = append(row, ms(med(dg)))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	if b.kdig == "" && b.dig == "" {
		fmt.Println("    kdig and dig not found (Debian: knot-dnsutils, dnsutils): reqtrace's figure alone")
	}
	fmt.Println()
}

// rotate calls fns starting at a different one each round, so that no
// tool always runs first on a cold machine.
func rotate(round int, fns []func()) {
	for k := range fns {
		fns[(round+k)%len(fns)]()
	}
}

// rawDNS times one A query over a connected UDP socket with a packet built
// beforehand: the round trip and the server's own work, nothing else.
func (b *bench) rawDNS(host string) (float64, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(host), dns.TypeA)
	pkt, err := m.Pack()
	if err != nil {
		return 0, err
	}
	c, err := net.Dial("udp", b.lab.DNSAddr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1500)
	start := time.Now()
	if _, err := c.Write(pkt); err != nil {
		return 0, err
	}
	if _, err := c.Read(buf); err != nil {
		return 0, err
	}
	return float64(time.Since(start).Microseconds()) / 1000, nil
}

var (
	kdigTimeRe = regexp.MustCompile(`\(UDP\) in ([0-9.]+) ms`)
	digTimeRe  = regexp.MustCompile(`Query time: ([0-9]+) msec`)
)

func (b *bench) kdigTime(host string) (float64, error) {
	h, port, _ := net.SplitHostPort(b.lab.DNSAddr)
	return toolTime(exec.Command(b.kdig, "@"+h, "-p", port, "+notcp", host, "A"), kdigTimeRe)
}

func (b *bench) digTime(host string) (float64, error) {
	h, port, _ := net.SplitHostPort(b.lab.DNSAddr)
	return toolTime(exec.Command(b.dig, "@"+h, "-p", port, "+notcp", host, "A"), digTimeRe)
}

// toolTime runs a DNS tool and reads the query time it prints.
func toolTime(cmd *exec.Cmd, re *regexp.Regexp) (float64, error) {
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%v: %.200s", err, out)
	}
	m := re.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no query time in %.300q", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
