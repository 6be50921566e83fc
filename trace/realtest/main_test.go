package realtest

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// env is what TestMain set up, shared by every test: the reqtrace binary,
// the CA, the servers' ports and access logs, and what could not start.
type env struct {
	dir, bin, www string
	pki           pki
	mu            sync.Mutex
	ports         map[string]int
	logs          map[string]string // server name -> its access log
	missing       map[string]string // tool or server -> the install command
	broken        map[string]string // tool or server -> why it did not start
	procs         []*proc
}

var e *env

// tools: each binary the suite runs and the Debian package that has it.
var tools = []struct{ bin, pkg string }{
	{"curl", "curl"}, {"openssl", "openssl"}, {"dig", "dnsutils"}, {"named", "bind9"},
	{"nginx", "nginx"}, {"apache2", "apache2"}, {"haproxy", "haproxy"}, {"caddy", "caddy"},
	{"microsocks", "microsocks"}, {"python3", "python3"},
}

func TestMain(m *testing.M) {
	flag.Parse()
	// The servers live in /usr/sbin, which a user's PATH may lack.
	os.Setenv("PATH", os.Getenv("PATH")+":/usr/sbin:/sbin")
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		return m.Run() // go test -list: nothing runs, nothing to start
	}
	if runtime.GOOS != "linux" {
		fmt.Println("realtest: Linux only (Debian's servers); skipped")
		return 0
	}
	dir, err := os.MkdirTemp("", "reqtrace-realtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// apache2 drops to www-data, which must read the web root.
	os.Chmod(dir, 0o755)
	e = &env{dir: dir, www: filepath.Join(dir, "www"), ports: map[string]int{}, logs: map[string]string{}, missing: map[string]string{}, broken: map[string]string{}}
	defer func() {
		e.stopAll()
		if os.Getenv("REALTEST_KEEP") == "" {
			os.RemoveAll(dir)
		} else {
			fmt.Println("realtest: kept", dir)
		}
	}()
	e.setup()
	return m.Run()
}

func (e *env) setup() {
	for _, t := range tools {
		if _, err := exec.LookPath(t.bin); err != nil {
			e.missing[t.bin] = fmt.Sprintf("%s is not installed: apt-get install %s", t.bin, t.pkg)
		}
	}
	if err := e.writeWWW(); err != nil {
		e.broken["www"] = err.Error()
	}
	e.bin = filepath.Join(e.dir, "reqtrace")
	build := exec.Command("go", "build", "-o", e.bin, "github.com/reqtrace/reqtrace")
	if out, err := build.CombinedOutput(); err != nil {
		e.broken["reqtrace"] = fmt.Sprintf("go build: %v\n%s", err, out)
	}
	e.fixedPorts()
	if e.missing["openssl"] != "" {
		return
	}
	p, err := makePKI(filepath.Join(e.dir, "pki"))
	if err != nil {
		e.broken["openssl"] = err.Error()
		return
	}
	e.pki = p
	// nginx first: apache2 and haproxy proxy to it.
	order := [][]struct {
		name  string
		start func(*env) error
	}{
		{{"nginx", startNginx}, {"named", startNamed}, {"caddy", startCaddy}, {"python3", startPython}, {"microsocks", startMicrosocks}},
		{{"apache2", startApache}, {"haproxy", startHaproxy}},
	}
	for _, group := range order {
		var wg sync.WaitGroup
		for _, s := range group {
			if e.missing[s.name] != "" {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.start(e); err != nil {
					e.mu.Lock()
					e.broken[s.name] = err.Error()
					e.mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
}

// started records a server that is up (or why it is not).
func (e *env) started(name string, p *proc, ports []int, names []string, accessLog string, err error) error {
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.procs = append(e.procs, p)
	for i, n := range names {
		e.ports[n] = ports[i]
	}
	e.logs[name] = accessLog
	return nil
}

func (e *env) stopAll() {
	var wg sync.WaitGroup
	for _, p := range e.procs {
		wg.Add(1)
		go func() { defer wg.Done(); p.stop() }()
	}
	wg.Wait()
}

// need skips the test when a tool or server it uses is not installed (in
// CI, which must install everything with .ci/run, it fails), and fails it
// when one is installed but did not start.
func need(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range append([]string{"reqtrace", "www", "curl", "openssl"}, names...) {
		if why := e.broken[n]; why != "" {
			t.Fatalf("%s did not start: %s", n, why)
		}
		if why := e.missing[n]; why != "" {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s (CI must install it: .ci/run)", why)
			}
			t.Skip(why)
		}
	}
}

// port is a server's port; servers of the second group read the first's
// while starting in parallel, hence the lock.
func (e *env) port(name string) int {
	e.mu.Lock()
	p, ok := e.ports[name]
	e.mu.Unlock()
	if !ok {
		panic("realtest: no port " + name)
	}
	return p
}

// The web root every server serves.
var (
	indexHTML   = []byte("<!doctype html>\n<title>realtest</title>\n<p>the same bytes from every server</p>\n")
	trailerHTML = []byte("<p>" + strings.Repeat("x", 100) + "</p>\n")
)

func bigBody() []byte {
	var b bytes.Buffer
	seed := sha256.Sum256([]byte("realtest"))
	for b.Len() < 200_000 {
		seed = sha256.Sum256(seed[:])
		b.Write(seed[:])
	}
	return b.Bytes()[:200_000]
}

func (e *env) writeWWW() error {
	os.MkdirAll(filepath.Join(e.www, "upload"), 0o777)
	files := map[string][]byte{"index.html": indexHTML, "big.bin": bigBody(), "trailer": trailerHTML}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(e.www, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fixedPorts: "closed" has no listener (connection refused); "silent"
// accepts and never answers (timeouts).
func (e *env) fixedPorts() {
	ports, err := freePorts(1)
	if err != nil {
		e.broken["www"] = err.Error()
		return
	}
	e.ports["closed"] = ports[0]
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.broken["www"] = err.Error()
		return
	}
	e.ports["silent"] = l.Addr().(*net.TCPAddr).Port
	go func() {
		// Accepted connections stay open, never answered: a silent server.
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
}
