package page_test

import (
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
	d "github.com/reqtrace/reqtrace/trace/page/discover"
	. "github.com/reqtrace/reqtrace/trace/page/pagetest"
)

var longCache = H("Cache-Control", "max-age=31536000, immutable")

// clean is a page with nothing to fix: a compressed document over HTTP/2,
// a small compressed long-cached stylesheet, an image at its displayed size.
func clean() []Req {
	return []Req{
		{URL: Site + "/", Type: d.TypeDocument, Init: -1, Kind: d.InitOther, Hops: []Hop{{Conn: 1, New: true, DNS: 5, Connect: 5, TLS: 10,
			Wait: 40, Receive: 2, Body: 3000, Decoded: 9000, Headers: []trace.Header{H("Content-Type", "text/html"), H("Content-Encoding", "br")}}}},
		{URL: Site + "/a.css", Type: d.TypeStylesheet, Init: 0, Kind: d.InitParser, Line: 3, Blocking: true, Discovered: 60,
			Hops: []Hop{{Conn: 1, Wait: 10, Receive: 1, Body: 900, Decoded: 3000,
				Headers: []trace.Header{H("Content-Type", "text/css"), H("Content-Encoding", "gzip"), longCache}}}},
		{URL: Site + "/a.png", Type: d.TypeImage, Init: 0, Kind: d.InitParser, Line: 9, Discovered: 60,
			Image: &page.ImageSize{Width: 400, Height: 300, DisplayWidth: 400},
			Hops:  []Hop{{Conn: 1, Wait: 10, Receive: 5, Body: 40000, Headers: []trace.Header{H("Content-Type", "image/png"), longCache}}}},
	}
}

func summarize(reqs []Req) *page.Result {
	res := Build(Site+"/", reqs)
	page.Summarize(res)
	return res
}

func ids(fs []page.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func find(t *testing.T, res *page.Result, id string) page.Finding {
	t.Helper()
	for _, f := range res.Findings {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no %s finding; got %v", id, ids(res.Findings))
	return page.Finding{}
}

func TestCleanPageHasNoFindings(t *testing.T) {
	res := summarize(clean())
	if len(res.Findings) != 0 {
		t.Errorf("findings on a clean page: %+v", res.Findings)
	}
	if !slices.Equal(res.CriticalPath, []int{0, 1}) {
		t.Errorf("critical path %v, want [0 1]", res.CriticalPath)
	}
}

func TestSummarizePage(t *testing.T) {
	res := PageRepeat()
	page.Summarize(res)
	tot := res.Totals
	if tot.Requests != 15 || tot.Cached != 0 || tot.Revalidated != 0 || tot.SavedBytes != 0 {
		t.Errorf("totals %+v", tot)
	}
	var tb, db int64
	for _, r := range res.Requests {
		tb += r.TransferBytes
		db += r.DecodedBytes
	}
	if tot.TransferBytes != tb || tot.DecodedBytes != db || tb <= 0 || db == tb {
		t.Errorf("bytes %d/%d, want %d/%d", tot.TransferBytes, tot.DecodedBytes, tb, db)
	}
	wantOrigins := []page.Sum{
		{Key: Site, Requests: 6, Connections: 1},
		{Key: Fonts, Requests: 1, Connections: 1},
		{Key: Static, Requests: 7, Connections: 6},
		{Key: Stats, Requests: 1, Connections: 1},
	}
	if len(tot.ByOrigin) != len(wantOrigins) {
		t.Fatalf("by origin %+v", tot.ByOrigin)
	}
	var sum int64
	for i, w := range wantOrigins {
		g := tot.ByOrigin[i]
		if g.Key != w.Key || g.Requests != w.Requests || g.Connections != w.Connections {
			t.Errorf("origin %d: %+v, want %+v", i, g, w)
		}
		sum += g.TransferBytes
	}
	if sum != tb {
		t.Errorf("origins' bytes add up to %d, not %d", sum, tb)
	}
	var types []string
	for _, s := range tot.ByType {
		types = append(types, fmt.Sprintf("%s:%d", s.Key, s.Requests))
	}
	if want := []string{"document:1", "stylesheet:2", "font:1", "script:3", "image:8"}; !slices.Equal(types, want) {
		t.Errorf("by type %v, want %v", types, want)
	}
	// document -> site.css -> @import fonts.css, the last blocking one to end
	if !slices.Equal(res.CriticalPath, []int{0, 1, 2}) {
		t.Errorf("critical path %v", res.CriticalPath)
	}
	want := []string{page.FindRenderBlocking, page.FindUncompressed, page.FindNoCache, page.FindHTTP1,
		page.FindRedirect, page.FindErrorStatus, page.FindOversizedImage, page.FindShortCache}
	if got := ids(res.Findings); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	for _, f := range res.Findings {
		if f.Message == "" || len(f.Requests) == 0 || f.Level == "" {
			t.Errorf("finding without message, requests or level: %+v", f)
		}
	}

	rv := res.Repeat.Totals
	if rv.Cached != 10 || rv.Revalidated != 2 || rv.Requests != 5 {
		t.Errorf("repeat totals %+v", rv)
	}
	if rv.SavedBytes != tot.TransferBytes-rv.TransferBytes || rv.SavedBytes <= 0 {
		t.Errorf("saved %d, want %d", rv.SavedBytes, tot.TransferBytes-rv.TransferBytes)
	}
	if res.Repeat.Findings != nil {
		t.Errorf("the repeat view got findings of its own: %v", ids(res.Repeat.Findings))
	}
}

func TestSummarizeEmpty(t *testing.T) {
	page.Summarize(nil)
	res := &page.Result{URL: Site + "/", Err: &trace.Error{Phase: trace.PhaseDNS, Kind: trace.KindNXDomain, Message: "no such host"}}
	page.Summarize(res)
	if res.Totals.Requests != 0 || res.CriticalPath != nil || res.Findings != nil {
		t.Errorf("a page that never loaded: %+v", res)
	}
}

func TestCriticalPathCycle(t *testing.T) {
	reqs := clean()
	reqs[1].Init = 2 // a.css "found by" a.png, found by a.css: the engine's bug, never a hang
	reqs[2].Init = 1
	reqs[1].Hops[0].Wait = 500
	res := summarize(reqs)
	if !slices.Equal(res.CriticalPath, []int{2, 1}) {
		t.Errorf("critical path %v", res.CriticalPath)
	}
}

func TestRenderBlocking(t *testing.T) {
	reqs := clean()
	reqs[1].Hops[0].Wait = 120 // ends 60+120+1.1 = 181.1; the document ends at 62.1
	f := find(t, summarize(reqs), page.FindRenderBlocking)
	if !slices.Equal(f.Requests, []int{1}) || f.Level != trace.LevelWarn {
		t.Errorf("%+v", f)
	}
	if want := MS(181.1) - MS(62.1); f.SavingsTime < want-MS(0.01) || f.SavingsTime > want+MS(0.01) {
		t.Errorf("savings %v, want %v", f.SavingsTime, want)
	}
	// under Lighthouse's 50 ms it stays silent
	reqs[1].Hops[0].Wait = 48
	if res := summarize(reqs); len(res.Findings) != 0 {
		t.Errorf("fired under 50 ms: %v", ids(res.Findings))
	}
}

func TestUncompressed(t *testing.T) {
	body := Text(8000)
	reqs := clean()
	reqs[1].Hops[0].Headers = []trace.Header{H("Content-Type", "text/css; charset=utf-8"), longCache}
	reqs[1].Hops[0].Body, reqs[1].Hops[0].Decoded, reqs[1].Hops[0].Preview = 8000, 8000, body
	f := find(t, summarize(reqs), page.FindUncompressed)
	if !slices.Equal(f.Requests, []int{1}) || f.SavingsBytes < 7000 || f.SavingsBytes >= 8000 {
		t.Errorf("%+v", f)
	}
	// the body not kept whole: listed, no figure made up
	reqs[1].Hops[0].Preview = body[:1024]
	f = find(t, summarize(reqs), page.FindUncompressed)
	if f.SavingsBytes != 0 || !slices.Equal(f.Requests, []int{1}) {
		t.Errorf("savings without the bytes: %+v", f)
	}
	// dense bytes gzip cannot shrink by 10%: silent
	dense := make([]byte, 8000)
	rand.Read(dense)
	reqs[1].Hops[0].Preview = dense
	if res := summarize(reqs); len(res.Findings) != 0 {
		t.Errorf("fired on incompressible bytes: %v", ids(res.Findings))
	}
	// 1 KiB or less: silent; an image is not text
	reqs[1].Hops[0].Body, reqs[1].Hops[0].Preview = 1024, body[:1024]
	if res := summarize(reqs); len(res.Findings) != 0 {
		t.Errorf("fired on 1 KiB: %v", ids(res.Findings))
	}
	for _, ct := range []string{"application/javascript", "application/json", "image/svg+xml", "application/manifest+json"} {
		reqs[1].Hops[0].Headers = []trace.Header{H("Content-Type", ct), longCache}
		reqs[1].Hops[0].Body, reqs[1].Hops[0].Preview = 4000, nil
		if f := find(t, summarize(reqs), page.FindUncompressed); !slices.Equal(f.Requests, []int{1}) {
			t.Errorf("%s: %+v", ct, f)
		}
	}
}

func TestCaching(t *testing.T) {
	cases := []struct {
		headers []trace.Header
		want    string // "" for silent
	}{
		{[]trace.Header{longCache}, ""},
		{[]trace.Header{H("Cache-Control", "max-age=8640000")}, ""}, // 100 days: above 0.925
		{[]trace.Header{H("Cache-Control", "max-age=86400")}, page.FindShortCache},
		{[]trace.Header{H("Expires", "Sun, 01 Mar 2026 13:00:00 GMT")}, page.FindShortCache}, // an hour after Date
		{[]trace.Header{H("Cache-Control", "no-store")}, page.FindNoCache},
		{[]trace.Header{H("Cache-Control", "no-cache, max-age=31536000")}, page.FindNoCache},
		{[]trace.Header{H("Cache-Control", "max-age=0")}, page.FindNoCache},
		{[]trace.Header{H("Last-Modified", "Sun, 01 Feb 2026 10:00:00 GMT")}, page.FindNoCache}, // a heuristic only
		{nil, page.FindNoCache},
	}
	for _, c := range cases {
		reqs := clean()
		reqs[2].Hops[0].Headers = append([]trace.Header{H("Content-Type", "image/png")}, c.headers...)
		res := summarize(reqs)
		got := ids(res.Findings)
		if c.want == "" {
			if len(got) != 0 {
				t.Errorf("%v: %v", c.headers, got)
			}
			continue
		}
		f := find(t, res, c.want)
		if !slices.Equal(f.Requests, []int{2}) || f.SavingsBytes <= 0 || f.SavingsBytes > res.Requests[2].TransferBytes {
			t.Errorf("%v: %+v", c.headers, f)
		}
	}
	// the document is not a static asset, a 404 is not cacheable content
	reqs := clean()
	reqs[0].Hops[0].Headers = append(reqs[0].Hops[0].Headers, H("Cache-Control", "no-store"))
	if res := summarize(reqs); len(res.Findings) != 0 {
		t.Errorf("document flagged: %v", ids(res.Findings))
	}
}

func TestManyOrigins(t *testing.T) {
	reqs := clean()
	for i := range 4 {
		reqs = append(reqs, Req{URL: fmt.Sprintf("https://cdn%d.example.net/x.png", i), Type: d.TypeImage, Init: 0, Kind: d.InitParser,
			Discovered: 60, Hops: []Hop{{Conn: 10 + i, New: true, DNS: 10, Connect: 20, TLS: 30, Wait: 5, Receive: 1, Body: 100,
				Headers: []trace.Header{H("Content-Type", "image/png"), longCache}}}})
	}
	f := find(t, summarize(reqs), page.FindManyOrigins)
	if !slices.Equal(f.Requests, []int{3, 4, 5, 6}) || f.SavingsTime != 4*MS(60) {
		t.Errorf("%+v", f)
	}
	if res := summarize(reqs[:6]); slices.Contains(ids(res.Findings), page.FindManyOrigins) {
		t.Error("fired at 4 origins")
	}
}

func TestHTTP1(t *testing.T) {
	mk := func(n int, proto string) []Req {
		reqs := clean()
		for i := range n {
			reqs = append(reqs, Req{URL: fmt.Sprintf("%s/i%d.png", Static, i), Type: d.TypeImage, Init: 0, Kind: d.InitParser,
				Discovered: 60, Queued: 10, Hops: []Hop{{Conn: 10 + i, New: true, Proto: proto, Wait: 5, Receive: 1, Body: 100,
					Headers: []trace.Header{H("Content-Type", "image/png"), longCache}}}})
		}
		return reqs
	}
	f := find(t, summarize(mk(6, "HTTP/1.1")), page.FindHTTP1)
	if len(f.Requests) != 6 || f.Requests[0] != 3 || f.SavingsTime != 6*MS(10) {
		t.Errorf("%+v", f)
	}
	if res := summarize(mk(5, "HTTP/1.1")); len(res.Findings) != 0 {
		t.Errorf("fired at 5 requests: %v", ids(res.Findings))
	}
	if res := summarize(mk(12, "HTTP/2.0")); len(res.Findings) != 0 {
		t.Errorf("fired on HTTP/2: %v", ids(res.Findings))
	}
}

func TestRedirects(t *testing.T) {
	reqs := clean()
	reqs[2].Hops = []Hop{{Conn: 1, Status: 302, Wait: 30}, {URL: Site + "/b.png", Conn: 1, Wait: 10, Receive: 5, Body: 40000,
		Headers: []trace.Header{H("Content-Type", "image/png"), longCache}}}
	f := find(t, summarize(reqs), page.FindRedirect)
	if !slices.Equal(f.Requests, []int{2}) || f.SavingsTime != MS(30.1) {
		t.Errorf("%+v", f)
	}
	reqs = clean()
	reqs[0].Hops = append([]Hop{{URL: "http://www.example.test/", Conn: 9, New: true, Status: 301, Wait: 25}}, reqs[0].Hops...)
	reqs[0].Hops[1].URL = Site + "/"
	res := summarize(reqs)
	f = find(t, res, page.FindDocumentRedirect)
	if got := ids(res.Findings); !slices.Equal(got, []string{page.FindDocumentRedirect}) || f.SavingsTime <= MS(25) {
		t.Errorf("%v %+v", got, f)
	}
}

func TestErrorStatus(t *testing.T) {
	reqs := clean()
	reqs[2].Hops[0].Status = 404
	f := find(t, summarize(reqs), page.FindErrorStatus)
	if f.Level != trace.LevelWarn || !slices.Equal(f.Requests, []int{2}) || f.SavingsBytes <= 40000 {
		t.Errorf("%+v", f)
	}
	reqs = append(reqs, Req{URL: Site + "/b.js", Type: d.TypeScript, Init: 0, Kind: d.InitParser, Discovered: 60,
		Hops: []Hop{{Conn: 1, Status: 503, Wait: 10, Receive: 1, Body: 10}}},
		Req{URL: Site + "/c.js", Type: d.TypeScript, Init: 0, Kind: d.InitParser, Discovered: 60,
			Hops: []Hop{{Conn: 1, Wait: 10, Err: &trace.Error{Phase: trace.PhaseReceive, Kind: trace.KindReceive, Message: "reset"}}}})
	f = find(t, summarize(reqs), page.FindErrorStatus)
	if f.Level != trace.LevelBad || !slices.Equal(f.Requests, []int{2, 3, 4}) {
		t.Errorf("%+v", f)
	}
}

func TestOversizedImage(t *testing.T) {
	reqs := clean()
	reqs[2].Image = &page.ImageSize{Width: 1600, Height: 1200, DisplayHeight: 300} // width follows: 400
	f := find(t, summarize(reqs), page.FindOversizedImage)
	// 1 - (400*300)/(1600*1200) = 15/16 of the bytes
	if want := res2(reqs).Requests[2].TransferBytes * 15 / 16; !slices.Equal(f.Requests, []int{2}) || f.SavingsBytes != want {
		t.Errorf("%+v, want savings %d", f, want)
	}
	// an SVG scales for free; no display size says nothing
	reqs[2].Hops[0].Headers = []trace.Header{H("Content-Type", "image/svg+xml"), longCache, H("Content-Encoding", "gzip")}
	if res := summarize(reqs); len(res.Findings) != 0 {
		t.Errorf("svg: %v", ids(res.Findings))
	}
	reqs = clean()
	reqs[2].Image = &page.ImageSize{Width: 1600, Height: 1200}
	if res := summarize(reqs); len(res.Findings) != 0 {
		t.Errorf("no display size: %v", ids(res.Findings))
	}
	// a little larger, under 4 KiB of waste: silent
	reqs[2].Image = &page.ImageSize{Width: 420, Height: 300, DisplayWidth: 400, DisplayHeight: 300}
	reqs[2].Hops[0].Body = 20000
	if res := summarize(reqs); len(res.Findings) != 0 {
		t.Errorf("small waste: %v", ids(res.Findings))
	}
}

func res2(reqs []Req) *page.Result { return Build(Site+"/", reqs) }

func TestSlowServerAndWeight(t *testing.T) {
	reqs := clean()
	reqs[0].Hops[0].Wait = 700
	f := find(t, summarize(reqs), page.FindSlowServer)
	if f.SavingsTime != MS(600) || !slices.Equal(f.Requests, []int{0}) {
		t.Errorf("%+v", f)
	}
	reqs = clean()
	reqs[2].Hops[0].Body = 3 << 20
	f = find(t, summarize(reqs), page.FindTotalBytes)
	if f.Requests[0] != 2 || len(f.Requests) != 3 {
		t.Errorf("%+v", f)
	}
	reqs = clean()
	for i := range 100 {
		reqs = append(reqs, Req{URL: fmt.Sprintf("%s/i%d.png", Site, i), Type: d.TypeImage, Init: 0, Kind: d.InitParser, Discovered: 60,
			Hops: []Hop{{Conn: 1, Wait: 1, Receive: 1, Body: 100, Headers: []trace.Header{H("Content-Type", "image/png"), longCache}}}})
	}
	res := summarize(reqs)
	if got := ids(res.Findings); !slices.Equal(got, []string{page.FindManyRequests}) {
		t.Errorf("103 requests: %v", got)
	}
	if res := summarize(reqs[:100]); len(res.Findings) != 0 {
		t.Errorf("100 requests: %v", ids(res.Findings))
	}
}

func TestOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://WWW.Example.test:443/a?b": "https://www.example.test",
		"http://example.test:80/":          "http://example.test",
		"http://example.test:8080/":        "http://example.test:8080",
		"https://[::1]:8443/x":             "https://[::1]:8443",
		"https://[::1]/x":                  "https://[::1]",
		"data:text/plain,hi":               "",
		"%zz":                              "",
	} {
		if got := page.Origin(in); got != want {
			t.Errorf("Origin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRequestEnd(t *testing.T) {
	res := Page()
	r := res.Requests[13] // a redirect then the script
	if r.End() != r.Start()+r.Duration() || r.Duration() != r.Trace.Hops[0].Timings.Total+r.Trace.Hops[1].Timings.Total {
		t.Errorf("end %v start %v duration %v", r.End(), r.Start(), r.Duration())
	}
	fresh := page.Request{Discovered: time.Second, Cache: page.CacheFresh}
	if fresh.End() != time.Second || fresh.Final() != nil || fresh.Status() != 0 || fresh.NewConnection() {
		t.Errorf("a request the cache answered: %+v", fresh)
	}
}
