package annotate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// AltSvc is one alternative service a response advertises (RFC 7838):
// the same origin reachable over Protocol (an ALPN id: "h3", "h2") at
// Host:Port, for MaxAge seconds.
type AltSvc struct {
	Protocol string
	Host     string // "" for the origin's own host
	Port     int
	MaxAge   int // seconds; RFC 7838's default is 86400
	// Persist: persist=1, the entry survives network changes (RFC 7838
	// section 3.1); curl's cache file keeps it.
	Persist bool
}

// maxAltSvc bounds what one header yields, as every parser of what a
// server sends is bounded.
const maxAltSvc = 32

// ParseAltSvc reads Alt-Svc field values: a list of protocol="host:port"
// with parameters (ma=SECONDS; persist=1), or "clear". Entries that do not
// parse are skipped, as clients skip them.
func ParseAltSvc(values []string) (alts []AltSvc, clear bool) {
	for _, v := range values {
		for _, entry := range splitQuoted(v, ',') {
			entry = strings.TrimSpace(entry)
			if strings.EqualFold(entry, "clear") {
				clear = true
				continue
			}
			if a, ok := parseAltEntry(entry); ok && len(alts) < maxAltSvc {
				alts = append(alts, a)
			}
		}
	}
	return alts, clear
}

func parseAltEntry(entry string) (AltSvc, bool) {
	parts := splitQuoted(entry, ';')
	proto, authority, ok := strings.Cut(strings.TrimSpace(parts[0]), "=")
	proto = strings.TrimSpace(proto)
	if !ok || !isToken(proto) { // RFC 7838: protocol-id is a token
		return AltSvc{}, false
	}
	authority = strings.TrimSpace(authority)
	if !strings.HasPrefix(authority, `"`) {
		return AltSvc{}, false // RFC 7838: alt-authority is a quoted-string
	}
	authority = unquote(authority)
	i := strings.LastIndexByte(authority, ':')
	if i < 0 {
		return AltSvc{}, false
	}
	port, err := strconv.Atoi(authority[i+1:])
	if err != nil || port <= 0 || port > 65535 {
		return AltSvc{}, false
	}
	a := AltSvc{Protocol: proto, Host: authority[:i], Port: port, MaxAge: 86400}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch k = strings.TrimSpace(k); {
		case strings.EqualFold(k, "ma"):
			if n, err := strconv.Atoi(unquote(strings.TrimSpace(v))); err == nil && n >= 0 {
				a.MaxAge = n
			}
		case strings.EqualFold(k, "persist"):
			a.Persist = unquote(strings.TrimSpace(v)) == "1"
		}
	}
	return a, true
}

// altSvcNotes says when a response advertises HTTP/3: browsers switch to
// it for the origin's later requests, so the request they make is not the
// TCP one traced here (reqtrace --http3 traces that one). On an http://
// response the header changes nothing: browsers and curl take Alt-Svc
// only from https:// responses.
func altSvcNotes(x *exchange) []trace.Note {
	alts, _ := ParseAltSvc(x.resp.all("Alt-Svc"))
	for _, a := range alts {
		if a.Protocol != "h3" {
			continue
		}
		where := fmt.Sprintf("UDP port %d", a.Port)
		if a.Host != "" {
			where = fmt.Sprintf("%s, UDP port %d", a.Host, a.Port)
		}
		if !x.https {
			return []trace.Note{note("timing.alt-svc-h3", trace.NoteTiming, trace.LevelInfo, "Alt-Svc",
				"The server offers HTTP/3 (%s) on a plain http:// response: browsers and curl ignore Alt-Svc there, "+
					"so no client takes up the offer; over https:// it would count.", where)}
		}
		if x.hop.Response != nil && strings.HasPrefix(x.hop.Response.Proto, "HTTP/3") {
			return []trace.Note{note("timing.alt-svc-h3", trace.NoteTiming, trace.LevelInfo, "Alt-Svc",
				"This response came over HTTP/3, and the server goes on offering it (%s, for %s).", where, ageText(a.MaxAge))}
		}
		return []trace.Note{note("timing.alt-svc-h3", trace.NoteTiming, trace.LevelInfo, "Alt-Svc",
			"The server offers HTTP/3 (%s, for %s): a browser that saw this switches to QUIC for this origin's later requests, "+
				"one handshake instead of TCP's and TLS's. reqtrace --http3 traces the request the browser would make.", where, ageText(a.MaxAge))}
	}
	return nil
}

// ageText says how long in words: "1 day", "5 minutes".
func ageText(s int) string {
	switch {
	case s%86400 == 0 && s > 0:
		return plural(s/86400, "day")
	case s%3600 == 0 && s > 0:
		return plural(s/3600, "hour")
	case s%60 == 0 && s > 0:
		return plural(s/60, "minute")
	}
	return plural(s, "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// httpsRecordNotes says when the host's DNS HTTPS record (RFC 9460)
// offers HTTP/3: a browser then goes to QUIC from the first request,
// before any Alt-Svc header could tell it.
func httpsRecordNotes(x *exchange) []trace.Note {
	d := x.hop.DNS
	if d == nil {
		return nil
	}
	for _, r := range d.HTTPS {
		if !r.OffersH3() {
			continue
		}
		where := "the same port"
		if r.Port > 0 {
			where = fmt.Sprintf("UDP port %d", r.Port)
		}
		if x.hop.Response != nil && strings.HasPrefix(x.hop.Response.Proto, "HTTP/3") {
			return []trace.Note{note("dns.https-h3", trace.NoteTiming, trace.LevelInfo, "HTTPS record",
				"The host's DNS HTTPS record offers HTTP/3 (%s), as this request used.", where)}
		}
		return []trace.Note{note("dns.https-h3", trace.NoteTiming, trace.LevelInfo, "HTTPS record",
			"The host's DNS HTTPS record offers HTTP/3 (%s): a browser that gets it connects over QUIC from the first request, "+
				"without waiting for an Alt-Svc header. reqtrace --http3 traces that request.", where)}
	}
	return nil
}
