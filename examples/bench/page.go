package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// pageTable is (g): a whole page load, reqtrace page's Load (the end of
// the last request the load event waits for) against Chromium's
// loadEventEnd for the same page, with the lab's injected delays.
func (b *bench) pageTable(n int) {
	fmt.Println("(g) A page load: reqtrace page's load (its Result.Load) against Chromium's loadEventEnd − fetchStart")
	fmt.Println("    (PerformanceNavigationTiming, a fresh browser context each run) on the lab's page: about 40")
	fmt.Println("    subresources over 3 origins (one HTTP/1.1-only), Early Hints, with injected delays (30-150 ms).")
	fmt.Println()
	u := b.lab.PageURL(tracetest.PagePath)
	var ours, theirs []float64
	for i := range n {
		run := []func(){
			func() {
				if v, err := b.reqtracePage(u); err == nil {
					ours = append(ours, v)
				}
			},
			func() {
				if b.browser == nil {
					return
				}
				if v, err := b.browser.loadEventEnd(u); err == nil {
					theirs = append(theirs, v)
				}
			},
		}
		run[i%2]()
		run[(i+1)%2]()
	}
	r, c := med(ours), med(theirs)
	fmt.Printf("    reqtrace %s   chromium %s   ratio %s\n", ms(r), ms(c), ratio(r, c))
	ok := !math.IsNaN(r) && !math.IsNaN(c) && math.Abs(r/c-1) <= 0.15
	fmt.Printf("    goal: within 15%% of Chromium's loadEventEnd: %s\n\n", verdict(ok))
}

// reqtracePage loads the page in-process and returns its load, in ms.
func (b *bench) reqtracePage(u string) (float64, error) {
	pu, err := trace.ParseURL(u)
	if err != nil {
		return 0, err
	}
	o := &page.Options{Trace: trace.Options{URL: pu, DNSServers: []string{b.lab.DNSAddr}, ResolvConf: b.lab.ResolvConf,
		HostsFile: b.lab.HostsFile, CACert: b.lab.CAPEM, Compressed: true, MaxTime: 20 * time.Second}}
	res := page.Load(context.Background(), o)
	if res.Err != nil {
		return 0, res.Err
	}
	return float64(res.Load) / float64(time.Millisecond), nil
}

// loadEventEnd navigates a fresh browser context to u.
func (c *chromiumTiming) loadEventEnd(u string) (float64, error) {
	tab, cancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	ctx, cancelT := context.WithTimeout(tab, 30*time.Second)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		return 0, err
	}
	// From fetchStart, as reqtrace's Load counts from its first request:
	// what comes before (the browser's own navigation work) is not the page's.
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(e => e.loadEventEnd - e.fetchStart)(performance.getEntriesByType("navigation")[0])`))
	if err == nil && v == 0 {
		err = fmt.Errorf("no loadEventEnd for %s", u)
	}
	return v, err
}
