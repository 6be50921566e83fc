package trace

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Cookie is one cookie the cookie engine holds when a trace ends, with
// what -c/--cookie-jar saves of it (curl's Netscape cookie file).
type Cookie struct {
	Domain   string // lower case, without a leading dot
	HostOnly bool   // sent to Domain only, not to its subdomains
	Path     string
	Secure   bool
	HTTPOnly bool
	Expires  time.Time // zero for a session cookie
	Name     string
	Value    string
}

// cookieStore mirrors what the jar accepted, keyed as RFC 6265 section
// 5.3 keys cookies (domain, path, name), so that it can be listed at the
// end: net/http's jar sends cookies but cannot list them. Its rules are
// the jar's, public suffix list included: -c saves only what the engine
// would send.
type cookieStore map[string]Cookie

// set stores c as received from u, replacing the cookie with the same
// key, or removes it when c has already expired (Max-Age=0, a past
// Expires): that is how servers delete cookies.
func (cs cookieStore) set(u *url.URL, c *http.Cookie, now time.Time) {
	domain, hostOnly, ok := cookieDomain(u.Hostname(), c.Domain)
	if !ok || c.Name == "" {
		return
	}
	p := c.Path
	if p == "" || p[0] != '/' {
		p = defaultCookiePath(u.Path)
	}
	key := domain + ";" + p + ";" + c.Name
	var expires time.Time
	switch {
	case c.MaxAge < 0:
		delete(cs, key)
		return
	case c.MaxAge > 0:
		expires = now.Add(time.Duration(c.MaxAge) * time.Second)
	case !c.Expires.IsZero():
		if !c.Expires.After(now) {
			delete(cs, key)
			return
		}
		expires = c.Expires
	}
	cs[key] = Cookie{Domain: domain, HostOnly: hostOnly, Path: p, Secure: c.Secure, HTTPOnly: c.HttpOnly,
		Expires: expires, Name: c.Name, Value: c.Value}
}

// list returns the cookies alive at now, by domain, path and name.
func (cs cookieStore) list(now time.Time) []Cookie {
	var out []Cookie
	for _, c := range cs {
		if c.Expires.IsZero() || c.Expires.After(now) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Cookie) int {
		return strings.Compare(a.Domain+"\x00"+a.Path+"\x00"+a.Name, b.Domain+"\x00"+b.Path+"\x00"+b.Name)
	})
	return out
}

// cookieDomain is the domain a cookie set by host belongs to (RFC 6265
// section 5.3 steps 4-6): the host itself when there is no Domain
// attribute (host-only), else the attribute if it is the host or one of
// its parents. An IP address only sets host-only cookies. As in
// net/http/cookiejar, a Domain that is a public suffix (co.uk, github.io,
// test) is refused, unless it is the host itself: then the cookie is
// host-only.
func cookieDomain(host, attr string) (domain string, hostOnly, ok bool) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if attr == "" {
		return host, true, host != ""
	}
	d := strings.ToLower(strings.TrimPrefix(attr, "."))
	if net.ParseIP(host) != nil {
		return host, true, d == host
	}
	if d == "" || d[0] == '.' || strings.HasSuffix(d, ".") || !isASCII(d) {
		return "", false, false
	}
	if host != d && !strings.HasSuffix(host, "."+d) {
		return "", false, false
	}
	if ps, _ := publicsuffix.PublicSuffix(d); ps != "" && !strings.HasSuffix(d, "."+ps) {
		return host, true, host == d
	}
	return d, false, true
}

// defaultCookiePath is RFC 6265 section 5.1.4's default-path: the URL's
// path up to, not including, its last slash; "/" when that is empty.
func defaultCookiePath(p string) string {
	i := strings.LastIndex(p, "/")
	if p == "" || p[0] != '/' || i <= 0 {
		return "/"
	}
	return p[:i]
}
