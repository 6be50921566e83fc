package annotate

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/reqtrace/reqtrace/trace"
)

// Param is one auth-param of a challenge.
type Param struct {
	Name  string // lower case
	Value string // unquoted
}

// Challenge is one challenge of a WWW-Authenticate or Proxy-Authenticate
// field (RFC 9110, Section 11.6.1).
type Challenge struct {
	Scheme  string  // as sent, e.g. "Bearer"
	Token68 string  // the token68 form (Negotiate, NTLM), when used
	Params  []Param // in order; names lower case
	// The parameters people ask about, copied from Params (first wins).
	Realm, Error, ErrorDescription, Scope string
}

// Get returns the first parameter with that name (case-insensitive).
func (c Challenge) Get(name string) (string, bool) {
	name = strings.ToLower(name)
	for _, p := range c.Params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// ParseChallenges parses a WWW-Authenticate (or Proxy-Authenticate) value
// into its challenges: `Basic realm="x", Bearer error="invalid_token"`.
// The grammar makes commas ambiguous: after a comma, a token followed by
// "=" is another parameter of the same challenge, anything else starts a
// new challenge. Unparseable stretches are skipped up to the next comma.
func ParseChallenges(value string) []Challenge {
	p := &challengeParser{s: value}
	var out []Challenge
	for {
		p.skip(func(c byte) bool { return isOWS(c) || c == ',' })
		if p.done() {
			return out
		}
		scheme := p.token()
		if scheme == "" || !p.done() && !isOWS(p.peek()) && p.peek() != ',' {
			p.skipToComma()
			continue
		}
		c := Challenge{Scheme: scheme}
		p.skip(isOWS)
		if t, ok := p.token68(); ok {
			c.Token68 = t
		} else {
			c.Params = p.params()
		}
		c.fill()
		out = append(out, c)
	}
}

// fill copies the well-known parameters into their fields.
func (c *Challenge) fill() {
	c.Realm, _ = c.Get("realm")
	c.Error, _ = c.Get("error")
	c.ErrorDescription, _ = c.Get("error_description")
	c.Scope, _ = c.Get("scope")
}

type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) done() bool { return p.i >= len(p.s) }
func (p *challengeParser) peek() byte { return p.s[p.i] }

func (p *challengeParser) skip(f func(byte) bool) {
	for !p.done() && f(p.peek()) {
		p.i++
	}
}

func (p *challengeParser) token() string {
	start := p.i
	p.skip(isTokenChar)
	return p.s[start:p.i]
}

// skipToComma skips to the next comma outside a quoted string, and past it.
func (p *challengeParser) skipToComma() {
	inQuote := false
	for !p.done() {
		c := p.peek()
		p.i++
		switch {
		case inQuote && c == '\\':
			if !p.done() {
				p.i++
			}
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == ',':
			return
		}
	}
}

func isToken68Char(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+/", c) >= 0
}

// token68 reads a token68 that ends the challenge (followed by a comma or
// the end); otherwise it consumes nothing.
func (p *challengeParser) token68() (string, bool) {
	j := p.i
	for j < len(p.s) && isToken68Char(p.s[j]) {
		j++
	}
	if j == p.i {
		return "", false
	}
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	k := j
	for k < len(p.s) && isOWS(p.s[k]) {
		k++
	}
	if k < len(p.s) && p.s[k] != ',' {
		return "", false
	}
	t := p.s[p.i:j]
	p.i = k
	return t, true
}

// params reads auth-params up to the start of the next challenge.
func (p *challengeParser) params() []Param {
	var out []Param
	for {
		p.skip(func(c byte) bool { return isOWS(c) || c == ',' })
		if p.done() {
			return out
		}
		start := p.i
		name := p.token()
		p.skip(isOWS)
		if name == "" || p.done() || p.peek() != '=' {
			// Not a parameter: the next challenge starts here (or garbage,
			// which the caller skips).
			p.i = start
			return out
		}
		p.i++ // '='
		p.skip(isOWS)
		var val string
		if !p.done() && p.peek() == '"' {
			val = p.quoted()
		} else {
			val = p.token()
		}
		out = append(out, Param{Name: strings.ToLower(name), Value: val})
		p.skip(isOWS)
		if !p.done() && p.peek() != ',' {
			p.skipToComma() // junk after the value
		}
	}
}

// quoted reads a quoted-string starting at the opening quote; an
// unterminated one runs to the end.
func (p *challengeParser) quoted() string {
	var b strings.Builder
	p.i++
	for !p.done() {
		c := p.peek()
		p.i++
		switch {
		case c == '\\' && !p.done():
			b.WriteByte(p.peek())
			p.i++
		case c == '"':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// authNotes explains the credentials sent (request) and the challenges
// received (response).
func authNotes(x *exchange) []trace.Note {
	var notes []trace.Note
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		for _, v := range x.req.all(name) {
			notes = append(notes, credentialNotes(x, name, v)...)
		}
	}
	if x.hop.Response != nil {
		for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
			for _, v := range x.resp.all(name) {
				for _, c := range ParseChallenges(v) {
					notes = append(notes, challengeNote(name, c))
				}
			}
		}
	}
	return notes
}

// credentialNotes describes one Authorization value without revealing it.
func credentialNotes(x *exchange, header, value string) []trace.Note {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(value), " ")
	cred = strings.TrimSpace(cred)
	var notes []trace.Note
	switch strings.ToLower(scheme) {
	case "basic":
		notes = append(notes, basicNote(x, header, cred))
	case "bearer":
		notes = append(notes, bearerNotes(x, header, cred)...)
	case "":
		notes = append(notes, note("auth.scheme", trace.NoteAuth, trace.LevelWarn, header,
			"%s is empty; the server will treat the request as unauthenticated.", header))
	default:
		if cred == "" || !isToken(scheme) || len(scheme) > 30 {
			// Without "scheme credentials" the whole value may be the secret.
			notes = append(notes, note("auth.scheme", trace.NoteAuth, trace.LevelWarn, header,
				"%s holds %d characters (not shown) without the usual \"Scheme credentials\" form; servers expect e.g. Basic or Bearer.", header, len(value)))
			break
		}
		notes = append(notes, note("auth.scheme", trace.NoteAuth, trace.LevelInfo, header,
			"%s uses the %s scheme (%d characters of credentials, not shown).", header, scheme, len(cred)))
	}
	if !x.https && x.url != nil {
		notes = append(notes, note("auth.cleartext", trace.NoteAuth, trace.LevelBad, header,
			"These credentials went over plain http, so anyone on the path can read and replay them. Use https."))
	}
	return notes
}

// basicNote names the user of Basic credentials, never the password.
func basicNote(x *exchange, header, cred string) trace.Note {
	const id = "auth.basic"
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return note(id, trace.NoteAuth, trace.LevelWarn, header,
			"Basic credentials that are not valid base64; the server will reject them.")
	}
	user, _, ok := strings.Cut(string(raw), ":")
	clear(raw)
	if !ok {
		return note(id, trace.NoteAuth, trace.LevelWarn, header,
			"Basic credentials without a \":\" between user and password; the server will reject them.")
	}
	if !utf8.ValidString(user) {
		user = strings.ToValidUTF8(user, "?")
	}
	level := trace.LevelInfo
	if !x.https {
		level = trace.LevelBad
	}
	return note(id, trace.NoteAuth, level, header,
		"Basic credentials for user %s (password not shown). Basic only base64-encodes the password, so it is as good as plain text outside https.",
		strconv.Quote(clip(user, 80)))
}

// bearerNotes decodes a Bearer JWT; other tokens are only measured.
func bearerNotes(x *exchange, header, tok string) []trace.Note {
	if dots := strings.Count(tok, "."); dots != 2 && dots != 4 || !strings.HasPrefix(tok, "eyJ") {
		return []trace.Note{note("auth.bearer", trace.NoteAuth, trace.LevelInfo, header,
			"Bearer token of %d characters, not a JWT (an opaque token only the server can interpret; not shown).", len(tok))}
	}
	j, err := DecodeJWT(tok)
	if err == ErrJWTEncrypted {
		return []trace.Note{note("auth.bearer-jwt", trace.NoteAuth, trace.LevelInfo, header,
			"Bearer token is an encrypted JWT (JWE, alg %s, enc %s); its claims cannot be read without the key.",
			clip(j.Alg, 20), clip(fmt.Sprint(j.Header["enc"]), 20))}
	}
	if err != nil {
		return []trace.Note{note("auth.jwt-invalid", trace.NoteAuth, trace.LevelWarn, header,
			"Bearer token is shaped like a JWT but does not decode (%s); the server will likely reject it.", err)}
	}
	notes := []trace.Note{jwtSummary(x, header, j)}
	return append(notes, jwtChecks(x, header, j)...)
}

// jwtSummary is the header and claims of a token in one or two sentences.
func jwtSummary(x *exchange, header string, j JWT) trace.Note {
	hdr := []string{"alg " + orDash(j.Alg)}
	if j.Typ != "" {
		hdr = append(hdr, "typ "+clip(j.Typ, 20))
	}
	if j.Kid != "" {
		hdr = append(hdr, "kid "+clip(j.Kid, 40))
	}
	var claims []string
	if j.Issuer != "" {
		claims = append(claims, "iss "+clip(j.Issuer, 80))
	}
	if j.Subject != "" {
		claims = append(claims, "sub "+clip(j.Subject, 60))
	}
	if len(j.Audience) > 0 {
		claims = append(claims, "aud "+clip(strings.Join(j.Audience, " "), 80))
	}
	if !j.IssuedAt.IsZero() {
		claims = append(claims, "issued "+stamp(j.IssuedAt)+" ("+relative(j.IssuedAt, x.now)+")")
	}
	if !j.NotBefore.IsZero() {
		claims = append(claims, "valid from "+stamp(j.NotBefore))
	}
	if !j.ExpiresAt.IsZero() {
		if j.ExpiresAt.After(x.now) {
			claims = append(claims, "expires "+stamp(j.ExpiresAt)+" (expires in "+human(j.ExpiresAt.Sub(x.now))+")")
		} else {
			claims = append(claims, "expired "+stamp(j.ExpiresAt)+" (expired "+human(x.now.Sub(j.ExpiresAt))+" ago)")
		}
	}
	msg := fmt.Sprintf("Bearer JWT (%s)", strings.Join(hdr, ", "))
	if len(claims) > 0 {
		msg += ": " + strings.Join(claims, "; ")
	}
	return note("auth.bearer-jwt", trace.NoteAuth, trace.LevelInfo, header,
		"%s. Signature (%d bytes) not verified or shown; use reqtrace jwt --secret/--key to verify.", msg, j.SignatureLen)
}

func orDash(s string) string {
	if s == "" {
		return "missing"
	}
	return clip(s, 20)
}

// jwtChecks flags alg none, missing or past exp, future nbf and iat,
// key-injection header parameters and ill-typed claims.
func jwtChecks(x *exchange, header string, j JWT) []trace.Note {
	var notes []trace.Note
	add := func(id, level, format string, args ...any) {
		notes = append(notes, note(id, trace.NoteAuth, level, header, format, args...))
	}
	switch {
	case j.Alg == "":
		add("auth.jwt-alg-none", trace.LevelBad, "The JWT header has no alg, so the token cannot be verified; servers must reject it.")
	case strings.EqualFold(j.Alg, "none"):
		add("auth.jwt-alg-none", trace.LevelBad, "alg none: the token is unsigned, so anyone can forge it. A server that accepts it is broken; pin the allowed algorithms.")
	}
	switch {
	case j.ExpiresAt.IsZero():
		add("auth.jwt-no-exp", trace.LevelWarn, "The JWT has no exp claim, so it never expires: a leaked token works forever. Issue short-lived tokens.")
	case !j.ExpiresAt.After(x.now):
		add("auth.jwt-expired", trace.LevelBad, "The JWT expired %s ago (exp %s); the server should answer 401 with error=\"invalid_token\".", human(x.now.Sub(j.ExpiresAt)), stamp(j.ExpiresAt))
	}
	if !j.NotBefore.IsZero() && j.NotBefore.After(x.now) {
		add("auth.jwt-not-yet-valid", trace.LevelWarn, "The JWT is not valid until %s (nbf, %s); check the clocks of issuer and server.", stamp(j.NotBefore), relative(j.NotBefore, x.now))
	}
	if !j.IssuedAt.IsZero() && j.IssuedAt.Sub(x.now) > 0 {
		add("auth.jwt-iat-future", trace.LevelWarn, "The JWT claims to be issued %s from now (iat); the issuer's clock is ahead.", human(j.IssuedAt.Sub(x.now)))
	}
	for _, p := range []string{"jku", "x5u", "jwk"} {
		if _, ok := j.Header[p]; ok {
			add("auth.jwt-key-header", trace.LevelWarn, "The JWT header carries %s, which points to or embeds a key; a server that trusts it lets attackers sign their own tokens.", p)
		}
	}
	for _, p := range j.Problems {
		add("auth.jwt-claim-type", trace.LevelWarn, "In the JWT, %s; libraries may reject the token or ignore the claim.", p)
	}
	return notes
}

// oauthErrors explains the error codes of RFC 6750, Section 3.1.
var oauthErrors = map[string]string{
	"invalid_request":    "the request is malformed (a missing or repeated parameter); fix the request, do not retry as is",
	"invalid_token":      "the access token is expired, revoked, malformed or for another audience; get a new token",
	"insufficient_scope": "the token is valid but lacks the scope this resource needs; request a token with that scope",
}

// challengeNote explains one challenge.
func challengeNote(header string, c Challenge) trace.Note {
	var b strings.Builder
	fmt.Fprintf(&b, "The server asks for %s credentials", clip(c.Scheme, 30))
	if c.Realm != "" {
		fmt.Fprintf(&b, " for realm %s", strconv.Quote(clip(c.Realm, 60)))
	}
	switch strings.ToLower(c.Scheme) {
	case "basic":
		b.WriteString(" (user name and password; curl -u USER:PASS)")
	case "bearer":
		b.WriteString(" (an OAuth 2.0 access token in Authorization: Bearer)")
	case "digest":
		b.WriteString(" (a hashed password challenge; curl --digest)")
	case "negotiate":
		b.WriteString(" (Kerberos/SPNEGO; curl --negotiate)")
	case "ntlm":
		b.WriteString(" (NTLM; curl --ntlm)")
	}
	level := trace.LevelInfo
	if c.Error != "" {
		level = trace.LevelWarn
		fmt.Fprintf(&b, ". error=%s", strconv.Quote(clip(c.Error, 40)))
		if m, ok := oauthErrors[c.Error]; ok {
			b.WriteString(": " + m)
		}
		if c.ErrorDescription != "" {
			fmt.Fprintf(&b, " (%s)", clip(c.ErrorDescription, 120))
		}
	}
	if c.Scope != "" {
		fmt.Fprintf(&b, "; scope needed: %s", clip(c.Scope, 80))
	}
	b.WriteString(".")
	return note("auth.challenge", trace.NoteAuth, level, header, "%s", b.String())
}
