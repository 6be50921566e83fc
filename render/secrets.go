package render

import (
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/cors"
)

// Secrets are hidden in every output unless --show-secrets: the values of
// Authorization, Proxy-Authorization, Cookie and Set-Cookie (their auth
// scheme, cookie names and attributes stay: they are not the secret), URL
// passwords, and the signature of any JWT.

const redactedMark = "[redacted]"

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
		return tok[:strings.LastIndexByte(tok, '.')+1] + redactedMark
	})
}

// RedactHeader returns a field's value with its secrets hidden.
func RedactHeader(name, value string) string {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		if scheme, _, ok := strings.Cut(strings.TrimSpace(value), " "); ok {
			return scheme + " " + redactedMark
		}
		return redactedMark
	case "set-cookie", "set-cookie2":
		pair, attrs, hasAttrs := strings.Cut(value, ";")
		out := redactedMark
		if name, _, ok := strings.Cut(pair, "="); ok {
			out = name + "=" + redactedMark
		}
		if hasAttrs {
			out += ";" + attrs
		}
		return out
	case "cookie":
		pairs := strings.Split(value, ";")
		for i, p := range pairs {
			if name, _, ok := strings.Cut(strings.TrimSpace(p), "="); ok {
				pairs[i] = name + "=" + redactedMark
			} else {
				pairs[i] = redactedMark
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
	out := *r
	out.URL = RedactURL(r.URL)
	out.Hops = make([]trace.Hop, len(r.Hops))
	for i, h := range r.Hops {
		out.Hops[i] = redactHop(h)
	}
	return &out
}

// redactHop is Redact for one hop (a copy; h's slices are not touched).
func redactHop(h trace.Hop) trace.Hop {
	h.URL = RedactURL(h.URL)
	h.Request.Headers = hideHeaderSecrets(h.Request.Headers)
	h.Request.Target = RedactURL(h.Request.Target)
	h.Request.BodyPreview = []byte(RedactJWT(string(h.Request.BodyPreview)))
	if h.Response != nil {
		resp := *h.Response
		resp.Headers = hideHeaderSecrets(resp.Headers)
		resp.BodyPreview = []byte(RedactJWT(string(resp.BodyPreview)))
		h.Response = &resp
	}
	if h.Redirect != nil {
		rd := *h.Redirect
		rd.Location = RedactURL(rd.Location)
		h.Redirect = &rd
	}
	if h.Proxy != nil {
		p := *h.Proxy
		p.Headers = hideHeaderSecrets(p.Headers)
		h.Proxy = &p
	}
	infos := make([]trace.Informational, len(h.Informational))
	for j, in := range h.Informational {
		in.Headers = hideHeaderSecrets(in.Headers)
		infos[j] = in
	}
	h.Informational = infos
	return h
}

// RedactCORS returns a copy of rep with every secret hidden: the
// Authorization and Cookie lines script set (-u, -H) and the Set-Cookie
// lines that came back, in every exchange.
func RedactCORS(rep *cors.Report) *cors.Report {
	if rep == nil {
		return nil
	}
	out := *rep
	out.Preflight.Exchange = redactExchange(rep.Preflight.Exchange)
	out.Actual.Exchange = redactExchange(rep.Actual.Exchange)
	out.Actual.Redirects = make([]cors.RedirectHop, len(rep.Actual.Redirects))
	for i, rd := range rep.Actual.Redirects {
		rd.Exchange = redactExchange(rd.Exchange)
		if rd.Preflight != nil {
			p := redactExchange(*rd.Preflight)
			rd.Preflight = &p
		}
		out.Actual.Redirects[i] = rd
	}
	return &out
}

func redactExchange(x cors.Exchange) cors.Exchange {
	x.Headers = hideHeaderSecrets(x.Headers)
	if x.Hop != nil {
		h := redactHop(*x.Hop)
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
