package annotate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseSetCookie(t *testing.T) {
	tests := []struct {
		in   string
		want Cookie
		err  error
	}{
		{in: "sid=abc", want: Cookie{Name: "sid", Value: "abc"}},
		{in: "  sid = abc  ;", want: Cookie{Name: "sid", Value: "abc"}},
		{in: `q="quoted value"`, want: Cookie{Name: "q", Value: `"quoted value"`}},
		{in: "a=b=c", want: Cookie{Name: "a", Value: "b=c"}},
		{in: "empty=", want: Cookie{Name: "empty"}},
		{in: "nameless", want: Cookie{Value: "nameless"}},
		{in: "=nameless", want: Cookie{Value: "nameless"}},
		{
			in: "id=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=3600; Domain=.Example.COM; Path=/app; Secure; HttpOnly; SameSite=Strict; Partitioned; Priority=High",
			want: Cookie{Name: "id", Value: "1", Expires: time.Date(2026, 10, 21, 7, 28, 0, 0, time.UTC), MaxAge: 3600, HasMaxAge: true,
				Domain: "example.com", Path: "/app", Secure: true, HttpOnly: true, SameSite: "Strict", Partitioned: true, Priority: "High"},
		},
		{in: "id=1; secure; httponly; samesite=lax", want: Cookie{Name: "id", Value: "1", Secure: true, HttpOnly: true, SameSite: "Lax"}},
		{in: "id=1; SameSite=None; Secure", want: Cookie{Name: "id", Value: "1", SameSite: "None", Secure: true}},
		{in: "id=1; SameSite=Relaxed", want: Cookie{Name: "id", Value: "1", SameSiteRaw: "Relaxed"}},
		{in: "id=1; SameSite=Lax; SameSite=bogus", want: Cookie{Name: "id", Value: "1", SameSiteRaw: "bogus",
			Problems: []string{"SameSite is given more than once; later ones override earlier ones"}}},
		{in: "id=1; Max-Age=-5", want: Cookie{Name: "id", Value: "1", HasMaxAge: true}},
		{in: "id=1; Max-Age=0", want: Cookie{Name: "id", Value: "1", HasMaxAge: true}},
		{in: "id=1; Max-Age=99999999999999999999999", want: Cookie{Name: "id", Value: "1", HasMaxAge: true, MaxAge: 1<<63 - 1}},
		{in: "id=1; Max-Age=1h", want: Cookie{Name: "id", Value: "1", Problems: []string{`Max-Age "1h" is not a whole number of seconds; ignored`}}},
		{in: "id=1; Max-Age=", want: Cookie{Name: "id", Value: "1", Problems: []string{`Max-Age "" is not a whole number of seconds; ignored`}}},
		{in: "id=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Expires=never", want: Cookie{Name: "id", Value: "1", Expires: time.Date(2026, 10, 21, 7, 28, 0, 0, time.UTC),
			Problems: []string{"Expires is given more than once; later ones override earlier ones", `Expires "never" is not a date browsers understand; ignored`}}},
		{in: "id=1; Expires=tomorrow", want: Cookie{Name: "id", Value: "1", Problems: []string{`Expires "tomorrow" is not a date browsers understand; ignored`}}},
		{in: "id=1; Expires=Sunday, 06-Nov-94 08:49:37 GMT", want: Cookie{Name: "id", Value: "1", Expires: time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)}},
		{in: "id=1; expires=Thu Jan 01 2099 00:00:00", want: Cookie{Name: "id", Value: "1", Expires: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{in: "id=1; Domain=", want: Cookie{Name: "id", Value: "1", Problems: []string{"Domain is empty; ignored"}}},
		{in: "id=1; Path=app", want: Cookie{Name: "id", Value: "1", Problems: []string{`Path "app" does not start with /; the default path is used`}}},
		{in: "id=1; Path=/a; Path=", want: Cookie{Name: "id", Value: "1", Problems: []string{"Path is given more than once; later ones override earlier ones"}}},
		{in: "id=1; Version=1; Comment=hi; Foo", want: Cookie{Name: "id", Value: "1", Unknown: []string{"Version", "Comment", "Foo"}}},
		{in: "id=1; Path=/" + strings.Repeat("a", 1100), want: Cookie{Name: "id", Value: "1",
			Problems: []string{"the Path value is longer than 1024 bytes and is ignored"}}},
		{in: "__Host-id=1; Secure; Path=/", want: Cookie{Name: "__Host-id", Value: "1", Secure: true, Path: "/"}},

		{in: "", err: ErrCookieEmpty},
		{in: "   ", err: ErrCookieEmpty},
		{in: "=", err: ErrCookieNoName},
		{in: " = ; Secure", err: ErrCookieNoName},
		{in: "a=b\x00c", err: ErrCookieControl},
		{in: "a=b\nSet-Cookie: c=d", err: ErrCookieControl},
		{in: "a=" + strings.Repeat("x", 4096), err: ErrCookieTooLarge},
		{in: "__Host-x; Secure; Path=/", err: ErrCookiePrefix},
		{in: "=__secure-x", err: ErrCookiePrefix},
	}
	for _, tt := range tests {
		got, err := ParseSetCookie(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("ParseSetCookie(%.60q) error = %v, want %v", tt.in, err, tt.err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseSetCookie(%.60q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseCookieDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero: rejected
	}{
		{"Wed, 21 Oct 2015 07:28:00 GMT", time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)},
		{"Wed, 21-Oct-15 07:28:00 GMT", time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)},
		{"21 oct 70 7:8:9", time.Date(1970, 10, 21, 7, 8, 9, 0, time.UTC)},
		{"Oct 21 07:28:00 2015", time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)},
		{"2015 October 21 07:28:00", time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)},
		{"Wed, 31 Apr 2015 07:28:00 GMT", time.Time{}}, // no such day
		{"Wed, 21 Oct 2015 24:00:00 GMT", time.Time{}}, // hour 24
		{"Wed, 21 Oct 1600 07:28:00 GMT", time.Time{}}, // before 1601
		{"Wed, 21 Foo 2015 07:28:00 GMT", time.Time{}}, // no month
		{"Wed, 21 Oct 2015", time.Time{}},              // no time
		// hms-time allows trailing text after the seconds.
		{"Wed, 21 Oct 2015 07:28:00:99 GMT", time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := parseCookieDate(tt.in)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("parseCookieDate(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
	}
}

func TestCookieLifetime(t *testing.T) {
	now := t0
	tests := []struct {
		c       Cookie
		d       time.Duration
		session bool
	}{
		{Cookie{}, 0, true},
		{Cookie{HasMaxAge: true, MaxAge: 60}, time.Minute, false},
		{Cookie{HasMaxAge: true, MaxAge: 0}, 0, false},
		{Cookie{HasMaxAge: true, MaxAge: 60, Expires: now.Add(time.Hour)}, time.Minute, false}, // Max-Age wins
		{Cookie{Expires: now.Add(time.Hour)}, time.Hour, false},
		{Cookie{Expires: now.Add(-time.Hour)}, -time.Hour, false},
	}
	for i, tt := range tests {
		d, session := tt.c.Lifetime(now)
		if d != tt.d || session != tt.session {
			t.Errorf("%d: Lifetime = %v, %v; want %v, %v", i, d, session, tt.d, tt.session)
		}
	}
}

func TestSessionLike(t *testing.T) {
	yes := []string{"session", "SESSION_ID", "sid", "connect.sid", "PHPSESSID", "JSESSIONID", "auth_token", "jwt", "access-token", "Login", "_sid", "ASP.NET_SessionId"}
	no := []string{"theme", "sidebar_state", "csrftoken", "XSRF-TOKEN", "consider", "lang", "_ga"}
	for _, n := range yes {
		if !sessionLike(n) {
			t.Errorf("sessionLike(%q) = false", n)
		}
	}
	for _, n := range no {
		if sessionLike(n) {
			t.Errorf("sessionLike(%q) = true", n)
		}
	}
}
