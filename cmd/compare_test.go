package cmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// --compare-protocols through the CLI: the report, the JSON document
// (valid against `reqtrace schema compare`), the HAR of every run, and the
// exit status of a comparison with a protocol that failed.
func TestCompareProtocolsCLI(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "tlsdelay-20.www.lab.test", "/bytes/2000")
	o := reqtrace(t, nil, append(labArgs(lab), "--compare-protocols", "--color", "never", url)...)
	if o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	for _, want := range []string{"Protocol comparison", "\n  HTTP/1.1  200", "\n  HTTP/2    200", "\n  HTTP/3    200", "SETUP", "QUIC  "} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, o.stdout)
		}
	}

	har := filepath.Join(t.TempDir(), "c.har")
	o = reqtrace(t, nil, append(labArgs(lab), "--compare-protocols", "-n", "2", "--json", "--har", har, url)...)
	if o.code != 0 {
		t.Fatalf("--json: exit %d: %s", o.code, o.stderr)
	}
	validate(t, compileSchema(t, "compare"), "compare", o.stdout, nil)
	var doc struct {
		Schema    string
		Rounds    int
		Protocols []struct {
			Asked, Proto string
			Runs         int
			Median       map[string]float64 `json:"median_ms"`
			Traces       []json.RawMessage
		}
		Saved *float64 `json:"quic_saves_ms"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || doc.Schema != "reqtrace.compare/v1" || doc.Rounds != 2 || len(doc.Protocols) != 3 {
		t.Fatalf("%v: %s", err, o.stdout)
	}
	for i, want := range []string{"HTTP/1.1", "HTTP/2.0", "HTTP/3.0"} {
		p := doc.Protocols[i]
		hs := "tls"
		if i == 2 {
			hs = "quic"
		}
		if p.Proto != want || p.Runs != 2 || len(p.Traces) != 2 || p.Median[hs] < 20 || p.Median["setup"] < p.Median[hs] {
			t.Errorf("protocol %d: %+v", i, p)
		}
		validate(t, compileSchema(t, "trace"), "trace", string(p.Traces[0]), nil)
	}
	if doc.Saved == nil {
		t.Error("no quic_saves_ms")
	}
	var h struct {
		Log struct {
			Entries []struct{ Response struct{ HTTPVersion string } }
		}
	}
	b, _ := os.ReadFile(har)
	if err := json.Unmarshal(b, &h); err != nil || len(h.Log.Entries) != 6 || h.Log.Entries[5].Response.HTTPVersion != "h3" {
		t.Errorf("--har: %v, %d entries", err, len(h.Log.Entries))
	}

	// UDP that never answers: the TCP rows stand, HTTP/3's error is shown,
	// and the exit status is the failure's.
	o = reqtrace(t, nil, append(labArgs(lab), "--compare-protocols", "--connect-timeout", "0.5", "--color", "never", lab.URL("https", "noquic.lab.test", "/"))...)
	if o.code != 28 || !strings.Contains(o.stdout, "✗ HTTP/3 failed") || !strings.Contains(o.stdout, "\n  HTTP/2    200") || strings.Contains(o.stdout, "QUIC  saved") {
		t.Errorf("no QUIC: exit %d\n%s", o.code, o.stdout)
	}
}

// What --compare-protocols cannot do is refused in one line, exit 2.
func TestCompareProtocolsUsage(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "www.lab.test", "/")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{lab.URL("http", "www.lab.test", "/")}, "needs an https:// URL"},
		{[]string{"-w", "%{http_code}", url}, "-w cannot be used with --compare-protocols"},
		{[]string{"-o", filepath.Join(t.TempDir(), "body"), url}, "-o/-O cannot be used"},
		{[]string{"--assert", "status == 200", url}, "--assert cannot be used"},
		{[]string{"--http2", url}, "--compare-protocols and --http2 cannot be used together"},
		{[]string{"-x", "http://127.0.0.1:9", url}, "cannot go through a proxy"},
	} {
		o := reqtrace(t, nil, append(append(labArgs(lab), "--compare-protocols"), c.args...)...)
		if o.code != 2 || !strings.Contains(o.stderr, c.want) || strings.Count(strings.TrimSpace(o.stderr), "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, o.code, o.stderr, c.want)
		}
	}
}
