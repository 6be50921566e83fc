package realtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A proc is one server process the suite started. It runs in its own
// process group and gets SIGKILL when the test binary dies (Pdeathsig), so
// a panic or a timeout leaks nothing; stop ends it by PID otherwise.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string // its stdout and stderr
	done chan struct{}
	err  error // set when done is closed
}

// spawner starts every child from one goroutine locked to its OS thread:
// Pdeathsig fires when the thread that forked the child exits, and this
// thread lives as long as the process.
var spawner = make(chan func())

func init() {
	go func() {
		runtime.LockOSThread()
		for f := range spawner {
			f()
		}
	}()
}

// start runs argv with its output in logPath.
func start(name, logPath string, env []string, argv ...string) (*proc, error) {
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	errc := make(chan error)
	spawner <- func() { errc <- cmd.Start() }
	if err := <-errc; err != nil {
		return nil, err
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	return p, nil
}

// stop sends SIGTERM to the process group, then SIGKILL after 3 s.
func (p *proc) stop() {
	pid := p.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-p.done
	}
}

// tail is the end of the process's log, for error messages.
func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	s := strings.TrimSpace(string(b))
	if len(s) > 1500 {
		s = "…" + s[len(s)-1500:]
	}
	return s
}

// waitReady waits until every port accepts TCP, or the process exits.
func (p *proc) waitReady(ports ...int) error {
	deadline := time.Now().Add(15 * time.Second)
	for _, port := range ports {
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-p.done:
				return fmt.Errorf("%s exited (%v) before listening on %s:\n%s", p.name, p.err, addr, p.tail())
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s is not listening on %s after 15 s:\n%s", p.name, addr, p.tail())
			}
		}
	}
	return nil
}

var portMu sync.Mutex
var portsGiven = map[int]bool{}

// freePorts picks n ports that are free for TCP and UDP on 127.0.0.1 now
// (bound to :0, then released). Another user of the machine may take one
// before the server binds it; startServer then tries again.
func freePorts(n int) ([]int, error) {
	portMu.Lock()
	defer portMu.Unlock()
	var ports []int
	for tries := 0; len(ports) < n && tries < 100*n; tries++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, uerr := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if uerr != nil || portsGiven[port] {
			continue
		}
		u.Close()
		portsGiven[port] = true
		ports = append(ports, port)
	}
	if len(ports) < n {
		return nil, errors.New("no free ports")
	}
	return ports, nil
}

// startServer writes a config for fresh ports and starts the server, up
// to 5 times when it cannot bind (a port taken in between).
func startServer(name string, nports int, launch func(ports []int) (*proc, error)) (*proc, []int, error) {
	var last error
	for try := 0; try < 5; try++ {
		ports, err := freePorts(nports)
		if err != nil {
			return nil, nil, err
		}
		p, err := launch(ports)
		if err != nil {
			return nil, nil, err
		}
		if err = p.waitReady(ports...); err == nil {
			return p, ports, nil
		}
		p.stop()
		last = err
		if !strings.Contains(strings.ToLower(err.Error()), "in use") {
			break
		}
	}
	return nil, nil, last
}
