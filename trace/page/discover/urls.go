package discover

import (
	"net/url"
	"strings"
)

// Bounds on untrusted input. A document or stylesheet that goes past one
// is cut short there; what was found up to then is still returned.
const (
	// MaxRefs caps the refs one document, stylesheet or header yields:
	// real pages name a few hundred, a hostile one could name millions.
	MaxRefs = 10000
	// MaxBytes caps the bytes HTML and CSS read (the caller caps the body
	// too; this is a second fence).
	MaxBytes = 16 << 20
	// MaxURLBytes drops a URL longer than this (Chromium's own limit is
	// 2 MiB; data: URLs past it are not worth holding).
	MaxURLBytes = 2 << 20
	// maxCandidates caps the candidates of one srcset.
	maxCandidates = 1000
)

// resolve turns an attribute or CSS value into an absolute URL the way
// the URL standard does: leading and trailing C0 controls and spaces are
// trimmed, tabs and newlines anywhere are removed, backslashes before the
// query count as slashes, and what a browser would percent-encode is
// encoded. The fragment is dropped, as it never reaches the network. It
// returns nil for an empty or unparsable value. Non-HTTP schemes (data:,
// javascript:, blob:, ...) are returned as they are, so the caller can
// count them as skipped.
func resolve(base *url.URL, raw string) *url.URL {
	if len(raw) > MaxURLBytes {
		return nil
	}
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}
	if s == "" {
		return nil
	}
	if hasScheme(s) && !isHTTP(s) {
		u, err := url.Parse(encode(s, false))
		if err != nil {
			return nil
		}
		return u
	}
	u, err := url.Parse(encode(s, true))
	if err != nil {
		return nil
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if !u.IsAbs() || u.Host == "" && (u.Scheme == "http" || u.Scheme == "https") {
		return nil
	}
	u.Fragment, u.RawFragment = "", ""
	u.Host = strings.ToLower(u.Host)
	return u
}

// hasScheme reports whether s starts with scheme ":".
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case c == ':':
			return i > 0
		default:
			return false
		}
	}
	return false
}

func isHTTP(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http:") || strings.HasPrefix(l, "https:")
}

// encode percent-encodes the bytes the URL standard encodes in a path or
// query (controls, space, non-ASCII, and "<>`{} in the path), and for a
// special scheme turns backslashes before the query into slashes.
func encode(s string, special bool) string {
	var b strings.Builder
	inQuery := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '#':
			return b.String() // the fragment is not requested
		case c == '?':
			inQuery = true
			b.WriteByte(c)
		case c == '\\' && special && !inQuery:
			b.WriteByte('/')
		case c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' ||
			!inQuery && (c == '`' || c == '{' || c == '}') || inQuery && c == '\'' && special:
			const hex = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		case c == '%' && !validEscape(s, i):
			b.WriteString("%25") // Go refuses a bare %, browsers keep it
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func validEscape(s string, i int) bool {
	return i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2])
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// IsHTTP reports whether u is an http: or https: URL, the only ones a page
// load requests.
func IsHTTP(u *url.URL) bool {
	return u != nil && (u.Scheme == "http" || u.Scheme == "https")
}
