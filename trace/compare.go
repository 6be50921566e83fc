package trace

import (
	"context"
	"strings"
)

// Protocol comparison (--compare-protocols): the same URL traced over
// HTTP/1.1, HTTP/2 and HTTP/3 one after the other, each on a fresh
// connection with a full handshake (no TLS resumption, no 0-RTT, no
// Alt-Svc cache between them), so the phases compare what each protocol
// costs from cold. DNS is asked anew each time (reqtrace keeps no DNS
// cache), so the first run does not pay for the others.

// ProtocolRun is one protocol's trace in a comparison.
type ProtocolRun struct {
	Protocol string // "HTTP/1.1", "HTTP/2", "HTTP/3"
	Result   *Result
	// Failed says why the protocol could not be compared: the trace's
	// error, or the server answering in another protocol (ALPN chose
	// http/1.1 when h2 was asked); empty when it ran as asked.
	Failed string
}

// Comparison is a --compare-protocols run.
type Comparison struct {
	URL  string
	Runs []ProtocolRun
}

// comparedProtocols are the protocols compared, with the option that
// forces each and the response proto it must come back in.
var comparedProtocols = []struct{ name, http, proto string }{
	{"HTTP/1.1", "1.1", "HTTP/1.1"},
	{"HTTP/2", "2", "HTTP/2.0"},
	{"HTTP/3", "3-only", "HTTP/3.0"},
}

// Compare traces o's URL once per protocol. each, when set, sees every
// Result as it completes (to annotate it). A protocol that fails does not
// stop the others.
func Compare(ctx context.Context, o *Options, each func(*Result)) *Comparison {
	c := &Comparison{URL: o.URL.String()}
	for _, p := range comparedProtocols {
		if ctx.Err() != nil {
			break
		}
		po := *o
		po.HTTP, po.NoSessionID, po.H3Alternative = p.http, true, nil
		res := Do(ctx, &po)
		if each != nil {
			each(res)
		}
		c.Runs = append(c.Runs, ProtocolRun{Protocol: p.name, Result: res, Failed: failedAs(res, p.proto)})
	}
	return c
}

// failedAs says why res is not a trace over proto, or "".
func failedAs(res *Result, proto string) string {
	if len(res.Hops) == 0 {
		if res.Err != nil {
			return res.Err.Message
		}
		return "no request was sent"
	}
	h := res.Hops[0]
	if h.Response != nil && h.Response.Proto != proto {
		why := "the server answered in " + h.Response.Proto
		if h.TLS != nil && !strings.HasPrefix(proto, "HTTP/1") {
			why += " (ALPN: " + cmpStr(h.TLS.ALPN, "none") + ")"
		}
		return why
	}
	if res.Err != nil && h.Response == nil {
		return res.Err.Message
	}
	return ""
}

func cmpStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
