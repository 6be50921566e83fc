package annotate_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// noteText is the message of the hop's note id ("" when it has none).
func noteText(h trace.Hop, id string) string {
	for _, n := range h.Notes {
		if n.ID == id {
			return n.Message
		}
	}
	return ""
}

// The lab's h3.lab.test names send Alt-Svc: h3=":HTTPSPort"; ma=60 over
// every protocol, http:// included.
func TestAltSvcNoteLab(t *testing.T) {
	lab := tracetest.New(t)
	port := fmt.Sprintf("UDP port %d, for 1 minute", lab.HTTPSPort)
	for _, c := range []struct {
		name, url, http string
		want, not       string
	}{
		{"https over TCP", lab.URL("https", "h3.lab.test", "/"), "", "a browser that saw this switches to QUIC", "ignore"},
		{"over HTTP/3", lab.URL("https", "h3.lab.test", "/"), "3-only", "came over HTTP/3, and the server goes on offering it", "switches"},
		// curl and browsers take Alt-Svc from https:// responses only.
		{"http", lab.URL("http", "h3.lab.test", "/"), "", "plain http:// response: browsers and curl ignore Alt-Svc there", "switches"},
	} {
		res := traceLab(t, lab, c.url, func(o *trace.Options) { o.HTTP = c.http })
		msg := noteText(res.Hops[0], "timing.alt-svc-h3")
		if !strings.Contains(msg, c.want) || strings.Contains(msg, c.not) || c.name != "http" && !strings.Contains(msg, port) {
			t.Errorf("%s: note %q", c.name, msg)
		}
	}
	if msg := noteText(traceLab(t, lab, lab.URL("https", "www.lab.test", "/"), nil).Hops[0], "timing.alt-svc-h3"); msg != "" {
		t.Errorf("no Alt-Svc, yet: %q", msg)
	}
}

// dns.https-h3: the lab's h3rr record offers h3 and h2 on the HTTPS port,
// h2rr's only h2.
func TestHTTPSRecordNoteLab(t *testing.T) {
	lab := tracetest.New(t)
	where := fmt.Sprintf("offers HTTP/3 (UDP port %d)", lab.HTTPSPort)
	url := lab.URL("https", "h3rr.lab.test", "/")
	msg := noteText(traceLab(t, lab, url, nil).Hops[0], "dns.https-h3")
	if !strings.Contains(msg, where+": a browser that gets it connects over QUIC from the first request") {
		t.Errorf("over TCP: %q", msg)
	}
	res := traceLab(t, lab, url, func(o *trace.Options) { o.HTTP = "3-only" })
	if msg := noteText(res.Hops[0], "dns.https-h3"); msg != "The host's DNS HTTPS record "+where+", as this request used." {
		t.Errorf("over HTTP/3 (%s): %q", res.Hops[0].Response.Proto, msg)
	}
	if msg := noteText(traceLab(t, lab, lab.URL("https", "h2rr.lab.test", "/"), nil).Hops[0], "dns.https-h3"); msg != "" {
		t.Errorf("h2rr offers no h3, yet: %q", msg)
	}
	if msg := noteText(traceLab(t, lab, url, func(o *trace.Options) { o.NoHTTPSRecord = true }).Hops[0], "dns.https-h3"); msg != "" {
		t.Errorf("--no-https-record, yet: %q", msg)
	}
}
