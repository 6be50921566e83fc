package cmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func TestPageCommand(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "www.lab.test", "/page")
	page := func(args ...string) outcome {
		return reqtrace(t, nil, append(append([]string{"page"}, labArgs(lab)...), args...)...)
	}
	dir := filepath.Join(t.TempDir(), "bodies")
	o := page("-o", dir, url)
	if o.code != 0 || !strings.Contains(o.stdout, url) || o.stderr != "" {
		t.Fatalf("page: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
	host := strings.TrimPrefix(strings.TrimSuffix(url, "/page"), "https://")
	body, err := os.ReadFile(filepath.Join(dir, strings.ReplaceAll(host, ":", "_"), "page"))
	if err != nil || !strings.Contains(string(body), "lab page") {
		t.Errorf("-o DIR: %v %q", err, body)
	}

	harFile := filepath.Join(t.TempDir(), "page.har")
	if o := page("--har", harFile, url); o.code != 0 {
		t.Errorf("--har: exit %d %s", o.code, o.stderr)
	}
	var h struct {
		Log struct {
			Pages   []any `json:"pages"`
			Entries []struct {
				Initiator map[string]any `json:"_initiator"`
			} `json:"entries"`
		} `json:"log"`
	}
	if b, err := os.ReadFile(harFile); err != nil || json.Unmarshal(b, &h) != nil || len(h.Log.Pages) != 1 || len(h.Log.Entries) != 1 || h.Log.Entries[0].Initiator["type"] != "other" {
		t.Errorf("--har: %v %+v", err, h)
	}
	o = page("--json", "--repeat-view", url)
	var doc struct {
		Schema   string `json:"schema"`
		Requests []any  `json:"requests"`
		Repeat   any    `json:"repeat"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &doc); o.code != 0 || err != nil || doc.Schema != "reqtrace.page/v1" || len(doc.Requests) != 1 {
		t.Errorf("--json: exit %d, %v, %+v\n%s", o.code, err, doc, o.stderr)
	}
	if !strings.Contains(o.stdout, `"revalidated"`) && !strings.Contains(o.stdout, `"fresh"`) {
		t.Errorf("--json --repeat-view: the repeat view's cache is not in the document:\n%.2000s", o.stdout)
	}

	// The document's failure is the exit status, curl's code.
	if o := page(lab.URL("https", "www.nxdomain.lab.test", "/")); o.code != 6 || !strings.Contains(o.stderr, "nxdomain") && !strings.Contains(o.stderr, "NXDOMAIN") {
		t.Errorf("nxdomain document: exit %d, stderr %q", o.code, o.stderr)
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	for _, args := range [][]string{{"--max-requests", "0", url}, {"-o", file, url}, {"--cacert", file, url}} {
		if o := page(args...); o.code != 2 || !strings.Contains(o.stderr, args[0]) {
			t.Errorf("%v: exit %d, stderr %q", args, o.code, o.stderr)
		}
	}
}

// --assert gates a page load's exit status on page facts: the lab's big
// page has a missing image, so page.failed is 1, never 0.
func TestPageAsserts(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "www.lab.test", tracetest.PagePath)
	page := func(args ...string) outcome {
		return reqtrace(t, nil, append(append([]string{"page", "-s", "-S"}, labArgs(lab)...), args...)...)
	}
	o := page("--assert", "page.requests > 30", "--assert", `requests("font") >= 1 and page.origins == 3`,
		"--assert", "status == 200", "--assert", "page.load >= page.dom_content_loaded", url)
	if o.code != 0 {
		t.Fatalf("passing checks: exit %d\n%s", o.code, o.stderr)
	}
	o = page("--assert", "page.failed == 0", url)
	if o.code != 4 || !strings.Contains(o.stderr, "assertion failed: page.failed == 0: page.failed = 1") {
		t.Errorf("failing check: exit %d, stderr %q", o.code, o.stderr)
	}
	o = page("--assert", "page.requets > 1", url)
	if o.code != 2 || !strings.Contains(o.stderr, "page.requests") {
		t.Errorf("a typo: exit %d, stderr %q", o.code, o.stderr)
	}
	o = reqtrace(t, nil, append(append([]string{"trace"}, labArgs(lab)...), "--assert", "page.requests > 1", url)...)
	if o.code != 2 || !strings.Contains(o.stderr, "reqtrace page") {
		t.Errorf("a page field in trace: exit %d, stderr %q", o.code, o.stderr)
	}
}
