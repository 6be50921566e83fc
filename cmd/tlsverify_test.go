package cmd_test

import (
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// curlPath finds curl: CI installs it (.ci/run), elsewhere the test skips.
func curlPath(t *testing.T) string {
	t.Helper()
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl not found, and .ci/run should have installed it")
		}
		t.Skip("curl not found")
	}
	return curl
}

// TestSSLVerifyResultAgreesWithCurl runs curl and reqtrace on the lab's
// certificate faults, each one exactly one fault, and compares
// %{ssl_verify_result} and the exit code, with and without -k.
func TestSSLVerifyResultAgreesWithCurl(t *testing.T) {
	curl := curlPath(t)
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
