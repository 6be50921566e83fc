package page

import (
	"net/http"
	"sync"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/knowledge"
)

// cache is the browser's HTTP cache the first view fills and the repeat
// view reads: a private cache (RFC 9111), keyed by URL. Only responses
// that came without a redirect are kept: a redirected resource is asked
// for again on the repeat view (Chrome would reuse a cached 301).
type cache struct {
	mu sync.Mutex
	m  map[string]*entry
}

// entry is one stored response.
type entry struct {
	resp                      *trace.Response
	requestTime, responseTime time.Time
	body                      []byte // the markup or stylesheet, for discovery on the repeat view
	decoded                   int64
}

func newCache() *cache { return &cache{m: map[string]*entry{}} }

func (c *cache) get(key string) *entry {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

// put stores the final response of r if a private cache may (RFC 9111
// section 3): not no-store, and a status cacheable by default or explicit
// freshness. A nil cache (the repeat view's) stores nothing.
func (c *cache) put(key string, r *trace.Result, body []byte) {
	if c == nil || r == nil || r.Err != nil || len(r.Hops) != 1 || r.Hops[0].Response == nil {
		return
	}
	h := r.Hops[0]
	resp := h.Response
	cc := annotate.ParseCacheControl(headerValues(resp.Headers, "Cache-Control"))
	st, _ := knowledge.LookupStatus(resp.Status)
	explicit := cc.Has("max-age") || cc.Has("public") || len(headerValues(resp.Headers, "Expires")) > 0
	if cc.Has("no-store") || !st.Cacheable && !explicit {
		return
	}
	e := &entry{resp: resp, body: body, decoded: decodedBytes(resp), requestTime: h.Started}
	e.responseTime = h.Started.Add(h.Timings.Total)
	if h.Timings.Wait != nil {
		e.responseTime = h.Started.Add(h.Timings.Wait.End())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = e
}

// fresh reports whether the stored response may be reused without asking
// (RFC 9111 section 4.2): max-age, else Expires - Date, else the
// heuristic browsers use (10% of the time since Last-Modified);
// s-maxage is for shared caches and does not count; no-cache always asks.
// immutable changes nothing here: it only spares revalidation on a
// reload, and a repeat view is a new navigation.
func (e *entry) fresh(now time.Time) bool {
	if e == nil {
		return false
	}
	cc := annotate.ParseCacheControl(headerValues(e.resp.Headers, "Cache-Control"))
	if cc.Has("no-cache") {
		return false
	}
	return annotate.Freshness(e.resp, e.requestTime, e.responseTime, now).IsFresh()
}

// conditional is the validators a stale entry is revalidated with
// (RFC 9110 section 13.1): If-None-Match with the ETag,
// If-Modified-Since with Last-Modified.
func (e *entry) conditional() []trace.HeaderEdit {
	if e == nil {
		return nil
	}
	var hs []trace.HeaderEdit
	if v := headerValues(e.resp.Headers, "ETag"); len(v) > 0 {
		hs = append(hs, headerEdit("If-None-Match", v[0]))
	}
	if v := headerValues(e.resp.Headers, "Last-Modified"); len(v) > 0 {
		if _, err := http.ParseTime(v[0]); err == nil {
			hs = append(hs, headerEdit("If-Modified-Since", v[0]))
		}
	}
	return hs
}
