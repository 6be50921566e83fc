package page

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

func TestSavePath(t *testing.T) {
	for raw, want := range map[string]string{
		"https://a.test/":                 "a.test/index.html",
		"https://a.test:8443/x/y.css":     "a.test_8443/x/y.css",
		"https://a.test/x/":               "a.test/x/index.html",
		"https://a.test/../../etc/passwd": "a.test/etc/passwd",
		"https://a.test/%2e%2e/%2Fetc":    "a.test/_../_etc",
		"https://a.test/a.js?v=1&b=2":     "a.test/a.js_v=1_b=2",
		"https://a.test/sp%20ace/..":      "a.test/index.html",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := savePath("/d", u); got != filepath.Join("/d", want) {
			t.Errorf("%s: %s, want /d/%s", raw, got, want)
		}
	}
}

func FuzzSavePath(f *testing.F) {
	for _, s := range []string{"https://a.test/", "http://h/../../x", "http://h/%2e%2e%2f%2e%2e/x?../..", "http://[::1]:80/a//b/./c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		p := savePath("/dir", u)
		if !strings.HasPrefix(p, "/dir/") || strings.Contains(p, "/../") || filepath.Clean(p) != p {
			t.Fatalf("%q -> %q escapes or is not clean", raw, p)
		}
	})
}
