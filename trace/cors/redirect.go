package cors

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Redirects of the actual request, followed hop by hop as Chromium's
// CorsURLLoader does (fetch's "HTTP-redirect fetch"): trace.Do is asked
// for one response at a time because the CORS rules apply to each.
//
//   - every redirect response must pass the CORS check, against the
//     origin sent with it;
//   - the 21st redirect fails the fetch (net::ERR_TOO_MANY_REDIRECTS);
//   - the location must be http(s) and carry no user:password@;
//   - 301/302 turn a POST into a GET and 303 anything but GET/HEAD, without
//     the body and its headers; 307/308 keep method and body;
//   - a hop to another origin drops Authorization and taints the
//     request: from then on Origin: null is sent and checked;
//   - a request that needs a preflight gets a new one at every new URL,
//     same origin or not (the preflight cache is keyed by URL).

// maxRedirects is fetch's redirect limit.
const maxRedirects = 20

// RedirectHop is one redirect the actual request went through: the
// request, the 3xx response and its checks, and the preflight the browser
// sent to the new location before following it.
type RedirectHop struct {
	Exchange
	OriginSent string // the Origin header of this request
	Status     int
	Location   string // resolved against the request's URL
	// CrossOrigin is true when Location is another origin: Authorization
	// is dropped there, and the request is tainted from then on.
	CrossOrigin bool
	// NextOrigin is the origin the request to Location is checked
	// against: the page's, or "null" once the chain is tainted.
	NextOrigin string
	Preflight  *Exchange // sent to Location before following; nil when none was needed
}

// leg is one request of the chain and its preflight decision.
type leg struct {
	r *Request
	d Decision
}

// chain sends the actual request and follows its redirects. When it ends,
// Actual.Exchange is its last request: the response script gets, the one
// the browser refused, or a request never sent because its preflight
// failed (Hop nil).
func (e *evaluation) chain() {
	a := &e.rep.Actual
	cur := leg{e.r, e.d}
	e.await(cur)
	var visited []string
	for {
		visited = append(visited, cur.r.URL.String())
		hop, ok := e.exchange(&a.Exchange, cur.r.URL, cur.r.Method, cur.r.ActualHeaders(), cur.r.Body, true)
		if !ok {
			return
		}
		a.Sent = true
		c := cur.r.checkActual(hop.Response, cur.d, visited)
		a.Checks, a.Problems, a.Passed = c.checks, c.problems, c.passed()
		loc, redirect := cur.r.redirectOf(hop.Response)
		if !redirect || !*a.Passed {
			if redirect {
				a.Redirect = loc // where the browser stopped
			}
			return
		}
		if e.stopAt(len(visited)-1, loc) {
			return
		}
		if cur, ok = e.follow(cur, hop.Response.Status, loc); !ok {
			return
		}
	}
}

// stopAt ends the chain before redirect n+1 when --max-redirs asks for
// fewer than fetch's 20: the browser would go on, so there is no verdict,
// and the trace ends as curl's does (too_many_redirects, exit 47).
func (e *evaluation) stopAt(n int, loc string) bool {
	limit := e.cfg.MaxRedirects
	if limit == nil || *limit < 0 || *limit >= maxRedirects || n < *limit {
		return false
	}
	e.rep.Actual.Redirect = loc
	e.rep.Err = &trace.Error{Phase: trace.PhaseRedirect, Kind: trace.KindTooManyRedirs,
		Message: fmt.Sprintf("stopped after %d redirects (--max-redirs %d); the browser follows up to %d", n, *limit, maxRedirects),
		Hint:    "raise --max-redirs or drop it to see what the browser does with the whole chain"}
	return true
}

// await makes l the last request of the chain, as it will be sent.
func (e *evaluation) await(l leg) {
	a := &e.rep.Actual
	a.Exchange = Exchange{Method: l.r.Method, URL: l.r.URL.String(), Headers: planned(l.r.URL, l.r.ActualHeaders())}
	a.OriginSent = l.r.SentOrigin().String()
	e.last = l
}

// follow moves the last exchange, a redirect that passed its checks, to
// Actual.Redirects and prepares the next request, preflighting it when
// the browser would. It reports false when the chain ends here: the new
// preflight failed, or the network did.
func (e *evaluation) follow(cur leg, status int, loc string) (leg, bool) {
	a := &e.rep.Actual
	target, _ := parseWebURL(loc, cur.r.URL) // redirectNetError refused what does not parse
	nr := cur.r.redirected(status, target)
	next := leg{nr, nr.Decide()}
	a.Redirects = append(a.Redirects, RedirectHop{Exchange: a.Exchange, OriginSent: a.OriginSent, Status: status,
		Location: nr.URL.String(), CrossOrigin: !nr.Target.Same(cur.r.Target), NextOrigin: nr.SentOrigin().String()})
	rd := &a.Redirects[len(a.Redirects)-1]
	e.await(next)
	if e.blockMixed(nr) {
		a.Hop = nil
		return next, false
	}
	need := next.needsPreflight()
	if nr.firefox() && e.rep.Preflight.Needed && !nr.SameOrigin() {
		// Firefox preflights every URL a preflighted request is redirected
		// to, even when what is left of it is simple.
		need = true
	}
	if !need || e.preflightCached(next) {
		return next, true
	}
	rd.Preflight = &Exchange{Method: "OPTIONS", URL: nr.URL.String(), Headers: planned(nr.URL, nr.PreflightHeaders(next.d))}
	if _, ok := e.sendPreflight(rd.Preflight, next); !ok {
		if rd.Preflight.Passed != nil { // refused, not a network failure
			a.Problems, a.Passed = rd.Preflight.Problems, boolPtr(false)
		}
		return next, false
	}
	return next, true
}

// redirected is the request the browser sends to target after a redirect
// with status.
func (r *Request) redirected(status int, target *url.URL) *Request {
	target.Fragment, target.RawFragment = "", "" // never sent
	n := *r
	n.URL, n.Target, n.Notes = target, URLOrigin(target), nil
	if n.first == nil {
		n.first = r.URL
	}
	n.crossSite = r.fetchSite() == "cross-site"
	n.Headers, n.Entries = slices.Clone(r.Headers), slices.Clone(r.Entries)
	if status == 303 && r.Method != "GET" && r.Method != "HEAD" || (status == 301 || status == 302) && r.Method == "POST" {
		n.Method, n.Body = "GET", nil
		n.dropHeaders("content-encoding", "content-language", "content-location", "content-type")
	}
	n.corsTainting = !r.SameOrigin() || !r.Origin.Same(n.Target)
	if cross := !n.Target.Same(r.Target); cross {
		n.dropHeaders("authorization")
		// Chromium's CheckTainted: leaving an origin that is not the page's.
		n.Tainted = r.Tainted || !r.Origin.Same(r.Target)
	}
	if n.Target.Host != r.Target.Host {
		n.Cookie = "" // -H Cookie stands for the first host's cookies
	}
	return &n
}

// needsPreflight: the request needs one and CORS applies to it.
func (l leg) needsPreflight() bool { return l.d.Needed && !l.r.SameOrigin() }

// dropHeaders removes headers by lower-case name, from the combined list
// and the entries both.
func (r *Request) dropHeaders(lower ...string) {
	drop := func(h trace.Header) bool { return slices.Contains(lower, strings.ToLower(h.Name)) }
	r.Headers = slices.DeleteFunc(r.Headers, drop)
	r.Entries = slices.DeleteFunc(r.Entries, drop)
}

// preflightCached reports whether a preflight that passed earlier in this
// run covers l, as Chromium's preflight cache would (a loop of PUTs
// preflights each URL once). A redirect only ever removes headers or turns
// the method into GET, so a passing entry for the same URL, origin and
// request covers it.
func (e *evaluation) preflightCached(l leg) bool {
	return e.preflights[preflightKey(l)]
}

func preflightKey(l leg) string {
	return l.r.SentOrigin().String() + " " + l.r.URL.String() + " " + l.r.Method + " " + strings.Join(l.d.Unsafe, ",")
}
