package page_test

import (
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/page/discover"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func labOptions(t *testing.T, lab *tracetest.Lab, path string) *page.Options {
	t.Helper()
	u, err := trace.ParseURL(lab.PageURL(path))
	if err != nil {
		t.Fatal(err)
	}
	return &page.Options{Trace: trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
		HostsFile: lab.HostsFile, CACert: lab.CAPEM, Compressed: true, MaxTime: 20 * time.Second}}
}

// request finds the request whose URL ends with suffix.
func request(t *testing.T, res *page.Result, suffix string) page.Request {
	t.Helper()
	for _, r := range res.Requests {
		if strings.HasSuffix(r.URL, suffix) {
			return r
		}
	}
	t.Fatalf("no request for %s", suffix)
	return page.Request{}
}

func TestLabPage(t *testing.T) {
	lab := tracetest.New(t)
	res := load(t, labOptions(t, lab, tracetest.PagePath))
	if n := len(res.Requests); n < 40 || n > 50 {
		t.Errorf("%d requests, want the lab page's 45 or so", n)
	}
	// Each URL once: the lab saw no URL twice.
	seen := map[string]bool{}
	for _, u := range lab.SiteRequests() {
		if seen[u] {
			t.Errorf("%s requested twice", u)
		}
		seen[u] = true
	}
	doc := res.Requests[0]
	first := doc.Trace.Hops[0]
	if first.Response.Proto != "HTTP/2.0" || first.Timings.Wait.End()-first.Timings.Send.Start < tracetest.PageDelay {
		t.Errorf("document: %s, wait %v (the lab thinks %v)", first.Response.Proto, first.Timings.Wait.Duration, tracetest.PageDelay)
	}
	response := first.Started.Sub(res.Started) + first.Timings.Wait.End()
	if hint := request(t, res, "/site/css/hint.css"); hint.Initiator.Kind != discover.InitEarlyHints || hint.Discovered >= response {
		t.Errorf("hint.css: %s at %v, the document's response at %v", hint.Initiator.Kind, hint.Discovered, response)
	}
	if pre := request(t, res, "/site/img/preload.png?w=64&h=64"); pre.Initiator.Kind != discover.InitLinkHeader || pre.Image == nil || pre.Image.Width != 64 {
		t.Errorf("the Link header's image: %+v %+v", pre.Initiator, pre.Image)
	}
	if slow := request(t, res, "/site/img/slow.png?ms=150"); sendWait(slow.Trace.Hops[0]) < 150*time.Millisecond {
		t.Errorf("slow.png waited %v, under the injected 150ms", sendWait(slow.Trace.Hops[0]))
	}
	if miss := request(t, res, "/site/img/missing.png?status=404"); miss.Trace.Hops[0].Response.Status != 404 || miss.Trace.Err != nil {
		t.Errorf("missing.png: %+v", miss.Trace.Hops[0].Response)
	}
	if old := request(t, res, "/site/js/old.js?to=/site/js/moved.js"); len(old.Trace.Hops) != 2 || old.Trace.Hops[1].Response.Status != 200 {
		t.Errorf("the redirected script: %d hops", len(old.Trace.Hops))
	}
	if big := request(t, res, "/site/img/big.png?w=1600&h=1200&cache=short"); big.Image == nil || big.Image.Width != 1600 || big.Image.DisplayWidth != 160 {
		t.Errorf("big.png: %+v", big.Image)
	}
	for _, font := range []string{"/site/font/labsans.woff2", "/site/css/reset.css"} {
		if r := request(t, res, font); r.Initiator.Kind != discover.InitCSS {
			t.Errorf("%s: initiator %+v", font, r.Initiator)
		}
	}
	perOrigin := map[string][]page.Connection{}
	for _, c := range res.Connections {
		perOrigin[page.Origin(c.Origin)] = append(perOrigin[page.Origin(c.Origin)], c)
	}
	h1 := perOrigin[page.Origin(lab.URL("https", tracetest.H1OnlyHost, "/"))]
	if len(h1) != trace.PoolPerOrigin || h1[0].Proto != "HTTP/1.1" {
		t.Errorf("h1only: %d connections (%+v), want the 6 a browser opens", len(h1), h1)
	}
	cdn := perOrigin[page.Origin(lab.URL("https", tracetest.CDNHost, "/"))]
	if len(cdn) != 1 || cdn[0].Proto != "HTTP/2.0" || cdn[0].Requests < 10 {
		t.Errorf("cdn: %+v, want one HTTP/2 connection carrying its 11 requests", cdn)
	}
	if res.DOMContentLoaded < response || res.Load < 150*time.Millisecond || res.Load < res.DOMContentLoaded {
		t.Errorf("DOMContentLoaded %v, load %v", res.DOMContentLoaded, res.Load)
	}
	if len(res.Findings) == 0 || len(res.CriticalPath) == 0 || res.Totals.Requests != len(res.Requests) {
		t.Errorf("not summarized: %d findings, critical path %v, totals %+v", len(res.Findings), res.CriticalPath, res.Totals)
	}
}

func TestLabPageRepeatView(t *testing.T) {
	lab := tracetest.New(t)
	o := labOptions(t, lab, tracetest.PagePath)
	o.RepeatView = true
	res := load(t, o)
	rv := res.Repeat
	if rv == nil || rv.Err != nil {
		t.Fatalf("repeat view: %+v", rv)
	}
	for suffix, want := range map[string]string{
		"/site/css/cdn.css?cache=immutable":             page.CacheFresh,
		"/site/img/logo.png?w=120&h=40&cache=immutable": page.CacheFresh,
		"/site/img/big.png?w=1600&h=1200&cache=short":   page.CacheFresh,
		"/site/js/async.js?cache=no-store":              "",
		"/site/index.html":                              "", // no-cache, no validator: asked again
	} {
		if r := request(t, rv, suffix); r.Cache != want {
			t.Errorf("%s: cache %q, want %q", suffix, r.Cache, want)
		}
	}
	if rv.Totals.Cached < 10 || rv.Totals.SavedBytes <= 0 {
		t.Errorf("repeat totals: %+v", rv.Totals)
	}
	// The fresh CSS still names its fonts and images: the repeat view finds them.
	if len(rv.Requests) != len(res.Requests) {
		t.Errorf("the repeat view has %d requests, the first %d", len(rv.Requests), len(res.Requests))
	}
}

func TestLabIframePage(t *testing.T) {
	lab := tracetest.New(t)
	res := load(t, labOptions(t, lab, tracetest.IframePagePath))
	frame := request(t, res, "/site/frame.html")
	if frame.Type != discover.TypeIframe {
		t.Errorf("frame: %+v", frame)
	}
	if img := request(t, res, "/site/img/framed.png"); img.Initiator.URL != frame.URL {
		t.Errorf("framed.png initiator %+v", img.Initiator)
	}
	if css := request(t, res, "/site/css/frame.css"); css.RenderBlocking {
		t.Error("the iframe's stylesheet blocks the page's first render")
	}
}

// sendWait is the request's send and wait together, from its first byte
// sent to the response's first byte: what a server's delay bounds from
// below (among a page's concurrent requests the client may stamp its send
// a moment after the server has the request).
func sendWait(h trace.Hop) time.Duration { return h.Timings.Wait.End() - h.Timings.Send.Start }
