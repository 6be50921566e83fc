package trace_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func viaLab(lab *tracetest.Lab, userinfo string) func(*trace.Options) {
	return func(o *trace.Options) {
		px, err := trace.ParseProxy(strings.Replace(lab.ProxyURL(), "://", "://"+userinfo, 1))
		if err != nil {
			panic(err)
		}
		o.Proxy = trace.ProxyConfig{Explicit: px}
	}
}

func TestProxyTunnel(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("https", "proxydelay-40.www.lab.test", "/"), viaLab(lab, ""))
	hop := ok(t, res)
	p := hop.Proxy
	if p == nil || !p.Tunnel || p.Status != 200 || p.Source != "-x" {
		t.Fatalf("proxy = %+v", p)
	}
	within(t, "proxy CONNECT", hop.Timings.Proxy, 40*time.Millisecond)
	if hop.Timings.TLS == nil || hop.Timings.TLS.Start < hop.Timings.Proxy.End() {
		t.Errorf("TLS must start after the tunnel: tls %+v proxy %+v", hop.Timings.TLS, hop.Timings.Proxy)
	}
	if hop.DNS != nil || hop.TLS.ServerName != "proxydelay-40.www.lab.test" || hop.Response.Proto != "HTTP/2.0" {
		t.Errorf("dns %+v (the proxy is an IP), SNI %q, proto %s", hop.DNS, hop.TLS.ServerName, hop.Response.Proto)
	}
	if !strings.HasPrefix(hop.Connect.Address, "127.0.0.1:") || lab.ProxyRequests() != 1 {
		t.Errorf("connected to %s; proxy saw %d requests", hop.Connect.Address, lab.ProxyRequests())
	}
}

func TestProxyForwardsPlainHTTP(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("http", "www.lab.test", "/redirect/1"), viaLab(lab, ""), follow)
	ok(t, res)
	for i, hop := range res.Hops {
		if hop.Proxy == nil || hop.Proxy.Tunnel || !strings.HasPrefix(hop.Request.Target, "http://www.lab.test:") {
			t.Errorf("hop %d: proxy %+v target %q", i, hop.Proxy, hop.Request.Target)
		}
		if headerOf(hop.Response.Headers, "Via") == "" {
			t.Errorf("hop %d did not pass the proxy", i)
		}
	}
	if !res.Hops[1].Connect.Reused {
		t.Error("the second hop should reuse the proxy connection")
	}
}

func TestProxyAuth(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("https", "auth.lab.test", "/"), viaLab(lab, ""))
	if e := res.Err; e == nil || e.Phase != trace.PhaseProxy || e.Kind != trace.KindProxyAuth || !strings.Contains(e.Message, "407") {
		t.Fatalf("err = %+v", e)
	}
	if p := res.Hops[0].Proxy; p == nil || p.Status != 407 || headerOf(p.Headers, "Proxy-Authenticate") == "" {
		t.Errorf("proxy = %+v", p)
	}
	good := run(t, lab, lab.URL("https", "auth.lab.test", "/"), viaLab(lab, tracetest.ProxyUser+":"+tracetest.ProxyPassword+"@"))
	ok(t, good)
	if run(t, lab, lab.URL("https", "deny.lab.test", "/"), viaLab(lab, "")).Err.Kind != trace.KindProxy {
		t.Error("a 403 from the proxy is not a proxy error")
	}
}

func TestProxyConfig(t *testing.T) {
	env := map[string]string{"http_proxy": "proxy.test:3128", "HTTPS_PROXY": "http://secure.test:8080", "NO_PROXY": "internal.test, .corp.test,10.0.0.0/8"}
	pc, err := trace.ProxyFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ url, proxy, source string }{
		{"http://example.test/", "http://proxy.test:3128", "http_proxy"},
		{"https://example.test/", "http://secure.test:8080", "HTTPS_PROXY"},
		{"https://internal.test/", "", ""},
		{"https://a.b.corp.test/", "", ""},
		{"http://10.1.2.3/", "", ""},
		{"http://11.1.2.3/", "http://proxy.test:3128", "http_proxy"},
	}
	for _, c := range cases {
		u, _ := url.Parse(c.url)
		px, src := pc.For(u)
		got := ""
		if px != nil {
			got = px.String()
		}
		if got != c.proxy || src != c.source {
			t.Errorf("%s: %q from %q, want %q from %q", c.url, got, src, c.proxy, c.source)
		}
	}
	// curl reads only the lower-case http_proxy (HTTP_PROXY can be set by a CGI client).
	pc, _ = trace.ProxyFromEnv(func(k string) string { return map[string]string{"HTTP_PROXY": "evil.test"}[k] })
	if px, _ := pc.For(&url.URL{Scheme: "http", Host: "x.test"}); px != nil {
		t.Error("HTTP_PROXY was used")
	}
	for _, bad := range []string{"socks4://x.test:1080", "socks4a://x.test", "http://"} {
		if _, err := trace.ParseProxy(bad); err == nil {
			t.Errorf("ParseProxy(%q) accepted", bad)
		}
	}
}
