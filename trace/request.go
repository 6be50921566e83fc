package trace

import (
	"cmp"
	"encoding/base64"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// method is the request method: -X, else HEAD for -I, PUT for -T, POST
// with a body, GET.
func (o *Options) method() string {
	switch {
	case o.Method != "":
		return o.Method
	case o.Head:
		return "HEAD"
	case o.Upload:
		return "PUT"
	case o.Body != nil:
		return "POST"
	}
	return "GET"
}

// requestHeaders lists the header fields to send to u, in order, as curl
// would: Host, Authorization (when credentials go to u), User-Agent and
// Accept first, then the -H headers, then the body's Content-Length and
// Content-Type. A -H header with the name of one of ours replaces it in
// place; "Name:" removes it.
func (o *Options) requestHeaders(u *url.URL, body []byte, credentials bool) []Header {
	hs := []Header{
		{"Host", hostHeader(u)},
		{"User-Agent", cmp.Or(o.UserAgent, "reqtrace/"+Version)},
		{"Accept", "*/*"},
	}
	user := o.User
	if user == nil {
		user = u.User
	}
	switch { // right after Host, where curl puts it
	case o.Bearer != "" && credentials:
		hs = slices.Insert(hs, 1, Header{"Authorization", "Bearer " + o.Bearer})
	case user != nil && credentials:
		pass, _ := user.Password()
		hs = slices.Insert(hs, 1, Header{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(user.Username()+":"+pass))})
	}
	var added []Header
	for _, e := range o.Headers {
		i := indexHeader(hs, e.Name)
		switch {
		case e.Remove && i >= 0:
			hs = append(hs[:i], hs[i+1:]...)
		case e.Remove:
			added = removeHeader(added, e.Name)
		case i >= 0:
			hs[i].Value = e.Value
		default:
			added = append(added, Header{e.Name, e.Value})
		}
	}
	hs = append(hs, added...)
	if body != nil { // Content-Length, then Content-Type, as curl writes them
		if indexHeader(hs, "Content-Length") < 0 {
			hs = append(hs, Header{"Content-Length", strconv.Itoa(len(body))})
		}
		if indexHeader(hs, "Content-Type") < 0 && !o.removes("Content-Type") && o.ContentType != "" {
			hs = append(hs, Header{"Content-Type", o.ContentType})
		}
	}
	return hs
}

func (o *Options) removes(name string) bool {
	for _, e := range o.Headers {
		if e.Remove && strings.EqualFold(e.Name, name) {
			return true
		}
	}
	return false
}

func indexHeader(hs []Header, name string) int {
	for i, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return i
		}
	}
	return -1
}

func removeHeader(hs []Header, name string) []Header {
	out := hs[:0]
	for _, h := range hs {
		if !strings.EqualFold(h.Name, name) {
			out = append(out, h)
		}
	}
	return out
}

// hostHeader is the URL's host, with the port only when it is not the
// scheme's default (as browsers and curl send it).
func hostHeader(u *url.URL) string {
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && Port(u) != map[string]int{"http": 80, "https": 443}[u.Scheme] {
		return net.JoinHostPort(u.Hostname(), p)
	}
	return host
}
