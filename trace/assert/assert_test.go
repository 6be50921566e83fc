package assert

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// labTrace traces rawURL against the lab, as the CLI would.
func labTrace(t *testing.T, lab *tracetest.Lab, rawURL string) *trace.Result {
	t.Helper()
	u, err := trace.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf,
		HostsFile: lab.HostsFile, CACert: lab.CAPEM, MaxTime: 20 * time.Second}
	return trace.Do(context.Background(), o)
}

func mustParse(t *testing.T, expr string) *Check {
	t.Helper()
	c, err := Parse(expr)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	return c
}

// The lab's /wait/120 answers 200 after 120 ms of think time, over h2,
// with Server-Timing and a certificate the lab's CA issued.
func TestChecksOnARealTrace(t *testing.T) {
	lab := tracetest.New(t)
	res := labTrace(t, lab, lab.URL("https", "www.lab.test", "/wait/120"))
	if res.Err != nil {
		t.Fatalf("trace: %s", res.Err.Message)
	}
	runs := []*trace.Result{res}
	for _, tc := range []struct {
		expr string
		pass bool
	}{
		{"status == 200", true},
		{"status != 200", false},
		{"status >= 200 and status < 300", true},
		{"http_version == 2", true},
		{"http_version == 1.1", false},
		{"timings.total >= 120ms", true}, // the think time is the floor
		{"timings.total < 120ms", false},
		{"timings.wait >= 50ms", true}, // the think time less what sending took (h2 stamps it late)
		{"timings.total >= timings.wait", true},
		{"timings.tls > 0s and timings.dns > 0s", true},
		{"tls.version == \"TLS 1.3\"", true},
		{"tls.alpn == 'h2' && tls.verified", true},
		{"tls.days_left > 0", true},
		{"tls.days_left > 100000", false},
		{"dns.answers >= 1 and dns.rcode == \"NOERROR\"", true},
		{"dns.answers >= 2", false},
		{"header(\"server-timing\") contains \"think\"", true},
		{"header(\"x-none\") contains \"\"", false},
		{"not (header(\"x-none\") == \"x\")", true},
		{"url endswith \"/wait/120\" and method == \"GET\"", true},
		{"ok and error == \"\"", true},
		{"redirects == 0 or status == 301", true},
		{"connect.ip matches \"^127\\\\.\"", true},
		{"p95(timings.total) >= 120ms", true},
		{"max(status) == 200", true},
	} {
		got := mustParse(t, tc.expr).Eval(runs)
		if got.Passed != tc.pass {
			t.Errorf("%s: passed %v, want %v (actual %v)", tc.expr, got.Passed, tc.pass, got.Actual)
		}
	}
}

// A failed check says what it read, so the CI log shows the real value.
func TestFailureNamesTheActualValues(t *testing.T) {
	lab := tracetest.New(t)
	res := labTrace(t, lab, lab.URL("http", "www.lab.test", "/status/503"))
	got := mustParse(t, `status == 200 and timings.wait < 1s`).Eval([]*trace.Result{res})
	if got.Passed || !slices.Contains(got.Actual, "status = 503") || len(got.Actual) != 2 || !strings.HasPrefix(got.Actual[1], "timings.wait = ") {
		t.Errorf("got %+v", got)
	}
	// http:// has no TLS: the field is missing, and the check fails.
	got = mustParse(t, `tls.days_left > 14`).Eval([]*trace.Result{res})
	if got.Passed || !slices.Equal(got.Actual, []string{"tls.days_left = missing"}) {
		t.Errorf("tls on http://: %+v", got)
	}
}

// Over several runs, a per-run check must hold for each (the first that
// fails is named) and an aggregate reads them all.
func TestChecksOverRuns(t *testing.T) {
	lab := tracetest.New(t)
	runs := []*trace.Result{
		labTrace(t, lab, lab.URL("http", "www.lab.test", "/wait/10")),
		labTrace(t, lab, lab.URL("http", "www.lab.test", "/wait/150")),
		labTrace(t, lab, lab.URL("http", "www.lab.test", "/wait/10")),
	}
	got := mustParse(t, "timings.wait < 100ms").Eval(runs)
	if got.Passed || got.Run != 2 {
		t.Errorf("per run: %+v, want a failure in run 2", got)
	}
	if got := mustParse(t, "median(timings.wait) < 100ms").Eval(runs); !got.Passed || got.Run != 0 {
		t.Errorf("median: %+v", got)
	}
	if got := mustParse(t, "max(timings.wait) >= 150ms and min(timings.wait) >= 10ms").Eval(runs); !got.Passed {
		t.Errorf("max and min: %+v", got)
	}
	if got := mustParse(t, "p99(timings.wait) < 100ms").Eval(runs); got.Passed {
		t.Errorf("p99 over a 150 ms run passed: %+v", got)
	}
}

// Bad expressions fail when parsed, before a request goes out, with the
// position and a way to fix them.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"", "expected a field"},
		{"status = 200", "write == to compare"},
		{"timings.wait < 200", "give the number a unit"},
		{"status == \"200\"", "is a number and \"200\" is a string"},
		{"statsu == 200", `did you mean status`},
		{"timings.wiat < 1s", "did you mean timings.wait"},
		{"status", "not a check"},
		{"status == 200 status", "join two checks"},
		{"header(status)", "quoted name"},
		{"p95(header(\"x\")) < 1s", "number or a duration"},
		{"foo(status) == 1", "no function"},
		{"(status == 200", "expected ) to close"},
		{"reason < \"OK\"", "use == or !="},
		{"status contains \"2\"", "compares strings"},
		{"header(\"a\") matches \"(\"", "does not compile"},
		{"timings.wait < 20parsecs", "not a duration"},
		{"'open", "not closed"},
		{"status == 200 and 5", "compare it first"},
		{"status # 2", "unexpected character"},
		{strings.Repeat("(", 100) + "ok" + strings.Repeat(")", 100), "nested deeper"},
		{strings.Repeat("x", MaxLength+1), "longer than"},
	} {
		_, err := Parse(tc.expr)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%.60q) = %v, want an error with %q", tc.expr, err, tc.want)
		}
	}
}

func TestFieldsAreDocumented(t *testing.T) {
	list := Fields()
	if len(list) != len(fields) || !strings.HasPrefix(list[0], "body_bytes (number): ") {
		t.Errorf("Fields() = %q", list[:3])
	}
}

// FuzzParse: any argument parses or fails with a SyntaxError, and a parsed
// check evaluates on an empty Result without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"status == 200", "timings.wait < 200ms", `header("x") contains "y"`,
		"p95(timings.total) < 300ms", "not (ok or tls.verified) && dns.answers >= 2", `reason matches "^O"`, "1.5µs < 2s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		c, err := Parse(expr)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): %T %v", expr, err, err)
			}
			return
		}
		c.Eval([]*trace.Result{{}, {Hops: []trace.Hop{{}}}})
	})
}
