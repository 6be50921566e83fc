package annotate

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// JWT is a decoded JSON Web Token (RFC 7519) in JWS compact form. Decoding
// verifies nothing: the signature is only measured, never kept.
type JWT struct {
	// Header and Claims are the decoded JOSE header and payload; numbers
	// are json.Number.
	Header map[string]any
	Claims map[string]any

	// Typed header parameters (empty when absent or not strings).
	Alg, Typ, Kid, Cty string

	// Typed registered claims (empty or zero when absent or ill-typed).
	Issuer, Subject, ID string
	Audience            []string
	IssuedAt            time.Time
	NotBefore           time.Time
	ExpiresAt           time.Time

	// SignatureLen is the length in bytes of the decoded signature. The
	// signature itself is not kept.
	SignatureLen int
	// Encrypted is true for a five-part JWE: only Header is decoded.
	Encrypted bool
	// Problems lists claims or parameters of the wrong type, such as an
	// exp that is a string.
	Problems []string
}

// JWT decoding errors. The messages never contain token material.
var (
	ErrJWTFormat    = errors.New("not a JWT: expected three dot-separated parts")
	ErrJWTTooLarge  = errors.New("token longer than 256 KiB")
	ErrJWTBase64    = errors.New("a part is not valid base64url")
	ErrJWTJSON      = errors.New("a part is not a JSON object")
	ErrJWTEncrypted = errors.New("encrypted JWT (JWE): only the header can be read without the key")
)

// maxJWT bounds the work DecodeJWT does on hostile input.
const maxJWT = 256 << 10

// DecodeJWT decodes a compact JWS (header.payload.signature) without
// verifying it: base64url (padding tolerated), then JSON objects for the
// header and the claims. iat, nbf and exp are read as NumericDate (seconds
// since the epoch, fractions allowed). A five-part JWE returns its header
// with ErrJWTEncrypted.
func DecodeJWT(token string) (JWT, error) {
	var j JWT
	token = strings.TrimSpace(token)
	if len(token) > maxJWT {
		return JWT{}, ErrJWTTooLarge
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 && len(parts) != 5 {
		return JWT{}, ErrJWTFormat
	}
	var err error
	if j.Header, err = decodeJSONPart(parts[0]); err != nil {
		return JWT{}, fmt.Errorf("header: %w", err)
	}
	j.readHeader()
	if len(parts) == 5 {
		j.Encrypted = true
		return j, ErrJWTEncrypted
	}
	if j.Claims, err = decodeJSONPart(parts[1]); err != nil {
		return JWT{}, fmt.Errorf("claims: %w", err)
	}
	sig, err := decodeB64URL(parts[2])
	if err != nil {
		return JWT{}, fmt.Errorf("signature: %w", err)
	}
	j.SignatureLen = len(sig)
	clear(sig)
	j.readClaims()
	return j, nil
}

// decodeB64URL decodes unpadded base64url, tolerating trailing "=" padding.
func decodeB64URL(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, ErrJWTBase64
		}
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrJWTBase64
	}
	return b, nil
}

// decodeJSONPart decodes one base64url part holding exactly one JSON object.
func decodeJSONPart(s string) (map[string]any, error) {
	b, err := decodeB64URL(s)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, ErrJWTJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrJWTJSON
	}
	return m, nil
}

func (j *JWT) readHeader() {
	j.Alg = j.str(j.Header, "alg", "header")
	j.Typ = j.str(j.Header, "typ", "header")
	j.Kid = j.str(j.Header, "kid", "header")
	j.Cty = j.str(j.Header, "cty", "header")
}

func (j *JWT) readClaims() {
	j.Issuer = j.str(j.Claims, "iss", "claim")
	j.Subject = j.str(j.Claims, "sub", "claim")
	j.ID = j.str(j.Claims, "jti", "claim")
	switch a := j.Claims["aud"].(type) {
	case nil:
	case string:
		j.Audience = []string{a}
	case []any:
		for _, v := range a {
			if s, ok := v.(string); ok {
				j.Audience = append(j.Audience, s)
			} else {
				j.Problems = append(j.Problems, "aud holds a value that is not a string")
			}
		}
	default:
		j.Problems = append(j.Problems, "aud is neither a string nor an array of strings")
	}
	j.IssuedAt = j.date("iat")
	j.NotBefore = j.date("nbf")
	j.ExpiresAt = j.date("exp")
}

// str reads a string member, recording a problem when it has another type.
func (j *JWT) str(m map[string]any, name, where string) string {
	v, ok := m[name]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		j.Problems = append(j.Problems, fmt.Sprintf("%s %s is not a string", where, name))
	}
	return s
}

// numericDateRange bounds NumericDate values to years 0001 to 9999 or so.
const numericDateRange = 253402300799

// date reads a NumericDate claim (RFC 7519, Section 2).
func (j *JWT) date(name string) time.Time {
	v, ok := j.Claims[name]
	if !ok {
		return time.Time{}
	}
	n, ok := v.(json.Number)
	if !ok {
		j.Problems = append(j.Problems, name+" is not a number of seconds (NumericDate)")
		return time.Time{}
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > numericDateRange {
		j.Problems = append(j.Problems, name+" is out of range")
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}
