package cmd_test

import (
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// --assert gates the exit code: 0 when every check holds, 4 with the
// failed checks and their values on stderr, 2 (and no request) for a
// check that does not parse; a failed trace keeps its own code.
func TestAssertExitCodes(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "www.lab.test", "/wait/50")
	args := func(extra ...string) []string { return append(append(labArgs(lab), extra...), url) }

	if o := reqtrace(t, nil, args("--json", "--assert", "status == 200", "--assert", "timings.total >= 50ms and tls.verified")...); o.code != 0 || o.stderr != "" {
		t.Errorf("passing checks: exit %d, stderr %q", o.code, o.stderr)
	}
	o := reqtrace(t, nil, args("--json", "--assert", "status == 200", "--assert", "timings.total < 50ms", "--assert", `header("server") == "x"`)...)
	if o.code != 4 || !strings.Contains(o.stdout, `"schema": "reqtrace.trace/v1"`) {
		t.Errorf("failing checks: exit %d, stdout %.100q", o.code, o.stdout)
	}
	lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "reqtrace: assertion failed: timings.total < 50ms: timings.total = ") ||
		!strings.HasPrefix(lines[1], `reqtrace: assertion failed: header("server") == "x": header("server") = `) {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if o := reqtrace(t, nil, args("-s", "--assert", "status == 500")...); o.code != 4 || o.stderr != "" {
		t.Errorf("-s: exit %d, stderr %q", o.code, o.stderr)
	}

	before := lab.Requests("/wait/50")
	o = reqtrace(t, nil, args("--assert", "timings.wait < 200")...)
	if o.code != 2 || !strings.Contains(o.stderr, "give the number a unit, as in 200ms") || strings.Count(o.stderr, "\n") != 1 {
		t.Errorf("bad check: exit %d, stderr %q", o.code, o.stderr)
	}
	if lab.Requests("/wait/50") != before {
		t.Errorf("a request went out for a check that does not parse")
	}

	o = reqtrace(t, nil, append(labArgs(lab), "--assert", "ok", lab.URL("https", "nxdomain.lab.test", "/"))...)
	if o.code != 6 {
		t.Errorf("failed trace: exit %d, want the DNS failure's 6", o.code)
	}
}

// With -n, a per-run check must hold in every run and an aggregate reads
// the series.
func TestAssertOverRuns(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("http", "www.lab.test", "/wait/30")
	o := reqtrace(t, nil, append(labArgs(lab), "-n", "3", "--assert", "p95(timings.total) >= 30ms", "--assert", "max(timings.wait) < 30ms", url)...)
	if o.code != 4 || !strings.Contains(o.stderr, "assertion failed: max(timings.wait) < 30ms: max(timings.wait) = ") || strings.Contains(o.stderr, "p95") {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
	o = reqtrace(t, nil, append(labArgs(lab), "-n", "3", "--assert", "timings.wait > 1h", url)...)
	if o.code != 4 || !strings.Contains(o.stderr, "(run 1 of 3)") {
		t.Errorf("per run: exit %d, stderr %q", o.code, o.stderr)
	}
}
