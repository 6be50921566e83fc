package realtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The certificates come from the openssl CLI, not from Go's crypto, so the
// code under test did not write its own answer key.

// leafSANs are the names every server certificate (but "wrong") carries.
const leafSANs = "DNS:www.rt.test,DNS:localhost,DNS:*.rt.test,IP:127.0.0.1"

const caConf = `[ca]
default_ca = rt
[rt]
dir = %[1]s
database = %[1]s/index.txt
new_certs_dir = %[1]s/newcerts
serial = %[1]s/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
`

const extConf = `[ca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = ` + leafSANs + `
[wrong]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`

// pki is the files the CA wrote: NAME.crt, NAME.key (and NAME.pem, the
// certificate and its key in one file, for haproxy) for each name.
type pki struct{ dir string }

func (p pki) crt(name string) string { return filepath.Join(p.dir, name+".crt") }
func (p pki) key(name string) string { return filepath.Join(p.dir, name+".key") }
func (p pki) pem(name string) string { return filepath.Join(p.dir, name+".pem") }

// CA is the root every client here trusts (--cacert).
func (p pki) CA() string { return p.crt("ca") }

// makePKI writes: ca (the root), inter (an intermediate), valid (leaf of
// the root), chained (leaf of the intermediate; chained-full.crt has the
// intermediate too), expired, notyet, wrong (named wrong.example),
// selfsigned, rsa (an RSA leaf, for the TLS 1.2-only server) and client
// (for mTLS).
func makePKI(dir string) (pki, error) {
	p := pki{dir: dir}
	os.MkdirAll(filepath.Join(dir, "newcerts"), 0o755)
	os.WriteFile(filepath.Join(dir, "index.txt"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "serial"), []byte("1000\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ca.cnf"), []byte(fmt.Sprintf(caConf, dir)), 0o644)
	os.WriteFile(filepath.Join(dir, "ext.cnf"), []byte(extConf), 0o644)
	ec := []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"}
	steps := [][]string{
		append(append([]string{"req", "-x509", "-nodes"}, ec...), "-keyout", p.key("ca"), "-out", p.crt("ca"),
			"-subj", "/CN=realtest Root CA", "-days", "3650",
			"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"),
		append(append([]string{"req", "-x509", "-nodes"}, ec...), "-keyout", p.key("selfsigned"), "-out", p.crt("selfsigned"),
			"-subj", "/CN=www.rt.test", "-days", "365", "-addext", "subjectAltName="+leafSANs),
	}
	for _, s := range steps {
		if err := openssl(dir, s...); err != nil {
			return p, err
		}
	}
	type leaf struct {
		name, issuer, ext, keyAlg, start, end string
	}
	leaves := []leaf{
		{"inter", "ca", "ca", "ec", "", ""},
		{"valid", "ca", "leaf", "ec", "", ""},
		{"chained", "inter", "leaf", "ec", "", ""},
		{"expired", "ca", "leaf", "ec", "20200101000000Z", "20210101000000Z"},
		{"notyet", "ca", "leaf", "ec", "20990101000000Z", "21000101000000Z"},
		{"wrong", "ca", "wrong", "ec", "", ""},
		{"rsa", "ca", "leaf", "rsa", "", ""},
		{"client", "ca", "client", "ec", "", ""},
	}
	for _, l := range leaves {
		keyArgs := ec
		if l.keyAlg == "rsa" {
			keyArgs = []string{"-newkey", "rsa:2048"}
		}
		csr := filepath.Join(dir, l.name+".csr")
		cn := "www.rt.test"
		if l.name == "inter" {
			cn = "realtest Intermediate CA"
		} else if l.name == "client" {
			cn = "realtest client"
		}
		if err := openssl(dir, append(append([]string{"req", "-new", "-nodes"}, keyArgs...),
			"-keyout", p.key(l.name), "-out", csr, "-subj", "/CN="+cn)...); err != nil {
			return p, err
		}
		args := []string{"ca", "-batch", "-notext", "-config", filepath.Join(dir, "ca.cnf"),
			"-cert", p.crt(l.issuer), "-keyfile", p.key(l.issuer), "-in", csr, "-out", p.crt(l.name),
			"-extfile", filepath.Join(dir, "ext.cnf"), "-extensions", l.ext}
		if l.start != "" {
			args = append(args, "-startdate", l.start, "-enddate", l.end)
		} else {
			args = append(args, "-days", "365")
		}
		if err := openssl(dir, args...); err != nil {
			return p, err
		}
	}
	if err := concat(filepath.Join(dir, "chained-full.crt"), p.crt("chained"), p.crt("inter")); err != nil {
		return p, err
	}
	for _, n := range []string{"valid", "chained", "rsa", "client"} {
		if err := concat(p.pem(n), p.crt(n), p.key(n)); err != nil {
			return p, err
		}
	}
	return p, nil
}

func openssl(dir string, args ...string) error {
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("openssl %s: %v\n%s", strings.Join(args[:2], " "), err, out)
	}
	return nil
}

func concat(dst string, srcs ...string) error {
	var all []byte
	for _, s := range srcs {
		b, err := os.ReadFile(s)
		if err != nil {
			return err
		}
		all = append(all, b...)
	}
	return os.WriteFile(dst, all, 0o644)
}
