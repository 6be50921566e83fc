package annotate

import (
	"testing"

	"github.com/reqtrace/reqtrace/trace"
)

func hdrs(kv ...string) []trace.Header {
	var out []trace.Header
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, trace.Header{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

// strict is a set of headers that passes every test with every bonus.
var strict = []string{
	"Content-Security-Policy", "default-src 'none'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "no-referrer",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Embedder-Policy", "require-corp",
	"Cross-Origin-Resource-Policy", "same-origin",
	"Set-Cookie", "__Host-session=x; Path=/; Secure; HttpOnly; SameSite=Strict",
}

func TestSecurityScore(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		https   bool
		score   int
		grade   string
		results map[string]string // test name → result, for the tests worth pinning
	}{
		{
			name: "nothing at all", https: true, score: 30, grade: "D",
			results: map[string]string{
				TestCSP: "csp-not-implemented", TestHSTS: "hsts-not-implemented", TestXCTO: "x-content-type-options-not-implemented",
				TestFrame: "x-frame-options-not-implemented", TestReferrer: "referrer-policy-not-implemented", TestCookies: "cookies-not-found",
			},
		},
		{
			// 10 (CSP default-src none) + 5 (cookies) + 5 (referrer) + 5
			// (frame-ancestors) + 10 × 3 (COOP, COEP, CORP).
			name: "everything strict", headers: strict, https: true, score: 155, grade: "A+",
			results: map[string]string{
				TestCSP: "csp-implemented-with-no-unsafe-default-src-none", TestFrame: "x-frame-options-implemented-via-csp",
				TestCookies: "cookies-secure-with-httponly-sessions-and-samesite", TestHSTS: "hsts-implemented-max-age-at-least-six-months",
				TestCOOP: "cross-origin-opener-policy-implemented-with-same-origin",
			},
		},
		{
			name: "the same over http loses HSTS and the bonuses", headers: strict, https: false, score: 40, grade: "D+",
			// HSTS −20 and the session cookie counts as not Secure: −40.
			results: map[string]string{TestHSTS: "hsts-not-implemented-no-https", TestCookies: "cookies-session-without-secure-flag"},
		},
		{
			name: "bonuses need 90 after penalties", https: true, score: 85, grade: "A-",
			headers: []string{
				"Content-Security-Policy", "default-src 'self'",
				"Strict-Transport-Security", "max-age=86400",
				"X-Frame-Options", "DENY",
				"Referrer-Policy", "unsafe-url, strict-origin-when-cross-origin",
			},
			// HSTS −10 and X-Content-Type-Options −5: 85 < 90, so the +5s
			// for CSP, framing and Referrer-Policy do not count.
			results: map[string]string{
				TestCSP: "csp-implemented-with-no-unsafe", TestHSTS: "hsts-implemented-max-age-less-than-six-months",
				TestFrame: "x-frame-options-sameorigin-or-deny", TestReferrer: "referrer-policy-private",
			},
		},
		{
			name: "unsafe-inline and weak referrer", https: true, score: 45, grade: "C-",
			headers: []string{
				"Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'",
				"Strict-Transport-Security", "max-age=31536000",
				"X-Content-Type-Options", "nosniff",
				"Referrer-Policy", "unsafe-url",
				"X-Frame-Options", "ALLOW-FROM https://a.example",
				"Set-Cookie", "sessionid=1; Secure",
			},
			// CSP −20, referrer −5, session without HttpOnly −30, framing 0.
			results: map[string]string{
				TestCSP: "csp-implemented-with-unsafe-inline", TestReferrer: "referrer-policy-unsafe",
				TestCookies: "cookies-session-without-httponly-flag", TestFrame: "x-frame-options-allow-from-origin",
			},
		},
		{
			name: "a nonce neutralises unsafe-inline; unsafe-eval still costs", https: true, score: 70, grade: "B",
			headers: []string{
				"Content-Security-Policy", "script-src 'nonce-abc' 'unsafe-inline' 'unsafe-eval'; object-src 'none'",
				"Strict-Transport-Security", "max-age=31536000",
				"X-Content-Type-Options", "nosniff",
			},
			// CSP −10, framing −20, cookies 0, referrer 0.
			results: map[string]string{TestCSP: "csp-implemented-with-unsafe-eval"},
		},
		{
			name: "report-only, invalid headers", https: true, score: 0, grade: "F",
			headers: []string{
				"Content-Security-Policy-Report-Only", "default-src 'self'",
				"Strict-Transport-Security", "includeSubDomains",
				"X-Content-Type-Options", "yes",
				"X-Frame-Options", "NEVER",
				"Referrer-Policy", "bogus",
				"Cross-Origin-Opener-Policy", "strict",
				"Cross-Origin-Embedder-Policy", "x",
				"Cross-Origin-Resource-Policy", "y",
				"Set-Cookie", "a=1; SameSite=Bogus",
			},
			// −25 −20 −5 −20 −5 −5 −5 −5 −20 = −110, floored at 0.
			results: map[string]string{
				TestCSP: "csp-not-implemented-but-reporting-enabled", TestHSTS: "hsts-header-invalid",
				TestXCTO: "x-content-type-options-header-invalid", TestFrame: "x-frame-options-header-invalid",
				TestReferrer: "referrer-policy-header-invalid", TestCOOP: "cross-origin-opener-policy-header-invalid",
				TestCookies: "cookies-without-secure-flag", // ties with cookies-samesite-flag-invalid at −20
			},
		},
		{
			name: "two policies: a permissive one does not undo a strict one", https: true, score: 55, grade: "C",
			headers: []string{
				"Content-Security-Policy", "script-src * 'unsafe-inline'",
				"Content-Security-Policy", "script-src 'self'; object-src 'none'",
			},
			// CSP +5 (bonus not counted), HSTS −20, XCTO −5, framing −20.
			results: map[string]string{TestCSP: "csp-implemented-with-no-unsafe"},
		},
		{
			name: "http: sources in images only", https: true, score: 45, grade: "C-",
			headers: []string{"Content-Security-Policy", "default-src 'self'; img-src http://cdn.example"},
			results: map[string]string{TestCSP: "csp-implemented-with-insecure-scheme-in-passive-content-only"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := SecurityScore(hdrs(tt.headers...), tt.https)
			if s.Score != tt.score || s.Grade != tt.grade {
				for _, x := range s.Tests {
					t.Logf("%s: %s %d", x.Name, x.Result, x.Points)
				}
				t.Errorf("score = %d %s, want %d %s", s.Score, s.Grade, tt.score, tt.grade)
			}
			if len(s.Tests) != 9 {
				t.Errorf("%d tests, want 9", len(s.Tests))
			}
			for _, x := range s.Tests {
				if want, ok := tt.results[x.Name]; ok && x.Result != want {
					t.Errorf("%s = %s, want %s", x.Name, x.Result, want)
				}
				if x.Pass != (x.Points >= 0) {
					t.Errorf("%s: pass %v with %d points", x.Name, x.Pass, x.Points)
				}
			}
		})
	}
}

func TestGrade(t *testing.T) {
	for score, want := range map[int]string{
		155: "A+", 100: "A+", 99: "A", 90: "A", 89: "A-", 85: "A-", 84: "B+", 80: "B+", 79: "B", 70: "B",
		69: "B-", 65: "B-", 64: "C+", 60: "C+", 59: "C", 50: "C", 49: "C-", 45: "C-", 44: "D+", 40: "D+",
		39: "D", 30: "D", 29: "D-", 25: "D-", 24: "F", 0: "F",
	} {
		if got := grade(score); got != want {
			t.Errorf("grade(%d) = %s, want %s", score, got, want)
		}
	}
}

func TestParseHSTS(t *testing.T) {
	tests := []struct {
		in   string
		want hsts
	}{
		{"max-age=31536000; includeSubDomains; preload", hsts{31536000, true, true, true}},
		{`MAX-AGE="60"`, hsts{60, false, false, true}},
		{"max-age=0", hsts{0, false, false, true}},
		{"includeSubDomains", hsts{}},
		{"max-age=1; max-age=2", hsts{}},
		{"max-age=-1", hsts{}},
		{"", hsts{}},
	}
	for _, tt := range tests {
		if got := parseHSTS(tt.in); got != tt.want {
			t.Errorf("parseHSTS(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
