package trace

import (
	"crypto/x509"
	"os"
	"runtime"
	"sync"
)

// systemRoots is the pool a handshake verifies against when --cacert is
// not given, built once per process. loadRoots builds it before a trace's
// clock starts when the trace may hand-shake, so the TLS phase is the
// handshake's alone; a plain http:// trace reads no certificate at all.
//
// On Linux, with neither SSL_CERT_FILE nor SSL_CERT_DIR set, it reads one
// source, the distribution's bundle, as curl does: Go's own loader also
// reads every file of /etc/ssl/certs, the same roots again on Debian,
// which costs 10 to 30 ms against 3 to 4 ms for the bundle alone.
// Otherwise Go's loader decides (it honours both variables, and uses the
// platform's verifier on macOS and Windows).
var systemRoots = sync.OnceValue(func() *x509.CertPool {
	if runtime.GOOS == "linux" && os.Getenv("SSL_CERT_FILE") == "" && os.Getenv("SSL_CERT_DIR") == "" {
		for _, name := range rootBundles {
			pem, err := os.ReadFile(name)
			if err != nil {
				continue
			}
			pool := x509.NewCertPool()
			if pool.AppendCertsFromPEM(pem) {
				return pool
			}
		}
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		return nil // crypto/x509 tries again, and says why, on Verify
	}
	return pool
})

// rootBundles are the bundle files Go's loader looks for on Linux, in its
// order (crypto/x509/root_linux.go).
var rootBundles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // openSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine
}
