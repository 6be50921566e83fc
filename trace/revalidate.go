package trace

import (
	"context"
	"net/url"
)

// revalidate asks again for the final URL with the response's validators
// (If-None-Match, If-Modified-Since), as a cache would once its copy is
// stale, and records whether the server answers 304 Not Modified.
func (s *session) revalidate(ctx context.Context, res *Result) {
	last := res.Hops[len(res.Hops)-1]
	if last.Response == nil {
		return
	}
	var cond []Header
	if etag := headerValue(last.Response.Headers, "ETag"); etag != "" {
		cond = append(cond, Header{"If-None-Match", etag})
	}
	if lm := headerValue(last.Response.Headers, "Last-Modified"); lm != "" {
		cond = append(cond, Header{"If-Modified-Since", lm})
	}
	if len(cond) == 0 {
		return // nothing to revalidate with; the validators note says so
	}
	u, err := url.Parse(last.URL)
	if err != nil {
		return
	}
	hop := s.hop(ctx, request{url: u, method: "GET", extra: cond, credentials: origin(u) == origin(s.o.URL)})
	res.Revalidation = &hop
}
