package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The contract's keys (CONTRACT.md, trace --json) and our documented
// extensions. A key outside both is an undocumented change to the contract.
var (
	contractTop      = []string{"schema", "url", "hops", "error"}
	extTop           = []string{"started", "insecure", "retries", "revalidation"}
	contractHop      = []string{"url", "request", "dns", "connect", "tls", "response", "timings_ms", "error"}
	extHop           = []string{"informational", "offsets_ms", "skipped", "conn_id", "redirect", "notes", "proxy"}
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

func hasKeys(t *testing.T, what string, obj any, want []string) map[string]any {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Fatalf("%s: want an object, got %T", what, obj)
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: contract key %q missing", what, k)
		}
	}
	return m
}

func decodeOne(t *testing.T, b []byte) map[string]any {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("}\n")) || bytes.Count(b[len(b)-2:], []byte("\n")) != 1 {
		t.Fatalf("want one document ending in a single newline")
	}
	if !bytes.HasPrefix(b, []byte("{\n  \"schema\": ")) {
		t.Fatalf("want two-space indentation and schema first, got %q", b[:min(20, len(b))])
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Fatalf("more than one JSON document (err %v)", err)
	}
	return doc
}

func TestJSONContract(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JSON(&buf, f.res); err != nil {
				t.Fatal(err)
			}
			doc := exactKeys(t, "top", decodeOne(t, buf.Bytes()), contractTop, extTop)
			if doc["schema"] != "reqtrace.trace/v1" {
				t.Errorf("schema = %v", doc["schema"])
			}
			if (doc["error"] == nil) != (f.res.Err == nil) {
				t.Errorf("error = %v, want null iff Result.Err is nil", doc["error"])
			} else if doc["error"] != nil {
				exactKeys(t, "error", doc["error"], contractError, nil)
			}
			hops := doc["hops"].([]any)
			if len(hops) != len(f.res.Hops) {
				t.Fatalf("%d hops, want %d", len(hops), len(f.res.Hops))
			}
			for i, h := range hops {
				checkHop(t, h, i, f)
			}
		})
	}
}

func checkHop(t *testing.T, obj any, i int, f fixture) {
	t.Helper()
	src := &f.res.Hops[i]
	hop := exactKeys(t, "hop", obj, contractHop, extHop)
	hasKeys(t, "request", hop["request"], contractRequest)
	nullIff := func(key string, absent bool) bool {
		if (hop[key] == nil) != absent {
			t.Errorf("hop %d: %s = %v, want null: %v", i, key, hop[key], absent)
			return false
		}
		return !absent
	}
	if nullIff("dns", src.DNS == nil) {
		hasKeys(t, "dns", hop["dns"], contractDNS)
	}
	if nullIff("connect", src.Connect == nil) {
		c := hasKeys(t, "connect", hop["connect"], contractConnect)
		for _, a := range c["attempts"].([]any) {
			hasKeys(t, "attempt", a, contractAttempt)
		}
	}
	if nullIff("tls", src.TLS == nil) {
		c := hasKeys(t, "tls", hop["tls"], contractTLS)
		for _, cert := range c["certificates"].([]any) {
			hasKeys(t, "certificate", cert, contractCert)
		}
	}
	if nullIff("response", src.Response == nil) {
		hasKeys(t, "response", hop["response"], contractResponse)
	}
	nullIff("error", src.Err == nil)
	tm := exactKeys(t, "timings_ms", hop["timings_ms"], contractTimings, []string{"proxy"})
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
	if err := JSON(&buf, httpsH2()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"dns": 12.3,`, `"send": 0.214,`, `"total": 42.3`, `"days_left": 45`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	if ms(1500) != 0.002 || ms(1499) != 0.001 {
		t.Errorf("ms rounds wrong: %v %v", ms(1500), ms(1499))
	}
}
