package trace_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func follow(o *trace.Options) { o.FollowRedirects, o.MaxRedirects = true, 10 }

func TestRedirectChainReusesTheConnection(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"http", "https"} {
		res := run(t, lab, lab.URL(scheme, "www.lab.test", "/redirect/3"), follow)
		ok(t, res)
		if len(res.Hops) != 4 {
			t.Fatalf("%s: %d hops, want 4", scheme, len(res.Hops))
		}
		for i, hop := range res.Hops {
			last := i == len(res.Hops)-1
			if last != (hop.Redirect == nil) || !last && (hop.Response.Status != 302 || !hop.Redirect.Followed || hop.Redirect.Method != "GET") {
				t.Errorf("%s hop %d: status %d redirect %+v", scheme, i, hop.Response.Status, hop.Redirect)
			}
			if hop.ConnID != 1 {
				t.Errorf("%s hop %d: connection #%d, want #1 throughout", scheme, i, hop.ConnID)
			}
			if i == 0 {
				continue
			}
			if !hop.Connect.Reused || hop.DNS != nil || hop.Timings.DNS != nil || hop.Timings.Connect != nil || hop.Timings.TLS != nil ||
				!strings.Contains(hop.Timings.Skipped["connect"], "reused") {
				t.Errorf("%s hop %d: want a reused connection with DNS/TCP/TLS skipped: %+v %q", scheme, i, hop.Connect, hop.Timings.Skipped)
			}
			if hop.Timings.Wait == nil || hop.Timings.Receive == nil {
				t.Errorf("%s hop %d: wait/receive missing", scheme, i)
			}
		}
		if got := res.Hops[3].URL; !strings.HasSuffix(got, "/redirect/0") || res.Hops[3].Response.Status != 200 {
			t.Errorf("%s: last hop %s %d", scheme, got, res.Hops[3].Response.Status)
		}
	}
}

// TestOutputGetsOnlyTheLastBody: as curl -L -o, the body of a redirect
// that is followed is not written; without -L it is the document.
func TestOutputGetsOnlyTheLastBody(t *testing.T) {
	lab := tracetest.New(t)
	for _, followed := range []bool{true, false} {
		var out strings.Builder
		res := run(t, lab, lab.URL("http", "www.lab.test", "/redirect/2"), func(o *trace.Options) {
			if followed {
				follow(o)
			}
			o.Output, o.OutputName = &out, "body.txt"
		})
		ok(t, res)
		want, saved := "redirects done\n", res.Hops[len(res.Hops)-1]
		if !followed {
			want = "redirecting\n"
		}
		if out.String() != want || saved.Response.SavedTo != "body.txt" {
			t.Errorf("followed=%v: -o got %q (saved to %q), want %q", followed, out.String(), saved.Response.SavedTo, want)
		}
		for _, hop := range res.Hops[:len(res.Hops)-1] {
			if hop.Response.SavedTo != "" || hop.Response.BodyBytes != int64(len("redirecting\n")) {
				t.Errorf("followed redirect: saved to %q, %d body bytes counted", hop.Response.SavedTo, hop.Response.BodyBytes)
			}
		}
	}
}

func TestRedirectWithoutFollowSaysWhere(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("https", "www.lab.test", "/redirect/2"))
	hop := ok(t, res)
	if len(res.Hops) != 1 || hop.Redirect == nil || hop.Redirect.Followed || !strings.HasSuffix(hop.Redirect.Location, "/redirect/1") {
		t.Errorf("hops %d, redirect %+v", len(res.Hops), hop.Redirect)
	}
	if !strings.HasPrefix(hop.Redirect.Location, "https://www.lab.test:") {
		t.Errorf("relative Location not resolved: %q", hop.Redirect.Location)
	}
}

func TestRedirectMethodRules(t *testing.T) {
	lab := tracetest.New(t)
	cases := []struct {
		status     string
		method     string
		body       int
		contentLen bool
	}{
		{"301", "GET", 0, false},
		{"302", "GET", 0, false},
		{"303", "GET", 0, false},
		{"307", "POST", 7, true},
		{"308", "POST", 7, true},
	}
	for _, c := range cases {
		target := url.QueryEscape("/echo")
		res := run(t, lab, lab.URL("http", "www.lab.test", "/redirect-to?status="+c.status+"&url="+target), follow,
			func(o *trace.Options) { o.Body, o.ContentType = []byte("a=1&b=2"), "application/x-www-form-urlencoded" })
		ok(t, res)
		first, last := res.Hops[0], res.Hops[len(res.Hops)-1]
		if first.Request.Method != "POST" || first.Redirect.Method != c.method || !strings.HasPrefix(first.Redirect.Rule, c.status) {
			t.Errorf("%s: %s → %+v", c.status, first.Request.Method, first.Redirect)
		}
		var echo struct {
			Method    string `json:"method"`
			BodyBytes int    `json:"body_bytes"`
		}
		json.Unmarshal(last.Response.BodyPreview, &echo)
		if echo.Method != c.method || echo.BodyBytes != c.body {
			t.Errorf("%s: server saw %s with %d body bytes, want %s with %d", c.status, echo.Method, echo.BodyBytes, c.method, c.body)
		}
		sentLen := slices.ContainsFunc(last.Request.Headers, func(h trace.Header) bool { return h.Name == "Content-Length" })
		if sentLen != c.contentLen || c.contentLen == slices.Contains(first.Redirect.Dropped, "Content-Type") {
			t.Errorf("%s: next request Content-Length %v, dropped %v", c.status, sentLen, first.Redirect.Dropped)
		}
	}
}

func TestCrossOriginRedirectDropsCredentials(t *testing.T) {
	lab := tracetest.New(t)
	other := lab.URL("https", "other.lab.test", "/echo")
	res := run(t, lab, lab.URL("https", "www.lab.test", "/redirect-to?status=307&url="+url.QueryEscape(other)), follow,
		func(o *trace.Options) { o.User = url.UserPassword("alice", "secret") })
	ok(t, res)
	first, last := res.Hops[0], res.Hops[1]
	if !first.Redirect.CrossOrigin || !slices.Contains(first.Redirect.Dropped, "authorization") {
		t.Errorf("redirect = %+v", first.Redirect)
	}
	if slices.ContainsFunc(last.Request.Headers, func(h trace.Header) bool { return strings.EqualFold(h.Name, "Authorization") }) {
		t.Errorf("credentials were sent to another origin: %v", last.Request.Headers)
	}
	if last.ConnID != 2 || last.Connect.Reused || last.DNS == nil || last.TLS.ServerName != "other.lab.test" {
		t.Errorf("second hop should open a new connection to the other host: conn #%d %+v", last.ConnID, last.Connect)
	}

	// --oauth2-bearer is a credential too: sent first, dropped after.
	res = run(t, lab, lab.URL("https", "www.lab.test", "/redirect-to?status=307&url="+url.QueryEscape(other)), follow,
		func(o *trace.Options) { o.Bearer = "tok" })
	ok(t, res)
	if v := headerOf(res.Hops[0].Request.Headers, "Authorization"); v != "Bearer tok" {
		t.Errorf("first hop: Authorization %q, want the bearer token", v)
	}
	if v := headerOf(res.Hops[1].Request.Headers, "Authorization"); v != "" {
		t.Errorf("the bearer token went to another origin: %q", v)
	}
}

func TestRedirectFailures(t *testing.T) {
	lab := tracetest.New(t)
	cases := []struct {
		name, path, kind, msg string
		max                   int
		hops                  int
	}{
		{"loop", "/loop", trace.KindTooManyRedirs, "loop", 10, 1},
		{"too many", "/redirect/5", trace.KindTooManyRedirs, "after 2 redirects", 2, 3},
		{"odd scheme", "/redirect-to?url=" + url.QueryEscape("ftp://files.lab.test/x"), trace.KindBadRedirect, "not http", 10, 1},
	}
	for _, c := range cases {
		res := run(t, lab, lab.URL("http", "www.lab.test", c.path), func(o *trace.Options) { o.FollowRedirects, o.MaxRedirects = true, c.max })
		if e := res.Err; e == nil || e.Kind != c.kind || e.Phase != trace.PhaseRedirect || !strings.Contains(e.Message, c.msg) || e.Hint == "" {
			t.Errorf("%s: err = %+v", c.name, e)
		}
		if len(res.Hops) != c.hops {
			t.Errorf("%s: %d hops, want %d (the chain so far)", c.name, len(res.Hops), c.hops)
		}
	}
}

// The chain: three hops, the second on the same origin (the
// connection reused), the third to another origin (a new connection, and
// Authorization left behind).
func TestThreeHopChainAcrossOrigins(t *testing.T) {
	lab := tracetest.New(t)
	other := lab.URL("https", "other.lab.test", "/echo")
	second := "/redirect-to?status=302&url=" + url.QueryEscape(other)
	res := run(t, lab, lab.URL("https", "www.lab.test", "/redirect-to?status=307&url="+url.QueryEscape(second)), follow,
		func(o *trace.Options) { o.User = url.UserPassword("alice", "secret") })
	ok(t, res)
	if len(res.Hops) != 3 {
		t.Fatalf("%d hops, want 3", len(res.Hops))
	}
	h1, h2, h3 := res.Hops[0], res.Hops[1], res.Hops[2]
	if h1.Connect.Reused || !h2.Connect.Reused || h2.ConnID != h1.ConnID || h3.Connect.Reused || h3.ConnID == h1.ConnID {
		t.Errorf("connections: %d (reused %v), %d (reused %v), %d (reused %v)", h1.ConnID, h1.Connect.Reused, h2.ConnID, h2.Connect.Reused, h3.ConnID, h3.Connect.Reused)
	}
	if headerOf(h2.Request.Headers, "Authorization") == "" || headerOf(h3.Request.Headers, "Authorization") != "" {
		t.Errorf("Authorization: hop 2 %q, hop 3 %q", headerOf(h2.Request.Headers, "Authorization"), headerOf(h3.Request.Headers, "Authorization"))
	}
	if !h2.Redirect.CrossOrigin || !slices.Contains(h2.Redirect.Dropped, "authorization") || h1.Redirect.CrossOrigin {
		t.Errorf("redirects: %+v / %+v", h1.Redirect, h2.Redirect)
	}
}
