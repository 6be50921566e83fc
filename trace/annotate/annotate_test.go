package annotate

import (
	"encoding/base64"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// idLevels lists "id level" for the notes of the given categories (all
// when none are given), in order.
func idLevels(notes []trace.Note, categories ...string) []string {
	var out []string
	for _, n := range notes {
		if len(categories) == 0 || contains(categories, n.Category) {
			out = append(out, n.ID+" "+n.Level)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hop(url, method string, reqHeaders []trace.Header, r *trace.Response) *trace.Hop {
	return &trace.Hop{URL: url, Request: trace.Request{Method: method, Headers: reqHeaders}, Response: r}
}

func logNotes(t *testing.T, notes []trace.Note) {
	t.Helper()
	for _, n := range notes {
		t.Logf("%-30s %-5s %-26s %s", n.ID, n.Level, n.Subject, n.Message)
	}
}

func checkNotes(t *testing.T, notes []trace.Note, want []string, categories ...string) {
	t.Helper()
	got := idLevels(notes, categories...)
	if !reflect.DeepEqual(got, want) {
		logNotes(t, notes)
		t.Errorf("notes\n got %q\nwant %q", got, want)
	}
	for _, n := range notes {
		if n.ID == "" || n.Category == "" || n.Subject == "" || n.Message == "" {
			t.Errorf("incomplete note %+v", n)
		}
		switch n.Level {
		case trace.LevelGood, trace.LevelInfo, trace.LevelWarn, trace.LevelBad:
		default:
			t.Errorf("note %s has level %q", n.ID, n.Level)
		}
	}
}

// TestHopFullPage is the "done when" exchange: a page over https
// with cache headers, three cookies, security headers and a Bearer token.
func TestHopFullPage(t *testing.T) {
	tok := signHS256(t, map[string]any{"alg": "HS256", "typ": "JWT"},
		map[string]any{"sub": "42", "iat": t0.Add(-time.Hour).Unix(), "exp": t0.Add(time.Hour).Unix()}, []byte("k"))
	h := hop("https://www.example.com/", "GET", hdrs("Authorization", "Bearer "+tok), resp(200,
		"Date", httpDate(t0),
		"Content-Type", "text/html; charset=utf-8",
		"Cache-Control", "private, max-age=60",
		"ETag", `"v1"`,
		"Vary", "Accept-Encoding",
		"Set-Cookie", "__Host-session=s3cr3tvalue; Path=/; Secure; HttpOnly; SameSite=Lax",
		"Set-Cookie", "theme=dark; Max-Age=31536000; Secure; SameSite=Lax",
		"Set-Cookie", "tracking=abc; Domain=example.com; SameSite=None; Secure; Max-Age=63072000",
		"Strict-Transport-Security", "max-age=31536000; includeSubDomains",
		"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options", "nosniff",
		"Referrer-Policy", "strict-origin-when-cross-origin",
		"Permissions-Policy", "camera=(), geolocation=()",
		"Cross-Origin-Opener-Policy", "same-origin",
		"Server", "nginx",
	))
	notes := Hop(h, t0.Add(18*time.Second))
	checkNotes(t, notes, []string{
		"status.meaning good",
		"auth.bearer-jwt info",
		"cache.storable info",
		"cache.freshness good",
		"cache.validators good",
		"cache.vary info",
		"cookie.attributes good",
		"cookie.attributes info",
		"cookie.attributes info",
		"cookie.lifetime-cap warn",
		"security.hsts good",
		"security.xcto good",
		"security.csp good",
		"security.frame good",
		"security.referrer good",
		"security.permissions good",
		"security.coop good",
		"security.score good",
	})
	byID := map[string]string{}
	for _, n := range notes {
		byID[n.ID] += n.Message + "\n"
	}
	for id, want := range map[string]string{
		"cache.freshness": "Fresh for 42s more (max-age=60, age 18s); after that a cache must revalidate with If-None-Match.",
		"cache.storable":  "Only the browser's own cache may store this response; shared caches (CDNs, proxies) must not, because of Cache-Control: private.",
		"auth.bearer-jwt": "(expires in 59m42s)",
		"security.score":  "Observatory-style score 130/100, grade A+",
	} {
		if !strings.Contains(byID[id], want) {
			t.Errorf("%s = %q, want it to contain %q", id, byID[id], want)
		}
	}
	for _, n := range notes {
		if strings.Contains(n.Message, "s3cr3tvalue") || strings.Contains(n.Message, tok[strings.LastIndexByte(tok, '.')+1:]) {
			t.Errorf("secret in note %s: %s", n.ID, n.Message)
		}
	}
}

func TestHopStatusRequirements(t *testing.T) {
	tests := []struct {
		status int
		kv     []string
		want   []string
	}{
		{200, nil, []string{"status.meaning good"}},
		{201, nil, []string{"status.meaning good", "status.missing-header info"}},
		{201, []string{"Location", "/items/1"}, []string{"status.meaning good"}},
		{206, nil, []string{"status.meaning good", "status.missing-header bad"}},
		{206, []string{"Content-Type", "multipart/byteranges; boundary=x"}, []string{"status.meaning good"}},
		{301, nil, []string{"status.meaning info", "status.missing-header bad"}},
		{304, nil, []string{"status.meaning info"}},
		{401, nil, []string{"status.meaning warn", "status.missing-header bad"}},
		{401, []string{"WWW-Authenticate", `Basic realm="x"`}, []string{"status.meaning warn"}},
		{404, nil, []string{"status.meaning warn"}},
		{405, nil, []string{"status.meaning warn", "status.missing-header bad"}},
		{405, []string{"Allow", "GET, HEAD"}, []string{"status.meaning warn"}},
		{429, nil, []string{"status.meaning warn", "status.missing-header info"}},
		{429, []string{"Retry-After", "30"}, []string{"status.meaning warn"}},
		{503, nil, []string{"status.meaning bad", "status.missing-header info"}},
		{522, nil, []string{"status.meaning bad"}},
		{299, nil, []string{"status.meaning good"}},
		{600, nil, []string{"status.meaning bad"}},
	}
	for _, tt := range tests {
		h := hop("https://example.com/", "GET", nil, resp(tt.status, tt.kv...))
		notes := Hop(h, t0)
		if got := idLevels(notes, trace.NoteStatus); !reflect.DeepEqual(got, tt.want) {
			logNotes(t, notes)
			t.Errorf("%d %q: got %q, want %q", tt.status, tt.kv, got, tt.want)
		}
	}
	// Dropped header lines make "missing header" notes unreliable: say so.
	r := resp(401)
	r.HeadersCut = 3
	checkNotes(t, Hop(hop("https://example.com/", "GET", nil, r), t0),
		[]string{"status.meaning warn", "status.headers-cut warn", "status.missing-header bad"}, trace.NoteStatus)

	// The meaning comes from the knowledge base, vendor codes included.
	n := Hop(hop("https://example.com/", "GET", nil, resp(522)), t0)[0]
	if !strings.Contains(n.Message, "Cloudflare") || n.Subject != "522" {
		t.Errorf("522 note = %+v", n)
	}
	n = Hop(hop("https://example.com/", "GET", nil, resp(413)), t0)[0]
	if !strings.HasPrefix(n.Message, "413 Content Too Large:") {
		t.Errorf("413 note = %q", n.Message)
	}
}

func TestHopRedirectMethod(t *testing.T) {
	tests := []struct {
		url, method string
		status      int
		location    string
		want        []string
		next        string // prefix of the redirect-method message
	}{
		{"https://a.example/form", "POST", 302, "/done", []string{"status.meaning info", "status.redirect-method info"}, "Next request: GET https://a.example/done. Browsers and curl -L turn POST into GET"},
		{"https://a.example/form", "POST", 301, "https://b.example/", []string{"status.meaning info", "status.redirect-method info"}, "Next request: GET https://b.example/."},
		{"https://a.example/form", "PUT", 301, "/x", []string{"status.meaning info", "status.redirect-method info"}, "Next request: PUT https://a.example/x. The method stays PUT"},
		{"https://a.example/form", "POST", 303, "/done", []string{"status.meaning info", "status.redirect-method info"}, "Next request: GET https://a.example/done. 303 See Other always continues with GET, so the POST body is dropped."},
		{"https://a.example/form", "HEAD", 303, "/done", []string{"status.meaning info", "status.redirect-method info"}, "Next request: HEAD https://a.example/done."},
		{"https://a.example/api", "POST", 307, "/v2/api", []string{"status.meaning info", "status.redirect-method info"}, "Next request: POST https://a.example/v2/api. 307 keeps the method and body"},
		{"https://a.example/api", "DELETE", 308, "v2", []string{"status.meaning info", "status.redirect-method info"}, "Next request: DELETE https://a.example/v2. 308 keeps the method and body"},
		{"https://a.example/", "GET", 302, "http://a.example/", []string{"status.meaning info", "status.redirect-method info", "status.redirect-downgrade warn"}, "Next request: GET http://a.example/."},
		{"https://a.example/", "GET", 302, "http://[::1", []string{"status.meaning info", "status.location-invalid bad"}, ""},
	}
	for _, tt := range tests {
		h := hop(tt.url, tt.method, nil, resp(tt.status, "Location", tt.location))
		notes := Hop(h, t0)
		if got := idLevels(notes, trace.NoteStatus); !reflect.DeepEqual(got, tt.want) {
			logNotes(t, notes)
			t.Errorf("%s %d: got %q, want %q", tt.method, tt.status, got, tt.want)
			continue
		}
		if tt.next != "" && !strings.HasPrefix(notes[1].Message, tt.next) {
			t.Errorf("%s %d: message %q, want prefix %q", tt.method, tt.status, notes[1].Message, tt.next)
		}
	}
}

func TestHopCaching(t *testing.T) {
	tests := []struct {
		name   string
		method string
		req    []string
		status int
		kv     []string
		now    time.Duration
		want   []string
	}{
		{
			name: "public max-age, fresh", status: 200, now: 10 * time.Second,
			kv:   []string{"Date", httpDate(t0), "Cache-Control", "public, max-age=60", "Last-Modified", httpDate(t0.Add(-time.Hour))},
			want: []string{"cache.storable info", "cache.freshness good", "cache.validators good"},
		},
		{
			name: "stale", status: 200, now: 2 * time.Minute,
			kv:   []string{"Date", httpDate(t0), "Cache-Control", "max-age=60"},
			want: []string{"cache.storable info", "cache.freshness info", "cache.validators warn"},
		},
		{
			name: "heuristic", status: 200,
			kv:   []string{"Date", httpDate(t0), "Last-Modified", httpDate(t0.Add(-100 * time.Hour))},
			want: []string{"cache.storable info", "cache.freshness warn", "cache.validators good"},
		},
		{
			name: "no-store with max-age", status: 200,
			kv:   []string{"Cache-Control", "no-store, max-age=60"},
			want: []string{"cache.storable info", "cache.conflict warn"},
		},
		{
			name: "public and private, duplicated no-cache, malformed max-age", status: 200,
			kv:   []string{"Cache-Control", "public, private, no-cache, no-cache, max-age=x", "ETag", `W/"1"`},
			want: []string{"cache.storable info", "cache.freshness warn", "cache.validators good", "cache.conflict bad", "cache.conflict info", "cache.invalid warn"},
		},
		{
			name: "POST is not stored", method: "POST", status: 200,
			kv:   []string{"Cache-Control", "max-age=60"},
			want: []string{"cache.storable info"},
		},
		{
			name: "500 without explicit freshness", status: 500,
			kv:   []string{"Date", httpDate(t0)},
			want: []string{"cache.storable info"},
		},
		{
			name: "Authorization keeps shared caches out", status: 200, req: []string{"Authorization", "Bearer opaque"},
			kv:   []string{"Date", httpDate(t0), "Cache-Control", "max-age=60", "Set-Cookie", "a=1; Secure; HttpOnly; SameSite=Lax"},
			want: []string{"cache.storable info", "cache.freshness good", "cache.validators warn"},
		},
		{
			name: "shared and cookies", status: 200,
			kv:   []string{"Date", httpDate(t0), "Cache-Control", "s-maxage=60", "Set-Cookie", "a=1; Secure; HttpOnly; SameSite=Lax"},
			want: []string{"cache.storable info", "cache.freshness info", "cache.validators info", "cache.set-cookie warn"},
		},
		{
			name: "Vary pitfalls and missing Vary for gzip", status: 200,
			kv:   []string{"Date", httpDate(t0), "Cache-Control", "max-age=60", "ETag", `"x"`, "Vary", "User-Agent, Cookie", "Content-Encoding", "gzip"},
			want: []string{"cache.storable info", "cache.freshness good", "cache.validators good", "cache.vary warn", "cache.vary warn"},
		},
		{
			name: "Vary star", status: 200,
			kv:   []string{"Date", httpDate(t0), "Cache-Control", "max-age=60", "ETag", `"x"`, "Vary", "*"},
			want: []string{"cache.storable info", "cache.freshness good", "cache.validators good", "cache.vary warn"},
		},
		{
			name: "CDN headers", status: 200,
			kv: []string{"Date", httpDate(t0), "Cache-Control", "max-age=600", "ETag", `"x"`, "Age", "120",
				"Cache-Status", `"Edge"; hit; ttl=480`, "CF-Cache-Status", "HIT", "X-Cache", "Hit from cloudfront", "Pragma", "no-cache"},
			want: []string{"cache.storable info", "cache.freshness good", "cache.validators good", "cache.pragma info",
				"cache.cdn-status info", "cache.cdn-status info", "cache.cdn-status info", "cache.cdn-status info"},
		},
		{
			name: "304", status: 304,
			kv:   []string{"Date", httpDate(t0), "ETag", `"x"`, "Cache-Control", "max-age=60"},
			want: []string{"cache.storable info", "cache.freshness good", "cache.validators good"},
		},
		{
			name: "must-understand overrides no-store for a known status", status: 200,
			kv:   []string{"Date", httpDate(t0), "Cache-Control", "must-understand, no-store, max-age=60", "ETag", `"x"`},
			want: []string{"cache.storable info", "cache.freshness good", "cache.validators good", "cache.conflict warn"},
		},
		{
			name: "unquoted ETag", status: 200,
			kv:   []string{"Date", httpDate(t0), "Cache-Control", "max-age=60", "ETag", "abc"},
			want: []string{"cache.storable info", "cache.freshness good", "cache.validators warn"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.method
			if m == "" {
				m = "GET"
			}
			h := hop("https://example.com/", m, hdrs(tt.req...), resp(tt.status, tt.kv...))
			notes := Hop(h, t0.Add(tt.now))
			checkNotes(t, notes, tt.want, trace.NoteCaching)
		})
	}
}

func TestHopCookies(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		cookie string
		want   []string
	}{
		{"good", "https://a.example/", "__Host-sid=v; Path=/; Secure; HttpOnly; SameSite=Strict",
			[]string{"cookie.attributes good"}},
		{"SameSite=None without Secure", "https://a.example/", "x=v; SameSite=None; HttpOnly",
			[]string{"cookie.attributes info", "cookie.no-secure warn", "cookie.samesite-none-insecure bad"}},
		{"__Host- with Domain and no Path", "https://a.example/", "__Host-x=v; Secure; Domain=a.example; HttpOnly; SameSite=Lax",
			[]string{"cookie.attributes info", "cookie.host-prefix bad"}},
		{"__Secure- without Secure", "https://a.example/", "__Secure-x=v; HttpOnly; SameSite=Lax",
			[]string{"cookie.attributes info", "cookie.no-secure warn", "cookie.secure-prefix bad"}},
		{"__Http- without HttpOnly", "https://a.example/", "__Http-x=v; Secure; SameSite=Lax",
			[]string{"cookie.attributes info", "cookie.http-prefix bad"}},
		{"Secure over http", "http://a.example/", "x=v; Secure; HttpOnly; SameSite=Lax",
			[]string{"cookie.attributes info", "cookie.secure-over-http bad"}},
		{"Secure over http on localhost is fine", "http://localhost:8080/", "x=v; Secure; HttpOnly; SameSite=Lax",
			[]string{"cookie.attributes good"}},
		{"session cookie without HttpOnly", "https://a.example/", "PHPSESSID=v; Secure; SameSite=Lax",
			[]string{"cookie.attributes info", "cookie.no-httponly warn"}},
		{"no SameSite", "https://a.example/", "x=v; Secure; HttpOnly",
			[]string{"cookie.attributes info", "cookie.samesite-missing info"}},
		{"invalid SameSite", "https://a.example/", "x=v; Secure; HttpOnly; SameSite=yes",
			[]string{"cookie.attributes info", "cookie.samesite-invalid warn"}},
		{"over 400 days", "https://a.example/", "x=v; Secure; HttpOnly; SameSite=Lax; Max-Age=40000000",
			[]string{"cookie.attributes good", "cookie.lifetime-cap warn"}},
		{"Expires over 400 days", "https://a.example/", "x=v; Secure; HttpOnly; SameSite=Lax; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
			[]string{"cookie.attributes good", "cookie.lifetime-cap warn"}},
		{"Partitioned without Secure", "http://a.example/", "x=v; Partitioned; HttpOnly; SameSite=Lax",
			[]string{"cookie.attributes info", "cookie.partitioned-insecure bad"}},
		{"Domain of another site", "https://a.example/", "x=v; Domain=b.example; Secure; HttpOnly; SameSite=Lax",
			[]string{"cookie.attributes info", "cookie.domain-mismatch bad"}},
		{"Domain a public suffix", "https://a.co.uk/", "x=v; Domain=co.uk; Secure; HttpOnly; SameSite=Lax",
			[]string{"cookie.attributes info", "cookie.domain-mismatch bad"}},
		{"Domain parent is fine", "https://www.a.example/", "x=v; Domain=.a.example; Secure; HttpOnly; SameSite=Lax",
			[]string{"cookie.attributes good"}},
		{"ignored and unknown attributes", "https://a.example/", "x=v; Secure; HttpOnly; SameSite=Lax; Max-Age=soon; Version=1",
			[]string{"cookie.attributes good", "cookie.invalid-attr warn", "cookie.unknown-attr warn"}},
		{"malformed", "https://a.example/", "=", []string{"cookie.malformed bad"}},
		{"JWT value", "https://a.example/", "token=" + unsigned(`{"alg":"HS256"}`, `{"exp":1}`, "c2ln") + "; Secure; HttpOnly; SameSite=Lax",
			[]string{"cookie.attributes good", "cookie.jwt-value info"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hop(tt.url, "GET", nil, resp(200, "Set-Cookie", tt.cookie))
			notes := Hop(h, t0)
			checkNotes(t, notes, tt.want, trace.NoteCookies)
			if c, err := ParseSetCookie(tt.cookie); err == nil && len(c.Value) > 0 {
				for _, n := range notes {
					if strings.Contains(n.Message, c.Value) && c.Value != "v" {
						t.Errorf("cookie value in %s: %s", n.ID, n.Message)
					}
				}
			}
		})
	}
	// Duplicates.
	h := hop("https://a.example/", "GET", nil, resp(200, "Set-Cookie", "a=1; Secure; HttpOnly; SameSite=Lax", "Set-Cookie", "a=2; Secure; HttpOnly; SameSite=Lax"))
	checkNotes(t, Hop(h, t0), []string{"cookie.attributes good", "cookie.duplicate warn", "cookie.attributes good"}, trace.NoteCookies)
}

func TestHopSecurityNotHTML(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		status int
		kv     []string
		want   []string
	}{
		{"JSON over https", "https://api.example/", 200, []string{"Content-Type", "application/json", "X-Content-Type-Options", "nosniff",
			"Strict-Transport-Security", "max-age=100", "X-Powered-By", "Express", "Server", "Apache/2.4.1 (Unix)"},
			[]string{"security.hsts warn", "security.xcto good", "security.disclosure warn", "security.disclosure info", "security.score info"}},
		{"redirect to https over http", "http://a.example/", 301, []string{"Location", "https://a.example/"},
			[]string{"security.hsts info", "security.score info"}},
		{"HSTS over http is ignored", "http://a.example/", 200, []string{"Content-Type", "text/html", "Strict-Transport-Security", "max-age=31536000"},
			[]string{"security.hsts warn", "security.xcto warn", "security.csp warn", "security.frame warn", "security.referrer info",
				"security.permissions info", "security.coop info", "security.score warn"}},
		{"304", "https://a.example/", 304, nil, []string{"security.score info"}},
		{"404 page is not graded", "https://a.example/", 404, []string{"Content-Type", "text/html"},
			[]string{"security.hsts warn", "security.xcto warn", "security.csp warn", "security.frame warn", "security.referrer info",
				"security.permissions info", "security.coop info", "security.score info"}},
		{"COEP, CORP and old Feature-Policy", "https://a.example/", 200, []string{"Content-Type", "text/html", "Strict-Transport-Security", "max-age=0",
			"Cross-Origin-Embedder-Policy", "credentialless", "Cross-Origin-Resource-Policy", "cross-origin", "Feature-Policy", "camera 'none'",
			"X-AspNet-Version", "4.0.30319", "Content-Security-Policy-Report-Only", "default-src 'self'", "X-Frame-Options", "SAMEORIGIN",
			"Referrer-Policy", "no-referrer-when-downgrade", "Cross-Origin-Opener-Policy", "unsafe-none"},
			[]string{"security.hsts warn", "security.xcto warn", "security.csp warn", "security.frame good", "security.referrer warn",
				"security.permissions info", "security.coop info", "security.coep good", "security.corp info", "security.disclosure warn", "security.score warn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hop(tt.url, "GET", nil, resp(tt.status, tt.kv...))
			checkNotes(t, Hop(h, t0), tt.want, trace.NoteSecurity)
		})
	}
}

func basic(userpass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userpass))
}

func TestHopAuth(t *testing.T) {
	past := t0.Add(-2 * time.Hour).Unix()
	future := t0.Add(time.Hour).Unix()
	tests := []struct {
		name   string
		url    string
		req    []string
		kv     []string
		want   []string
		secret string // must not appear in any message
		says   string // must appear in the first auth note
	}{
		{"Basic over https", "https://a.example/", []string{"Authorization", basic("alice:hunter2")}, nil,
			[]string{"auth.basic info"}, "hunter2", `user "alice"`},
		{"Basic over http", "http://a.example/", []string{"Authorization", basic("alice:hunter2")}, nil,
			[]string{"auth.basic bad", "auth.cleartext bad"}, "hunter2", `user "alice"`},
		{"Basic not base64", "https://a.example/", []string{"Authorization", "Basic !!!"}, nil,
			[]string{"auth.basic warn"}, "", ""},
		{"Basic without colon", "https://a.example/", []string{"Authorization", basic("justatoken")}, nil,
			[]string{"auth.basic warn"}, "justatoken", ""},
		{"opaque Bearer", "https://a.example/", []string{"Authorization", "Bearer opaqueSecret123"}, nil,
			[]string{"auth.bearer info"}, "opaqueSecret123", "15 characters"},
		{"valid JWT", "https://a.example/", []string{"Authorization", "Bearer " + unsigned(`{"alg":"RS256","kid":"k"}`, `{"iss":"me","aud":"api","exp":`+itoa(future)+`}`, "c2lnbmF0dXJl")}, nil,
			[]string{"auth.bearer-jwt info"}, "c2lnbmF0dXJl", "expires in 1h"},
		{"alg none", "https://a.example/", []string{"Authorization", "Bearer " + unsigned(`{"alg":"none"}`, `{"exp":`+itoa(future)+`}`, "")}, nil,
			[]string{"auth.bearer-jwt info", "auth.jwt-alg-none bad"}, "", "alg none"},
		{"missing exp", "https://a.example/", []string{"Authorization", "Bearer " + unsigned(`{"alg":"HS256"}`, `{"sub":"x"}`, "c2ln")}, nil,
			[]string{"auth.bearer-jwt info", "auth.jwt-no-exp warn"}, "", "sub x"},
		{"expired", "https://a.example/", []string{"Authorization", "Bearer " + unsigned(`{"alg":"HS256"}`, `{"exp":`+itoa(past)+`}`, "c2ln")}, nil,
			[]string{"auth.bearer-jwt info", "auth.jwt-expired bad"}, "", "expired 2h ago"},
		{"not yet valid, iat ahead, jku, ill-typed", "https://a.example/", []string{"Authorization", "Bearer " + unsigned(`{"alg":"HS256","jku":"https://evil"}`, `{"exp":`+itoa(future)+`,"nbf":`+itoa(future)+`,"iat":`+itoa(future)+`,"sub":1}`, "c2ln")}, nil,
			[]string{"auth.bearer-jwt info", "auth.jwt-not-yet-valid warn", "auth.jwt-iat-future warn", "auth.jwt-key-header warn", "auth.jwt-claim-type warn"}, "", ""},
		{"JWT-shaped garbage", "https://a.example/", []string{"Authorization", "Bearer eyJhbGciOi.b.c"}, nil,
			[]string{"auth.jwt-invalid warn"}, "", ""},
		{"dotted opaque token", "https://a.example/", []string{"Authorization", "Bearer v2.local.abcdefgh"}, nil,
			[]string{"auth.bearer info"}, "abcdefgh", "not a JWT"},
		{"JWE", "https://a.example/", []string{"Authorization", "Bearer " + b64([]byte(`{"alg":"dir","enc":"A128GCM"}`)) + ".a.b.c.d"}, nil,
			[]string{"auth.bearer-jwt info"}, "", "encrypted"},
		{"other scheme", "https://a.example/", []string{"Authorization", "Digest username=\"u\", response=\"abc\""}, nil,
			[]string{"auth.scheme info"}, "abc", "Digest"},
		{"bare secret", "https://a.example/", []string{"Authorization", "sk_live_abcdef"}, nil,
			[]string{"auth.scheme warn"}, "sk_live_abcdef", ""},
		{"Proxy-Authorization", "https://a.example/", []string{"Proxy-Authorization", basic("bob:pw")}, nil,
			[]string{"auth.basic info"}, "pw", `user "bob"`},
		{"challenges", "https://a.example/", nil, []string{"WWW-Authenticate", `Basic realm="x", Bearer error="insufficient_scope", scope="admin"`},
			[]string{"auth.challenge info", "auth.challenge warn"}, "", `realm "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hop(tt.url, "GET", hdrs(tt.req...), resp(401, tt.kv...))
			notes := Hop(h, t0)
			checkNotes(t, notes, tt.want, trace.NoteAuth)
			var auth []trace.Note
			for _, n := range notes {
				if tt.secret != "" && strings.Contains(n.Message, tt.secret) {
					t.Errorf("secret %q in %s: %s", tt.secret, n.ID, n.Message)
				}
				if n.Category == trace.NoteAuth {
					auth = append(auth, n)
				}
			}
			if tt.says != "" && !strings.Contains(auth[0].Message, tt.says) {
				t.Errorf("message %q lacks %q", auth[0].Message, tt.says)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestHopWithoutResponse(t *testing.T) {
	h := &trace.Hop{URL: "https://a.example/", Request: trace.Request{Method: "GET", Headers: hdrs("Authorization", "Bearer x")},
		Err: &trace.Error{Phase: trace.PhaseConnect, Kind: "refused"}}
	checkNotes(t, Hop(h, t0), []string{"auth.bearer info"})
	if Hop(nil, t0) != nil {
		t.Error("Hop(nil) returned notes")
	}
	// A 1xx-only or malformed hop gets only the status note.
	h = hop("::bad url", "", nil, resp(101))
	checkNotes(t, Hop(h, t0), []string{"status.meaning info"})
}

func TestResult(t *testing.T) {
	r := &trace.Result{
		URL: "http://a.example/",
		Hops: []trace.Hop{
			*hop("http://a.example/", "GET", nil, resp(301, "Location", "https://a.example/")),
			*hop("https://a.example/", "GET", nil, resp(200, "Date", httpDate(t0), "Cache-Control", "max-age=60", "Content-Type", "application/json")),
		},
	}
	r.Hops[0].Timings.Total = 100 * time.Millisecond
	r.Hops[1].Timings.Total = 200 * time.Millisecond
	r.Hops[1].Timings.Send = &trace.Span{Start: 10 * time.Millisecond, Duration: time.Millisecond}
	r.Hops[1].Timings.Wait = &trace.Span{Start: 11 * time.Millisecond, Duration: 100 * time.Millisecond}
	r.Hops[0].Notes = []trace.Note{{ID: "cors.x"}}
	r.Started = t0.Add(-300 * time.Millisecond)
	Result(r, t0.Add(10*time.Second))
	if r.Hops[0].Notes[0].ID != "cors.x" || len(r.Hops[0].Notes) < 3 {
		t.Errorf("hop 0 notes: %+v", r.Hops[0].Notes)
	}
	var fresh string
	for _, n := range r.Hops[1].Notes {
		if n.ID == "cache.freshness" {
			fresh = n.Message
		}
	}
	// The response arrived at t0-300ms+100ms+111ms after a 101ms wait, so
	// at t0+10s it is 10.19s old.
	if !strings.HasPrefix(fresh, "Fresh for 50s more (max-age=60, age 10s)") {
		t.Errorf("freshness = %q", fresh)
	}
	Result(nil, t0) // no panic
}

func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 500 * time.Millisecond: "500ms", 42 * time.Second: "42s", 90 * time.Second: "1m30s", time.Hour: "1h",
		3*time.Hour + 5*time.Minute: "3h5m", 400 * 24 * time.Hour: "400d", 800 * 24 * time.Hour: "2y70d", -time.Minute: "1m",
	} {
		if got := human(d); got != want {
			t.Errorf("human(%v) = %q, want %q", d, got, want)
		}
	}
}
