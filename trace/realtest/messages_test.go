package realtest

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Facts the reference tools state in their own words: reqtrace's error
// kind and message must say the same thing (issue 9's "Messages").

type rtErr struct {
	Error *struct{ Phase, Kind, Message, Hint string } `json:"error"`
	Hops  []struct {
		Notes []struct{ ID, Level, Subject, Message string } `json:"notes"`
	} `json:"hops"`
}

func rtJSON(t *testing.T, args ...string) rtErr {
	t.Helper()
	r := reqtrace(t, append([]string{"--json"}, args...)...)
	var doc rtErr
	if err := json.Unmarshal(r.stdout, &doc); err != nil {
		t.Fatalf("reqtrace --json %q: %v\n%s\n%s", args, err, r.stdout, r.stderr)
	}
	return doc
}

// silentDNS is a UDP port that reads queries and never answers.
func silentDNS(t *testing.T) string {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		b := make([]byte, 1500)
		for {
			if _, _, err := c.ReadFrom(b); err != nil {
				return
			}
		}
	}()
	return c.LocalAddr().String()
}

func TestMessages(t *testing.T) {
	need(t, "nginx", "dig")
	t.Run("DNS server never answers", func(t *testing.T) {
		t.Parallel()
		addr := silentDNS(t)
		host, port, _ := net.SplitHostPort(addr)
		dg := runIn(t, "", nil, "dig", "@"+host, "-p", port, "+time=1", "+tries=1", "www.rt.test")
		d := newDiff(t, "message: DNS server never answers")
		d.eq("dig says it timed out", strings.Contains(string(dg.stdout), "timed out"), true)
		doc := rtJSON(t, "--dns-servers", addr, "--connect-timeout", "5", "http://www.rt.test:1/")
		if doc.Error == nil {
			t.Fatal("no error")
		}
		d.eq("error kind", doc.Error.Kind, "dns_timeout")
		d.eq("message says malformed", strings.Contains(strings.ToLower(doc.Error.Message+doc.Error.Hint), "malformed"), false)
	})
	t.Run("missing intermediate", func(t *testing.T) {
		t.Parallel()
		port := itoa(e.port("nginx.nochain"))
		s := sClient(t, "s_client", "-connect", "127.0.0.1:"+port, "-servername", "www.rt.test", "-CAfile", e.pki.CA())
		d := newDiff(t, "message: missing intermediate")
		// 20 unable to get local issuer, 21 unable to verify the first certificate
		d.truth("openssl fails to verify", s.verify == 20 || s.verify == 21, "openssl verify code %d", s.verify)
		doc := rtJSON(t, "--cacert", e.pki.CA(), "--resolve", "www.rt.test:"+port+":127.0.0.1", "https://www.rt.test:"+port+"/")
		if doc.Error == nil {
			t.Fatal("no error")
		}
		d.eq("says the intermediate is missing", strings.Contains(strings.ToLower(doc.Error.Message+" "+doc.Error.Hint), "intermediate"), true)
	})
	t.Run("not yet valid", func(t *testing.T) {
		t.Parallel()
		port := itoa(e.port("nginx.notyet"))
		doc := rtJSON(t, "--cacert", e.pki.CA(), "--resolve", "www.rt.test:"+port+":127.0.0.1", "https://www.rt.test:"+port+"/")
		if doc.Error == nil {
			t.Fatal("no error")
		}
		d := newDiff(t, "message: not yet valid")
		text := strings.ToLower(doc.Error.Message + " " + doc.Error.Hint)
		d.eq("says check the clocks", strings.Contains(text, "clock"), true)
		d.eq("says renew", strings.Contains(text, "renew"), false)
	})
	t.Run("h2 prior knowledge to an HTTP/1.1 port", func(t *testing.T) {
		t.Parallel()
		doc := rtJSON(t, "--http2-prior-knowledge", "http://127.0.0.1:"+itoa(e.port("nginx.http"))+"/")
		if doc.Error == nil {
			t.Fatal("no error")
		}
		d := newDiff(t, "message: h2 prior knowledge")
		d.eq("says the port speaks HTTP/1.1", regexp.MustCompile(`(?i)speaks? HTTP/1\.1`).MatchString(doc.Error.Message+" "+doc.Error.Hint), true)
	})
	t.Run("failed request keeps its method in HAR", func(t *testing.T) {
		t.Parallel()
		url := "http://127.0.0.1:" + itoa(e.port("closed")) + "/"
		cu := curl(t, "-s", "-X", "POST", "-o", "/dev/null", "-w", "%{method}", url)
		r := reqtrace(t, "-s", "-X", "POST", "--har", "out.har", url)
		var har struct {
			Log struct {
				Entries []struct {
					Request struct{ Method string } `json:"request"`
				} `json:"entries"`
			} `json:"log"`
		}
		b, _ := os.ReadFile(filepath.Join(r.dir, "out.har"))
		json.Unmarshal(b, &har)
		d := newDiff(t, "message: HAR method")
		d.eq("exit code", r.code, cu.code)
		if d.eq("HAR entries", len(har.Log.Entries), 1) {
			d.eq("HAR request method", har.Log.Entries[0].Request.Method, string(cu.stdout))
		}
	})
	t.Run("Server-Timing longer than the TTFB", func(t *testing.T) {
		t.Parallel()
		url := "http://127.0.0.1:" + itoa(e.port("nginx.http")) + "/server-timing"
		r := reqtrace(t, url)
		d := newDiff(t, "message: Server-Timing")
		out := string(r.stdout)
		d.eq("a share over 100% drawn", regexp.MustCompile(`\b([2-9]\d\d|1\d\d\d+|[1-9]\d{3,})%`).MatchString(out), false)
		flagged := false
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "⚠") && strings.Contains(strings.ToLower(l), "server-timing") {
				flagged = true
			}
		}
		d.eq("Server-Timing flagged", flagged, true)
	})
}

// TestCachingNotes: 301 and 308 are heuristically cacheable (RFC 9111
// §4.2.2, RFC 9110 §15.4.2/§15.4.9), 302 is not.
func TestCachingNotes(t *testing.T) {
	need(t, "nginx")
	for path, want := range map[string]bool{"/r301": true, "/r308": true, "/r302": false} {
		doc := rtJSON(t, "http://127.0.0.1:"+itoa(e.port("nginx.http"))+path)
		d := newDiff(t, "caching "+path)
		got := false
		for _, n := range doc.Hops[0].Notes {
			if n.ID == "cache.storable" {
				got = strings.Contains(n.Message, "cacheable by default") && !strings.Contains(n.Message, "not cacheable")
			}
		}
		d.eq("heuristically cacheable", got, want)
	}
}

// TestReusedConnection: with -n a reused HTTP/1.1 connection's total is
// the sum of its phases (nothing unaccounted, such as waiting out a
// liveness check before reuse).
func TestReusedConnection(t *testing.T) {
	need(t, "nginx")
	r := reqtrace(t, "--json", "-n", "4", "http://127.0.0.1:"+itoa(e.port("nginx.http"))+"/")
	var doc struct {
		Runs []struct {
			Hops []struct {
				Connect *struct{ Reused bool } `json:"connect"`
				Timings map[string]*float64    `json:"timings_ms"`
			} `json:"hops"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(r.stdout, &doc); err != nil || len(doc.Runs) != 4 {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	d := newDiff(t, "reused connection")
	for i, run := range doc.Runs[1:] {
		h := run.Hops[0]
		sum := 0.0
		for _, k := range []string{"dns", "connect", "tls", "send", "wait", "receive"} {
			if v := h.Timings[k]; v != nil {
				sum += *v
			}
		}
		gap := *h.Timings["total"] - sum
		d.eq("run "+itoa(i+2)+" reused", h.Connect == nil || h.Connect.Reused, true)
		// Generous: a busy machine may add a little between marks, never a millisecond.
		d.truth("run "+itoa(i+2)+" total - phases", gap < 0.5, "%.3f ms unaccounted (total %.3f, phases %.3f)", gap, *h.Timings["total"], sum)
	}
}

// TestWriteOutEmpty: -w ” prints nothing, as curl.
func TestWriteOutEmpty(t *testing.T) {
	need(t, "nginx")
	url := "http://127.0.0.1:" + itoa(e.port("nginx.http")) + "/"
	cu := curl(t, "-s", "-o", "/dev/null", "-w", "", url)
	rt := reqtrace(t, "-s", "-o", "/dev/null", "-w", "", url)
	d := newDiff(t, "-w ''")
	d.eq("exit code", rt.code, cu.code)
	d.eq("stdout", string(rt.stdout), string(cu.stdout))
}
