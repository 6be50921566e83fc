package page

// The `reqtrace page --json` document, reqtrace.page/v1 (schema:
// render/schema/page.json, `reqtrace schema page`). Each request carries
// its hops exactly as `reqtrace trace --json` writes them (render.WireHop),
// so a tool reading one trace document reads every request of a page.
// Offsets count from the page's start, in milliseconds.

import (
	"errors"
	"io"
	"reflect"
	"time"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace/page"
)

// Schema names the page document's format and version.
const Schema = "reqtrace.page/v1"

var errNil = errors.New("render/page: nil *page.Result")

type wirePage struct {
	Schema           string            `json:"schema"`
	URL              string            `json:"url"`
	Started          string            `json:"started,omitempty"`
	DOMContentLoaded float64           `json:"dom_content_loaded_ms"`
	Load             float64           `json:"load_ms"`
	Requests         []wireResource    `json:"requests"`
	Connections      []wireConnection  `json:"connections"`
	CriticalPath     []int             `json:"critical_path"`
	Totals           wireTotals        `json:"totals"`
	Findings         []wireFinding     `json:"findings"`
	Skipped          map[string]int    `json:"skipped"`
	Repeat           *wirePage         `json:"repeat"`
	Error            *render.WireError `json:"error"`
}

type wireResource struct {
	Index          int               `json:"index"`
	URL            string            `json:"url"`
	Type           string            `json:"type"`
	Priority       string            `json:"priority"`
	RenderBlocking bool              `json:"render_blocking"`
	Async          bool              `json:"async"`
	Initiator      wireInitiator     `json:"initiator"`
	DiscoveredMS   float64           `json:"discovered_ms"`
	QueuedMS       float64           `json:"queued_ms"`
	StartMS        float64           `json:"start_ms"`
	EndMS          float64           `json:"end_ms"`
	Cache          string            `json:"cache"`
	Status         int               `json:"status"`
	NewConnection  bool              `json:"new_connection"`
	TransferBytes  int64             `json:"transfer_bytes"`
	DecodedBytes   int64             `json:"decoded_bytes"`
	Image          *wireImage        `json:"image"`
	Hops           []render.WireHop  `json:"hops"`
	Error          *render.WireError `json:"error"`
}

type wireInitiator struct {
	Kind    string `json:"kind"`
	Request int    `json:"request"`
	URL     string `json:"url"`
	Line    int    `json:"line"`
}

type wireImage struct {
	Width         int `json:"width"`
	Height        int `json:"height"`
	DisplayWidth  int `json:"display_width"`
	DisplayHeight int `json:"display_height"`
}

type wireConnection struct {
	ID        int      `json:"id"`
	Origin    string   `json:"origin"`
	Address   string   `json:"address"`
	Proto     string   `json:"proto"`
	Coalesced []string `json:"coalesced"`
	OpenedMS  float64  `json:"opened_ms"`
	Requests  int      `json:"requests"`
}

type wireTotals struct {
	Requests      int       `json:"requests"`
	TransferBytes int64     `json:"transfer_bytes"`
	DecodedBytes  int64     `json:"decoded_bytes"`
	Cached        int       `json:"cached"`
	Revalidated   int       `json:"revalidated"`
	SavedBytes    int64     `json:"saved_bytes"`
	ByOrigin      []wireSum `json:"by_origin"`
	ByType        []wireSum `json:"by_type"`
}

type wireSum struct {
	Key           string `json:"key"`
	Requests      int    `json:"requests"`
	TransferBytes int64  `json:"transfer_bytes"`
	DecodedBytes  int64  `json:"decoded_bytes"`
	Connections   int    `json:"connections"`
}

type wireFinding struct {
	ID           string  `json:"id"`
	Level        string  `json:"level"`
	Message      string  `json:"message"`
	Requests     []int   `json:"requests"`
	SavingsBytes int64   `json:"savings_bytes"`
	SavingsMS    float64 `json:"savings_ms"`
}

// JSON writes res as one reqtrace.page/v1 document and a newline.
func JSON(w io.Writer, res *page.Result) error {
	if res == nil {
		return errNil
	}
	return render.WriteJSON(w, toWire(res))
}

func toWire(res *page.Result) *wirePage {
	ms := render.Millis
	out := &wirePage{
		Schema: Schema, URL: res.URL,
		DOMContentLoaded: ms(res.DOMContentLoaded), Load: ms(res.Load),
		Requests:     make([]wireResource, 0, len(res.Requests)),
		Connections:  make([]wireConnection, 0, len(res.Connections)),
		CriticalPath: orEmpty(res.CriticalPath),
		Totals:       wireTotalsOf(res.Totals),
		Findings:     make([]wireFinding, 0, len(res.Findings)),
		Skipped:      map[string]int{},
		Error:        render.WireErr(res.Err),
	}
	if !res.Started.IsZero() {
		out.Started = res.Started.Format(time.RFC3339Nano)
	}
	for i, r := range res.Requests {
		out.Requests = append(out.Requests, wireRequestOf(i, r))
	}
	for _, c := range res.Connections {
		coalesced := c.Coalesced
		if coalesced == nil {
			coalesced = []string{}
		}
		out.Connections = append(out.Connections, wireConnection{ID: c.ID, Origin: c.Origin, Address: c.Address, Proto: c.Proto,
			Coalesced: coalesced, OpenedMS: ms(c.Opened), Requests: c.Requests})
	}
	for _, f := range res.Findings {
		out.Findings = append(out.Findings, wireFinding{ID: f.ID, Level: f.Level, Message: f.Message, Requests: orEmpty(f.Requests),
			SavingsBytes: f.SavingsBytes, SavingsMS: ms(f.SavingsTime)})
	}
	for k, v := range res.Skipped {
		out.Skipped[k] = v
	}
	if res.Repeat != nil {
		out.Repeat = toWire(res.Repeat)
	}
	return out
}

func wireRequestOf(i int, r page.Request) wireResource {
	ms := render.Millis
	w := wireResource{
		Index: i, URL: r.URL, Type: r.Type, Priority: r.Priority, RenderBlocking: r.RenderBlocking, Async: r.Async,
		Initiator:    wireInitiator{Kind: r.Initiator.Kind, Request: r.Initiator.Request, URL: r.Initiator.URL, Line: r.Initiator.Line},
		DiscoveredMS: ms(r.Discovered), QueuedMS: ms(r.Queued), StartMS: ms(r.Start()), EndMS: ms(r.End()),
		Cache: r.Cache, Status: r.Status(), NewConnection: r.NewConnection(),
		TransferBytes: r.TransferBytes, DecodedBytes: r.DecodedBytes,
		Hops: []render.WireHop{},
	}
	if im := r.Image; im != nil {
		w.Image = &wireImage{Width: im.Width, Height: im.Height, DisplayWidth: im.DisplayWidth, DisplayHeight: im.DisplayHeight}
	}
	if r.Trace != nil {
		w.Hops = render.WireHops(r.Trace)
		w.Error = render.WireErr(r.Trace.Err)
	}
	return w
}

func wireTotalsOf(t page.Totals) wireTotals {
	sums := func(ss []page.Sum) []wireSum {
		out := make([]wireSum, 0, len(ss))
		for _, s := range ss {
			out = append(out, wireSum{Key: s.Key, Requests: s.Requests, TransferBytes: s.TransferBytes, DecodedBytes: s.DecodedBytes, Connections: s.Connections})
		}
		return out
	}
	return wireTotals{Requests: t.Requests, TransferBytes: t.TransferBytes, DecodedBytes: t.DecodedBytes,
		Cached: t.Cached, Revalidated: t.Revalidated, SavedBytes: t.SavedBytes, ByOrigin: sums(t.ByOrigin), ByType: sums(t.ByType)}
}

func orEmpty(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

// WireType is the Go type of the document, for the schema generator.
func WireType() reflect.Type { return reflect.TypeFor[wirePage]() }
