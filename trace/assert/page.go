package assert

import (
	"maps"
	"slices"
	"sort"
	"strconv"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
)

// pageField is a name only a page load has. Every count reads the
// requests made: those the repeat view's cache answered without a request
// are not requests.
type pageField struct {
	k   kind
	doc string
	get func(*page.Result) value
}

func (f pageField) read(s subject) value {
	if s.page == nil {
		return absent()
	}
	return f.get(s.page)
}

var pageFields = map[string]pageField{
	"page.requests":           {kNum, "requests made, the document's included", pageCount(func(page.Request) bool { return true })},
	"page.failed":             {kNum, "requests that failed or got a status of 400 or more", pageCount(failed)},
	"page.render_blocking":    {kNum, "render-blocking requests", pageCount(func(r page.Request) bool { return r.RenderBlocking })},
	"page.transfer_bytes":     {kNum, "bytes on the wire, heads included", pageSum(func(r page.Request) int64 { return r.TransferBytes })},
	"page.decoded_bytes":      {kNum, "body bytes after decoding", pageSum(func(r page.Request) int64 { return r.DecodedBytes })},
	"page.origins":            {kNum, "origins requested", func(p *page.Result) value { return num(float64(len(origins(p)))) }},
	"page.connections":        {kNum, "connections opened", func(p *page.Result) value { return num(float64(len(p.Connections))) }},
	"page.findings":           {kNum, "findings at level warn or bad", pageFindings},
	"page.skipped":            {kNum, "resources found but not requested", pageSkipped},
	"page.load":               {kDur, "the load event: every request it waits for has ended", func(p *page.Result) value { return dur(p.Load) }},
	"page.dom_content_loaded": {kDur, "the document and its render-blocking resources have ended", func(p *page.Result) value { return dur(p.DOMContentLoaded) }},
	"page.ok":                 {kBool, "the document loaded", func(p *page.Result) value { return boolean(p.Err == nil) }},
}

// PageFields lists the names ParsePage adds, as Fields does.
func PageFields() []string {
	names := slices.Sorted(maps.Keys(pageFields))
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + " (" + pageFields[n].k.String() + "): " + pageFields[n].doc
	}
	return append(out,
		`requests("TYPE") (number): requests of a type: "script", "image", "font", …`,
		`bytes("TYPE") (number): bytes on the wire for a type`,
		`finding("ID") (number): requests a finding names, 0 when it is absent, e.g. finding("uncompressed") == 0`)
}

// made reports whether the page load sent the request (a fresh cache hit
// of the repeat view sends none).
func made(r page.Request) bool { return r.Trace != nil }

func pageCount(keep func(page.Request) bool) func(*page.Result) value {
	return func(p *page.Result) value {
		n := 0
		for _, r := range p.Requests {
			if made(r) && keep(r) {
				n++
			}
		}
		return num(float64(n))
	}
}

func pageSum(get func(page.Request) int64) func(*page.Result) value {
	return func(p *page.Result) value {
		var n int64
		for _, r := range p.Requests {
			n += get(r)
		}
		return num(float64(n))
	}
}

func failed(r page.Request) bool {
	if r.Trace.Err != nil {
		return true
	}
	if len(r.Trace.Hops) == 0 {
		return false
	}
	resp := r.Trace.Hops[len(r.Trace.Hops)-1].Response
	return resp != nil && resp.Status >= 400
}

func origins(p *page.Result) map[string]bool {
	seen := map[string]bool{}
	for _, r := range p.Requests {
		if !made(r) {
			continue
		}
		for _, h := range r.Trace.Hops {
			if u, err := trace.ParseURL(h.URL); err == nil {
				seen[u.Scheme+"://"+u.Host] = true
			}
		}
	}
	return seen
}

func pageFindings(p *page.Result) value {
	n := 0
	for _, f := range p.Findings {
		if f.Level == trace.LevelWarn || f.Level == trace.LevelBad {
			n++
		}
	}
	return num(float64(n))
}

func pageSkipped(p *page.Result) value {
	n := 0
	for _, c := range p.Skipped {
		n += c
	}
	return num(float64(n))
}

// pageCall is requests("TYPE"), bytes("TYPE") or finding("ID").
type pageCall struct {
	fn, arg string
}

func (c *pageCall) typ() kind    { return kNum }
func (c *pageCall) perRun() bool { return true }
func (c *pageCall) String() string {
	return c.fn + "(" + strconv.Quote(c.arg) + ")"
}
func (c *pageCall) eval(runs []subject, run int) value {
	if run < 0 || run >= len(runs) || runs[run].page == nil {
		return absent()
	}
	p := runs[run].page
	switch c.fn {
	case "requests":
		return pageCount(func(r page.Request) bool { return r.Type == c.arg })(p)
	case "bytes":
		return pageSum(func(r page.Request) int64 {
			if r.Type != c.arg {
				return 0
			}
			return r.TransferBytes
		})(p)
	}
	for _, f := range p.Findings {
		if f.ID == c.arg {
			return num(float64(max(1, len(f.Requests))))
		}
	}
	return num(0)
}

// pageFunctions are the functions ParsePage adds, with the example their
// error message shows.
var pageFunctions = map[string]string{
	"requests": `requests("image") < 30`,
	"bytes":    `bytes("script") < 500000`,
	"finding":  `finding("uncompressed") == 0`,
}

func newPageCall(p *parser, name token, args []node) (node, error) {
	example := pageFunctions[name.text]
	if len(args) != 1 {
		return nil, p.errAt(name, name.text+" takes one quoted name: "+example)
	}
	l, ok := args[0].(*literal)
	if !ok || l.v.k != kStr {
		return nil, p.errAt(name, name.text+" takes a quoted name: "+example)
	}
	return &pageCall{fn: name.text, arg: l.v.s}, nil
}

// pageFunctionNames lists them for the "no function" message.
func pageFunctionNames() []string {
	names := slices.Collect(maps.Keys(pageFunctions))
	sort.Strings(names)
	return names
}
