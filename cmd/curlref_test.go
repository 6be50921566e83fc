package cmd_test

import (
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// These tests run curl 7.88 and reqtrace with the same flags against the
// same server and compare what each did: where curl is the reference,
// reqtrace behaves as curl.

// curlBinary finds curl; CI installs it, elsewhere the test is skipped.
func curlBinary(t *testing.T) string {
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

// runCurl runs curl with args and returns its exit code and stdout.
func runCurl(t *testing.T, curl string, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(curl, args...).Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// labResolve is the --resolve entry that points host at the lab's port
// for scheme, for curl and reqtrace alike.
func labResolve(lab *tracetest.Lab, scheme, host string) string {
	port := lab.HTTPPort
	if scheme == "https" {
		port = lab.HTTPSPort
	}
	return host + ":" + strconv.Itoa(port) + ":127.0.0.1"
}

// TestHeadAsCurl: -I reads no body, whatever Content-Length says, over
// HTTP/1.1 and HTTP/2, as curl -I; -X HEAD and cors -I too (curl -X HEAD
// waits for the body Content-Length announces: a curl quirk, not copied).
func TestHeadAsCurl(t *testing.T) {
	curl := curlBinary(t)
	lab := tracetest.New(t)
	const format = "%{http_code} %{http_version} %{size_download}"
	for _, scheme := range []string{"http", "https"} {
		url := lab.URL(scheme, "www.lab.test", "/bytes/100")
		args := []string{"-s", "-m", "20", "-o", os.DevNull, "--cacert", lab.CAFile, "--resolve", labResolve(lab, scheme, "www.lab.test"), "-w", format}
		code, want := runCurl(t, curl, append(args, "-I", url)...)
		for _, head := range [][]string{{"-I"}, {"-X", "HEAD"}} {
			o := reqtrace(t, nil, append(append(args, head...), url)...)
			if o.code != code || o.stdout != want {
				t.Errorf("%s %v: curl -I exit %d %q, reqtrace exit %d %q %s", scheme, head, code, want, o.code, o.stdout, o.stderr)
			}
		}
	}
	o := reqtrace(t, nil, append(labArgs(lab), "cors", "-m", "20", "-I", "--origin", "https://app.example", lab.URL("https", "www.lab.test", "/bytes/100"))...)
	if o.code != 0 {
		t.Errorf("cors -I over HTTP/2: exit %d %s", o.code, o.stderr)
	}
}
