package render

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/render/internal/rendertest"
)

// The contract's keys (CONTRACT.md, trace --json) and our documented
// extensions. A key outside both is an undocumented change to the contract.
var (
	contractTop      = []string{"schema", "url", "hops", "error"}
	extTop           = []string{"started", "insecure", "retries", "revalidation"}
	contractHop      = []string{"url", "request", "dns", "connect", "tls", "response", "timings_ms", "error"}
	extHop           = []string{"informational", "offsets_ms", "skipped", "conn_id", "redirect", "notes", "proxy", "quic", "fallback"}
	contractRequest  = []string{"method", "headers", "body_bytes"}
	contractDNS      = []string{"host", "server", "source", "rcode", "records", "addresses", "duration_ms"}
	contractConnect  = []string{"address", "reused", "duration_ms", "attempts"}
	contractAttempt  = []string{"address", "duration_ms", "error"}
	contractTLS      = []string{"version", "cipher_suite", "alpn", "server_name", "resumed", "verified", "duration_ms", "certificates"}
	contractCert     = []string{"subject", "issuer", "dns_names", "not_before", "not_after"}
	contractResponse = []string{"proto", "status", "reason", "headers", "body_bytes"}
	contractTimings  = []string{"dns", "connect", "tls", "send", "wait", "receive", "total"}
	contractError    = []string{"phase", "kind", "message", "hint"}
)

func keys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// exactKeys checks that obj has every contract key and nothing but
// contract and extension keys.
func exactKeys(t *testing.T, what string, obj any, contract, ext []string) map[string]any {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Fatalf("%s: want an object, got %T", what, obj)
	}
	for _, k := range contract {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: contract key %q missing", what, k)
		}
	}
	for _, k := range keys(m) {
		if !slices.Contains(contract, k) && !slices.Contains(ext, k) {
			t.Errorf("%s: undocumented key %q", what, k)
		}
	}
	return m
}

func TestJSONContract(t *testing.T) {
	for _, f := range rendertest.Fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JSON(&buf, f.Res); err != nil {
				t.Fatal(err)
			}
			doc := exactKeys(t, "top", rendertest.DecodeOne(t, buf.Bytes()), contractTop, extTop)
			if doc["schema"] != "reqtrace.trace/v1" {
				t.Errorf("schema = %v", doc["schema"])
			}
			if (doc["error"] == nil) != (f.Res.Err == nil) {
				t.Errorf("error = %v, want null iff Result.Err is nil", doc["error"])
			} else if doc["error"] != nil {
				exactKeys(t, "error", doc["error"], contractError, nil)
			}
			hops := doc["hops"].([]any)
			if len(hops) != len(f.Res.Hops) {
				t.Fatalf("%d hops, want %d", len(hops), len(f.Res.Hops))
			}
			for i, h := range hops {
				checkHop(t, h, i, f)
			}
		})
	}
}

func checkHop(t *testing.T, obj any, i int, f rendertest.Fixture) {
	t.Helper()
	src := &f.Res.Hops[i]
	hop := exactKeys(t, "hop", obj, contractHop, extHop)
	rendertest.HasKeys(t, "request", hop["request"], contractRequest)
	nullIff := func(key string, absent bool) bool {
		if (hop[key] == nil) != absent {
			t.Errorf("hop %d: %s = %v, want null: %v", i, key, hop[key], absent)
			return false
		}
		return !absent
	}
	if nullIff("dns", src.DNS == nil) {
		rendertest.HasKeys(t, "dns", hop["dns"], contractDNS)
	}
	if nullIff("connect", src.Connect == nil) {
		c := rendertest.HasKeys(t, "connect", hop["connect"], contractConnect)
		for _, a := range c["attempts"].([]any) {
			rendertest.HasKeys(t, "attempt", a, contractAttempt)
		}
	}
	if nullIff("tls", src.TLS == nil) {
		c := rendertest.HasKeys(t, "tls", hop["tls"], contractTLS)
		for _, cert := range c["certificates"].([]any) {
			rendertest.HasKeys(t, "certificate", cert, contractCert)
		}
	}
	if nullIff("response", src.Response == nil) {
		rendertest.HasKeys(t, "response", hop["response"], contractResponse)
	}
	nullIff("error", src.Err == nil)
	tm := exactKeys(t, "timings_ms", hop["timings_ms"], contractTimings, []string{"proxy", "quic"})
	spans := map[string]bool{
		"dns": src.Timings.DNS == nil, "connect": src.Timings.Connect == nil, "tls": src.Timings.TLS == nil,
		"send": src.Timings.Send == nil, "wait": src.Timings.Wait == nil, "receive": src.Timings.Receive == nil,
	}
	for phase, absent := range spans {
		if (tm[phase] == nil) != absent {
			t.Errorf("hop %d: timings_ms.%s = %v, want null: %v", i, phase, tm[phase], absent)
		}
	}
	if _, ok := tm["total"].(float64); !ok {
		t.Errorf("hop %d: timings_ms.total = %v, want a number", i, tm["total"])
	}
}

// Durations are milliseconds rounded to the microsecond, never more digits.
func TestJSONDurations(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, rendertest.HTTPSH2()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"dns": 12.3,`, `"send": 0.214,`, `"total": 42.3`, `"days_left": 45`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	if Millis(1500) != 0.002 || Millis(1499) != 0.001 {
		t.Errorf("ms rounds wrong: %v %v", Millis(1500), Millis(1499))
	}
}
