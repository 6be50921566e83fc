package trace

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// request is what one hop sends. The first comes from the options; each
// redirect derives the next one from it.
type request struct {
	url     *url.URL
	method  string
	body    []byte
	referer string
	extra   []Header // fields added for this request only (--revalidate's conditions)
	// credentials is false once a redirect leaves the first origin:
	// Authorization and Cookie are not sent to another site (as curl).
	credentials bool
	// custom: the method was given with -X, which curl keeps on every
	// hop; upload: the body is a -T upload (curl's PUT), not -d data.
	custom, upload bool
}

func firstRequest(o *Options) request {
	return request{url: o.URL, method: o.method(), body: o.Body, referer: o.Referer, credentials: true,
		custom: o.Method != "", upload: o.Upload}
}

// key identifies a request for loop detection.
func (r request) key() string { return r.method + " " + r.url.String() }

// headers lists the header fields a request sends, in order.
func (s *session) headers(r request) []Header {
	o := s.o
	hs := o.requestHeaders(r.url, r.body, r.credentials || o.LocationTrusted)
	extra := []Header{}
	if o.Compressed {
		extra = append(extra, Header{"Accept-Encoding", acceptEncoding})
	}
	if r.referer != "" {
		extra = append(extra, Header{"Referer", r.referer})
	}
	if c := s.cookieHeader(r); c != "" {
		extra = append(extra, Header{"Cookie", c})
	}
	extra = append(extra, r.extra...)
	for _, h := range extra {
		if indexHeader(hs, h.Name) < 0 && !o.removes(h.Name) {
			hs = insertBeforeBody(hs, h)
		}
	}
	if !r.credentials {
		for _, name := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
			if name == "Cookie" && s.jar != nil {
				continue // the jar decides per host
			}
			if name == "Authorization" && o.LocationTrusted {
				continue // --location-trusted: curl sends it on
			}
			hs = removeHeader(hs, name)
		}
	}
	if r.body == nil && o.Body != nil { // a redirect dropped the body
		for _, name := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Location"} {
			hs = removeHeader(hs, name)
		}
	}
	return hs
}

// insertBeforeBody adds h before the body's Content-Type/Content-Length,
// which curl sends last.
func insertBeforeBody(hs []Header, h Header) []Header {
	i := len(hs)
	for i > 0 && (strings.EqualFold(hs[i-1].Name, "Content-Type") || strings.EqualFold(hs[i-1].Name, "Content-Length")) {
		i--
	}
	return slices.Insert(hs, i, h)
}

// redirectOf reads a 3xx response: where it points and what the next
// request is. It returns nil when the response is no redirect to follow.
func (s *session) redirectOf(cur request, hop *Hop, first string) (*Redirect, *request, *Error) {
	resp := hop.Response
	if resp == nil || !isRedirect(resp.Status) {
		return nil, nil, nil
	}
	loc := headerValue(resp.Headers, "Location")
	if loc == "" {
		return nil, nil, nil // nothing to follow; the status note says so
	}
	target, err := cur.url.Parse(loc)
	if err != nil {
		return &Redirect{Location: loc}, nil, &Error{Phase: PhaseRedirect, Kind: KindBadRedirect,
			Message: fmt.Sprintf("the Location %q is not a valid URL", loc),
			Hint:    "the server must send an absolute or relative URL in Location; percent-encode spaces and non-ASCII"}
	}
	if err := normalizeHost(target); err != nil { // an IDN or numeric host, as ParseURL does
		return &Redirect{Location: loc}, nil, &Error{Phase: PhaseRedirect, Kind: KindBadRedirect,
			Message: "the Location " + strconv.Quote(loc) + " has a bad host: " + err.Error(),
			Hint:    "the server must send a host name or address that can be looked up"}
	}
	target.Fragment, target.RawFragment = "", ""
	next := &request{url: target, method: cur.method, body: cur.body, referer: cur.referer, custom: cur.custom, upload: cur.upload}
	if s.o.RefererAuto {
		next.referer = refererFor(cur.url, target)
	}
	rd := &Redirect{Location: target.String(), CrossOrigin: origin(target) != origin(cur.url)}
	rd.Rule = methodRule(resp.Status, cur, next)
	rd.Method, rd.KeepsBody = next.method, next.body != nil
	next.credentials = cur.credentials && origin(target) == first
	if target.Scheme != "http" && target.Scheme != "https" {
		return rd, nil, &Error{Phase: PhaseRedirect, Kind: KindBadRedirect,
			Message: fmt.Sprintf("the redirect points to %s, which is not http:// or https://", target.Redacted()),
			Hint:    "reqtrace (like curl by default) follows only http and https redirects"}
	}
	rd.Dropped = droppedHeaders(hop.Request.Headers, s.headers(*next))
	return rd, next, nil
}

// refererFor is the Referer a browser sends when going from one URL to
// the next: no credentials, no fragment, and none from https to http.
func refererFor(from, to *url.URL) string {
	if from.Scheme == "https" && to.Scheme == "http" {
		return ""
	}
	r := *from
	r.User, r.Fragment, r.RawFragment = nil, "", ""
	return r.String()
}

// isRedirect reports whether a status is one a client follows.
func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// methodRule applies RFC 9110 section 15.4 as browsers and curl -L do,
// and says in words which rule applied.
func methodRule(status int, cur request, next *request) string {
	data := cur.body != nil && !cur.upload // -d or -F data: what curl calls a POST
	switch {
	case cur.custom && (status == 303 || (status == 301 || status == 302) && data):
		// curl -L sends the -X method on every hop; only the body goes
		// where a POST would become a GET (a browser would send a GET).
		next.body = nil
		return fmt.Sprintf("%d: curl keeps -X %s on every hop, without the body (a browser would send a GET; use 307/308 to keep the body)", status, cur.method)
	case cur.custom && (status == 301 || status == 302):
		return fmt.Sprintf("%d: curl keeps -X %s on every hop (a browser would turn a POST into a GET)", status, cur.method)
	case status == 303 && cur.method != "HEAD":
		next.method, next.body = "GET", nil
		return "303 See Other: the next request is a GET without a body"
	case (status == 301 || status == 302) && cur.method == "POST":
		next.method, next.body = "GET", nil
		return fmt.Sprintf("%d: browsers and curl turn a POST into a GET without a body (use 307/308 to keep it)", status)
	case status == 307 || status == 308:
		return fmt.Sprintf("%d: the next request repeats %s with the same body", status, cur.method)
	}
	return fmt.Sprintf("%d: the next request repeats %s", status, cur.method)
}

// droppedHeaders names the fields sent on this hop that the next one will
// not carry (credentials after a cross-origin hop, body fields after a
// method change).
func droppedHeaders(sent, next []Header) []string {
	var out []string
	for _, h := range sent {
		if strings.EqualFold(h.Name, "Host") || indexHeader(next, h.Name) >= 0 {
			continue
		}
		if !slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, h.Name) }) {
			out = append(out, h.Name)
		}
	}
	return out
}

// headerValues returns every value of the named field, in order.
func headerValues(hs []Header, name string) []string {
	var out []string
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			out = append(out, h.Value)
		}
	}
	return out
}

// headerValue returns the first value of the named field, or "".
func headerValue(hs []Header, name string) string {
	if i := indexHeader(hs, name); i >= 0 {
		return hs[i].Value
	}
	return ""
}
