package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
)

// pageTable is (g): a whole page load, reqtrace page's Load (the end of
// the last request the load event waits for) against Chromium's
// loadEventEnd for the same page, with the lab's injected delays.
func (b *bench) pageTable(n int) {
	fmt.Println("(g) A page load: reqtrace page's load (its Result.Load) against Chromium's loadEventEnd − fetchStart")
	fmt.Println("    (PerformanceNavigationTiming, a fresh browser context each run) on a page of 17 subresources")
	fmt.Println("    over two origins (HTTP/1.1 and h2) with injected delays: 100 ms CSS, 150 ms images, 50-80 ms h2.")
	fmt.Println()
	u, stop, err := b.benchPage()
	if err != nil {
		fmt.Println("    page server:", err)
		return
	}
	defer stop()
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

// benchPage serves the page on its own HTTP/1.1 server (names under
// lab.test reach it), its h2 subresources from the lab's HTTPS server.
func (b *bench) benchPage() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	cdn := func(p string) string { return b.lab.URL("https", "cdn.lab.test", p) }
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		var s strings.Builder
		fmt.Fprintf(&s, `<!doctype html><html><head><link rel="stylesheet" href="/style.css">
<script src="%s"></script><script src="/old.js"></script></head><body>`, cdn("/wait/50?s=1"))
		for i := range 9 {
			fmt.Fprintf(&s, `<img src="/img/%d.gif" width=1 height=1>`, i)
		}
		for i := range 4 {
			fmt.Fprintf(&s, `<img src="%s" width=1 height=1>`, cdn(fmt.Sprintf("/wait/80?i=%d", i)))
		}
		s.WriteString("</body></html>")
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, s.String())
	})
	serve := func(d time.Duration, ctype, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(d)
			w.Header().Set("Content-Type", ctype)
			w.Header().Set("Cache-Control", "no-store")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("/style.css", serve(100*time.Millisecond, "text/css", "body{margin:0}"))
	mux.HandleFunc("/old.js", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new.js", http.StatusFound) })
	mux.HandleFunc("/new.js", serve(0, "text/javascript", "var x=1;"))
	mux.HandleFunc("/img/", serve(150*time.Millisecond, "image/gif", "GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	return fmt.Sprintf("http://www.lab.test:%d/", ln.Addr().(*net.TCPAddr).Port), func() { srv.Close() }, nil
}
