package realtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// DNS: reqtrace's resolver against bind9, judged by dig on the same names.

// digMsg is one DNS message as dig prints it.
type digMsg struct {
	status, flags, question string
	answer, authority       []string // "name ttl TYPE value"
	soaTTL, soaMin          int      // the authority's SOA, when there is one
}

func parseDig(out string) []digMsg {
	var msgs []digMsg
	var m *digMsg
	section := ""
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, ";; ->>HEADER<<-"):
			msgs = append(msgs, digMsg{soaTTL: -1})
			m = &msgs[len(msgs)-1]
			if i := strings.Index(line, "status: "); i >= 0 {
				m.status = strings.TrimSuffix(strings.Fields(line[i+8:])[0], ",")
			}
			section = ""
		case m == nil:
		case strings.HasPrefix(line, ";; flags: "):
			m.flags = strings.TrimSpace(strings.SplitN(strings.TrimPrefix(line, ";; flags: "), ";", 2)[0])
		case strings.HasPrefix(line, ";; ") && strings.HasSuffix(line, " SECTION:"):
			section = strings.Fields(line)[1]
		case section == "QUESTION" && strings.HasPrefix(line, ";"):
			m.question = strings.Fields(line[1:])[0]
		case line == "" || strings.HasPrefix(line, ";"):
		default:
			f := strings.Fields(line)
			if len(f) < 5 {
				continue
			}
			rr := strings.Join([]string{f[0], f[1], f[3], strings.Join(f[4:], " ")}, " ")
			switch section {
			case "ANSWER":
				m.answer = append(m.answer, rr)
			case "AUTHORITY":
				if f[3] == "SOA" && len(f) >= 11 {
					m.authority = append(m.authority, rr)
					m.soaTTL, _ = strconv.Atoi(f[1])
					m.soaMin, _ = strconv.Atoi(f[10])
				}
			}
		}
	}
	return msgs
}

// rtDNS is the part of reqtrace's --json the DNS tests read.
type rtDNS struct {
	Hops []struct {
		DNS *struct {
			Name      string   `json:"name"`
			Rcode     string   `json:"rcode"`
			Addresses []string `json:"addresses"`
			Records   []rtRR   `json:"records"`
			Authority []rtRR   `json:"authority"`
			NegTTL    *int     `json:"negative_ttl"`
			Queries   []struct {
				Name, Type, Rcode, Flags string
				Error                    *string
			} `json:"queries"`
		} `json:"dns"`
	} `json:"hops"`
	Error *struct{ Phase, Kind, Message string } `json:"error"`
}

type rtRR struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	TTL   int    `json:"ttl"`
	Value string `json:"value"`
}

func (r rtRR) String() string {
	return r.Name + " " + strconv.Itoa(r.TTL) + " " + r.Type + " " + r.Value
}

// resolvConf runs argv with /etc/resolv.conf replaced by conf, in a mount
// namespace of its own (unshare -m), so the machine's search list does
// not leak into the test and the test's does not leak out.
func resolvConf(t *testing.T, conf string, argv ...string) ran {
	t.Helper()
	path := filepath.Join(t.TempDir(), "resolv.conf")
	os.WriteFile(path, []byte(conf), 0o644)
	wrap := []string{"unshare", "-m", "sh", "-c", `mount --bind "$0" /etc/resolv.conf && exec "$@"`, path}
	return runIn(t, "", []string{"LC_ALL=C.UTF-8"}, append(wrap, argv...)...)
}

func needUnshare(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("unshare", "-m", "true").CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("unshare -m: %v %s (CI runs as root)", err, out)
		}
		t.Skipf("unshare -m: %v %s: the DNS tests need root for a resolv.conf of their own", err, out)
	}
}

func dig(t *testing.T, conf string, args ...string) []digMsg {
	t.Helper()
	base := []string{"dig", "@127.0.0.1", "-p", itoa(e.port("dns")), "+idnin", "+noidnout", "+noall", "+comments", "+question", "+answer", "+authority"}
	r := resolvConf(t, conf, append(base, args...)...)
	msgs := parseDig(string(r.stdout))
	if len(msgs) == 0 {
		t.Fatalf("dig %q: no answer: %s %s", args, r.stdout, r.stderr)
	}
	return msgs
}

type dnsCase struct {
	name, host string
	search     string // resolv.conf's search line ("" for none)
}

var dnsCases = []dnsCase{
	{"A", "www.rt.test", ""},
	{"AAAA", "v6.rt.test", ""},
	{"A and AAAA", "dual.rt.test", ""},
	{"several A", "multi.rt.test", ""},
	{"CNAME chain", "step1.rt.test", ""},
	{"long TTL", "long.rt.test", ""},
	{"no address (TXT only)", "textonly.rt.test", ""},
	{"NXDOMAIN", "nope.rt.test", ""},
	{"NXDOMAIN SOA TTL below MINIMUM", "nope.search.test", ""},
	{"REFUSED", "outside.example", ""},
	{"SERVFAIL", "www.broken.test", ""},
	{"IDNA", "bücher.rt.test", ""},
	{"search list second zone", "only", "rt.test search.test"},
	{"search list all fail", "missing", "rt.test search.test"},
	{"search list dotted name NXDOMAIN", "nope.rt.test", "search.test"},
}

func TestDNS(t *testing.T) {
	need(t, "named", "dig", "nginx")
	needUnshare(t)
	for _, c := range dnsCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t)
		})
	}
}

func (c dnsCase) run(t *testing.T) {
	conf := "nameserver 127.0.0.1\noptions ndots:1 timeout:2 attempts:1\n"
	if c.search != "" {
		conf = "search " + c.search + "\n" + conf
	}
	url := "http://" + c.host + ":" + itoa(e.port("nginx.http")) + "/"
	r := resolvConf(t, conf, e.bin, "--json", "--connect-timeout", "3", "--dns-servers", "127.0.0.1:"+itoa(e.port("dns")), url)
	var doc rtDNS
	if err := json.Unmarshal(r.stdout, &doc); err != nil || len(doc.Hops) == 0 || doc.Hops[0].DNS == nil {
		t.Fatalf("reqtrace --json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	got := doc.Hops[0].DNS
	d := newDiff(t, c.name)

	// Every query reqtrace sent: dig sends the same one.
	for _, q := range got.Queries {
		m := dig(t, conf, q.Name, q.Type)[0]
		d.eq("query "+q.Name+" "+q.Type+" rcode", q.Rcode, m.status)
		d.eq("query "+q.Name+" "+q.Type+" flags", q.Flags, m.flags)
	}

	// The final answer, as dig +search gives it (the last message).
	var want []digMsg
	for _, typ := range []string{"A", "AAAA"} {
		args := []string{c.host, typ}
		if c.search != "" {
			args = append(args, "+search")
		}
		msgs := dig(t, conf, args...)
		want = append(want, msgs[len(msgs)-1])
	}
	a := want[0]
	d.eq("dns.name", got.Name, a.question)
	d.eq("dns.rcode", got.Rcode, a.status)
	var records, wantRecords, addrs, wantAddrs []string
	for _, rr := range got.Records {
		records = append(records, rr.String())
	}
	seen := map[string]bool{}
	for _, m := range want {
		for _, rr := range m.answer {
			if !seen[rr] {
				seen[rr] = true
				wantRecords = append(wantRecords, rr)
				if f := strings.Fields(rr); f[2] == "A" || f[2] == "AAAA" {
					wantAddrs = append(wantAddrs, f[3])
				}
			}
		}
	}
	addrs = append(addrs, got.Addresses...)
	sort.Strings(records)
	sort.Strings(wantRecords)
	sort.Strings(addrs)
	sort.Strings(wantAddrs)
	d.eq("dns.records", records, wantRecords)
	d.eq("dns.addresses", addrs, wantAddrs)
	if len(wantAddrs) == 0 {
		var auth []string
		for _, rr := range got.Authority {
			auth = append(auth, rr.String())
		}
		d.eq("dns.authority", auth, a.authority)
		var wantNeg *int
		if a.soaTTL >= 0 {
			n := min(a.soaTTL, a.soaMin)
			wantNeg = &n
		}
		d.eq("dns.negative_ttl", deref(got.NegTTL), deref(wantNeg))
		// curl's exit code for a name that does not resolve.
		d.eq("exit code", r.code, 6)
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
