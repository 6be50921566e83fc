package cmd_test

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// TestSSLVerifyResultAgreesWithCurl runs curl and reqtrace on the lab's
// certificate faults, each one exactly one fault, and compares
// %{ssl_verify_result} and the exit code, with and without -k.
func TestSSLVerifyResultAgreesWithCurl(t *testing.T) {
	curl := curlBinary(t)
	lab := tracetest.New(t)
	cases := []struct {
		host       string
		code, exit string // what curl 7.88 says, checked below too
	}{
		{"www.lab.test", "0", "0"},
		{"fullchain.lab.test", "0", "0"},
		{"expired.lab.test", "10", "60"},
		{"notyet.lab.test", "9", "60"},
		{"untrusted.lab.test", "20", "60"},
		{"nointermediate.lab.test", "20", "60"},
		{"untrustedroot.lab.test", "19", "60"},
		{"selfsigned.lab.test", "18", "60"},
		// curl checks the name itself after OpenSSL's check passed and
		// leaves the number at 1 (not X509_V_ERR_HOSTNAME_MISMATCH, 62)
		{"wrong.lab.test", "1", "60"},
	}
	const format = "%{ssl_verify_result} %{exitcode}"
	for _, c := range cases {
		for _, k := range []bool{false, true} {
			url := lab.URL("https", c.host, "/")
			args := []string{"--cacert", lab.CAFile, "--resolve", c.host + ":" + strconv.Itoa(lab.HTTPSPort) + ":127.0.0.1", "-w", format}
			if k {
				args = append(args, "-k")
			}
			out, _ := exec.Command(curl, append(append([]string{"-s", "-o", "/dev/null"}, args...), url)...).Output()
			theirs := string(out)
			ours := reqtrace(t, nil, append(args, url)...).stdout
			if ours != theirs {
				t.Errorf("%s -k=%v: curl %q, reqtrace %q", c.host, k, theirs, ours)
			}
			if want := c.code + " " + c.exit; !k && theirs != want {
				t.Errorf("%s: curl says %q, this test expects %q", c.host, theirs, want)
			}
		}
	}
}

// TestHTTPConnectAgreesWithCurl: %{http_connect} is the proxy's answer to
// CONNECT (000 without one), as curl reports it, for a tunnel the proxy
// opens, refuses (403) and wants credentials for (407).
func TestHTTPConnectAgreesWithCurl(t *testing.T) {
	curl := curlBinary(t)
	lab := tracetest.New(t)
	const format = "%{http_connect} %{exitcode} %{http_code}"
	for _, c := range []struct{ url, want string }{
		{lab.URL("https", "www.lab.test", "/"), "200 0 200"},
		{lab.URL("https", "deny.lab.test", "/"), "403 56 000"},
		{lab.URL("https", "auth.lab.test", "/"), "407 56 000"},
		{lab.URL("http", "www.lab.test", "/"), "000 0 200"}, // forwarded, no CONNECT
	} {
		args := []string{"--cacert", lab.CAFile, "-x", lab.ProxyURL(), "-w", format, c.url}
		out, _ := exec.Command(curl, append([]string{"-s", "-o", "/dev/null"}, args...)...).Output()
		ours := reqtrace(t, nil, args...)
		if ours.stdout != string(out) || ours.stdout != c.want {
			t.Errorf("%s: curl %q, reqtrace %q, want %q", c.url, out, ours.stdout, c.want)
		}
	}
	// curl 7.88 lacks proxy_used and num_retries (8.7, 8.9): checked alone.
	o := reqtrace(t, nil, "--cacert", lab.CAFile, "-x", lab.ProxyURL(), "-w", "%{proxy_used} %{num_retries}", lab.URL("https", "www.lab.test", "/"))
	if o.stdout != "1 0" {
		t.Errorf("proxy_used num_retries = %q", o.stdout)
	}
}

// TestWriteOutRetries: %{num_retries} counts the attempts --retry repeated.
func TestWriteOutRetries(t *testing.T) {
	lab := tracetest.New(t)
	o := reqtrace(t, nil, append(labArgs(lab), "--retry", "2", "--retry-delay", "0.01", "-w", "%{num_retries} %{http_code}",
		lab.URL("http", "www.lab.test", "/status/503"))...)
	if o.stdout != "2 503" {
		t.Errorf("-w num_retries: %q (exit %d, %s)", o.stdout, o.code, o.stderr)
	}
}

// TestWriteOutEmpty: -w with an empty format prints nothing at all, as
// curl does (no report).
func TestWriteOutEmpty(t *testing.T) {
	lab := tracetest.New(t)
	for _, args := range [][]string{{"-w", ""}, {"-w", "", "-n", "2"}} {
		o := reqtrace(t, nil, append(append(labArgs(lab), args...), lab.URL("http", "www.lab.test", "/"))...)
		if o.code != 0 || o.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q", args, o.code, o.stdout)
		}
	}
}

// TestFreshResumesTLSSession: -n --fresh opens a new connection per run and
// resumes the TLS session, as curl does for a second URL (the text says
// so); --no-sessionid makes the second handshake a full one.
func TestFreshResumesTLSSession(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("https", "www.lab.test", "/")
	for _, c := range []struct {
		flags   []string
		resumed bool
	}{{nil, true}, {[]string{"--no-sessionid"}, false}} {
		args := append(append(labArgs(lab), "-n", "2", "--fresh", "--json"), c.flags...)
		o := reqtrace(t, nil, append(args, url)...)
		var doc struct {
			Runs []struct {
				Hops []struct {
					Connect struct{ Reused bool }
					TLS     struct{ Resumed bool }
				}
			}
		}
		if err := json.Unmarshal([]byte(o.stdout), &doc); err != nil || len(doc.Runs) != 2 {
			t.Fatalf("%v: exit %d, %v: %s", c.flags, o.code, err, o.stderr)
		}
		second := doc.Runs[1].Hops[0]
		if second.Connect.Reused || second.TLS.Resumed != c.resumed || doc.Runs[0].Hops[0].TLS.Resumed {
			t.Errorf("%v: run 2 reused %v, resumed %v (want %v)", c.flags, second.Connect.Reused, second.TLS.Resumed, c.resumed)
		}
		text := reqtrace(t, nil, append(append(labArgs(lab), "-n", "2", "--fresh"), append(c.flags, url)...)...)
		if strings.Contains(text.stdout, ", TLS resumed") != c.resumed {
			t.Errorf("%v: the runs table should say whether run 2 resumed:\n%s", c.flags, text.stdout)
		}
	}
}
