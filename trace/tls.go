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
	"net/url"
	"strings"
	"time"
)

// tlsSession is the client side of one handshake: its config, and what
// our own certificate check found (recorded even with -k).
type tlsSession struct {
	config   *tls.Config
	verdict  *verdict // nil until the server's certificates arrived
	insecure bool
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
			s.verdict = verifyChain(cs.PeerCertificates, host, roots, time.Now())
			if s.verdict.err != nil && !s.insecure {
				return s.verdict.err
			}
			return nil
		},
	}
	return s
}

// handshake runs the TLS handshake on conn and records it in info.
func (s *tlsSession) handshake(ctx context.Context, conn net.Conn, info *TLS) (*tls.Conn, error) {
	tc := tls.Client(conn, s.config)
	err := tc.HandshakeContext(ctx)
	cs := tc.ConnectionState()
	fillTLS(info, cs, s.verdict)
	if err != nil {
		return nil, err
	}
	return tc, nil
}

func fillTLS(info *TLS, cs tls.ConnectionState, v *verdict) {
	if cs.Version != 0 {
		info.Version = tls.VersionName(cs.Version)
		info.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	}
	if cs.CurveID != 0 {
		info.Group = groupName(cs.CurveID)
	}
	info.ALPN = cs.NegotiatedProtocol
	info.ServerName = cs.ServerName
	info.Resumed = cs.DidResume
	info.OCSPStapled = len(cs.OCSPResponse) > 0
	info.Verified = v != nil && v.reason == VerifyOK
	if v != nil {
		info.Verify = v.reason
		if v.err != nil {
			info.VerifyError = v.explain().Message
		}
	}
	info.Certificates = info.Certificates[:0]
	for _, c := range cs.PeerCertificates {
		info.Certificates = append(info.Certificates, certInfo(c))
	}
}

// groupNames spells the key exchange groups as the IANA TLS Supported
// Groups registry and OpenSSL (s_client, the -groups option) do, where Go
// says CurveP256 and the like. OpenSSL 3.0's s_client names secp256r1 by
// its X9.62 alias, prime256v1: the same curve.
var groupNames = map[tls.CurveID]string{
	tls.X25519:             "X25519",
	tls.CurveP256:          "secp256r1",
	tls.CurveP384:          "secp384r1",
	tls.CurveP521:          "secp521r1",
	tls.X25519MLKEM768:     "X25519MLKEM768",
	tls.SecP256r1MLKEM768:  "SecP256r1MLKEM768",
	tls.SecP384r1MLKEM1024: "SecP384r1MLKEM1024",
}

func groupName(id tls.CurveID) string {
	if n, ok := groupNames[id]; ok {
		return n
	}
	return fmt.Sprintf("0x%04x", uint16(id)) // as the registry writes an unnamed code point
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
func tlsError(err error, v *verdict) *Error {
	if v != nil && v.err != nil {
		e := v.explain()
		e.Err = err
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

// loadRoots returns the pool to verify against: --cacert's PEM bundle
// replaces the system roots, as in curl. The system roots are loaded here,
// before the trace's clock starts (so the TLS phase stays the handshake's),
// only when the trace may need TLS, and from one source (systemRoots);
// nil stands for them otherwise, and verifyChain loads them on a first
// handshake should one come after all. Parsing them cost a plain http://
// trace ~30 ms, and the GC cycle their garbage set off overlapped the DNS
// lookup (issue 16).
func loadRoots(o *Options) (*x509.CertPool, error) {
	if o.CACert == nil {
		if !mayNeedTLS(o) {
			return nil, nil
		}
		return systemRoots(), nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(o.CACert) {
		return nil, BadInput("--cacert holds no PEM certificate: give a file with -----BEGIN CERTIFICATE----- blocks")
	}
	return pool, nil
}

// mayNeedTLS reports whether a handshake can happen: an https:// URL, a
// redirect that may lead to one, or a proxy reached over TLS.
func mayNeedTLS(o *Options) bool {
	if o.URL == nil || o.URL.Scheme == "https" || o.FollowRedirects {
		return true
	}
	for _, p := range []*url.URL{o.Proxy.Explicit, o.Proxy.HTTP, o.Proxy.HTTPS, o.Proxy.All} {
		if p != nil && p.Scheme == "https" {
			return true
		}
	}
	return false
}
