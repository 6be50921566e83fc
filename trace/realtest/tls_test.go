package realtest

import (
	"crypto/tls"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TLS: what reqtrace reports about its own handshake, judged by the
// server's log of that very connection (version, cipher, group, ALPN,
// client certificate, resumption) and by openssl s_client against the
// same port (the chain the server sends, ALPN, whether it verifies).

type rtTLS struct {
	Version      string `json:"version"`
	Cipher       string `json:"cipher_suite"`
	ALPN         string `json:"alpn"`
	Group        string `json:"group"`
	Resumed      bool   `json:"resumed"`
	Verified     bool   `json:"verified"`
	Certificates []struct {
		Subject, Issuer string
	} `json:"certificates"`
}

type rtDoc struct {
	Hops []struct {
		TLS *rtTLS `json:"tls"`
	} `json:"hops"`
	Runs []rtDoc `json:"runs"`
}

type tlsCase struct {
	name, port, judge string
	args              []string // more reqtrace and s_client flags: -E/--key
	ok                bool     // the chain verifies
}

var tlsCases = []tlsCase{
	{"nginx valid", "nginx.valid", "nginx", nil, true},
	{"nginx chain with intermediate", "nginx.chained", "nginx", nil, true},
	{"nginx missing intermediate", "nginx.nochain", "", nil, false},
	{"nginx expired", "nginx.expired", "", nil, false},
	{"nginx not yet valid", "nginx.notyet", "", nil, false},
	{"nginx self-signed", "nginx.selfsigned", "", nil, false},
	{"nginx TLS 1.2-only RSA secp384r1", "nginx.tls12", "nginx", nil, true},
	{"nginx TLS 1.3-only", "nginx.tls13", "nginx", nil, true},
	{"nginx mTLS", "nginx.mtls", "nginx", []string{"client"}, true},
	{"apache2 h2", "apache.https", "apache2", nil, true},
	{"haproxy h2", "haproxy.https", "haproxy", nil, true},
	{"caddy h2", "caddy.https", "caddy", nil, true},
}

func TestTLS(t *testing.T) {
	for _, c := range tlsCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			need(t, serverOf(c.port))
			c.run(t)
		})
	}
}

func (c tlsCase) run(t *testing.T) {
	port := itoa(e.port(c.port))
	id := "t-" + strings.ReplaceAll(c.name, " ", "-")
	args := []string{"--json", "-k", "-H", "X-Run: " + id, "--cacert", e.pki.CA(), "--resolve", "www.rt.test:" + port + ":127.0.0.1"}
	sargs := []string{"s_client", "-connect", "127.0.0.1:" + port, "-servername", "www.rt.test", "-CAfile", e.pki.CA(),
		"-verify_hostname", "www.rt.test", "-alpn", "h2,http/1.1", "-showcerts"}
	if len(c.args) > 0 {
		args = append(args, "-E", e.pki.crt("client"), "--key", e.pki.key("client"))
		sargs = append(sargs, "-cert", e.pki.crt("client"), "-key", e.pki.key("client"))
	}
	r := reqtrace(t, append(args, "https://www.rt.test:"+port+"/")...)
	var doc rtDoc
	if err := json.Unmarshal(r.stdout, &doc); err != nil || len(doc.Hops) == 0 || doc.Hops[0].TLS == nil {
		t.Fatalf("reqtrace --json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	got := doc.Hops[0].TLS
	d := newDiff(t, c.name)

	s := sClient(t, sargs...)
	d.eq("tls chain", chainOf(got), s.chain)
	d.eq("tls alpn (openssl)", got.ALPN, s.alpn)
	d.eq("tls verified (openssl)", got.Verified, s.verify == 0)
	d.eq("tls verified", got.Verified, c.ok)
	if c.judge == "" {
		return
	}
	rt := serverLines(c.judge, id)
	if !d.eq("log lines", len(rt), 1) {
		return
	}
	col := columns(c.judge, rt[0])
	d.eq("tls version (server log)", got.Version, tlsVersionName(col["tls version"]))
	d.eq("tls cipher (server log)", got.Cipher, cipherName(col["tls cipher"]))
	if g, ok := col["tls group"]; ok {
		d.eq("tls group (server log)", groupName(got.Group), groupName(g))
	}
	if a, ok := col["alpn"]; ok {
		d.eq("tls alpn (server log)", got.ALPN, a)
	}
	if cert, ok := col["client cert"]; ok && len(c.args) > 0 {
		d.eq("client certificate (server log)", cert, "CN=realtest client")
	}
}

// serverOf is the server a port name belongs to ("apache.https": apache2).
func serverOf(port string) string {
	s := strings.SplitN(port, ".", 2)[0]
	if s == "apache" {
		return "apache2"
	}
	return s
}

// TestTLSResumption: with -n 2 --fresh the second run opens a new
// connection and, as curl and browsers do, resumes the TLS session; the
// server's log says whether it did.
func TestTLSResumption(t *testing.T) {
	need(t, "nginx")
	port := itoa(e.port("nginx.tls13"))
	id := "t-resumption"
	r := reqtrace(t, "--json", "-n", "2", "--fresh", "-H", "X-Run: "+id, "--cacert", e.pki.CA(),
		"--resolve", "www.rt.test:"+port+":127.0.0.1", "https://www.rt.test:"+port+"/")
	var doc rtDoc
	if err := json.Unmarshal(r.stdout, &doc); err != nil || len(doc.Runs) != 2 {
		t.Fatalf("reqtrace -n 2 --json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	d := newDiff(t, "resumption")
	lines := serverLines("nginx", id)
	if !d.eq("log lines", len(lines), 2) {
		return
	}
	for i, run := range doc.Runs {
		col := columns("nginx", lines[i])
		d.eq("run "+itoa(i+1)+" tls resumed (server log)", run.Hops[0].TLS.Resumed, col["session reused"] == "r")
	}
	d.eq("run 2 resumes", doc.Runs[1].Hops[0].TLS.Resumed, true)
}

// serverLines are the server's access-log lines whose id is id.
func serverLines(server, id string) []string {
	var out []string
	for _, l := range strings.Split(string(must(os.ReadFile(e.logs[server]))), "\n") {
		if l = accessLine(server, l); strings.HasPrefix(l, id+"|") {
			out = append(out, l)
		}
	}
	return out
}

func columns(server, line string) map[string]string {
	f := strings.Split(line, "|")[1:]
	m := map[string]string{}
	for i, name := range logColumns[server] {
		if i < len(f) {
			m[name] = f[i]
		}
	}
	return m
}

func must(b []byte, _ error) []byte { return b }

func chainOf(t *rtTLS) []string {
	var out []string
	for _, c := range t.Certificates {
		out = append(out, c.Subject+" / "+c.Issuer)
	}
	return out
}

type sClientOut struct {
	chain  []string
	alpn   string
	verify int
}

// sClient runs openssl s_client and reads the chain it printed
// (" 0 s:CN = a" then "   i:CN = b"), the ALPN and the verify code.
func sClient(t *testing.T, args ...string) sClientOut {
	t.Helper()
	r := runIn(t, "", nil, append([]string{"openssl"}, args...)...)
	var o sClientOut
	o.verify = -1
	var subject string
	for _, line := range strings.Split(string(r.stdout), "\n") {
		l := strings.TrimSpace(line)
		switch {
		case len(l) > 4 && l[0] >= '0' && l[0] <= '9' && strings.Contains(l, " s:"):
			subject = dn(l[strings.Index(l, " s:")+3:])
		case strings.HasPrefix(l, "i:") && subject != "":
			o.chain = append(o.chain, subject+" / "+dn(l[2:]))
			subject = ""
		case strings.HasPrefix(l, "ALPN protocol: "):
			o.alpn = strings.TrimPrefix(l, "ALPN protocol: ")
		case strings.HasPrefix(l, "Verify return code: "):
			o.verify, _ = strconv.Atoi(strings.Fields(strings.TrimPrefix(l, "Verify return code: "))[0])
		}
	}
	if o.verify < 0 {
		t.Fatalf("openssl s_client: no verify code:\n%s\n%s", r.stdout, r.stderr)
	}
	return o
}

// dn turns OpenSSL's "CN = a, O = b" into Go's "CN=a,O=b".
func dn(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "   "); i >= 0 { // s_client appends key and signature details
		s = s[:i]
	}
	return strings.NewReplacer(" = ", "=", ", ", ",").Replace(s)
}

func tlsVersionName(s string) string {
	return map[string]string{"TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3", "303": "TLS 1.2", "304": "TLS 1.3"}[s]
}

var (
	stdNamesOnce sync.Once
	stdNames     map[string]string // OpenSSL cipher name -> IANA name
)

// cipherName gives the IANA name of a cipher as a server logged it:
// OpenSSL's name (mapped by `openssl ciphers -stdname`, the reference's
// own table), or caddy's number in hex.
func cipherName(s string) string {
	if n, err := strconv.ParseUint(s, 16, 16); err == nil && !strings.Contains(s, "-") && !strings.Contains(s, "_") {
		return tls.CipherSuiteName(uint16(n))
	}
	stdNamesOnce.Do(func() {
		stdNames = map[string]string{}
		out, _ := exec.Command("openssl", "ciphers", "-stdname", "ALL").Output()
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) >= 3 && f[1] == "-" {
				stdNames[f[2]] = f[0]
			}
		}
	})
	if n, ok := stdNames[s]; ok {
		return n
	}
	return s
}

// groupName folds the two spellings of P-256 (IANA secp256r1, OpenSSL
// prime256v1) into one.
func groupName(s string) string {
	if s == "prime256v1" {
		return "secp256r1"
	}
	return s
}
