package page

import (
	"io"
	"time"

	"github.com/reqtrace/reqtrace/render/har"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/page/discover"
)

// HAR output for a page load: one page ("page_1", pageTimings from the
// load's DOMContentLoaded and load events) and one entry per hop of every
// request, each exactly as `reqtrace trace --har` writes a hop (package
// render/har), with what Chrome's HAR export adds per entry:
//
//	_initiator     {type, url, lineNumber}: "parser" for the markup and CSS
//	               (url the document or stylesheet, lineNumber from 0),
//	               "preload" for Link headers and 103 Early Hints, "other"
//	               for the document
//	_priority      VeryHigh, High, Medium, Low, VeryLow
//	_resourceType  document, stylesheet, script, font, image, media,
//	               manifest, other (an iframe's document is a document)
//
// and, where a request waited for the scheduler or a free connection
// before its first hop, that wait as timings.blocked (startedDateTime is
// then when it was found, as in Chrome). Resources the repeat view's cache
// served without a request are not entries; the repeat view is not in the
// HAR (use --json for it).

type pageEntry struct {
	har.Entry
	Initiator    harInitiator `json:"_initiator"`
	Priority     string       `json:"_priority"`
	ResourceType string       `json:"_resourceType"`
}

type harInitiator struct {
	Type       string `json:"type"`
	URL        string `json:"url,omitempty"`
	LineNumber *int   `json:"lineNumber,omitempty"`
}

// HAR writes res as a HAR 1.2 log of one page.
func HAR(w io.Writer, res *page.Result, opt har.Options) error {
	if res == nil {
		return errNil
	}
	const id = "page_1"
	pages := []har.Page{opt.Page(id, res.Started, res.URL, insecure(res), res.Err, orUnknown(res.DOMContentLoaded), orUnknown(res.Load))}
	var entries []pageEntry
	for _, r := range res.Requests {
		if r.Trace == nil {
			continue
		}
		start := res.Started.Add(r.Start())
		for j := range r.Trace.Hops {
			h := &r.Trace.Hops[j]
			if !h.Started.IsZero() {
				start = h.Started
			}
			e := pageEntry{Entry: opt.Entry(id, start, h, r.Trace), Initiator: initiatorOf(r), Priority: chromePriority[r.Priority], ResourceType: resourceType(r.Type)}
			if j == 0 {
				e.Blocked(r.Queued, start)
			}
			entries = append(entries, e)
			start = start.Add(max(h.Timings.Total, 0))
		}
	}
	return har.WriteLog(w, pages, entries)
}

func insecure(res *page.Result) bool {
	for _, r := range res.Requests {
		if r.Trace != nil && r.Trace.Insecure {
			return true
		}
	}
	return false
}

// orUnknown is -1 (HAR's "not known") for an event the load never reached.
func orUnknown(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

func initiatorOf(r page.Request) harInitiator {
	in := r.Initiator
	out := harInitiator{Type: "other"}
	switch in.Kind {
	case discover.InitParser, discover.InitCSS:
		out.Type = "parser"
	case discover.InitLinkHeader, discover.InitEarlyHints:
		out.Type = "preload"
	}
	if in.Request >= 0 {
		out.URL = in.URL
	}
	if in.Line > 0 {
		n := in.Line - 1 // Chrome counts lines from 0
		out.LineNumber = &n
	}
	return out
}

var chromePriority = map[string]string{
	discover.PriorityHighest: "VeryHigh", discover.PriorityHigh: "High", discover.PriorityMedium: "Medium",
	discover.PriorityLow: "Low", discover.PriorityLowest: "VeryLow",
}

func resourceType(t string) string {
	switch t {
	case discover.TypeIframe:
		return "document"
	case discover.TypeDocument, discover.TypeStylesheet, discover.TypeScript, discover.TypeFont,
		discover.TypeImage, discover.TypeMedia, discover.TypeManifest:
		return t
	}
	return "other"
}
