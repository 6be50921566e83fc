// Package pagetest builds page.Results by hand, with fixed times and the
// engine's own types and notes, for the tests of package page and of the
// renderers: golden files must never depend on the network or the clock.
package pagetest

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/page/discover"
)

// Started is when every fixture's page load began.
var Started = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// MS turns milliseconds into a duration.
func MS(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

// Hop describes one exchange of a request.
type Hop struct {
	URL  string
	Conn int
	// New: the hop opened its connection, so DNS, TCP and TLS (for https)
	// were timed; otherwise it reused one.
	New               bool
	Proto             string // default HTTP/2.0
	Address           string // default 192.0.2.<conn>:443
	DNS, Connect, TLS float64
	Wait, Receive     float64
	Status            int // default 200
	Headers           []trace.Header
	Body              int64 // body bytes on the wire
	Decoded           int64 // after Content-Encoding; 0 means Body
	Preview           []byte
	Err               *trace.Error
	Informational     []trace.Informational
	RequestHeaders    []trace.Header
}

// Req describes one resource of the page and its hops.
type Req struct {
	URL        string
	Type       string
	Init       int // the initiator's index; -1 for the document
	Kind       string
	Line       int
	Blocking   bool
	Async      bool
	Priority   string
	Discovered float64 // ms from the page's start
	Queued     float64
	Cache      string
	Image      *page.ImageSize
	Hops       []Hop
}

// Build turns the descriptions into a page.Result, the hops annotated by
// the engine's own annotate.Result as a trace would be, the connections
// listed from the hops. Summarize is left to the caller.
func Build(pageURL string, reqs []Req) *page.Result {
	res := &page.Result{URL: pageURL, Started: Started}
	conns := map[int]int{} // conn id -> index in res.Connections
	for _, rq := range reqs {
		r := page.Request{
			URL: rq.URL, Type: rq.Type, Priority: rq.Priority, RenderBlocking: rq.Blocking, Async: rq.Async,
			Discovered: MS(rq.Discovered), Queued: MS(rq.Queued), Cache: rq.Cache, Image: rq.Image,
			Initiator: page.Initiator{Kind: rq.Kind, Request: rq.Init, Line: rq.Line},
		}
		if r.Priority == "" {
			r.Priority = discover.PriorityHigh
		}
		if rq.Init >= 0 && rq.Init < len(res.Requests) {
			r.Initiator.URL = res.Requests[rq.Init].URL
		}
		if rq.Cache != page.CacheFresh {
			r.Trace = buildTrace(rq.URL, Started.Add(r.Start()), rq.Hops)
			for _, h := range r.Trace.Hops {
				if h.Response != nil {
					r.TransferBytes += h.Response.HeadBytes + h.Response.BodyBytes
					r.DecodedBytes += max(h.Response.DecodedBytes, 0)
				}
				if i, ok := conns[h.ConnID]; ok {
					res.Connections[i].Requests++
					continue
				}
				conns[h.ConnID] = len(res.Connections)
				res.Connections = append(res.Connections, page.Connection{
					ID: h.ConnID, Origin: page.Origin(h.URL), Address: h.Connect.Address,
					Proto: h.Request.Proto, Opened: h.Started.Sub(Started), Requests: 1,
				})
			}
		}
		res.Requests = append(res.Requests, r)
	}
	last, blocking := time.Duration(0), time.Duration(0)
	for _, r := range res.Requests {
		if !r.Async {
			last = max(last, r.End())
		}
		if r.RenderBlocking {
			blocking = max(blocking, r.End())
		}
	}
	if len(res.Requests) > 0 {
		res.DOMContentLoaded = max(res.Requests[0].End(), blocking)
	}
	res.Load = last
	return res
}

func buildTrace(u string, at time.Time, hops []Hop) *trace.Result {
	tr := &trace.Result{URL: u, Started: at}
	for i, hs := range hops {
		if hs.URL == "" {
			hs.URL = u
		}
		h := buildHop(hs, at)
		if i < len(hops)-1 && h.Response != nil {
			next := hops[i+1].URL
			h.Redirect = &trace.Redirect{Location: next, Method: "GET", Rule: fmt.Sprintf("%d: the next request is a GET", h.Response.Status),
				CrossOrigin: page.Origin(next) != page.Origin(hs.URL), Followed: true}
		}
		at = at.Add(h.Timings.Total)
		if h.Err != nil && tr.Err == nil {
			tr.Err = h.Err
		}
		tr.Hops = append(tr.Hops, h)
	}
	annotate.Result(tr, at)
	return tr
}

func buildHop(hs Hop, at time.Time) trace.Hop {
	pu, _ := url.Parse(hs.URL)
	https := pu.Scheme == "https"
	proto := hs.Proto
	if proto == "" {
		proto = "HTTP/2.0"
	}
	addr := hs.Address
	if addr == "" {
		port := "443"
		if !https {
			port = "80"
		}
		addr = fmt.Sprintf("192.0.2.%d:%s", hs.Conn, port)
	}
	status := hs.Status
	if status == 0 {
		status = 200
	}
	target := pu.RequestURI()
	h := trace.Hop{
		URL: hs.URL, Started: at, ConnID: hs.Conn,
		Request: trace.Request{Method: "GET", Target: target, Proto: proto, HeadBytes: int64(60 + len(target)),
			Headers: append([]trace.Header{{Name: "user-agent", Value: "reqtrace/0.1"}, {Name: "accept", Value: "*/*"}}, hs.RequestHeaders...)},
		Connect:       &trace.Connect{Address: addr, Reused: !hs.New},
		Informational: hs.Informational,
		Timings:       trace.Timings{Skipped: map[string]string{}},
	}
	var t time.Duration
	spanOf := func(ms float64) *trace.Span {
		s := &trace.Span{Start: t, Duration: MS(ms)}
		t += MS(ms)
		return s
	}
	if hs.New {
		h.DNS = &trace.DNS{Host: pu.Hostname(), Source: trace.SourceDNS, Server: "127.0.0.53:53", Rcode: "NOERROR",
			Name: pu.Hostname() + ".", Addresses: []string{strings.Split(addr, ":")[0]}, Duration: MS(hs.DNS),
			Records: []trace.Record{{Name: pu.Hostname() + ".", Type: "A", TTL: 300, Value: strings.Split(addr, ":")[0]}}}
		h.Timings.DNS = spanOf(hs.DNS)
		h.Timings.Connect = spanOf(hs.Connect)
		h.Connect.Duration = MS(hs.Connect)
		h.Connect.Local = fmt.Sprintf("192.0.2.99:%d", 40000+hs.Conn)
		h.Connect.Attempts = []trace.Attempt{{Address: addr, Start: h.Timings.Connect.Start, Duration: MS(hs.Connect)}}
		if https {
			h.Timings.TLS = spanOf(hs.TLS)
			alpn := "h2"
			if strings.HasPrefix(proto, "HTTP/1") {
				alpn = "http/1.1"
			}
			h.TLS = &trace.TLS{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ALPN: alpn, Group: "X25519",
				ServerName: pu.Hostname(), Verified: true, Verify: trace.VerifyOK, Duration: MS(hs.TLS),
				Certificates: []trace.Certificate{{Subject: "CN=" + pu.Hostname(), Issuer: "CN=Example Test CA",
					DNSNames: []string{pu.Hostname()}, NotBefore: Started.AddDate(0, -1, 0), NotAfter: Started.AddDate(0, 2, 0),
					SerialNumber: "01", SignatureAlgorithm: "ECDSA-SHA256", PublicKey: "ECDSA P-256"}}}
		} else {
			h.Timings.Skipped[trace.PhaseTLS] = "http:// has no TLS"
		}
	} else {
		for _, p := range []string{trace.PhaseDNS, trace.PhaseConnect, trace.PhaseTLS} {
			h.Timings.Skipped[p] = "reused connection #" + fmt.Sprint(hs.Conn)
		}
	}
	h.Timings.Send = spanOf(0.1)
	h.Timings.Wait = spanOf(hs.Wait)
	if hs.Err != nil {
		h.Err = hs.Err
		h.Timings.Wait = nil
		h.Timings.Total = t
		return h
	}
	h.Timings.Receive = spanOf(hs.Receive)
	h.Timings.Total = t
	decoded := hs.Decoded
	if decoded == 0 {
		decoded = hs.Body
	}
	headers := append([]trace.Header{{Name: "Date", Value: at.UTC().Format(time.RFC1123)}}, hs.Headers...)
	headBytes := int64(17)
	for _, f := range headers {
		headBytes += int64(len(f.Name) + len(f.Value) + 4)
	}
	h.Response = &trace.Response{Proto: proto, Status: status, Headers: headers, HeadBytes: headBytes,
		BodyBytes: hs.Body, DecodedBytes: decoded, BodyPreview: hs.Preview}
	if strings.HasPrefix(proto, "HTTP/1") {
		h.Response.Reason = httpReason(status)
		h.Response.StatusLine = fmt.Sprintf("%s %d %s", proto, status, h.Response.Reason)
	}
	return h
}

func httpReason(s int) string {
	switch s {
	case 200:
		return "OK"
	case 301:
		return "Moved Permanently"
	case 304:
		return "Not Modified"
	case 404:
		return "Not Found"
	case 500:
		return "Internal Server Error"
	}
	return ""
}

// H is a response header.
func H(name, value string) trace.Header { return trace.Header{Name: name, Value: value} }

// Text is n bytes of repetitive CSS, which compresses as real CSS does.
func Text(n int) []byte {
	const rule = ".card{margin:0 auto;padding:12px 16px;border:1px solid #ddd;color:#333}\n"
	return []byte(strings.Repeat(rule, n/len(rule)+1)[:n])
}
