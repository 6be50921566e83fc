package annotate

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// checkNoteShape asserts what every note must satisfy.
func checkNoteShape(t *testing.T, notes []trace.Note) {
	t.Helper()
	for _, n := range notes {
		if n.ID == "" || n.Category == "" || n.Message == "" {
			t.Fatalf("incomplete note %+v", n)
		}
		switch n.Level {
		case trace.LevelGood, trace.LevelInfo, trace.LevelWarn, trace.LevelBad:
		default:
			t.Fatalf("note %s has level %q", n.ID, n.Level)
		}
	}
}

func FuzzParseCacheControl(f *testing.F) {
	for _, s := range []string{
		"public, max-age=60", "no-store", "private, no-cache, must-revalidate", `private="Set-Cookie", max-age="30"`,
		"max-age=5, max-age=10", "public, private", "no-store, max-age=60, immutable", "s-maxage=600, stale-while-revalidate=30",
		"max-age=abc, =, ,,", "max-age=99999999999999999999", `a="unterminated, b`, "a=x\"y, b", "A\nMAX-AGE=1\n", `x="\\"`,
		"no-cache, immutable", "must-understand, no-store", "max-age=0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		values := strings.Split(s, "\n")
		cc := ParseCacheControl(values)
		allTokens := true
		count := map[string]int{}
		for _, d := range cc.Directives {
			if d.Name == "" || d.Name != strings.ToLower(d.Name) || strings.Trim(d.Name, " \t") != d.Name {
				t.Fatalf("bad directive name %q", d.Name)
			}
			if !cc.Has(d.Name) {
				t.Fatalf("Has(%q) = false", d.Name)
			}
			if n, ok := cc.Seconds(d.Name); ok && (n < 0 || n > 1<<31) {
				t.Fatalf("Seconds(%q) = %d", d.Name, n)
			}
			allTokens = allTokens && isToken(d.Name)
			count[d.Name]++
		}
		for _, name := range cc.Duplicates {
			if count[name] < 2 {
				t.Fatalf("duplicate %q seen %d times", name, count[name])
			}
			count[name] = -100 // listed once only
		}
		for _, c := range cc.Conflicts {
			if !cc.Has(c.A) || !cc.Has(c.B) {
				t.Fatalf("conflict %+v names an absent directive", c)
			}
		}
		// Written back in canonical form, the directives parse the same.
		if allTokens {
			var parts []string
			for _, d := range cc.Directives {
				p := d.Name
				if d.HasValue {
					p += `="` + strings.ReplaceAll(strings.ReplaceAll(d.Value, `\`, `\\`), `"`, `\"`) + `"`
				}
				parts = append(parts, p)
			}
			again := ParseCacheControl([]string{strings.Join(parts, ", ")})
			if !reflect.DeepEqual(again.Directives, cc.Directives) {
				t.Fatalf("round trip\n got %#v\nwant %#v", again.Directives, cc.Directives)
			}
		}
		// The arithmetic stays consistent whatever the directives say.
		r := resp(200, "Date", httpDate(t0), "Last-Modified", httpDate(t0.Add(-time.Hour)), "Age", "7")
		for _, v := range values {
			r.Headers = append(r.Headers, trace.Header{Name: "Cache-Control", Value: v})
		}
		fr := Freshness(r, t0.Add(-time.Second), t0, t0.Add(time.Minute))
		if fr.Lifetime < 0 || fr.SharedLifetime < 0 || fr.Age < 0 || fr.FreshFor < 0 || fr.StaleBy < 0 ||
			fr.FreshFor > 0 && fr.StaleBy > 0 || fr.Lifetime-fr.Age != fr.FreshFor-fr.StaleBy ||
			fr.SharedLifetime-fr.Age != fr.SharedFreshFor-fr.SharedStaleBy {
			t.Fatalf("inconsistent freshness %+v", fr)
		}
		notes := Hop(hop("https://a.example/", "GET", nil, r), t0.Add(time.Minute))
		checkNoteShape(t, notes)
	})
}

// cookieMarker is the value FuzzParseSetCookie plants; it must never show
// up in a note.
const cookieMarker = "zQ9xSECRETvalue7"

func FuzzParseSetCookie(f *testing.F) {
	for _, s := range []string{
		"sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
		"__Host-id=1; Path=/; Secure", "__Secure-x=1", "__Host-Http-x=1; Secure; Path=/",
		"a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=-1; Domain=.example.com",
		"x=1; SameSite=None", "x=1; SameSite=bogus; Partitioned", "nameless", "=", "a=b; Max-Age=1h; Version=1; Comment=x; Foo",
		"a=b; Expires=Sunday, 06-Nov-94 08:49:37 GMT", "a=" + strings.Repeat("x", 5000), "a=b\x00", "a=b; Domain=co.uk",
		"token=eyJhbGciOiJub25lIn0.e30.; HttpOnly",
	} {
		f.Add(s, "Secure; HttpOnly")
	}
	f.Add("sid", "Max-Age=99999999999; SameSite=None")
	f.Add("__Host-x", "Domain=a.example; Path=/x")
	f.Fuzz(func(t *testing.T, raw, attrs string) {
		c, err := ParseSetCookie(raw)
		if err == nil {
			for _, s := range []string{c.Name, c.Value} {
				for i := 0; i < len(s); i++ {
					if b := s[i]; b < 0x20 && b != '\t' || b == 0x7f {
						t.Fatalf("control byte in %q", s)
					}
				}
			}
			if c.Name == "" && c.Value == "" || len(c.Name)+len(c.Value) > maxNameValue ||
				strings.ContainsAny(c.Name, ";=") || strings.Contains(c.Value, ";") {
				t.Fatalf("bad cookie %+v", c)
			}
			switch c.SameSite {
			case "", "Strict", "Lax", "None":
			default:
				t.Fatalf("SameSite %q", c.SameSite)
			}
			if c.Domain != strings.ToLower(c.Domain) {
				t.Fatalf("Domain %q", c.Domain)
			}
			if c.Path != "" && c.Path[0] != '/' {
				t.Fatalf("Path %q", c.Path)
			}
			c.Lifetime(t0)
		}

		// The cookie value never appears in a note.
		if strings.Contains(strings.ToLower(raw+attrs), "zq9x") {
			return
		}
		line := raw + "=" + cookieMarker + "; " + attrs
		pc, err := ParseSetCookie(line)
		if err != nil || pc.Value != cookieMarker {
			return
		}
		for _, u := range []string{"https://www.a.example/p", "http://a.example/"} {
			notes := Hop(hop(u, "GET", nil, resp(200, "Set-Cookie", line, "Content-Type", "text/html")), t0)
			checkNoteShape(t, notes)
			for _, n := range notes {
				if strings.Contains(n.Message, "zQ9x") {
					t.Fatalf("cookie value leaked in %s: %s", n.ID, n.Message)
				}
			}
		}
	})
}

func FuzzDecodeJWT(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	for _, s := range []string{
		unsigned(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"1","exp":1700000000,"iat":1.5,"aud":["a","b"]}`, "c2lnbmF0dXJlLWJ5dGVz"),
		unsigned(`{"alg":"none"}`, `{}`, ""),
		unsigned(`{"alg":"RS256","jku":"x"}`, `{"exp":"soon","nbf":1e400}`, "AAAA"),
		enc([]byte(`{"alg":"dir","enc":"A128GCM"}`)) + ".a.b.c.d",
		"e30.e30.", "e30.e30", "a.b.c", "...", "", "e30==.e30.", "eyJ.eyJ.eyJ", unsigned(`[]`, `{}`, ""), unsigned(`{}`, `{}x`, ""),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		j, err := DecodeJWT(token)
		switch {
		case err == nil:
			if j.Header == nil || j.Claims == nil || j.Encrypted || j.SignatureLen < 0 || j.SignatureLen > len(token) {
				t.Fatalf("bad decode %+v", j)
			}
			if a, ok := j.Header["alg"].(string); ok && a != j.Alg {
				t.Fatalf("Alg %q, header %q", j.Alg, a)
			}
			for _, d := range []time.Time{j.IssuedAt, j.NotBefore, j.ExpiresAt} {
				if !d.IsZero() && d.Location() != time.UTC {
					t.Fatalf("time not in UTC: %v", d)
				}
			}
		case err == ErrJWTEncrypted:
			if !j.Encrypted || j.Header == nil || j.Claims != nil {
				t.Fatalf("bad JWE decode %+v", j)
			}
		default:
			if !reflect.DeepEqual(j, JWT{}) {
				t.Fatalf("failed decode returned %+v", j)
			}
			if len(token) >= 8 && strings.Contains(err.Error(), token) {
				t.Fatalf("error quotes the token: %v", err)
			}
		}

		// The signature never appears in a note, unless it also appears in
		// what may legitimately be shown (the decoded header and claims).
		tok := strings.TrimSpace(token)
		parts := strings.Split(tok, ".")
		sig := parts[len(parts)-1]
		shown := ""
		for _, p := range parts[:len(parts)-1] {
			b, _ := decodeB64URL(p)
			shown += string(b) + " " + p + " "
		}
		h := hop("https://a.example/", "GET", hdrs("Authorization", "Bearer "+tok), resp(200))
		notes := Hop(h, t0)
		checkNoteShape(t, notes)
		if len(sig) >= 8 && !strings.Contains(shown, sig) {
			for _, n := range notes {
				if strings.Contains(n.Message, sig) {
					t.Fatalf("signature leaked in %s: %s", n.ID, n.Message)
				}
			}
		}
	})
}

func FuzzParseChallenges(f *testing.F) {
	for _, s := range []string{
		`Basic realm="x"`, `Basic realm="site", Bearer realm="api", error="invalid_token", error_description="expired"`,
		`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`, `Negotiate`, `Negotiate, NTLM`,
		`Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXag==, Basic realm="x"`, `Bearer scope="read write", Realm = api`,
		`=junk, Basic realm=x`, `Bearer realm="unterminated`, `Bearer realm=a junk, error=e`, `Bearer "quoted", Basic`,
		`Basic, realm=x`, `a b=, c`, `x ==`, ",,,", `Digest realm="r", qop="auth,auth-int", nonce="n\\", algorithm=MD5`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs := ParseChallenges(s)
		for _, c := range cs {
			if !isToken(c.Scheme) {
				t.Fatalf("scheme %q", c.Scheme)
			}
			if c.Token68 != "" && len(c.Params) > 0 {
				t.Fatalf("token68 and params: %+v", c)
			}
			for _, p := range c.Params {
				if !isToken(p.Name) || p.Name != strings.ToLower(p.Name) {
					t.Fatalf("param name %q", p.Name)
				}
			}
			for name, field := range map[string]string{"realm": c.Realm, "error": c.Error, "error_description": c.ErrorDescription, "scope": c.Scope} {
				if v, _ := c.Get(name); v != field {
					t.Fatalf("%s field %q, Get %q", name, field, v)
				}
			}
			challengeNote("WWW-Authenticate", c)
		}
		if again := ParseChallenges(serializeChallenges(cs)); !reflect.DeepEqual(again, cs) {
			t.Fatalf("round trip of %q via %q\n got %+v\nwant %+v", s, serializeChallenges(cs), again, cs)
		}
	})
}
