package trace_test

import (
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// echoed decodes the lab's /echo answer: what the server received.
func echoed(t *testing.T, hop *trace.Hop) map[string][]string {
	t.Helper()
	var echo struct {
		Headers map[string][]string `json:"headers"`
	}
	if err := json.Unmarshal(hop.Response.BodyPreview, &echo); err != nil {
		t.Fatalf("echo: %v: %s", err, hop.Response.BodyPreview)
	}
	return echo.Headers
}

func TestCookieEngineAcrossRedirects(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"http", "https"} {
		res := run(t, lab, lab.URL(scheme, "www.lab.test", "/set-cookie?session=s1&theme=dark"), follow,
			func(o *trace.Options) { o.Cookie, o.CookieJar = "given=1", true })
		ok(t, res)
		got := echoed(t, &res.Hops[1])["Cookie"]
		if len(got) != 1 || !strings.Contains(got[0], "given=1") || !strings.Contains(got[0], "session=s1") || !strings.Contains(got[0], "theme=dark") {
			t.Errorf("%s: the server saw Cookie %q", scheme, got)
		}
	}
}

func TestCookieFile(t *testing.T) {
	file := "# Netscape HTTP Cookie File\n" +
		"www.lab.test\tFALSE\t/\tFALSE\t0\tfromfile\tyes\n" +
		"#HttpOnly_.lab.test\tTRUE\t/\tFALSE\t" + "4102444800" + "\tsub\tok\n" +
		"other.test\tFALSE\t/\tFALSE\t0\tnothere\tno\n" +
		"Set-Cookie: hdr=1; Domain=lab.test; Path=/\n"
	cookies, err := trace.ParseCookieFile(strings.NewReader(file))
	if err != nil || len(cookies) != 4 || !cookies[1].Cookie.HttpOnly || cookies[1].Cookie.Expires.Year() != 2100 || cookies[0].Host != "www.lab.test" {
		t.Fatalf("parsed %+v, %v", cookies, err)
	}
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("http", "www.lab.test", "/echo"), func(o *trace.Options) { o.Cookies, o.CookieJar = cookies, true })
	got := strings.Join(echoed(t, ok(t, res))["Cookie"], "")
	for _, want := range []string{"fromfile=yes", "sub=ok", "hdr=1"} {
		if !strings.Contains(got, want) {
			t.Errorf("Cookie %q lacks %s", got, want)
		}
	}
	if strings.Contains(got, "nothere") {
		t.Errorf("a cookie for another host was sent: %q", got)
	}
}

func TestCookieNotSentCrossOrigin(t *testing.T) {
	lab := tracetest.New(t)
	other := lab.URL("http", "other.lab.test", "/echo")
	res := run(t, lab, lab.URL("http", "www.lab.test", "/redirect-to?url="+url.QueryEscape(other)), follow,
		func(o *trace.Options) { o.Cookie = "secret=1" })
	ok(t, res)
	if got := echoed(t, &res.Hops[len(res.Hops)-1]); len(got["Cookie"]) != 0 {
		t.Errorf("-b cookie sent to another origin: %v", got["Cookie"])
	}
}

func TestRefererAndAuto(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("http", "www.lab.test", "/redirect-to?url=/echo"), follow,
		func(o *trace.Options) { o.Referer, o.RefererAuto = "https://from.example/", true })
	ok(t, res)
	if got := echoed(t, &res.Hops[1])["Referer"]; len(got) != 1 || !strings.Contains(got[0], "/redirect-to") {
		t.Errorf("auto Referer on the second hop = %q", got)
	}
	if h := res.Hops[0].Request.Headers; !strings.Contains(headerOf(h, "Referer"), "from.example") {
		t.Errorf("first hop Referer = %q", headerOf(h, "Referer"))
	}
}

func TestCompressed(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"http", "https"} {
		hop := ok(t, run(t, lab, lab.URL(scheme, "www.lab.test", "/gzip"), func(o *trace.Options) { o.Compressed = true }))
		r := hop.Response
		if headerOf(hop.Request.Headers, "Accept-Encoding") != "deflate, gzip" || headerOf(r.Headers, "Content-Encoding") != "gzip" {
			t.Fatalf("%s: no gzip exchange: %v", scheme, r.Headers)
		}
		if r.DecodedBytes != int64(len(tracetest.GzipBody)) || r.BodyBytes >= r.DecodedBytes || string(r.BodyPreview) != tracetest.GzipBody {
			t.Errorf("%s: wire %d decoded %d preview %q", scheme, r.BodyBytes, r.DecodedBytes, r.BodyPreview)
		}
		plain := ok(t, run(t, lab, lab.URL(scheme, "www.lab.test", "/gzip")))
		if plain.Response.DecodedBytes != -1 || headerOf(plain.Request.Headers, "Accept-Encoding") != "" {
			t.Errorf("%s: without --compressed: decoded %d", scheme, plain.Response.DecodedBytes)
		}
	}
}

func TestBadContentEncoding(t *testing.T) {
	lab := tracetest.New(t)
	addr := rawServer(t, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nnope!")
	res := run(t, lab, "http://"+addr+"/", func(o *trace.Options) { o.Compressed = true })
	if e := res.Err; e == nil || e.Kind != trace.KindBadEncoding || e.Phase != trace.PhaseReceive {
		t.Errorf("err = %+v", e)
	}
}

func TestConnectTo(t *testing.T) {
	lab := tracetest.New(t)
	rule, err := trace.ParseConnectTo("api.example:443:www.lab.test:" + strconv.Itoa(lab.HTTPSPort))
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, lab, "https://api.example/", func(o *trace.Options) { o.ConnectTo = []trace.ConnectTo{rule} })
	hop := ok(t, res)
	if hop.DNS.Host != "www.lab.test" || hop.TLS.ServerName != "api.example" || !strings.Contains(hop.Connect.Via, "--connect-to www.lab.test:") {
		t.Errorf("dns host %q, SNI %q, via %q", hop.DNS.Host, hop.TLS.ServerName, hop.Connect.Via)
	}
	if headerOf(hop.Request.Headers, "Host") != "" && headerOf(hop.Request.Headers, "Host") != "api.example" {
		t.Errorf("Host = %q", headerOf(hop.Request.Headers, "Host"))
	}
	for _, bad := range []string{"a:1:b", "a:x:b:1", "[::1:1:b:2"} {
		if _, err := trace.ParseConnectTo(bad); err == nil {
			t.Errorf("ParseConnectTo(%q) accepted", bad)
		}
	}
	if c, err := trace.ParseConnectTo("::[::1]:8443"); err != nil || c.ToHost != "::1" || c.ToPort != 8443 || c.FromHost != "" || c.FromPort != 0 {
		t.Errorf("any-host rule: %+v %v", c, err)
	}
}

func TestUnixSocket(t *testing.T) {
	lab := tracetest.New(t)
	sock := filepath.Join(t.TempDir(), "api.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("no unix sockets here: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("over a socket")) })}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	hop := ok(t, run(t, lab, "http://docker/v1/info", func(o *trace.Options) { o.UnixSocket = sock }))
	if string(hop.Response.BodyPreview) != "over a socket" || hop.Connect.Address != "unix:"+sock || hop.DNS != nil || hop.Timings.Skipped["dns"] == "" {
		t.Errorf("body %q address %q dns %+v", hop.Response.BodyPreview, hop.Connect.Address, hop.DNS)
	}
}

func TestTLSVersionBounds(t *testing.T) {
	lab := tracetest.New(t)
	hop := ok(t, run(t, lab, lab.URL("https", "www.lab.test", "/"), func(o *trace.Options) { o.TLSMax = tls.VersionTLS12 }))
	if hop.TLS.Version != "TLS 1.2" {
		t.Errorf("--tls-max 1.2 gave %s", hop.TLS.Version)
	}
	res := run(t, lab, lab.URL("https", "tls12.lab.test", "/"), func(o *trace.Options) { o.TLSMin = tls.VersionTLS13 })
	if e := res.Err; e == nil || e.Kind != trace.KindHandshake {
		t.Errorf("--tlsv1.3 against a TLS 1.2 server: %+v", e)
	}
}

func TestHTTP2PriorKnowledge(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("http", "www.lab.test", "/redirect/1"), follow, func(o *trace.Options) { o.HTTP = "2-prior" })
	ok(t, res)
	for i, hop := range res.Hops {
		if hop.Response.Proto != "HTTP/2.0" || hop.TLS != nil || hop.ConnID != 1 {
			t.Errorf("hop %d: proto %s conn #%d", i, hop.Response.Proto, hop.ConnID)
		}
	}
}

func TestRetry(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("http", "www.lab.test", "/status/503"), func(o *trace.Options) { o.Retry, o.RetryDelay = 2, 20*time.Millisecond })
	if len(res.Retries) != 2 || res.Retries[0].Status != 503 || res.Retries[1].Attempt != 2 || res.Retries[0].Wait != 20*time.Millisecond {
		t.Errorf("retries = %+v", res.Retries)
	}
	if n := lab.Requests("/status/503"); n != 3 {
		t.Errorf("the server saw %d requests, want 3", n)
	}
	post := run(t, lab, lab.URL("http", "www.lab.test", "/status/502"), func(o *trace.Options) {
		o.Retry, o.RetryDelay, o.Body = 2, time.Millisecond, []byte("x")
	})
	if len(post.Retries) != 0 || lab.Requests("/status/502") != 1 {
		t.Errorf("a POST was retried: %+v", post.Retries)
	}
	timeout := run(t, lab, lab.URL("http", "www.lab.test", "/wait/2000"), func(o *trace.Options) {
		o.Retry, o.RetryDelay, o.MaxTime = 1, time.Millisecond, 100*time.Millisecond
	})
	if len(timeout.Retries) != 1 || timeout.Retries[0].Err == nil || timeout.Err == nil || timeout.Err.Kind != trace.KindTimeout {
		t.Errorf("timeout retries = %+v, err %+v", timeout.Retries, timeout.Err)
	}
	if ok := run(t, lab, lab.URL("http", "www.lab.test", "/status/404"), func(o *trace.Options) { o.Retry = 3 }); len(ok.Retries) != 0 {
		t.Errorf("a 404 was retried")
	}
}

func TestClientCertificate(t *testing.T) {
	lab := tracetest.New(t)
	certPEM, keyPEM, err := lab.ClientCertificate()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"https"} {
		for _, http := range []string{"", "1.1"} {
			hop := ok(t, run(t, lab, lab.URL(scheme, "mtls.lab.test", "/"), func(o *trace.Options) { o.ClientCert, o.HTTP = &cert, http }))
			if hop.Response.Status != 200 {
				t.Errorf("with the certificate (%q): %d", http, hop.Response.Status)
			}
			res := run(t, lab, lab.URL(scheme, "mtls.lab.test", "/"), func(o *trace.Options) { o.HTTP = http })
			if e := res.Err; e == nil || e.Kind != trace.KindClientCert || !strings.Contains(e.Hint, "-E/--cert") {
				t.Errorf("without one (%q): %+v", http, e)
			}
		}
	}
	// A certificate from another CA is refused.
	other := tracetest.New(t)
	otherPEM, otherKey, _ := other.ClientCertificate()
	wrong, _ := tls.X509KeyPair(otherPEM, otherKey)
	res := run(t, lab, lab.URL("https", "mtls.lab.test", "/"), func(o *trace.Options) { o.ClientCert = &wrong })
	if e := res.Err; e == nil || e.Kind != trace.KindClientCert || !strings.Contains(e.Message, "refused") {
		t.Errorf("another CA's certificate: %+v", e)
	}
}
