//go:build linux

package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// delayedLink is a slow network made from outside the lab: two network
// namespaces, a client's and a server's, each with a TUN device, and this
// process in between copying every IP packet from one device to the other
// after half the round trip. SYNs, handshakes and DNS datagrams all cross
// it, so every phase pays the delay the way it would on a real path (the
// kernel's netem would do the same; this machine's kernel has no sch_netem).
// The addresses are from 198.18.0.0/15, the range set aside for benchmarks
// (RFC 2544), and exist only inside the two namespaces.
type delayedLink struct {
	client, server string // namespace names
	oneWay         time.Duration
	files          []*os.File
	stop           chan struct{}
}

const (
	clientAddr = "198.18.0.1"
	serverAddr = "198.18.0.2"
	tunName    = "rtb0"
)

// newDelayedLink builds the namespaces, the devices and the copiers. It
// needs root and iproute2's ip.
func newDelayedLink(rtt time.Duration) (*delayedLink, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("needs root (network namespaces and TUN devices)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, fmt.Errorf("needs iproute2's ip")
	}
	id := os.Getpid()
	l := &delayedLink{client: fmt.Sprintf("rtb-c-%d", id), server: fmt.Sprintf("rtb-s-%d", id),
		oneWay: rtt / 2, stop: make(chan struct{})}
	for _, ns := range []struct{ name, local, peer string }{{l.client, clientAddr, serverAddr}, {l.server, serverAddr, clientAddr}} {
		steps := [][]string{
			{"netns", "add", ns.name},
			{"-n", ns.name, "link", "set", "lo", "up"},
			{"-n", ns.name, "tuntap", "add", "dev", tunName, "mode", "tun"},
			{"-n", ns.name, "addr", "add", ns.local, "peer", ns.peer, "dev", tunName},
			{"-n", ns.name, "link", "set", tunName, "up"},
		}
		for _, s := range steps {
			if out, err := exec.Command("ip", s...).CombinedOutput(); err != nil {
				l.close()
				return nil, fmt.Errorf("ip %v: %v: %s", s, err, out)
			}
		}
	}
	var tuns [2]*os.File
	for i, ns := range []string{l.client, l.server} {
		var err error
		inNamespace(ns, func() { tuns[i], err = openTUN(tunName) })
		if err != nil {
			l.close()
			return nil, fmt.Errorf("TUN device in %s: %v", ns, err)
		}
		l.files = append(l.files, tuns[i])
	}
	go l.carry(tuns[0], tuns[1])
	go l.carry(tuns[1], tuns[0])
	return l, nil
}

// inNamespace runs f on a thread that has joined the named network
// namespace: sockets and devices f opens belong to it, and stay there
// after the thread leaves.
func inNamespace(name string, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		// The thread is not unlocked: if leaving the namespace fails, the
		// runtime ends it with the goroutine instead of reusing it.
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			return
		}
		defer self.Close()
		target, err := os.Open(filepath.Join("/run/netns", name))
		if err != nil {
			return
		}
		defer target.Close()
		if unix.Setns(int(target.Fd()), unix.CLONE_NEWNET) != nil {
			return
		}
		f()
		if unix.Setns(int(self.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
	}()
	<-done
}

func openTUN(name string) (*os.File, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	req, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	req.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, req); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), "tun"), nil
}

// carry copies packets from one device to the other, each one delivered a
// one-way delay after it arrived; the order is kept, since every packet
// waits the same time.
func (l *delayedLink) carry(from, to *os.File) {
	type packet struct {
		data []byte
		due  time.Time
	}
	queue := make(chan packet, 4096)
	go func() {
		for p := range queue {
			if d := time.Until(p.due); d > 0 {
				time.Sleep(d)
			}
			to.Write(p.data)
		}
	}()
	defer close(queue)
	buf := make([]byte, 65536)
	for {
		n, err := from.Read(buf)
		if err != nil {
			return
		}
		select {
		case queue <- packet{append([]byte(nil), buf[:n]...), time.Now().Add(l.oneWay)}:
		case <-l.stop:
			return
		}
	}
}

// forwardTCP listens on serverAddr:port inside the server namespace and
// splices each connection to 127.0.0.1:port, where the lab listens.
func (l *delayedLink) forwardTCP(port int) error {
	var ln net.Listener
	var err error
	inNamespace(l.server, func() { ln, err = net.Listen("tcp", net.JoinHostPort(serverAddr, fmt.Sprint(port))) })
	if err != nil {
		return err
	}
	go func() {
		<-l.stop
		ln.Close()
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", fmt.Sprint(port)))
				if err != nil {
					return
				}
				defer up.Close()
				go func() { io.Copy(up, c); up.(*net.TCPConn).CloseWrite() }()
				io.Copy(c, up)
			}()
		}
	}()
	return nil
}

// forwardDNS serves serverAddr:53 (UDP) inside the server namespace by
// asking the lab's DNS server, and rewrites the lab's 127.0.0.1 answers to
// serverAddr, so that the tools in the client namespace resolve the lab's
// names through /etc/resolv.conf, the way they resolve any name, and reach
// the lab through the link.
func (l *delayedLink) forwardDNS(labDNS string) error {
	var pc net.PacketConn
	var err error
	inNamespace(l.server, func() { pc, err = net.ListenPacket("udp", net.JoinHostPort(serverAddr, "53")) })
	if err != nil {
		return err
	}
	go func() {
		<-l.stop
		pc.Close()
	}()
	var mu sync.Mutex
	upstreams := map[string]net.Conn{}
	go func() {
		buf := make([]byte, 65535)
		for {
			n, client, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			mu.Lock()
			up, ok := upstreams[client.String()]
			if !ok {
				if up, err = net.Dial("udp", labDNS); err != nil {
					mu.Unlock()
					continue
				}
				upstreams[client.String()] = up
				go relayAnswers(up, pc, client)
			}
			mu.Unlock()
			up.Write(buf[:n])
		}
	}()
	return nil
}

// relayAnswers sends the lab's answers back to the client, rewritten.
func relayAnswers(up net.Conn, pc net.PacketConn, client net.Addr) {
	buf := make([]byte, 65535)
	for {
		up.SetReadDeadline(time.Now().Add(time.Minute))
		n, err := up.Read(buf)
		if err != nil {
			up.Close()
			return
		}
		m := new(dns.Msg)
		if m.Unpack(buf[:n]) != nil {
			continue
		}
		for _, rr := range m.Answer {
			if a, ok := rr.(*dns.A); ok && a.A.IsLoopback() {
				a.A = net.ParseIP(serverAddr)
			}
		}
		if out, err := m.Pack(); err == nil {
			pc.WriteTo(out, client)
		}
	}
}

// etcFiles gives the client namespace its own resolv.conf and hosts (ip
// netns exec binds /etc/netns/NAME/* over /etc/*): the lab's DNS through
// the link, and localhost only.
func (l *delayedLink) etcFiles() error {
	dir := filepath.Join("/etc/netns", l.client)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver "+serverAddr+"\noptions timeout:2\n"), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "hosts"), []byte("127.0.0.1 localhost\n"), 0o644)
}

// rtt measures the link's round trip as the median TCP connect time from
// the client namespace: a SYN out and a SYN-ACK back.
func (l *delayedLink) rtt(port, n int) float64 {
	var xs []float64
	for range n {
		inNamespace(l.client, func() {
			start := time.Now()
			c, err := net.DialTimeout("tcp", net.JoinHostPort(serverAddr, fmt.Sprint(port)), 5*time.Second)
			if err == nil {
				xs = append(xs, float64(time.Since(start).Microseconds())/1000)
				c.Close()
			}
		})
	}
	return med(xs)
}

// exec runs a command in the client namespace.
func (l *delayedLink) command(bin string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", l.client, bin}, args...)...)
}

// close stops the copiers and removes the namespaces, which removes the
// devices and the forwarders' sockets with them.
func (l *delayedLink) close() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	for _, f := range l.files {
		f.Close()
	}
	for _, ns := range []string{l.client, l.server} {
		exec.Command("ip", "netns", "del", ns).Run()
	}
	os.RemoveAll(filepath.Join("/etc/netns", l.client))
}
