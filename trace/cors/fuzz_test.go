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
