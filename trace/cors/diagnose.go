package cors

import (
	"net/url"
	"strconv"
	"strings"
)

// mismatchHint explains why an Allow-Origin value (untrusted) differs from
// the page's origin: the usual slips are a trailing slash, the scheme,
// the port, the case, localhost against 127.0.0.1, or null.
func mismatchHint(acao string, o Origin) string {
	want := o.String()
	switch {
	case acao == "null":
		return "null matches only opaque origins (sandboxed iframes, file: and data: pages); this page's origin is " + want
	case o.Opaque:
		return "the page has an opaque origin (it sends Origin: null): only Access-Control-Allow-Origin: null or * admit it"
	case acao == want+"/":
		return "the value ends with a slash: an origin has no path; drop the trailing /"
	case strings.EqualFold(acao, want):
		return "only the case differs: the compare is byte for byte and browsers send the scheme and host in lower case"
	}
	u, err := url.Parse(acao)
	if err != nil || u.Host == "" {
		return "the value does not name this origin; the page is " + want
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return "an origin has no path or query: send only scheme://host[:port]"
	}
	return partsHint(u, o)
}

// partsHint compares scheme, host and port one by one.
func partsHint(u *url.URL, o Origin) string {
	host, _ := canonicalHost(u.Hostname())
	scheme := strings.ToLower(u.Scheme)
	port := defaultPort(scheme)
	if p, err := strconv.Atoi(u.Port()); err == nil {
		port = p
	}
	switch {
	case host != o.Host && isLoopbackName(host) && isLoopbackName(o.Host):
		return host + " and " + o.Host + " are different origins even though both are this machine: allow the one the page is loaded from"
	case host != o.Host:
		return "it allows another site (" + u.Host + "): if this page should be allowed, add " + o.String() + " to the server's list and echo the matching origin"
	case scheme != o.Scheme:
		return "the scheme differs: the page is " + o.Scheme + "://, the header says " + u.Scheme + "://"
	case port != o.Port:
		return "the port differs: the page is on port " + strconv.Itoa(o.Port) + ", the header says " + strconv.Itoa(port)
	case u.Port() != "":
		return "the default port :" + u.Port() + " must be left out: browsers send " + o.String()
	}
	return "the value differs from " + o.String() + " byte for byte"
}
