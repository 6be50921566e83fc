package tracetest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The lab's pages, for `reqtrace page` and its Chromium judge (see the
// package comment). Every page and asset lives under /site/; a page's
// text names other origins as {www}, {cdn} and {h1} (cdn.lab.test and
// h1only.lab.test, whose TLS offers HTTP/1.1 only), which the lab fills
// in with the host and HTTPS port.
const (
	// PagePath is the big page: about 40 subresources over 3 origins.
	PagePath = "/site/index.html"
	// IframePagePath, SrcsetPagePath, PicturePagePath and LazyPagePath
	// are the smaller pages for one case each.
	IframePagePath  = "/site/iframe.html"
	SrcsetPagePath  = "/site/srcset.html"
	PicturePagePath = "/site/picture.html"
	LazyPagePath    = "/site/lazy.html"
	// PageEarlyHints is the Link of the 103 PagePath sends before its 200
	// (over HTTP/2: Chromium ignores a 103 over HTTP/1.1).
	PageEarlyHints = "</site/css/hint.css>; rel=preload; as=style"
	// PageLinkHeader is the Link header of PagePath's 200.
	PageLinkHeader = "</site/img/preload.png?w=64&h=64>; rel=preload; as=image"
	// HintsPagePath sends a 103 with HintsEarlyHints, whose preload the
	// page itself does not name: over HTTP/2 Chromium fetches it, over
	// HTTP/1.1 (from h1only.lab.test) it ignores the 103.
	HintsPagePath   = "/site/s/hints.html"
	HintsEarlyHints = "</site/s/hints/early.css>; rel=preload; as=style"
	// PageDelay is PagePath's think time before its 200, after the 103.
	PageDelay = 30 * time.Millisecond
)

// The lab's page hosts (names under lab.test resolve to 127.0.0.1).
const (
	PageHost   = "www.lab.test"
	CDNHost    = "cdn.lab.test"
	H1OnlyHost = "h1only.lab.test"
)

// PageURL is the https:// URL of a page path on PageHost.
func (l *Lab) PageURL(path string) string { return l.URL("https", PageHost, path) }

// PagePaths lists every page of the set, the snippets included: a
// browser and discovery can be run on each.
func PagePaths() []string {
	var out []string
	for p := range pages {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Asset knobs, as query parameters of any /site/ path that is not a page:
//
//	ms=N        think N ms before answering
//	cache=C     immutable (max-age=31536000, immutable, ETag and
//	            Last-Modified, answering 304 to a matching conditional
//	            request), no-store, short (max-age=60) or none (no
//	            Cache-Control; the default)
//	status=N    answer N with a short body (404 for a missing asset)
//	to=PATH     302 to PATH
//	w=W&h=H     a .png of W×H pixels (default 16×16, at most 4000)
//	gzip=1      gzip the body when the request accepts it (text is sent
//	            uncompressed otherwise)
//
// The extension gives the type: .css (text from the stylesheet table
// below, or an empty sheet), .js (a comment: no script adds requests),
// .png, .woff2 (bytes that are not a valid font), .webm, .mp3 (bytes
// that are not valid media), .html (a page).
func (l *Lab) site(w http.ResponseWriter, r *http.Request) {
	l.logSite(r)
	q := r.URL.Query()
	if ms, err := strconv.Atoi(q.Get("ms")); err == nil && ms > 0 {
		if !l.sleep(r.Context(), min(time.Duration(ms)*time.Millisecond, 30*time.Second)) {
			return
		}
	}
	if to := q.Get("to"); to != "" && strings.HasPrefix(to, "/") {
		w.Header().Set("Location", to)
		text(w, http.StatusFound, "moved\n")
		return
	}
	if s, err := strconv.Atoi(q.Get("status")); err == nil && s >= 200 && s <= 599 {
		text(w, s, http.StatusText(s)+"\n")
		return
	}
	if body, ok := pages[r.URL.Path]; ok {
		l.sitePage(w, r, body)
		return
	}
	typ, body := asset(r)
	if body == nil {
		notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	switch q.Get("cache") {
	case "immutable":
		etag := fmt.Sprintf(`"%x"`, crc(r.URL.RequestURI()))
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", etag)
		h.Set("Last-Modified", "Sun, 01 Mar 2026 12:00:00 GMT")
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-None-Match") == "" && r.Header.Get("If-Modified-Since") != "" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	case "no-store":
		h.Set("Cache-Control", "no-store")
	case "short":
		h.Set("Cache-Control", "max-age=60")
	}
	if q.Get("gzip") == "1" && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		gzipBody(w, body)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func crc(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// sitePage serves a page, with PagePath's 103 and Link header.
func (l *Lab) sitePage(w http.ResponseWriter, r *http.Request, body string) {
	h := w.Header()
	if r.URL.Path == HintsPagePath {
		h.Add("Link", HintsEarlyHints)
		w.WriteHeader(http.StatusEarlyHints)
		h.Del("Link")
		// Long enough for the preload to reach the lab before the page
		// commits: Chromium drops an unused hint's request then.
		if !l.sleep(r.Context(), 300*time.Millisecond) {
			return
		}
	}
	if r.URL.Path == PagePath {
		h.Add("Link", PageEarlyHints)
		w.WriteHeader(http.StatusEarlyHints)
		h.Del("Link")
		if !l.sleep(r.Context(), PageDelay) {
			return
		}
		h.Set("Link", PageLinkHeader)
	}
	port := strconv.Itoa(l.HTTPSPort)
	body = strings.NewReplacer("{www}", PageHost+":"+port, "{cdn}", CDNHost+":"+port,
		"{h1}", H1OnlyHost+":"+port).Replace(body)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	io.WriteString(w, body)
}

func asset(r *http.Request) (string, []byte) {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, ".css"):
		port := strings.TrimPrefix(r.Host[strings.LastIndexByte(r.Host, ':')+1:], ":")
		css := strings.NewReplacer("{www}", PageHost+":"+port, "{cdn}", CDNHost+":"+port).Replace(stylesheets[p])
		return "text/css; charset=utf-8", []byte(css)
	case strings.HasSuffix(p, ".js"):
		return "text/javascript; charset=utf-8", []byte("/* reqtrace lab script " + p + ": it adds no requests */\n" + strings.Repeat("// filler\n", 200))
	case strings.HasSuffix(p, ".png"):
		q := r.URL.Query()
		w, _ := strconv.Atoi(q.Get("w"))
		h, _ := strconv.Atoi(q.Get("h"))
		return "image/png", pngOf(w, h)
	case strings.HasSuffix(p, ".woff2"):
		return "font/woff2", []byte("wOF2 not a real font")
	case strings.HasSuffix(p, ".webm"):
		return "video/webm", []byte("not real media")
	case strings.HasSuffix(p, ".mp3"):
		return "audio/mpeg", []byte("not real media")
	case strings.HasSuffix(p, ".json"):
		return "application/manifest+json", []byte(`{"name":"lab"}`)
	case strings.HasSuffix(p, ".ico"):
		return "image/png", pngOf(16, 16)
	}
	return "", nil
}

var pngCache sync.Map // "WxH" -> []byte

// pngOf is a real PNG of w×h pixels (16×16 when unset, at most 4000²).
func pngOf(w, h int) []byte {
	if w <= 0 || w > 4000 {
		w = 16
	}
	if h <= 0 || h > 4000 {
		h = 16
	}
	key := strconv.Itoa(w) + "x" + strconv.Itoa(h)
	if b, ok := pngCache.Load(key); ok {
		return b.([]byte)
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	pngCache.Store(key, buf.Bytes())
	return buf.Bytes()
}

// logSite records a /site/ request for SiteRequests.
func (l *Lab) logSite(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.siteLog) < 100000 {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		l.siteLog = append(l.siteLog, scheme+"://"+r.Host+r.URL.RequestURI())
	}
}

// SiteRequests returns the URLs of the /site/ requests received so far,
// in order (a URL repeats if it was requested again), and forgets them.
func (l *Lab) SiteRequests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.siteLog
	l.siteLog = nil
	return out
}
