package main

import (
	"encoding/json"
	"fmt"
	"math"
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
	fmt.Println("(b) One DNS lookup from the lab's server (UDP, loopback): each tool's own figure, medians")
	fmt.Println("    rtt = the bench's bare UDP exchange of the same A query (a packet built beforehand, no client")
	fmt.Println("    library); reqtrace: its first query (A, the socket's setup included) and its whole dns phase")
	fmt.Println("    (hosts file, resolv.conf, A and AAAA); kdig: its \"in X ms\"; dig: its Query time (whole ms).")
	fmt.Println("    The https:// row also loads the system roots before the trace starts; their garbage's GC can")
	fmt.Println("    overlap the lookup. Goal: reqtrace's query ≤ kdig's + 0.3 ms.")
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"name", "injected", "rtt", "reqtrace query", "reqtrace dns phase", "query−rtt"}
	if b.kdig != "" {
		head = append(head, "kdig", "kdig−rtt", "query−kdig")
	}
	if b.dig != "" {
		head = append(head, "dig")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	worst := math.Inf(-1)
	for _, c := range []struct {
		label, scheme, host string
		injected            float64
	}{{"www.lab.test (http://)", "http", "www.lab.test", 0}, {"www.lab.test (https://)", "https", "www.lab.test", 0},
		{"dnsdelay-20.www.lab.test", "http", "dnsdelay-20.www.lab.test", 20}} {
		var rtt, query, phase, kd, dg []float64
		for i := range n {
			if d, err := b.rawDNS(c.host); err == nil {
				rtt = append(rtt, d)
			}
			rotate(i, []func(){
				func() {
					if q, p, err := b.reqtraceDNS(c.scheme, c.host); err == nil {
						query, phase = append(query, q), append(phase, p)
					} else {
						fmt.Fprintln(os.Stderr, "reqtrace:", err)
					}
				},
				func() {
					if b.kdig == "" {
						return
					}
					if d, err := b.kdigTime(c.host); err == nil {
						kd = append(kd, d)
					} else {
						fmt.Fprintln(os.Stderr, "kdig:", err)
					}
				},
				func() {
					if b.dig == "" {
						return
					}
					if d, err := b.digTime(c.host); err == nil {
						dg = append(dg, d)
					} else {
						fmt.Fprintln(os.Stderr, "dig:", err)
					}
				},
			})
		}
		base, q := med(rtt), med(query)
		row := []string{c.label, "—", ms(base), ms(q), ms(med(phase)), diff(q, base)}
		if c.injected > 0 {
			row[1] = ms(c.injected)
		}
		if b.kdig != "" {
			k := med(kd)
			row = append(row, ms(k), diff(k, base), diff(q, k))
			if c.injected == 0 && !math.IsNaN(q-k) {
				worst = math.Max(worst, q-k)
			}
		}
		if b.dig != "" {
			row = append(row, ms(med(dg)))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	switch {
	case b.kdig == "" && b.dig == "":
		fmt.Println("    kdig and dig not found (Debian: knot-dnsutils, dnsutils): reqtrace's figures alone")
	case b.kdig != "":
		fmt.Printf("    goal: query ≤ kdig's + 0.3 ms; worst here %s: %s\n", signed(worst), verdict(worst <= 0.3))
	}
	fmt.Println()
}

// reqtraceDNS runs one trace through the lab's DNS server and reads its
// first query's time and its dns phase from --json.
func (b *bench) reqtraceDNS(scheme, host string) (query, phase float64, err error) {
	args := []string{"--json", "-o", os.DevNull, "--dns-servers", b.lab.DNSAddr}
	if scheme == "https" {
		args = append(args, "-k") // the system roots are loaded, as a user's https:// trace does
	}
	out, err := exec.Command(b.reqtrace, append(args, b.lab.URL(scheme, host, "/"))...).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("%v: %.200s", err, out)
	}
	var doc struct {
		Hops []struct {
			Timings map[string]*float64 `json:"timings_ms"`
			DNS     struct {
				Queries []struct {
					DurationMS float64 `json:"duration_ms"`
				} `json:"queries"`
			} `json:"dns"`
		} `json:"hops"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.Hops) != 1 || len(doc.Hops[0].DNS.Queries) == 0 || doc.Hops[0].Timings["dns"] == nil {
		return 0, 0, fmt.Errorf("unexpected output %v: %.200s", err, out)
	}
	return doc.Hops[0].DNS.Queries[0].DurationMS, *doc.Hops[0].Timings["dns"], nil
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
