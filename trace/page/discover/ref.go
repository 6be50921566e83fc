// Package discover finds the subresources a browser would request for a
// document, a stylesheet or a response's Link headers, without running
// scripts: HTML through golang.org/x/net/html, CSS through a tokenizer,
// never regular expressions over markup. Everything it reads is
// untrusted: it is bounded in the refs it returns and the work it does.
package discover

import "net/url"

// Ref is one resource a document, stylesheet or header names.
type Ref struct {
	URL  *url.URL // absolute, resolved against the base (and <base href>)
	Type string   // TypeStylesheet, ...
	Kind string   // what named it: InitParser, InitCSS, ...
	Line int      // line of the markup or CSS, from 1; 0 when unknown
	// RenderBlocking: a stylesheet, or a classic synchronous script in
	// the head, delays the first render.
	RenderBlocking bool
	// Async: the load event does not wait for it (async and module
	// scripts do make it wait; preloads and prefetches do not).
	Async    bool
	Priority string // the priority Chrome would give it
	// DisplayWidth and DisplayHeight are an <img>'s width and height
	// attributes, 0 when absent.
	DisplayWidth, DisplayHeight int
	// Lazy: an <img loading=lazy>. Chromium fetches it only when it is
	// near the viewport, which needs layout; discovery reports it and
	// lets the caller decide (see the README's deliberate differences).
	Lazy bool
	// Media is a stylesheet's media condition (its media attribute or
	// @import media list; "not all" for an alternate stylesheet): pass it
	// to CSSMedia, as its rules apply only when it matches.
	Media string
}

// Resource types, as DevTools names them.
const (
	TypeDocument   = "document"
	TypeStylesheet = "stylesheet"
	TypeScript     = "script"
	TypeFont       = "font"
	TypeImage      = "image"
	TypeMedia      = "media"
	TypeIframe     = "iframe" // an iframe's document (one level deep)
	TypeManifest   = "manifest"
	TypeOther      = "other" // preloads of unknown type
)

// Chrome's priorities, highest first.
const (
	PriorityHighest = "highest"
	PriorityHigh    = "high"
	PriorityMedium  = "medium"
	PriorityLow     = "low"
	PriorityLowest  = "lowest"
)

// What named a resource (the initiator kind).
const (
	InitParser     = "parser"      // an element of the HTML
	InitCSS        = "css"         // @import or url() in a stylesheet
	InitLinkHeader = "link-header" // a Link: rel=preload header
	InitEarlyHints = "early-hints" // a Link header of a 103 Early Hints
	InitOther      = "other"       // the document itself
)
