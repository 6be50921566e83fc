package trace_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// TestTLSGroupNamesAgreeWithOpenSSL runs openssl s_server limited to one
// group and asks both openssl s_client and reqtrace which group the
// handshake used: the names must be the same, as OpenSSL and the IANA
// registry spell them (OpenSSL 3.0 calls secp256r1 by its alias
// prime256v1). X25519MLKEM768 needs OpenSSL 3.5; the lab (Go) checks it.
func TestTLSGroupNamesAgreeWithOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("openssl not found, and .ci/run should have installed it")
		}
		t.Skip("openssl not found")
	}
	lab := tracetest.New(t)
	cert, key := serverFiles(t, lab)
	alias := map[string]string{"prime256v1": "secp256r1"}
	for _, group := range []string{"X25519", "secp256r1", "secp384r1", "secp521r1"} {
		for _, version := range []string{"-tls1_3", "-tls1_2"} {
			port := sServer(t, openssl, "-cert", cert, "-key", key, "-groups", group, version, "-www")
			theirs := sClientGroup(t, openssl, port, version)
			if a, ok := alias[theirs]; ok {
				theirs = a
			}
			res := run(t, lab, "https://www.lab.test:"+strconv.Itoa(port)+"/", func(o *trace.Options) {
				o.Resolve = []trace.ResolveEntry{mustResolve(t, "www.lab.test:"+strconv.Itoa(port)+":127.0.0.1")}
			})
			if len(res.Hops) == 0 || res.Hops[0].TLS == nil {
				t.Fatalf("%s %s: no TLS: %+v", group, version, res.Err)
			}
			if ours := res.Hops[0].TLS.Group; ours != theirs || ours != group {
				t.Errorf("%s %s: openssl says %q, reqtrace %q", group, version, theirs, ours)
			}
		}
	}
	hop := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/")))
	if hop.TLS.Group != "X25519MLKEM768" {
		t.Errorf("Go's default group against the lab: %q", hop.TLS.Group)
	}
}

func mustResolve(t *testing.T, s string) trace.ResolveEntry {
	t.Helper()
	e, err := trace.ParseResolve(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// serverFiles writes a leaf for www.lab.test, signed by the lab's CA, and
// its key as PEM files for openssl.
func serverFiles(t *testing.T, lab *tracetest.Lab) (cert, key string) {
	t.Helper()
	c, err := lab.MintCertificate(&x509.Certificate{Subject: pkix.Name{CommonName: "www.lab.test"}, DNSNames: []string{"www.lab.test"}})
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// sServer starts openssl s_server on an ephemeral port of 127.0.0.1 and
// returns the port; the test's cleanup stops it by PID.
func sServer(t *testing.T, openssl string, args ...string) int {
	t.Helper()
	cmd := exec.Command(openssl, append([]string{"s_server", "-accept", "127.0.0.1:0", "-naccept", "4"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "ACCEPT "); ok {
				lines <- rest
				break
			}
		}
		for sc.Scan() { // keep draining: s_server blocks on a full pipe
		}
	}()
	select {
	case addr := <-lines:
		port, err := strconv.Atoi(addr[strings.LastIndexByte(addr, ':')+1:])
		if err != nil {
			t.Fatalf("s_server said ACCEPT %q", addr)
		}
		return port
	case <-time.After(10 * time.Second):
		t.Fatal("openssl s_server did not start")
	}
	return 0
}

var tempKey = regexp.MustCompile(`Server Temp Key: (?:ECDH, )?([A-Za-z0-9_-]+),`)

// sClientGroup connects with openssl s_client and returns the group it
// reports ("Server Temp Key: X25519, 253 bits", "ECDH, secp384r1, ...").
func sClientGroup(t *testing.T, openssl string, port int, version string) string {
	t.Helper()
	cmd := exec.Command(openssl, "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(port), "-servername", "www.lab.test", version)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	m := tempKey.FindSubmatch(out)
	if m == nil {
		t.Fatalf("s_client (%v) printed no Server Temp Key:\n%s", err, out)
	}
	return string(m[1])
}
