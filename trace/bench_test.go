package trace

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// Benchmarks of the parsers that read untrusted bytes on the hot path, and
// of whole traces against the lab. Measured, not asserted:
//
//	go test -run '^$' -bench . -benchmem ./trace/
//
// examples/bench compares the binary with curl.

func benchHead(lines int) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	for i := range lines {
		fmt.Fprintf(&b, "X-Header-%d: some value of a typical length, %d\r\n", i, i)
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func BenchmarkReadHead(b *testing.B) {
	for _, lines := range []int{12, 1000, 5000} {
		head := benchHead(lines)
		b.Run(fmt.Sprintf("%d-lines", lines), func(b *testing.B) {
			b.SetBytes(int64(len(head)))
			b.ReportAllocs()
			r := bytes.NewReader(head)
			br := bufio.NewReaderSize(r, 4096)
			for b.Loop() {
				r.Reset(head)
				br.Reset(r)
				if _, err := readHead(br); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkH2TapData measures what watching the frames costs a body: DATA
// frames are skipped without a copy.
func BenchmarkH2TapData(b *testing.B) {
	var wire bytes.Buffer
	fr := http2.NewFramer(&wire, nil)
	payload := bytes.Repeat([]byte("x"), 16<<10)
	for range 64 { // 1 MiB of body
		fr.WriteData(1, false, payload)
	}
	frames := wire.Bytes()
	b.SetBytes(int64(len(frames)))
	b.ReportAllocs()
	for b.Loop() {
		t := newH2Tap(nil)
		for p := frames; len(p) > 0; {
			n := min(len(p), 32<<10) // reads as a conn returns them
			t.scan(p[:n])
			p = p[n:]
		}
	}
}

func BenchmarkParseServerTiming(b *testing.B) {
	v := []string{`cache;desc="Cache Read";dur=23.2, db;dur=53, app;dur=47.2, edge;desc="edge \"pop\"", total;dur=123.4`}
	b.ReportAllocs()
	for b.Loop() {
		ParseServerTiming(v)
	}
}

// BenchmarkDo runs whole traces against the lab: a fresh session each
// time, so DNS, TCP and TLS are all included.
func BenchmarkDo(b *testing.B) {
	lab := tracetest.New(b)
	for _, c := range []struct{ name, url, http string }{
		{"http", lab.URL("http", "www.lab.test", "/"), ""},
		{"https-h1", lab.URL("https", "www.lab.test", "/"), "1.1"},
		{"https-h2", lab.URL("https", "www.lab.test", "/"), ""},
	} {
		u, err := ParseURL(c.url)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res := Do(context.Background(), &Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
					HostsFile: lab.HostsFile, CACert: lab.CAPEM, HTTP: c.http, MaxTime: 10 * time.Second})
				if res.Err != nil {
					b.Fatal(res.Err.Message)
				}
			}
		})
	}
}

// BenchmarkBody streams a 64 MiB body through Do: MB/s is the throughput
// of the whole client (the lab's server shares the process and the CPUs).
func BenchmarkBody(b *testing.B) {
	lab := tracetest.New(b)
	const size = 64 << 20
	for _, c := range []struct{ name, scheme, http string }{
		{"http", "http", ""}, {"https-h1", "https", "1.1"}, {"https-h2", "https", ""},
	} {
		u, err := ParseURL(lab.URL(c.scheme, "www.lab.test", fmt.Sprintf("/bytes/%d", size)))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				res := Do(context.Background(), &Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
					HostsFile: lab.HostsFile, CACert: lab.CAPEM, HTTP: c.http, MaxTime: time.Minute})
				if res.Err != nil || res.Hops[0].Response.BodyBytes != size {
					b.Fatalf("%+v", res.Err)
				}
			}
		})
	}
}
