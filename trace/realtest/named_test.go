package realtest

import (
	"fmt"
	"os"
	"path/filepath"
)

// bind9's zones. rt.test: the SOA's own TTL (300) is above its MINIMUM
// (120), so a negative answer may be cached 120 s; search.test (the second
// zone of the search list): the SOA's TTL (60) is below its MINIMUM
// (3600), so 60 s. broken.test does not load: bind9 answers SERVFAIL.
// Any other name is outside bind9's zones and, with recursion off, REFUSED.
const rtZone = `$TTL 300
@       IN SOA ns.rt.test. hostmaster.rt.test. 2026120301 3600 600 86400 120
        IN NS   ns.rt.test.
ns      IN A    127.0.0.1
www     IN A    127.0.0.1
v6      IN AAAA ::1
dual    IN A    127.0.0.1
dual    IN AAAA ::1
multi   IN A    127.0.0.1
multi   IN A    127.0.0.2
multi   IN A    127.0.0.3
step1   IN CNAME step2
step2   IN CNAME step3
step3   IN CNAME www
txt     IN TXT  "hello world" "second string"
long 604800 IN A 127.0.0.1
textonly IN TXT "no address here"
xn--bcher-kva IN A 127.0.0.1
svc     IN A    127.0.0.1
svc     IN HTTPS 1 . alpn=h2 no-default-alpn port=443
alias   IN A    127.0.0.1
`

// httpsZone holds the HTTPS records (RFC 9460) for port "closed", the
// port-prefixed names a client asks for https://svc.rt.test:PORT/.
// The ech value is a well-formed ECHConfigList's base64; reqtrace says
// only that one is there.
const httpsZone = `_%[1]d._https.svc IN HTTPS 1 . alpn="h3,h2" port=8443 ipv4hint=127.0.0.1,127.0.0.2 ech="AEn+DQBFKwAgACABWIHUGj4u+PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA" ipv6hint=::1
_%[1]d._https.svc IN HTTPS 2 svc2.rt.test. alpn=h2
_%[1]d._https.alias IN HTTPS 0 svc.rt.test.
`

const searchZone = `$TTL 300
@    60 IN SOA ns.search.test. hostmaster.search.test. 7 3600 600 86400 3600
        IN NS  ns.rt.test.
only    IN A   127.0.0.7
`

const namedConf = `options {
	directory "%[1]s";
	pid-file "%[1]s/named.pid";
	session-keyfile "%[1]s/session.key";
	managed-keys-directory "%[1]s";
	listen-on port %[2]d { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
	allow-query { any; };
	minimal-responses no;
};
controls { };
zone "rt.test" { type primary; file "%[1]s/rt.test.zone"; };
zone "search.test" { type primary; file "%[1]s/search.test.zone"; };
zone "broken.test" { type primary; file "%[1]s/broken.test.zone"; };
`

func startNamed(e *env) error {
	d := filepath.Join(e.dir, "named")
	os.MkdirAll(d, 0o755)
	os.WriteFile(filepath.Join(d, "rt.test.zone"), []byte(rtZone+fmt.Sprintf(httpsZone, e.port("closed"))), 0o644)
	os.WriteFile(filepath.Join(d, "search.test.zone"), []byte(searchZone), 0o644)
	os.WriteFile(filepath.Join(d, "broken.test.zone"), []byte("this is not a zone file\n"), 0o644)
	p, ports, err := startServer("named", 1, func(ports []int) (*proc, error) {
		conf := filepath.Join(d, "named.conf")
		if err := os.WriteFile(conf, []byte(fmt.Sprintf(namedConf, d, ports[0])), 0o644); err != nil {
			return nil, err
		}
		return start("named", filepath.Join(d, "named.log"), nil, "named", "-g", "-n", "1", "-c", conf)
	})
	return e.started("named", p, ports, []string{"dns"}, "", err)
}
