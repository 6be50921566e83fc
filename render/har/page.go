package har

import (
	"io"
	"time"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
)

// What another document needs to write a HAR of its own from the same
// pieces, so its entries are exactly those `--har` writes for a single
// request: render/page writes a page load as one page whose entries add
// Chrome's _initiator, _priority and _resourceType.

// Entry is one HAR entry, as HAR writes it for a hop.
type Entry = harEntry

// Page is one HAR page.
type Page = harPage

// Entry is the entry of hop h of r, started at start, on page pageID.
func (opt Options) Entry(pageID string, start time.Time, h *trace.Hop, r *trace.Result) Entry {
	return opt.entry(pageID, start, h, r)
}

// Page is the page of a load that began at started: its title and
// _reqtrace.url are url (password hidden), its error err; the timings are
// the load's DOMContentLoaded and load events, offsets from started (a
// negative one is HAR's -1: not known).
func (opt Options) Page(id string, started time.Time, url string, insecure bool, err *trace.Error, contentLoad, load time.Duration) Page {
	ms := func(d time.Duration) float64 {
		if d < 0 {
			return -1
		}
		return render.Millis(d)
	}
	return harPage{
		StartedDateTime: harTime(started), ID: id, Title: opt.given(url),
		PageTimings: harPageTimings{OnContentLoad: ms(contentLoad), OnLoad: ms(load)},
		Reqtrace:    harPageExtra{URL: opt.given(url), Insecure: insecure, Error: render.WireErr(err)},
	}
}

// Blocked adds d before the entry, as HAR's blocked (time queued before
// the request could start): startedDateTime moves back by d and time
// grows by it.
func (e *Entry) Blocked(d time.Duration, started time.Time) {
	if d <= 0 {
		return
	}
	e.Timings.Blocked = round3(max(e.Timings.Blocked, 0) + render.Millis(d))
	e.StartedDateTime = harTime(started.Add(-d))
	e.Time = harTotal(e.Timings)
}

// WriteLog writes one HAR 1.2 log of pages and entries (each entry an Entry,
// or a struct embedding one), indented two spaces, and a newline.
func WriteLog[E any](w io.Writer, pages []Page, entries []E) error {
	type log struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Pages   []Page     `json:"pages"`
		Entries []E        `json:"entries"`
	}
	if pages == nil {
		pages = []Page{}
	}
	if entries == nil {
		entries = []E{}
	}
	return render.WriteJSON(w, struct {
		Log log `json:"log"`
	}{log{Version: Version, Creator: harCreator{Name: "reqtrace", Version: trace.Version}, Pages: pages, Entries: entries}})
}
