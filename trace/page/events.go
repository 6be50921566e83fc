package page

import (
	"cmp"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/reqtrace/reqtrace/trace"
)

// events approximates the browser's DOMContentLoaded (the document and
// its render-blocking resources have arrived: scripts run only after
// them) and load (every request the load event waits for has ended:
// all but Async ones, the iframes' included).
func events(res *Result) (dcl, load time.Duration) {
	for i, r := range res.Requests {
		end := r.End()
		if i == 0 || r.RenderBlocking {
			dcl = max(dcl, end)
		}
		if !r.Async {
			load = max(load, end)
		}
	}
	return dcl, max(load, dcl)
}

// connections lists the connections the hops opened, in the order
// opened, with the requests each carried and the other origins it
// carried them for (HTTP/2 coalescing).
func connections(res *Result) []Connection {
	var conns []Connection
	byID := map[int]int{}
	for _, r := range res.Requests {
		if r.Trace == nil {
			continue
		}
		for _, h := range r.Trace.Hops {
			if h.ConnID == 0 || h.Connect == nil {
				continue
			}
			origin := hopOrigin(h.URL)
			opener := cmp.Or(h.Connect.Coalesced, origin) // a coalesced hop rides another origin's connection
			i, ok := byID[h.ConnID]
			if !ok {
				i = len(conns)
				byID[h.ConnID] = i
				conns = append(conns, Connection{ID: h.ConnID, Origin: opener, Address: h.Connect.Address, Opened: h.Started.Sub(res.Started)})
			}
			c := &conns[i]
			if h.Response != nil && c.Proto == "" {
				c.Proto = h.Response.Proto
			}
			if !h.Connect.Reused {
				c.Opened = min(c.Opened, h.Started.Sub(res.Started))
			}
			if origin != c.Origin && !slices.Contains(c.Coalesced, origin) {
				c.Coalesced = append(c.Coalesced, origin)
			}
			c.Requests++
		}
	}
	slices.SortStableFunc(conns, func(a, b Connection) int { return int(a.Opened - b.Opened) })
	return conns
}

// hopOrigin is scheme://host:port, the port always written.
func hopOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), strconv.Itoa(trace.Port(u)))
}

// site is the registrable domain (eTLD+1, by the public suffix list) of
// the URL's host; an IP address or a bare public suffix is its own site.
func site(u *url.URL) string {
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if net.ParseIP(host) != nil {
		return host
	}
	if s, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return s
	}
	return host
}
