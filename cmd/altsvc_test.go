package cmd_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// --alt-svc FILE: the first run over TCP learns the lab's h3 offer and
// writes it in curl's format; the second reads it and goes over HTTP/3.
func TestAltSvcFile(t *testing.T) {
	lab := tracetest.New(t)
	file := filepath.Join(t.TempDir(), "altsvc.txt")
	url := lab.URL("https", "h3.lab.test", "/")
	o := reqtrace(t, nil, append(labArgs(lab), "--alt-svc", file, "-w", "%{http_version}", url)...)
	b, _ := os.ReadFile(file)
	entry := fmt.Sprintf("h2 h3.lab.test %d h3 h3.lab.test %d \"", lab.HTTPSPort, lab.HTTPSPort)
	if o.code != 0 || o.stdout != "2" || !strings.Contains(string(b), entry) || !strings.HasSuffix(strings.TrimSpace(string(b)), "\" 0 0") {
		t.Fatalf("first run: exit %d, %q %s; file:\n%s", o.code, o.stdout, o.stderr, b)
	}
	o = reqtrace(t, nil, append(labArgs(lab), "--alt-svc", file, "--color", "never", url)...)
	if o.code != 0 || !strings.Contains(o.stdout, "HTTP/3.0") || !strings.Contains(o.stdout, "Alt-Svc cache") {
		t.Errorf("second run: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	// --http1.1 keeps the request on TCP whatever the cache says.
	if o := reqtrace(t, nil, append(labArgs(lab), "--alt-svc", file, "--http1.1", "-w", "%{http_version}", url)...); o.stdout != "1.1" {
		t.Errorf("--http1.1 with the cache: %q", o.stdout)
	}
}

// curl reads and writes the same file: the entry reqtrace wrote is one
// curl keeps (it writes it back unchanged after a transfer that sees the
// same header), and reqtrace reads the file curl wrote.
func TestAltSvcFileCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl is not installed (CI must install it: .ci/run)")
		}
		t.Skip("curl is not installed")
	}
	lab := tracetest.New(t)
	dir := t.TempDir()
	curlFile, ours := filepath.Join(dir, "curl.txt"), filepath.Join(dir, "ours.txt")
	url := lab.URL("https", "h3.lab.test", "/")
	resolve := fmt.Sprintf("h3.lab.test:%d:127.0.0.1", lab.HTTPSPort)
	out, err := exec.Command("curl", "-s", "-o", "/dev/null", "--cacert", lab.CAFile, "--resolve", resolve, "--alt-svc", curlFile, url).CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v %s", err, out)
	}
	o := reqtrace(t, nil, append(labArgs(lab), "--alt-svc", ours, "-o", "/dev/null", url)...)
	if o.code != 0 {
		t.Fatalf("reqtrace: exit %d %s", o.code, o.stderr)
	}
	theirs, _ := os.ReadFile(curlFile)
	mine, _ := os.ReadFile(ours)
	if entries(theirs) == nil || len(entries(theirs)) != len(entries(mine)) {
		t.Fatalf("curl wrote:\n%s\nreqtrace wrote:\n%s", theirs, mine)
	}
	for i, c := range entries(theirs) {
		m := entries(mine)[i]
		// Fields 1-6 (ALPNs, hosts, ports) and persist/prio match; the
		// expiry is a minute from each run, so only its form is compared.
		cf, mf := strings.Fields(c), strings.Fields(m)
		if strings.Join(cf[:6], " ") != strings.Join(mf[:6], " ") || strings.Join(cf[8:], " ") != strings.Join(mf[8:], " ") || len(cf[6]) != len(mf[6]) || len(cf[7]) != len(mf[7]) {
			t.Errorf("entry %d: curl %q, reqtrace %q", i, c, m)
		}
	}
	// curl's file upgrades reqtrace's next run.
	o = reqtrace(t, nil, append(labArgs(lab), "--alt-svc", curlFile, "-w", "%{http_version}", url)...)
	if o.stdout != "3" {
		t.Errorf("reqtrace with curl's file: %q %s", o.stdout, o.stderr)
	}
}

func entries(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}
