package realtest

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// DNS HTTPS records (RFC 9460): reqtrace's parsed fields against dig's
// presentation of the same records from bind9, field by field.

// rtHTTPS is the part of reqtrace's --json the HTTPS tests read.
type rtHTTPS struct {
	Hops []struct {
		DNS *struct {
			HTTPSName  *string `json:"https_name"`
			HTTPSError *string `json:"https_error"`
			HTTPS      []struct {
				Name     string   `json:"name"`
				TTL      int      `json:"ttl"`
				Priority int      `json:"priority"`
				Target   string   `json:"target"`
				ALPN     []string `json:"alpn"`
				NoDefALP bool     `json:"no_default_alpn"`
				Port     *int     `json:"port"`
				IPv4Hint []string `json:"ipv4hint"`
				IPv6Hint []string `json:"ipv6hint"`
				ECH      bool     `json:"ech"`
				Via      *string  `json:"via"`
			} `json:"https"`
		} `json:"dns"`
	} `json:"hops"`
}

// svcbFields reads dig's presentation of an HTTPS record's data:
// "PRIORITY TARGET key=value ...", values unquoted.
type svcbFields struct {
	priority      int
	target        string
	alpn          []string
	noDefaultALPN bool
	port          *int
	ipv4, ipv6    []string
	ech           bool
	name          string
	ttl           int
}

func parseDigHTTPS(rr string) svcbFields {
	f := strings.Fields(rr) // name ttl HTTPS priority target params...
	var s svcbFields
	s.name, s.target = f[0], f[4]
	s.ttl, _ = strconv.Atoi(f[1])
	s.priority, _ = strconv.Atoi(f[3])
	for _, kv := range f[5:] {
		k, v, _ := strings.Cut(kv, "=")
		v = strings.Trim(v, `"`)
		switch k {
		case "alpn":
			s.alpn = strings.Split(v, ",")
		case "no-default-alpn":
			s.noDefaultALPN = true
		case "port":
			p, _ := strconv.Atoi(v)
			s.port = &p
		case "ipv4hint":
			s.ipv4 = strings.Split(v, ",")
		case "ipv6hint":
			s.ipv6 = strings.Split(v, ",")
		case "ech":
			s.ech = v != ""
		}
	}
	return s
}

func TestHTTPSRecords(t *testing.T) {
	need(t, "named", "dig")
	needUnshare(t)
	conf := "nameserver 127.0.0.1\noptions ndots:1 timeout:2 attempts:1\n"
	port := itoa(e.port("closed"))
	for _, host := range []string{"svc.rt.test", "alias.rt.test"} {
		t.Run(host, func(t *testing.T) {
			// Nothing listens on "closed": the trace ends at connect, after DNS.
			r := resolvConf(t, conf, e.bin, "--json", "--connect-timeout", "3", "--dns-servers", "127.0.0.1:"+itoa(e.port("dns")), "https://"+host+":"+port+"/")
			var doc rtHTTPS
			if err := json.Unmarshal(r.stdout, &doc); err != nil || len(doc.Hops) == 0 || doc.Hops[0].DNS == nil {
				t.Fatalf("reqtrace --json: %v\n%s\n%s", err, r.stdout, r.stderr)
			}
			got := doc.Hops[0].DNS
			d := newDiff(t, "HTTPS "+host)
			qname := "_" + port + "._https." + host + "."
			d.eq("dns.https_name", deref2(got.HTTPSName), qname)
			d.eq("dns.https_error", deref2(got.HTTPSError), "")
			var want []svcbFields
			for _, rr := range dig(t, conf, qname, "HTTPS")[0].answer {
				want = append(want, parseDigHTTPS(rr))
			}
			sort.Slice(want, func(i, j int) bool { return want[i].priority < want[j].priority })
			if want[0].priority == 0 { // AliasMode: the target's records, as dig gives them
				for _, rr := range dig(t, conf, want[0].target, "HTTPS")[0].answer {
					want = append(want, parseDigHTTPS(rr))
				}
			}
			if !d.eq("dns.https count", len(got.HTTPS), len(want)) {
				return
			}
			for i, g := range got.HTTPS {
				w, at := want[i], "dns.https["+strconv.Itoa(i)+"]."
				d.eq(at+"name", g.Name, w.name)
				d.eq(at+"ttl", g.TTL, w.ttl)
				d.eq(at+"priority", g.Priority, w.priority)
				d.eq(at+"target", g.Target, w.target)
				d.eq(at+"alpn", orNil(g.ALPN), w.alpn)
				d.eq(at+"no_default_alpn", g.NoDefALP, w.noDefaultALPN)
				d.eq(at+"port", deref(g.Port), deref(w.port))
				d.eq(at+"ipv4hint", orNil(g.IPv4Hint), w.ipv4)
				d.eq(at+"ipv6hint", orNil(g.IPv6Hint), w.ipv6)
				d.eq(at+"ech", g.ECH, w.ech)
			}
			if strings.Contains(string(r.stdout), "AEn+DQ") {
				t.Errorf("the ECH bytes are in the JSON")
			}
		})
	}
}

func deref2(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func orNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
