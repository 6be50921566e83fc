// Package corslab is the CORS lab: an origin page and an API on loopback,
// with one API path per scenario (a CORS configuration and the fetch()
// made against it) and a few planted misconfigurations for --scan. The
// browser test loads the page in Chromium and runs every scenario; the
// unit and CLI tests run reqtrace against the same servers.
//
// Host names are instructions to whoever resolves them: map PageHost,
// PublicPageHost, APIHost and OtherHost to 127.0.0.1 (Chromium's
// --host-resolver-rules, trace's --resolve). Everything listens on
// 127.0.0.1 only.
package corslab

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// Host names of the lab.
const (
	PageHost       = "app.cors.test"    // the origin page, on loopback
	PublicPageHost = "public.cors.test" // the same page, for a browser told it is public
	APIHost        = "api.cors.test"    // the API, plain HTTP
	// OtherHost is another name of the API's server: a redirect to it
	// crosses to another origin.
	OtherHost = "other.cors.test"
)

// Lab is the page server and the API server.
type Lab struct {
	PagePort   int // serves the page at "/" (PageHost)
	PublicPort int // serves the page too; tests tell Chromium it is a public address
	APIPort    int // the API: /s/{scenario}, /scan/{kind}
	TLSPort    int // the API over TLS (0 unless StartTLS was given a certificate source)

	servers []*http.Server
	wg      sync.WaitGroup
	byName  map[string]*Scenario

	mu  sync.Mutex
	log map[string][]Seen // by path

	batch      batch        // the plans and results of /batch (batch.go)
	apiHandler http.Handler // the API's routes, also served by the page's server for same-origin scenarios
}

// Seen is one request the API received.
type Seen struct {
	Method  string
	Headers http.Header
}

// New starts the lab for a test; it stops when the test ends. certFor,
// when not nil, gives the API's TLS certificate (for https:// scans).
func New(t testing.TB, certFor func(serverName string) (tls.Certificate, error)) *Lab {
	t.Helper()
	l := &Lab{byName: map[string]*Scenario{}, log: map[string][]Seen{},
		batch: batch{plans: map[string]Plan{}, results: map[string]Result{}, done: make(chan struct{})}}
	for i := range scenarios {
		l.byName[scenarios[i].Name] = &scenarios[i]
	}
	var err error
	l.apiHandler = l.api()
	if l.PagePort, err = l.serve(l.page(), nil); err == nil {
		l.PublicPort, err = l.serve(l.page(), nil)
	}
	if err == nil {
		l.APIPort, err = l.serve(l.apiHandler, nil)
	}
	if err == nil && certFor != nil {
		cfg := &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			c, err := certFor(h.ServerName)
			return &c, err
		}}
		l.TLSPort, err = l.serve(l.secure(), cfg)
	}
	if err != nil {
		l.Close()
		t.Fatalf("corslab: %v", err)
	}
	t.Cleanup(l.Close)
	return l
}

func (l *Lab) serve(h http.Handler, tlsConfig *tls.Config) (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	l.servers = append(l.servers, s)
	l.wg.Go(func() { s.Serve(ln) })
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Close stops the servers.
func (l *Lab) Close() {
	for _, s := range l.servers {
		s.Close()
	}
	l.wg.Wait()
}

// PageOrigin is the origin of the page ("http://app.cors.test:PORT").
func (l *Lab) PageOrigin() string { return "http://" + PageHost + ":" + strconv.Itoa(l.PagePort) }

// PublicPageOrigin is the origin of the page a browser treats as public.
func (l *Lab) PublicPageOrigin() string {
	return "http://" + PublicPageHost + ":" + strconv.Itoa(l.PublicPort)
}

// URL is the API URL of a scenario or scan path ("/s/get-star").
func (l *Lab) URL(path string) string {
	return "http://" + APIHost + ":" + strconv.Itoa(l.APIPort) + path
}

// TLSURL is the https:// API URL of a path.
func (l *Lab) TLSURL(path string) string {
	return "https://" + APIHost + ":" + strconv.Itoa(l.TLSPort) + path
}

// Resolve maps the lab's names to 127.0.0.1 for trace.Options.
func (l *Lab) Resolve() []trace.ResolveEntry {
	lo := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	var out []trace.ResolveEntry
	for _, hp := range []struct {
		host string
		port int
	}{{PageHost, l.PagePort}, {PublicPageHost, l.PublicPort}, {APIHost, l.APIPort}, {APIHost, l.TLSPort}, {OtherHost, l.APIPort}, {PageHost, l.TLSPort}} {
		if hp.port != 0 {
			out = append(out, trace.ResolveEntry{Host: hp.host, Port: hp.port, Addrs: lo})
		}
	}
	return out
}

// ResolveArgs are the same mappings as --resolve arguments.
func (l *Lab) ResolveArgs() []string {
	var args []string
	for _, e := range l.Resolve() {
		args = append(args, "--resolve", fmt.Sprintf("%s:%d:127.0.0.1", e.Host, e.Port))
	}
	return args
}

// Seen returns the requests the lab received for a path (the page's
// own "/" excepted).
func (l *Lab) Seen(path string) []Seen {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Seen(nil), l.log[path]...)
}

// Reset forgets the requests seen.
func (l *Lab) Reset() {
	l.mu.Lock()
	l.log = map[string][]Seen{}
	l.mu.Unlock()
}

func (l *Lab) record(r *http.Request) {
	l.mu.Lock()
	l.log[r.URL.Path] = append(l.log[r.URL.Path], Seen{Method: r.Method, Headers: r.Header.Clone()})
	l.mu.Unlock()
}

// api routes /s/{name} to its scenario and /scan/{kind} to a planted
// misconfiguration.
func (l *Lab) api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/s/{name}", func(w http.ResponseWriter, r *http.Request) {
		l.record(r)
		sc := l.byName[scenarioName(r.PathValue("name"))]
		if sc == nil {
			http.NotFound(w, r)
			return
		}
		reply := sc.Actual
		switch {
		case strings.HasSuffix(r.PathValue("name"), "-target"):
			reply = sc.Target
		case strings.HasSuffix(r.PathValue("name"), "-hop"):
			reply = sc.Hop
		case r.Method == http.MethodOptions:
			reply = sc.Preflight
		}
		reply.write(w, r, l)
	})
	mux.HandleFunc("/scan/{kind}", func(w http.ResponseWriter, r *http.Request) {
		l.record(r)
		scanHandler(w, r)
	})
	return mux
}

// secure serves the TLS port: the page under PageHost (an https://
// page, for mixed content), the API under any other name.
func (l *Lab) secure() http.Handler {
	page := l.page()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if host, _, _ := strings.Cut(r.Host, ":"); host == PageHost {
			page.ServeHTTP(w, r)
			return
		}
		l.apiHandler.ServeHTTP(w, r)
	})
}

// SecurePageOrigin is the page's https:// origin (on the TLS port).
func (l *Lab) SecurePageOrigin() string { return "https://" + PageHost + ":" + strconv.Itoa(l.TLSPort) }

// scenarioName is the scenario a path element belongs to: "x",
// "x-hop" and "x-target" are all scenario x's.
func scenarioName(elem string) string {
	return strings.TrimSuffix(strings.TrimSuffix(elem, "-target"), "-hop")
}

// page serves the page at "/"; anything else is a 404 that is logged
// like the API's requests (a redirect back to the page's origin lands
// there).
func (l *Lab) page() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.serveBatch(w, r) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/s/") {
			l.apiHandler.ServeHTTP(w, r) // same-origin scenarios
			return
		}
		if r.URL.Path != "/" {
			l.record(r)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, PageHTML)
	})
}
