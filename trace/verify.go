package trace

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// verdict is what the certificate check found, and what it found it on.
type verdict struct {
	reason VerifyReason
	err    error // the x509 error; nil when reason is VerifyOK
	chain  []*x509.Certificate
	host   string
	now    time.Time
}

// verifyChain does what crypto/tls does by default (build a chain from the
// leaf to the roots, check the dates and the host name) and says why it
// failed, with OpenSSL's order of blame so that curl's numbers follow:
// first whether the chain reaches a trusted root at all, then the dates,
// then the name.
func verifyChain(chain []*x509.Certificate, host string, roots *x509.CertPool, now time.Time) *verdict {
	v := &verdict{chain: chain, host: host, now: now}
	if len(chain) == 0 {
		v.reason, v.err = VerifyNoCertificate, errors.New("the server sent no certificate")
		return v
	}
	if roots == nil {
		roots = systemRoots() // a handshake loadRoots did not foresee: load them now
	}
	opts := x509.VerifyOptions{Roots: roots, DNSName: host, Intermediates: x509.NewCertPool(), CurrentTime: now}
	for _, c := range chain[1:] {
		opts.Intermediates.AddCert(c)
	}
	leaf := chain[0]
	if _, v.err = leaf.Verify(opts); v.err == nil {
		v.reason = VerifyOK
		return v
	}
	// Go checks the dates and the name before the trust; ask about the
	// trust alone, at a moment the leaf is valid.
	trust := opts
	trust.DNSName = ""
	trust.CurrentTime = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
	if _, err := leaf.Verify(trust); err != nil {
		if r := chainFault(err, chain); r != "" {
			v.reason, v.err = r, err
			return v
		}
	}
	v.reason = dateOrName(v.err, now)
	return v
}

// chainFault names a fault of the chain itself, or "" for none.
func chainFault(err error, chain []*x509.Certificate) VerifyReason {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return untrustedReason(chain)
	case errors.As(err, &invalid):
		return caRule(invalid.Reason)
	}
	return ""
}

// caRule names the CA rule a chain broke, or "" when the reason is not one.
func caRule(r x509.InvalidReason) VerifyReason {
	switch r {
	case x509.NotAuthorizedToSign:
		return VerifyNotCA
	case x509.TooManyIntermediates:
		return VerifyPathLength
	case x509.IncompatibleUsage, x509.CANotAuthorizedForExtKeyUsage:
		return VerifyKeyUsage
	case x509.CANotAuthorizedForThisName, x509.UnconstrainedName, x509.TooManyConstraints:
		return VerifyNameConstraints
	}
	return ""
}

// untrustedReason says why a chain leads to no trusted root, as OpenSSL
// tells the cases apart: a lone self-signed leaf (its 18), a chain that
// ends at an untrusted root (19), or one whose last issuer is nowhere
// (20). That last case is a missing intermediate when the certificate
// names where its issuer is published (AIA caIssuers), as public CAs'
// certificates do; otherwise the issuer may as well be a private CA.
func untrustedReason(chain []*x509.Certificate) VerifyReason {
	last := chain[len(chain)-1]
	switch {
	case selfSigned(last) && len(chain) == 1:
		return VerifySelfSigned
	case selfSigned(last):
		return VerifyUntrustedRoot
	case len(last.IssuingCertificateURL) > 0:
		return VerifyMissingIntermediate
	}
	return VerifyUnknownAuthority
}

// selfSigned reports whether c is its own issuer and its signature checks
// out with its own key (a self-signed leaf is no CA, so CheckSignatureFrom
// would refuse it).
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// dateOrName classifies what is left once the chain is trusted.
func dateOrName(err error, now time.Time) VerifyReason {
	var invalid x509.CertificateInvalidError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		if invalid.Cert != nil && now.Before(invalid.Cert.NotBefore) {
			return VerifyNotYetValid
		}
		return VerifyExpired
	case errors.As(err, &hostErr):
		return VerifyHostnameMismatch
	case errors.As(err, &invalid) && caRule(invalid.Reason) != "":
		return caRule(invalid.Reason)
	}
	return VerifyOther
}

// explain turns the verdict into plain words and a fix.
func (v *verdict) explain() *Error {
	e := &Error{Phase: PhaseTLS, Kind: KindUnknownAuthority, Err: v.err}
	leaf := v.chain0()
	issuer := "an unknown issuer"
	if last := v.last(); last != nil {
		issuer = fmt.Sprintf("%q", last.Issuer.String())
	}
	switch v.reason {
	case VerifyHostnameMismatch:
		e.Kind = KindHostnameMismatch
		e.Message = fmt.Sprintf("the certificate covers %s, not %s", coverage(certInfo(leaf)), v.host)
		e.Hint = "check the host name in the URL, or fix the server's certificate to include it (a SAN entry)"
	case VerifyExpired:
		e.Kind = KindExpired
		e.Message = expiryMessage(v.timeFault(), v.now)
		e.Hint = "renew the server's certificate (and check the client's clock); -k skips the check for a test"
	case VerifyNotYetValid:
		e.Kind = KindExpired // the contract's kind for both; Verify tells them apart
		e.Message = expiryMessage(v.timeFault(), v.now)
		e.Hint = "check the clocks, the client's and the server's (a certificate issued by a clock that runs ahead starts in the future); a new certificate will not help; -k skips the check for a test"
	case VerifyMissingIntermediate:
		e.Message = fmt.Sprintf("the chain is incomplete: the server did not send the intermediate certificate %s, which issued its certificate", issuer)
		e.Hint = "serve the full chain: the certificate followed by its intermediates (e.g. fullchain.pem, not cert.pem); browsers may fetch the missing one and hide the fault, curl and most clients do not"
	case VerifySelfSigned:
		e.Message = fmt.Sprintf("the certificate is self-signed (%s signed itself): no trusted authority vouches for it", issuer)
		e.Hint = "for a test server, trust it with --cacert FILE (the certificate itself); for a public one, get a certificate from a CA"
	case VerifyUntrustedRoot:
		e.Message = fmt.Sprintf("the chain ends at the root %s, which is not a trusted authority", issuer)
		e.Hint = "if it is a private CA, pass its certificate with --cacert FILE; otherwise the server's certificate comes from the wrong CA"
	case VerifyUnknownAuthority:
		e.Message = fmt.Sprintf("the certificate was issued by %s, which is not a trusted authority", issuer)
		e.Hint = "if it is a private or self-signed CA, pass its certificate with --cacert FILE; if it is an intermediate, the server must send it (the full chain)"
	case VerifyNoCertificate:
		e.Message = "the server sent no certificate"
		e.Hint = "the server's TLS setup is broken: it must present a certificate"
	default:
		e.Message = "the certificate chain is not valid: " + v.err.Error()
		e.Hint = "fix the server's certificate chain; --cacert FILE names the CA to trust"
	}
	return e
}

func (v *verdict) chain0() *x509.Certificate {
	if len(v.chain) == 0 {
		return nil
	}
	return v.chain[0]
}

func (v *verdict) last() *x509.Certificate {
	if len(v.chain) == 0 {
		return nil
	}
	return v.chain[len(v.chain)-1]
}

// timeFault is the certificate whose dates failed.
func (v *verdict) timeFault() *x509.Certificate {
	var invalid x509.CertificateInvalidError
	if errors.As(v.err, &invalid) && invalid.Cert != nil {
		return invalid.Cert
	}
	return v.chain0()
}

func expiryMessage(c *x509.Certificate, now time.Time) string {
	if c == nil {
		return "the certificate is expired or not yet valid"
	}
	if now.Before(c.NotBefore) {
		in := int(c.NotBefore.Sub(now).Hours() / 24)
		return fmt.Sprintf("the certificate is not valid yet: it starts on %s (in %d days)", c.NotBefore.UTC().Format(time.DateOnly), in)
	}
	ago := int(now.Sub(c.NotAfter).Hours() / 24)
	return fmt.Sprintf("the certificate expired on %s (%d days ago)", c.NotAfter.UTC().Format(time.DateOnly), ago)
}

// coverage lists the names a certificate is valid for, briefly.
func coverage(c Certificate) string {
	names := append(append([]string{}, c.DNSNames...), c.IPAddresses...)
	if len(names) == 0 {
		return "no host names (it has no SAN entries)"
	}
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
	}
	return strings.Join(names, ", ")
}
