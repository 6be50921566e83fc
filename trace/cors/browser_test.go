package cors_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/reqtrace/reqtrace/trace/cors/corslab"
)

// The judge: Chromium itself. Every scenario of the lab is fetched from
// the lab's page in headless Chromium; what Chromium did (preflight sent,
// fetch resolved, headers readable, the console line) must be what the
// scenario table records and what reqtrace's evaluator says.

// chromiumPath finds Debian's chromium (CHROMIUM overrides).
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is a headless Chromium with one tab per page origin and the
// console lines it logged.
type browser struct {
	tabs map[string]context.Context // by page origin

	mu      sync.Mutex
	console []consoleEntry
}

// consoleEntry is one line of the console and the URL it is about (set
// for network errors, whose text does not name it).
type consoleEntry struct {
	text, url string
}

// startBrowser starts Chromium with a fresh profile, the lab's names
// mapped to 127.0.0.1 and the public page's port declared public, and
// opens the page in two tabs.
func startBrowser(t *testing.T, exe string, lab testLab) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,IsolateSandboxedIframes"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("host-resolver-rules", "MAP *.cors.test 127.0.0.1"),
		chromedp.Flag("ignore-certificate-errors", true), // the https:// API's lab CA
		// Tell Chromium the public page is on a public address, so that
		// Local Network Access applies to it and only to it.
		chromedp.Flag("ip-address-space-overrides", fmt.Sprintf("127.0.0.1:%d=public", lab.PublicPort)),
	)
	// A bound on the whole browser: a hung Chromium fails the test, not CI.
	limit, cancelLimit := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancelLimit)
	actx, cancelAlloc := chromedp.NewExecAllocator(limit, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	b := &browser{tabs: map[string]context.Context{}}
	for i, origin := range []string{lab.PageOrigin(), lab.PublicPageOrigin(), lab.SecurePageOrigin()} {
		tab := bctx
		if i > 0 {
			var cancel context.CancelFunc
			tab, cancel = chromedp.NewContext(bctx)
			t.Cleanup(cancel)
		}
		if err := b.open(tab, origin+"/"); err != nil {
			t.Fatalf("starting chromium (%s): %v", exe, err)
		}
		b.tabs[origin] = tab
	}
	return b
}

// open loads the page in a tab and records its console lines.
func (b *browser) open(tab context.Context, url string) error {
	if err := chromedp.Listen(tab, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok && e.Entry != nil {
			b.mu.Lock()
			b.console = append(b.console, consoleEntry{e.Entry.Text, e.Entry.URL})
			b.mu.Unlock()
		}
	}); err != nil {
		return err
	}
	if _, err := chromedp.Call(tab, log.Enable, cdp.Empty{}); err != nil {
		return err
	}
	return chromedp.Do(tab, chromedp.Navigate(url))
}

// fetchResult is what the page's runFetch returns.
type fetchResult struct {
	OK      bool     `json:"ok"`
	Status  int      `json:"status"`
	Headers []string `json:"headers"`
	Error   string   `json:"error"`
}

// specOf is a scenario's fetch() as the lab page's runFetch takes it.
func specOf(lab *corslab.Lab, s *corslab.Scenario) corslab.Spec {
	headers := s.Headers
	if headers == nil {
		headers = [][2]string{} // fetch() refuses headers: null
	}
	sp := corslab.Spec{Name: s.Name, URL: lab.ScenarioURL(s), Method: s.FetchMethod(), Headers: headers,
		Credentials: map[bool]string{true: "include", false: "omit"}[s.Credentials], Sandbox: s.Sandbox}
	if s.HasBody {
		sp.Body = &s.Body
	}
	return sp
}

// fetch runs the scenario's fetch() in the browser.
func (b *browser) fetch(t *testing.T, lab *corslab.Lab, s *corslab.Scenario) fetchResult {
	t.Helper()
	tab := b.tabs[pageOriginOf(lab, s)]
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	defer cancel()
	js, err := json.Marshal(specOf(lab, s))
	if err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[fetchResult]("runFetch("+string(js)+")", chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running fetch() in chromium: %v", s.Name, err)
	}
	return res
}

// consoleFor waits a moment for the console line about a scenario: the
// CORS failure, or else the network error that failed the fetch() (its
// entry names the URL apart from the text, which is all we keep).
func (b *browser) consoleFor(s *corslab.Scenario) string {
	needle := "/s/" + s.Name + "'" // also in "(redirected from '…/s/name')"
	for range 40 {
		if line := b.findConsole(func(e consoleEntry) bool {
			mixed := strings.HasPrefix(e.text, "Mixed Content:") && strings.Contains(e.text, "/s/"+s.Name+"-target'")
			return strings.Contains(e.text, needle) && (strings.Contains(e.text, "blocked by CORS policy") || strings.HasPrefix(e.text, "Mixed Content:")) || mixed
		}); line != "" {
			return line
		}
		time.Sleep(25 * time.Millisecond)
	}
	return b.findConsole(func(e consoleEntry) bool {
		return strings.Contains(e.url, "/s/"+s.Name) && strings.Contains(e.text, "net::ERR_")
	})
}

func (b *browser) findConsole(match func(consoleEntry) bool) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.console {
		if match(e) {
			return e.text
		}
	}
	return ""
}

// observe runs one scenario in the browser and reads the server's log.
func (b *browser) observe(t *testing.T, lab *corslab.Lab, s *corslab.Scenario) observed {
	r := b.fetch(t, lab, s)
	o := fromWire(t, lab, s, r)
	if !r.OK {
		o.console = b.consoleFor(s)
	}
	return o
}

// fromWire is what a browser did: what its fetch() resolved to and what
// reached the lab.
func fromWire(t *testing.T, lab *corslab.Lab, s *corslab.Scenario, r fetchResult) observed {
	o := observed{allowed: r.OK, status: r.Status, live: true}
	if !r.OK && !strings.Contains(r.Error, "Failed to fetch") && !strings.Contains(r.Error, "NetworkError") {
		t.Errorf("%s: fetch() failed in an unexpected way: %s", s.Name, r.Error)
	}
	if r.OK {
		o.readable = slices.Sorted(slices.Values(r.Headers))
	}
	for _, seen := range lab.Seen(s.Path()) {
		switch {
		case seen.Method == "OPTIONS" && o.preflightHeaders == nil:
			o.preflight = true
			o.preflightHeaders = pick(seen.Headers.Get)
		case seen.Method != "OPTIONS" && o.actualHeaders == nil:
			o.actualHeaders = pick(seen.Headers.Get)
			if os.Getenv("JUDGE_DEBUG") == "wire" {
				t.Logf("%s: actual request on the wire: %q", s.Name, seen.Headers)
			}
		}
	}
	var reqs []request
	for _, path := range []string{s.Path(), s.Path() + "-hop", s.Path() + "-target"} {
		for _, seen := range lab.Seen(path) {
			reqs = append(reqs, request{path, seen.Method, seen.Headers.Get})
		}
	}
	o.chain(reqs, s.Path()+"-target")
	return o
}

func TestChromiumAgrees(t *testing.T) {
	exe := chromiumPath()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not found, and .ci/run should have installed it: the browser is the judge here")
		}
		t.Skip("chromium not found: install Debian's chromium package; .ci/run does")
	}
	lab := newLab(t)
	b := startBrowser(t, exe, lab)
	scenarios := corslab.Scenarios()
	agreed, limited := 0, 0
	for i := range scenarios {
		s := &scenarios[i]
		t.Run(s.Name, func(t *testing.T) {
			chrome := b.observe(t, lab.Lab, s)  // first: the evaluator's own requests land in the same log
			if os.Getenv("JUDGE_DEBUG") != "" { // to record a new scenario's Want
				t.Logf("Chromium did: %+v", chrome)
				if os.Getenv("JUDGE_DEBUG") == "console" {
					b.mu.Lock()
					for _, e := range b.console {
						t.Logf("console: %q (%s)", e.text, e.url)
					}
					b.mu.Unlock()
				}
			}
			if d := differences(recorded(lab.Lab, s), chrome); len(d) > 0 {
				t.Errorf("Chromium no longer does what the table records (update corslab/scenarios.go):\n  %s", strings.Join(d, "\n  "))
			}
			rep := evaluate(t, lab, s)
			diffs := agree(s, rep, chrome)
			for _, d := range diffs {
				t.Error(d)
			}
			switch {
			case len(diffs) > 0:
			case s.Limitation != "":
				limited++
			default:
				agreed++
			}
		})
	}
	t.Logf("Chromium judge: reqtrace agrees on %d of %d scenarios; known limitations (verdict unknown): %d", agreed, len(scenarios)-limited, limited)
}

// differences compares the recorded behaviour with the live one.
func differences(want, got observed) []string {
	var d []string
	if want.preflight != got.preflight {
		d = append(d, fmt.Sprintf("preflight: recorded %v, now %v", want.preflight, got.preflight))
	}
	if want.allowed != got.allowed {
		d = append(d, fmt.Sprintf("allowed: recorded %v, now %v", want.allowed, got.allowed))
	}
	if want.status != 0 && want.status != got.status {
		d = append(d, fmt.Sprintf("status: recorded %d, now %d", want.status, got.status))
	}
	if want.allowed && got.allowed && !slices.Equal(want.readable, got.readable) {
		d = append(d, fmt.Sprintf("readable: recorded %v, now %v", want.readable, got.readable))
	}
	if want.console != got.console {
		d = append(d, fmt.Sprintf("console:\n    recorded %q\n    now      %q", want.console, got.console))
	}
	if want.requests != 0 && want.requests != got.requests {
		d = append(d, fmt.Sprintf("requests: recorded %d, now %d", want.requests, got.requests))
	}
	if want.target != (corslab.Reached{}) && want.target != got.target {
		d = append(d, fmt.Sprintf("at the redirect target: recorded %+v, now %+v", want.target, got.target))
	}
	return d
}
