package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// figures are one run's phases in milliseconds, by name.
type figures map[string]float64

// request is one request the tools are asked to make.
type request struct {
	scheme, host, path string
	viaDNS             bool // reqtrace asks the lab's DNS server for host
}

// peer is one tool the bench measures beside reqtrace. A nil phases means
// it gives no phase figures.
type peer struct {
	name   string
	path   string
	phases func(b *bench, r request) (figures, error)
}

// findPeers looks up every peer the machine has: curl and httpstat for
// whole traces, kdig or dig for DNS, chromium for Resource Timing. A peer
// that is absent is named in the output, never silently dropped.
func (b *bench) findPeers(curlPath, httpstatPath string) {
	look := func(flagPath, name string) string {
		if flagPath != "" {
			return flagPath
		}
		p, _ := exec.LookPath(name)
		return p
	}
	b.curl = look(curlPath, "curl")
	b.httpstat = look(httpstatPath, "httpstat")
	b.kdig = look("", "kdig")
	b.dig = look("", "dig")
	b.chromium = look(b.chromium, "chromium")
	b.unshare = look("", "unshare")
}

// peers are the HTTP tools present, in column order after reqtrace.
func (b *bench) peers() []peer {
	var ps []peer
	if b.curl != "" {
		ps = append(ps, peer{"curl", b.curl, (*bench).curlPhases})
	}
	if b.httpstat != "" {
		p := peer{name: "httpstat", path: b.httpstat}
		if b.unshare != "" && os.Geteuid() == 0 {
			p.phases = (*bench).httpstatPhases
		}
		ps = append(ps, p)
	}
	return ps
}

// reqtracePhases runs reqtrace --json and reads the hop's phases.
func (b *bench) reqtracePhases(r request) (figures, error) {
	args := []string{"--json", "--cacert", b.lab.CAFile}
	if r.viaDNS {
		args = append(args, "--dns-servers", b.lab.DNSAddr)
	} else {
		args = append(args, "--resolve", b.resolve(r.scheme, r.host))
	}
	return reqtraceJSON(exec.Command(b.reqtrace, append(args, b.url(r))...))
}

// reqtraceJSON runs a prepared reqtrace --json command and reads the
// first hop's timings. reqtrace's wait is split into send + wait; the
// peers' wait covers both, so "wait" here is their sum.
func reqtraceJSON(cmd *exec.Cmd) (figures, error) {
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %.300s", err, out)
	}
	var doc struct {
		Hops []struct {
			Timings map[string]*float64 `json:"timings_ms"`
		} `json:"hops"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.Hops) != 1 {
		return nil, fmt.Errorf("unexpected output %v: %.200s", err, out)
	}
	f := figures{}
	for k, v := range doc.Hops[0].Timings {
		if v != nil {
			f[k] = *v
		}
	}
	f["wait"] += f["send"]
	return f, nil
}

// curlWriteOut is the -w format curlFigures parses.
const curlWriteOut = "%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}"

// curlPhases runs curl -w and splits its cumulative figures into phases.
func (b *bench) curlPhases(r request) (figures, error) {
	args := []string{"-s", "-o", "/dev/null", "--cacert", b.lab.CAFile, "-w", curlWriteOut}
	if r.viaDNS && b.curlDNS {
		args = append(args, "--dns-servers", b.lab.DNSAddr)
	} else {
		args = append(args, "--resolve", b.resolve(r.scheme, r.host))
	}
	return curlFigures(exec.Command(b.curl, append(args, b.url(r))...))
}

// curlFigures runs a prepared curl -w curlWriteOut command and splits its
// cumulative figures into phases as httpstat does.
func curlFigures(cmd *exec.Cmd) (figures, error) {
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, out)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 6 {
		return nil, fmt.Errorf("unexpected -w output %q", out)
	}
	var v [6]float64
	for i, s := range fields {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, err
		}
		v[i] = x * 1000
	}
	namelookup, connect, appconnect, pretransfer, starttransfer, total := v[0], v[1], v[2], v[3], v[4], v[5]
	f := figures{"dns": namelookup, "connect": connect - namelookup, "wait": starttransfer - pretransfer,
		"receive": total - starttransfer, "total": total}
	if appconnect > 0 {
		f["tls"] = appconnect - connect
	}
	return f, nil
}

// httpstatPhases runs httpstat with the lab's names in a private copy of
// /etc/hosts (a mount namespace: httpstat has no --resolve) and reads the
// figures it prints. httpstat prints whole milliseconds, so its column is
// only as fine as that; its DNS figure is a hosts-file lookup.
func (b *bench) httpstatPhases(r request) (figures, error) {
	hosts := b.labHosts(r.host)
	script := `mount --bind "$1" /etc/hosts && shift && exec "$@"`
	cmd := exec.Command(b.unshare, "-m", "sh", "-c", script, "sh", hosts, b.httpstat, b.url(r))
	cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+b.lab.CAFile, "NO_COLOR=1")
	return httpstatFigures(cmd, r.scheme == "https")
}

// httpstatBrackets matches the figures between httpstat's brackets.
var httpstatBrackets = regexp.MustCompile(`\[([^\]]*)\]`)

// httpstatFigures runs a prepared httpstat command and reads the phases
// from the first bracketed line of its template. httpstat's "TCP
// Connection" for http:// runs from the DNS answer to the request written,
// and its "TLS Handshake" for https:// ends when the request is written:
// both include writing the request, which this bench counts in wait for
// the other tools; the difference is a few microseconds on loopback.
func httpstatFigures(cmd *exec.Cmd, https bool) (figures, error) {
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, errb.String())
	}
	m := httpstatBrackets.FindSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("no timings in httpstat's output: %.200s", out)
	}
	var v []float64
	for _, field := range strings.Split(string(m[1]), "|") {
		x, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(field), "ms"), 64)
		if err != nil {
			return nil, fmt.Errorf("httpstat figure %q: %v", field, err)
		}
		v = append(v, x)
	}
	names := []string{"dns", "connect", "wait", "receive"}
	if https {
		names = []string{"dns", "connect", "tls", "wait", "receive"}
	}
	if len(v) != len(names) {
		return nil, fmt.Errorf("httpstat printed %d figures, want %d", len(v), len(names))
	}
	f := figures{}
	for i, n := range names {
		f[n] = v[i]
		f["total"] += v[i]
	}
	return f, nil
}

// labHosts writes (once per name) a hosts file that maps host and
// localhost to 127.0.0.1.
func (b *bench) labHosts(host string) string {
	if p, ok := b.hostsFiles[host]; ok {
		return p
	}
	f, err := os.CreateTemp(b.dir, "hosts-")
	if err != nil {
		return "/etc/hosts"
	}
	fmt.Fprintf(f, "127.0.0.1 localhost\n127.0.0.1 %s\n", host)
	f.Close()
	b.hostsFiles[host] = f.Name()
	return f.Name()
}
