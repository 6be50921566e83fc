package writeout

import (
	"net/url"
	"strings"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
)

// --- secrets

// headerValue is a response header's value as -w shows it: trimmed, and
// with its secrets redacted unless ShowSecrets.
func (f *woFacts) headerValue(h trace.Header) string {
	v := woTrim(h.Value)
	if f.opts.ShowSecrets {
		return v
	}
	return render.RedactHeader(h.Name, v)
}

// showURL shows a URL with its password and any JWT signature redacted unless
// ShowSecrets.
func (f *woFacts) showURL(s string) string {
	if f.opts.ShowSecrets || s == "" {
		return s
	}
	return render.RedactURL(s)
}

// --- URL parts

// woURLPart is curl's url.* and urle.* variables: the part as stored in
// the URL (still percent-encoded), the scheme's default port when none is
// given, and no value (null) for a part the URL lacks.
func woURLPart(raw, part string, showSecrets bool) woVal {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Scheme == "" {
		return woVal{}
	}
	userinfo := ""
	if u.User != nil {
		userinfo = u.User.String() // encoded "user" or "user:password"
	}
	host := u.Hostname()
	zone := ""
	if strings.Contains(host, ":") { // IPv6: curl keeps the brackets, drops the zone
		host, zone, _ = strings.Cut(host, "%")
		host = "[" + host + "]"
	}
	switch part {
	case "scheme":
		return woStr(strings.ToLower(u.Scheme))
	case "user":
		if u.User == nil {
			return woVal{}
		}
		user, _, _ := strings.Cut(userinfo, ":")
		return woStr(user)
	case "password":
		_, pw, ok := strings.Cut(userinfo, ":")
		if !ok {
			return woVal{}
		}
		if !showSecrets {
			return woStr("xxxxx") // as url.URL.Redacted writes it
		}
		return woStr(pw)
	case "host":
		return woStrOrNull(host)
	case "port":
		if p := u.Port(); p != "" {
			return woStr(p)
		}
		switch strings.ToLower(u.Scheme) {
		case "http":
			return woStr("80")
		case "https":
			return woStr("443")
		}
		return woVal{}
	case "path":
		if p := u.EscapedPath(); p != "" {
			return woStr(p)
		}
		return woStr("/")
	case "query":
		return woStrOrNull(u.RawQuery)
	case "fragment":
		return woStrOrNull(u.EscapedFragment())
	case "zoneid":
		return woStrOrNull(zone)
	}
	return woVal{}
}

// --- TLS verification as OpenSSL numbers it

// OpenSSL's X509_V_ERR_* codes, the numbers curl's ssl_verify_result shows.
const (
	woX509Unspecified        = 1 // also curl's value when only its own host name check failed
	woX509NotYetValid        = 9
	woX509Expired            = 10
	woX509SelfSignedLeaf     = 18
	woX509SelfSignedInChain  = 19
	woX509UnknownIssuer      = 20
	woX509InvalidCA          = 24
	woX509PathLength         = 25
	woX509InvalidPurpose     = 26
	woX509PermittedViolation = 47
)

// woX509 maps the engine's verification reason to OpenSSL's number.
var woX509 = map[trace.VerifyReason]int64{
	trace.VerifyOK:                  0,
	trace.VerifyNotYetValid:         woX509NotYetValid,
	trace.VerifyExpired:             woX509Expired,
	trace.VerifySelfSigned:          woX509SelfSignedLeaf,
	trace.VerifyUntrustedRoot:       woX509SelfSignedInChain,
	trace.VerifyUnknownAuthority:    woX509UnknownIssuer,
	trace.VerifyMissingIntermediate: woX509UnknownIssuer,
	trace.VerifyNotCA:               woX509InvalidCA,
	trace.VerifyPathLength:          woX509PathLength,
	trace.VerifyKeyUsage:            woX509InvalidPurpose,
	trace.VerifyNameConstraints:     woX509PermittedViolation,
	// curl starts the number at 1 (!X509_V_OK) and checks the name itself,
	// after OpenSSL's check has passed, without changing it (curl 7.88,
	// tested side by side).
	trace.VerifyHostnameMismatch: woX509Unspecified,
}

// woVerifyResult is curl's ssl_verify_result for the most recent handshake.
// With -k curl loads no CA store, so OpenSSL finds no trusted root for any
// chain and the number depends on the chain's shape alone; reqtrace
// reports what curl does.
func woVerifyResult(t *trace.TLS, insecure bool) int64 {
	if t == nil {
		return 0 // no TLS
	}
	if t.Verify == "" {
		return woX509Unspecified // a handshake that ended before the check: curl's starting value, 1
	}
	if insecure && len(t.Certificates) > 0 {
		return woUnknownIssuer(t.Certificates)
	}
	if n, ok := woX509[t.Verify]; ok {
		return n
	}
	return woX509Unspecified
}

// woUnknownIssuer is OpenSSL's number for a chain that reaches no trusted
// root: 18 for a lone self-signed certificate, 19 when the chain ends at a
// self-signed one, 20 otherwise.
func woUnknownIssuer(chain []trace.Certificate) int64 {
	switch n := len(chain); {
	case n == 1 && chain[0].Subject != "" && chain[0].Subject == chain[0].Issuer:
		return woX509SelfSignedLeaf
	case n > 1 && chain[n-1].Subject != "" && chain[n-1].Subject == chain[n-1].Issuer:
		return woX509SelfSignedInChain
	}
	return woX509UnknownIssuer
}
