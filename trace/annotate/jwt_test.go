package annotate

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var b64 = base64.RawURLEncoding.EncodeToString

// signHS256 builds a real HS256 JWS from a header and claims.
func signHS256(t testing.TB, header, claims any, key []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64(h) + "." + b64(c)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + b64(mac.Sum(nil))
}

// unsigned builds header.claims.sig from raw JSON strings.
func unsigned(header, claims, sig string) string {
	return b64([]byte(header)) + "." + b64([]byte(claims)) + "." + sig
}

func TestDecodeJWTValidHS256(t *testing.T) {
	iat, exp := t0.Add(-time.Hour), t0.Add(time.Hour)
	tok := signHS256(t,
		map[string]any{"alg": "HS256", "typ": "JWT", "kid": "key-1"},
		map[string]any{"iss": "https://id.example", "sub": "user-42", "aud": []string{"api", "web"}, "jti": "abc",
			"iat": iat.Unix(), "nbf": iat.Unix(), "exp": float64(exp.Unix()) + 0.5, "role": "admin"},
		[]byte("a 32-byte secret for tests only!"))
	j, err := DecodeJWT(tok)
	if err != nil {
		t.Fatal(err)
	}
	if j.Alg != "HS256" || j.Typ != "JWT" || j.Kid != "key-1" {
		t.Errorf("header = %q %q %q", j.Alg, j.Typ, j.Kid)
	}
	if j.Issuer != "https://id.example" || j.Subject != "user-42" || j.ID != "abc" || !reflect.DeepEqual(j.Audience, []string{"api", "web"}) {
		t.Errorf("claims = %+v", j)
	}
	if !j.IssuedAt.Equal(iat) || !j.NotBefore.Equal(iat) || !j.ExpiresAt.Equal(exp.Add(500*time.Millisecond)) {
		t.Errorf("times = %v %v %v", j.IssuedAt, j.NotBefore, j.ExpiresAt)
	}
	if j.SignatureLen != 32 {
		t.Errorf("SignatureLen = %d, want 32", j.SignatureLen)
	}
	if j.Claims["role"] != "admin" || j.Header["alg"] != "HS256" || len(j.Problems) != 0 {
		t.Errorf("maps = %v %v, problems %q", j.Header, j.Claims, j.Problems)
	}
	// The signature is measured, never kept: no string in the struct holds it.
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	if strings.Contains(strings.Join([]string{j.Alg, j.Typ, j.Kid, j.Cty, j.Issuer, j.Subject, j.ID}, " "), sig) {
		t.Error("signature leaked into a field")
	}
}

func TestDecodeJWT(t *testing.T) {
	tests := []struct {
		name  string
		token string
		err   error
		check func(t *testing.T, j JWT)
	}{
		{
			name: "alg none with an empty signature", token: unsigned(`{"alg":"none"}`, `{"sub":"x","exp":1}`, ""),
			check: func(t *testing.T, j JWT) {
				if j.Alg != "none" || j.SignatureLen != 0 || !j.ExpiresAt.Equal(time.Unix(1, 0)) {
					t.Errorf("got %+v", j)
				}
			},
		},
		{
			name: "missing exp", token: unsigned(`{"alg":"HS256"}`, `{"sub":"x"}`, "c2ln"),
			check: func(t *testing.T, j JWT) {
				if !j.ExpiresAt.IsZero() || j.SignatureLen != 3 {
					t.Errorf("got %+v", j)
				}
			},
		},
		{
			name: "expired token still decodes", token: unsigned(`{"alg":"RS256"}`, `{"exp":1000000000}`, "c2ln"),
			check: func(t *testing.T, j JWT) {
				if !j.ExpiresAt.Equal(time.Unix(1000000000, 0)) {
					t.Errorf("exp = %v", j.ExpiresAt)
				}
			},
		},
		{
			name: "single audience string", token: unsigned(`{"alg":"HS256"}`, `{"aud":"api"}`, ""),
			check: func(t *testing.T, j JWT) {
				if !reflect.DeepEqual(j.Audience, []string{"api"}) {
					t.Errorf("aud = %q", j.Audience)
				}
			},
		},
		{
			name: "ill-typed claims are problems, not errors", token: unsigned(`{"alg":5}`, `{"exp":"tomorrow","iat":-1,"aud":[1],"iss":true,"nbf":1e300}`, ""),
			check: func(t *testing.T, j JWT) {
				if len(j.Problems) != 6 || !j.ExpiresAt.IsZero() || !j.IssuedAt.IsZero() || !j.NotBefore.IsZero() || j.Alg != "" {
					t.Errorf("problems %q, %+v", j.Problems, j)
				}
			},
		},
		{
			name: "padding is tolerated", token: b64([]byte(`{"alg":"HS256"}`)) + "==." + b64([]byte(`{}`)) + "." + "c2ln",
		},
		{
			name: "surrounding blanks are trimmed", token: "  " + unsigned(`{"alg":"HS256"}`, `{}`, "") + "\t",
		},
		{
			name: "JWE returns only the header", token: b64([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM"}`)) + ".a.b.c.d", err: ErrJWTEncrypted,
			check: func(t *testing.T, j JWT) {
				if !j.Encrypted || j.Alg != "RSA-OAEP" || j.Claims != nil {
					t.Errorf("got %+v", j)
				}
			},
		},
		{name: "garbage", token: "not a token", err: ErrJWTFormat},
		{name: "empty", token: "", err: ErrJWTFormat},
		{name: "two parts", token: "e30.e30", err: ErrJWTFormat},
		{name: "four parts", token: "e30.e30.e30.e30", err: ErrJWTFormat},
		{name: "bad base64 in header", token: "e30!.e30.", err: ErrJWTBase64},
		{name: "standard base64 alphabet rejected", token: "e30.e3+/.", err: ErrJWTBase64},
		{name: "bad base64 in signature", token: "e30.e30.a", err: ErrJWTBase64},
		{name: "payload is an array", token: unsigned(`{"alg":"HS256"}`, `[1,2]`, ""), err: ErrJWTJSON},
		{name: "payload is null", token: unsigned(`{"alg":"HS256"}`, `null`, ""), err: ErrJWTJSON},
		{name: "trailing JSON", token: unsigned(`{"alg":"HS256"}{}`, `{}`, ""), err: ErrJWTJSON},
		{name: "not JSON", token: unsigned(`alg`, `{}`, ""), err: ErrJWTJSON},
		{name: "too large", token: "e30." + strings.Repeat("A", maxJWT) + ".", err: ErrJWTTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := DecodeJWT(tt.token)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil && tt.err != ErrJWTEncrypted && !reflect.DeepEqual(j, JWT{}) {
				t.Errorf("a failed decode returned data: %+v", j)
			}
			if tt.check != nil {
				tt.check(t, j)
			}
		})
	}
}
