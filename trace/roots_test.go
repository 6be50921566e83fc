package trace

import "testing"

// TestRootsOnlyWhenTLSMayCome: a plain http:// trace parses no system
// root (~30 ms, and garbage whose GC overlapped the DNS lookup); one that
// may hand-shake gets them before its clock starts (issue 16).
func TestRootsOnlyWhenTLSMayCome(t *testing.T) {
	for _, c := range []struct {
		url   string
		edit  func(*Options)
		roots bool
	}{
		{"http://example.test/", nil, false},
		{"https://example.test/", nil, true},
		{"http://example.test/", func(o *Options) { o.FollowRedirects = true }, true},
		{"http://example.test/", func(o *Options) {
			px, _ := ParseProxy("https://proxy.test:3128")
			o.Proxy.Explicit = px
		}, true},
	} {
		u, err := ParseURL(c.url)
		if err != nil {
			t.Fatal(err)
		}
		o := &Options{URL: u}
		if c.edit != nil {
			c.edit(o)
		}
		pool, err := loadRoots(o)
		if err != nil || (pool != nil) != c.roots {
			t.Errorf("%s %+v: pool loaded %v (err %v), want %v", c.url, o.Proxy.Explicit, pool != nil, err, c.roots)
		}
	}
}
