package cmd_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/cmd"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// A failed write to stdout is curl's exit 23, whatever the command; the
// message is one line on stderr.
func TestStdoutWriteFailureExits23(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	lab := tracetest.New(t)
	url := lab.URL("https", "www.lab.test", "/")
	for _, args := range [][]string{
		{"version"}, {"--version"}, {"--help"}, {"explain", "404"}, {"explain", "--json", "cache-control"},
		{"explain", "--list"}, {"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"}, {"demo"},
		append(labArgs(lab), url), append(labArgs(lab), "--json", url), append(labArgs(lab), "-w", "%{http_code}", url),
		append(labArgs(lab), "-n", "2", url),
		append(labArgs(lab), "cors", "--origin", "https://app.test", url),
	} {
		c := exec.Command(binary, args...)
		c.Env = []string{"NO_COLOR=1", "HOME=" + t.TempDir()}
		var stderr bytes.Buffer
		c.Stdout, c.Stderr = full, &stderr
		err := c.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 23 {
			t.Errorf("%v > /dev/full: %v, want exit 23; stderr %q", args, err, stderr.String())
			continue
		}
		if msg := stderr.String(); !strings.HasPrefix(msg, "reqtrace: writing stdout failed: ") || !strings.Contains(msg, "no space left") || strings.Count(msg, "\n") != 1 {
			t.Errorf("%v > /dev/full: stderr %q", args, msg)
		}
	}
}

// Bad usage that cobra catches (flags, arguments, commands, flag groups)
// is exit 2 with one line naming it.
func TestUsageErrorsExit2(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus", "http://example.test/"}, "unknown flag: --bogus"},
		{[]string{"explain"}, "accepts 1 arg(s), received 0"},
		{[]string{"trace", "http://a.test/", "http://b.test/"}, "accepts 1 arg(s), received 2"},
		{[]string{"verison"}, `did you mean "version"`},
		{[]string{"version", "extra"}, "unknown command"},
		{[]string{"-4", "-6", "http://example.test/"}, "--ipv4 and --ipv6 cannot be used together"},
		{[]string{"cors", "--http1.1", "--http2", "--origin", "https://a.test", "http://example.test/"}, "--http1.1 and --http2 cannot be used together"},
		{[]string{"-m", "abc", "http://example.test/"}, "not a number"},
	} {
		o := reqtrace(t, nil, c.args...)
		if o.code != 2 || o.stdout != "" || !strings.Contains(o.stderr, c.want) || strings.Count(o.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, o.code, o.stdout, o.stderr, c.want)
		}
	}
}

// An error no one classified is a failure, exit 1, not bad usage.
func TestUnexpectedErrorExits1(t *testing.T) {
	if got := cmd.ExitCode(errors.New("something unexpected")); got != cmd.ExitFailure {
		t.Errorf("ExitCode(unclassified) = %d, want %d", got, cmd.ExitFailure)
	}
}
