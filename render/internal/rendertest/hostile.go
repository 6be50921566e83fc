package rendertest

import (
	"regexp"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/reqtrace/reqtrace/trace"
)

// Terminal attacks a hostile server can try: retitle the window (OSC with
// BEL), clear the screen (CSI), the one-byte C1 CSI, and bytes that are not
// UTF-8 at all.
const (
	OSCTitle = "\x1b]0;pwned\x07"
	Clear    = "\x1b[2J"
	C1CSI    = "\u009b31m"
	BadUTF8  = "\xff\xfe"
	// invisible is format characters (Unicode Cf) a person cannot see but
	// that change what is read: bidi marks, embeddings, overrides and
	// isolates, zero widths, the BOM, a soft hyphen, a tag character.
	Invisible = "\u200e\u200f\u061c\u202a\u202d\u2066\u2069\u200b\u200d\u2060\ufeff\u00ad\U000e0041"
)

func Hostile() *trace.Result {
	r := HTTPSH2()
	h := &r.Hops[0]
	evil := "x" + OSCTitle + Clear + C1CSI + BadUTF8 + "\u202eevil\u2028y" + Invisible
	h.Response.Reason = "OK" + Clear
	h.Response.Headers = append(h.Response.Headers,
		trace.Header{Name: "x-evil" + Clear, Value: evil},
		trace.Header{Name: "x-title", Value: OSCTitle},
		trace.Header{Name: "x-c1", Value: C1CSI},
		trace.Header{Name: "x-bad", Value: BadUTF8},
	)
	h.Response.BodyPreview = []byte("<p>" + evil + "</p>\n")
	h.Informational[0].Headers = append(h.Informational[0].Headers, trace.Header{Name: "link", Value: evil})
	h.TLS.Certificates[0].Subject = "CN=" + evil
	h.TLS.Certificates[0].DNSNames = append(h.TLS.Certificates[0].DNSNames, evil)
	h.DNS.Records = append(h.DNS.Records, trace.Record{Name: evil, Type: "TXT", TTL: 1, Value: evil})
	h.DNS.Queries[0].Err = evil
	h.Connect.Attempts[0].Err = evil
	h.Err = &trace.Error{Phase: trace.PhaseReceive, Kind: trace.KindReceive, Message: evil, Hint: evil}
	r.Err = h.Err
	return r
}

// sgr matches the colour sequences we emit ourselves.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// AssertTerminalSafe fails if out holds anything a terminal would act on
// beyond newlines (and, when allowed, our own SGR colour codes).
func AssertTerminalSafe(t *testing.T, out []byte, allowSGR bool) {
	t.Helper()
	if allowSGR {
		out = sgr.ReplaceAll(out, nil)
	}
	if !utf8.Valid(out) {
		t.Errorf("output is not valid UTF-8")
	}
	for i, r := range string(out) {
		switch {
		case r == '\n':
		case r < 0x20 || r == 0x7f:
			t.Fatalf("raw control %#x at byte %d: %q", r, i, context(out, i))
		case r >= 0x80 && r <= 0x9f:
			t.Fatalf("raw C1 control %U at byte %d: %q", r, i, context(out, i))
		case r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r):
			t.Fatalf("raw %U at byte %d: %q", r, i, context(out, i))
		}
	}
}

func context(b []byte, i int) string {
	return string(b[max(i-30, 0):min(i+30, len(b))])
}
