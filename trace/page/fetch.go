package page

import (
	"bytes"
	"image"
	_ "image/gif" // image.DecodeConfig reads the sizes of the formats registered
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/page/discover"
)

// Bounds on what one request keeps in memory. A browser reads a whole
// document; the engine reads what discovery needs, and no more.
const (
	maxMarkup     = 4 << 20  // an HTML document's bytes parsed for refs
	maxStylesheet = 2 << 20  // a stylesheet's
	imagePreview  = 64 << 10 // enough for a PNG, GIF or JPEG header (EXIF included)
	maxRedirects  = 20       // Chrome's limit (net::URLRequest's kMaxRedirects)
)

// DefaultRequestTimeout bounds each request of a page when -m does not.
const DefaultRequestTimeout = 60 * time.Second

// fetched is what one request brought back, before it is written into
// the Result under the loader's lock.
type fetched struct {
	trace *trace.Result
	cache string // "", CacheFresh or CacheRevalidated
	body  []byte // the markup or stylesheet, for discovery
	refs  []discover.Ref
	entry *entry // what the repeat view's cache answered with
	// doc is the parsed markup of a document or iframe; css and base are
	// a 2xx stylesheet and its final URL, parsed once a document applies it.
	doc  *discover.Document
	css  []byte
	base *url.URL
}

// fetch sends the request through the pool, or answers it from the
// repeat view's cache, and discovers what the answer names.
func (l *loader) fetch(j *job) fetched {
	var f fetched
	e := l.from.get(j.url.String())
	switch {
	case e.fresh(time.Now()):
		f.cache, f.body, f.entry = CacheFresh, e.body, e
	default:
		o := l.options(j, e.conditional())
		capture := &capture{max: bodyCap(j.ref.Type)}
		o.Output = capture
		if l.o.SaveDir != "" {
			file := &lazyFile{dir: l.o.SaveDir, u: j.url}
			defer file.Close()
			o.Output = io.MultiWriter(capture, file)
			o.OutputName = savePath(l.o.SaveDir, j.url)
		}
		f.trace = l.pool.Do(l.ctx, o)
		annotate.Result(f.trace, time.Now()) // every request keeps its own notes, as a trace does
		f.body = capture.buf
		if last := lastResponse(f.trace); last != nil && last.Status == http.StatusNotModified && e != nil {
			f.cache, f.body, f.entry = CacheRevalidated, e.body, e
		} else {
			l.store.put(j.url.String(), f.trace, f.body)
		}
	}
	l.discover(j, &f)
	return f
}

// options are the page's trace options shaped for one request, as a
// browser shapes it: its own URL, Accept and Referer, redirects followed,
// credentials only for the page's origin.
func (l *loader) options(j *job, conditional []trace.HeaderEdit) *trace.Options {
	o := l.o.Trace // a copy
	o.URL = j.url
	o.FollowRedirects, o.Revalidate = true, false
	if o.MaxRedirects == 0 {
		o.MaxRedirects = maxRedirects
	}
	if o.MaxTime == 0 {
		o.MaxTime = DefaultRequestTimeout // one endless response must not hold the page forever
	}
	o.Headers = slices.Clone(o.Headers)
	if !hasHeader(o.Headers, "Accept") {
		o.Headers = append(o.Headers, headerEdit("Accept", accept(j.ref.Type)))
	}
	o.Headers = append(o.Headers, conditional...)
	if j.idx > 0 {
		page := l.o.Trace.URL
		o.Referer = referer(page, j.url)
		if originOf(page) != originOf(j.url) {
			o.User, o.Bearer, o.Cookie = nil, "", ""
		}
	}
	if j.ref.Type == discover.TypeImage {
		o.PreviewBytes = imagePreview
	}
	if j.idx == 0 || j.ref.Type == discover.TypeIframe {
		hopURL := j.url.String()
		o.Progress = func(e trace.ProgressEvent) {
			switch {
			case e.Kind == trace.ProgressHop:
				hopURL = e.URL
			case e.Kind == trace.ProgressInformational && e.Status == http.StatusEarlyHints:
				l.earlyHints(j, hopURL, e.Headers)
			}
		}
	} else {
		o.Progress = nil
	}
	return &o
}

// discover lists what a 2xx document names and the preloads of the final
// response's Link headers, and keeps a 2xx stylesheet for its document.
func (l *loader) discover(j *job, f *fetched) {
	base, status, hs := j.url, 0, []trace.Header(nil)
	if f.entry != nil {
		base, status, hs = j.url, f.entry.resp.Status, f.entry.resp.Headers
	}
	if f.trace != nil && f.cache == "" {
		last := f.trace.Hops[len(f.trace.Hops)-1]
		if last.Response != nil {
			status, hs = last.Response.Status, last.Response.Headers
		}
		if u, err := url.Parse(last.URL); err == nil {
			base = u
		}
	}
	f.refs = linkRefs(base, headerValues(hs, "Link"), discover.InitLinkHeader)
	if status/100 != 2 {
		return
	}
	switch j.ref.Type {
	case discover.TypeDocument, discover.TypeIframe:
		var refs []discover.Ref
		f.doc, refs = htmlRefs(base, f.body)
		f.refs = append(f.refs, refs...)
	case discover.TypeStylesheet:
		f.css, f.base = f.body, base
		if f.css == nil {
			f.css = []byte{} // an empty sheet still applies (and names nothing)
		}
	}
}

// fill writes what came back into the Request. l.mu is held.
func (f fetched) fill(r *Request, j *job) {
	r.Trace, r.Cache = f.trace, f.cache
	if f.cache == CacheFresh {
		r.DecodedBytes = f.entry.decoded
		return
	}
	for _, h := range f.trace.Hops {
		if h.Response != nil {
			r.TransferBytes += h.Response.HeadBytes + h.Response.BodyBytes
		}
	}
	last := lastResponse(f.trace)
	if last == nil {
		return
	}
	r.DecodedBytes = decodedBytes(last)
	if f.cache == CacheRevalidated {
		r.DecodedBytes = f.entry.decoded
	}
	if j.ref.Type == discover.TypeImage && last.Status/100 == 2 {
		if c, _, err := image.DecodeConfig(bytes.NewReader(last.BodyPreview)); err == nil {
			r.Image = &ImageSize{Width: c.Width, Height: c.Height, DisplayWidth: j.ref.DisplayWidth, DisplayHeight: j.ref.DisplayHeight}
		}
	}
}

func decodedBytes(r *trace.Response) int64 {
	if r.DecodedBytes < 0 {
		return r.BodyBytes // not encoded, or not decoded
	}
	return r.DecodedBytes
}

func lastResponse(r *trace.Result) *trace.Response {
	if r == nil || len(r.Hops) == 0 {
		return nil
	}
	return r.Hops[len(r.Hops)-1].Response
}

func bodyCap(typ string) int {
	switch typ {
	case discover.TypeDocument, discover.TypeIframe:
		return maxMarkup
	case discover.TypeStylesheet:
		return maxStylesheet
	}
	return 0
}

// capture keeps the first max bytes of a body and lets the rest pass.
type capture struct {
	max int
	buf []byte
}

func (c *capture) Write(p []byte) (int, error) {
	if room := c.max - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// accept is the Accept header Chrome sends for each type of resource.
func accept(typ string) string {
	switch typ {
	case discover.TypeDocument, discover.TypeIframe:
		return "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"
	case discover.TypeStylesheet:
		return "text/css,*/*;q=0.1"
	case discover.TypeImage:
		return "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
	}
	return "*/*"
}

// referer follows the default policy, strict-origin-when-cross-origin:
// the page's URL to its own origin, only its origin to others, nothing
// from https to http.
func referer(page, to *url.URL) string {
	switch {
	case page.Scheme == "https" && to.Scheme == "http":
		return ""
	case originOf(page) == originOf(to):
		return withoutFragment(page).String()
	}
	return originOf(page) + "/"
}

func originOf(u *url.URL) string { return u.Scheme + "://" + u.Host }

func headerEdit(name, value string) trace.HeaderEdit {
	return trace.HeaderEdit{Name: name, Value: value, Typed: " " + value}
}

func hasHeader(hs []trace.HeaderEdit, name string) bool {
	return slices.ContainsFunc(hs, func(h trace.HeaderEdit) bool { return strings.EqualFold(h.Name, name) })
}
