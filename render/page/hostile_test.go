package page_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/har"
	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	rpage "github.com/reqtrace/reqtrace/render/page"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
)

const evil = "x" + rendertest.OSCTitle + rendertest.Clear + rendertest.C1CSI + rendertest.BadUTF8 + "\u202eevil\u2028y" + rendertest.Invisible

// hostile is the fixture page with server-chosen text everywhere the
// report prints it: URLs (found in markup, so the server's), initiators,
// headers and the notes they cause, types, totals' keys, findings,
// skipped reasons, the error.
func hostile() *page.Result {
	res := repeated()
	for i := range res.Requests {
		r := &res.Requests[i]
		r.URL += "?q=" + evil
		r.Initiator.URL += evil
		if h := r.Final(); h != nil && h.Response != nil {
			h.Response.Headers = append(h.Response.Headers, trace.Header{Name: "X-Evil" + rendertest.Clear, Value: evil})
			h.Notes = append(h.Notes, trace.Note{ID: "x" + evil, Level: trace.LevelWarn, Subject: evil, Message: "bad " + evil})
		}
	}
	res.Requests[3].Type = evil
	res.Totals.ByOrigin[0].Key = evil
	res.Totals.ByType[0].Key = evil
	res.Findings = append(res.Findings, page.Finding{ID: evil, Level: trace.LevelBad, Message: evil, Requests: []int{1, 2}})
	res.Skipped = map[string]int{page.SkipOtherSite: 2, evil: 1}
	res.Err = &trace.Error{Phase: trace.PhaseReceive, Kind: trace.KindReceive, Message: evil, Hint: evil}
	return res
}

func TestHostileText(t *testing.T) {
	for _, opt := range []rpage.Options{{Width: 80}, {Width: 140, Color: true, Verbose: true}} {
		var buf bytes.Buffer
		if err := rpage.Text(&buf, hostile(), opt); err != nil {
			t.Fatal(err)
		}
		rendertest.AssertTerminalSafe(t, buf.Bytes(), opt.Color)
		if !strings.Contains(buf.String(), `\x1b]0;pwned`) || !strings.Contains(buf.String(), `\u202e`) {
			t.Errorf("the attacks are not shown escaped:\n%s", buf.String())
		}
		fits(t, buf.String(), opt.Width)
	}
}

func TestHostileJSONAndHAR(t *testing.T) {
	var js, hr bytes.Buffer
	if err := rpage.JSON(&js, hostile()); err != nil {
		t.Fatal(err)
	}
	if err := rpage.HAR(&hr, hostile(), har.Options{}); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"json": js.Bytes(), "har": hr.Bytes()} {
		rendertest.AssertTerminalSafe(t, b, false)
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s: not JSON: %v", name, err)
		}
		if !strings.Contains(string(b), `\u202e`) {
			t.Errorf("%s: the bidi override is not escaped", name)
		}
	}
}

var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// fits fails if a line is wider than the terminal.
func fits(t *testing.T, out string, width int) {
	t.Helper()
	if width == 0 {
		width = 100
	}
	for _, l := range strings.Split(out, "\n") {
		if w := render.TextWidth(sgr.ReplaceAllString(l, "")); w > width-1 {
			t.Errorf("%d columns at width %d: %q", w, width, l)
		}
	}
}

func TestTextFitsWidth(t *testing.T) {
	for _, w := range []int{50, 64, 80, 100, 120, 200} {
		for _, v := range []bool{false, true} {
			var buf bytes.Buffer
			if err := rpage.Text(&buf, repeated(), rpage.Options{Width: w, Verbose: v}); err != nil {
				t.Fatal(err)
			}
			fits(t, buf.String(), w)
		}
	}
}

func TestTextColor(t *testing.T) {
	var plain, col bytes.Buffer
	rpage.Text(&plain, loaded(), rpage.Options{})
	rpage.Text(&col, loaded(), rpage.Options{Color: true})
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("colour codes with Color off")
	}
	if !strings.Contains(col.String(), "\x1b[") {
		t.Error("no colour with Color on")
	}
	if got := sgr.ReplaceAllString(col.String(), ""); got != plain.String() {
		t.Error("the coloured report says something else than the plain one")
	}
}

// A page whose document failed: the headline and the error, nothing else
// made up.
func TestTextFailedPage(t *testing.T) {
	res := &page.Result{URL: "https://nx.example.test/", Err: &trace.Error{Phase: trace.PhaseDNS, Kind: trace.KindNXDomain,
		Message: "nx.example.test does not exist (NXDOMAIN)", Hint: "check the spelling"}}
	page.Summarize(res)
	var buf bytes.Buffer
	if err := rpage.Text(&buf, res, rpage.Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"Page https://nx.example.test/", "0 requests", "reqtrace: nx.example.test does not exist (NXDOMAIN)", "hint: check the spelling"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	for _, not := range []string{"Waterfall", "Findings", "Critical path"} {
		if strings.Contains(out, not) {
			t.Errorf("%q for a page that never loaded:\n%s", not, out)
		}
	}
	if err := rpage.Text(&buf, nil, rpage.Options{}); err == nil {
		t.Error("nil result: no error")
	}
}

// The findings and the critical path name their requests; -v lists all.
func TestTextFindingsAndPath(t *testing.T) {
	var short, long bytes.Buffer
	rpage.Text(&short, loaded(), rpage.Options{Width: 120})
	rpage.Text(&long, loaded(), rpage.Options{Width: 120, Verbose: true})
	for _, want := range []string{"⚠ http1-many  could save ~48.20 ms", "… and 3 more (-v lists them all)",
		"└ css  /css/site.css", "└ css  /css/fonts.css", "the first render waits until 185.9 ms", "+#3"} {
		if !strings.Contains(short.String(), want) {
			t.Errorf("no %q in\n%s", want, short.String())
		}
	}
	if strings.Contains(long.String(), "more (-v lists them all)") || !strings.Contains(long.String(), "#11 static.example.org/img/thumb-6.png") {
		t.Errorf("-v does not list every request:\n%s", long.String())
	}
}
