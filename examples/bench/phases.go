package main

import (
	"fmt"
	"math"
	"os"
	"strings"
	"text/tabwriter"
)

// ---- (a) phases on loopback ----

// phaseCase is one request measured phase by phase.
type phaseCase struct {
	name     string
	req      request
	phase    string  // the phase the lab injects into
	injected float64 // ms; 0 for none
}

// column is one tool's figures in a phase table.
type column struct {
	name string
	run  func(r request) (figures, error)
	na   func(c phaseCase) bool // the tool cannot make this measurement
	got  []figures
}

// columns are reqtrace and every peer that gives phase figures.
func (b *bench) columns() []*column {
	cols := []*column{{name: "reqtrace", run: b.reqtracePhases}}
	for _, p := range b.peers() {
		if p.phases == nil {
			continue
		}
		p := p
		col := &column{name: p.name, run: func(r request) (figures, error) { return p.phases(b, r) }}
		switch p.name {
		case "curl":
			col.na = func(c phaseCase) bool { return c.req.viaDNS && !b.curlDNS }
		case "httpstat":
			col.na = func(c phaseCase) bool { return c.req.viaDNS } // reads a hosts file, not the lab's DNS
		}
		cols = append(cols, col)
	}
	if b.browser != nil {
		cols = append(cols, &column{name: "chromium",
			run: func(r request) (figures, error) { return b.browser.phases(b.url(r)) },
			na:  func(c phaseCase) bool { return c.req.viaDNS }})
	}
	return cols
}

func (b *bench) phases(n int) {
	cases := []phaseCase{
		{"DNS answer delayed 50 ms", request{"http", "dnsdelay-50.www.lab.test", "/", true}, "dns", 50},
		{"TCP connect (loopback)", request{"http", "www.lab.test", "/", false}, "connect", 0},
		{"TLS handshake delayed 50 ms", request{"https", "tlsdelay-50.www.lab.test", "/", false}, "tls", 50},
		{"server think time 100 ms (h2)", request{"https", "www.lab.test", "/wait/100", false}, "wait", 100},
		{"server think time 100 ms (h1)", request{"http", "www.lab.test", "/wait/100", false}, "wait", 100},
		{"body dripped over 100 ms", request{"http", "www.lab.test", "/drip?bytes=100000&ms=100", false}, "receive", 100},
	}
	fmt.Println("(a) Phases: median of each tool's figure for the phase the lab delays; in brackets, its distance")
	fmt.Println("    from the injected delay. reqtrace: its own timings (--json), wait = send+wait; curl: -w, split as")
	fmt.Println("    httpstat does (dns=namelookup connect=connect−namelookup tls=appconnect−connect")
	fmt.Println("    wait=starttransfer−pretransfer receive=total−starttransfer); httpstat: the figures it prints")
	fmt.Println("    (whole ms; the lab's names from a private /etc/hosts); chromium: PerformanceNavigationTiming")
	fmt.Println("    (names mapped by --host-resolver-rules). n/a: the tool cannot ask the lab's DNS server.")
	fmt.Println()
	cols := b.columns()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"request", "phase", "injected"}
	for _, c := range cols {
		head = append(head, c.name)
	}
	head = append(head, "reqtrace−best peer")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	var worst float64
	for _, pc := range cases {
		b.measure(n, pc, cols)
		row := []string{pc.name, pc.phase, "—"}
		if pc.injected > 0 {
			row[2] = ms(pc.injected)
		}
		best := math.NaN()
		for i, c := range cols {
			if c.na != nil && c.na(pc) {
				row = append(row, "n/a")
				continue
			}
			v := median(c.got, pc.phase)
			cell := ms(v)
			if pc.injected > 0 && !math.IsNaN(v) {
				cell += " (" + diff(v, pc.injected) + ")"
			}
			row = append(row, cell)
			if i > 0 && !math.IsNaN(v) {
				if e := math.Abs(v - pc.injected); math.IsNaN(best) || e < best {
					best = e
				}
			}
		}
		gap := math.Abs(median(cols[0].got, pc.phase)-pc.injected) - best
		row = append(row, signed(gap))
		if !math.IsNaN(gap) && gap > worst {
			worst = gap
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Printf("    goal: every phase's error ≤ the best peer's + 0.5 ms; worst gap here %s: %s\n\n", signed(worst), verdict(worst <= 0.5))
}

// measure runs every column n times on one case, in turns.
func (b *bench) measure(n int, pc phaseCase, cols []*column) {
	for _, c := range cols {
		c.got = nil
	}
	for i := range n {
		var fns []func()
		for _, c := range cols {
			if c.na != nil && c.na(pc) {
				continue
			}
			fns = append(fns, func() {
				if f, err := c.run(pc.req); err == nil {
					c.got = append(c.got, f)
				} else {
					fmt.Fprintln(os.Stderr, c.name+":", err)
				}
			})
		}
		rotate(i, fns)
	}
}

func signed(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%+.3f ms", v)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
