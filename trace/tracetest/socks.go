package tracetest

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The lab's SOCKS5 server (RFC 1928 and 1929) shares ProxyPort with the
// HTTP proxy: a connection that opens with SOCKS's version byte gets it.
// It takes ProxyUser:ProxyPassword when a client offers credentials
// (others are refused), and follows the target's instructions as the HTTP
// proxy does: deny.lab.test is refused by rule (reply 2), nxdomain names
// are unreachable (reply 4), proxydelay-N labels delay the reply.

// SOCKSURL is the lab's SOCKS5 proxy; scheme is "socks5" or "socks5h".
func (l *Lab) SOCKSURL(scheme string) string {
	return scheme + "://127.0.0.1:" + strconv.Itoa(l.ProxyPort)
}

// SOCKSTargets lists the destinations SOCKS clients asked for, as they
// sent them: a name (socks5h) or an address (socks5).
func (l *Lab) SOCKSTargets() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.socksTargets...)
}

func (l *Lab) socks(c net.Conn, br *bufio.Reader) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if !socksAuth(c, br) {
		return
	}
	host, port, ok := socksRequest(br)
	if !ok {
		c.Write([]byte{5, 1, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	l.mu.Lock()
	l.proxied++
	l.socksTargets = append(l.socksTargets, host)
	l.mu.Unlock()
	n := parseName(host)
	for _, label := range strings.Split(n.host, ".") {
		if d, ok := delayLabel(label, "proxydelay-"); ok && !l.sleep(l.base, d) {
			return
		}
	}
	reply := byte(0)
	switch {
	case n.kind == "deny":
		reply = 2
	case n.kind == "nxdomain" || n.kind == "nx":
		reply = 4
	}
	var up net.Conn
	if reply == 0 {
		var err error
		if up, err = l.DialContext(l.base, "tcp", net.JoinHostPort(host, strconv.Itoa(port))); err != nil {
			reply = 5
		}
	}
	c.Write([]byte{5, reply, 0, 1, 127, 0, 0, 1, byte(l.ProxyPort >> 8), byte(l.ProxyPort)})
	if reply != 0 {
		return
	}
	defer up.Close()
	c.SetDeadline(time.Time{})
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, br); up.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// socksAuth negotiates the method: none, or username/password when the
// client offers it (checked against ProxyUser:ProxyPassword).
func socksAuth(c net.Conn, br *bufio.Reader) bool {
	var head [2]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return false
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(br, methods); err != nil {
		return false
	}
	for _, m := range methods {
		if m == 2 {
			c.Write([]byte{5, 2})
			return socksLogin(c, br)
		}
	}
	c.Write([]byte{5, 0})
	return true
}

func socksLogin(c net.Conn, br *bufio.Reader) bool {
	field := func() string {
		n, err := br.ReadByte()
		if err != nil {
			return "\x00"
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return "\x00"
		}
		return string(b)
	}
	if v, err := br.ReadByte(); err != nil || v != 1 {
		return false
	}
	user, pass := field(), field()
	if user != ProxyUser || pass != ProxyPassword {
		c.Write([]byte{1, 1})
		return false
	}
	c.Write([]byte{1, 0})
	return true
}

// socksRequest reads CONNECT's destination.
func socksRequest(br *bufio.Reader) (string, int, bool) {
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil || head[0] != 5 || head[1] != 1 {
		return "", 0, false
	}
	var host string
	switch head[3] {
	case 1, 4:
		b := make([]byte, map[byte]int{1: 4, 4: 16}[head[3]])
		if _, err := io.ReadFull(br, b); err != nil {
			return "", 0, false
		}
		a, _ := netip.AddrFromSlice(b)
		host = a.String()
	case 3:
		n, err := br.ReadByte()
		b := make([]byte, n)
		if _, err2 := io.ReadFull(br, b); err != nil || err2 != nil {
			return "", 0, false
		}
		host = string(b)
	default:
		return "", 0, false
	}
	var port [2]byte
	if _, err := io.ReadFull(br, port[:]); err != nil {
		return "", 0, false
	}
	return host, int(binary.BigEndian.Uint16(port[:])), true
}
