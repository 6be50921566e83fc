package har

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/har"
)

// harRich puts what only the HAR output has to say about into one trace:
// -L through a 307 with credentials, cookies, a JSON body and 100 Continue,
// then the same connection again for a gzip'd 201 with Server-Timing.
func harRich() *trace.Result {
	post := []byte(`{"name":"widget","qty":2}`)
	body := []byte(`{"id":42,"name":"widget","qty":2,"price":"9.90 EUR"}` + "\n")
	reqHeaders := []trace.Header{
		{Name: "user-agent", Value: "reqtrace/0.1"},
		{Name: "authorization", Value: "Bearer eyJhbGciOi.secret-token"},
		{Name: "cookie", Value: "sid=abc123; theme=dark"},
		{Name: "content-type", Value: "application/json"},
		{Name: "expect", Value: "100-continue"},
	}
	first := trace.Hop{
		URL: "https://alice:hunter2@api.example.test/v1/items?q=a%20b&tag=x&tag=y&flag",
		Request: trace.Request{
			Method: "POST", Target: "/v1/items?q=a%20b&tag=x&tag=y&flag", Proto: "HTTP/2.0",
			Headers: reqHeaders, HeadBytes: 231, BodyBytes: int64(len(post)), BodyPreview: post,
		},
		DNS: &trace.DNS{
			Host: "api.example.test", Source: trace.SourceDNS, Server: "192.0.2.53:53", Rcode: "NOERROR",
			Name: "api.example.test.", Addresses: []string{"192.0.2.40"}, Duration: rendertest.Msec(4.5),
			Records: []trace.Record{{Name: "api.example.test.", Type: "A", TTL: 30, Value: "192.0.2.40"}},
			Queries: []trace.Query{{Name: "api.example.test.", Type: "A", Server: "192.0.2.53:53", Transport: "udp",
				Start: rendertest.Msec(0.01), Duration: rendertest.Msec(4.4), Rcode: "NOERROR", Answers: 1}},
		},
		Connect: &trace.Connect{
			Address: "192.0.2.40:443", Local: "192.0.2.99:50000", Duration: rendertest.Msec(2.2),
			Attempts: []trace.Attempt{{Address: "192.0.2.40:443", Start: rendertest.Msec(4.55), Duration: rendertest.Msec(2.2)}},
		},
		TLS: &trace.TLS{
			Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ALPN: "h2", Group: "X25519",
			ServerName: "api.example.test", Verified: true, Verify: trace.VerifyOK, Duration: rendertest.Msec(6.1),
			Certificates: []trace.Certificate{{
				Subject: "CN=api.example.test", Issuer: "CN=Example Test CA R1", DNSNames: []string{"api.example.test"},
				NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
				SerialNumber: "01:02", SignatureAlgorithm: "ECDSA-SHA256", PublicKey: "ECDSA P-256",
			}},
		},
		Informational: []trace.Informational{{Status: 100, At: rendertest.Msec(14.2)}},
		Response: &trace.Response{
			Proto: "HTTP/2.0", Status: 307,
			Headers: []trace.Header{
				{Name: "location", Value: "/v2/items"},
				{Name: "set-cookie", Value: "seen=1; Path=/; Max-Age=3600"},
				{Name: "content-length", Value: "0"},
			},
			HeadBytes: 96, DecodedBytes: -1,
		},
		Redirect: &trace.Redirect{
			Location: "https://api.example.test/v2/items", Method: "POST", KeepsBody: true,
			Rule: "307: the next request repeats POST with the same body", Followed: true,
		},
		ConnID: 1,
		Timings: trace.Timings{
			DNS: rendertest.Span(0, 4.5), Connect: rendertest.Span(4.55, 2.2), TLS: rendertest.Span(6.8, 6.1),
			Send: rendertest.Span(12.95, 0.4), Wait: rendertest.Span(13.35, 9.65), Receive: rendertest.Span(23, 0.1), Total: rendertest.Msec(23.1),
		},
	}
	second := trace.Hop{
		URL: "https://api.example.test/v2/items",
		Request: trace.Request{
			Method: "POST", Target: "/v2/items", Proto: "HTTP/2.0",
			Headers: reqHeaders, HeadBytes: 220, BodyBytes: int64(len(post)), BodyPreview: post,
		},
		Connect: &trace.Connect{Address: "192.0.2.40:443", Local: "192.0.2.99:50000", Reused: true},
		Response: &trace.Response{
			Proto: "HTTP/2.0", Status: 201,
			Headers: []trace.Header{
				{Name: "content-type", Value: "application/json"},
				{Name: "content-encoding", Value: "gzip"},
				{Name: "server-timing", Value: `db;dur=53.2;desc="Postgres", cache;desc=miss`},
				{Name: "set-cookie", Value: "cart=7f3a; Domain=example.test; Path=/; Expires=Mon, 02 Mar 2026 12:00:00 GMT; Secure; HttpOnly; SameSite=None"},
				{Name: "set-cookie", Value: "old=gone; Max-Age=0"},
			},
			HeadBytes: 188, BodyBytes: 61, DecodedBytes: int64(len(body)), BodyPreview: body,
			ServerTiming: []trace.ServerTiming{
				{Name: "db", Duration: rendertest.Msec(53.2), HasDuration: true, Description: "Postgres"},
				{Name: "cache", Description: "miss"},
			},
		},
		ConnID: 1,
		Timings: trace.Timings{
			Send: rendertest.Span(0.02, 0.3), Wait: rendertest.Span(0.32, 60.2), Receive: rendertest.Span(60.52, 0.25), Total: rendertest.Msec(60.8),
			Skipped: map[string]string{
				trace.PhaseDNS: "connection #1 was reused", trace.PhaseConnect: "connection #1 was reused",
				trace.PhaseTLS: "connection #1 was reused",
			},
		},
	}
	return &trace.Result{
		URL:     "https://alice:hunter2@api.example.test/v1/items?q=a%20b&tag=x&tag=y&flag#top",
		Started: rendertest.Started,
		Hops:    []trace.Hop{first, second},
	}
}

func harFixtures() []rendertest.Fixture {
	return append(rendertest.Fixtures(), rendertest.Fixture{Name: "rich", Res: harRich()})
}

func writeHAR(t *testing.T, opt Options, rs ...*trace.Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, rs, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHARGolden(t *testing.T) {
	for _, f := range harFixtures() {
		t.Run(f.Name, func(t *testing.T) {
			rendertest.Golden(t, "har_"+f.Name, writeHAR(t, Options{}, f.Res))
		})
	}
	rendertest.Golden(t, "har_rich_secrets", writeHAR(t, Options{ShowSecrets: true}, harRich()))
	rendertest.Golden(t, "har_two_pages", writeHAR(t, Options{}, rendertest.HTTPIP(), rendertest.DNSNXDomain()))
}

func TestHARNil(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []*trace.Result{rendertest.HTTPIP(), nil}, Options{}); err == nil {
		t.Error("a nil Result: want an error")
	}
	doc := harDecode(t, writeHAR(t, Options{}))
	if n := len(doc["log"].(map[string]any)["entries"].([]any)); n != 0 {
		t.Errorf("no results: %d entries", n)
	}
}

func harDecode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return doc
}

func harEntries(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range harDecode(t, b)["log"].(map[string]any)["entries"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func num(v any) float64 { return v.(float64) }

// TestHARTimingRules checks HAR 1.2's timing rules on every fixture:
// optional phases are -1 or more, send/wait/receive never negative, ssl is
// inside connect, time is the sum without ssl, and each hop starts where
// the previous one ended.
func TestHARTimingRules(t *testing.T) {
	for _, f := range harFixtures() {
		t.Run(f.Name, func(t *testing.T) {
			entries := harEntries(t, writeHAR(t, Options{}, f.Res))
			if len(entries) != len(f.Res.Hops) {
				t.Fatalf("%d entries for %d hops", len(entries), len(f.Res.Hops))
			}
			start := f.Res.Started
			for i, e := range entries {
				h := &f.Res.Hops[i]
				tm := e["timings"].(map[string]any)
				for _, k := range []string{"blocked", "dns", "connect", "ssl"} {
					if v := num(tm[k]); v != -1 && v < 0 {
						t.Errorf("hop %d: %s = %v", i, k, v)
					}
				}
				for _, k := range []string{"send", "wait", "receive"} {
					if v := num(tm[k]); v < 0 {
						t.Errorf("hop %d: %s = %v", i, k, v)
					}
				}
				if ssl := num(tm["ssl"]); ssl >= 0 && num(tm["connect"]) < ssl {
					t.Errorf("hop %d: ssl %v not inside connect %v", i, ssl, tm["connect"])
				}
				sum := 0.0
				for _, k := range []string{"blocked", "dns", "connect", "send", "wait", "receive"} {
					sum += max(num(tm[k]), 0)
				}
				if math.Abs(sum-num(e["time"])) > 1e-9 {
					t.Errorf("hop %d: time %v, phases add up to %v", i, e["time"], sum)
				}
				if want := (h.Timings.DNS == nil); want != (num(tm["dns"]) == -1) {
					t.Errorf("hop %d: dns %v for span %v", i, tm["dns"], h.Timings.DNS)
				}
				if want := (h.Timings.Connect == nil && h.Timings.QUIC == nil); want != (num(tm["connect"]) == -1) {
					t.Errorf("hop %d: connect %v for span %v", i, tm["connect"], h.Timings.Connect)
				}
				if got, want := e["startedDateTime"], harTime(start); got != want {
					t.Errorf("hop %d: startedDateTime %v, want %v", i, got, want)
				}
				start = start.Add(h.Timings.Total)
				rs := e["response"].(map[string]any)
				if h.Response == nil {
					if rs["status"] != 0.0 || (h.Err != nil && rs["_error"] != h.Err.Message) {
						t.Errorf("hop %d without a response: status %v, _error %v", i, rs["status"], rs["_error"])
					}
				}
			}
		})
	}
}

func TestHARTimingsHTTPS(t *testing.T) {
	e := harEntries(t, writeHAR(t, Options{}, rendertest.HTTPSH2()))[0]
	want := map[string]float64{"blocked": -1, "dns": 12.3, "connect": 15.3, "ssl": 10.2, "send": 0.214, "wait": 12, "receive": 2.3}
	if got := e["timings"].(map[string]any); !reflect.DeepEqual(got, map[string]any{
		"blocked": want["blocked"], "dns": want["dns"], "connect": want["connect"], "ssl": want["ssl"],
		"send": want["send"], "wait": want["wait"], "receive": want["receive"],
	}) {
		t.Errorf("timings %v, want %v", got, want)
	}
	if e["time"] != 42.114 || e["serverIPAddress"] != "192.0.2.10" {
		t.Errorf("time %v, serverIPAddress %v", e["time"], e["serverIPAddress"])
	}
}

// An HTTP/3 hop as Chrome exports one: httpVersion "h3", connect the
// QUIC handshake and ssl the same span (TLS runs inside it).
func TestHARTimingsHTTP3(t *testing.T) {
	e := harEntries(t, writeHAR(t, Options{}, rendertest.HTTPSH3()))[0]
	want := map[string]any{"blocked": -1.0, "dns": 8.4, "connect": 21.6, "ssl": 21.6, "send": 0.08, "wait": 21.2, "receive": 0.1}
	if got := e["timings"].(map[string]any); !reflect.DeepEqual(got, want) {
		t.Errorf("timings %v, want %v", got, want)
	}
	rq, rs := e["request"].(map[string]any), e["response"].(map[string]any)
	if e["time"] != 51.38 || rq["httpVersion"] != "h3" || rs["httpVersion"] != "h3" || e["serverIPAddress"] != "192.0.2.10" {
		t.Errorf("time %v, httpVersion %v/%v, serverIPAddress %v", e["time"], rq["httpVersion"], rs["httpVersion"], e["serverIPAddress"])
	}
	x := e["_reqtrace"].(map[string]any)
	if q := x["quic"].(map[string]any); q["version"] != "v1" || x["offsets_ms"].(map[string]any)["quic"] != 8.45 {
		t.Errorf("_reqtrace quic %v, offsets %v", q, x["offsets_ms"])
	}
}

// With 0-RTT the request goes before the QUIC handshake completes: HAR's
// connect (and ssl) ends when the request went, so that the phases
// follow one another and add up; _reqtrace keeps the real offsets.
func TestHARTimings0RTT(t *testing.T) {
	res := rendertest.HTTPSH3()
	h := &res.Hops[0]
	h.QUIC.Used0RTT = true
	h.Timings.Send, h.Timings.Wait = rendertest.Span(8.5, 0.05), rendertest.Span(8.55, 42.79)
	e := harEntries(t, writeHAR(t, Options{}, res))[0]
	want := map[string]any{"blocked": -1.0, "dns": 8.4, "connect": 0.05, "ssl": 0.05, "send": 0.05, "wait": 42.79, "receive": 0.1}
	if got := e["timings"].(map[string]any); !reflect.DeepEqual(got, want) {
		t.Errorf("timings %v, want %v", got, want)
	}
	if off := e["_reqtrace"].(map[string]any)["offsets_ms"].(map[string]any); off["quic"] != 8.45 || off["send"] != 8.5 {
		t.Errorf("offsets %v", off)
	}
}

func TestHARSecrets(t *testing.T) {
	secrets := []string{"hunter2", "eyJhbGciOi", "secret-token", "abc123", "7f3a", "=dark", "=gone"}
	hidden := string(writeHAR(t, Options{}, harRich(), rendertest.HTTPSH2()))
	for _, s := range secrets {
		if strings.Contains(hidden, s) {
			t.Errorf("default output holds the secret %q", s)
		}
	}
	for _, s := range []string{
		`"Bearer [redacted]"`, `"sid=[redacted]; theme=[redacted]"`,
		`"cart=[redacted]; Domain=example.test; Path=/;`, `"https://alice:xxxxx@api.example.test/v1/items?q=a%20b&tag=x&tag=y&flag"`,
		`"name": "sid",` + "\n" + `              "value": "[redacted]"`,
	} {
		if !strings.Contains(hidden, s) {
			t.Errorf("default output lacks %s", s)
		}
	}
	shown := string(writeHAR(t, Options{ShowSecrets: true}, harRich(), rendertest.HTTPSH2()))
	for _, s := range secrets {
		if !strings.Contains(shown, s) {
			t.Errorf("ShowSecrets output lacks %q", s)
		}
	}
	h := Options{}
	for in, want := range map[string]string{
		"Basic": "[redacted]", "Bearer  x": "Bearer [redacted]", "Digest a=1, b=2": "Digest [redacted]",
		"tok&en": "[redacted]", "": "[redacted]",
	} {
		if got := h.headerValue(trace.Header{Name: "Proxy-Authorization", Value: in}); got != want {
			t.Errorf("Proxy-Authorization %q → %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"a=1;b=2": "a=[redacted]; b=[redacted]", "flag": "[redacted]",
	} {
		if got := h.headerValue(trace.Header{Name: "Cookie", Value: in}); got != want {
			t.Errorf("Cookie %q → %q, want %q", in, got, want)
		}
	}
	if got := h.given("http://u:p w@host/"); strings.Contains(got, "p w") {
		t.Errorf("unparsable URL kept its password: %q", got)
	}
}

func TestHARCookies(t *testing.T) {
	e := harEntries(t, writeHAR(t, Options{ShowSecrets: true}, harRich()))
	req := e[0]["request"].(map[string]any)["cookies"]
	if want := []any{
		map[string]any{"name": "sid", "value": "abc123"},
		map[string]any{"name": "theme", "value": "dark"},
	}; !reflect.DeepEqual(req, want) {
		t.Errorf("request cookies %v", req)
	}
	got := e[1]["response"].(map[string]any)["cookies"].([]any)
	cart := got[0].(map[string]any)
	for k, want := range map[string]any{
		"name": "cart", "value": "7f3a", "domain": "example.test", "path": "/", "expires": "2026-03-02T12:00:00.000000Z",
		"httpOnly": true, "secure": true, "sameSite": "None",
	} {
		if cart[k] != want {
			t.Errorf("cart cookie %s = %v, want %v", k, cart[k], want)
		}
	}
	if old := got[1].(map[string]any); old["expires"] != "1970-01-01T00:00:00.000000Z" {
		t.Errorf("Max-Age=0 cookie: expires %v", old["expires"])
	}
	// Max-Age counts from when the response came: 13.35 + 9.65 ms after the start.
	seen := e[0]["response"].(map[string]any)["cookies"].([]any)[0].(map[string]any)
	if want := harTime(rendertest.Started.Add(rendertest.Msec(23)).Add(time.Hour)); seen["expires"] != want {
		t.Errorf("Max-Age cookie: expires %v, want %v", seen["expires"], want)
	}
}

func TestHARBodies(t *testing.T) {
	e := harEntries(t, writeHAR(t, Options{}, harRich()))
	pd := e[0]["request"].(map[string]any)["postData"].(map[string]any)
	if pd["mimeType"] != "application/json" || pd["text"] != `{"name":"widget","qty":2}` {
		t.Errorf("postData %v", pd)
	}
	c := e[1]["response"].(map[string]any)["content"].(map[string]any)
	if c["size"] != 53.0 || c["compression"] != -8.0 || c["text"] == nil {
		t.Errorf("gzip content %v", c)
	}
	if q := e[0]["request"].(map[string]any)["queryString"]; !reflect.DeepEqual(q, []any{
		map[string]any{"name": "q", "value": "a b"}, map[string]any{"name": "tag", "value": "x"},
		map[string]any{"name": "tag", "value": "y"}, map[string]any{"name": "flag", "value": ""},
	}) {
		t.Errorf("queryString %v", q)
	}

	r := rendertest.HTTPIP()
	h := &r.Hops[0]
	h.Request.Method, h.Request.BodyBytes, h.Request.BodyPreview = "POST", 3, []byte{0xff, 0xfe, 0}
	h.Request.Headers = append(h.Request.Headers, trace.Header{Name: "Content-Type", Value: "application/octet-stream"})
	h.Response.BodyPreview = h.Response.BodyPreview[:5] // only part of the body was kept
	e = harEntries(t, writeHAR(t, Options{}, r))
	pd = e[0]["request"].(map[string]any)["postData"].(map[string]any)
	if _, ok := pd["text"]; ok || !strings.Contains(pd["_note"].(string), "UTF-8") {
		t.Errorf("binary postData %v", pd)
	}
	if _, ok := e[0]["response"].(map[string]any)["content"].(map[string]any)["text"]; ok {
		t.Error("content.text from a partial preview")
	}
	h.Request.BodyBytes = 1 << 20
	e = harEntries(t, writeHAR(t, Options{}, r))
	if note := e[0]["request"].(map[string]any)["postData"].(map[string]any)["_note"]; !strings.Contains(note.(string), "first 3 of 1048576 bytes") {
		t.Errorf("cut postData: _note %v", note)
	}
}

func TestHARHostile(t *testing.T) {
	out := writeHAR(t, Options{ShowSecrets: true}, rendertest.Hostile())
	rendertest.AssertTerminalSafe(t, out, false)
	harDecode(t, out)
}

// TestHARRoundTrip writes each fixture as HAR, reads it back with
// trace/har and checks that nothing the HAR can hold was lost: the phases
// (to the microsecond), headers and every section, and that the text
// report is the same.
func TestHARRoundTrip(t *testing.T) {
	all := []*trace.Result{}
	for _, f := range harFixtures() {
		all = append(all, f.Res)
		t.Run(f.Name, func(t *testing.T) {
			got := readHAR(t, writeHAR(t, Options{ShowSecrets: true}, f.Res))
			if len(got) != 1 {
				t.Fatalf("%d results", len(got))
			}
			compareResults(t, f.Res, got[0])
		})
	}
	got := readHAR(t, writeHAR(t, Options{ShowSecrets: true}, all...))
	if len(got) != len(all) {
		t.Fatalf("%d results written, %d read", len(all), len(got))
	}
	for i := range all {
		compareResults(t, all[i], got[i])
	}
}

func readHAR(t *testing.T, b []byte) []*trace.Result {
	t.Helper()
	rs, err := har.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

const µs = time.Microsecond

func near(a, b time.Duration) bool { return a-b <= µs && b-a <= µs }

func compareResults(t *testing.T, want, got *trace.Result) {
	t.Helper()
	if got.URL != want.URL || !got.Started.Equal(want.Started) || got.Insecure != want.Insecure || !reflect.DeepEqual(got.Err, want.Err) {
		t.Errorf("result: got %q %v %v %v, want %q %v %v %v", got.URL, got.Started, got.Insecure, got.Err,
			want.URL, want.Started, want.Insecure, want.Err)
	}
	if len(got.Hops) != len(want.Hops) {
		t.Fatalf("%d hops, want %d", len(got.Hops), len(want.Hops))
	}
	for i := range want.Hops {
		w, g := &want.Hops[i], &got.Hops[i]
		wt, gt := &w.Timings, &g.Timings
		for _, p := range []struct {
			name string
			w, g *trace.Span
		}{
			{"dns", wt.DNS, gt.DNS}, {"connect", wt.Connect, gt.Connect}, {"tls", wt.TLS, gt.TLS},
			{"send", wt.Send, gt.Send}, {"wait", wt.Wait, gt.Wait}, {"receive", wt.Receive, gt.Receive},
		} {
			switch {
			case (p.w == nil) != (p.g == nil):
				t.Errorf("hop %d %s: got %v, want %v", i, p.name, p.g, p.w)
			case p.w != nil && (!near(p.w.Duration, p.g.Duration) || !near(p.w.Start, p.g.Start)):
				t.Errorf("hop %d %s: got %+v, want %+v", i, p.name, *p.g, *p.w)
			}
		}
		if !near(wt.Total, gt.Total) || !reflect.DeepEqual(orNil(wt.Skipped), orNil(gt.Skipped)) {
			t.Errorf("hop %d: total %v skipped %v, want %v %v", i, gt.Total, gt.Skipped, wt.Total, wt.Skipped)
		}
		if !sameHeaders(g.Request.Headers, w.Request.Headers) {
			t.Errorf("hop %d request headers:\n got %v\nwant %v", i, g.Request.Headers, w.Request.Headers)
		}
		if (g.Response == nil) != (w.Response == nil) {
			t.Fatalf("hop %d: response %v, want %v", i, g.Response, w.Response)
		}
		if w.Response != nil && !sameHeaders(g.Response.Headers, w.Response.Headers) {
			t.Errorf("hop %d response headers:\n got %v\nwant %v", i, g.Response.Headers, w.Response.Headers)
		}
	}
	// Everything else, through the JSON document: it shows every field of
	// the Result, rounded to the microsecond as HAR is.
	if w, g := comparableJSON(t, want), comparableJSON(t, got); w != g {
		t.Errorf("JSON differs after the round trip:\n%s", lineDiff(w, g))
	}
	var wText, gText bytes.Buffer
	if err := render.Text(&wText, want, render.Style{Width: 100}); err != nil {
		t.Fatal(err)
	}
	if err := render.Text(&gText, got, render.Style{Width: 100}); err != nil {
		t.Fatal(err)
	}
	if wText.String() != gText.String() {
		t.Errorf("text report differs after the round trip:\n%s", lineDiff(wText.String(), gText.String()))
	}
}

func sameHeaders(a, b []trace.Header) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func orNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// comparableJSON is the JSON document of r without what HAR cannot carry:
// a body preview that is not the whole body, a decoded size without a
// Content-Encoding, and the fragment of a hop's URL.
func comparableJSON(t *testing.T, r *trace.Result) string {
	t.Helper()
	c := *r
	c.Hops = append([]trace.Hop(nil), r.Hops...)
	for i := range c.Hops {
		h := &c.Hops[i]
		h.URL, _, _ = strings.Cut(h.URL, "#")
		if h.Response != nil {
			rs := *h.Response
			full := rs.BodyBytes
			if contentEncoded(rs.Headers) {
				full = rs.DecodedBytes
			} else {
				rs.DecodedBytes = -1
			}
			if int64(len(rs.BodyPreview)) != full {
				rs.BodyPreview = nil
			}
			h.Response = &rs
		}
	}
	var buf bytes.Buffer
	if err := render.JSON(&buf, &c); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  want %s\n   got %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// TestHARSchema validates the HAR of every fixture against the HAR 1.2
// JSON schema of npm's har-schema, with ajv, through
// testdata/validate-har.js. It needs node and a folder holding the modules:
//
//	npm install --prefix DIR ajv ajv-formats har-schema
//	HAR_VALIDATOR_DIR=DIR go test ./render -run HARSchema
func TestHARSchema(t *testing.T) {
	dir := os.Getenv("HAR_VALIDATOR_DIR")
	skip := t.Skip
	if os.Getenv("CI") != "" {
		skip = t.Fatal // .ci/run installs the validator: a skip there would hide a broken check
	}
	if dir == "" {
		skip("HAR_VALIDATOR_DIR is not set; run `npm install --prefix DIR ajv ajv-formats har-schema` and set HAR_VALIDATOR_DIR=DIR")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed: " + err.Error())
	}
	for _, m := range []string{"ajv", "ajv-formats", "har-schema"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", m)); err != nil {
			skip(fmt.Sprintf("HAR_VALIDATOR_DIR=%s lacks %s; run `npm install --prefix %s ajv ajv-formats har-schema`", dir, m, dir))
		}
	}
	tmp := t.TempDir()
	var files []string
	add := func(name string, b []byte) {
		p := filepath.Join(tmp, name+".har")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	var all []*trace.Result
	for _, f := range harFixtures() {
		add(f.Name, writeHAR(t, Options{}, f.Res))
		all = append(all, f.Res)
	}
	add("all_secrets", writeHAR(t, Options{ShowSecrets: true}, all...))
	add("hostile", writeHAR(t, Options{}, rendertest.Hostile()))
	add("empty", writeHAR(t, Options{}))
	cmd := exec.Command(node, filepath.Join("testdata", "validate-har.js"))
	cmd.Args = append(cmd.Args, files...)
	cmd.Env = append(os.Environ(), "HAR_VALIDATOR_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("validate-har.js: %v\n%s", err, out)
	}
	// The validator must also be able to fail.
	bad := writeHAR(t, Options{}, rendertest.HTTPIP())
	bad = bytes.Replace(bad, []byte(`"send": 0.051`), []byte(`"send": -2`), 1)
	bad = bytes.Replace(bad, []byte(`"method": "GET"`), []byte(`"method": 1`), 1)
	add("bad", bad)
	cmd = exec.Command(node, filepath.Join("testdata", "validate-har.js"), files[len(files)-1])
	cmd.Env = append(os.Environ(), "HAR_VALIDATOR_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "method") {
		t.Errorf("validate-har.js passed a broken HAR: %v\n%s", err, out)
	}
}

// TestHostileHAR: the HAR file shows the attacks escaped, as -w does
// (TestHostileWriteOut); JSON keeps the data.
func TestHostileHAR(t *testing.T) {
	var har bytes.Buffer
	if err := Write(&har, []*trace.Result{rendertest.Hostile()}, Options{}); err != nil {
		t.Fatal(err)
	}
	rendertest.AssertTerminalSafe(t, har.Bytes(), false)
	var doc map[string]any
	if err := json.Unmarshal(har.Bytes(), &doc); err != nil {
		t.Fatalf("the HAR is not JSON: %v", err)
	}
	if !strings.Contains(har.String(), `\u200b`) || !strings.Contains(har.String(), `\udb40\udc41`) {
		t.Errorf("the HAR does not escape the invisible characters")
	}
}
