package assert

import (
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/page/discover"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// labPage is a page made of real lab traces: a document, a script, two
// images (one missing) and a font, with a finding on two of them.
func labPage(t *testing.T) *page.Result {
	lab := tracetest.New(t)
	get := func(path, typ string, blocking bool) page.Request {
		res := labTrace(t, lab, lab.URL("https", "www.lab.test", path))
		var wire int64
		for _, h := range res.Hops {
			if h.Response != nil {
				wire += h.Response.HeadBytes + h.Response.BodyBytes
			}
		}
		return page.Request{URL: res.URL, Type: typ, RenderBlocking: blocking, Trace: res, TransferBytes: wire, DecodedBytes: wire / 2}
	}
	return &page.Result{
		Requests: []page.Request{
			get("/", discover.TypeDocument, false),
			get("/bytes/2000", discover.TypeScript, true),
			get("/bytes/100", discover.TypeImage, false),
			get("/status/404", discover.TypeImage, false),
			{URL: "https://www.lab.test/font.woff2", Type: discover.TypeFont, Cache: page.CacheFresh},
		},
		Connections: []page.Connection{{ID: 1}},
		Load:        1500 * time.Millisecond,
		Findings: []page.Finding{
			{ID: "uncompressed", Level: trace.LevelWarn, Requests: []int{1, 2}},
			{ID: "many-origins", Level: trace.LevelInfo},
		},
		Skipped: map[string]int{page.SkipScheme: 2, page.SkipOtherSite: 1},
	}
}

func mustParsePage(t *testing.T, expr string) *Check {
	t.Helper()
	c, err := ParsePage(expr)
	if err != nil {
		t.Fatalf("ParsePage(%q): %v", expr, err)
	}
	return c
}

func TestChecksOnAPage(t *testing.T) {
	p := labPage(t)
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{"page.requests == 4", true}, // the fresh font sent none
		{"page.failed == 1", true},
		{"page.render_blocking == 1", true},
		{"page.connections == 1", true},
		{"page.origins == 1", true},
		{"page.findings == 1", true}, // info findings are not counted
		{"page.skipped == 3", true},
		{"page.load < 2s and page.load > 1s", true},
		{"page.ok", true},
		{`requests("image") == 2`, true},
		{`requests("font") == 0`, true},
		{`finding("uncompressed") == 2`, true},
		{`finding("redirects") == 0`, true},
		{`bytes("image") > 0 and bytes("font") == 0`, true},
		{"page.transfer_bytes > 2000", true},
		// Trace fields read the document's trace.
		{"status == 200", true},
		{"http_version == 2", true},
		{`header("content-type") contains "text/"`, true},
		{"page.requests > 10", false},
	} {
		if got := mustParsePage(t, tc.expr).EvalPage(p); got.Passed != tc.want {
			t.Errorf("%s: passed %v, want %v (%v)", tc.expr, got.Passed, tc.want, got.Actual)
		}
	}
	o := mustParsePage(t, `page.requests < 3 and finding("uncompressed") == 0`).EvalPage(p)
	want := []string{"page.requests = 4", `finding("uncompressed") = 2`}
	if strings.Join(o.Actual, "|") != strings.Join(want, "|") {
		t.Errorf("actual = %q, want %q", o.Actual, want)
	}
}

// Page fields and functions are for reqtrace page only; a trace's --assert
// that names one fails with a message saying where it belongs.
func TestPageFieldsOnlyInPage(t *testing.T) {
	for _, expr := range []string{"page.requests < 10", `finding("x") == 0`} {
		_, err := Parse(expr)
		if err == nil || !strings.Contains(err.Error(), "reqtrace page") {
			t.Errorf("Parse(%q) = %v, want an error naming reqtrace page", expr, err)
		}
	}
	_, err := ParsePage("page.requets < 10")
	if err == nil || !strings.Contains(err.Error(), "page.requests") {
		t.Errorf("a typo of a page field: %v, want a suggestion", err)
	}
	_, err = ParsePage(`finding(3) == 0`)
	if err == nil || !strings.Contains(err.Error(), "quoted") {
		t.Errorf("finding(3): %v", err)
	}
}
