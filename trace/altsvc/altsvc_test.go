package altsvc

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)

// curl's docs/ALTSVC.md example, an IPv6 entry, and lines curl skips.
func TestParse(t *testing.T) {
	file := `# Your alt-svc cache. https://curl.se/docs/alt-svc.html
h2 quic.tech 8443 h3 quic.tech 8443 "20270808 06:18:37" 0 0
h1 [::1] 443 h3 [::1] 4433 "20270101 00:00:00" 1 0
h2 old.example 443 h3 old.example 443 "20190808 06:18:37" 0 0
h2 quic.tech 8443 h3-22 quic.tech 8443 "20270808 06:18:37" 0 0
h2 quic.tech 0 h3 quic.tech 8443 "20270808 06:18:37" 0 0
h2 quic.tech 8443 h3 quic.tech 8443 20270808 06:18:37 0 0
garbage
`
	c, err := Parse(strings.NewReader(file), now)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{SrcALPN: "h2", SrcHost: "quic.tech", SrcPort: 8443, DstALPN: "h3", DstHost: "quic.tech", DstPort: 8443, Expires: time.Date(2027, 8, 8, 6, 18, 37, 0, time.UTC)},
		{SrcALPN: "h1", SrcHost: "::1", SrcPort: 443, DstALPN: "h3", DstHost: "::1", DstPort: 4433, Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Persist: true},
	}
	if len(c.Entries) != len(want) {
		t.Fatalf("entries %+v", c.Entries)
	}
	for i := range want {
		if c.Entries[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, c.Entries[i], want[i])
		}
	}
	var out bytes.Buffer
	c.Write(&out)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if lines[2] != `h2 quic.tech 8443 h3 quic.tech 8443 "20270808 06:18:37" 0 0` || lines[3] != `h1 [::1] 443 h3 [::1] 4433 "20270101 00:00:00" 1 0` {
		t.Errorf("written:\n%s", out.String())
	}
	again, _ := Parse(&out, now)
	if len(again.Entries) != 2 || again.Entries[1] != want[1] {
		t.Errorf("round trip: %+v", again.Entries)
	}
	if e, ok := c.H3("QUIC.tech", 8443, now); !ok || e.DstPort != 8443 {
		t.Errorf("H3: %+v %v", e, ok)
	}
	if _, ok := c.H3("quic.tech", 8443, want[0].Expires); ok {
		t.Error("H3 returned an entry at its expiry")
	}
}

// Update as curl applies a header: the first usable alternative replaces
// the origin's entries, ma= sets the expiry (ma=0: not kept), clear
// drops them, and unknown ALPN ids are skipped.
func TestUpdate(t *testing.T) {
	c := &Cache{}
	c.Update("h2", "a.test", 443, []string{`h3=":8443"; ma=60; persist=1, h3-29=":8443", h2="b.test:443"`}, now)
	if len(c.Entries) != 2 || !c.Changed {
		t.Fatalf("%+v", c.Entries)
	}
	e := c.Entries[0]
	if e.DstALPN != "h3" || e.DstHost != "a.test" || e.DstPort != 8443 || !e.Expires.Equal(now.Add(time.Minute)) || !e.Persist {
		t.Errorf("h3 entry %+v", e)
	}
	if e := c.Entries[1]; e.DstALPN != "h2" || e.DstHost != "b.test" || !e.Expires.Equal(now.Add(24*time.Hour)) {
		t.Errorf("h2 entry %+v", e)
	}
	c.Update("h2", "a.test", 443, []string{`h3=":9443"`}, now)
	if len(c.Entries) != 1 || c.Entries[0].DstPort != 9443 {
		t.Errorf("replaced: %+v", c.Entries)
	}
	c.Update("h1", "other.test", 443, []string{`h3=":443"; ma=0`}, now)
	if len(c.Entries) != 1 {
		t.Errorf("ma=0 kept: %+v", c.Entries)
	}
	c.Changed = false
	c.Update("h2", "a.test", 443, []string{`unknown=":1"`}, now)
	if c.Changed || len(c.Entries) != 1 {
		t.Errorf("an unknown ALPN changed the cache: %+v", c.Entries)
	}
	c.Update("h2", "a.test", 443, []string{"clear"}, now)
	if len(c.Entries) != 0 || !c.Changed {
		t.Errorf("clear: %+v", c.Entries)
	}
}

// FuzzParse: any file parses without panic, within the entry cap, to
// entries that write back and read again unchanged.
func FuzzParse(f *testing.F) {
	f.Add(`h2 quic.tech 8443 h3 quic.tech 8443 "20270808 06:18:37" 0 0`)
	f.Add(`h1 [::1] 443 h3 [::1] 4433 "20270101 00:00:00" 1 7` + "\n# c\n")
	f.Add(`h2 [zz] 1 h3 x 1 "20270101 00:00:00" 0 0`)
	f.Add(`h1 0 1 h1 : 1 "20270101 0:00:00" 0 0`) // its first finding: an IPv6 host needs brackets
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(strings.NewReader(s), now)
		if err != nil || len(c.Entries) > maxEntries {
			t.Fatalf("%v, %d entries", err, len(c.Entries))
		}
		var b bytes.Buffer
		c.Write(&b)
		again, _ := Parse(&b, now)
		if len(again.Entries) != len(c.Entries) {
			t.Fatalf("round trip: %d entries, then %d\n%s", len(c.Entries), len(again.Entries), b.String())
		}
	})
}
