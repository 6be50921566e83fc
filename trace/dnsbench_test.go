package trace

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// BenchmarkResolve measures one DNS resolution against the lab's server on
// loopback, everything the engine records included (hosts file,
// resolv.conf, A and AAAA, records, per-query timings), next to the bare
// round trip of one query on a fresh socket (what kdig measures): the
// difference is the resolver's own overhead (issue 16: at most 0.3 ms over
// kdig's; a fresh process adds first-use costs, which examples/bench's
// table (d) measures against kdig itself).
//
//	go test -run '^$' -bench Resolve -benchtime 2000x ./trace/
func BenchmarkResolve(b *testing.B) {
	lab := tracetest.New(b)
	o := &Options{DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf, HostsFile: lab.HostsFile}
	b.Run("engine-A+AAAA", func(b *testing.B) {
		for b.Loop() {
			c := newClock()
			if _, _, err := resolveHost(context.Background(), o, c, "www.lab.test", 80, 0); err != nil {
				b.Fatal(err.Message)
			}
		}
	})
	b.Run("engine-A", func(b *testing.B) {
		o4 := *o
		o4.IPVersion = 4
		for b.Loop() {
			if _, _, err := resolveHost(context.Background(), &o4, newClock(), "www.lab.test", 80, 0); err != nil {
				b.Fatal(err.Message)
			}
		}
	})
	b.Run("bare-udp-A", func(b *testing.B) {
		m := new(dns.Msg).SetQuestion("www.lab.test.", dns.TypeA)
		m.SetEdns0(ednsBufferSize, false)
		buf := make([]byte, 2048)
		for b.Loop() {
			conn, err := net.Dial("udp", lab.DNSAddr)
			if err != nil {
				b.Fatal(err)
			}
			m.Id = dns.Id()
			p, _ := m.Pack()
			conn.SetDeadline(time.Now().Add(2 * time.Second))
			conn.Write(p)
			if _, err := conn.Read(buf); err != nil {
				b.Fatal(err)
			}
			conn.Close()
		}
	})
}
