package trace

import (
	"strconv"
	"strings"
	"time"
)

// maxServerTimings bounds how many metrics are kept from a response.
const maxServerTimings = 64

// ParseServerTiming reads Server-Timing field values (W3C Server Timing):
// "db;dur=53.2, cache;desc=\"hit\", total;dur=123". Malformed metrics are
// skipped; a metric's first dur and desc win, as the spec asks.
func ParseServerTiming(values []string) []ServerTiming {
	var out []ServerTiming
	for _, v := range values {
		for _, metric := range splitQuoted(v, ',') {
			if len(out) == maxServerTimings {
				return out
			}
			if m, ok := parseMetric(metric); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

func parseMetric(s string) (ServerTiming, bool) {
	parts := splitQuoted(s, ';')
	name := strings.TrimSpace(parts[0])
	if !validToken(name) {
		return ServerTiming{}, false
	}
	m := ServerTiming{Name: name}
	var sawDur, sawDesc bool
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), unquote(strings.TrimSpace(v))
		switch {
		case k == "dur" && !sawDur:
			sawDur = true
			if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < 1e12 {
				m.Duration, m.HasDuration = time.Duration(ms*float64(time.Millisecond)), true
			}
		case k == "desc" && !sawDesc:
			sawDesc, m.Description = true, v
		}
	}
	return m, true
}

// splitQuoted splits s at sep outside double-quoted strings.
func splitQuoted(s string, sep byte) []string {
	var parts []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unquote undoes an RFC 9110 quoted-string; other text is returned as is.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '\\' && i+1 < len(s)-1 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
