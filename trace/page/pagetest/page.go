package pagetest

import (
	"fmt"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
	d "github.com/reqtrace/reqtrace/trace/page/discover"
)

// Page origins.
const (
	Site   = "https://www.example.test"
	Fonts  = "https://fonts.example.net"
	Static = "https://static.example.org" // HTTP/1.1 only
	Stats  = "https://stats.example.com"
)

var (
	longCache = H("Cache-Control", "public, max-age=31536000, immutable")
	gzipEnc   = H("Content-Encoding", "gzip")
)

// Page is a page load that looks like a real one: an HTML document over
// HTTP/2, a stylesheet that @imports another that names a font on a second
// origin, a blocking script in the head, images on an HTTP/1.1-only third
// origin (its 6 connections, requests queued for them), an async script on
// a fourth, a redirected script and a missing image. It has something for
// most findings: render-blocking CSS and JS, uncompressed CSS (whole body
// kept), no and short caching, HTTP/1.1 with many requests, a redirected
// and a 404 subresource, an image far larger than displayed.
func Page() *page.Result {
	css := Text(24 * 1024)
	reqs := []Req{
		{URL: Site + "/", Type: d.TypeDocument, Init: -1, Kind: d.InitOther, Priority: d.PriorityHighest, Hops: []Hop{{
			Conn: 1, New: true, DNS: 12.3, Connect: 5.1, TLS: 10.2, Wait: 82.4, Receive: 6.2, Body: 4210, Decoded: 14530,
			Headers: []trace.Header{H("Content-Type", "text/html; charset=utf-8"), gzipEnc, H("Cache-Control", "no-cache"),
				H("ETag", `"d0c-1"`), H("Strict-Transport-Security", "max-age=63072000")},
			Informational: []trace.Informational{{Status: 103, Headers: []trace.Header{H("Link", "</css/site.css>; rel=preload; as=style")}, At: MS(28)}},
		}}},
		{URL: Site + "/css/site.css", Type: d.TypeStylesheet, Init: 0, Kind: d.InitEarlyHints, Blocking: true, Priority: d.PriorityHighest,
			Discovered: 56, Hops: []Hop{{Conn: 1, Wait: 58.5, Receive: 9.8, Body: int64(len(css)), Preview: css,
				Headers: []trace.Header{H("Content-Type", "text/css"), H("Cache-Control", "max-age=600"), H("Last-Modified", "Sun, 01 Feb 2026 10:00:00 GMT")}}}},
		{URL: Site + "/css/fonts.css", Type: d.TypeStylesheet, Init: 1, Kind: d.InitCSS, Line: 1, Blocking: true, Priority: d.PriorityHighest,
			Discovered: 125, Hops: []Hop{{Conn: 1, Wait: 60.0, Receive: 0.8, Body: 412, Decoded: 980,
				Headers: []trace.Header{H("Content-Type", "text/css"), gzipEnc, longCache}}}},
		{URL: Fonts + "/inter-var.woff2", Type: d.TypeFont, Init: 2, Kind: d.InitCSS, Line: 4, Priority: d.PriorityHigh,
			Discovered: 186, Hops: []Hop{{Conn: 2, New: true, DNS: 18.4, Connect: 14.9, TLS: 24.6, Wait: 41.2, Receive: 22.5, Body: 48120,
				Headers: []trace.Header{H("Content-Type", "font/woff2"), longCache, H("Access-Control-Allow-Origin", "*")}}}},
		{URL: Site + "/js/app.js", Type: d.TypeScript, Init: 0, Kind: d.InitParser, Line: 9, Blocking: true, Priority: d.PriorityHigh,
			Discovered: 104, Hops: []Hop{{Conn: 1, Wait: 44.1, Receive: 12.6, Body: 30211, Decoded: 98304,
				Headers: []trace.Header{H("Content-Type", "text/javascript"), gzipEnc, H("Last-Modified", "Sun, 01 Feb 2026 10:00:00 GMT")}}}},
		{URL: Static + "/img/hero.jpg", Type: d.TypeImage, Init: 0, Kind: d.InitParser, Line: 21, Priority: d.PriorityLow,
			Image:      &page.ImageSize{Width: 2400, Height: 1600, DisplayWidth: 600, DisplayHeight: 400},
			Discovered: 104, Hops: []Hop{{Conn: 3, New: true, Proto: "HTTP/1.1", DNS: 9.7, Connect: 21.3, TLS: 30.8, Wait: 35.4, Receive: 118.0,
				Body: 389120, Headers: []trace.Header{H("Content-Type", "image/jpeg"), longCache}}}},
	}
	// six thumbnails share the HTTP/1.1 origin's connections: five open
	// new ones (its 6 in all), the last waits for the first to be free
	for i := range 6 {
		conn, newConn, queued := 4+i, true, 0.0
		if i == 5 {
			conn, newConn, queued = 4, false, 48.2
		}
		reqs = append(reqs, Req{URL: fmt.Sprintf("%s/img/thumb-%d.png", Static, i+1), Type: d.TypeImage, Init: 0, Kind: d.InitParser,
			Line: 30 + i, Priority: d.PriorityLow, Discovered: 104, Queued: queued,
			Image: &page.ImageSize{Width: 160, Height: 120, DisplayWidth: 160, DisplayHeight: 120},
			Hops: []Hop{{Conn: conn, New: newConn, Proto: "HTTP/1.1", DNS: 0.4, Connect: 20.8, TLS: 31.1, Wait: 30.2, Receive: 3.1,
				Body: 6200 + int64(i)*310, Headers: []trace.Header{H("Content-Type", "image/png"), H("Cache-Control", "max-age=86400")}}}})
	}
	reqs = append(reqs,
		Req{URL: Stats + "/a.js", Type: d.TypeScript, Init: 0, Kind: d.InitParser, Line: 12, Async: true, Priority: d.PriorityLow,
			Discovered: 104, Hops: []Hop{{Conn: 10, New: true, DNS: 22.0, Connect: 18.1, TLS: 27.5, Wait: 61.0, Receive: 1.2, Body: 1840, Decoded: 5120,
				Headers: []trace.Header{H("Content-Type", "application/javascript"), gzipEnc, H("Cache-Control", "max-age=3600")}}}},
		Req{URL: Site + "/js/legacy.js", Type: d.TypeScript, Init: 0, Kind: d.InitParser, Line: 40, Priority: d.PriorityMedium,
			Discovered: 104, Hops: []Hop{
				{Conn: 1, Status: 301, Wait: 20.3, Headers: []trace.Header{H("Location", "/js/legacy.min.js")}},
				{URL: Site + "/js/legacy.min.js", Conn: 1, Wait: 25.0, Receive: 1.5, Body: 2210, Decoded: 7400,
					Headers: []trace.Header{H("Content-Type", "text/javascript"), gzipEnc, longCache}},
			}},
		Req{URL: Site + "/img/missing.png", Type: d.TypeImage, Init: 0, Kind: d.InitParser, Line: 44, Priority: d.PriorityLow,
			Discovered: 104, Hops: []Hop{{Conn: 1, Status: 404, Wait: 18.7, Receive: 0.2, Body: 162,
				Headers: []trace.Header{H("Content-Type", "text/html")}}}},
	)
	return Build(Site+"/", reqs)
}

// PageRepeat is Page with the --repeat-view load the first one's cache
// made: the long-cached assets come from the cache without a request, the
// document and the expired ones are revalidated (304), the rest fetched.
func PageRepeat() *page.Result {
	first := Page()
	var reqs []Req
	conns := map[string]int{} // one connection per origin this time
	conn := func(u string) (int, bool) {
		o := page.Origin(u)
		if id, ok := conns[o]; ok {
			return id, false
		}
		conns[o] = len(conns) + 1
		return conns[o], true
	}
	for i, r := range first.Requests {
		rq := Req{URL: r.URL, Type: r.Type, Init: r.Initiator.Request, Kind: r.Initiator.Kind, Line: r.Initiator.Line,
			Blocking: r.RenderBlocking, Async: r.Async, Priority: r.Priority, Discovered: float64(r.Discovered) / 1e6, Image: r.Image}
		h := r.Final()
		switch {
		case i == 0 || r.URL == Site+"/js/app.js":
			rq.Cache = page.CacheRevalidated
			id, opened := conn(r.URL)
			rq.Hops = []Hop{{Conn: id, New: opened, DNS: 0.2, Connect: 5.0, TLS: 9.8, Status: 304, Wait: 30.1, Receive: 0.1,
				Headers:        []trace.Header{H("ETag", `"d0c-1"`), H("Cache-Control", "no-cache")},
				RequestHeaders: []trace.Header{H("If-None-Match", `"d0c-1"`)}}}
		case r.Status() == 200 && len(r.Trace.Hops) == 1:
			if _, ok := lifetime(h); ok {
				rq.Cache = page.CacheFresh
				break
			}
			fallthrough
		default:
			for _, fh := range r.Trace.Hops {
				id, opened := conn(fh.URL)
				rq.Hops = append(rq.Hops, Hop{URL: fh.URL, Conn: id, New: opened, DNS: 10, Connect: 15, TLS: 25, Proto: fh.Response.Proto, Status: fh.Response.Status, Wait: 20, Receive: 1,
					Body: fh.Response.BodyBytes, Headers: fh.Response.Headers[1:]})
			}
		}
		reqs = append(reqs, rq)
	}
	first.Repeat = Build(Site+"/", reqs)
	return first
}

// lifetime: does the first load's response stay fresh until the repeat
// view (a minute later)? A max-age of an hour or more does here.
func lifetime(h *trace.Hop) (string, bool) {
	for _, f := range h.Response.Headers {
		if f.Name == "Cache-Control" && (f.Value == longCache.Value || f.Value == "max-age=86400" || f.Value == "max-age=3600") {
			return f.Value, true
		}
	}
	return "", false
}
