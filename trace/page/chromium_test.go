package page_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// The judge is Chromium itself: it loads the same page in headless
// Chromium and through page.Load, and compares the URLs requested and the
// connections opened per origin (DevTools' Network.responseReceived gives
// each response's connectionId and protocol).

func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func needChromium(t *testing.T) string {
	exe := chromiumPath()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not found, and .ci/run should have installed it: the browser is the judge here")
		}
		t.Skip("chromium not found: install Debian's chromium package; .ci/run does")
	}
	return exe
}

// browserLoad is what Chromium did for one navigation.
type browserLoad struct {
	urls  map[string]bool             // every URL first requested (a redirect's target is its hop)
	conns map[string]map[float64]bool // origin -> connection ids
	proto map[string]string           // origin -> protocol
}

// chromiumLoad navigates a fresh headless Chromium (new profile, no QUIC,
// the lab's names mapped to 127.0.0.1) to u and waits for the load event.
func chromiumLoad(t *testing.T, exe, u string) browserLoad {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("host-resolver-rules", "MAP *.lab.test 127.0.0.1, MAP *.alt.test 127.0.0.1"),
		chromedp.Flag("ignore-certificate-errors", true), // the lab's CA
	)
	limit, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(limit, opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	var mu sync.Mutex
	b := browserLoad{urls: map[string]bool{}, conns: map[string]map[float64]bool{}, proto: map[string]string{}}
	seen := map[network.RequestID]bool{}
	names, t0 := map[network.RequestID]string{}, 0.0 // JUDGE_DEBUG's log
	conn := func(r *network.Response) {
		if r == nil || strings.HasSuffix(r.URL, "/favicon.ico") || r.FromDiskCache {
			return
		}
		o := originOf(r.URL)
		if b.conns[o] == nil {
			b.conns[o] = map[float64]bool{}
		}
		b.conns[o][r.ConnectionID] = true
		b.proto[o] = r.Protocol
	}
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if os.Getenv("JUDGE_DEBUG") != "" {
				if t0 == 0 {
					t0 = float64(e.Timestamp)
				}
				names[e.RequestID] = e.Request.URL
				t.Logf("%7.1f send %s", (float64(e.Timestamp)-t0)*1000, e.Request.URL)
			}
			conn(e.RedirectResponse)
			if !seen[e.RequestID] && !strings.HasSuffix(e.Request.URL, "/favicon.ico") {
				seen[e.RequestID] = true
				b.urls[e.Request.URL] = true
			}
		case *network.EventResponseReceived:
			conn(e.Response)
		case *network.EventLoadingFinished:
			if os.Getenv("JUDGE_DEBUG") != "" {
				t.Logf("%7.1f done %s", (float64(e.Timestamp)-t0)*1000, names[e.RequestID])
			}
		}
	})
	if err == nil {
		_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	}
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Navigate(u))
	}
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // the last responseReceived events
	mu.Lock()
	defer mu.Unlock()
	return b
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + u.Hostname() + ":" + fmt.Sprint(trace.Port(u))
}

// judgePage is a page over two origins: plain HTTP/1.1 (with more slow
// images than the six connections a browser opens to it) and the lab's
// HTTPS server (HTTP/2: one connection), with render-blocking CSS and a
// redirected script.
func judgePage(t *testing.T) (*site, string) {
	var s *site
	s = newSite(t, map[string]http.HandlerFunc{
		"/{$}": func(w http.ResponseWriter, r *http.Request) {
			var b strings.Builder
			cdn := func(p string) string { return s.lab.URL("https", "cdn.lab.test", p) }
			fmt.Fprintf(&b, `<!doctype html><html><head><link rel="stylesheet" href="/style.css">
<script src="%s"></script><script src="/old.js"></script></head><body>`, cdn("/wait/50?s=1"))
			for i := range 9 {
				fmt.Fprintf(&b, `<img src="/img/%d.png" width=1 height=1>`, i)
			}
			for i := range 4 {
				fmt.Fprintf(&b, `<img src="%s" width=1 height=1>`, cdn(fmt.Sprintf("/wait/80?i=%d", i)))
			}
			b.WriteString(`</body></html>`)
			html(b.String())(w, r)
		},
		"/style.css": delayed(100*time.Millisecond, "text/css", "body{margin:0}"),
		"/old.js":    func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new.js", http.StatusFound) },
		"/new.js":    delayed(0, "text/javascript", "var x=1;"),
		"/img/":      delayed(150*time.Millisecond, "image/png", string(pngOf(1, 1))),
	})
	return s, s.url("www.lab.test", "/")
}

func TestChromiumAgrees(t *testing.T) {
	exe := needChromium(t)
	s, u := judgePage(t)
	o := s.options(t, u)
	o.Trace.CACert = s.lab.CAPEM
	o.Trace.Compressed = true
	res := load(t, o)
	b := chromiumLoad(t, exe, u)

	judge(t, "judge page", res, b)
}

func diff(want, got map[string]bool) (missing, extra []string) {
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return missing, extra
}

// TestChromiumAgreesOnLabPages judges the lab's pages end to end: the big
// page (about 40 subresources over 3 origins, one HTTP/1.1-only, fonts,
// @import, Early Hints, a redirected script, a missing image), the
// iframe page, and the srcset and picture pages.
func TestChromiumAgreesOnLabPages(t *testing.T) {
	exe := needChromium(t)
	lab := tracetest.New(t)
	for _, p := range []string{tracetest.PagePath, tracetest.IframePagePath, tracetest.SrcsetPagePath, tracetest.PicturePagePath} {
		u := lab.PageURL(p)
		pu, err := trace.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		res := load(t, &page.Options{Trace: trace.Options{URL: pu, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
			HostsFile: lab.HostsFile, CACert: lab.CAPEM, Compressed: true, MaxTime: 20 * time.Second}})
		judge(t, p, res, chromiumLoad(t, exe, u))
	}
}

// judge compares a page load with Chromium's: the URL set, and the
// connections per origin.
func judge(t *testing.T, name string, res *page.Result, b browserLoad) {
	t.Helper()
	ours := map[string]bool{}
	for _, r := range res.Requests {
		ours[r.URL] = true
	}
	if missing, extra := diff(b.urls, ours); len(missing)+len(extra) > 0 {
		t.Errorf("%s: URL sets differ:\n  Chromium only: %v\n  reqtrace only: %v", name, missing, extra)
	}
	conns := map[string]int{}
	for _, c := range res.Connections {
		conns[c.Origin]++
	}
	for origin, ids := range b.conns {
		if conns[origin] != len(ids) {
			t.Errorf("%s: %s: reqtrace opened %d connections, Chromium %d (%s)", name, origin, conns[origin], len(ids), b.proto[origin])
		}
	}
	for origin, n := range conns {
		if b.conns[origin] == nil {
			t.Errorf("%s: %s: reqtrace opened %d connections, Chromium none", name, origin, n)
		}
	}
}
