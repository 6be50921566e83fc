package trace_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func viaSOCKS(lab *tracetest.Lab, scheme, userinfo string) func(*trace.Options) {
	return func(o *trace.Options) {
		px, err := trace.ParseProxy(strings.Replace(lab.SOCKSURL(scheme), "://", "://"+userinfo, 1))
		if err != nil {
			panic(err)
		}
		o.Proxy = trace.ProxyConfig{Explicit: px}
	}
}

// socks5h sends the name and lets the proxy resolve it: no DNS here; the
// handshake is the proxy span, TLS runs through the tunnel after it.
func TestSOCKS5hTunnel(t *testing.T) {
	lab := tracetest.New(t)
	for _, scheme := range []string{"https", "http"} {
		res := run(t, lab, lab.URL(scheme, "proxydelay-40.www.lab.test", "/"), viaSOCKS(lab, "socks5h", ""))
		hop := ok(t, res)
		if p := hop.Proxy; p == nil || !p.Tunnel || p.Source != "-x" {
			t.Fatalf("%s: proxy = %+v", scheme, p)
		}
		within(t, scheme+" SOCKS handshake", hop.Timings.Proxy, 40*time.Millisecond)
		if hop.DNS != nil || hop.Request.Target != "/" {
			t.Errorf("%s: dns %+v (the proxy resolves), target %q (origin-form through a tunnel)", scheme, hop.DNS, hop.Request.Target)
		}
		if scheme == "https" && (hop.Timings.TLS == nil || hop.Timings.TLS.Start < hop.Timings.Proxy.End() || hop.TLS.ServerName != "proxydelay-40.www.lab.test") {
			t.Errorf("TLS must follow the handshake, for the server's name: tls %+v proxy %+v", hop.Timings.TLS, hop.Timings.Proxy)
		}
	}
	if got := lab.SOCKSTargets(); len(got) != 2 || got[0] != "proxydelay-40.www.lab.test" {
		t.Errorf("socks5h should send the name: %q", got)
	}
}

// socks5 resolves here (the hop's DNS is the server's) and sends the
// address; credentials go through RFC 1929.
func TestSOCKS5LocalResolveAndAuth(t *testing.T) {
	lab := tracetest.New(t)
	res := run(t, lab, lab.URL("https", "www.lab.test", "/"), viaSOCKS(lab, "socks5", tracetest.ProxyUser+":"+tracetest.ProxyPassword+"@"))
	hop := ok(t, res)
	if hop.DNS == nil || hop.DNS.Host != "www.lab.test" || hop.Timings.DNS == nil || hop.Timings.Connect.Start < hop.Timings.DNS.End() {
		t.Errorf("socks5: the server's name is resolved first, here: dns %+v", hop.DNS)
	}
	if got := lab.SOCKSTargets(); !slices.Equal(got, []string{"127.0.0.1"}) {
		t.Errorf("socks5 should send the address: %q", got)
	}
}

func TestSOCKSFailures(t *testing.T) {
	lab := tracetest.New(t)
	for _, c := range []struct {
		name, host, scheme, user, msg string
	}{
		{"wrong password", "www.lab.test", "socks5h", "u:wrong@", "refused the user name and password"},
		{"denied", "deny.lab.test", "socks5h", "", "not allowed by the proxy's rules"},
		{"unresolvable at the proxy", "nxdomain.lab.test", "socks5h", "", "host unreachable"},
	} {
		res := run(t, lab, lab.URL("https", c.host, "/"), viaSOCKS(lab, c.scheme, c.user))
		e := res.Err
		if e == nil || e.Phase != trace.PhaseProxy || e.Kind != trace.KindSOCKS || !strings.Contains(e.Message, c.msg) || e.Hint == "" {
			t.Errorf("%s: err = %+v, want phase proxy, kind %s, %q and a hint", c.name, e, trace.KindSOCKS, c.msg)
		}
	}
	// a web server is no SOCKS proxy: it waits for the rest of a request
	// line, and the handshake times out in the proxy phase
	res := run(t, lab, lab.URL("https", "www.lab.test", "/"), func(o *trace.Options) {
		px, _ := trace.ParseProxy("socks5h://127.0.0.1:" + strings.TrimPrefix(lab.URL("http", "www.lab.test", ""), "http://www.lab.test:"))
		o.Proxy, o.ConnectTimeout = trace.ProxyConfig{Explicit: px}, 300*time.Millisecond
	})
	if e := res.Err; e == nil || e.Phase != trace.PhaseProxy || e.Kind != trace.KindTimeout {
		t.Errorf("a web server as SOCKS proxy: err = %+v", e)
	}
	if _, err := trace.ParseProxy("socks4://127.0.0.1"); err == nil {
		t.Error("socks4:// accepted")
	}
}
