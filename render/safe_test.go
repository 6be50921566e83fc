package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"tab\there", "tab here"},
		{"two\nlines\r", `two\nlines\r`},
		{"\x1b[2J", `\x1b[2J`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"del\x7f", `del\x7f`},
		{"\u009b31m", `\u009b31m`},
		{"a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"\u202egnp.exe", `\u202egnp.exe`},
		{"pay\u200bpal", `pay\u200bpal`},                               // zero-width space
		{"\u200eltr\u200f\u061c", `\u200eltr\u200f\u061c`},             // bidi marks
		{"\u2066iso\u2069\u202a\u202b", `\u2066iso\u2069\u202a\u202b`}, // isolates, embeddings
		{"\ufeffbom\u00ad\u2060\u200d", `\ufeffbom\u00ad\u2060\u200d`}, // BOM, soft hyphen, word joiner, ZWJ
		{"tag\U000e0041", `tag\U000e0041`},                             // a tag character, above U+FFFF
		{"emoji 😀 stays", "emoji 😀 stays"},
		{"bad\xff\xfe", `bad\xff\xfe`},
		{"café ✓ 日本", "café ✓ 日本"},
		{"\uFFFD stays", "\uFFFD stays"},
	}
	for _, tt := range tests {
		if got := Safe(tt.in); got != tt.want {
			t.Errorf("Safe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeCaps(t *testing.T) {
	long := strings.Repeat("é", 3000) // 6000 bytes
	got := Safe(long)
	if !strings.HasSuffix(got, "… (1904 bytes cut)") {
		t.Errorf("Safe(6000 bytes) ends %q", got[len(got)-30:])
	}
	if !utf8.ValidString(got) || strings.Contains(got, `\x`) {
		t.Errorf("the cut split a rune: %q", got[len(got)-40:])
	}
}

// FuzzSafe checks Safe's promise on arbitrary input: the result is valid
// UTF-8 with no C0 control, DEL or C1 control left in it.
func FuzzSafe(f *testing.F) {
	for _, s := range []string{"", "ok", "\x1b]0;pwned\x07", "\u009b31m", "\xff", "a\nb\tc", "\xc2\x9b", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Safe(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Safe(%q) = %q: not valid UTF-8", in, out)
		}
		for i := 0; i < len(out); i++ {
			if out[i] < 0x20 || out[i] == 0x7f {
				t.Fatalf("Safe(%q) = %q: control byte %#x", in, out, out[i])
			}
		}
		for _, r := range out {
			if (r >= 0x80 && r <= 0x9f) || UnsafeRune(r) {
				t.Fatalf("Safe(%q) = %q: rune %U", in, out, r)
			}
		}
		if len(in) <= safeMax && isPlainASCII(in) && out != in {
			t.Fatalf("Safe changed plain text %q to %q", in, out)
		}
	})
}
