package cors_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace/cors"
	"github.com/reqtrace/reqtrace/trace/cors/corslab"
)

// The second judge: Firefox ESR, driven by no protocol. The lab serves a
// batch page (corslab/batch.go) that runs every scenario's fetch() in one
// page load per page origin and posts the results back; what reached the
// API is in the lab's log, as for Chromium.

// firefoxPath finds Debian's firefox-esr (FIREFOX overrides).
func firefoxPath() string {
	if p := os.Getenv("FIREFOX"); p != "" {
		return p
	}
	for _, name := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// firefoxPrefs make a fresh profile quiet and offline but for the lab:
// no first-run or what's-new pages, no telemetry, updates, captive-portal
// or connectivity probes, safe browsing or remote settings, and the lab's
// names resolved to loopback.
var firefoxPrefs = map[string]any{
	"browser.shell.checkDefaultBrowser":                 false,
	"browser.startup.homepage_override.mstone":          "ignore",
	"browser.startup.page":                              0,
	"browser.aboutwelcome.enabled":                      false,
	"browser.newtabpage.enabled":                        false,
	"browser.tabs.warnOnClose":                          false,
	"startup.homepage_welcome_url":                      "",
	"startup.homepage_welcome_url.additional":           "",
	"datareporting.policy.dataSubmissionEnabled":        false,
	"datareporting.healthreport.uploadEnabled":          false,
	"toolkit.telemetry.enabled":                         false,
	"toolkit.telemetry.unified":                         false,
	"toolkit.telemetry.server":                          "",
	"app.update.auto":                                   false,
	"app.update.enabled":                                false,
	"app.normandy.enabled":                              false,
	"extensions.update.enabled":                         false,
	"extensions.getAddons.cache.enabled":                false,
	"network.captive-portal-service.enabled":            false,
	"network.connectivity-service.enabled":              false,
	"network.dns.disablePrefetch":                       true,
	"network.prefetch-next":                             false,
	"network.http.speculative-parallel-limit":           0,
	"network.proxy.type":                                0,
	"network.trr.mode":                                  5,
	"network.dns.localDomains":                          strings.Join([]string{corslab.PageHost, corslab.PublicPageHost, corslab.APIHost, corslab.OtherHost}, ","),
	"browser.safebrowsing.malware.enabled":              false,
	"browser.safebrowsing.phishing.enabled":             false,
	"browser.safebrowsing.downloads.enabled":            false,
	"browser.safebrowsing.provider.mozilla.updateURL":   "",
	"services.settings.server":                          "http://127.0.0.1:9/",
	"browser.region.network.url":                        "",
	"browser.search.geoip.url":                          "",
	"geo.provider.network.url":                          "",
	"media.gmp-manager.url":                             "",
	"security.OCSP.enabled":                             0,
	"security.remote_settings.crlite_filters.enabled":   false,
	"security.remote_settings.intermediates.enabled":    false,
	"network.cookie.cookieBehavior":                     0, // credentialed scenarios: cookies as in Chromium's default
	"dom.security.https_first":                          false,
	"dom.security.https_only_mode":                      false,
	"browser.fixup.alternate.enabled":                   false,
	"privacy.resistFingerprinting":                      false,
	"devtools.console.stdout.content":                   true,
	"browser.dom.window.dump.enabled":                   true,
	"toolkit.startup.max_resumed_crashes":               -1,
	"browser.sessionstore.resume_from_crash":            false,
	"browser.crashReports.unsubmittedCheck.autoSubmit2": false,
	"network.http.network-changed.timeout":              0,
	"network.notify.changed":                            false,
}

// userJS renders prefs as user.js lines.
func userJS(prefs map[string]any) string {
	var b strings.Builder
	for k, v := range prefs {
		switch v := v.(type) {
		case string:
			fmt.Fprintf(&b, "user_pref(%q, %q);\n", k, v)
		default:
			fmt.Fprintf(&b, "user_pref(%q, %v);\n", k, v)
		}
	}
	return b.String()
}

// newFirefoxProfile writes a fresh profile that trusts the lab's CA.
func newFirefoxProfile(t *testing.T, caPEM []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "user.js"), []byte(userJS(firefoxPrefs)), 0o600); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + dir, "--empty-password"},
		{"-A", "-n", "reqtrace lab CA", "-t", "C,,", "-i", ca, "-d", "sql:" + dir},
	} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return dir
}

// runFirefox loads url in a headless Firefox with a fresh profile and
// waits until the lab's batch is done; Firefox is stopped by its process
// group (it starts content processes).
func runFirefox(t *testing.T, exe string, lab testLab, url string) {
	t.Helper()
	if _, err := exec.LookPath("certutil"); err != nil {
		t.Fatal("certutil not found (Debian's libnss3-tools; .ci/run installs it): the Firefox profile must trust the lab's CA")
	}
	profile := newFirefoxProfile(t, lab.caPEM)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.Command(exe, "--headless", "--no-remote", "--profile", profile, url)
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1", "MOZ_DISABLE_AUTO_SAFE_MODE=1", "HOME="+profile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting firefox (%s): %v", exe, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}()
	if os.Getenv("JUDGE_DEBUG") == "firefox-output" {
		defer func() { t.Logf("Firefox's output:\n%s", out.String()) }()
	}
	select {
	case <-lab.BatchDone():
	case err := <-exited:
		t.Fatalf("firefox exited before the batch was done: %v\n%s", err, out.String())
	case <-ctx.Done():
		t.Fatalf("firefox did not finish the batch in time (%d results)\n%s", len(lab.Results()), out.String())
	}
}

// observeFirefox runs every scenario in one Firefox: one batch page per
// page origin, the public page's after the lab page's.
func observeFirefox(t *testing.T, exe string, lab testLab, scenarios []corslab.Scenario) map[string]observed {
	t.Helper()
	plans := map[string]*corslab.Plan{lab.PageOrigin(): {}, lab.PublicPageOrigin(): {}, lab.SecurePageOrigin(): {}}
	for i := range scenarios {
		s := &scenarios[i]
		p := plans[pageOriginOf(lab.Lab, s)]
		p.Specs = append(p.Specs, specOf(lab.Lab, s))
	}
	plans[lab.PageOrigin()].Next = lab.PublicPageOrigin() + "/"
	plans[lab.PublicPageOrigin()].Next = lab.SecurePageOrigin() + "/"
	for origin, p := range plans {
		_, host, _ := strings.Cut(origin, "://")
		lab.SetPlan(host, *p)
	}
	start := time.Now()
	runFirefox(t, exe, lab, lab.PageOrigin()+"/")
	t.Logf("Firefox ran %d scenarios in %v", len(scenarios), time.Since(start).Round(time.Millisecond))
	results := lab.Results()
	out := map[string]observed{}
	for i := range scenarios {
		s := &scenarios[i]
		r, ok := results[s.Name]
		if !ok {
			t.Errorf("%s: Firefox posted no result", s.Name)
			continue
		}
		out[s.Name] = fromWire(t, lab.Lab, s, fetchResult{OK: r.OK, Status: r.Status, Headers: r.Headers, Error: r.Error})
	}
	return out
}

// pageOriginOf is the origin of the page a scenario's fetch() runs in
// (a sandboxed frame runs inside the lab page).
func pageOriginOf(lab *corslab.Lab, s *corslab.Scenario) string {
	switch {
	case s.PublicPage:
		return lab.PublicPageOrigin()
	case s.SecurePage:
		return lab.SecurePageOrigin()
	}
	return lab.PageOrigin()
}

func TestFirefoxAgrees(t *testing.T) {
	exe := firefoxPath()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("firefox-esr not found, and .ci/run should have installed it: the browser is the judge here")
		}
		t.Skip("firefox-esr not found: install Debian's firefox-esr package; .ci/run does")
	}
	lab := newLab(t)
	scenarios := corslab.Scenarios()
	seen := observeFirefox(t, exe, lab, scenarios)
	for i := range scenarios {
		s := &scenarios[i]
		fx, ok := seen[s.Name]
		if !ok {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			if os.Getenv("JUDGE_DEBUG") != "" {
				t.Logf("Firefox did: %+v", fx)
			}
			want := recordedFirefox(lab.Lab, s)
			if d := differences(want, fx); len(d) > 0 {
				t.Errorf("Firefox no longer does what the table records (update corslab/firefox.go):\n  %s", strings.Join(d, "\n  "))
			}
			for _, d := range agree(s, evaluateAs(t, lab, s, cors.Firefox), fx) {
				t.Error(d)
			}
		})
	}
}

// TestRecordedFirefox checks the evaluator, as Firefox, against what
// Firefox ESR did (the table), where no browser is installed.
func TestRecordedFirefox(t *testing.T) {
	lab := newLab(t)
	scenarios := corslab.Scenarios()
	for i := range scenarios {
		s := &scenarios[i]
		t.Run(s.Name, func(t *testing.T) {
			rep := evaluateAs(t, lab, s, cors.Firefox)
			for _, d := range agree(s, rep, recordedFirefox(lab.Lab, s)) {
				t.Error(d)
			}
			checkDifference(t, s, rep)
		})
	}
}
