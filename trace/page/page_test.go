package page_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/page/discover"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// site is a plain HTTP/1.1 server on loopback whose paths are given by the
// test; names under lab.test (and www.alt.test) reach it through the
// lab's DNS.
type site struct {
	lab  *tracetest.Lab
	port int
	mu   sync.Mutex
	hits map[string]int
}

func newSite(t *testing.T, routes map[string]http.HandlerFunc) *site {
	t.Helper()
	s := &site{lab: tracetest.New(t), hits: map[string]int{}}
	mux := http.NewServeMux()
	for p, h := range routes {
		mux.HandleFunc(p, h)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.Host+r.URL.RequestURI()]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.port = ln.Addr().(*net.TCPAddr).Port
	return s
}

// url is http://host:port/path on the site.
func (s *site) url(host, path string) string {
	return fmt.Sprintf("http://%s:%d%s", host, s.port, path)
}

func (s *site) hitsOf(host, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[fmt.Sprintf("%s:%d%s", host, s.port, path)]
}

func (s *site) options(t *testing.T, raw string) *page.Options {
	t.Helper()
	u, err := trace.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &page.Options{Trace: trace.Options{URL: u, DNSServers: []string{s.lab.DNSAddr},
		ResolvConf: s.lab.ResolvConf, HostsFile: s.lab.HostsFile, MaxTime: 20 * time.Second}}
}

func html(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, body)
	}
}

func delayed(d time.Duration, ctype, body string, hs ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(d)
		w.Header().Set("Content-Type", ctype)
		for i := 0; i+1 < len(hs); i += 2 {
			w.Header().Set(hs[i], hs[i+1])
		}
		fmt.Fprint(w, body)
	}
}

func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.Black)
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func load(t *testing.T, o *page.Options) *page.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res := page.Load(ctx, o)
	if res.Err != nil {
		t.Fatalf("the page failed: %v", res.Err)
	}
	return res
}

func byURL(res *page.Result) map[string]page.Request {
	m := map[string]page.Request{}
	for _, r := range res.Requests {
		m[r.URL] = r
	}
	return m
}

func TestLoadPhasesAndOrder(t *testing.T) {
	img := pngOf(40, 30)
	s := newSite(t, map[string]http.HandlerFunc{
		"/{$}": func(w http.ResponseWriter, r *http.Request) {
			html(`<!doctype html><html><head>
<link rel="stylesheet" href="/a.css">
<script src="/app.js"></script>
</head><body>
<img src="/img.png" width="20" height="15">
<img src="/img.png#again">
<img src="/missing.png">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</body></html>`)(w, r)
		},
		"/a.css":  delayed(150*time.Millisecond, "text/css", "body{}"),
		"/app.js": delayed(100*time.Millisecond, "text/javascript", "1"),
		"/img.png": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(img)
		},
	})
	res := load(t, s.options(t, s.url("www.lab.test", "/")))
	reqs := byURL(res)
	if len(res.Requests) != 5 {
		t.Fatalf("requests: got %d, want 5 (document, css, js, two images): %v", len(res.Requests), keys(reqs))
	}
	css, js, im := reqs[s.url("www.lab.test", "/a.css")], reqs[s.url("www.lab.test", "/app.js")], reqs[s.url("www.lab.test", "/img.png")]
	if !css.RenderBlocking || css.Trace == nil || css.Trace.Err != nil {
		t.Fatalf("css: %+v", css)
	}
	if wait := css.Trace.Hops[0].Timings.Wait; wait == nil || sendWait(css.Trace.Hops[0]) < 150*time.Millisecond || wait.Duration > 5*time.Second {
		t.Errorf("css wait: %v, want at least the injected 150ms", wait)
	}
	if js.Trace.Hops[0].Timings.Wait.Duration < 100*time.Millisecond {
		t.Errorf("js wait %v under the injected 100ms", js.Trace.Hops[0].Timings.Wait.Duration)
	}
	// The image is delayable: with the CSS in flight the one delayable
	// slot is free, so it starts; it is still discovered after the document.
	doc := res.Requests[0]
	if im.Discovered < doc.End()-time.Millisecond {
		t.Errorf("the image was discovered at %v, before the document ended at %v", im.Discovered, doc.End())
	}
	if im.Image == nil || im.Image.Width != 40 || im.Image.Height != 30 || im.Image.DisplayWidth != 20 {
		t.Errorf("image size: %+v", im.Image)
	}
	if res.DOMContentLoaded < css.End() || res.DOMContentLoaded < 150*time.Millisecond {
		t.Errorf("DOMContentLoaded %v before the CSS ended (%v)", res.DOMContentLoaded, css.End())
	}
	if res.Load < res.DOMContentLoaded {
		t.Errorf("load %v before DOMContentLoaded %v", res.Load, res.DOMContentLoaded)
	}
	if miss := reqs[s.url("www.lab.test", "/missing.png")]; miss.Trace.Hops[0].Response.Status != 404 {
		t.Errorf("missing image: %+v", miss.Trace.Hops[0].Response)
	}
	if res.Skipped[page.SkipDuplicate] != 1 || res.Skipped[page.SkipScheme] != 1 {
		t.Errorf("skipped: %v, want one duplicate and one data: URL", res.Skipped)
	}
	if n := s.lab.DNSQueries("www.lab.test."); n != 2 {
		t.Errorf("DNS: %d queries for www.lab.test, want 2 (A and AAAA, once for the page)", n)
	}
	if len(res.Connections) == 0 || len(res.Connections) > 6 {
		t.Errorf("connections: %+v, want 1 to 6 to the one HTTP/1.1 origin", res.Connections)
	}
	carried := 0
	for _, c := range res.Connections {
		carried += c.Requests
		if c.Origin != s.url("www.lab.test", "") || c.Proto != "HTTP/1.1" {
			t.Errorf("connection %+v", c)
		}
	}
	if carried != 5 {
		t.Errorf("the connections carried %d requests, want 5", carried)
	}
	for _, p := range []string{"/", "/a.css", "/app.js", "/img.png", "/missing.png"} {
		if n := s.hitsOf("www.lab.test", p); n != 1 {
			t.Errorf("%s requested %d times, want once", p, n)
		}
	}
	for _, r := range res.Requests {
		if len(r.Trace.Hops[0].Notes) == 0 {
			t.Errorf("%s has no notes", r.URL)
		}
		if r.TransferBytes <= 0 {
			t.Errorf("%s: TransferBytes %d", r.URL, r.TransferBytes)
		}
		if r.Initiator.Request != -1 && r.Initiator.URL != res.Requests[0].URL {
			t.Errorf("%s: initiator %+v", r.URL, r.Initiator)
		}
	}
}

func keys(m map[string]page.Request) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestLoadBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><body>")
	for i := range 30 {
		fmt.Fprintf(&b, `<img src="/i/%d.png">`, i)
	}
	b.WriteString(`<img src="http://www.alt.test:PORT/other.png"><img src="http://cdn.lab.test:PORT/same-site.png">`)
	var s *site
	s = newSite(t, map[string]http.HandlerFunc{
		"/{$}": func(w http.ResponseWriter, r *http.Request) {
			html(strings.ReplaceAll(b.String(), "PORT", fmt.Sprint(s.port)))(w, r)
		},
		"/": delayed(0, "image/png", "x"),
	})
	o := s.options(t, s.url("www.lab.test", "/"))
	o.MaxRequests = 10
	o.SameSite = true
	res := load(t, o)
	if len(res.Requests) != 10 {
		t.Errorf("requests: %d, want 10 (--max-requests, the document included)", len(res.Requests))
	}
	if res.Skipped[page.SkipOtherSite] != 1 || res.Skipped[page.SkipMaxRequests] != 22 {
		t.Errorf("skipped: %v, want 1 other-site and 22 over --max-requests", res.Skipped)
	}
	if n := s.hitsOf("www.alt.test", "/other.png"); n != 0 {
		t.Errorf("the other site was asked %d times", n)
	}
}

func TestLoadUnresolvableAndLoopingSubresources(t *testing.T) {
	var s *site
	s = newSite(t, map[string]http.HandlerFunc{
		"/{$}": func(w http.ResponseWriter, r *http.Request) {
			html(fmt.Sprintf(`<script src="http://x.nxdomain.lab.test:%d/a.js"></script><script src="/loop"></script><img src="/ok.png">`, s.port))(w, r)
		},
		"/loop":   func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) },
		"/ok.png": delayed(0, "image/png", "x"),
	})
	res := load(t, s.options(t, s.url("www.lab.test", "/")))
	reqs := byURL(res)
	nx := reqs[fmt.Sprintf("http://x.nxdomain.lab.test:%d/a.js", s.port)]
	if nx.Trace == nil || nx.Trace.Err == nil || nx.Trace.Err.Kind != trace.KindNXDomain {
		t.Errorf("unresolvable script: %+v", nx.Trace)
	}
	loop := reqs[s.url("www.lab.test", "/loop")]
	if loop.Trace.Err == nil || loop.Trace.Err.Kind != trace.KindTooManyRedirs || len(loop.Trace.Hops) > 21 {
		t.Errorf("redirect loop: err %v after %d hops", loop.Trace.Err, len(loop.Trace.Hops))
	}
	if ok := reqs[s.url("www.lab.test", "/ok.png")]; ok.Trace.Err != nil || ok.Trace.Hops[0].Response.Status != 200 {
		t.Errorf("the image beside them failed: %v", ok.Trace.Err)
	}
}

func TestLoadHundredThousandLinks(t *testing.T) {
	var b bytes.Buffer
	for i := range 100_000 {
		fmt.Fprintf(&b, `<img src="/i/%d.png"><a href="/p/%d">x</a>`, i, i)
	}
	body := b.String()
	s := newSite(t, map[string]http.HandlerFunc{
		"/{$}": html(body),
		"/":    delayed(0, "image/png", "x"),
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	o := s.options(t, s.url("www.lab.test", "/"))
	events := 0
	o.Progress = func(page.Event) { events++ } // called under the engine's lock
	res := load(t, o)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if held := int64(after.HeapAlloc) - int64(before.HeapAlloc); held > 64<<20 {
		t.Errorf("the result holds %d MiB", held>>20)
	}
	if churn := after.TotalAlloc - before.TotalAlloc; churn > 1<<30 {
		t.Errorf("the load allocated %d MiB in all", churn>>20)
	}
	if events != 2*page.DefaultMaxRequests {
		t.Errorf("progress: %d events, want a start and an end for each request", events)
	}
	if len(res.Requests) != page.DefaultMaxRequests {
		t.Errorf("requests: %d, want the default bound %d", len(res.Requests), page.DefaultMaxRequests)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
	if n := s.hitsOf("www.lab.test", "/p/1"); n != 0 {
		t.Error("a link to another page was followed")
	}
}

func TestRepeatView(t *testing.T) {
	lm := time.Now().Add(-100 * 24 * time.Hour).UTC().Format(http.TimeFormat)
	s := newSite(t, map[string]http.HandlerFunc{
		"/{$}":       html(`<link rel=stylesheet href="/fresh.css"><script src="/etag.js"></script><script src="/lm.js"></script><img src="/nostore.png"><img src="/heuristic.png">`),
		"/fresh.css": delayed(0, "text/css", strings.Repeat("a", 5000), "Cache-Control", "max-age=3600"),
		"/etag.js": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Cache-Control", "no-cache")
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			fmt.Fprint(w, strings.Repeat("j", 3000))
		},
		"/lm.js": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Last-Modified", lm)
			w.Header().Set("Cache-Control", "max-age=0, s-maxage=3600")
			if r.Header.Get("If-Modified-Since") == lm {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			fmt.Fprint(w, "lm")
		},
		"/nostore.png":   delayed(0, "image/png", "x", "Cache-Control", "no-store, max-age=3600"),
		"/heuristic.png": delayed(0, "image/png", "h", "Last-Modified", lm),
	})
	o := s.options(t, s.url("www.lab.test", "/"))
	o.RepeatView = true
	res := load(t, o)
	if res.Repeat == nil {
		t.Fatal("no repeat view")
	}
	rep := byURL(res.Repeat)
	want := map[string]string{"/fresh.css": page.CacheFresh, "/etag.js": page.CacheRevalidated, "/lm.js": page.CacheRevalidated,
		"/nostore.png": "", "/heuristic.png": page.CacheFresh, "/": ""}
	for p, c := range want {
		r, ok := rep[s.url("www.lab.test", p)]
		if !ok {
			t.Errorf("%s missing from the repeat view", p)
			continue
		}
		if r.Cache != c {
			t.Errorf("%s: cache %q, want %q", p, r.Cache, c)
		}
		if (c == page.CacheFresh) != (r.Trace == nil) {
			t.Errorf("%s: fresh from the cache must have no trace: %v", p, r.Trace)
		}
		if c == page.CacheRevalidated && r.Trace.Hops[0].Response.Status != 304 {
			t.Errorf("%s: status %d", p, r.Trace.Hops[0].Response.Status)
		}
	}
	if n := s.hitsOf("www.lab.test", "/fresh.css"); n != 1 {
		t.Errorf("fresh.css asked %d times, want once", n)
	}
	if n := s.hitsOf("www.lab.test", "/nostore.png"); n != 2 {
		t.Errorf("nostore.png asked %d times, want twice", n)
	}
	if css := rep[s.url("www.lab.test", "/fresh.css")]; css.DecodedBytes != 5000 || css.TransferBytes != 0 {
		t.Errorf("fresh css bytes: %d decoded, %d transferred", css.DecodedBytes, css.TransferBytes)
	}
	if res.Repeat.Totals.Cached != 2 || res.Repeat.Totals.Revalidated != 2 || res.Repeat.Totals.SavedBytes != transferred(res)-transferred(res.Repeat) {
		t.Errorf("repeat totals: %+v", res.Repeat.Totals)
	}
	first, second := transferred(res), transferred(res.Repeat)
	if saved := first - second; saved < 8000 {
		t.Errorf("the repeat view saved %d bytes (%d then %d), want at least the css and etag.js bodies", saved, first, second)
	}
}

func transferred(res *page.Result) (n int64) {
	for _, r := range res.Requests {
		n += r.TransferBytes
	}
	return n
}

func TestIframeOneLevel(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/{$}":    html(`<iframe src="/frame"></iframe>`),
		"/frame":  html(`<img src="/in-frame.png"><iframe src="/deeper"></iframe>`),
		"/deeper": html(`<img src="/too-deep.png">`),
		"/":       delayed(0, "image/png", "x"),
	})
	res := load(t, s.options(t, s.url("www.lab.test", "/")))
	reqs := byURL(res)
	if _, ok := reqs[s.url("www.lab.test", "/in-frame.png")]; !ok {
		t.Errorf("the iframe's image was not loaded: %v", keys(reqs))
	}
	if len(res.Requests) != 3 || res.Skipped[page.SkipIframeDepth] != 1 {
		t.Errorf("requests %v, skipped %v: want the document, the frame and its image, the inner frame skipped", keys(reqs), res.Skipped)
	}
	img := reqs[s.url("www.lab.test", "/in-frame.png")]
	if img.Initiator.URL != s.url("www.lab.test", "/frame") {
		t.Errorf("initiator %+v", img.Initiator)
	}
}

var _ = discover.TypeImage
var _ = url.Parse

func TestEarlyHintsAndLinkHeaders(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/{$}": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</hint.css>; rel=preload; as=style")
			w.WriteHeader(http.StatusEarlyHints)
			time.Sleep(200 * time.Millisecond) // the server thinks; the browser fetches the hint meanwhile
			w.Header().Set("Link", "</font.woff2>; rel=preload; as=font; crossorigin")
			html(`<link rel=stylesheet href="/hint.css"><p>hi`)(w, r)
		},
		"/hint.css":   delayed(0, "text/css", "p{}"),
		"/font.woff2": delayed(0, "font/woff2", "w"),
	})
	res := load(t, s.options(t, s.url("www.lab.test", "/")))
	reqs := byURL(res)
	doc, hint, font := res.Requests[0], reqs[s.url("www.lab.test", "/hint.css")], reqs[s.url("www.lab.test", "/font.woff2")]
	first := doc.Trace.Hops[0]
	body := first.Started.Sub(res.Started) + first.Timings.Wait.End()
	if hint.Initiator.Kind != discover.InitEarlyHints || hint.Discovered >= body || hint.End() >= body {
		t.Errorf("the hinted CSS: %s discovered at %v, ended at %v; the document's response came at %v", hint.Initiator.Kind, hint.Discovered, hint.End(), body)
	}
	if body < 200*time.Millisecond {
		t.Errorf("the document's response came at %v, before the injected 200ms", body)
	}
	if font.Initiator.Kind != discover.InitLinkHeader || font.Discovered < body {
		t.Errorf("the Link header's font: %+v", font)
	}
	if n := s.hitsOf("www.lab.test", "/hint.css"); n != 1 || res.Skipped[page.SkipDuplicate] != 1 {
		t.Errorf("hint.css asked %d times (skipped %v): the markup's reference is the preload's", n, res.Skipped)
	}
}

func TestStylesheetsOnceApplied(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/{$}": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</a.css>; rel=preload; as=style")
			w.WriteHeader(http.StatusEarlyHints)
			time.Sleep(50 * time.Millisecond)
			html(`<link rel=preload as=style href="/unused.css"><link rel=stylesheet href="/a.css"><p>text</p>`)(w, r)
		},
		"/a.css":      delayed(0, "text/css", `@import "/b.css"; p { background: url(/bg.png) } @font-face { font-family: F; src: url(/f.woff2) format("woff2") } p { font-family: F }`),
		"/b.css":      delayed(0, "text/css", "p { color: red }"),
		"/unused.css": delayed(0, "text/css", "p { background: url(/never.png) }"),
		"/":           delayed(0, "application/octet-stream", "x"),
	})
	res := load(t, s.options(t, s.url("www.lab.test", "/")))
	reqs := byURL(res)
	for _, p := range []string{"/b.css", "/bg.png", "/f.woff2"} {
		r, ok := reqs[s.url("www.lab.test", p)]
		if !ok || r.Initiator.Kind != discover.InitCSS || r.Initiator.URL != s.url("www.lab.test", "/a.css") {
			t.Errorf("%s: %+v (all: %v)", p, r.Initiator, keys(reqs))
		}
	}
	if _, ok := reqs[s.url("www.lab.test", "/never.png")]; ok {
		t.Error("a preloaded stylesheet no document applies had its images fetched")
	}
	if n := s.hitsOf("www.lab.test", "/a.css"); n != 1 {
		t.Errorf("a.css asked %d times", n)
	}
}

func TestEndlessSubresourceTimesOutAlone(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/{$}": html(`<img src="/endless.png"><img src="/ok.png">`),
		"/endless.png": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			for r.Context().Err() == nil {
				w.Write([]byte("x"))
				w.(http.Flusher).Flush()
				time.Sleep(10 * time.Millisecond)
			}
		},
		"/ok.png": delayed(0, "image/png", "x"),
	})
	o := s.options(t, s.url("www.lab.test", "/"))
	o.Trace.MaxTime = time.Second
	start := time.Now()
	res := load(t, o)
	if d := time.Since(start); d < time.Second || d > 15*time.Second {
		t.Errorf("the page took %v with a 1s bound per request", d)
	}
	reqs := byURL(res)
	if e := reqs[s.url("www.lab.test", "/endless.png")].Trace.Err; e == nil || e.Kind != trace.KindTimeout {
		t.Errorf("the endless image: %v", e)
	}
	if ok := reqs[s.url("www.lab.test", "/ok.png")]; ok.Trace.Err != nil {
		t.Errorf("ok.png: %v", ok.Trace.Err)
	}
}
