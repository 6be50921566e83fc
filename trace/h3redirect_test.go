package trace_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// protos lists each hop's response protocol ("-" for none).
func protos(r *trace.Result) string {
	var out []string
	for _, h := range r.Hops {
		p := "-"
		if h.Response != nil {
			p = h.Response.Proto
		}
		out = append(out, p)
	}
	return strings.Join(out, " ")
}

// redirectTo is a lab URL that redirects to target.
func redirectTo(lab *tracetest.Lab, scheme, host, target string) string {
	return lab.URL(scheme, host, "/redirect-to?url="+url.QueryEscape(target))
}

// -L across protocols with --http3: every https:// origin is tried over
// QUIC, whatever the hop before it used; http:// hops stay on TCP.
func TestRedirectAcrossProtocolsH3(t *testing.T) {
	lab := tracetest.New(t)
	h3 := lab.URL("https", "www.lab.test", "/")
	for _, c := range []struct {
		name, url, http string
		want            string
	}{
		{"h1 to h3", redirectTo(lab, "http", "www.lab.test", h3), "3", "HTTP/1.1 HTTP/3.0"},
		{"h3 to h1", redirectTo(lab, "https", "www.lab.test", lab.URL("http", "www.lab.test", "/")), "3", "HTTP/3.0 HTTP/1.1"},
		// noquic's UDP is "filtered": hop 1 falls back to HTTP/2, hop 2
		// to another origin goes over QUIC again.
		{"h2 (fallback) to h3", redirectTo(lab, "https", "noquic.lab.test", h3), "3", "HTTP/2.0 HTTP/3.0"},
		{"h3 to h3", lab.URL("https", "www.lab.test", "/redirect/1"), "3-only", "HTTP/3.0 HTTP/3.0"},
	} {
		o := labOptions(t, lab, c.url)
		o.HTTP, o.FollowRedirects, o.MaxRedirects, o.ConnectTimeout = c.http, true, -1, 300*time.Millisecond
		r := trace.Do(context.Background(), o)
		if r.Err != nil || protos(r) != c.want {
			t.Errorf("%s: %s, want %s (err %v)", c.name, protos(r), c.want, r.Err)
			continue
		}
		last := r.Hops[len(r.Hops)-1]
		if c.want == "HTTP/3.0 HTTP/3.0" {
			// The same origin: the second hop goes on the first's QUIC
			// connection, as over HTTP/2, with no handshake of its own.
			if last.Timings.QUIC != nil || last.ConnID != r.Hops[0].ConnID || last.Connect == nil || !last.Connect.Reused || last.QUIC == nil {
				t.Errorf("%s: hop 2 quic %v, conn %d after %d", c.name, last.Timings.QUIC, last.ConnID, r.Hops[0].ConnID)
			}
			continue
		}
		if strings.HasSuffix(c.want, "HTTP/3.0") && (last.QUIC == nil || last.Timings.QUIC == nil || last.Timings.Connect != nil) {
			t.Errorf("%s: last hop quic %+v, timings %+v", c.name, last.QUIC, last.Timings)
		}
	}
}

// --retry over HTTP/3: a 503 is retried as over TCP, on the same QUIC
// connection (as over TCP, the retry reuses it), and the retried attempt
// is kept.
func TestRetryOverH3(t *testing.T) {
	lab := tracetest.New(t)
	o := labOptions(t, lab, lab.URL("https", "www.lab.test", "/status/503"))
	o.HTTP, o.Retry, o.RetryDelay = "3-only", 1, 10*time.Millisecond
	r := trace.Do(context.Background(), o)
	if h := r.Hops[0]; len(r.Retries) != 1 || r.Retries[0].Status != 503 || protos(r) != "HTTP/3.0" || h.QUIC == nil || h.Connect == nil || !h.Connect.Reused {
		t.Errorf("retries %+v, protos %s", r.Retries, protos(r))
	}
}

// OnResponse hands each response to the caller as its hop ends, before
// the next hop starts: what --alt-svc's cache learns from.
func TestOnResponseEachHop(t *testing.T) {
	lab := tracetest.New(t)
	o := labOptions(t, lab, lab.URL("https", "www.lab.test", "/redirect/2"))
	o.FollowRedirects, o.MaxRedirects = true, -1
	var mu sync.Mutex
	var seen []string
	o.Progress = func(e trace.ProgressEvent) {
		if e.Kind == trace.ProgressHop {
			mu.Lock()
			seen = append(seen, "hop "+e.URL)
			mu.Unlock()
		}
	}
	o.OnResponse = func(u *url.URL, r *trace.Response) {
		mu.Lock()
		loc := ""
		for _, h := range r.Headers {
			if strings.EqualFold(h.Name, "Location") {
				loc = h.Value
			}
		}
		seen = append(seen, "response "+u.Path+" "+r.Proto+" "+loc+" "+string(r.BodyPreview))
		mu.Unlock()
	}
	r := trace.Do(context.Background(), o)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	base := strings.TrimSuffix(lab.URL("https", "www.lab.test", "/"), "/")
	want := []string{
		"hop " + base + "/redirect/2", "response /redirect/2 HTTP/2.0 /redirect/1 redirecting\n",
		"hop " + base + "/redirect/1", "response /redirect/1 HTTP/2.0 /redirect/0 redirecting\n",
		"hop " + base + "/redirect/0", "response /redirect/0 HTTP/2.0  redirects done\n",
	}
	if strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Errorf("events:\n%q\nwant\n%q", seen, want)
	}
}
