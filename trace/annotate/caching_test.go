package annotate

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// t0 is the response time used throughout the tests.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

func TestParseCacheControl(t *testing.T) {
	tests := []struct {
		name       string
		in         []string
		directives []Directive
		dups       []string
		conflicts  []string // "a/b"
		invalid    []string
	}{
		{
			name:       "simple",
			in:         []string{"public, max-age=60"},
			directives: []Directive{{"public", "", false}, {"max-age", "60", true}},
		},
		{
			name:       "case, spaces and several lines",
			in:         []string{" Max-Age = 60 ", "NO-CACHE"},
			directives: []Directive{{"max-age", "60", true}, {"no-cache", "", false}},
		},
		{
			name:       "quoted argument with comma",
			in:         []string{`private="Set-Cookie, X-Foo", max-age="30"`},
			directives: []Directive{{"private", "Set-Cookie, X-Foo", true}, {"max-age", "30", true}},
		},
		{
			name:       "empty elements",
			in:         []string{",, no-store ,,", ""},
			directives: []Directive{{"no-store", "", false}},
		},
		{
			name:       "duplicates with different values conflict",
			in:         []string{"max-age=5, max-age=10"},
			directives: []Directive{{"max-age", "5", true}, {"max-age", "10", true}},
			dups:       []string{"max-age"},
			conflicts:  []string{"max-age/max-age"},
		},
		{
			name:       "identical duplicates do not conflict",
			in:         []string{"no-cache", "no-cache"},
			directives: []Directive{{"no-cache", "", false}, {"no-cache", "", false}},
			dups:       []string{"no-cache"},
		},
		{
			name:       "public with private",
			in:         []string{"public, private"},
			directives: []Directive{{"public", "", false}, {"private", "", false}},
			conflicts:  []string{"public/private"},
		},
		{
			name:       "no-store with max-age and public",
			in:         []string{"no-store, max-age=60, public"},
			directives: []Directive{{"no-store", "", false}, {"max-age", "60", true}, {"public", "", false}},
			conflicts:  []string{"no-store/max-age", "no-store/public"},
		},
		{
			name:       "no-cache with immutable",
			in:         []string{"no-cache, immutable"},
			directives: []Directive{{"no-cache", "", false}, {"immutable", "", false}},
			conflicts:  []string{"no-cache/immutable"},
		},
		{
			name:       "malformed arguments",
			in:         []string{"max-age=abc, s-maxage, no-store=1, private=\"\", a b"},
			directives: []Directive{{"max-age", "abc", true}, {"s-maxage", "", false}, {"no-store", "1", true}, {"private", "", true}, {"a b", "", false}},
			invalid:    []string{"max-age=abc", "s-maxage", "no-store=1", `private=""`, "a b"},
			conflicts:  []string{"no-store/max-age", "no-store/s-maxage"},
		},
		{
			name:       "extensions kept",
			in:         []string{"stale-while-revalidate=30, community=\"UCI\""},
			directives: []Directive{{"stale-while-revalidate", "30", true}, {"community", "UCI", true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := ParseCacheControl(tt.in)
			if !reflect.DeepEqual(cc.Directives, tt.directives) {
				t.Errorf("directives = %#v, want %#v", cc.Directives, tt.directives)
			}
			if !reflect.DeepEqual(cc.Duplicates, tt.dups) {
				t.Errorf("duplicates = %q, want %q", cc.Duplicates, tt.dups)
			}
			var got []string
			for _, c := range cc.Conflicts {
				got = append(got, c.A+"/"+c.B)
			}
			if !reflect.DeepEqual(got, tt.conflicts) {
				t.Errorf("conflicts = %q, want %q", got, tt.conflicts)
			}
			if !reflect.DeepEqual(cc.Invalid, tt.invalid) {
				t.Errorf("invalid = %q, want %q", cc.Invalid, tt.invalid)
			}
		})
	}
}

func TestCacheControlAccessors(t *testing.T) {
	cc := ParseCacheControl([]string{"max-age=99999999999, s-maxage=x, private=\"a\""})
	if s, ok := cc.Seconds("max-age"); !ok || s != 1<<31 {
		t.Errorf("max-age = %d, %v; want 2^31 capped", s, ok)
	}
	if _, ok := cc.Seconds("s-maxage"); ok {
		t.Error("s-maxage=x parsed as seconds")
	}
	if _, ok := cc.Seconds("min-fresh"); ok {
		t.Error("absent directive reported")
	}
	if v, ok := cc.Value("PRIVATE"); !ok || v != "a" {
		t.Errorf("Value(PRIVATE) = %q, %v", v, ok)
	}
	if cc.Has("public") || !cc.Has("Max-Age") {
		t.Error("Has is wrong")
	}
}

func resp(status int, kv ...string) *trace.Response {
	r := &trace.Response{Status: status, Proto: "HTTP/1.1"}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Headers = append(r.Headers, trace.Header{Name: kv[i], Value: kv[i+1]})
	}
	return r
}

func TestFreshness(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name          string
		resp          *trace.Response
		reqTime       time.Time // zero: same as t0
		now           time.Time // zero: t0
		lifetime      time.Duration
		source        string
		sharedLife    time.Duration
		sharedSource  string
		age           time.Duration
		freshFor      time.Duration
		staleBy       time.Duration
		heuristicBase time.Duration
		problems      int
	}{
		{
			name: "max-age, aged locally",
			resp: resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=60"),
			now:  t0.Add(18 * sec), lifetime: 60 * sec, source: SourceMaxAge, sharedLife: 60 * sec, sharedSource: SourceMaxAge,
			age: 18 * sec, freshFor: 42 * sec,
		},
		{
			name: "max-age with Age header goes stale",
			resp: resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=60", "Age", "50"),
			now:  t0.Add(20 * sec), lifetime: 60 * sec, source: SourceMaxAge, sharedLife: 60 * sec, sharedSource: SourceMaxAge,
			age: 70 * sec, staleBy: 10 * sec,
		},
		{
			name: "s-maxage for shared caches only",
			resp: resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=60, s-maxage=600"),
			now:  t0.Add(100 * sec), lifetime: 60 * sec, source: SourceMaxAge, sharedLife: 600 * sec, sharedSource: SourceSMaxAge,
			age: 100 * sec, staleBy: 40 * sec,
		},
		{
			name:     "Expires minus Date",
			resp:     resp(200, "Date", httpDate(t0), "Expires", httpDate(t0.Add(time.Hour))),
			lifetime: time.Hour, source: SourceExpires, sharedLife: time.Hour, sharedSource: SourceExpires, freshFor: time.Hour,
		},
		{
			name:     "max-age beats Expires",
			resp:     resp(200, "Date", httpDate(t0), "Expires", httpDate(t0.Add(time.Hour)), "Cache-Control", "max-age=5"),
			lifetime: 5 * sec, source: SourceMaxAge, sharedLife: 5 * sec, sharedSource: SourceMaxAge, freshFor: 5 * sec,
		},
		{
			name:     "Expires in the past",
			resp:     resp(200, "Date", httpDate(t0), "Expires", httpDate(t0.Add(-time.Hour))),
			lifetime: 0, source: SourceExpires, sharedSource: SourceExpires,
		},
		{
			name:     "invalid Expires means already expired",
			resp:     resp(200, "Date", httpDate(t0), "Expires", "0"),
			lifetime: 0, source: SourceExpires, sharedSource: SourceExpires, problems: 1,
		},
		{
			name:     "no Date: the response time stands in",
			resp:     resp(200, "Expires", httpDate(t0.Add(30*time.Minute))),
			lifetime: 30 * time.Minute, source: SourceExpires, sharedLife: 30 * time.Minute, sharedSource: SourceExpires,
			freshFor: 30 * time.Minute, problems: 1,
		},
		{
			name:     "heuristic: 10% of Date minus Last-Modified",
			resp:     resp(200, "Date", httpDate(t0), "Last-Modified", httpDate(t0.Add(-100*time.Hour))),
			now:      t0.Add(time.Hour),
			lifetime: 10 * time.Hour, source: SourceHeuristic, sharedLife: 10 * time.Hour, sharedSource: SourceHeuristic,
			age: time.Hour, freshFor: 9 * time.Hour, heuristicBase: 100 * time.Hour,
		},
		{
			name:     "heuristic gone stale",
			resp:     resp(404, "Date", httpDate(t0), "Last-Modified", httpDate(t0.Add(-10*time.Minute))),
			now:      t0.Add(2 * time.Minute),
			lifetime: time.Minute, source: SourceHeuristic, sharedLife: time.Minute, sharedSource: SourceHeuristic,
			age: 2 * time.Minute, staleBy: time.Minute, heuristicBase: 10 * time.Minute,
		},
		{
			name:   "no heuristic for a status that is not cacheable by default",
			resp:   resp(500, "Date", httpDate(t0), "Last-Modified", httpDate(t0.Add(-100*time.Hour))),
			source: SourceNone, sharedSource: SourceNone,
		},
		{
			name:     "public allows the heuristic for any status",
			resp:     resp(500, "Date", httpDate(t0), "Last-Modified", httpDate(t0.Add(-100*time.Hour)), "Cache-Control", "public"),
			lifetime: 10 * time.Hour, source: SourceHeuristic, sharedLife: 10 * time.Hour, sharedSource: SourceHeuristic,
			freshFor: 10 * time.Hour, heuristicBase: 100 * time.Hour,
		},
		{
			name:   "no lifetime at all",
			resp:   resp(200, "Date", httpDate(t0)),
			source: SourceNone, sharedSource: SourceNone,
		},
		{
			name:     "apparent age from an old Date",
			resp:     resp(200, "Date", httpDate(t0.Add(-5*sec)), "Cache-Control", "max-age=60"),
			lifetime: 60 * sec, source: SourceMaxAge, sharedLife: 60 * sec, sharedSource: SourceMaxAge,
			age: 5 * sec, freshFor: 55 * sec,
		},
		{
			name:     "corrected age adds the response delay to Age",
			resp:     resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=60", "Age", "10"),
			reqTime:  t0.Add(-2 * sec),
			lifetime: 60 * sec, source: SourceMaxAge, sharedLife: 60 * sec, sharedSource: SourceMaxAge,
			age: 12 * sec, freshFor: 48 * sec,
		},
		{
			name:     "Date in the future (clock skew) gives no apparent age",
			resp:     resp(200, "Date", httpDate(t0.Add(time.Hour)), "Cache-Control", "max-age=60"),
			lifetime: 60 * sec, source: SourceMaxAge, sharedLife: 60 * sec, sharedSource: SourceMaxAge, freshFor: 60 * sec,
		},
		{
			name:     "invalid Age is ignored",
			resp:     resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=60", "Age", "-3"),
			lifetime: 60 * sec, source: SourceMaxAge, sharedLife: 60 * sec, sharedSource: SourceMaxAge, freshFor: 60 * sec, problems: 1,
		},
		{
			name:   "duplicate max-age with different values is stale",
			resp:   resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=60, max-age=0"),
			source: SourceMaxAge, sharedSource: SourceMaxAge, problems: 1,
		},
		{
			name:   "malformed max-age is stale",
			resp:   resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=1h"),
			source: SourceMaxAge, sharedSource: SourceMaxAge, problems: 1,
		},
		{
			name:     "huge max-age is capped at 2^31 seconds",
			resp:     resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=9999999999999"),
			lifetime: (1 << 31) * sec, source: SourceMaxAge, sharedLife: (1 << 31) * sec, sharedSource: SourceMaxAge, freshFor: (1 << 31) * sec,
		},
		{
			name:   "nil response",
			source: SourceNone, sharedSource: SourceNone,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, now := tt.reqTime, tt.now
			if req.IsZero() {
				req = t0
			}
			if now.IsZero() {
				now = t0
			}
			f := Freshness(tt.resp, req, t0, now)
			check := func(what string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("Lifetime", f.Lifetime, tt.lifetime)
			check("Source", f.Source, tt.source)
			check("SharedLifetime", f.SharedLifetime, tt.sharedLife)
			check("SharedSource", f.SharedSource, tt.sharedSource)
			check("Age", f.Age, tt.age)
			check("FreshFor", f.FreshFor, tt.freshFor)
			check("StaleBy", f.StaleBy, tt.staleBy)
			check("Heuristic", f.Heuristic, tt.heuristicBase)
			check("IsFresh", f.IsFresh(), tt.freshFor > 0)
			if len(f.Problems) != tt.problems {
				t.Errorf("Problems = %q, want %d", f.Problems, tt.problems)
			}
		})
	}
}

func TestFreshnessSharedStaleness(t *testing.T) {
	r := resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=600, s-maxage=60")
	f := Freshness(r, t0, t0, t0.Add(90*time.Second))
	if !f.IsFresh() || f.IsSharedFresh() || f.SharedStaleBy != 30*time.Second || f.FreshFor != 510*time.Second {
		t.Errorf("got %+v", f)
	}
}

// TestPermanentRedirectHeuristicallyCached: a 301 or 308 with no explicit
// lifetime is not "stale at once": caches may pick a lifetime of their
// own (RFC 9111 section 4.2.2), and browsers do reuse it. A 302 is not
// heuristically cacheable.
func TestPermanentRedirectHeuristicallyCached(t *testing.T) {
	for _, status := range []int{301, 308, 302} {
		h := hop("https://www.example.test/old", "GET", nil, resp(status, "Date", httpDate(t0), "Location", "/new"))
		var fresh *trace.Note
		for _, n := range Hop(h, t0) {
			if n.ID == "cache.freshness" {
				fresh = &n
			}
		}
		permanent := status != 302
		switch {
		case permanent && (fresh == nil || !strings.Contains(fresh.Message, "heuristically cacheable") || strings.Contains(fresh.Message, "stale at once")):
			t.Errorf("%d: freshness note %+v", status, fresh)
		case !permanent && fresh != nil:
			t.Errorf("%d is not heuristically cacheable, yet: %+v", status, fresh)
		}
	}
}
