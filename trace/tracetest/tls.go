package tracetest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"time"
)

// tlsConfigs are the server configurations the HTTPS server picks from per
// ClientHello.
type tlsConfigs struct {
	standard *tls.Config // TLS 1.2-1.3, ALPN h2 and http/1.1
	h1only   *tls.Config // ALPN http/1.1 only
	tls12    *tls.Config // TLS 1.2 at most
	mtls     *tls.Config // wants a client certificate issued by the lab CA
	sleep    func(context.Context, time.Duration) bool
}

func newTLSConfigs(certs *certStore, sleep func(context.Context, time.Duration) bool) tlsConfigs {
	mk := func(maxVersion uint16, protos ...string) *tls.Config {
		return &tls.Config{
			GetCertificate: certs.getCertificate,
			MinVersion:     tls.VersionTLS12,
			MaxVersion:     maxVersion,
			NextProtos:     protos,
		}
	}
	mtls := mk(0, "h2", "http/1.1")
	mtls.ClientAuth = tls.RequireAndVerifyClientCert
	mtls.ClientCAs = x509.NewCertPool()
	mtls.ClientCAs.AddCert(certs.ca.cert)
	return tlsConfigs{
		standard: mk(0, "h2", "http/1.1"),
		h1only:   mk(0, "http/1.1"),
		tls12:    mk(tls.VersionTLS12, "h2", "http/1.1"),
		mtls:     mtls,
		sleep:    sleep,
	}
}

// server is the http.Server's TLSConfig: it hands each handshake to
// configFor. Session ticket keys come from this config, so resumption
// works across the per-name configs.
func (c tlsConfigs) server() *tls.Config {
	cfg := c.standard.Clone()
	cfg.GetConfigForClient = c.configFor
	return cfg
}

// configFor applies tlsdelay-N (sleeping here delays the whole handshake,
// as the client waits for the ServerHello) and picks the config for the SNI.
func (c tlsConfigs) configFor(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	n := parseName(hello.ServerName)
	if !c.sleep(hello.Context(), n.tlsDelay) {
		return nil, errClosing
	}
	switch n.kind {
	case "h1only":
		return c.h1only, nil
	case "tls12":
		return c.tls12, nil
	case "mtls":
		return c.mtls, nil
	}
	return c.standard, nil
}

// errClosing fails a handshake the lab abandoned because it is closing.
var errClosing = errors.New("tracetest: handshake abandoned")
