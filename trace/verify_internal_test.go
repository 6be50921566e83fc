package trace

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// testCA is a key and the certificate that goes with it.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// mint signs tmpl with parent (itself when parent is nil).
func mint(t *testing.T, tmpl *x509.Certificate, parent *testCA) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{c, key}
}

// TestVerifyChainBlamesAsOpenSSL: each fault is named for itself, and
// with two faults the one OpenSSL reports first wins (trust, then the CA
// rules, then the dates, then the name).
func TestVerifyChainBlamesAsOpenSSL(t *testing.T) {
	now := time.Now()
	ca := func(name string, parent *testCA) *testCA {
		return mint(t, &x509.Certificate{Subject: pkix.Name{CommonName: name}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, parent)
	}
	root, other := ca("root", nil), ca("other", nil)
	leaf := func(parent *testCA, edit func(*x509.Certificate)) *x509.Certificate {
		tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "a.test"}, DNSNames: []string{"a.test"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if edit != nil {
			edit(tmpl)
		}
		return mint(t, tmpl, parent).cert
	}
	expired := func(c *x509.Certificate) { c.NotBefore, c.NotAfter = now.Add(-2*time.Hour), now.Add(-time.Hour) }
	roots := x509.NewCertPool()
	roots.AddCert(root.cert)
	cases := []struct {
		name  string
		chain []*x509.Certificate
		host  string
		want  VerifyReason
	}{
		{"good", []*x509.Certificate{leaf(root, nil)}, "a.test", VerifyOK},
		{"wrong name", []*x509.Certificate{leaf(root, nil)}, "b.test", VerifyHostnameMismatch},
		{"expired", []*x509.Certificate{leaf(root, expired)}, "a.test", VerifyExpired},
		{"expired, wrong name", []*x509.Certificate{leaf(root, expired)}, "b.test", VerifyExpired},
		{"expired, untrusted", []*x509.Certificate{leaf(other, expired)}, "a.test", VerifyUnknownAuthority},
		{"client certificate", []*x509.Certificate{leaf(root, func(c *x509.Certificate) {
			c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		})}, "a.test", VerifyKeyUsage},
		{"none", nil, "a.test", VerifyNoCertificate},
	}
	for _, c := range cases {
		v := verifyChain(c.chain, c.host, roots, now)
		if v.reason != c.want || (v.err == nil) != (c.want == VerifyOK) {
			t.Errorf("%s: %q (%v), want %q", c.name, v.reason, v.err, c.want)
		}
		if c.want != VerifyOK && v.explain().Message == "" {
			t.Errorf("%s: no message", c.name)
		}
	}
}
