package page

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/page/discover"
)

// Finding IDs; stable, part of the JSON document.
const (
	FindRenderBlocking   = "render-blocking"
	FindUncompressed     = "uncompressed"
	FindNoCache          = "cache-none"
	FindShortCache       = "cache-short"
	FindManyOrigins      = "many-origins"
	FindHTTP1            = "http1-many"
	FindRedirect         = "subresource-redirect"
	FindDocumentRedirect = "document-redirect"
	FindErrorStatus      = "error-status"
	FindOversizedImage   = "oversized-image"
	FindSlowServer       = "slow-server"
	FindTotalBytes       = "total-bytes"
	FindManyRequests     = "many-requests"
)

// Thresholds. Where Lighthouse has the same audit its constant is used, so
// the two tools flag the same things; the others are ours and say so.
const (
	// render-blocking-resources: MINIMUM_WASTED_MS; a blocking resource
	// that arrives faster than this hardly delays the render.
	renderBlockingMin = 50 * time.Millisecond
	// The floor for text worth compressing; Lighthouse's
	// uses-text-compression then wants gzip to save at least 10%
	// (IGNORE_THRESHOLD_IN_PERCENT) when the savings can be measured.
	compressMinBytes   = 1024
	compressMinPercent = 10
	// uses-long-cache-ttl: an asset whose lifetime gives a cache hit
	// probability above IGNORE_THRESHOLD_IN_PERCENT (0.925, about 97
	// days) is long-lived enough.
	cacheHitEnough = 0.925
	// Ours: more origins than this, each with its own connection, and the
	// setup costs (DNS, TCP, TLS) add up. Lighthouse has no count; its
	// uses-rel-preconnect asks for at most 2 preconnects.
	manyOriginsMax = 4
	// uses-http2: only origins serving at least 6 static requests over
	// HTTP/1.x are flagged: with fewer, the browser's 6 connections per
	// origin carry them all at once.
	http1MinRequests = 6
	// uses-responsive-images: IGNORE_THRESHOLD_IN_BYTES.
	imageWasteMin = 4096
	// server-response-time: TOO_SLOW_THRESHOLD_MS, and TARGET_MS as the
	// goal the savings are counted against.
	slowServer   = 600 * time.Millisecond
	serverTarget = 100 * time.Millisecond
	// total-byte-weight: the p10 of its score curve (2667 KiB), where the
	// score leaves "good".
	totalBytesMax = 2667 * 1024
	// Ours: the HTTP Archive's median page makes about 70 requests;
	// past 100 a page is among the heavy ones.
	manyRequestsMax = 100
)

// findings runs every check on a first load (Totals already filled in) and
// returns what they found, the worst first.
func findings(res *Result) []Finding {
	if len(res.Requests) == 0 {
		return nil
	}
	checks := []func(*Result) []Finding{
		renderBlocking, uncompressed, caching, manyOrigins, http1, redirects,
		errorStatus, oversizedImages, slowServerCheck, totalBytes, manyRequests,
	}
	var out []Finding
	for _, c := range checks {
		out = append(out, c(res)...)
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return cmp.Compare(severity(b.Level), severity(a.Level)) })
	return out
}

func severity(level string) int {
	switch level {
	case trace.LevelBad:
		return 2
	case trace.LevelWarn:
		return 1
	}
	return 0
}

// renderBlocking: stylesheets and synchronous scripts in the head hold the
// first render until they arrive. The savings are how long after the
// document they kept it waiting.
func renderBlocking(res *Result) []Finding {
	var reqs []int
	var lastEnd time.Duration
	for i, r := range res.Requests {
		if i == 0 || !r.RenderBlocking || r.Trace == nil {
			continue
		}
		lastEnd = max(lastEnd, r.End())
		if r.Duration() >= renderBlockingMin {
			reqs = append(reqs, i)
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	wait := max(lastEnd-res.Requests[0].End(), 0)
	return []Finding{{
		ID: FindRenderBlocking, Level: trace.LevelWarn, Requests: reqs, SavingsTime: wait,
		Message: fmt.Sprintf("%s the first render back (%s after the HTML arrived). "+
			"Inline the CSS the first screen needs and load the rest with media queries or preload; give scripts defer or async.",
			count(len(reqs), "stylesheet or script in <head> holds", "stylesheets and scripts in <head> hold"), fmtDur(wait)),
	}}
}

// uncompressed: text sent without Content-Encoding. The savings are told
// only for bodies kept whole, by gzipping them; the others are listed
// without a figure rather than with a guess.
func uncompressed(res *Result) []Finding {
	var reqs []int
	var saved int64
	measured := 0
	for i, r := range res.Requests {
		h := r.Final()
		if h == nil || h.Response == nil || !isText(mimeOf(h.Response)) || encoded(h.Response) {
			continue
		}
		resp := h.Response
		if resp.Status < 200 || resp.Status > 299 || resp.BodyBytes <= compressMinBytes {
			continue
		}
		if int64(len(resp.BodyPreview)) >= resp.BodyBytes {
			s := resp.BodyBytes - gzipSize(resp.BodyPreview[:resp.BodyBytes])
			if s*100 < resp.BodyBytes*compressMinPercent {
				continue // already dense: gzip would not help
			}
			saved += s
			measured++
		}
		reqs = append(reqs, i)
	}
	if len(reqs) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%s served without compression. Turn on gzip or Brotli for text types on the server or CDN.",
		count(len(reqs), "text response is", "text responses are"))
	if measured > 0 {
		msg += fmt.Sprintf(" Gzip saves %s on the %d kept whole here.", fmtBytes(saved), measured)
	}
	return []Finding{{ID: FindUncompressed, Level: trace.LevelWarn, Requests: reqs, SavingsBytes: saved, Message: msg}}
}

func gzipSize(b []byte) int64 {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(b)
	zw.Close()
	return int64(buf.Len())
}

// isText: the types worth compressing (html, css, js, json, svg, xml).
func isText(mime string) bool {
	switch {
	case strings.HasPrefix(mime, "text/"), strings.HasSuffix(mime, "+json"), strings.HasSuffix(mime, "+xml"):
		return true
	}
	switch mime {
	case "application/javascript", "application/x-javascript", "application/ecmascript",
		"application/json", "application/xml", "application/wasm":
		return true
	}
	return false
}

func encoded(resp *trace.Response) bool {
	v, ok := header(resp.Headers, "Content-Encoding")
	return ok && !strings.EqualFold(v, "identity") && v != ""
}

func mimeOf(resp *trace.Response) string {
	v, _ := header(resp.Headers, "Content-Type")
	v, _, _ = strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(v))
}

func header(hs []trace.Header, name string) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return strings.TrimSpace(h.Value), true
		}
	}
	return "", false
}

func headerValues(hs []trace.Header, name string) []string {
	var out []string
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			out = append(out, h.Value)
		}
	}
	return out
}

// staticTypes are the assets uses-long-cache-ttl looks at.
var staticTypes = []string{discover.TypeStylesheet, discover.TypeScript, discover.TypeFont, discover.TypeImage, discover.TypeMedia}

// caching: static assets a returning visitor has to ask for again, by
// RFC 9111's freshness as the trace's own notes compute it. The savings
// are Lighthouse's: the bytes times the chance a return visit misses.
func caching(res *Result) []Finding {
	var none, short []int
	var noneBytes, shortBytes float64
	for i, r := range res.Requests {
		h := r.Final()
		if h == nil || h.Response == nil || !slices.Contains(staticTypes, r.Type) {
			continue
		}
		if s := h.Response.Status; s != 200 && s != 203 && s != 206 {
			continue
		}
		lifetime, ok := lifetimeOf(h)
		switch p := hitProbability(lifetime); {
		case !ok || lifetime <= 0:
			none = append(none, i)
			noneBytes += float64(r.TransferBytes)
		case p <= cacheHitEnough:
			short = append(short, i)
			shortBytes += (1 - p) * float64(r.TransferBytes)
		}
	}
	var out []Finding
	if len(none) > 0 {
		out = append(out, Finding{ID: FindNoCache, Level: trace.LevelWarn, Requests: none, SavingsBytes: int64(noneBytes),
			Message: fmt.Sprintf("%s no freshness lifetime (no max-age or Expires, or no-cache/no-store), so a returning visitor asks for each again. "+
				"Put a version in their URLs and send Cache-Control: max-age=31536000, immutable.", count(len(none), "static asset has", "static assets have"))})
	}
	if len(short) > 0 {
		out = append(out, Finding{ID: FindShortCache, Level: trace.LevelInfo, Requests: short, SavingsBytes: int64(shortBytes),
			Message: fmt.Sprintf("%s fresh for less than about 97 days, so many return visits fetch or revalidate them again. "+
				"Versioned assets can be cached for a year (max-age=31536000).", count(len(short), "static asset stays", "static assets stay"))})
	}
	return out
}

// lifetimeOf is the private cache's freshness lifetime of the hop's
// response (annotate.Freshness: max-age, Expires, the heuristic); ok is
// false when the response may not be reused without asking: no-store,
// no-cache, or no explicit lifetime at all (a heuristic is a browser's
// guess, not a policy).
func lifetimeOf(h *trace.Hop) (time.Duration, bool) {
	cc := annotate.ParseCacheControl(headerValues(h.Response.Headers, "Cache-Control"))
	if cc.Has("no-store") || cc.Has("no-cache") {
		return 0, false
	}
	sent, got := h.Started, h.Started
	if t := h.Timings.Send; t != nil {
		sent = h.Started.Add(t.Start)
	}
	if t := h.Timings.Wait; t != nil {
		got = h.Started.Add(t.End())
	}
	f := annotate.Freshness(h.Response, sent, got, got)
	if f.Source == annotate.SourceNone || f.Source == annotate.SourceHeuristic {
		return 0, false
	}
	return f.Lifetime, true
}

// ageDeciles are Lighthouse's (uses-long-cache-ttl, from Chrome's UMA
// HttpCache.StaleEntry.Validated.Age): the age in hours of a resource at
// a cache hit at the 0th, 10th, ... 100th percentile.
var ageDeciles = []float64{0, 0.2, 1, 3, 8, 12, 24, 48, 72, 168, 8760}

// hitProbability is the chance that a return visit comes while a response
// with this lifetime is still fresh, interpolated between the deciles.
func hitProbability(lifetime time.Duration) float64 {
	h := lifetime.Hours()
	if h <= 0 {
		return 0
	}
	for i := 1; i < len(ageDeciles); i++ {
		if h <= ageDeciles[i] {
			lo, hi := ageDeciles[i-1], ageDeciles[i]
			return (float64(i-1) + (h-lo)/(hi-lo)) / 10
		}
	}
	return 1
}

// manyOrigins: every origin costs its own DNS lookup, TCP and TLS
// handshakes. The savings are those setups, for the origins other than
// the document's.
func manyOrigins(res *Result) []Finding {
	origins := map[string]bool{}
	for _, c := range res.Connections {
		origins[Origin(c.Origin)] = true
	}
	if len(origins) <= manyOriginsMax {
		return nil
	}
	doc := Origin(res.Requests[0].URL)
	var reqs []int
	var setup time.Duration
	for i, r := range res.Requests {
		if r.Trace == nil {
			continue
		}
		opened := false
		for _, h := range r.Trace.Hops {
			if h.Connect != nil && !h.Connect.Reused && Origin(h.URL) != doc {
				setup += connSetup(&h.Timings)
				opened = true
			}
		}
		if opened {
			reqs = append(reqs, i)
		}
	}
	return []Finding{{ID: FindManyOrigins, Level: trace.LevelInfo, Requests: reqs, SavingsTime: setup,
		Message: fmt.Sprintf("The page opens connections to %d origins; those besides the document's spent %s on DNS, TCP and TLS. "+
			"Serve assets from fewer origins, or preconnect to the one or two that matter.", len(origins), fmtDur(setup))}}
}

// connSetup is what opening a connection cost a hop.
func connSetup(t *trace.Timings) time.Duration {
	var d time.Duration
	for _, s := range []*trace.Span{t.DNS, t.Connect, t.TLS, t.QUIC} {
		if s != nil {
			d += s.Duration
		}
	}
	return d
}

// http1: an origin serving many static requests over HTTP/1.x makes them
// queue for its 6 connections. One finding per origin; the savings are the
// time its requests spent waiting.
func http1(res *Result) []Finding {
	type group struct {
		reqs    []int
		waited  time.Duration
		static  int
		oldHTTP bool
	}
	var order []string
	groups := map[string]*group{}
	for i, r := range res.Requests {
		h := r.Final()
		if h == nil || h.Response == nil {
			continue
		}
		o := Origin(h.URL)
		g := groups[o]
		if g == nil {
			g = &group{}
			groups[o] = g
			order = append(order, o)
		}
		if r.Type == discover.TypeDocument || slices.Contains(staticTypes, r.Type) {
			g.static++
		}
		if strings.HasPrefix(h.Response.Proto, "HTTP/1.") {
			g.oldHTTP = true
			g.reqs = append(g.reqs, i)
			g.waited += r.Queued
		}
	}
	var out []Finding
	for _, o := range order {
		g := groups[o]
		if !g.oldHTTP || g.static < http1MinRequests {
			continue
		}
		out = append(out, Finding{ID: FindHTTP1, Level: trace.LevelWarn, Requests: g.reqs, SavingsTime: g.waited,
			Message: fmt.Sprintf("%s serves %d requests over HTTP/1.1, which carries one at a time per connection (at most 6 per origin); "+
				"they waited %s in all for a free connection. Turn on HTTP/2 there.", o, len(g.reqs), fmtDur(g.waited))})
	}
	return out
}

// redirects: a redirected resource pays a round trip, maybe a new
// connection, before the real request; the savings are those hops.
func redirects(res *Result) []Finding {
	var out []Finding
	var reqs []int
	var cost time.Duration
	for i, r := range res.Requests {
		if r.Trace == nil || len(r.Trace.Hops) < 2 {
			continue
		}
		extra := r.Duration() - r.Final().Timings.Total
		if i == 0 {
			out = append(out, Finding{ID: FindDocumentRedirect, Level: trace.LevelWarn, Requests: []int{0}, SavingsTime: extra,
				Message: fmt.Sprintf("The page's URL redirects %s before the document starts (%s). Link to the final URL.",
					count(len(r.Trace.Hops)-1, "time", "times"), fmtDur(extra))})
			continue
		}
		reqs = append(reqs, i)
		cost += extra
	}
	if len(reqs) > 0 {
		out = append(out, Finding{ID: FindRedirect, Level: trace.LevelWarn, Requests: reqs, SavingsTime: cost,
			Message: fmt.Sprintf("%s redirected, %s spent on the extra hops. Name the final URL in the markup or CSS.",
				count(len(reqs), "subresource is", "subresources are"), fmtDur(cost))})
	}
	return out
}

// errorStatus: subresources that answered 4xx or 5xx, or failed: the page
// misses them, and the bytes of error pages were wasted.
func errorStatus(res *Result) []Finding {
	var reqs []int
	var wasted int64
	level := trace.LevelWarn
	byStatus := map[string]int{}
	var keys []string
	for i, r := range res.Requests {
		if i == 0 || r.Trace == nil {
			continue
		}
		key := ""
		switch s := r.Status(); {
		case s >= 400:
			key = fmt.Sprint(s)
			if s >= 500 {
				level = trace.LevelBad
			}
		case s == 0 || r.Trace.Err != nil:
			key, level = "failed", trace.LevelBad
		default:
			continue
		}
		if byStatus[key] == 0 {
			keys = append(keys, key)
		}
		byStatus[key]++
		reqs = append(reqs, i)
		wasted += r.TransferBytes
	}
	if len(reqs) == 0 {
		return nil
	}
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, byStatus[k]))
	}
	return []Finding{{ID: FindErrorStatus, Level: level, Requests: reqs, SavingsBytes: wasted,
		Message: fmt.Sprintf("%s (%s): the page goes without them and the browser fetched the errors for nothing. "+
			"Fix or remove the references, or the server.", count(len(reqs), "subresource failed", "subresources failed"), strings.Join(parts, ", "))}}
}

// oversizedImages: images sent far larger than the markup displays them,
// at a 1× device pixel ratio. The waste is Lighthouse's: the bytes times
// the share of pixels never shown. SVGs scale for free and are left out.
func oversizedImages(res *Result) []Finding {
	var reqs []int
	var wasted int64
	for i, r := range res.Requests {
		im := r.Image
		if im == nil || im.Width <= 0 || im.Height <= 0 || (im.DisplayWidth <= 0 && im.DisplayHeight <= 0) {
			continue
		}
		if h := r.Final(); h != nil && h.Response != nil && mimeOf(h.Response) == "image/svg+xml" {
			continue
		}
		dw, dh := float64(im.DisplayWidth), float64(im.DisplayHeight)
		switch { // one attribute given: the other follows the aspect ratio
		case dw <= 0:
			dw = dh * float64(im.Width) / float64(im.Height)
		case dh <= 0:
			dh = dw * float64(im.Height) / float64(im.Width)
		}
		ratio := 1 - dw*dh/(float64(im.Width)*float64(im.Height))
		if w := int64(ratio * float64(r.TransferBytes)); ratio > 0 && w > imageWasteMin {
			reqs = append(reqs, i)
			wasted += w
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	return []Finding{{ID: FindOversizedImage, Level: trace.LevelWarn, Requests: reqs, SavingsBytes: wasted,
		Message: fmt.Sprintf("%s far larger than displayed; resized, they would save about %s. "+
			"Serve them at the displayed size, with srcset for high-density screens.", count(len(reqs), "image is", "images are"), fmtBytes(wasted))}}
}

// slowServerCheck: the document's wait for its first byte delays
// everything after it.
func slowServerCheck(res *Result) []Finding {
	h := res.Requests[0].Final()
	if h == nil || h.Timings.Wait == nil || h.Timings.Wait.Duration < slowServer {
		return nil
	}
	w := h.Timings.Wait.Duration
	return []Finding{{ID: FindSlowServer, Level: trace.LevelWarn, Requests: []int{0}, SavingsTime: w - serverTarget,
		Message: fmt.Sprintf("The server took %s to start answering the document, and every other request waits for it. "+
			"Aim for under 100 ms: cache the page, or find the slow work (Server-Timing helps).", fmtDur(w))}}
}

// totalBytes: a heavy page costs time and money on slow networks.
func totalBytes(res *Result) []Finding {
	if res.Totals.TransferBytes <= totalBytesMax {
		return nil
	}
	idx := make([]int, len(res.Requests))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Compare(res.Requests[b].TransferBytes, res.Requests[a].TransferBytes)
	})
	return []Finding{{ID: FindTotalBytes, Level: trace.LevelWarn, Requests: idx[:min(10, len(idx))],
		Message: fmt.Sprintf("The page transferred %s; past about 2.6 MiB loads get slow on mobile networks. The largest are listed: shrink, compress or defer them.",
			fmtBytes(res.Totals.TransferBytes))}}
}

// manyRequests: each request costs a header round, a place in a queue.
func manyRequests(res *Result) []Finding {
	if res.Totals.Requests <= manyRequestsMax {
		return nil
	}
	return []Finding{{ID: FindManyRequests, Level: trace.LevelInfo,
		Message: fmt.Sprintf("The page made %d requests (the median page makes about 70). Bundle small scripts and styles, use sprites or inline SVG for icons, lazy-load what is below the fold.",
			res.Totals.Requests)}}
}

// count says "1 thing" or "N things".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// fmtDur rounds a duration for a sentence: "340 ms", "1.2 s".
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// fmtBytes says a size the way DevTools does: "512 B", "12.3 KiB".
func fmtBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
