package render

import (
	"net/url"
	"strings"

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
	return RedactHeader(h.Name, v)
}

// showURL shows a URL with its password and any JWT signature redacted unless
// ShowSecrets.
func (f *woFacts) showURL(s string) string {
	if f.opts.ShowSecrets || s == "" {
		return s
	}
	return RedactURL(s)
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
	woX509Unspecified        = 1
	woX509NotYetValid        = 9
	woX509Expired            = 10
	woX509SelfSignedLeaf     = 18
	woX509SelfSignedInChain  = 19
	woX509UnknownIssuer      = 20
	woX509PathLength         = 25
	woX509InvalidCA          = 24
	woX509InvalidPurpose     = 26
	woX509PermittedViolation = 47
	woX509HostnameMismatch   = 62
)

func woVerifyResult(t *trace.TLS, hopErr *trace.Error) int64 {
	if t == nil {
		return 0
	}
	msg := t.VerifyError
	if msg == "" {
		if t.Verified || hopErr == nil || hopErr.Phase != trace.PhaseTLS {
			return 0
		}
		switch hopErr.Kind {
		case trace.KindExpired:
			return woX509Expired
		case trace.KindUnknownAuthority:
			return woUnknownIssuer(t.Certificates)
		case trace.KindHostnameMismatch:
			return woX509HostnameMismatch
		}
		return 0 // the handshake failed before the chain was checked
	}
	switch {
	case strings.Contains(msg, "expired or is not yet valid"):
		if strings.Contains(msg, " is before ") {
			return woX509NotYetValid
		}
		return woX509Expired
	case strings.Contains(msg, "unknown authority"):
		return woUnknownIssuer(t.Certificates)
	case strings.Contains(msg, "certificate is valid for"),
		strings.Contains(msg, "not valid for any names"),
		strings.Contains(msg, "doesn't contain any IP SANs"),
		strings.Contains(msg, "legacy Common Name"):
		return woX509HostnameMismatch
	case strings.Contains(msg, "for this name"), strings.Contains(msg, "name constraints"):
		return woX509PermittedViolation
	case strings.Contains(msg, "not authorized to sign other certificates"):
		return woX509InvalidCA
	case strings.Contains(msg, "incompatible key usage"), strings.Contains(msg, "extended key usage"):
		return woX509InvalidPurpose
	case strings.Contains(msg, "too many intermediates"):
		return woX509PathLength
	}
	return woX509Unspecified
}

func woUnknownIssuer(chain []trace.Certificate) int64 {
	switch n := len(chain); {
	case n == 1 && chain[0].Subject != "" && chain[0].Subject == chain[0].Issuer:
		return woX509SelfSignedLeaf
	case n > 1 && chain[n-1].Subject != "" && chain[n-1].Subject == chain[n-1].Issuer:
		return woX509SelfSignedInChain
	}
	return woX509UnknownIssuer
}
