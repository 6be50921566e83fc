package cors

import (
	"slices"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
)

// Fuzz targets for every parser of untrusted input: the list headers of
// a response, Allow-Origin and Allow-Credentials, Content-Type and
// Expose-Headers (from servers), and --origin (from people).

func FuzzParseTokenList(f *testing.F) {
	for _, s := range []string{"", "GET, PUT", " , PUT ,,", "x-a/b", `"x"`, "*", "\t,\t", "a,b,c", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		items, ok := ParseTokenList(v)
		if !ok {
			if items != nil {
				t.Fatal("a failed parse returned items")
			}
			return
		}
		for _, it := range items {
			if !isToken(it) {
				t.Fatalf("item %q is not a token", it)
			}
		}
		again, ok := ParseTokenList(strings.Join(items, ", "))
		if !ok || !slices.Equal(again, items) {
			t.Fatalf("re-parsing %q gave %q", items, again)
		}
	})
}

func FuzzParseOrigin(f *testing.F) {
	for _, s := range []string{"https://app.example.com", "null", "HTTP://A:80/", "http://[::1]:3000", "https://bücher.example", "https://x:0", "ftp://x", "https://u@x", "https://x/p?q#f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, _, err := ParseOrigin(s)
		if err != nil {
			return
		}
		ser := o.String()
		again, notes, err := ParseOrigin(ser)
		if err != nil || again != o || len(notes) != 0 {
			t.Fatalf("%q serialises as %q, which parses as %+v (%v, notes %q)", s, ser, again, err, notes)
		}
	})
}

func FuzzCorsCheck(f *testing.F) {
	for _, s := range [][2]string{{"*", ""}, {"https://app.example.com", "true"}, {"null", "True"}, {"https://app.example.com/", ""}, {"a, b", "1"}, {"app.example.com:1", ""}, {"", ""}} {
		f.Add(s[0], s[1], true)
	}
	o := Origin{Scheme: "https", Host: "app.example.com", Port: 443}
	f.Fuzz(func(t *testing.T, acao, acac string, creds bool) {
		hs := []trace.Header{{Name: hACAO, Value: acao}, {Name: hACAC, Value: acac}}
		fail := corsCheck(hs, o, creds)
		v := strings.Trim(acao, " \t")
		if fail == nil {
			if v != "*" && v != o.String() || v == "*" && creds {
				t.Fatalf("ACAO %q passed (credentials %v)", acao, creds)
			}
			return
		}
		if consoleText(fail.kind, fail.value) == "" {
			t.Fatalf("no message for %+v", fail)
		}
		_ = mismatchHint(fail.value, o)
	})
}

func FuzzContentType(f *testing.F) {
	for _, s := range []string{"text/plain", "Text/Plain;charset=utf-8", "text /plain", "text/plain,", "multipart/form-data; boundary=x", `a/b; c="d"`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if unsafeHeaderReason("content-type", v) != "" {
			return
		}
		essence, ok := mimeEssence(v)
		if !ok || !slices.Contains(safeContentTypes, essence) || len(v) > maxSafelistedValue || noUnsafeBytes(v) != "" {
			t.Fatalf("%q safelisted with essence %q", v, essence)
		}
	})
}

func FuzzReadableHeaders(f *testing.F) {
	for _, s := range []string{"*", "Set-Cookie, x-a", "x-a, \"x-b\"", ", ,", "SET-COOKIE"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, aceh string, creds bool) {
		r := &trace.Response{Headers: []trace.Header{
			{Name: hACEH, Value: aceh}, {Name: "Set-Cookie", Value: "s=1"}, {Name: "X-A", Value: "1"}, {Name: "Content-Type", Value: "x"},
		}}
		got := ReadableHeaders(r, creds)
		if slices.Contains(got, "set-cookie") || !slices.Contains(got, "content-type") || !slices.IsSorted(got) {
			t.Fatalf("ACEH %q: readable %q", aceh, got)
		}
	})
}

// FuzzParseWebURL: a Location (from servers) or a URL argument never
// panics, and what parses is stable: the serialisation parses again to
// itself, with no space or control byte left in it.
func FuzzParseWebURL(f *testing.F) {
	for _, s := range []string{"/s/x", `\s\x`, "http:x", "//h:1/p", " /a\tb\n", "http://[::1/", "http://0x7f.1/", "data:x", "?a b", "#f", "../..", "http://u:p@h/", "http://h:99999/", "http://bücher.example/%2e%2E/"} {
		f.Add(s)
	}
	base := mustURL(f, "http://api.example.com/a/b?q")
	f.Fuzz(func(t *testing.T, in string) {
		u, err := parseWebURL(in, base)
		if err != nil || u.Opaque != "" {
			return
		}
		s := u.String()
		if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			t.Fatalf("%q serialised with a space or control byte: %q", in, s)
		}
		again, err := parseWebURL(s, nil)
		if err != nil || again.String() != s {
			t.Fatalf("%q -> %q -> %v %v", in, s, again, err)
		}
	})
}

// FuzzParseFetchHeader: a -H argument never panics; an accepted value
// holds no NUL, CR or LF and no surrounding whitespace.
func FuzzParseFetchHeader(f *testing.F) {
	for _, s := range []string{"X-A: 1", "X-A;", "X-A:\x01", "bad name: x", "X: a\rb", ":x", "X:  \t v \t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := ParseFetchHeader(in)
		if err != nil {
			return
		}
		if strings.ContainsAny(e.Value, "\x00\r\n") || strings.Trim(e.Value, " \t") != e.Value || !isToken(e.Name) {
			t.Fatalf("%q accepted as %q: %q", in, e.Name, e.Value)
		}
	})
}
