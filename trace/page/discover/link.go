package discover

import (
	"net/url"
	"strings"
)

// maxLinkHeader caps the bytes of a Link header value read.
const maxLinkHeader = 1 << 20

// Link is one link-value of an RFC 8288 Link header.
type Link struct {
	Target string            // the URI-Reference between < and >, as written
	Params map[string]string // lower-case names; the first of a name wins
}

// ParseLinkHeader splits a Link header value (several lines' values may
// be joined with commas) into its link-values, as RFC 8288 section 3
// describes, leniently: a link-value it cannot read is skipped up to the
// next comma. It reads at most 1 MiB and returns at most MaxRefs links.
func ParseLinkHeader(value string) []Link {
	if len(value) > maxLinkHeader {
		value = value[:maxLinkHeader]
	}
	var out []Link
	s := value
	for len(s) > 0 && len(out) < MaxRefs {
		s = strings.TrimLeft(s, " \t\r\n,")
		if s == "" || s[0] != '<' {
			s = skipPastComma(s)
			continue
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			break
		}
		l := Link{Target: s[1:end], Params: map[string]string{}}
		s = s[end+1:]
		s = l.params(s)
		out = append(out, l)
	}
	return out
}

// params reads ;name[=value] pairs up to the comma ending the link-value.
func (l *Link) params(s string) string {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" || s[0] == ',' {
			return s
		}
		if s[0] != ';' {
			return skipPastComma(s)
		}
		s = strings.TrimLeft(s[1:], " \t")
		i := 0
		for i < len(s) && s[i] != '=' && s[i] != ';' && s[i] != ',' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		name := strings.ToLower(strings.TrimSuffix(s[:i], "*"))
		s = strings.TrimLeft(s[i:], " \t")
		val := ""
		if strings.HasPrefix(s, "=") {
			s = strings.TrimLeft(s[1:], " \t")
			val, s = paramValue(s)
		}
		if _, dup := l.Params[name]; name != "" && !dup && len(l.Params) < 64 {
			l.Params[name] = val
		}
	}
}

// paramValue reads a token or a quoted-string.
func paramValue(s string) (string, string) {
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case '"':
				return b.String(), s[i+1:]
			default:
				b.WriteByte(s[i])
			}
		}
		return b.String(), ""
	}
	i := 0
	for i < len(s) && s[i] != ';' && s[i] != ',' {
		i++
	}
	return strings.TrimSpace(s[:i]), s[i:]
}

// skipPastComma drops up to the next comma outside < > and quotes.
func skipPastComma(s string) string {
	inQuote, inAngle := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"' && !inAngle:
			inQuote = !inQuote
		case c == '<' && !inQuote:
			inAngle = true
		case c == '>' && !inQuote:
			inAngle = false
		case c == ',' && !inQuote && !inAngle:
			return s[i+1:]
		}
	}
	return ""
}

// LinkHeader returns what Chromium fetches for a Link header of a
// document's response (kind InitLinkHeader) or of a 103 Early Hints
// (InitEarlyHints): rel=preload with a known as= (and a supported type=,
// and a media= that applies), and rel=modulepreload. base is the
// response's URL. Preconnect hints are returned by Preconnects.
func LinkHeader(base *url.URL, value string, kind string) []Ref {
	var out []Ref
	for _, l := range ParseLinkHeader(value) {
		rel := relTokens(l.Params["rel"])
		var r Ref
		raw := l.Target
		switch {
		case rel["preload"]:
			as, ok := preloadTypes[strings.ToLower(strings.TrimSpace(l.Params["as"]))]
			if !ok || !MediaMatches(l.Params["media"]) || !typeSupported(as.typ, l.Params["type"]) {
				continue
			}
			if as.typ == TypeImage && l.Params["imagesrcset"] != "" {
				raw = PickCandidate(l.Params["imagesrcset"], l.Params["imagesizes"], raw)
			}
			r = Ref{Type: as.typ, Priority: as.prio, Async: true}
		case rel["modulepreload"]:
			r = Ref{Type: TypeScript, Priority: PriorityHigh, Async: true}
		default:
			continue
		}
		u := resolve(base, raw)
		if u == nil {
			continue
		}
		r.URL, r.Kind = u, kind
		out = append(out, r)
	}
	return out
}

// Preconnects returns the origins a Link header asks to connect to early
// (rel=preconnect, rel=dns-prefetch): no request, only a connection.
func Preconnects(base *url.URL, value string) []*url.URL {
	var out []*url.URL
	for _, l := range ParseLinkHeader(value) {
		rel := relTokens(l.Params["rel"])
		if !rel["preconnect"] && !rel["dns-prefetch"] {
			continue
		}
		if u := resolve(base, l.Target); IsHTTP(u) {
			out = append(out, &url.URL{Scheme: u.Scheme, Host: u.Host})
		}
	}
	return out
}
