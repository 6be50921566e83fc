package trace

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/publicsuffix"
)

func TestCookieStore(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	u, _ := url.Parse("https://api.shop.example/v1/items/42")
	ip, _ := url.Parse("http://192.0.2.7/x")
	cs := cookieStore{}
	for _, c := range []struct {
		u    *url.URL
		line string
	}{
		{u, "sid=1; Path=/; Secure; HttpOnly"},
		{u, "sid=2; Path=/; Secure; HttpOnly"},                       // replaces sid=1: same domain, path, name
		{u, "pref=dark; Domain=.shop.example; Path=/; Max-Age=3600"}, // a parent domain
		{u, "local=1"},                                              // default path: /v1/items
		{u, "evil=1; Domain=other.example"},                         // not a parent: refused
		{u, "tld=1; Domain=.example."},                              // malformed: refused
		{u, "gone=1; Path=/"},                                       //
		{u, "gone=; Path=/; Max-Age=0"},                             // deleted by Max-Age=0
		{u, "old=1; Path=/; Expires=Wed, 01 Jan 2020 00:00:00 GMT"}, // already expired: not stored
		{ip, "ipc=1; Domain=192.0.2.7"},                             // an IP sets host-only cookies
		{ip, "ipd=1; Domain=2.7"},                                   // refused
	} {
		hc, err := http.ParseSetCookie(c.line)
		if err != nil {
			t.Fatalf("%q: %v", c.line, err)
		}
		cs.set(c.u, hc, now)
	}
	got := cs.list(now)
	want := []Cookie{
		{Domain: "192.0.2.7", HostOnly: true, Path: "/", Name: "ipc", Value: "1"},
		{Domain: "api.shop.example", HostOnly: true, Path: "/", Secure: true, HTTPOnly: true, Name: "sid", Value: "2"},
		{Domain: "api.shop.example", HostOnly: true, Path: "/v1/items", Name: "local", Value: "1"},
		{Domain: "shop.example", Path: "/", Expires: now.Add(time.Hour), Name: "pref", Value: "dark"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d cookies, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cookie %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if later := cs.list(now.Add(2 * time.Hour)); len(later) != 3 {
		t.Errorf("after its Max-Age a cookie is still listed: %+v", later)
	}
}

func TestDefaultCookiePath(t *testing.T) {
	for in, want := range map[string]string{"": "/", "/": "/", "/a": "/", "/a/b": "/a", "/a/b/": "/a/b", "x": "/"} {
		if got := defaultCookiePath(in); got != want {
			t.Errorf("defaultCookiePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCookieStore: whatever Set-Cookie a server sends, the store keeps
// only cookies for the host or a parent of it, with an absolute path,
// one per (domain, path, name), and -c's file reads back.
func FuzzCookieStore(f *testing.F) {
	f.Add("api.shop.example", "/v1/x", "sid=1; Domain=.shop.example; Path=/; Max-Age=60; Secure; HttpOnly")
	f.Add("192.0.2.7", "/", "a=b; Domain=192.0.2.7")
	f.Add("a.b", "", "x=; Max-Age=0")
	f.Add("shop.co.uk", "/", "x=1; Domain=co.uk")
	f.Add("co.uk", "/", "x=1; Domain=co.uk")
	f.Add("www.lab.test", "/a/b", "x=1; Domain=test; Path=/")
	f.Add("a.lab.test", "/", "x=1; Domain=lab.test")
	f.Fuzz(func(t *testing.T, host, p, line string) {
		u := &url.URL{Scheme: "https", Host: host, Path: p}
		c, err := http.ParseSetCookie(line)
		if err != nil {
			return
		}
		now := time.Unix(1700000000, 0)
		cs := cookieStore{}
		cs.set(u, c, now)
		cs.set(u, c, now) // a second time replaces, never duplicates
		got := cs.list(now)
		if len(got) > 1 {
			t.Fatalf("%d cookies from one Set-Cookie: %+v", len(got), got)
		}
		for _, k := range got {
			h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
			if k.Domain != h && !strings.HasSuffix(h, "."+k.Domain) || k.Path == "" || k.Path[0] != '/' || k.HostOnly && k.Domain != h {
				t.Errorf("host %q path %q, %q: kept %+v", host, p, line, k)
			}
			// never a domain cookie for a public suffix (co.uk, github.io, test)
			if ps, _ := publicsuffix.PublicSuffix(k.Domain); !k.HostOnly && ps == k.Domain {
				t.Errorf("host %q, %q: kept a cookie for the public suffix %q: %+v", host, line, ps, k)
			}
		}
		sameAsJar(t, u, c)
	})
}

// sameAsJar checks that the store lists c, set by u, exactly when the
// engine's jar (net/http/cookiejar with the public suffix list) sends it
// back to u at the cookie's path: -c saves only what would be sent. Hosts
// the jar itself rewrites (IDNA, ports, odd bytes) are left out.
func sameAsJar(t *testing.T, u *url.URL, c *http.Cookie) {
	if !plainHost.MatchString(u.Host) || strings.Contains(u.Host, "..") {
		return
	}
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	jar.SetCookies(u, []*http.Cookie{c})
	cs := cookieStore{}
	cs.set(u, c, time.Now())
	p := c.Path
	if p == "" || p[0] != '/' {
		p = defaultCookiePath(u.Path)
	}
	sent := false
	for _, k := range jar.Cookies(&url.URL{Scheme: "https", Host: u.Host, Path: p}) {
		sent = sent || k.Name == c.Name && k.Value == c.Value
	}
	if listed := len(cs.list(time.Now())) == 1; listed != sent {
		t.Errorf("host %q path %q, %+v: listed for -c %v, sent by the jar %v", u.Host, u.Path, c, listed, sent)
	}
}

var plainHost = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
