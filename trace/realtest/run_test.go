package realtest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ran is one run of a tool: its output, exit code and working directory
// (where -D, -o and the like wrote their files).
type ran struct {
	argv           []string
	stdout, stderr []byte
	code           int
	dir            string
}

// runIn runs argv in dir (a new temporary directory when dir is "") with
// a 30 s limit; env entries are added to the environment.
func runIn(t *testing.T, dir string, env []string, argv ...string) ran {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	// No proxy from the machine, no colour, no curlrc.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NO_COLOR=1", "LC_ALL=C"}, env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	r := ran{argv: argv, stdout: so.Bytes(), stderr: se.Bytes(), dir: dir}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", argv[0], err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s did not end in 30 s: %q", argv[0], argv)
	}
	return r
}

// file is a file the tool wrote in its directory; nil when there is none.
func (r ran) file(name string) []byte {
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		return nil
	}
	return b
}

func (r ran) String() string {
	return strings.Join(r.argv, " ") + "\n  exit " + itoa(r.code) + "\n  stderr: " + strings.TrimSpace(string(r.stderr))
}

func reqtrace(t *testing.T, args ...string) ran {
	return runIn(t, "", nil, append([]string{e.bin}, args...)...)
}

func curl(t *testing.T, args ...string) ran {
	return runIn(t, "", nil, append([]string{"curl", "-q"}, args...)...)
}
