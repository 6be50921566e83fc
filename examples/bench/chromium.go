package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumTiming drives a headless Chromium through the DevTools protocol
// and reads a navigation's Resource Timing (PerformanceNavigationTiming),
// the figures DevTools' Network panel shows. Each navigation runs in a new
// browser context, so it opens a new connection as the other tools do.
type chromiumTiming struct {
	ctx    context.Context // the browser
	cancel func()
}

// startChromium starts a headless Chromium; extra options come after the
// defaults and override them (Flag(name, false) drops a default flag).
func startChromium(exe, dir string, extra ...chromedp.ExecAllocatorOption) (*chromiumTiming, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(dir),
		// The lab's names, without DNS: Chromium has no way to ask a DNS
		// server on a high port, so its DNS column reads n/a.
		chromedp.Flag("host-resolver-rules", "MAP *.lab.test 127.0.0.1"),
		// The lab's CA is not in Chromium's store; the handshake is the same.
		chromedp.Flag("ignore-certificate-errors", true),
	)
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		return nil, err
	}
	return &chromiumTiming{ctx: bctx, cancel: func() { cancelBrowser(); cancelAlloc() }}, nil
}

// navTiming is the part of PerformanceNavigationTiming the phases need,
// in milliseconds from the navigation's start.
type navTiming struct {
	DomainLookupStart     float64 `json:"domainLookupStart"`
	DomainLookupEnd       float64 `json:"domainLookupEnd"`
	ConnectStart          float64 `json:"connectStart"`
	SecureConnectionStart float64 `json:"secureConnectionStart"`
	ConnectEnd            float64 `json:"connectEnd"`
	RequestStart          float64 `json:"requestStart"`
	ResponseStart         float64 `json:"responseStart"`
	ResponseEnd           float64 `json:"responseEnd"`
	StartTime             float64 `json:"startTime"`
	NextHopProtocol       string  `json:"nextHopProtocol"`
}

// navigate loads u in a fresh browser context and returns its
// PerformanceNavigationTiming.
func (c *chromiumTiming) navigate(u string) (navTiming, error) {
	tab, cancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	ctx, cancelT := context.WithTimeout(tab, 20*time.Second)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		return navTiming{}, err
	}
	return chromedp.Run(ctx, chromedp.Evaluate[navTiming](`performance.getEntriesByType("navigation")[0].toJSON()`))
}

// phases navigates to u in a fresh browser context and returns Chromium's
// phases: connect = connectStart→secureConnectionStart (→connectEnd for
// http), tls = secureConnectionStart→connectEnd, wait = requestStart→
// responseStart, receive = responseStart→responseEnd.
func (c *chromiumTiming) phases(u string) (figures, error) {
	t, err := c.navigate(u)
	if err != nil {
		return nil, err
	}
	if t.ResponseEnd == 0 {
		return nil, fmt.Errorf("no navigation timing for %s", u)
	}
	f := figures{"dns": t.DomainLookupEnd - t.DomainLookupStart, "wait": t.ResponseStart - t.RequestStart,
		"receive": t.ResponseEnd - t.ResponseStart, "total": t.ResponseEnd - t.StartTime}
	if t.SecureConnectionStart > 0 {
		f["connect"] = t.SecureConnectionStart - t.ConnectStart
		f["tls"] = t.ConnectEnd - t.SecureConnectionStart
	} else {
		f["connect"] = t.ConnectEnd - t.ConnectStart
	}
	return f, nil
}

func (c *chromiumTiming) close() { c.cancel() }
