package cors

import (
	"net/url"
	"testing"
)

// Cases from the URL standard's examples and WPT's urltestdata, as
// Chromium and Firefox resolve them.
func TestParseWebURL(t *testing.T) {
	base, _ := url.Parse("http://api.example.com/a/b?q#f")
	for _, c := range []struct{ in, want string }{
		{"/s/x", "http://api.example.com/s/x"},
		{`\s\x`, "http://api.example.com/s/x"},
		{`http:\\other.example\x`, "http://other.example/x"},
		{"http:x", "http://api.example.com/a/x"},
		{"https:other.example/x", "https://other.example/x"},
		{"https:///other.example/x", "https://other.example/x"},
		{" /s/x-tar\tget\n ", "http://api.example.com/s/x-target"},
		{"/x/../s/./y", "http://api.example.com/s/y"},
		{"/x/%2e%2E/y", "http://api.example.com/y"},
		{"c", "http://api.example.com/a/c"},
		{"../c", "http://api.example.com/c"},
		{"", "http://api.example.com/a/b?q"},
		{"?z", "http://api.example.com/a/b?z"},
		{"#g", "http://api.example.com/a/b?q#g"},
		{"", "http://api.example.com/a/b?q"},
		{"//Other.Example:80/p", "http://other.example/p"},
		{"HTTP://API.EXAMPLE.COM:443/", "http://api.example.com:443/"},
		{"https://API.example.com:443/", "https://api.example.com/"},
		{"/p?a b'c", "http://api.example.com/p?a%20b%27c"},
		{"/p q/é", "http://api.example.com/p%20q/%C3%A9"},
		{"http://0x7f.1/", "http://127.0.0.1/"},
		{"http://[0:0::1]:8080/", "http://[::1]:8080/"},
		{"http://user:@h/", "http://user:@h/"},
		{"http://:pass@h/", "http://:pass@h/"},
		{"http://bücher.example/", "http://xn--bcher-kva.example/"},
	} {
		u, err := parseWebURL(c.in, base)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := u.String(); got != c.want {
			t.Errorf("%q: got %s, want %s", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"http://[::1/", "http://h:99999/", "http://h:8x/", "http://a b/", "http://h%00/", "http:///", "http://1.2.3.256/", "http://1.2.3.4.5/"} {
		if u, err := parseWebURL(bad, base); err == nil {
			t.Errorf("%q parsed as %s", bad, u)
		}
	}
	if u, err := parseWebURL("data:text/plain,hi", base); err != nil || u.Scheme != "data" {
		t.Errorf("data: %v %v", u, err)
	}
	if _, err := parseWebURL("/relative", nil); err == nil {
		t.Error("a relative URL without a base parsed")
	}
}

// An empty reference is the base itself, without a "?" it never had.
func TestParseWebURLEmptyNoQuery(t *testing.T) {
	base, _ := url.Parse("http://h/p")
	if u, err := parseWebURL("", base); err != nil || u.String() != "http://h/p" {
		t.Errorf("got %v %v", u, err)
	}
}
