package cmd_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// runOnPTY runs the binary with stderr on a pseudo-terminal and stdout on
// a pipe, and returns what each received.
func runOnPTY(t *testing.T, args ...string) (tty, stdout string, code int) {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skip("no pty here:", err)
	}
	defer master.Close()
	if err := pty.Setsize(master, &pty.Winsize{Rows: 24, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(binary, args...)
	c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm", "NO_COLOR=1"}
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, slave
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close() // the child holds its own copy: EOF (EIO) when it exits
	var got bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&got, master); close(copied) }()
	err = c.Wait()
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
		t.Fatal("the pty did not close")
	}
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return got.String(), out.String(), code
}

// On a terminal, a slow download shows a live line on stderr: the phases
// done, then bytes / total / share / rate / ETA moving, erased before the
// report (which goes to stdout untouched).
func TestProgressOnTerminal(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("http", "www.lab.test", "/drip?bytes=3000000&ms=1500")
	tty, stdout, code := runOnPTY(t, append(labArgs(lab), url)...)
	if code != 0 || !strings.Contains(stdout, "200 OK") {
		t.Fatalf("exit %d, stdout:\n%s", code, stdout)
	}
	frames := strings.Split(tty, "\r\x1b[K")
	var body []string
	for _, f := range frames {
		if strings.Contains(f, "receiving ") && strings.Contains(f, " / 2.9 MiB") {
			body = append(body, f)
		}
	}
	if len(body) < 5 {
		t.Fatalf("want a meter redrawn several times over a 1.5 s body; got %d frames:\n%q", len(body), tty)
	}
	last := body[len(body)-1]
	for _, want := range []string{"dns ", "connect ", "send ", "wait ", "%", "/s", "ETA "} {
		if !strings.Contains(strings.Join(body, "\n"), want) {
			t.Errorf("no frame shows %q:\n%s", want, strings.Join(body, "\n"))
		}
	}
	if first := body[0]; first == last {
		t.Errorf("the meter did not move: %q", first)
	}
	if !strings.HasSuffix(tty, "\r\x1b[K") {
		t.Errorf("the line is not erased at the end: %q", tty[max(0, len(tty)-80):])
	}
	if strings.Contains(stdout, "\x1b") || strings.Contains(stdout, "receiving") {
		t.Errorf("the meter leaked into stdout:\n%s", stdout)
	}
}

// -s silences the meter; with -n the line counts the runs.
func TestProgressSilentAndRuns(t *testing.T) {
	lab := tracetest.New(t)
	url := lab.URL("http", "www.lab.test", "/wait/300")
	if tty, _, code := runOnPTY(t, append(labArgs(lab), "-s", url)...); code != 0 || tty != "" {
		t.Errorf("-s: exit %d, the terminal got %q", code, tty)
	}
	tty, _, code := runOnPTY(t, append(labArgs(lab), "-n", "3", url)...)
	if code != 0 || !strings.Contains(tty, "run 1/3") || !strings.Contains(tty, "run 3/3") || !strings.Contains(tty, "waiting ") {
		t.Errorf("-n 3: exit %d, the terminal got %q", code, tty)
	}
}

// Piped, stderr gets no meter at all (the CLI tests check stderr is empty
// elsewhere; this one with a slow body).
func TestNoProgressWhenPiped(t *testing.T) {
	lab := tracetest.New(t)
	o := reqtrace(t, nil, append(labArgs(lab), lab.URL("http", "www.lab.test", "/drip?bytes=100000&ms=400"))...)
	if o.code != 0 || o.stderr != "" {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
}
