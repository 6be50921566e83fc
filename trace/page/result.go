// Package page traces a whole page load the way a browser makes it: the
// document, then every subresource the markup and the CSS name, over
// connections shared as a browser shares them, without running scripts.
// It returns one Result; package render/page formats it.
package page

import (
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// Options says which page to load and how far to go.
type Options struct {
	// Trace holds what every request of the page shares: the page's URL,
	// TLS, --resolve, DNS servers, headers, cookies, timeouts.
	Trace trace.Options
	// MaxRequests bounds the requests made, the document's included
	// (--max-requests); 0 means DefaultMaxRequests.
	MaxRequests int
	// SameSite fetches only subresources on the page's site (--same-site).
	SameSite bool
	// RepeatView loads the page a second time with the cache the first
	// load built (--repeat-view).
	RepeatView bool
	// Progress, if set, is told of each request as it starts and ends.
	Progress func(Event)
	// SaveDir, when set, receives every body the network sent, at
	// DIR/host/path (-o DIR; see savePath).
	SaveDir string
}

// DefaultMaxRequests bounds a page load when Options.MaxRequests is 0.
const DefaultMaxRequests = 200

// Event is one step of a page load, for a live display.
type Event struct {
	Request int  // index into Result.Requests
	Done    bool // false when the request starts, true when it ends
}

// Result is everything one page load learned.
type Result struct {
	URL     string
	Started time.Time // wall clock at the start; every offset counts from it
	// Requests lists every resource in the order it was discovered; the
	// document is Requests[0].
	Requests []Request
	// Connections lists every connection opened, in the order opened.
	Connections []Connection
	// DOMContentLoaded and Load approximate the browser's events: the end
	// of the document and of the render-blocking resources, and the end of
	// every request the load event waits for (all but async/preload ones).
	DOMContentLoaded time.Duration
	Load             time.Duration
	// CriticalPath lists, by index into Requests, the chain of requests
	// that ends with the last render-blocking resource, each discovered by
	// the one before it.
	CriticalPath []int
	Totals       Totals
	Findings     []Finding
	// Skipped counts resources found but not requested, by reason
	// (SkipMaxRequests, SkipOtherSite, SkipScheme).
	Skipped map[string]int
	// Repeat is the --repeat-view load; nil without it.
	Repeat *Result
	// Err is what stopped the page: the document's failure. A failed
	// subresource is recorded on its Request, not here.
	Err *trace.Error

	cache *cache // the HTTP cache this load filled, for the repeat view
}

// Reasons a resource was found but not requested.
const (
	SkipMaxRequests = "max-requests" // --max-requests was reached
	SkipOtherSite   = "other-site"   // --same-site and another site
	SkipScheme      = "scheme"       // data:, blob:, javascript: and other non-HTTP URLs
	SkipDuplicate   = "duplicate"    // already requested (browsers fetch a URL once per page)
	SkipIframeDepth = "iframe-depth" // an iframe inside an iframe: only one level is loaded
)

// Request is one resource of the page.
type Request struct {
	URL       string
	Type      string // discover.TypeDocument, discover.TypeStylesheet, ...
	Initiator Initiator
	// Priority is the one the scheduler gave it, in Chrome's words
	// (discover.PriorityHighest ... discover.PriorityLowest).
	Priority string
	// RenderBlocking is true for what delays the first render: stylesheets
	// and classic synchronous scripts in the head.
	RenderBlocking bool
	// Async is true for what the load event does not wait for.
	Async bool
	// Discovered is when the resource was found, Queued how long it then
	// waited for the scheduler or a free connection before its first hop
	// began, both as offsets from Result.Started.
	Discovered time.Duration
	Queued     time.Duration
	// Trace holds the hops (redirects included), each with its phases,
	// connection and notes, as a single trace would. Nil when the cache
	// answered without a request (Cache == CacheFresh).
	Trace *trace.Result
	// Cache says how the repeat view's cache served it: "" (the network),
	// CacheFresh (no request at all) or CacheRevalidated (a 304).
	Cache string
	// Bytes on the wire (head and body) and decoded body bytes.
	TransferBytes int64
	DecodedBytes  int64
	// Image is the decoded size of an image, when it decoded; nil otherwise.
	Image *ImageSize
}

// Start and End are the request's offsets from Result.Started: from its
// first hop's start to its last hop's end (End is in summary.go).
func (r Request) Start() time.Duration { return r.Discovered + r.Queued }

// How the repeat view's cache served a request.
const (
	CacheFresh       = "fresh"
	CacheRevalidated = "revalidated"
)

// Initiator says what made the browser ask for a resource.
type Initiator struct {
	Kind string // discover.InitParser, InitCSS, InitLinkHeader, InitEarlyHints, InitOther
	// Request is the index of the request whose document, stylesheet or
	// response named it; -1 for the document itself.
	Request int
	URL     string // that request's URL
	Line    int    // the line of the markup or CSS that named it, from 1; 0 when unknown
}

// ImageSize is an image's intrinsic size and, when the markup gives one,
// the size it is displayed at, in CSS pixels.
type ImageSize struct {
	Width, Height               int
	DisplayWidth, DisplayHeight int // 0 when the markup does not say
}

// Connection is one connection of the page load.
type Connection struct {
	ID      int    // trace.Hop.ConnID of the hops that used it
	Origin  string // scheme://host:port it was opened to
	Address string // remote ip:port
	Proto   string // "HTTP/1.1", "HTTP/2.0", "HTTP/3.0"
	// Coalesced lists the other origins whose requests it carried (HTTP/2
	// connection coalescing: the certificate covers them, the IP matches).
	Coalesced []string
	Opened    time.Duration // offset from Result.Started
	Requests  int           // hops it carried
}

// Totals sums up the page load.
type Totals struct {
	Requests      int
	TransferBytes int64
	DecodedBytes  int64
	ByOrigin      []Sum // in order of first request
	ByType        []Sum // in order of first request
	// Cached counts the resources the repeat view's cache answered with no
	// request at all, Revalidated those it answered after a 304; both are
	// 0 on a first load. Requests and the bytes leave the Cached ones out.
	Cached      int
	Revalidated int
	// SavedBytes is, for the repeat view, how many fewer bytes crossed the
	// wire than on the first load; 0 on the first load.
	SavedBytes int64
}

// Sum is one row of the totals.
type Sum struct {
	Key           string // the origin, or the resource type
	Requests      int
	TransferBytes int64
	DecodedBytes  int64
	Connections   int // new connections (ByOrigin only)
}

// Finding is one thing to fix, in the spirit of Lighthouse and
// WebPageTest, with the requests it is about.
type Finding struct {
	ID       string // stable: "render-blocking", "uncompressed", "short-cache", ...
	Level    string // trace.LevelInfo, LevelWarn or LevelBad
	Message  string // what it means and what to do
	Requests []int  // indexes into Result.Requests
	// Savings estimates what fixing it would save, when it can be told.
	SavingsBytes int64
	SavingsTime  time.Duration
}
