package annotate_test

import (
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/annotate"
)

func TestParseAltSvc(t *testing.T) {
	alts, clear := annotate.ParseAltSvc([]string{`h3=":443"; ma=2592000, h3-29=":443"; ma=2592000`, `h2="alt.example.com:8443"; persist=1`, `bad, h3=":0", h3=443, clear`})
	want := []annotate.AltSvc{{Protocol: "h3", Port: 443, MaxAge: 2592000}, {Protocol: "h3-29", Port: 443, MaxAge: 2592000},
		{Protocol: "h2", Host: "alt.example.com", Port: 8443, MaxAge: 86400, Persist: true}}
	if !clear || len(alts) != len(want) {
		t.Fatalf("%+v clear=%v", alts, clear)
	}
	for i := range want {
		if alts[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, alts[i], want[i])
		}
	}
}

// FuzzParseAltSvc: any Alt-Svc value yields at most maxAltSvc entries,
// each with a port a client could use.
func FuzzParseAltSvc(f *testing.F) {
	for _, s := range []string{`h3=":443"; ma=86400`, `clear`, `h2="[::1]:8443", h3="x:1";ma="5"`, `"`, `h3=":443";ma=-1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		alts, _ := annotate.ParseAltSvc([]string{s, s})
		if len(alts) > 32 {
			t.Fatalf("%d entries", len(alts))
		}
		for _, a := range alts {
			if a.Port <= 0 || a.Port > 65535 || a.MaxAge < 0 || a.Protocol == "" || strings.ContainsAny(a.Protocol, ",;") {
				t.Fatalf("%q: %+v", s, a)
			}
		}
	})
}
