package tracetest

import (
	"bytes"
	"context"
	"crypto/tls"
	"image/png"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"
)

func pageClient(l *Lab) *http.Client {
	return &http.Client{
		Transport: &http.Transport{DialContext: l.DialContext, TLSClientConfig: &tls.Config{RootCAs: l.CertPool()},
			ForceAttemptHTTP2: true, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
}

func siteGet(t *testing.T, c *http.Client, u string, h ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(h); i += 2 {
		req.Header.Set(h[i], h[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestPageEarlyHintsAndLink(t *testing.T) {
	l := New(t)
	var hints []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		if code == http.StatusEarlyHints {
			hints = append(hints, h.Values("Link")...)
		}
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", l.PageURL(PagePath), nil)
	start := time.Now()
	resp, err := pageClient(l).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if took := time.Since(start); took < PageDelay {
		t.Errorf("took %v, want at least %v", took, PageDelay)
	}
	if resp.Proto != "HTTP/2.0" || len(hints) != 1 || hints[0] != PageEarlyHints {
		t.Errorf("proto %s, 103 Links %q; want HTTP/2.0 and %q", resp.Proto, hints, PageEarlyHints)
	}
	if got := resp.Header.Get("Link"); got != PageLinkHeader {
		t.Errorf("Link %q, want %q", got, PageLinkHeader)
	}
	host := "cdn.lab.test:" + strconv.Itoa(l.HTTPSPort)
	if !bytes.Contains(body, []byte("https://"+host+"/site/css/cdn.css")) || bytes.Contains(body, []byte("{cdn}")) {
		t.Errorf("the page's {cdn} is not filled in")
	}
}

func TestPageAssets(t *testing.T) {
	l := New(t)
	c := pageClient(l)
	// Well cached, with validators answering 304.
	u := l.PageURL("/site/img/logo.png?cache=immutable")
	resp, _ := siteGet(t, c, u)
	etag := resp.Header.Get("ETag")
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" || etag == "" || resp.Header.Get("Last-Modified") == "" {
		t.Errorf("Cache-Control %q ETag %q Last-Modified %q", cc, etag, resp.Header.Get("Last-Modified"))
	}
	if resp, _ := siteGet(t, c, u, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d, want 304", resp.StatusCode)
	}
	if resp, _ := siteGet(t, c, u, "If-Modified-Since", "Sun, 01 Mar 2026 12:00:00 GMT"); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d, want 304", resp.StatusCode)
	}
	// Uncached and no-store.
	if resp, _ := siteGet(t, c, l.PageURL("/site/js/defer.js")); resp.Header.Get("Cache-Control") != "" || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("defer.js: Cache-Control %q, Content-Encoding %q; want neither", resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Encoding"))
	}
	if resp, _ := siteGet(t, c, l.PageURL("/site/js/async.js?cache=no-store")); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("no-store: %q", resp.Header.Get("Cache-Control"))
	}
	// Redirect, 404, delay.
	if resp, _ := siteGet(t, c, l.PageURL("/site/js/old.js?to=/site/js/moved.js")); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/site/js/moved.js" {
		t.Errorf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := siteGet(t, c, l.PageURL("/site/img/missing.png?status=404")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing: %d", resp.StatusCode)
	}
	start := time.Now()
	siteGet(t, c, l.PageURL("/site/img/slow.png?ms=150"))
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("ms=150 took %v", took)
	}
	// The oversize image is a real PNG of the size asked for.
	_, b := siteGet(t, c, l.PageURL("/site/img/big.png?w=1600&h=1200"))
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != 1600 || cfg.Height != 1200 {
		t.Errorf("big.png: %v %dx%d", err, cfg.Width, cfg.Height)
	}
	// gzip on request; the h1only origin speaks HTTP/1.1.
	if resp, _ := siteGet(t, c, l.PageURL("/site/css/main.css?gzip=1"), "Accept-Encoding", "gzip"); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip=1: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	if resp, _ := siteGet(t, c, l.URL("https", H1OnlyHost, "/site/img/h1.png")); resp.Proto != "HTTP/1.1" {
		t.Errorf("h1only: %s", resp.Proto)
	}
	if got := l.SiteRequests(); len(got) != 11 || !strings.HasPrefix(got[0], "https://www.lab.test:") {
		t.Errorf("SiteRequests: %d %q", len(got), got)
	}
	if len(PagePaths()) < 10 {
		t.Errorf("PagePaths: %v", PagePaths())
	}
}
