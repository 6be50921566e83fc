package render

import (
	"cmp"
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/cors"
)

// Secrets are hidden in every output unless --show-secrets: the values of
// Authorization, Proxy-Authorization, Cookie and Set-Cookie (their auth
// scheme, cookie names and attributes stay: they are not the secret), URL
// passwords, and the signature of any JWT. The exact credentials the
// requests carried are also hidden wherever they come back: a server that
// echoes the request puts them in its body, its headers or a Location.

const RedactedMark = "[redacted]"

// jwtPattern matches a JWT (header.payload.signature, base64url); the
// signature is the secret part.
var jwtPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}`)
})

// RedactJWT hides the signature of every JWT in s.
func RedactJWT(s string) string {
	if !strings.Contains(s, "eyJ") {
		return s
	}
	return jwtPattern().ReplaceAllStringFunc(s, func(tok string) string {
		return tok[:strings.LastIndexByte(tok, '.')+1] + RedactedMark
	})
}

// RedactHeader returns a field's value with its secrets hidden.
func RedactHeader(name, value string) string {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		if scheme, _, ok := strings.Cut(strings.TrimSpace(value), " "); ok {
			return scheme + " " + RedactedMark
		}
		return RedactedMark
	case "set-cookie", "set-cookie2":
		pair, attrs, hasAttrs := strings.Cut(value, ";")
		out := RedactedMark
		if name, _, ok := strings.Cut(pair, "="); ok {
			out = name + "=" + RedactedMark
		}
		if hasAttrs {
			out += ";" + attrs
		}
		return out
	case "cookie":
		pairs := strings.Split(value, ";")
		for i, p := range pairs {
			if name, _, ok := strings.Cut(strings.TrimSpace(p), "="); ok {
				pairs[i] = name + "=" + RedactedMark
			} else {
				pairs[i] = RedactedMark
			}
		}
		return strings.Join(pairs, "; ")
	}
	return RedactJWT(value)
}

// RedactURL hides a URL's password and any JWT signature in it.
func RedactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			s = u.Redacted()
		}
	}
	return RedactJWT(s)
}

// Redact returns a copy of r with every secret hidden, for the renderers
// that do not take a --show-secrets switch of their own.
func Redact(r *trace.Result) *trace.Result {
	if r == nil {
		return nil
	}
	sent := sentSecrets(r.Hops, nil, r.URL)
	out := *r
	out.URL = sent.hide(RedactURL(r.URL))
	out.Hops = make([]trace.Hop, len(r.Hops))
	for i, h := range r.Hops {
		out.Hops[i] = redactHop(h, sent)
	}
	out.Err = sent.hideErr(r.Err)
	return &out
}

// redactHop is Redact for one hop (a copy; h's slices are not touched).
func redactHop(h trace.Hop, sent secrets) trace.Hop {
	h.URL = sent.hide(RedactURL(h.URL))
	h.Request.Headers = sent.hideHeaders(h.Request.Headers)
	h.Request.Target = sent.hide(RedactURL(h.Request.Target))
	h.Request.BodyPreview = []byte(sent.hide(RedactJWT(string(h.Request.BodyPreview))))
	if h.Response != nil {
		resp := *h.Response
		resp.Headers = sent.hideHeaders(resp.Headers)
		resp.Trailers = sent.hideHeaders(resp.Trailers)
		resp.BodyPreview = []byte(sent.hide(RedactJWT(string(resp.BodyPreview))))
		h.Response = &resp
	}
	if h.Redirect != nil {
		rd := *h.Redirect
		rd.Location = sent.hide(RedactURL(rd.Location))
		h.Redirect = &rd
	}
	if h.Proxy != nil {
		p := *h.Proxy
		p.Headers = sent.hideHeaders(p.Headers)
		h.Proxy = &p
	}
	infos := make([]trace.Informational, len(h.Informational))
	for j, in := range h.Informational {
		in.Headers = sent.hideHeaders(in.Headers)
		infos[j] = in
	}
	h.Informational = infos
	h.Err = sent.hideErr(h.Err)
	return h
}

// minSecret is the shortest credential searched for in other text: a
// shorter one would match ordinary words and numbers. (The header that
// carried it is hidden whatever its length.)
const minSecret = 6

// secrets replaces the credentials the requests carried by redactedMark.
type secrets struct{ r *strings.Replacer }

func (s secrets) hide(v string) string {
	if s.r == nil {
		return v
	}
	return s.r.Replace(v)
}

func (s secrets) hideHeaders(hs []trace.Header) []trace.Header {
	out := hideHeaderSecrets(hs)
	for i := range out {
		out[i].Value = s.hide(out[i].Value)
	}
	return out
}

func (s secrets) hideErr(e *trace.Error) *trace.Error {
	if e == nil || s.r == nil {
		return e
	}
	c := *e
	c.Message, c.Hint = s.hide(e.Message), s.hide(e.Hint)
	return &c
}

// sentSecrets collects the credentials the hops' requests (and extra
// header lists, such as a CORS exchange's) carried: the credentials of
// Authorization and Proxy-Authorization (for Basic, also the decoded
// user:password and the password), the cookie values of Cookie, and the
// passwords of the URLs.
func sentSecrets(hops []trace.Hop, extra [][]trace.Header, urls ...string) secrets {
	var found []string
	add := func(v string) {
		if len(v) >= minSecret {
			found = append(found, v)
		}
	}
	addURL := func(raw string) {
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok {
				add(p)
				add(url.PathEscape(p))
				add(url.QueryEscape(p))
			}
		}
	}
	addHeaders := func(hs []trace.Header) {
		for _, h := range hs {
			switch strings.ToLower(h.Name) {
			case "authorization", "proxy-authorization":
				addCredentials(strings.TrimSpace(h.Value), add)
			case "cookie":
				for _, pair := range strings.Split(h.Value, ";") {
					_, v, _ := strings.Cut(pair, "=")
					add(strings.TrimSpace(v))
				}
			}
		}
	}
	for _, u := range urls {
		addURL(u)
	}
	for _, h := range hops {
		addURL(h.URL)
		addHeaders(h.Request.Headers)
	}
	for _, hs := range extra {
		addHeaders(hs)
	}
	if len(found) == 0 {
		return secrets{}
	}
	// the longest first, so that "user:password" goes before "password"
	slices.SortFunc(found, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	found = slices.Compact(found)
	pairs := make([]string, 0, 2*len(found))
	for _, f := range found {
		pairs = append(pairs, f, RedactedMark)
	}
	return secrets{strings.NewReplacer(pairs...)}
}

// addCredentials adds an Authorization value's credentials: what follows
// the scheme, and for Basic the decoded user:password and password.
func addCredentials(v string, add func(string)) {
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok {
		add(v)
		return
	}
	cred = strings.TrimSpace(cred)
	add(cred)
	if !strings.EqualFold(scheme, "Basic") {
		return
	}
	if b, err := base64.StdEncoding.DecodeString(cred); err == nil {
		add(string(b))
		if _, pass, ok := strings.Cut(string(b), ":"); ok {
			add(pass)
		}
	}
}

// RedactCORS returns a copy of rep with every secret hidden: the
// Authorization and Cookie lines script set (-u, -H) and the Set-Cookie
// lines that came back, in every exchange, and the credentials sent
// wherever they come back.
func RedactCORS(rep *cors.Report) *cors.Report {
	if rep == nil {
		return nil
	}
	sent := corsSecrets(rep)
	out := *rep
	out.Preflight.Exchange = redactExchange(rep.Preflight.Exchange, sent)
	out.Actual.Exchange = redactExchange(rep.Actual.Exchange, sent)
	out.Actual.Redirects = make([]cors.RedirectHop, len(rep.Actual.Redirects))
	for i, rd := range rep.Actual.Redirects {
		rd.Exchange = redactExchange(rd.Exchange, sent)
		if rd.Preflight != nil {
			p := redactExchange(*rd.Preflight, sent)
			rd.Preflight = &p
		}
		out.Actual.Redirects[i] = rd
	}
	return &out
}

// corsSecrets is sentSecrets over every exchange of a CORS report.
func corsSecrets(rep *cors.Report) secrets {
	var hops []trace.Hop
	var extra [][]trace.Header
	add := func(x cors.Exchange) {
		extra = append(extra, x.Headers)
		if x.Hop != nil {
			hops = append(hops, *x.Hop)
		}
	}
	add(rep.Preflight.Exchange)
	add(rep.Actual.Exchange)
	for _, rd := range rep.Actual.Redirects {
		add(rd.Exchange)
		if rd.Preflight != nil {
			add(*rd.Preflight)
		}
	}
	return sentSecrets(hops, extra)
}

func redactExchange(x cors.Exchange, sent secrets) cors.Exchange {
	x.Headers = sent.hideHeaders(x.Headers)
	if x.Hop != nil {
		h := redactHop(*x.Hop, sent)
		x.Hop = &h
	}
	return x
}

func hideHeaderSecrets(hs []trace.Header) []trace.Header {
	out := make([]trace.Header, len(hs))
	for i, h := range hs {
		out[i] = trace.Header{Name: h.Name, Value: RedactHeader(h.Name, h.Value)}
	}
	return out
}
