package trace_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2/hpack"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// TestHeadHasNoBody: a HEAD response's Content-Length tells the size of
// the body a GET would get; no body follows, over HTTP/1.1 or HTTP/2
// (real servers all send it; curl -I reads none).
func TestHeadHasNoBody(t *testing.T) {
	lab := tracetest.New(t)
	cases := []struct {
		name, scheme, http string
		head               bool
	}{
		{"http -I", "http", "", true},
		{"https h2 -I", "https", "", true},
		{"https h2 -X HEAD", "https", "", false},
		{"https --http1.1 -I", "https", "1.1", true},
	}
	for _, c := range cases {
		res := run(t, lab, lab.URL(c.scheme, "www.lab.test", "/bytes/100"), func(o *trace.Options) {
			o.HTTP = c.http
			if c.head {
				o.Head = true
			} else {
				o.Method = "HEAD"
			}
		})
		if res.Err != nil {
			t.Errorf("%s: %s/%s: %s", c.name, res.Err.Phase, res.Err.Kind, res.Err.Message)
			continue
		}
		r := res.Hops[0].Response
		if r.BodyBytes != 0 || headerOf(r.Headers, "Content-Length") != "100" || res.Hops[0].Request.Method != "HEAD" {
			t.Errorf("%s: %s, body %d bytes, Content-Length %q", c.name, r.Proto, r.BodyBytes, headerOf(r.Headers, "Content-Length"))
		}
	}
}

// TestNotModifiedOverHTTP2HasNoBody: a 304 may carry the Content-Length
// of the stored body; the stream ends with the head.
func TestNotModifiedOverHTTP2HasNoBody(t *testing.T) {
	lab := tracetest.New(t)
	port := rawH2Server(t, lab, []hpack.HeaderField{{Name: ":status", Value: "304"}, {Name: "content-length", Value: "100"}, {Name: "etag", Value: `"v1"`}})
	hop := ok(t, run(t, lab, "https://www.lab.test:"+port+"/"))
	if hop.Response.Status != 304 || hop.Response.BodyBytes != 0 {
		t.Errorf("status %d, body %d", hop.Response.Status, hop.Response.BodyBytes)
	}
}

// TestPhasesAddUpToTheTotal: on a reused connection the hop starts with
// the send phase and every phase starts where the one before ended, so
// the phases add up to the total (a wait before the send once added a
// millisecond no phase showed). A new connection's send starts when its
// last connection phase ends.
func TestPhasesAddUpToTheTotal(t *testing.T) {
	lab := tracetest.New(t)
	for _, c := range []struct{ scheme, http string }{{"http", ""}, {"https", "1.1"}, {"https", ""}} {
		res := run(t, lab, lab.URL(c.scheme, "www.lab.test", "/redirect/3"), follow, func(o *trace.Options) { o.HTTP = c.http })
		ok(t, res)
		for i, hop := range res.Hops {
			tm := hop.Timings
			ready := tm.TLS
			if ready == nil {
				ready = tm.Connect
			}
			if i > 0 {
				ready = &trace.Span{}
			}
			if !hop.Connect.Reused != (i == 0) || tm.Send == nil || tm.Wait == nil || tm.Receive == nil {
				t.Fatalf("%s %s hop %d: reused %v, phases %+v", c.scheme, c.http, i, hop.Connect.Reused, tm)
			}
			if tm.Send.Start != ready.End() || tm.Wait.Start != tm.Send.End() || tm.Receive.Start != tm.Wait.End() || tm.Total != tm.Receive.End() {
				t.Errorf("%s %s hop %d: send %+v wait %+v receive %+v total %v: the phases leave gaps", c.scheme, c.http, i, *tm.Send, *tm.Wait, *tm.Receive, tm.Total)
			}
			if i > 0 && tm.Total != tm.Send.Duration+tm.Wait.Duration+tm.Receive.Duration {
				t.Errorf("%s %s hop %d: total %v is not the sum of its phases", c.scheme, c.http, i, tm.Total)
			}
		}
	}
}

// TestReasonPhraseAsReceived: the phrase is the server's, an empty one
// stays empty (no registry name is made up), 1xx lines keep theirs, and
// the status lines are kept as received for -D.
func TestReasonPhraseAsReceived(t *testing.T) {
	lab := tracetest.New(t)
	addr := rawServer(t, "HTTP/1.1 100 Continue Please\r\n\r\nHTTP/1.1 418\r\nContent-Length: 0\r\n\r\n")
	hop := ok(t, run(t, lab, "http://"+addr+"/"))
	r := hop.Response
	if r.Status != 418 || r.Reason != "" || r.StatusLine != "HTTP/1.1 418" {
		t.Errorf("final: %d %q line %q", r.Status, r.Reason, r.StatusLine)
	}
	if len(hop.Informational) != 1 || hop.Informational[0].Reason != "Continue Please" || hop.Informational[0].StatusLine != "HTTP/1.1 100 Continue Please" {
		t.Errorf("informational: %+v", hop.Informational)
	}
}

// TestTrailersKept: trailer fields after a chunked body (HTTP/1.1) or in
// the trailing HEADERS frame (h2) are kept in the Response.
func TestTrailersKept(t *testing.T) {
	lab := tracetest.New(t)
	for _, h := range []string{"1.1", ""} {
		hop := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/trailers"), func(o *trace.Options) { o.HTTP = h }))
		r := hop.Response
		if len(r.Trailers) != 1 || !strings.EqualFold(r.Trailers[0].Name, "X-Checksum") || r.Trailers[0].Value != tracetest.TrailerChecksum ||
			string(r.BodyPreview) != tracetest.ChunkedBody {
			t.Errorf("%s: trailers %+v body %q", r.Proto, r.Trailers, r.BodyPreview)
		}
	}
}

// TestUploadWaitsForContinue: a -T upload sends Expect: 100-continue
// (HTTP/1.1, as curl) and its body after the 100, which is an
// Informational entry timed at the server's think time or later.
func TestUploadWaitsForContinue(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("http", "www.lab.test", "/upload?ms=60"), func(o *trace.Options) { o.Upload, o.Body = true, []byte("hello") })
	hop := ok(t, res)
	if headerOf(hop.Request.Headers, "Expect") != "100-continue" || string(hop.Response.BodyPreview) != "5 bytes\n" || hop.Request.BodyBytes != 5 {
		t.Fatalf("request %+v, answer %q", hop.Request.Headers, hop.Response.BodyPreview)
	}
	if len(hop.Informational) != 1 || hop.Informational[0].Status != 100 || hop.Informational[0].At < 60*time.Millisecond ||
		hop.Informational[0].At >= 60*time.Millisecond+slack {
		t.Errorf("informational %+v, want a 100 at 60 ms or later", hop.Informational)
	}
	if s := hop.Timings.Send; s.End() < hop.Informational[0].At {
		t.Errorf("send ends at %v, before the 100 at %v let the body go", s.End(), hop.Informational[0].At)
	}

	// A server that answers at once, without a 100, never gets the body.
	hop = ok(t, run(t, lab, lab.URL("http", "www.lab.test", "/upload?read=0"), func(o *trace.Options) { o.Upload, o.Body = true, []byte("hello") }))
	if hop.Response.Status != 417 || hop.Request.BodyBytes != 0 || len(hop.Informational) != 0 {
		t.Errorf("status %d, body sent %d, informational %+v", hop.Response.Status, hop.Request.BodyBytes, hop.Informational)
	}
	// Small -d data goes at once, without Expect.
	hop = ok(t, run(t, lab, lab.URL("http", "www.lab.test", "/upload"), func(o *trace.Options) { o.Body = []byte("hello") }))
	if headerOf(hop.Request.Headers, "Expect") != "" || len(hop.Informational) != 0 {
		t.Errorf("-d: Expect %q, informational %+v", headerOf(hop.Request.Headers, "Expect"), hop.Informational)
	}
}

// TestCustomMethodKeptOnRedirect: -X POST -L keeps POST after a 302, as
// curl does, without the body; the hop's rule says so.
func TestCustomMethodKeptOnRedirect(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("http", "www.lab.test", "/redirect-to?status=302&url=/echo"), follow,
		func(o *trace.Options) { o.Method, o.Body = "POST", []byte("x") })
	ok(t, res)
	rd := res.Hops[0].Redirect
	if rd == nil || rd.Method != "POST" || rd.KeepsBody || !strings.Contains(rd.Rule, "curl keeps -X POST") {
		t.Fatalf("redirect %+v", rd)
	}
	if last := res.Hops[1]; last.Request.Method != "POST" || last.Request.BodyBytes != 0 || headerOf(last.Request.Headers, "Content-Length") != "" {
		t.Errorf("second hop %+v", last.Request)
	}
}

// TestPriorKnowledgeToHTTP1Port: h2c by prior knowledge to a port that
// speaks only HTTP/1.1 says so, instead of a frame-size complaint.
func TestPriorKnowledgeToHTTP1Port(t *testing.T) {
	lab := tracetest.New(t)
	addr := rawServer(t, "HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request")
	res := run(t, lab, "http://"+addr+"/", func(o *trace.Options) { o.HTTP = "2-prior" })
	if e := res.Err; e == nil || e.Kind != trace.KindEmptyReply || !strings.Contains(e.Message, "speaks HTTP/1.1") || !strings.Contains(e.Hint, "--http2-prior-knowledge") {
		t.Errorf("err = %+v", e)
	}
}

// TestUploadWithoutAnswerSendsAfterAWhile: a server that never sends 100
// gets the body after curl's 1 s anyway; -m still bounds the wait.
func TestUploadWithoutAnswerSendsAfterAWhile(t *testing.T) {
	lab := tracetest.New(t)
	quiet := func(answer bool) string { // reads the head and the 5-byte body, never sends 100
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return "http://" + serveOnce(t, l, func(c net.Conn) {
			br := bufio.NewReader(c)
			for line, err := br.ReadString('\n'); err == nil && line != "\r\n"; line, err = br.ReadString('\n') {
			}
			if _, err := io.ReadFull(br, make([]byte, 5)); err == nil && answer {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
			io.Copy(io.Discard, br)
		}) + "/"
	}
	hop := ok(t, run(t, lab, quiet(true), func(o *trace.Options) { o.Upload, o.Body = true, []byte("hello") }))
	if hop.Response.Status != 200 || len(hop.Informational) != 0 || hop.Request.BodyBytes != 5 {
		t.Errorf("status %d, informational %+v, body sent %d", hop.Response.Status, hop.Informational, hop.Request.BodyBytes)
	}
	within(t, "send, the body held for a 100 that never came", hop.Timings.Send, time.Second)

	res := run(t, lab, quiet(false), func(o *trace.Options) {
		o.Upload, o.Body, o.MaxTime = true, []byte("hello"), 300*time.Millisecond
	})
	if e := res.Err; e == nil || e.Kind != trace.KindTimeout || res.Hops[0].Timings.Total < 300*time.Millisecond || res.Hops[0].Timings.Total >= 300*time.Millisecond+slack {
		t.Errorf("err %+v after %v", e, res.Hops[0].Timings.Total)
	}
}
