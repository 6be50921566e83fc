package annotate

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseChallenges(t *testing.T) {
	p := func(kv ...string) []Param {
		var out []Param
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, Param{kv[i], kv[i+1]})
		}
		return out
	}
	tests := []struct {
		in   string
		want []Challenge
	}{
		{`Basic realm="x"`, []Challenge{{Scheme: "Basic", Params: p("realm", "x"), Realm: "x"}}},
		{
			`Basic realm="site", Bearer realm="api", error="invalid_token", error_description="The access token expired"`,
			[]Challenge{
				{Scheme: "Basic", Params: p("realm", "site"), Realm: "site"},
				{Scheme: "Bearer", Params: p("realm", "api", "error", "invalid_token", "error_description", "The access token expired"),
					Realm: "api", Error: "invalid_token", ErrorDescription: "The access token expired"},
			},
		},
		{
			// RFC 9110, Section 11.6.1's example.
			`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`,
			[]Challenge{
				{Scheme: "Newauth", Params: p("realm", "apps", "type", "1", "title", `Login to "apps"`), Realm: "apps"},
				{Scheme: "Basic", Params: p("realm", "simple"), Realm: "simple"},
			},
		},
		{`Negotiate`, []Challenge{{Scheme: "Negotiate"}}},
		{`Negotiate, NTLM`, []Challenge{{Scheme: "Negotiate"}, {Scheme: "NTLM"}}},
		{`Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXag==, Basic realm="x"`, []Challenge{
			{Scheme: "Negotiate", Token68: "YIIBhgYGKwYBBQUCoIIBejCCAXag=="},
			{Scheme: "Basic", Params: p("realm", "x"), Realm: "x"},
		}},
		{`Bearer scope="read write", Realm = api`, []Challenge{{Scheme: "Bearer", Params: p("scope", "read write", "realm", "api"), Scope: "read write", Realm: "api"}}},
		{`Digest realm="r", qop="auth,auth-int", nonce="n", algorithm=MD5`, []Challenge{
			{Scheme: "Digest", Params: p("realm", "r", "qop", "auth,auth-int", "nonce", "n", "algorithm", "MD5"), Realm: "r"},
		}},
		{`=junk, Basic realm=x`, []Challenge{{Scheme: "Basic", Params: p("realm", "x"), Realm: "x"}}},
		{`Bearer realm="unterminated`, []Challenge{{Scheme: "Bearer", Params: p("realm", "unterminated"), Realm: "unterminated"}}},
		{`Bearer realm=a junk, error=e`, []Challenge{{Scheme: "Bearer", Params: p("realm", "a", "error", "e"), Realm: "a", Error: "e"}}},
		{`Bearer "quoted", Basic`, []Challenge{{Scheme: "Bearer"}, {Scheme: "Basic"}}},
		{``, nil},
		{` , ,`, nil},
	}
	for _, tt := range tests {
		got := ParseChallenges(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseChallenges(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestChallengeGet(t *testing.T) {
	c := ParseChallenges(`Bearer Error="x", error="y"`)[0]
	if v, ok := c.Get("ERROR"); !ok || v != "x" {
		t.Errorf("Get = %q, %v", v, ok)
	}
	if _, ok := c.Get("scope"); ok {
		t.Error("absent parameter found")
	}
}

// serializeChallenges writes challenges back in a canonical form: every
// parameter value quoted.
func serializeChallenges(cs []Challenge) string {
	var parts []string
	for _, c := range cs {
		s := c.Scheme
		if c.Token68 != "" {
			s += " " + c.Token68
		}
		var ps []string
		for _, p := range c.Params {
			v := strings.ReplaceAll(strings.ReplaceAll(p.Value, `\`, `\\`), `"`, `\"`)
			ps = append(ps, p.Name+`="`+v+`"`)
		}
		if len(ps) > 0 {
			s += " " + strings.Join(ps, ", ")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
