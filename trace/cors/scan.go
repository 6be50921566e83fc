package cors

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/reqtrace/reqtrace/trace"
)

// Scan is the result of --scan: every probe and what it found.
type Scan struct {
	Probes   []Probe
	Findings []Finding
}

// Probe is one Origin sent as a GET and as a preflight.
type Probe struct {
	Class     string
	Origin    string
	GET       ProbeResult
	Preflight ProbeResult
}

// ProbeResult is what one probe request got back.
type ProbeResult struct {
	Status                 int
	ACAO, ACAC, ACAM, ACAH string
	Vary                   string
	Multiple               bool // several Access-Control-Allow-Origin lines
	// Allowed: the browser would let a page at the probe's origin read it
	// (the exact origin echoed; "*" counts only as the wildcard finding).
	Allowed bool
	Err     *trace.Error
}

// Finding is one misconfiguration, with every origin that showed it.
type Finding struct {
	Class       string
	Severity    string
	Origins     []string
	Via         []string // "GET", "preflight"
	Credentials bool     // Access-Control-Allow-Credentials: true came with it
	Message     string
	Fix         string
}

// probeHeader is a header no real API expects: a server that allows it
// echoes Access-Control-Request-Headers.
const probeHeader = "x-reqtrace-probe"

// RunScan sends every probe (none is skipped after a hit) as a GET and as
// a preflight for PUT with Authorization. The error is set when no probe
// got any response.
func RunScan(ctx context.Context, cfg Config, send Sender) (*Scan, *trace.Error) {
	r, err := NewRequest(cfg)
	if err != nil {
		if te, ok := err.(*trace.Error); ok {
			return nil, te
		}
		return nil, trace.BadInput("%s", err.Error())
	}
	specs := probeSpecs(cfg.URL, r.Origin.String())
	s := &Scan{Probes: make([]Probe, len(specs))}
	sem := make(chan struct{}, 8) // a few at a time: polite to the server
	var wg sync.WaitGroup
	for i, ps := range specs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			s.Probes[i] = runProbe(ctx, &cfg, r, ps, send)
		})
	}
	wg.Wait()
	if e := allFailed(s.Probes); e != nil {
		return s, e
	}
	s.Findings = findings(s.Probes)
	return s, nil
}

func allFailed(ps []Probe) *trace.Error {
	for _, p := range ps {
		if p.GET.Err == nil || p.Preflight.Err == nil {
			return nil
		}
	}
	return ps[0].GET.Err
}

// runProbe sends one origin both ways.
func runProbe(ctx context.Context, cfg *Config, r *Request, ps probeSpec, send Sender) Probe {
	p := Probe{Class: ps.class, Origin: ps.origin}
	get := append([]trace.Header{{Name: "Origin", Value: ps.origin}}, r.Headers...)
	if r.Credentials && r.Cookie != "" {
		get = append(get, trace.Header{Name: "Cookie", Value: r.Cookie})
	}
	p.GET = probeOnce(ctx, cfg, send, "GET", get, ps.origin)
	pre := []trace.Header{
		{Name: "Access-Control-Request-Method", Value: "PUT"},
		{Name: "Access-Control-Request-Headers", Value: "authorization," + probeHeader},
		{Name: "Origin", Value: ps.origin},
		{Name: "Sec-Fetch-Mode", Value: "cors"},
	}
	p.Preflight = probeOnce(ctx, cfg, send, "OPTIONS", pre, ps.origin)
	return p
}

func probeOnce(ctx context.Context, cfg *Config, send Sender, method string, hs []trace.Header, origin string) ProbeResult {
	o := cfg.Net
	o.URL, o.Method, o.Headers, o.Body, o.Head, o.FollowRedirects = cfg.URL, method, edits(hs), nil, false, false
	o.ContentType, o.User, o.Output, o.OutputName = "", nil, nil, ""
	res := send(ctx, &o)
	if res.Err != nil || len(res.Hops) == 0 || res.Hops[len(res.Hops)-1].Response == nil {
		err := res.Err
		if err == nil {
			err = &trace.Error{Phase: trace.PhaseReceive, Kind: trace.KindReceive, Message: "no response"}
		}
		return ProbeResult{Err: err}
	}
	resp := res.Hops[len(res.Hops)-1].Response
	pr := ProbeResult{Status: resp.Status}
	pr.ACAO, _ = headerValue(resp.Headers, hACAO)
	pr.ACAC, _ = headerValue(resp.Headers, hACAC)
	pr.ACAM, _ = headerValue(resp.Headers, hACAM)
	pr.ACAH, _ = headerValue(resp.Headers, hACAH)
	pr.Vary, _ = headerValue(resp.Headers, hVary)
	lines := countHeader(resp.Headers, hACAO)
	// An echoed probe may hold a comma itself: that is a reflection, not a list.
	pr.Multiple = lines > 1 || strings.ContainsAny(pr.ACAO, ", ") && pr.ACAO != origin
	pr.Allowed = pr.ACAO == origin && lines == 1
	return pr
}

func countHeader(hs []trace.Header, name string) int {
	n := 0
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			n++
		}
	}
	return n
}

// findings groups the hits by class, the passive ones included.
func findings(ps []Probe) []Finding {
	byClass := map[string]*Finding{}
	var order []string
	add := func(class, origin, via string, creds bool) {
		f := byClass[class]
		if f == nil {
			txt := classText[class]
			f = &Finding{Class: class, Message: txt[0], Fix: txt[1]}
			byClass[class] = f
			order = append(order, class)
		}
		if origin != "" && !contains(f.Origins, origin) {
			f.Origins = append(f.Origins, origin)
		}
		if !contains(f.Via, via) {
			f.Via = append(f.Via, via)
		}
		f.Credentials = f.Credentials || creds
	}
	for _, p := range ps {
		for _, x := range []struct {
			via string
			r   ProbeResult
		}{{"GET", p.GET}, {"preflight", p.Preflight}} {
			activeHit(p, x.via, x.r, add)
			passiveHits(p, x.via, x.r, add)
		}
	}
	out := make([]Finding, 0, len(order))
	for _, c := range order {
		f := byClass[c]
		f.Severity = findingSeverity(f)
		out = append(out, *f)
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return sevRank(b.Severity) - sevRank(a.Severity) })
	return out
}

func activeHit(p Probe, via string, r ProbeResult, add func(string, string, string, bool)) {
	if r.Allowed && p.Class != ClassBaseline {
		add(p.Class, p.Origin, via, r.ACAC == "true")
	}
}

func passiveHits(p Probe, via string, r ProbeResult, add func(string, string, string, bool)) {
	switch {
	case r.Err != nil:
		return
	case r.ACAO == "*":
		add(ClassWildcard, "", via, r.ACAC == "true")
	case r.Multiple:
		add(ClassMultiple, p.Origin, via, false)
	case r.Allowed && p.Origin != "null" && !varyOrigin(r.Vary):
		add(ClassNoVary, p.Origin, via, r.ACAC == "true")
	}
	if via != "preflight" {
		return
	}
	if acah, _ := ParseTokenList(r.ACAH); containsFold(acah, probeHeader) {
		add(ClassHeadersReflect, p.Origin, via, false)
	}
	if acam, _ := ParseTokenList(r.ACAM); contains(acam, "*") {
		add(ClassMethodsWildcard, p.Origin, via, false)
	}
}

func varyOrigin(v string) bool {
	for e := range strings.SplitSeq(v, ",") {
		e = strings.Trim(e, " \t")
		if strings.EqualFold(e, "origin") || e == "*" {
			return true
		}
	}
	return false
}

// findingSeverity: the classes' own, raised with credentials.
func findingSeverity(f *Finding) string {
	switch f.Class {
	case ClassWildcard, ClassHeadersReflect, ClassMethodsWildcard:
		return SeverityLow
	case ClassMultiple:
		return SeverityInfo
	case ClassNoVary:
		return SeverityMedium
	}
	return severity(f.Class, f.Credentials)
}

func sevRank(s string) int {
	switch s {
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}
