package render

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// safeMax caps one untrusted value. Real header values and certificate
// fields are far shorter; a multi-megabyte value is an attack or a bug, and
// either way the terminal does not need all of it.
const safeMax = 4096

// Safe makes untrusted text (anything a server or DNS answer chose) harmless
// to print on a terminal. It keeps printable text as is and shows everything
// a terminal could act on as a visible escape:
//
//   - tab becomes a space; newline and carriage return become \n and \r
//   - other C0 controls and DEL become \xNN (ESC is \x1b)
//   - C1 controls U+0080–U+009F become \uNNNN (U+009B is a one-byte CSI)
//   - U+2028/U+2029 and every format character (Unicode category Cf: the
//     bidi marks, embeddings, overrides and isolates of Trojan Source,
//     zero-width spaces and joiners, the BOM, soft hyphens, tag
//     characters) become \uNNNN (\UNNNNNNNN above U+FFFF)
//   - bytes that are not valid UTF-8 become \xNN
//
// Values over 4 KiB are cut, and the cut is said: "… (N bytes cut)".
// The result is valid UTF-8 with no byte below 0x20.
func Safe(s string) string {
	cut := 0
	if len(s) > safeMax {
		end := safeMax
		// Cut on a rune boundary so a valid rune is not shown as \x escapes.
		for end > safeMax-utf8.UTFMax && !utf8.RuneStart(s[end]) {
			end--
		}
		cut, s = len(s)-end, s[:end]
	}
	if cut == 0 && isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	EscapeInto(&b, s, ' ')
	if cut > 0 {
		b.WriteString("… (" + strconv.Itoa(cut) + " bytes cut)")
	}
	return b.String()
}

// writeEscape writes prefix and r as digits lower-case hex digits. It
// avoids fmt, whose pooled state makes fuzzing coverage flaky and slow.
func WriteEscape(b *strings.Builder, prefix string, r rune, digits int) {
	const hex = "0123456789abcdef"
	b.WriteString(prefix)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hex[(r>>shift)&0xf])
	}
}

// unsafeRune reports the valid non-ASCII runes a terminal may act on or
// that change how the surrounding text is displayed while being invisible
// themselves: a zero-width space or a right-to-left override in a header
// makes what a person reads differ from what was sent.
func UnsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls: CSI, OSC, DCS... in 8-bit terminals
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	}
	// format characters: bidi marks (U+200E/F, U+061C), embeddings and
	// overrides (U+202A–E), isolates (U+2066–9), zero widths (U+200B–D,
	// U+2060, U+FEFF), soft hyphen, tags (U+E0001–E007F)...
	return r >= 0xad && unicode.Is(unicode.Cf, r)
}

// writeRuneEscape writes r as \uNNNN, or \UNNNNNNNN above U+FFFF, for a
// person to read.
func writeRuneEscape(b *strings.Builder, r rune) {
	if r > 0xffff {
		WriteEscape(b, `\U`, r, 8)
		return
	}
	WriteEscape(b, `\u`, r, 4)
}

// writeJSONEscape writes r as a JSON \uNNNN escape: a UTF-16 surrogate
// pair above U+FFFF, as JSON spells those.
func WriteJSONEscape(b *strings.Builder, r rune) {
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		WriteEscape(b, `\u`, hi, 4)
		WriteEscape(b, `\u`, lo, 4)
		return
	}
	WriteEscape(b, `\u`, r, 4)
}

// isPlainASCII is the fast path: printable ASCII needs no work.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// escapeInto writes s with control characters, C1, bidi overrides and
// bytes that are not UTF-8 shown as escapes; a tab becomes tab.
func EscapeInto(b *strings.Builder, s string, tab byte) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			WriteEscape(b, `\x`, rune(s[i]), 2)
		case r == '\t':
			b.WriteByte(tab)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			WriteEscape(b, `\x`, r, 2)
		case UnsafeRune(r):
			writeRuneEscape(b, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}
