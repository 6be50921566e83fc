package tracetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"time"
)

const day = 24 * time.Hour

// authority is a certificate authority: a self-signed root and its key.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newAuthority(commonName string) (*authority, error) {
	return newCA(commonName, 10*365*day, false, nil)
}

// newCA makes a CA certificate valid for life, signed by parent (nil: by
// itself, a root); pathLenZero forbids CAs under it.
func newCA(commonName string, life time.Duration, pathLenZero bool, parent *authority) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serialNumber(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"reqtrace"}},
		NotBefore:             now.Add(-365 * day),
		NotAfter:              now.Add(life),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        pathLenZero,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	issuer, signer := tmpl, any(key)
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &key.PublicKey, signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key}, nil
}

// issue signs a leaf for key's public half. The chain sent is the leaf
// alone: the leaf is issued by the root directly and a root is never sent.
func (a *authority) issue(tmpl *x509.Certificate, key *ecdsa.PrivateKey) (*tls.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// serialNumber returns a random 128-bit serial, as real CAs do.
func serialNumber() *big.Int {
	return new(big.Int).SetBytes(randomBytes(16))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return b
}

// intermediate signs an intermediate CA under a, as public CAs issue
// their leaves from one.
func (a *authority) intermediate(commonName string) (*authority, error) {
	return newCA(commonName, 5*365*day, true, a)
}

// selfSigned makes tmpl its own issuer: a leaf no authority vouches for.
func selfSigned(tmpl *x509.Certificate, key *ecdsa.PrivateKey) (*tls.Certificate, error) {
	tmpl.Issuer = tmpl.Subject
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// issueWithChain is issue, with a's own certificate sent after the leaf.
func (a *authority) issueWithChain(tmpl *x509.Certificate, key *ecdsa.PrivateKey) (*tls.Certificate, error) {
	c, err := a.issue(tmpl, key)
	if err != nil {
		return nil, err
	}
	c.Certificate = append(c.Certificate, a.cert.Raw)
	return c, nil
}

// certStore mints leaf certificates on demand, one per server name.
type certStore struct {
	ca        *authority // the lab's CA, which clients are told to trust
	inter     *authority // an intermediate under ca, for fullchain and nointermediate
	untrusted *authority // a CA nobody trusts, for untrusted.lab.test
	// key is shared by every leaf: a fresh key per name would buy the
	// tests nothing and cost time on the handshake path.
	key *ecdsa.PrivateKey

	mu    sync.Mutex
	cache map[string]*tls.Certificate // by lower-case server name
}

func newCertStore() (*certStore, error) {
	ca, err := newAuthority("reqtrace lab CA")
	if err != nil {
		return nil, err
	}
	untrusted, err := newAuthority("reqtrace untrusted CA")
	if err != nil {
		return nil, err
	}
	inter, err := ca.intermediate("reqtrace lab intermediate")
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &certStore{ca: ca, inter: inter, untrusted: untrusted, key: key, cache: map[string]*tls.Certificate{}}, nil
}

// getCertificate is the tls.Config.GetCertificate hook.
func (s *certStore) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	return s.leaf(hello.ServerName)
}

// leaf returns the cached leaf for serverName, minting it on first use.
func (s *certStore) leaf(serverName string) (*tls.Certificate, error) {
	n := parseName(serverName)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cache[n.host]; ok {
		return c, nil
	}
	c, err := s.mint(n)
	if err != nil {
		return nil, err
	}
	s.cache[n.host] = c
	return c, nil
}

// mint makes the leaf for n, applying the special names' defects.
func (s *certStore) mint(n labName) (*tls.Certificate, error) {
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serialNumber(),
		Subject:      pkix.Name{CommonName: n.host},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(90 * day),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{n.host},
	}
	if n.host == "" {
		// No SNI: the client dialled an IP address.
		tmpl.Subject.CommonName = "localhost"
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	issuer := s.ca
	switch n.kind {
	case "expired":
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-60*day), now.Add(-30*day)
	case "notyet":
		tmpl.NotBefore, tmpl.NotAfter = now.Add(30*day), now.Add(120*day)
	case "coalesce":
		// One certificate for the whole family, as CDNs serve: a client
		// may pool (coalesce) the siblings' requests on one connection.
		tmpl.DNSNames = append(tmpl.DNSNames, "*.coalesce.lab.test")
	case "wrong":
		tmpl.Subject.CommonName = "other.lab.test"
		tmpl.DNSNames = []string{"other.lab.test"}
	case "untrusted":
		issuer = s.untrusted
	case "untrustedroot": // the untrusted root sent along: OpenSSL's 19
		return s.untrusted.issueWithChain(tmpl, s.key)
	case "selfsigned":
		return selfSigned(tmpl, s.key)
	case "fullchain":
		return s.inter.issueWithChain(tmpl, s.key)
	case "nointermediate":
		// Public CAs name where their intermediate is published (AIA
		// caIssuers); the server forgets to send it.
		tmpl.IssuingCertificateURL = []string{"http://ca.lab.test/intermediate.crt"}
		return s.inter.issue(tmpl, s.key)
	}
	return issuer.issue(tmpl, s.key)
}
