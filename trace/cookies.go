package trace

import (
	"bufio"
	"cmp"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// maxCookieFile bounds a -b cookie file.
const maxCookieFile = 4 << 20

// newJar makes the cookie engine's jar, loaded with the -b file's
// cookies, and the store that lists them.
func newJar(o *Options) (*cookiejar.Jar, cookieStore) {
	if !o.CookieJar {
		return nil, nil
	}
	// With the public suffix list, a site cannot set a cookie for co.uk or
	// github.io (nor for a TLD such as .test) and so reach its neighbours.
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List}) // never fails
	store, now := cookieStore{}, time.Now()
	for _, fc := range o.Cookies {
		scheme := "http"
		if fc.Cookie.Secure {
			scheme = "https"
		}
		u := &url.URL{Scheme: scheme, Host: fc.Host, Path: cmp.Or(fc.Cookie.Path, "/")}
		jar.SetCookies(u, []*http.Cookie{fc.Cookie})
		store.set(u, fc.Cookie, now)
	}
	return jar, store
}

// cookieHeader is the Cookie field for r: -b's string for the first
// origin, then the jar's cookies for the URL.
func (s *session) cookieHeader(r request) string {
	var parts []string
	if r.credentials && s.o.Cookie != "" {
		parts = append(parts, s.o.Cookie)
	}
	if s.jar != nil {
		for _, c := range s.jar.Cookies(r.url) {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// storeCookies hands a hop's Set-Cookie fields to the jar.
func (s *session) storeCookies(u *url.URL, hop *Hop) {
	if s.jar == nil || hop.Response == nil {
		return
	}
	var cs []*http.Cookie
	for _, v := range headerValues(hop.Response.Headers, "Set-Cookie") {
		if c, err := http.ParseSetCookie(v); err == nil {
			cs = append(cs, c)
		}
	}
	s.jar.SetCookies(u, cs)
	s.p.storeCookies(u, cs)
}

// FileCookie is a cookie from a -b file and the host it belongs to.
type FileCookie struct {
	Host   string
	Cookie *http.Cookie // Domain empty for a host-only cookie
}

// ParseCookieFile reads a -b cookie file as curl does: Netscape/Mozilla
// lines (domain, include-subdomains, path, secure, expiry, name, value;
// "#HttpOnly_" prefixes a domain) or "Set-Cookie:" header lines (these
// need a Domain attribute to know their host).
func ParseCookieFile(r io.Reader) ([]FileCookie, error) {
	var out []FileCookie
	sc := bufio.NewScanner(io.LimitReader(r, maxCookieFile))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if v, ok := cutPrefixFold(line, "Set-Cookie:"); ok {
			if c, err := http.ParseSetCookie(strings.TrimSpace(v)); err == nil && c.Domain != "" {
				out = append(out, FileCookie{strings.TrimPrefix(c.Domain, "."), c})
			}
			continue
		}
		if fc, ok := netscapeCookie(line); ok {
			out = append(out, fc)
		}
	}
	return out, sc.Err()
}

func netscapeCookie(line string) (FileCookie, bool) {
	httpOnly := false
	if rest, ok := strings.CutPrefix(line, "#HttpOnly_"); ok {
		line, httpOnly = rest, true
	}
	if line == "" || line[0] == '#' {
		return FileCookie{}, false
	}
	f := strings.Split(line, "\t")
	if len(f) != 7 || strings.Trim(f[0], ".") == "" || f[5] == "" {
		return FileCookie{}, false
	}
	host := strings.TrimPrefix(f[0], ".")
	c := &http.Cookie{Domain: f[0], Path: f[2], Secure: strings.EqualFold(f[3], "TRUE"), Name: f[5], Value: f[6], HttpOnly: httpOnly}
	if !strings.EqualFold(f[1], "TRUE") {
		c.Domain = "" // host-only: the jar ties it to the host it was set for
	}
	if exp, err := strconv.ParseInt(f[4], 10, 64); err == nil && exp > 0 {
		c.Expires = time.Unix(exp, 0)
	}
	return FileCookie{host, c}, true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
