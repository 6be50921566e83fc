// Package tracetest is an in-process lab for reqtrace: an authoritative DNS
// server for the zone lab.test, a plain HTTP/1.1 server and an HTTPS server
// (HTTP/2 and HTTP/1.1 via ALPN) with its own certificate authority. Names
// and paths are instructions, so a test can ask for a slow DNS answer, a bad
// certificate or a slow body just by choosing a URL. Everything listens on
// 127.0.0.1 only.
//
// DNS (see answer in dns.go): any name under lab.test has A 127.0.0.1 and no
// AAAA, except these, matched on the label just before "lab.test", so
// "x.nx.lab.test" and "dnsdelay-30.alias.lab.test" count too:
//
//	alias     CNAME www.lab.test, plus its A
//	chain     CNAME alias.lab.test CNAME www.lab.test, plus the A
//	nxdomain  NXDOMAIN (also nx and anything under nx.lab.test)
//	servfail  SERVFAIL
//	refused   REFUSED (as is any name outside lab.test)
//	timeout   never answered
//	noaddr    NOERROR with only a TXT record in the answer
//	big       BigRecords A records: truncated over UDP, whole over TCP
//	dual      A 127.0.0.1 and AAAA ::1
//	v6only    AAAA ::1 only
//
// A label dnsdelay-N anywhere in a name delays its DNS answer N ms.
//
// HTTPS records (RFC 9460, type 65; see svcb.go), asked as NAME for port
// 443 and as _PORT._https.NAME for the others; other names have none
// (NODATA):
//
//	h3rr      1 . alpn=h3,h2 port=HTTPSPort ipv4hint=127.0.0.1 ech=LabECH ipv6hint=::1
//	h2rr      the same with alpn=h2 only
//	aliasrr   0 h3rr.lab.test. (AliasMode)
//	alias2rr  0 aliasrr.lab.test. (an alias to an alias)
//	slowrr    as h3rr, answered SlowHTTPSDelay late (A/AAAA at once)
//
// A second zone, alt.test, is for search lists: www.alt.test has A
// 127.0.0.1, every other name under it is NXDOMAIN with alt.test's own SOA
// (negative TTL AltNegativeTTL, where lab.test's is NegativeTTL).
//
// TLS (see certs.go): leaves are minted per SNI, signed by the lab CA. The
// same label rule picks these defects: expired, notyet, wrong (the leaf
// names other.lab.test), untrusted (signed by an unknown CA), untrustedroot
// (the same, with that CA's root sent along), selfsigned (a self-signed
// leaf), nointermediate (issued by the lab's intermediate, which the server
// does not send); fullchain sends leaf and intermediate, as it should; tls12 (TLS 1.2
// at most), h1only (ALPN http/1.1 only), mtls (wants a client certificate
// from ClientCertificate), coalesce (the leaf also names
// *.coalesce.lab.test, so a.coalesce.lab.test's certificate covers
// b.coalesce.lab.test: HTTP/2 connection coalescing). A label tlsdelay-N anywhere in the
// SNI delays the handshake N ms.
//
// HTTP (see http.go): /, /wait/{ms}, /drip?bytes=N&ms=M, /bytes/{n},
// /status/{code}, /early-hints, /raw-order, /echo, /chunked, /trailers,
// /upload?ms=N, /redirect/{n}, /reset/{n} (n body bytes, then the stream
// is reset: RESET_STREAM over HTTP/3, RST_STREAM over HTTP/2). Over HTTP/3
// only, /quic/close answers, then closes its QUIC connection, and
// /quic/reject-once rejects the first request to it (H3_REQUEST_REJECTED;
// see quicconns.go); QUICConnections counts the QUIC connections accepted.
//
// Pages (see page.go and pages.go): under /site/, a page set for `reqtrace
// page` and its Chromium judge. PagePath has about 40 subresources over
// www.lab.test, cdn.lab.test and h1only.lab.test (HTTP/1.1 only): CSS with
// @import, web fonts and background images, a 103 Early Hints and a Link
// preload header, sync, defer, async and module scripts, a 302-redirected
// script, a 404 image, an image far larger than its width and height,
// uncached, no-store and immutable (ETag, Last-Modified, 304) assets,
// uncompressed text and per-asset delays. Smaller pages cover an iframe,
// srcset, picture and lazy images, and /site/s/*.html one element kind
// each. Assets take knobs as query parameters: ms=, cache=, status=, to=,
// w= and h=, gzip=1. SiteRequests lists the /site/ requests received.
package tracetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"github.com/quic-go/quic-go/http3"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Lab is a DNS server, an HTTP server and an HTTPS server (HTTP/1.1 and h2
// via ALPN) with its own CA. Start it with Start or New; Close stops it.
type Lab struct {
	DNSAddr   string // "127.0.0.1:PORT", serves UDP and TCP on the same port
	HTTPPort  int    // plain HTTP/1.1 (and h2c prior knowledge) server on 127.0.0.1
	HTTPSPort int    // TLS server on 127.0.0.1, ALPN h2 and http/1.1
	ProxyPort int    // forward proxy (CONNECT and absolute-form) on 127.0.0.1; see proxy.go
	CAPEM     []byte // PEM of the lab's root CA certificate
	CAFile    string // path of a temp file holding CAPEM (removed by Close)
	// ResolvConf is the path of a temp resolv.conf naming the lab's DNS
	// server: "nameserver 127.0.0.1" and "options ndots:1 timeout:2". A
	// resolv.conf cannot carry a port, so whoever reads it must send the
	// queries to DNSAddr's port, not 53. Removed by Close.
	ResolvConf string
	// HostsFile is the path of a temp hosts file mapping localhost and
	// hosts.lab.test to 127.0.0.1 (hosts.lab.test also resolves in DNS,
	// so DNSQueries tells which source a client used). Removed by Close.
	HostsFile string

	spans   spans // OpenTelemetry server spans, once Instrument is called
	certs   *certStore
	dir     string        // temp dir holding the files above
	done    chan struct{} // closed by Close: cuts every delay short
	base    context.Context
	stop    context.CancelFunc // cancels base, with done
	proxied int
	// socksTargets are the SOCKS CONNECT destinations, as sent.
	socksTargets []string

	tlsConfigs  tlsConfigs
	dnsServers  []*dns.Server
	httpServers []*http.Server
	h3          *http3.Server
	quic        quicConns // the HTTP/3 server's connections (quicconns.go)
	listeners   []net.Listener
	serving     sync.WaitGroup // Serve and ActivateAndServe goroutines
	active      sync.WaitGroup // handlers running; guarded by mu for Add
	closeOnce   sync.Once

	// httpsPort is HTTPSPort for the DNS handlers' HTTPS records: set
	// after the DNS server started, so read with no happens-before edge.
	httpsPort atomic.Int32

	mu        sync.Mutex // guards the fields below
	closed    bool
	dnsCounts map[dnsKey]int
	requests  map[string]int
	siteLog   []string // /site/ requests, for SiteRequests
}

// Start starts the DNS, HTTP and HTTPS servers. The caller must Close it.
func Start() (*Lab, error) {
	certs, err := newCertStore()
	if err != nil {
		return nil, fmt.Errorf("tracetest: make CA: %w", err)
	}
	base, stop := context.WithCancel(context.Background())
	l := &Lab{
		base:      base,
		stop:      stop,
		certs:     certs,
		done:      make(chan struct{}),
		dnsCounts: map[dnsKey]int{},
		requests:  map[string]int{},
		CAPEM:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certs.ca.cert.Raw}),
	}
	for _, step := range []func() error{l.startDNS, l.startHTTP, l.startProxy, l.writeFiles} {
		if err := step(); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// New starts a lab for a test or benchmark and closes it when t ends; a
// failure to start is fatal.
func New(t testing.TB) *Lab {
	t.Helper()
	l, err := Start()
	if err != nil {
		t.Fatalf("tracetest: %v", err)
	}
	t.Cleanup(l.Close)
	return l
}

// Close stops every server, cuts pending delays short, waits for the
// handlers and server goroutines to return and removes the temp files.
// It is safe to call more than once.
func (l *Lab) Close() {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed = true // no new handler may start: see track
		l.mu.Unlock()
		close(l.done)
		l.stop()
		for _, s := range l.httpServers {
			s.Close()
		}
		if l.h3 != nil {
			l.h3.Close()
		}
		for _, ln := range l.listeners {
			ln.Close() // in case Close beat Serve to the listener
		}
		for _, s := range l.dnsServers {
			s.Shutdown() // waits for DNS handlers, which done has released
		}
		l.active.Wait()
		l.serving.Wait()
		if l.dir != "" {
			os.RemoveAll(l.dir)
		}
	})
}

// URL returns scheme://host:port/path with the lab's port for scheme
// ("http" or "https"; anything else panics). A path without a leading
// slash gets one.
func (l *Lab) URL(scheme, host, path string) string {
	var port int
	switch scheme {
	case "http":
		port = l.HTTPPort
	case "https":
		port = l.HTTPSPort
	default:
		panic("tracetest: URL: scheme must be http or https, not " + strconv.Quote(scheme))
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port)) + path
}

// CertPool returns a new pool holding the lab's root CA, for
// tls.Config.RootCAs.
func (l *Lab) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(l.certs.ca.cert)
	return pool
}

// ClientCertificate returns a client certificate and its key, as PEM,
// issued by the lab CA: mtls.lab.test accepts it, and only it.
func (l *Lab) ClientCertificate() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	c, err := l.certs.ca.issue(&x509.Certificate{
		SerialNumber: serialNumber(),
		Subject:      pkix.Name{CommonName: "reqtrace lab client"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(day),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, key)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// Certificate returns the leaf the lab's HTTPS server presents for
// serverName (special names keep their defects), for test servers of
// one's own that clients should trust through the lab CA.
func (l *Lab) Certificate(serverName string) (tls.Certificate, error) {
	c, err := l.certs.leaf(serverName)
	if err != nil {
		return tls.Certificate{}, err
	}
	return *c, nil
}

// DialContext dials 127.0.0.1 on addr's port whatever addr's host is, so
// an http.Transport can reach "www.lab.test:PORT" without any resolver.
func (l *Lab) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
}

// startHTTP starts the plain and TLS servers on their own loopback ports.
func (l *Lab) startHTTP() error {
	plainLn, err := l.listen()
	if err != nil {
		return err
	}
	// HTTPS and HTTP/3 share the port number, over TCP and UDP.
	tlsLn, udp, err := listenSamePort()
	if err != nil {
		return err
	}
	l.listeners = append(l.listeners, tlsLn)
	l.HTTPPort = plainLn.Addr().(*net.TCPAddr).Port
	l.HTTPSPort = tlsLn.Addr().(*net.TCPAddr).Port
	l.httpsPort.Store(int32(l.HTTPSPort)) // for the DNS handlers, already running

	l.tlsConfigs = newTLSConfigs(l.certs, l.sleep)
	h := l.handler()
	quiet := log.New(io.Discard, "", 0) // TLS failures are the point here, not news
	var h1, both http.Protocols
	h1.SetHTTP1(true)
	h1.SetUnencryptedHTTP2(true) // h2c with prior knowledge, for --http2-prior-knowledge
	both.SetHTTP1(true)
	both.SetHTTP2(true)
	plain := &http.Server{Handler: h, Protocols: &h1, ErrorLog: quiet, ReadHeaderTimeout: 10 * time.Second}
	secure := &http.Server{Handler: h, Protocols: &both, ErrorLog: quiet, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: l.tlsConfigs.server()}
	l.httpServers = append(l.httpServers, plain, secure)
	l.serving.Go(func() { plain.Serve(plainLn) })
	l.serving.Go(func() { secure.ServeTLS(tlsLn, "", "") })
	return l.startH3(h, udp)
}

func (l *Lab) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("tracetest: %w", err)
	}
	l.listeners = append(l.listeners, ln)
	return ln, nil
}

// writeFiles writes CAFile, ResolvConf and HostsFile into a temp dir.
func (l *Lab) writeFiles() error {
	dir, err := os.MkdirTemp("", "reqtrace-lab-")
	if err != nil {
		return fmt.Errorf("tracetest: %w", err)
	}
	l.dir = dir
	files := []struct {
		field *string
		name  string
		data  []byte
	}{
		{&l.CAFile, "ca.pem", l.CAPEM},
		{&l.ResolvConf, "resolv.conf", []byte("nameserver 127.0.0.1\noptions ndots:1 timeout:2\n")},
		{&l.HostsFile, "hosts", []byte("127.0.0.1 localhost\n127.0.0.1 hosts.lab.test\n")},
	}
	for _, f := range files {
		*f.field = filepath.Join(dir, f.name)
		if err := os.WriteFile(*f.field, f.data, 0o644); err != nil {
			return fmt.Errorf("tracetest: %w", err)
		}
	}
	return nil
}

// track registers a running handler so Close can wait for it; it reports
// false once Close has begun. A mutex rather than a bare WaitGroup, because
// Add must never race with Wait.
func (l *Lab) track() (done func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, false
	}
	l.active.Add(1)
	return l.active.Done, true
}

// sleep waits d, or less if ctx ends or the lab closes; it reports whether
// the whole d passed.
func (l *Lab) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-l.done:
		return false
	}
}
