package cmd_test

import (
	"encoding/json"
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

// The cache is updated after each response, as curl's is in memory: with
// an empty cache, run 1 of -n 2 goes over HTTP/2 and learns the lab's
// Alt-Svc, run 2 goes over HTTP/3; with -L, the redirect's next hop does.
func TestAltSvcWithinOneRun(t *testing.T) {
	lab := tracetest.New(t)
	dir := t.TempDir()
	var series struct {
		Runs []struct {
			Hops []struct {
				Response struct{ Proto string } `json:"response"`
				Connect  struct{ Via *string }  `json:"connect"`
			} `json:"hops"`
		} `json:"runs"`
	}
	file := filepath.Join(dir, "n2.txt")
	o := reqtrace(t, nil, append(labArgs(lab), "-n", "2", "--alt-svc", file, "--json", lab.URL("https", "h3.lab.test", "/"))...)
	if err := json.Unmarshal([]byte(o.stdout), &series); err != nil || o.code != 0 || len(series.Runs) != 2 {
		t.Fatalf("-n 2: exit %d, %v: %s %s", o.code, err, o.stdout, o.stderr)
	}
	first, second := series.Runs[0].Hops[0], series.Runs[1].Hops[0]
	via := fmt.Sprintf("Alt-Svc cache (h3 at h3.lab.test:%d)", lab.HTTPSPort)
	if first.Response.Proto != "HTTP/2.0" || second.Response.Proto != "HTTP/3.0" || second.Connect.Via == nil || *second.Connect.Via != via {
		t.Errorf("-n 2: run 1 %+v, run 2 %+v", first, second)
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), fmt.Sprintf("h2 h3.lab.test %d h3 h3.lab.test %d \"", lab.HTTPSPort, lab.HTTPSPort)) {
		t.Errorf("-n 2: file:\n%s", b)
	}

	o = reqtrace(t, nil, append(labArgs(lab), "-L", "--alt-svc", filepath.Join(dir, "L.txt"), "--json", lab.URL("https", "h3.lab.test", "/redirect/1"))...)
	var res struct {
		Hops []struct {
			Response struct{ Proto string } `json:"response"`
		} `json:"hops"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &res); err != nil || o.code != 0 || len(res.Hops) != 2 ||
		res.Hops[0].Response.Proto != "HTTP/2.0" || res.Hops[1].Response.Proto != "HTTP/3.0" {
		t.Errorf("-L: exit %d, %v: %+v %s", o.code, err, res.Hops, o.stderr)
	}

	// Alt-Svc on http:// is not learned, as curl ignores it there.
	plain := filepath.Join(dir, "http.txt")
	if o := reqtrace(t, nil, append(labArgs(lab), "--alt-svc", plain, "-o", "/dev/null", lab.URL("http", "h3.lab.test", "/"))...); o.code != 0 {
		t.Fatalf("http://: exit %d %s", o.code, o.stderr)
	}
	if _, err := os.Stat(plain); err == nil {
		b, _ := os.ReadFile(plain)
		t.Errorf("http:// wrote the cache:\n%s", b)
	}
}
