package page

import (
	"context"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page/discover"
)

// Load loads the page o names: the document (following its redirects),
// then every subresource it, its stylesheets, its iframes (one level) and
// its Link headers and Early Hints name, each URL once, over one
// connection pool. The Result is never nil; Result.Err is the document's
// failure, a subresource's is on its Request.
func Load(ctx context.Context, o *Options) *Result {
	if o.Trace.URL == nil {
		return &Result{Started: time.Now(), Skipped: map[string]int{}, Err: trace.BadInput("no page URL: give one such as https://example.com/")}
	}
	res := load(ctx, o, nil, newCache())
	if o.RepeatView && res.Err == nil {
		res.Repeat = load(ctx, o, res.cache, nil)
	}
	Summarize(res) // the repeat view's too
	return res
}

// load makes one page load. It reads the repeat view's cache from
// (nil on the first view) and fills store (nil on the repeat view).
func load(ctx context.Context, o *Options, from, store *cache) *Result {
	l := &loader{
		ctx: ctx, o: o, from: from, store: store,
		start:   time.Now(),
		seen:    map[string]*job{},
		perHost: map[string]int{},
		max:     o.MaxRequests,
	}
	if l.max <= 0 {
		l.max = DefaultMaxRequests
	}
	l.res = &Result{URL: o.Trace.URL.String(), Started: l.start, Skipped: map[string]int{}, cache: store}
	l.site = site(o.Trace.URL)
	pool, err := newFetcher(&o.Trace)
	if err != nil {
		l.res.Err = asTraceError(err)
		return l.res
	}
	defer pool.Close()
	l.pool = pool

	l.mu.Lock()
	l.add(discover.Ref{URL: o.Trace.URL, Type: discover.TypeDocument, Kind: discover.InitOther, Priority: discover.PriorityHighest}, -1, 0, nil)
	l.schedule()
	l.mu.Unlock()
	l.wg.Wait()

	doc := l.res.Requests[0]
	if doc.Trace != nil && doc.Trace.Err != nil {
		l.res.Err = doc.Trace.Err
	}
	l.res.Connections = connections(l.res)
	l.res.DOMContentLoaded, l.res.Load = events(l.res)
	return l.res
}

// loader is one page load in progress. mu guards res.Requests, the queue
// and the counts the scheduler reads.
type loader struct {
	ctx         context.Context
	o           *Options
	pool        fetcher
	from, store *cache
	start       time.Time
	site        string
	max         int

	wg      sync.WaitGroup // one per request added, done when it ends
	mu      sync.Mutex
	res     *Result
	jobs    []*job // by index into res.Requests
	pending []*job // added, not started, in discovery order
	seen    map[string]*job
	// What the scheduler counts: the render-blocking requests in flight,
	// and the delayable ones, in all and per host.
	blocking, delayable int
	perHost             map[string]int
}

// job is what the engine knows of a request beyond its Request.
type job struct {
	idx   int
	url   *url.URL
	ref   discover.Ref
	depth int // 0 for the page's own resources, 1 inside an iframe
	// doc is the document whose markup (or stylesheet) named it: a
	// stylesheet's rules are matched against it.
	doc *discover.Document
	// A stylesheet is parsed once it has arrived (css holds it, base is
	// its final URL) and a document applies it (applies: a preload
	// alone does not); parsed says it was.
	applies, done, parsed bool
	css                   []byte
	base                  *url.URL
	// blocks: counted as render-blocking by the scheduler while in flight.
	blocks bool
}

// since is an offset from the page's start.
func (l *loader) since() time.Duration { return time.Since(l.start) }

// add records a resource found by the request at index parent (-1 for
// the document), unless a bound or an earlier request rules it out.
// l.mu is held.
func (l *loader) add(ref discover.Ref, parent, depth int, doc *discover.Document) {
	u := ref.URL
	if u == nil {
		return
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		l.res.Skipped[SkipScheme]++
		return
	case ref.Type == discover.TypeIframe && depth > 0:
		l.res.Skipped[SkipIframeDepth]++
		return
	}
	u = withoutFragment(u)
	key := u.String()
	switch {
	case l.seen[key] != nil:
		l.res.Skipped[SkipDuplicate]++
		l.apply(l.seen[key], ref, doc)
		return
	case parent >= 0 && l.o.SameSite && site(u) != l.site:
		l.res.Skipped[SkipOtherSite]++
		return
	case len(l.res.Requests) >= l.max:
		l.res.Skipped[SkipMaxRequests]++
		return
	}
	r := Request{
		URL: key, Type: ref.Type, Priority: ref.Priority,
		RenderBlocking: ref.RenderBlocking && depth == 0,
		Async:          ref.Async,
		Initiator:      Initiator{Kind: ref.Kind, Request: parent, Line: ref.Line},
		Discovered:     l.since(),
	}
	if parent >= 0 {
		r.Initiator.URL = l.res.Requests[parent].URL
	}
	j := &job{idx: len(l.res.Requests), url: u, ref: ref, depth: depth, doc: doc, applies: applies(ref)}
	l.seen[key] = j
	l.res.Requests = append(l.res.Requests, r)
	l.jobs = append(l.jobs, j)
	l.pending = append(l.pending, j)
	l.wg.Add(1)
}

// schedule starts every pending request the rules let start, highest
// priority first, then in discovery order. l.mu is held.
//
// The rules are Chromium's ResourceScheduler's, simplified: requests of
// Medium priority or above (the document, CSS, scripts, fonts) start at
// once; Low and Lowest ones (images, iframes, async preloads) are
// "delayable": while a render-blocking request is in flight at most one
// delayable request is, and never more than 10 in all or 6 per host.
// Connection limits (6 per HTTP/1.1 origin) are the pool's: a request
// past them waits there, in Timings.Blocked.
func (l *loader) schedule() {
	order := slices.Clone(l.pending)
	slices.SortStableFunc(order, func(a, b *job) int { return rank(a.ref.Priority) - rank(b.ref.Priority) })
	for _, j := range order {
		if !l.mayStart(j) {
			continue
		}
		l.pending = slices.DeleteFunc(l.pending, func(p *job) bool { return p == j })
		l.begin(j)
		go l.run(j)
	}
}

// Chromium's scheduler constants (services/network/resource_scheduler).
const (
	maxDelayableWhileBlocking = 1
	maxDelayable              = 10
	maxDelayablePerHost       = 6
)

func (l *loader) mayStart(j *job) bool {
	if !delayable(j) {
		return true
	}
	switch {
	case l.blocking > 0 && l.delayable >= maxDelayableWhileBlocking:
		return false
	case l.delayable >= maxDelayable:
		return false
	case l.perHost[j.url.Host] >= maxDelayablePerHost:
		return false
	}
	return true
}

// begin and end keep the scheduler's counts. l.mu is held.
func (l *loader) begin(j *job) {
	j.blocks = j.idx == 0 || l.res.Requests[j.idx].RenderBlocking
	l.count(j, 1)
	l.res.Requests[j.idx].Queued = l.since() - l.res.Requests[j.idx].Discovered
	l.emit(Event{Request: j.idx})
}

// emit tells Options.Progress, under l.mu: it must return quickly.
func (l *loader) emit(e Event) {
	if l.o.Progress != nil {
		l.o.Progress(e)
	}
}

func (l *loader) count(j *job, n int) {
	if j.blocks {
		l.blocking += n
	}
	if delayable(j) {
		l.delayable += n
		l.perHost[j.url.Host] += n
	}
}

func delayable(j *job) bool { return rank(j.ref.Priority) >= rank(discover.PriorityLow) }

func rank(p string) int {
	switch p {
	case discover.PriorityHighest:
		return 0
	case discover.PriorityHigh:
		return 1
	case discover.PriorityMedium, "":
		return 2
	case discover.PriorityLow:
		return 3
	}
	return 4
}

// run fetches one request (or takes it from the cache), then adds what
// its body and headers name and lets the scheduler start more.
func (l *loader) run(j *job) {
	defer l.wg.Done()
	f := l.fetch(j)
	l.mu.Lock()
	l.count(j, -1)
	j.done, j.css, j.base = true, f.css, f.base
	parse := j.applies && j.css != nil
	j.parsed = parse
	r := &l.res.Requests[j.idx]
	f.fill(r, j)
	l.emit(Event{Request: j.idx, Done: true})
	if j.idx > 0 {
		// The scheduler's Queued ends when the first hop began; the
		// pool's wait for a connection is the hop's Timings.Blocked.
		if r.Trace != nil && len(r.Trace.Hops) > 0 {
			r.Queued = max(0, r.Trace.Hops[0].Started.Sub(l.start)-r.Discovered)
		}
	}
	depth, doc := j.depth, j.doc
	if f.doc != nil { // the job was a document: what it names belongs to it
		doc = f.doc
		if j.ref.Type == discover.TypeIframe {
			depth++
		}
	}
	for _, ref := range f.refs {
		l.add(ref, j.idx, depth, doc)
	}
	l.schedule()
	l.mu.Unlock()
	if parse {
		l.applyCSS(j)
	}
}

// applies reports whether a document applies the stylesheet ref names:
// <link rel=stylesheet> and @import do (under their media: a print
// sheet's @imports are fetched, its images and fonts are not); a preload
// does not.
func applies(ref discover.Ref) bool {
	return ref.Type == discover.TypeStylesheet && !ref.Async
}

// apply handles a stylesheet named again, now applied by a document
// (preloaded first, by Early Hints, a Link header or <link rel=preload>):
// its rules are matched once both the sheet and the document are there.
// l.mu is held.
func (l *loader) apply(j *job, ref discover.Ref, doc *discover.Document) {
	if j.applies || !applies(ref) {
		return
	}
	j.applies, j.doc, j.ref.Media = true, doc, ref.Media
	r := &l.res.Requests[j.idx] // what the document makes of it now
	r.RenderBlocking = r.RenderBlocking || ref.RenderBlocking && j.depth == 0
	r.Async = false
	if j.done && j.css != nil && !j.parsed {
		j.parsed = true
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.applyCSS(j)
		}()
	}
}

// applyCSS adds what a stylesheet names, parsed outside the lock.
func (l *loader) applyCSS(j *job) {
	refs := cssRefs(j.base, j.css, j.doc, j.ref.Media)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ref := range refs {
		l.add(ref, j.idx, j.depth, j.doc)
	}
	l.schedule()
}

// earlyHints adds the preloads of a 103 Early Hints as it arrives, while
// the document is still on its way.
func (l *loader) earlyHints(j *job, hopURL string, hs []trace.Header) {
	base, err := url.Parse(hopURL)
	if err != nil {
		return
	}
	refs := linkRefs(base, headerValues(hs, "Link"), discover.InitEarlyHints)
	if len(refs) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ref := range refs {
		l.add(ref, j.idx, j.depth, j.doc)
	}
	l.schedule()
}

func withoutFragment(u *url.URL) *url.URL {
	if u.Fragment == "" && u.RawFragment == "" {
		return u
	}
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return &c
}

func asTraceError(err error) *trace.Error {
	if e, ok := err.(*trace.Error); ok {
		return e
	}
	return &trace.Error{Kind: trace.KindBadInput, Message: err.Error(), Err: err}
}
