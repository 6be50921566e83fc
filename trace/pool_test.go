package trace_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// labOptions is the lab's shared settings for a pool, and for each of
// its requests with the URL set.
func labOptions(t *testing.T, lab *tracetest.Lab, rawURL string) *trace.Options {
	t.Helper()
	o := &trace.Options{DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
		HostsFile: lab.HostsFile, CACert: lab.CAPEM, MaxTime: 20 * time.Second}
	if rawURL != "" {
		u, err := trace.ParseURL(rawURL)
		if err != nil {
			t.Fatalf("ParseURL(%q): %v", rawURL, err)
		}
		o.URL = u
	}
	return o
}

func newPool(t *testing.T, lab *tracetest.Lab) *trace.Pool {
	t.Helper()
	p, err := trace.NewPool(labOptions(t, lab, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// doAll runs every URL on the pool at once and returns the results in order.
func doAll(t *testing.T, lab *tracetest.Lab, p *trace.Pool, urls []string) []*trace.Result {
	t.Helper()
	out := make([]*trace.Result, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		o := labOptions(t, lab, u)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = p.Do(context.Background(), o)
		}()
	}
	wg.Wait()
	return out
}

func repeatURL(n int, u string) []string {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = u
	}
	return urls
}

func conns(t *testing.T, rs []*trace.Result) map[int]int {
	t.Helper()
	ids := map[int]int{}
	for i, r := range rs {
		if r.Err != nil {
			t.Fatalf("request %d failed: %s/%s: %s", i, r.Err.Phase, r.Err.Kind, r.Err.Message)
		}
		ids[r.Hops[0].ConnID]++
	}
	return ids
}

func TestPoolHTTP1SixConnectionsPerOrigin(t *testing.T) {
	lab := tracetest.New(t)
	p := newPool(t, lab)
	const delay = 300 * time.Millisecond
	rs := doAll(t, lab, p, repeatURL(12, lab.URL("https", "pool.h1only.lab.test", "/wait/300")))
	ids := conns(t, rs)
	if len(ids) != trace.PoolPerOrigin {
		t.Fatalf("%d connections %v, want %d", len(ids), ids, trace.PoolPerOrigin)
	}
	blocked := 0
	for i, r := range rs {
		h := r.Hops[0]
		if h.Response.Proto != "HTTP/1.1" {
			t.Fatalf("request %d over %s", i, h.Response.Proto)
		}
		if h.Connect.Reused {
			// It waited for one of the first six to finish its /wait/300.
			blocked++
			within(t, "blocked", h.Timings.Blocked, delay)
		}
		within(t, "wait", h.Timings.Wait, delay)
	}
	if blocked != 12-trace.PoolPerOrigin {
		t.Errorf("%d requests reused a connection, want %d", blocked, 12-trace.PoolPerOrigin)
	}
}

func TestPoolHTTP2OneConnection(t *testing.T) {
	lab := tracetest.New(t)
	p := newPool(t, lab)
	rs := doAll(t, lab, p, repeatURL(12, lab.URL("https", "pool.lab.test", "/wait/100")))
	ids := conns(t, rs)
	if len(ids) != 1 {
		t.Fatalf("%d connections %v, want 1", len(ids), ids)
	}
	for i, r := range rs {
		h := r.Hops[0]
		if h.Response.Proto != "HTTP/2.0" {
			t.Fatalf("request %d over %s", i, h.Response.Proto)
		}
		within(t, "wait", h.Timings.Wait, 100*time.Millisecond)
	}
}

// rawH2Streams serves HTTP/2 by hand on one TLS connection at a time:
// each stream's request for /wait/{ms} is answered after ms, the streams
// interleaved, with header fields in an order no map gives back, naming
// the stream and the path they answer.
func rawH2Streams(t *testing.T, lab *tracetest.Lab, name string) string {
	t.Helper()
	cert, err := lab.Certificate(name)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serveH2Streams(c, &wg)
			}()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func serveH2Streams(c net.Conn, wg *sync.WaitGroup) {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil {
		return
	}
	var wmu sync.Mutex // the framer and the encoder: one block at a time, in order
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100})
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				wmu.Lock()
				fr.WriteSettingsAck()
				wmu.Unlock()
			}
		case *http2.MetaHeadersFrame:
			id, path := f.StreamID, f.PseudoValue("path")
			ms, _ := strconv.Atoi(strings.TrimPrefix(path, "/wait/"))
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(ms) * time.Millisecond)
				wmu.Lock()
				defer wmu.Unlock()
				buf.Reset()
				for _, hf := range []hpack.HeaderField{{Name: ":status", Value: "200"}, {Name: "z-stream", Value: strconv.Itoa(int(id))},
					{Name: "m-path", Value: path}, {Name: "a-last", Value: "x"}} {
					enc.WriteField(hf)
				}
				fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: buf.Bytes(), EndHeaders: true})
				fr.WriteData(id, true, []byte("ok\n"))
			}()
		}
	}
}

// TestPoolHTTP2ConcurrentStreams: 12 requests at once multiplex on one
// connection, each on its own stream, each with its own wait and its own
// response's headers in wire order.
func TestPoolHTTP2ConcurrentStreams(t *testing.T) {
	lab := tracetest.New(t)
	port := rawH2Streams(t, lab, "www.lab.test")
	p := newPool(t, lab)
	var urls []string
	for i := range 12 {
		urls = append(urls, fmt.Sprintf("https://www.lab.test:%s/wait/%d", port, 300-20*i))
	}
	start := time.Now()
	rs := doAll(t, lab, p, urls)
	elapsed := time.Since(start)
	if ids := conns(t, rs); len(ids) != 1 {
		t.Fatalf("%d connections %v, want 1", len(ids), ids)
	}
	streams := map[uint32]bool{}
	for i, r := range rs {
		h := r.Hops[0]
		path := fmt.Sprintf("/wait/%d", 300-20*i)
		if h.Stream == 0 || h.Stream%2 == 0 || streams[h.Stream] {
			t.Errorf("request %d: stream %d (seen: %v)", i, h.Stream, streams)
		}
		streams[h.Stream] = true
		want := []trace.Header{{"z-stream", strconv.Itoa(int(h.Stream))}, {"m-path", path}, {"a-last", "x"}}
		if !equalJSON(h.Response.Headers, want) {
			t.Errorf("request %d: headers %v, want %v", i, h.Response.Headers, want)
		}
		within(t, "wait", h.Timings.Wait, time.Duration(300-20*i)*time.Millisecond)
	}
	// One at a time the requests would take 12 × their mean of 190 ms.
	if serial := 12 * 190 * time.Millisecond; elapsed >= serial {
		t.Errorf("12 requests took %v: not concurrent (serially %v)", elapsed, serial)
	}
}
