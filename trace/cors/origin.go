package cors

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/reqtrace/reqtrace/trace"
)

// Origin is a web origin as a browser serialises it in the Origin header:
// "scheme://host[:port]" with the scheme and host in lower case, the host
// in its ASCII form and the port only when it is not the scheme's default;
// or the opaque origin "null" (sandboxed iframes, data: and file: pages).
type Origin struct {
	Scheme string // "http" or "https"; "" when opaque
	Host   string // lower case, ASCII; IPv6 without brackets
	Port   int    // the scheme's default when none was given
	Opaque bool
}

// String is the serialisation browsers send and compare byte for byte.
func (o Origin) String() string {
	if o.Opaque {
		return "null"
	}
	host := o.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if o.Port == defaultPort(o.Scheme) {
		return o.Scheme + "://" + host
	}
	return o.Scheme + "://" + host + ":" + strconv.Itoa(o.Port)
}

// Same reports whether o and p are the same origin. An opaque origin is
// never the same as anything, itself included (each is unique).
func (o Origin) Same(p Origin) bool {
	return !o.Opaque && !p.Opaque && o == p
}

func defaultPort(scheme string) int {
	if scheme == "https" {
		return 443
	}
	return 80
}

// URLOrigin is the origin of a request URL from trace.ParseURL.
func URLOrigin(u *url.URL) Origin {
	host, _ := canonicalHost(u.Hostname())
	return Origin{Scheme: u.Scheme, Host: host, Port: trace.Port(u)}
}

// ParseOrigin parses the --origin argument. It accepts what people paste
// (an upper-case scheme, a default port, a trailing slash) and returns,
// besides the origin, one note per thing it had to normalise: the browser
// would never send those forms, and a server configured with them will
// not match. Anything that cannot be a page's origin is a bad input.
func ParseOrigin(raw string) (Origin, []string, error) {
	s := strings.TrimSpace(raw)
	if strings.EqualFold(s, "null") {
		return Origin{Opaque: true}, nil, nil
	}
	bad := func(why string) (Origin, []string, error) {
		return Origin{}, nil, trace.BadInput("--origin %q %s: give the page's origin as scheme://host[:port], e.g. https://app.example.com, or null", raw, why)
	}
	if s == "" {
		return bad("is empty")
	}
	if strings.ContainsFunc(s, isCtlOrSpace) {
		return bad("contains spaces or control characters")
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || !strings.Contains(s, "://") {
		return bad("is not a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return bad("has the scheme " + strconv.Quote(u.Scheme) + " (only http and https pages have a host origin; file:, data: and sandboxed pages send null)")
	case u.User != nil:
		return bad("holds a user name: an origin never does")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return bad("has a path, query or fragment: an origin is only scheme://host[:port]")
	case u.Hostname() == "":
		return bad("has no host")
	}
	host, ok := canonicalHost(u.Hostname())
	if !ok {
		return bad("has a host name that is not valid")
	}
	port := defaultPort(scheme)
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("has a port that is not a number from 1 to 65535")
		}
		port = n
	}
	o := Origin{Scheme: scheme, Host: host, Port: port}
	return o, originNotes(s, o), nil
}

// originNotes says how the browser's serialisation differs from what the
// user typed.
func originNotes(typed string, o Origin) []string {
	if typed == o.String() {
		return nil
	}
	var notes []string
	if strings.HasSuffix(typed, "/") {
		notes = append(notes, "the trailing slash was dropped")
	}
	if u, err := url.Parse(strings.TrimSuffix(typed, "/")); err == nil {
		if u.Port() != "" && o.Port == defaultPort(o.Scheme) {
			notes = append(notes, "the default port :"+u.Port()+" was dropped")
		}
		if u.Scheme != o.Scheme || u.Hostname() != o.Host {
			notes = append(notes, "the scheme and host were lower-cased (and an international name turned to its ASCII form)")
		}
	}
	return notes
}

// canonicalHost lower-cases a host, turns an international name into its
// ASCII (punycode) form and an IP address into its canonical text, as the
// URL parser of a browser does.
func canonicalHost(h string) (string, bool) {
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.Unmap().String(), ip.Zone() == ""
	}
	ascii, err := idna.Lookup.ToASCII(h)
	if err != nil || ascii == "" || !utf8.ValidString(h) {
		return strings.ToLower(h), false
	}
	// The ASCII form must be stable: a browser sends it and compares it.
	if again, err := idna.Lookup.ToASCII(ascii); err != nil || again != ascii {
		return strings.ToLower(h), false
	}
	return strings.ToLower(ascii), true
}

func isCtlOrSpace(r rune) bool { return r <= ' ' || r == 0x7f }

// site is the registrable domain ("example.co.uk") or, for an IP address
// or a name that is itself a public suffix, the host.
func site(host string) string {
	if net.ParseIP(host) != nil {
		return host
	}
	if s, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return s
	}
	return host
}

// sameSite is the schemeful same-site relation browsers use for
// Sec-Fetch-Site and for third-party cookie rules.
func sameSite(a, b Origin) bool {
	return !a.Opaque && !b.Opaque && a.Scheme == b.Scheme && site(a.Host) == site(b.Host)
}

// secFetchSite is the Sec-Fetch-Site value of a cross-origin request.
func secFetchSite(page, target Origin) string {
	if sameSite(page, target) {
		return "same-site"
	}
	return "cross-site"
}

// trustworthy reports whether a URL is potentially trustworthy (https, or
// a loopback host); Chromium sends Sec-Fetch-Site and Sec-Fetch-Dest only
// to those.
func trustworthy(o Origin) bool {
	if o.Opaque {
		return false
	}
	if o.Scheme == "https" {
		return true
	}
	return isLoopbackName(o.Host)
}

// isLoopbackName reports a host that is loopback by its name alone:
// localhost, *.localhost and loopback IP literals.
func isLoopbackName(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
