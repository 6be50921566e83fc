package page

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// Summarize fills in what a page load's report states beyond the raw
// requests: the totals, the critical path and the findings; for the repeat
// view, its own totals and critical path, with the bytes it saved over the
// first load. It is a pure function of the requests and connections, so
// the engine calls it once the load is over and the tests call it on
// hand-made Results.
func Summarize(res *Result) {
	if res == nil {
		return
	}
	res.Totals = totals(res)
	res.CriticalPath = criticalPath(res)
	res.Findings = findings(res)
	if rv := res.Repeat; rv != nil {
		rv.Totals = totals(rv)
		rv.CriticalPath = criticalPath(rv)
		rv.Totals.SavedBytes = res.Totals.TransferBytes - rv.Totals.TransferBytes
	}
}

// End is the request's last hop's end, as an offset from Result.Started
// (Start for a request the cache answered without the network).
func (r Request) End() time.Duration { return r.Start() + r.Duration() }

// Duration is how long the request took from its first hop's start to its
// last hop's end, the redirects' round trips included.
func (r Request) Duration() time.Duration {
	if r.Trace == nil || len(r.Trace.Hops) == 0 {
		return 0
	}
	hops := r.Trace.Hops
	first, last := hops[0], hops[len(hops)-1]
	if !first.Started.IsZero() && !last.Started.IsZero() {
		return last.Started.Sub(first.Started) + last.Timings.Total
	}
	var d time.Duration
	for _, h := range hops {
		d += h.Timings.Total
	}
	return d
}

// Final is the request's last hop, the one whose response the page used;
// nil when no hop was made.
func (r Request) Final() *trace.Hop {
	if r.Trace == nil || len(r.Trace.Hops) == 0 {
		return nil
	}
	return &r.Trace.Hops[len(r.Trace.Hops)-1]
}

// Status is the final response's status code, 0 when none came.
func (r Request) Status() int {
	if h := r.Final(); h != nil && h.Response != nil {
		return h.Response.Status
	}
	return 0
}

// NewConnection reports whether the request's final hop opened its
// connection rather than reusing one.
func (r Request) NewConnection() bool {
	h := r.Final()
	return h != nil && h.Connect != nil && !h.Connect.Reused
}

// Origin is the web origin of a URL as browsers serialise it
// (scheme://host, the port only when it is not the scheme's default),
// lower-cased; "" when it has none. Connection.Origin and the totals are
// compared through it, so either spelling of a default port matches.
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	switch {
	case port != "":
		host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		host = "[" + host + "]" // an IPv6 literal
	}
	return scheme + "://" + host
}

// totals sums the requests by origin and by type, each in order of first
// request, and counts each origin's new connections.
func totals(res *Result) Totals {
	var t Totals
	origins, types := map[string]int{}, map[string]int{}
	for _, r := range res.Requests {
		switch r.Cache {
		case CacheFresh:
			t.Cached++
			continue // no request was made: nothing to add up
		case CacheRevalidated:
			t.Revalidated++
		}
		t.Requests++
		t.TransferBytes += r.TransferBytes
		t.DecodedBytes += r.DecodedBytes
		t.ByOrigin = addSum(t.ByOrigin, origins, Origin(r.URL), r)
		t.ByType = addSum(t.ByType, types, r.Type, r)
	}
	for _, c := range res.Connections {
		if i, ok := origins[Origin(c.Origin)]; ok {
			t.ByOrigin[i].Connections++
		}
	}
	return t
}

func addSum(sums []Sum, index map[string]int, key string, r Request) []Sum {
	i, ok := index[key]
	if !ok {
		i = len(sums)
		index[key] = i
		sums = append(sums, Sum{Key: key})
	}
	sums[i].Requests++
	sums[i].TransferBytes += r.TransferBytes
	sums[i].DecodedBytes += r.DecodedBytes
	return sums
}
