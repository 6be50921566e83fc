package trace

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// tlsSession is the client side of one handshake: its config, and what
// our own certificate check found (recorded even with -k).
type tlsSession struct {
	config    *tls.Config
	verifyErr error
	insecure  bool
	// certAsked is set when the server asked for a client certificate.
	// Under TLS 1.3 its refusal only shows after the handshake, as a
	// broken connection; this is how that failure is recognised.
	certAsked bool
}

// newTLSSession builds a config that verifies the chain itself, in
// VerifyConnection, so that a failure is classified and, with -k, still
// reported as "would have failed because ...".
func newTLSSession(o *Options, host string, roots *x509.CertPool) *tlsSession {
	s := &tlsSession{insecure: o.Insecure}
	protos := []string{"h2", "http/1.1"}
	if o.HTTP == "1.1" {
		protos = []string{"http/1.1"}
	}
	s.config = &tls.Config{
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			s.certAsked = true
			if o.ClientCert == nil {
				return &tls.Certificate{}, nil // none: the server decides what that means
			}
			return o.ClientCert, nil
		},
		ServerName:         host, // SNI and the name checked; Go sends no SNI for IP literals
		NextProtos:         protos,
		MinVersion:         cmp.Or(o.TLSMin, tls.VersionTLS12),
		MaxVersion:         o.TLSMax,
		InsecureSkipVerify: true, // we verify in VerifyConnection, below
		VerifyConnection: func(cs tls.ConnectionState) error {
			s.verifyErr = verifyChain(cs, host, roots)
			if s.verifyErr != nil && !s.insecure {
				return s.verifyErr
			}
			return nil
		},
	}
	return s
}

// verifyChain does what crypto/tls does by default: build a chain from
// the leaf to the roots and check the host name.
func verifyChain(cs tls.ConnectionState, host string, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the server sent no certificate")
	}
	if roots == nil {
		roots = systemRoots() // loaded here, on the first handshake, not before
	}
	opts := x509.VerifyOptions{Roots: roots, DNSName: host, Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(opts)
	return err
}

// handshake runs the TLS handshake on conn and records it in info.
func (s *tlsSession) handshake(ctx context.Context, conn net.Conn, info *TLS) (*tls.Conn, error) {
	tc := tls.Client(conn, s.config)
	err := tc.HandshakeContext(ctx)
	cs := tc.ConnectionState()
	fillTLS(info, cs, s.verifyErr)
	if err != nil {
		return nil, err
	}
	return tc, nil
}

func fillTLS(info *TLS, cs tls.ConnectionState, verifyErr error) {
	if cs.Version != 0 {
		info.Version = tls.VersionName(cs.Version)
		info.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	}
	if cs.CurveID != 0 {
		info.Group = cs.CurveID.String()
	}
	info.ALPN = cs.NegotiatedProtocol
	info.ServerName = cs.ServerName
	info.Resumed = cs.DidResume
	info.OCSPStapled = len(cs.OCSPResponse) > 0
	info.Verified = verifyErr == nil && len(cs.PeerCertificates) > 0
	if verifyErr != nil {
		info.VerifyError = explainVerify(verifyErr, info.ServerName, cs.PeerCertificates).Message
	}
	info.Certificates = info.Certificates[:0]
	for _, c := range cs.PeerCertificates {
		info.Certificates = append(info.Certificates, certInfo(c))
	}
}

func certInfo(c *x509.Certificate) Certificate {
	ci := Certificate{
		Subject:            c.Subject.String(),
		Issuer:             c.Issuer.String(),
		DNSNames:           c.DNSNames,
		NotBefore:          c.NotBefore.UTC(),
		NotAfter:           c.NotAfter.UTC(),
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		PublicKey:          publicKeyName(c.PublicKey),
		IsCA:               c.IsCA,
	}
	if c.SerialNumber != nil {
		ci.SerialNumber = strings.ToUpper(c.SerialNumber.Text(16))
	}
	for _, ip := range c.IPAddresses {
		ci.IPAddresses = append(ci.IPAddresses, ip.String())
	}
	return ci
}

func publicKeyName(k any) string {
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", k)
}

// tlsError classifies a failed handshake: a certificate problem (exit 60)
// or any other handshake failure (exit 35).
func tlsError(err error, verifyErr error, host string, certs []Certificate) *Error {
	if verifyErr != nil {
		e := explainVerify(verifyErr, host, nil)
		e.Err = err
		if len(certs) > 0 && e.Kind == KindHostnameMismatch {
			e.Message = fmt.Sprintf("the certificate covers %s, not %s", coverage(certs[0]), host)
		}
		return e
	}
	if clientCertAlert(err) {
		return clientCertError(err, PhaseTLS, false)
	}
	e := &Error{Phase: PhaseTLS, Kind: KindHandshake, Err: err,
		Message: "TLS handshake failed: " + handshakeReason(err),
		Hint:    "the server and reqtrace found no common ground: check that the port speaks TLS, the TLS versions (1.2+) and ciphers it offers, or whether it wants a client certificate"}
	if isTimeout(err) {
		e.Kind = KindTimeout
		e.Message = "TLS handshake timed out"
		e.Hint = "the server accepted TCP but did not finish the handshake: is this port really TLS? raise --connect-timeout if it is only slow"
	}
	return e
}

// clientCertAlert reports whether err is the server's TLS alert about the
// client certificate: none was sent but one is required, or the one sent
// was refused. Under TLS 1.3 it arrives after the handshake, on the first
// read, so every phase that reads checks for it.
func clientCertAlert(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, alert := range []string{"tls: certificate required", "tls: bad certificate", "tls: unknown certificate authority", "tls: unsupported certificate", "tls: certificate expired", "tls: certificate revoked"} {
		if strings.Contains(msg, "remote error: "+alert) {
			return true
		}
	}
	return false
}

// clientCertError explains a refused or missing client certificate.
func clientCertError(err error, phase string, sent bool) *Error {
	e := &Error{Phase: phase, Kind: KindClientCert, Err: err,
		Message: "the server requires a client certificate (" + handshakeReason(err) + ")",
		Hint:    "give one with -E/--cert FILE (and --key FILE if the key is separate)"}
	if sent {
		e.Message = "the server refused the client certificate (" + handshakeReason(err) + ")"
		e.Hint = "the certificate is not issued by a CA the server trusts, has expired, or lacks clientAuth usage; check it with openssl x509 -text"
	}
	return e
}

func handshakeReason(err error) string {
	var re tls.RecordHeaderError
	if errors.As(err, &re) {
		return "the server did not answer with TLS (is it plain HTTP? try http://)"
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, "tls: "); i >= 0 {
		msg = msg[i+len("tls: "):]
	}
	if errors.Is(err, io.EOF) || strings.HasSuffix(msg, "EOF") {
		return "the server closed the connection during the handshake"
	}
	return msg
}

// explainVerify turns an x509 verification error into plain words and a fix.
func explainVerify(err error, host string, chain []*x509.Certificate) *Error {
	e := &Error{Phase: PhaseTLS, Err: err}
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &hostErr):
		e.Kind = KindHostnameMismatch
		e.Message = fmt.Sprintf("the certificate covers %s, not %s", coverage(certInfo(hostErr.Certificate)), host)
		e.Hint = "check the host name in the URL, or fix the server's certificate to include it (a SAN entry)"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		e.Kind = KindExpired
		e.Message = expiryMessage(invalid.Cert)
		e.Hint = "renew the server's certificate (and check the client's clock); -k skips the check for a test"
	case errors.As(err, &unknown):
		e.Kind = KindUnknownAuthority
		issuer := "an unknown issuer"
		if unknown.Cert != nil {
			issuer = fmt.Sprintf("%q", unknown.Cert.Issuer.String())
		}
		e.Message = fmt.Sprintf("the certificate was issued by %s, which is not a trusted authority", issuer)
		e.Hint = "if it is a private or self-signed CA, pass its certificate with --cacert FILE; otherwise the server must send the full chain"
	case errors.As(err, &invalid):
		e.Kind = KindUnknownAuthority
		e.Message = "the certificate chain is not valid: " + invalid.Error()
		e.Hint = "fix the server's certificate chain; --cacert FILE names the CA to trust"
	default:
		e.Kind = KindUnknownAuthority
		e.Message = "the certificate did not verify: " + err.Error()
		e.Hint = "check the server's certificate chain; --cacert FILE names the CA to trust"
	}
	return e
}

func expiryMessage(c *x509.Certificate) string {
	if c == nil {
		return "the certificate is expired or not yet valid"
	}
	now := time.Now()
	if now.Before(c.NotBefore) {
		return fmt.Sprintf("the certificate is not valid yet: it starts on %s", c.NotBefore.UTC().Format(time.DateOnly))
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

// loadRoots returns the pool to verify against: --cacert's PEM bundle
// replaces the system roots, as in curl; nil stands for the system roots,
// which verifyChain loads when a handshake first needs them.
func loadRoots(pem []byte) (*x509.CertPool, error) {
	if pem == nil {
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, BadInput("--cacert holds no PEM certificate: give a file with -----BEGIN CERTIFICATE----- blocks")
	}
	return pool, nil
}
