package realtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The system resolver path: curl resolves through glibc (getaddrinfo, the
// machine's resolv.conf), so the only way to point it at bind9 is a
// network namespace where bind9 listens on 127.0.0.1:53 and resolv.conf is
// the test's. There both tools read the same resolv.conf (search list,
// timeout) and fail the same ways; the exit codes and the address reached
// are compared. The namespace has its own PID space: whatever runs in it
// dies with it.

// netnsScript runs inside the namespace: $1 the directory, then the
// names. It starts named on :53 and a silent DNS port, asks each name of
// both tools (written to DIR/TOOL-N.out), then the names again with a
// resolv.conf whose only server never answers.
const netnsScript = `set -e
dir=$1; shift
ip link set lo up
ip addr add 127.0.0.3/8 dev lo 2>/dev/null || true
mount --bind "$dir/resolv.conf" /etc/resolv.conf
named -g -n 1 -c "$dir/named.conf" > "$dir/named.log" 2>&1 &
python3 -c 'import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.3", 53)); time.sleep(120)' &
i=0
until dig +time=1 +tries=1 @127.0.0.1 www.rt.test +short 2>/dev/null | grep -q 127; do
	i=$((i+1)); [ $i -lt 100 ] || { echo "named did not start"; cat "$dir/named.log"; exit 9; }; sleep 0.1
done
set +e
ask() { # ask TAG NAME
	curl -q -s -o /dev/null -w '%{exitcode}|%{remote_ip}' "http://$2:1/" > "$dir/curl-$1.out"
	"$dir/reqtrace" -s -o /dev/null -w '%{exitcode}|%{remote_ip}' "http://$2:1/" > "$dir/reqtrace-$1.out"
}
n=0
for name in "$@"; do ask "$n" "$name"; n=$((n+1)); done
mount --bind "$dir/resolv-silent.conf" /etc/resolv.conf
ask silent www.rt.test
exit 0
`

var netnsNames = []struct{ name, host string }{
	{"netns A", "www.rt.test"},
	{"netns several A", "multi.rt.test"},
	{"netns CNAME chain", "step1.rt.test"},
	{"netns NXDOMAIN", "nope.rt.test"},
	{"netns REFUSED", "outside.example"},
	{"netns SERVFAIL", "www.broken.test"},
	{"netns no address", "textonly.rt.test"},
	{"netns search list second zone", "only"},
	{"netns search list all fail", "missing"},
	{"netns IDNA", "bücher.rt.test"},
}

func TestDNSSystemResolver(t *testing.T) {
	need(t, "named", "dig", "python3")
	if out, err := exec.Command("unshare", "-n", "-m", "-p", "-f", "--kill-child", "true").CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("unshare -n -m -p: %v %s (CI runs as root)", err, out)
		}
		t.Skipf("unshare -n -m -p: %v %s: needs root", err, out)
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	named := filepath.Join(e.dir, "named")
	conf := strings.NewReplacer(`directory "`+named+`"`, `directory "`+dir+`"`,
		`"`+named+`/named.pid"`, `"`+dir+`/named.pid"`, `"`+named+`/session.key"`, `"`+dir+`/session.key"`,
		`managed-keys-directory "`+named+`"`, `managed-keys-directory "`+dir+`"`).
		Replace(fmt.Sprintf(namedConf, named, 53))
	files := map[string]string{
		"named.conf":         conf,
		"resolv.conf":        "search rt.test search.test\nnameserver 127.0.0.1\noptions ndots:1 timeout:1 attempts:1\n",
		"resolv-silent.conf": "nameserver 127.0.0.3\noptions timeout:1 attempts:1\n",
		"script.sh":          netnsScript,
	}
	for name, body := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	bin, _ := os.ReadFile(e.bin)
	os.WriteFile(filepath.Join(dir, "reqtrace"), bin, 0o755)
	argv := []string{"unshare", "-n", "-m", "-p", "-f", "--kill-child", "--mount-proc", "sh", filepath.Join(dir, "script.sh"), dir}
	for _, n := range netnsNames {
		argv = append(argv, n.host)
	}
	r := runIn(t, dir, []string{"LC_ALL=C.UTF-8"}, argv...)
	if r.code != 0 {
		t.Fatalf("the namespace script failed: %s\n%s", r, r.stdout)
	}
	check := func(name, tag string) {
		d := newDiff(t, name)
		rt := strings.Split(string(r.file("reqtrace-"+tag+".out")), "|")
		cu := strings.Split(string(r.file("curl-"+tag+".out")), "|")
		if len(rt) != 2 || len(cu) != 2 {
			t.Errorf("%s: outputs %q, %q", name, rt, cu)
			return
		}
		d.eq("exit code", rt[0], cu[0])
		d.eq("w.remote_ip", rt[1], cu[1])
	}
	for i, n := range netnsNames {
		check(n.name, itoa(i))
	}
	check("netns DNS server never answers", "silent")
}
