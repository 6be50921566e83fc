package cmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// HTTP/3 through the CLI: JSON's proto and quic phase, -w's http_version,
// -D's status line, the waterfall's QUIC row, and the fallback's warning.
func TestHTTP3CLI(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "tlsdelay-20.www.lab.test", "/")
	o := reqtrace(t, nil, append(labArgs(lab), "--http3-only", "--json", url)...)
	var doc struct {
		Hops []struct {
			Response struct{ Proto string }    `json:"response"`
			Timings  map[string]*float64       `json:"timings_ms"`
			QUIC     *struct{ Version string } `json:"quic"`
			TLS      struct{ ALPN string }     `json:"tls"`
		} `json:"hops"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || o.code != 0 || len(doc.Hops) != 1 {
		t.Fatalf("exit %d, %v: %s %s", o.code, err, o.stdout, o.stderr)
	}
	h := doc.Hops[0]
	if h.Response.Proto != "HTTP/3.0" || h.Timings["quic"] == nil || *h.Timings["quic"] < 20 || h.Timings["connect"] != nil ||
		h.QUIC == nil || h.QUIC.Version != "v1" || h.TLS.ALPN != "h3" {
		t.Errorf("JSON hop: %+v quic=%v", h, h.Timings["quic"])
	}
	dump := filepath.Join(t.TempDir(), "head")
	o = reqtrace(t, nil, append(labArgs(lab), "--http3", "-w", "%{http_version} %{http_code} %{time_connect} %{time_appconnect}", "-D", dump, url)...)
	head, _ := os.ReadFile(dump)
	if f := strings.Fields(o.stdout); len(f) != 4 || f[0] != "3" || f[1] != "200" || f[2] != f[3] || f[2] == "0.000000" || !strings.HasPrefix(string(head), "HTTP/3 200 \r\n") {
		t.Errorf("-w %q, -D %q", o.stdout, head)
	}
	if o := reqtrace(t, nil, append(labArgs(lab), "--http3", "--color", "never", url)...); !strings.Contains(o.stdout, "QUIC handshake") || !strings.Contains(o.stdout, "QUIC v1") {
		t.Errorf("text report:\n%s", o.stdout)
	}
	o = reqtrace(t, nil, append(labArgs(lab), "--http3", "--connect-timeout", "0.5", "--color", "never", lab.URL("https", "noquic.lab.test", "/"))...)
	if o.code != 0 || !strings.Contains(o.stdout, "HTTP/3 not used: TCP and TLS were ready first") || !strings.Contains(o.stdout, "quic_timeout") || !strings.Contains(o.stdout, "HTTP/2.0") {
		t.Errorf("fallback: exit %d\n%s", o.code, o.stdout)
	}
	if o := reqtrace(t, nil, append(labArgs(lab), "--http3-only", "--connect-timeout", "0.5", lab.URL("https", "noquic.lab.test", "/"))...); o.code != 28 || !strings.Contains(o.stderr, "QUIC") {
		t.Errorf("--http3-only, no answer: exit %d, %s", o.code, o.stderr)
	}
	// No proxy carries QUIC: --http3-only refuses one as bad input, in one line.
	o = reqtrace(t, []string{"HTTPS_PROXY=" + lab.ProxyURL()}, append(labArgs(lab), "--http3-only", url)...)
	if o.code != 2 || !strings.Contains(o.stderr, "--http3-only cannot go through the proxy") || strings.Count(strings.TrimSpace(o.stderr), "\n") != 0 {
		t.Errorf("--http3-only through a proxy: exit %d, %q", o.code, o.stderr)
	}
}
