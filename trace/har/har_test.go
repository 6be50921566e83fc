package har

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
)

func readFile(t *testing.T, name string) []*trace.Result {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func readString(t *testing.T, s string) []*trace.Result {
	t.Helper()
	rs, err := Read(strings.NewReader(s))
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return rs
}

const ms = time.Millisecond

func msf(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func near(a, b time.Duration) bool { return a-b <= time.Microsecond && b-a <= time.Microsecond }

func checkSpan(t *testing.T, what string, s *trace.Span, start, dur float64) {
	t.Helper()
	if s == nil {
		t.Errorf("%s: no span, want %v+%v ms", what, start, dur)
		return
	}
	if !near(s.Start, msf(start)) || !near(s.Duration, msf(dur)) {
		t.Errorf("%s: span %v+%v, want %v+%v ms", what, s.Start, s.Duration, start, dur)
	}
}

// TestDevTools reads the hand-written sample in the layout of Chrome
// DevTools' "Export HAR": HTTP/2 pseudo-headers, serverIPAddress in
// brackets, a failed request with status 0 and _error, the disk cache,
// reused connections and a redirect.
func TestDevTools(t *testing.T) {
	rs := readFile(t, "testdata/devtools.har")
	if len(rs) != 1 {
		t.Fatalf("%d results, want 1 (one page)", len(rs))
	}
	r := rs[0]
	if r.URL != "https://shop.example.test/" || !r.Started.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("result %q started %v", r.URL, r.Started)
	}
	var urls []string
	for _, h := range r.Hops {
		urls = append(urls, h.URL)
	}
	if want := []string{
		"https://shop.example.test/",
		"https://shop.example.test/static/app.js?v=42",
		"https://shop.example.test/static/site.css",
		"https://img.example.test/promo",
		"https://ads.tracker.test/pixel.gif?u=shop", // started before the redirect target
		"https://img.example.test/promo/spring.webp",
		"https://shop.example.test/api/cart?currency=EUR&ref=home",
	}; strings.Join(urls, " ") != strings.Join(want, " ") {
		t.Errorf("hops in order of start:\n got %v\nwant %v", urls, want)
	}

	doc := &r.Hops[0]
	tm := &doc.Timings
	checkSpan(t, "doc dns", tm.DNS, 2.873, 14.206)
	checkSpan(t, "doc tcp", tm.Connect, 17.079, 31.097-17.311)
	checkSpan(t, "doc tls", tm.TLS, 30.865, 17.311)
	checkSpan(t, "doc send", tm.Send, 48.176, 0.219)
	checkSpan(t, "doc wait", tm.Wait, 48.395, 45.918)
	checkSpan(t, "doc receive", tm.Receive, 94.313, 3.227)
	if !near(tm.Total, msf(97.54)) {
		t.Errorf("doc total %v", tm.Total)
	}
	if doc.Request.Proto != "HTTP/2.0" || doc.Request.Target != "/" || doc.Request.Headers[0].Name != "accept" {
		t.Errorf("doc request %+v (pseudo-headers must go)", doc.Request)
	}
	if doc.Connect == nil || doc.Connect.Address != "[2001:db8::10]:443" || doc.Connect.Reused || doc.ConnID != 1 {
		t.Errorf("doc connect %+v conn %d", doc.Connect, doc.ConnID)
	}
	if doc.DNS == nil || doc.DNS.Host != "shop.example.test" || doc.DNS.Addresses[0] != "2001:db8::10" {
		t.Errorf("doc dns %+v", doc.DNS)
	}
	if doc.TLS == nil || doc.TLS.ALPN != "h2" || doc.TLS.ServerName != "shop.example.test" {
		t.Errorf("doc tls %+v", doc.TLS)
	}
	rs0 := doc.Response
	if rs0.Status != 200 || rs0.BodyBytes != 18231 || rs0.DecodedBytes != 18231 || len(rs0.ServerTiming) != 3 ||
		rs0.ServerTiming[2].Name != "origin" || !near(rs0.ServerTiming[2].Duration, msf(38.6)) {
		t.Errorf("doc response %+v", rs0)
	}

	js := &r.Hops[1]
	if js.Connect == nil || !js.Connect.Reused || js.ConnID != 1 || js.Timings.Skipped[trace.PhaseConnect] == "" {
		t.Errorf("app.js: connect %+v conn %d skipped %v", js.Connect, js.ConnID, js.Timings.Skipped)
	}
	checkSpan(t, "app.js send", js.Timings.Send, 1.052, 0.146)

	css := &r.Hops[2]
	if css.Connect != nil || !strings.Contains(css.Timings.Skipped[trace.PhaseDNS], "disk cache") || css.Response.BodyBytes != 2210 {
		t.Errorf("cached css: connect %+v skipped %v body %d", css.Connect, css.Timings.Skipped, css.Response.BodyBytes)
	}

	promo := &r.Hops[3]
	if rd := promo.Redirect; rd == nil || rd.Location != "https://img.example.test/promo/spring.webp" || !rd.Followed || rd.Method != "GET" {
		t.Errorf("redirect %+v", promo.Redirect)
	}
	if promo.ConnID != 2 || r.Hops[5].ConnID != 2 || r.Hops[6].ConnID != 1 {
		t.Errorf("connection numbers %d %d %d", promo.ConnID, r.Hops[5].ConnID, r.Hops[6].ConnID)
	}

	failed := &r.Hops[4]
	if failed.Response != nil || failed.Err == nil || failed.Err.Phase != trace.PhaseDNS || failed.Err.Kind != trace.KindDNS ||
		!strings.Contains(failed.Err.Message, "net::ERR_NAME_NOT_RESOLVED") {
		t.Errorf("failed request: response %v error %+v", failed.Response, failed.Err)
	}
	if tf := failed.Timings; tf.Send != nil || tf.Wait != nil || tf.Receive != nil || !near(tf.Total, msf(23.514)) {
		t.Errorf("failed request timings %+v", tf)
	}

	post := &r.Hops[6]
	if post.Request.Method != "POST" || string(post.Request.BodyPreview) != `{"sku":"TSHIRT-42","qty":2}` || post.Request.BodyBytes != 27 {
		t.Errorf("POST request %+v", post.Request)
	}
	if string(post.Response.BodyPreview) != `{"ok":true,"items":3,"total":"59.80 EUR"}` || post.Response.DecodedBytes != -1 {
		t.Errorf("POST response %+v", post.Response)
	}
}

// TestChromium reads a HAR recorded from headless Chromium (see
// testdata/record/record.mjs).
func TestChromium(t *testing.T) {
	rs := readFile(t, "testdata/chromium.har")
	if len(rs) != 1 || len(rs[0].Hops) != 9 {
		t.Fatalf("%d results", len(rs))
	}
	var h2, post, redirect bool
	for _, h := range rs[0].Hops {
		if h.Response == nil || h.Err != nil {
			t.Errorf("%s: response %v error %v", h.URL, h.Response, h.Err)
			continue
		}
		if h.Timings.Wait == nil || h.Timings.Total <= 0 {
			t.Errorf("%s: timings %+v", h.URL, h.Timings)
		}
		switch {
		case h.Response.Proto == "HTTP/2.0":
			h2 = h.TLS != nil && h.Timings.TLS != nil && h.Timings.Connect != nil && h.DNS != nil
		case h.Request.Method == "POST":
			post = len(h.Response.ServerTiming) == 3 && h.Request.BodyBytes == 17
		case h.Redirect != nil:
			redirect = h.Redirect.Followed && strings.HasSuffix(h.Redirect.Location, "/logo.png")
		}
	}
	if !h2 || !post || !redirect {
		t.Errorf("h2 with TLS %v, POST with Server-Timing %v, followed redirect %v", h2, post, redirect)
	}
}

// TestRecordChromium records a fresh HAR from headless Chromium with
// testdata/record/record.mjs and reads it, when node, the browser and the
// npm modules are at hand:
//
//	npm install --prefix DIR chrome-har chrome-remote-interface
//	HAR_RECORDER_DIR=DIR go test ./trace/har -run RecordChromium
func TestRecordChromium(t *testing.T) {
	dir := os.Getenv("HAR_RECORDER_DIR")
	if dir == "" {
		t.Skip("HAR_RECORDER_DIR is not set; run `npm install --prefix DIR chrome-har chrome-remote-interface` and set HAR_RECORDER_DIR=DIR")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	browser := os.Getenv("CHROMIUM")
	if browser == "" {
		browser = "chromium"
	}
	if _, err := exec.LookPath(browser); err != nil {
		t.Skipf("%s is not installed (set CHROMIUM to the browser)", browser)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "record", "record.mjs"))
	cmd.Env = append(os.Environ(), "HAR_RECORDER_DIR="+dir, "CHROMIUM="+browser)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("record.mjs: %v\n%s", err, stderr.String())
	}
	rs, err := Read(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || len(rs[0].Hops) < 8 {
		t.Fatalf("%d results, want 1 page of 8 or more requests", len(rs))
	}
	for _, h := range rs[0].Hops {
		if h.Response == nil || h.Timings.Wait == nil {
			t.Errorf("%s: response %v, timings %+v", h.URL, h.Response, h.Timings)
		}
	}
	if err := render.Text(io.Discard, rs[0], render.Style{Verbose: true}); err != nil {
		t.Fatal(err)
	}
}

// TestRenders renders the samples as a user would see them, in every style.
func TestRenders(t *testing.T) {
	for _, name := range []string{"testdata/devtools.har", "testdata/chromium.har"} {
		for _, r := range readFile(t, name) {
			for _, st := range []render.Style{{Width: 100}, {Width: 60, Verbose: true, Color: true}} {
				var buf bytes.Buffer
				if err := render.Text(&buf, r, st); err != nil {
					t.Fatal(err)
				}
				if err := render.JSON(io.Discard, r); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(buf.String(), "Waiting (TTFB)") {
					t.Errorf("%s: no waterfall:\n%s", name, buf.String())
				}
			}
		}
	}
}

func TestPages(t *testing.T) {
	const doc = `{"log": {"version": "1.2", "creator": {"name": "x", "version": "1"},
	"pages": [
		{"id": "b", "title": "B", "startedDateTime": "2026-03-01T12:00:01Z", "pageTimings": {}},
		{"id": "a", "title": "A", "startedDateTime": "2026-03-01T12:00:00Z", "pageTimings": {}},
		{"id": "empty", "title": "E", "startedDateTime": "2026-03-01T12:00:00Z", "pageTimings": {}}
	],
	"entries": [
		{"pageref": "a", "startedDateTime": "2026-03-01T12:00:00.5Z", "request": {"method": "GET", "url": "http://a.test/2"}, "response": {"status": 200}, "timings": {"send": 1, "wait": 2, "receive": 3}},
		{"pageref": "a", "startedDateTime": "2026-03-01T12:00:00.1Z", "request": {"method": "GET", "url": "http://a.test/1"}, "response": {"status": 200}, "timings": {"send": 1, "wait": 2, "receive": 3}},
		{"pageref": "b", "startedDateTime": "2026-03-01T12:00:01Z", "request": {"method": "GET", "url": "http://b.test/"}, "response": {"status": 404}, "timings": {"send": 1, "wait": 2, "receive": 3}},
		{"pageref": "nowhere", "startedDateTime": "2026-03-01T12:00:02Z", "request": {"method": "GET", "url": "http://c.test/"}, "response": {"status": 200}, "timings": {"send": 1, "wait": 2, "receive": 3}},
		{"startedDateTime": "2026-03-01T12:00:03Z", "request": {"method": "GET", "url": "http://d.test/"}, "response": {"status": 200}, "timings": {"send": 1, "wait": 2, "receive": 3}}
	]}}`
	rs := readString(t, doc)
	var got []string
	for _, r := range rs {
		var hs []string
		for _, h := range r.Hops {
			hs = append(hs, h.URL)
		}
		got = append(got, r.URL+" "+strings.Join(hs, ","))
	}
	want := []string{"http://b.test/ http://b.test/", "http://a.test/1 http://a.test/1,http://a.test/2", "http://c.test/ http://c.test/,http://d.test/"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pages:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !rs[1].Started.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("page a started %v", rs[1].Started)
	}

	// Without pages, every entry is a hop of one Result, in order of start.
	noPages := strings.Replace(doc, `"pages"`, `"_pages"`, 1)
	rs = readString(t, noPages)
	if len(rs) != 1 || len(rs[0].Hops) != 5 || rs[0].Hops[0].URL != "http://a.test/1" || rs[0].URL != "http://a.test/1" {
		t.Errorf("no pages: %d results, first %+v", len(rs), rs[0])
	}
}

// TestLenient: optional fields missing, of the wrong type, or odd.
func TestLenient(t *testing.T) {
	rs := readString(t, `{"log": {"entries": [
		{"request": {"url": "http://h.test/x"}, "response": {"status": "200", "headers": [{"name": "A", "value": 1}, 7, {"name": ":status", "value": "200"}, {"value": "nameless"}]},
		 "timings": {"send": "1.5", "wait": true, "receive": null, "dns": -1, "connect": "x"}, "time": "oops", "startedDateTime": 5},
		{"request": 3, "response": [], "timings": {"blocked": 1e400}},
		"not an entry",
		{"request": {"url": "%zz", "method": "GET", "headers": {"a": "b"}}, "response": {"status": 0, "_error": 12}, "timings": {"connect": 5, "ssl": 9, "send": 0, "wait": 0, "receive": 0}}
	]}}`)
	hops := rs[0].Hops
	if len(hops) != 3 {
		t.Fatalf("%d hops, want 3 (a string is no entry)", len(hops))
	}
	h := hops[0]
	if h.Response == nil || h.Response.Status != 200 || len(h.Response.Headers) != 1 || h.Response.Headers[0] != (trace.Header{Name: "A", Value: "1"}) ||
		h.Response.HeadersCut != 1 {
		t.Errorf("hop 0 response %+v", h.Response)
	}
	if h.Timings.Send == nil || h.Timings.Wait != nil || h.Timings.Receive != nil || h.Timings.DNS != nil || h.Timings.Connect != nil {
		t.Errorf("hop 0 timings %+v", h.Timings)
	}
	if hops[1].Response != nil || hops[1].Timings.Total != 0 {
		t.Errorf("hop 1 %+v", hops[1])
	}
	// ssl > connect: a tool that does not count ssl inside connect.
	if tm := hops[2].Timings; tm.Connect == nil || tm.Connect.Duration != 5*ms || tm.TLS == nil || tm.TLS.Start != 5*ms || tm.Send != nil {
		t.Errorf("hop 2 timings %+v", tm)
	}
	if e := hops[2].Err; e == nil || e.Phase != trace.PhaseSend {
		t.Errorf("hop 2 error %+v", e)
	}
	for _, st := range []render.Style{{}, {Verbose: true}} {
		if err := render.Text(io.Discard, rs[0], st); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBody(t *testing.T) {
	rs := readString(t, `{"log": {"entries": [{"request": {"url": "https://h.test/"},
		"response": {"status": 200, "content": {"size": 8, "mimeType": "image/png", "text": "iVBO\nRw0KGgo=", "encoding": "base64"}}, "timings": {}}]}}`)
	if got := rs[0].Hops[0].Response.BodyPreview; string(got) != "\x89PNG\r\n\x1a\n" {
		t.Errorf("base64 body %q", got)
	}
	big := strings.Repeat("a", 3*maxPreview)
	rs = readString(t, `{"log": {"entries": [{"request": {"url": "https://h.test/", "postData": {"mimeType": "text/plain", "text": "`+big+`"}},
		"response": {"status": 200, "content": {"size": 5, "text": "`+big+`"}}, "timings": {}}]}}`)
	h := rs[0].Hops[0]
	if len(h.Request.BodyPreview) != maxPreview || len(h.Response.BodyPreview) != maxPreview || h.Request.BodyBytes != int64(len(big)) {
		t.Errorf("previews %d %d, body %d", len(h.Request.BodyPreview), len(h.Response.BodyPreview), h.Request.BodyBytes)
	}
}

func TestBrowserErrors(t *testing.T) {
	for _, c := range []struct {
		text, phase, kind string
		response          bool
	}{
		{"net::ERR_CONNECTION_REFUSED", trace.PhaseConnect, trace.KindConnRefused, false},
		{"net::ERR_CERT_DATE_INVALID", trace.PhaseTLS, trace.KindExpired, false},
		{"net::ERR_CERT_REVOKED", trace.PhaseTLS, trace.KindHandshake, false},
		{"net::ERR_ABORTED", trace.PhaseReceive, trace.KindCanceled, true},
		{"net::ERR_ABORTED", trace.PhaseConnect, trace.KindCanceled, false},
		{"something odd", trace.PhaseReceive, trace.KindReceive, true},
	} {
		status := 0
		if c.response {
			status = 200
		}
		rs := readString(t, fmt.Sprintf(`{"log": {"entries": [{"request": {"url": "https://h.test/"}, "response": {"status": %d, "_error": %q}, "timings": {}}]}}`, status, c.text))
		if e := rs[0].Hops[0].Err; e == nil || e.Phase != c.phase || e.Kind != c.kind || !strings.Contains(e.Message, c.text) {
			t.Errorf("%s: %+v, want %s %s", c.text, e, c.phase, c.kind)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{``, "not JSON"},
		{`{"log": `, "not JSON"},
		{`[]`, "not a HAR"},
		{`{"entries": []}`, "not a HAR"},
		{`{"log": {"pages": []}}`, "not a HAR"},
		{`{"log": {"entries": {}}}`, "log.entries is not an array"},
		{`{"log": {"entries": []}}`, "no entries"},
		{`{"log": {"entries": null}}`, "no entries"},
		{`{"log": {"entries": [1, "x"]}}`, "no entries"},
		{`{"log": {"entries": []}} {}`, "not JSON"},
	} {
		_, err := Read(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.want)
		}
	}
	if _, err := Read(iotestErr{}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a failing reader: %v", err)
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestLimits(t *testing.T) {
	entry := `{"request": {"url": "http://h.test/", "headers": [{"name": "a", "value": "b"}, {"name": "c", "value": "d"}]}, "response": {"status": 200}, "timings": {}}`
	doc := func(n int) string {
		return `{"log": {"entries": [` + strings.TrimSuffix(strings.Repeat(entry+",", n), ",") + `]}}`
	}
	lim := limits{input: 1 << 20, entries: 3, items: 100}
	if _, err := read(strings.NewReader(doc(3)), lim); err != nil {
		t.Errorf("3 entries: %v", err)
	}
	if _, err := read(strings.NewReader(doc(4)), lim); err == nil || !strings.Contains(err.Error(), "more than 3 entries") {
		t.Errorf("4 entries: %v", err)
	}
	if _, err := read(strings.NewReader(doc(3)), limits{input: 100, entries: 3, items: 100}); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("input cap: %v", err)
	}
	huge := `{"log": {"entries": [{"request": {"url": "http://h.test/` + strings.Repeat("p", 100<<10) + `"}, "response": {"status": 200}, "timings": {}}]}}`
	if _, err := read(strings.NewReader(huge), limits{input: 1 << 20, entry: 10 << 10, entries: 3, items: 100}); err == nil || !strings.Contains(err.Error(), "an entry is larger than 10240 bytes") {
		t.Errorf("entry cap: %v", err)
	}
	if _, err := read(strings.NewReader(huge), limits{input: 1 << 20, entry: 1 << 20, entries: 3, items: 100}); err != nil {
		t.Errorf("an entry under the cap: %v", err)
	}
	if _, err := read(strings.NewReader(doc(3)), limits{input: 1 << 20, entries: 3, items: 8}); err == nil || !strings.Contains(err.Error(), "more than 8") {
		t.Errorf("item budget: %v", err)
	}
	// A list longer than its cap keeps the cap and counts the rest.
	many := `{"log": {"entries": [{"request": {"url": "http://h.test/"}, "response": {"status": 200, "headers": [` +
		strings.TrimSuffix(strings.Repeat(`{"name": "x", "value": "y"},`, 1500), ",") + `]}, "timings": {}}]}}`
	rs := readString(t, many)
	if r := rs[0].Hops[0].Response; len(r.Headers) != 1000 || r.HeadersCut != 500 {
		t.Errorf("1500 headers: kept %d, cut %d", len(r.Headers), r.HeadersCut)
	}
	if MaxInput != 256<<20 {
		t.Errorf("MaxInput %d", MaxInput)
	}
}

// FuzzRead: no input may panic Read, and what it returns must be sane and
// render.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"testdata/devtools.har", "testdata/chromium.har"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"log": {"entries": [{"request": {"url": "http://h.test/"}, "response": {"status": 301, "redirectURL": "//x"}, "timings": {"dns": 1, "connect": 3, "ssl": 2, "send": 0, "wait": 1e308, "receive": -5}}]}}`))
	f.Add([]byte(`{"log": {"pages": [{"id": 1, "_reqtrace": {"url": 2, "error": {"message": "m"}}}], "entries": [{"pageref": 1, "_reqtrace": {"offsets_ms": {"dns": 5}, "skipped": {"dns": 1, "x": "y"}, "tls": {"certificates": [{"dns_names": [1]}]}, "informational": [{"status": 103, "headers": [{"name": "link"}]}]}, "timings": {"dns": 2}}]}}`))
	f.Add([]byte(`{"log": {"entries": [[], {}, null, {"response": {"status": 99.5, "headers": null}}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := read(bytes.NewReader(b), limits{input: 1 << 20, entries: 1000, items: 100000})
		if err != nil {
			if rs != nil {
				t.Fatal("results with an error")
			}
			return
		}
		if len(rs) == 0 {
			t.Fatal("no results and no error")
		}
		for _, r := range rs {
			if len(r.Hops) == 0 {
				t.Fatal("a Result without hops")
			}
			for _, h := range r.Hops {
				tm := &h.Timings
				for _, s := range []*trace.Span{tm.DNS, tm.Connect, tm.TLS, tm.Send, tm.Wait, tm.Receive} {
					if s != nil && (s.Start < 0 || s.Duration < 0 || s.End() > tm.Total) {
						t.Fatalf("span %+v, total %v", *s, tm.Total)
					}
				}
			}
			if err := render.Text(io.Discard, r, render.Style{Verbose: true}); err != nil {
				t.Fatal(err)
			}
		}
	})
}
