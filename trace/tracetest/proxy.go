package tracetest

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The lab's forward proxy (HTTP/1.1 on ProxyPort): CONNECT tunnels to the
// lab's ports, and absolute-form requests forwarded to the plain server.
// Every lab name reaches 127.0.0.1, as the lab's DNS says. Instructions in
// the target host: a proxydelay-N label delays the CONNECT answer N ms;
// "auth" as the kind (auth.lab.test) wants Proxy-Authorization for
// ProxyUser:ProxyPassword and answers 407 without it; "deny" answers 403.

// The credentials the proxy accepts for auth.lab.test.
const (
	ProxyUser     = "proxyuser"
	ProxyPassword = "proxypass"
)

// ProxyURL is the proxy's URL, for -x or HTTPS_PROXY.
func (l *Lab) ProxyURL() string { return "http://127.0.0.1:" + strconv.Itoa(l.ProxyPort) }

// ProxyRequests counts the requests the proxy received (CONNECT included).
func (l *Lab) ProxyRequests() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.proxied
}

func (l *Lab) startProxy() error {
	ln, err := l.listen()
	if err != nil {
		return err
	}
	l.ProxyPort = ln.Addr().(*net.TCPAddr).Port
	l.serving.Go(func() {
		var conns sync.WaitGroup
		defer conns.Wait()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			done, ok := l.track()
			if !ok {
				c.Close()
				return
			}
			conns.Go(func() {
				defer done()
				defer c.Close()
				l.proxyConn(c)
			})
		}
	})
	return nil
}

// proxyConn serves the requests of one client connection.
func (l *Lab) proxyConn(c net.Conn) {
	stop := context.AfterFunc(l.base, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	br := bufio.NewReader(c)
	if first, err := br.Peek(1); err == nil && first[0] == 5 {
		l.socks(c, br) // a SOCKS5 greeting: the same port speaks both
		return
	}
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		l.mu.Lock()
		l.proxied++
		l.mu.Unlock()
		if req.Method == http.MethodConnect {
			l.tunnel(c, br, req)
			return
		}
		if !l.forward(c, req) {
			return
		}
	}
}

// gate applies the target's instructions; it writes the refusal and
// reports false when the request may not pass.
func (l *Lab) gate(c net.Conn, req *http.Request, host string) bool {
	n := parseName(host)
	switch {
	case n.kind == "deny":
		io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
		return false
	case n.kind == "auth" && req.Header.Get("Proxy-Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte(ProxyUser+":"+ProxyPassword)):
		io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"lab proxy\"\r\nContent-Length: 0\r\n\r\n")
		return false
	}
	for _, label := range strings.Split(n.host, ".") {
		if d, ok := delayLabel(label, "proxydelay-"); ok && !l.sleep(req.Context(), d) {
			return false
		}
	}
	return true
}

// tunnel answers CONNECT and copies bytes both ways until either side ends.
func (l *Lab) tunnel(c net.Conn, br *bufio.Reader, req *http.Request) {
	host, port, err := net.SplitHostPort(req.Host)
	if err != nil || !l.gate(c, req, host) {
		return
	}
	up, err := l.DialContext(l.base, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer up.Close()
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, br); up.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// forward sends an absolute-form request on to the lab and relays the
// answer; it reports whether the client connection may carry another.
func (l *Lab) forward(c net.Conn, req *http.Request) bool {
	if !req.URL.IsAbs() {
		io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		return false
	}
	if !l.gate(c, req, req.URL.Hostname()) {
		return true
	}
	req.RequestURI = ""
	req.Header.Del("Proxy-Authorization")
	t := &http.Transport{DialContext: l.DialContext, DisableCompression: true}
	defer t.CloseIdleConnections()
	resp, err := t.RoundTrip(req)
	if err != nil {
		fmt.Fprintf(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return false
	}
	defer resp.Body.Close()
	resp.Header.Set("Via", "1.1 reqtrace-lab-proxy")
	return resp.Write(c) == nil && !resp.Close
}
