package cmd_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// The system roots are read on the first handshake that needs them and
// never before: an http:// trace must not touch them. SSL_CERT_FILE names
// a FIFO nobody writes to, so reading it would block the trace for good.
func TestHTTPTraceReadsNoRoots(t *testing.T) {
	lab := tracetest.New(t)
	fifo := filepath.Join(t.TempDir(), "roots.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, binary, "--dns-servers", lab.DNSAddr, "-s", "-w", "%{http_code}", lab.URL("http", "www.lab.test", "/"))
	c.Env = []string{"SSL_CERT_FILE=" + fifo, "NO_COLOR=1"}
	out, err := c.Output()
	if ctx.Err() != nil {
		t.Fatal("the http:// trace blocked reading SSL_CERT_FILE: roots were loaded without a handshake")
	}
	if err != nil || string(out) != "200" {
		t.Fatalf("exit %v, stdout %q", err, out)
	}
}

// Without --cacert a handshake verifies against the system roots: Go's
// loader when SSL_CERT_FILE is set, else the distribution's bundle, which
// does not hold the lab's CA.
func TestSystemRootsOnHandshake(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "www.lab.test", "/")
	dns := []string{"--dns-servers", lab.DNSAddr, "-w", "%{ssl_verify_result}", url}
	if o := reqtrace(t, []string{"SSL_CERT_FILE=" + lab.CAFile}, dns...); o.code != 0 || o.stdout != "0" {
		t.Errorf("SSL_CERT_FILE=lab CA: exit %d, verify %q, stderr %s", o.code, o.stdout, o.stderr)
	}
	if o := reqtrace(t, nil, append([]string{"-s"}, dns...)...); o.code != 60 {
		t.Errorf("system bundle: exit %d, want 60 (the lab CA is not a system root); stderr %s", o.code, o.stderr)
	}
}

// BenchmarkStartVersion is the start-up cost: exec of `reqtrace version`.
// Compare builds with: go test -run '^$' -bench Start ./cmd
func BenchmarkStartVersion(b *testing.B) {
	for b.Loop() {
		if err := exec.Command(binary, "version").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartHTTPTrace is a whole plain-HTTP trace on loopback, from
// exec to exit: start-up, DNS skipped (an IP literal), one exchange.
func BenchmarkStartHTTPTrace(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello\n") }))
	defer srv.Close()
	for b.Loop() {
		c := exec.Command(binary, srv.URL+"/")
		c.Env = []string{"NO_COLOR=1"}
		if err := c.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
