package cmd_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/reqtrace/reqtrace/cmd"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// TestScripts runs testdata/script/*.txtar: command lines against the lab,
// run in this process (cmd.Run, the path main takes), so that
// `go test -cover ./cmd/` counts what they exercise. In a script:
//
//	reqtrace ARGS...   runs one command line; stdout and stderr as usual;
//	                   `! reqtrace` expects a non-zero exit
//	exitcode N         the last reqtrace exited N
//
// and $DNS, $CA, $HTTP, $HTTPS are the lab's DNS server, CA file and
// base URLs (http://www.lab.test:PORT, https://www.lab.test:PORT), $LAB
// the lab's domain with ports: any label of lab.test picks a behaviour
// (nx.lab.test has no address, expired.lab.test an expired certificate).
// With `env STDOUT=full` stdout fails every write, as /dev/full does.
// The commands run in this process, whose directory is not $WORK: name
// files as $WORK/NAME.
func TestScripts(t *testing.T) {
	lab := tracetest.New(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("DNS", lab.DNSAddr)
			e.Setenv("CA", lab.CAFile)
			e.Setenv("HTTP", strings.TrimSuffix(lab.URL("http", "www.lab.test", "/"), "/"))
			e.Setenv("HTTPS", strings.TrimSuffix(lab.URL("https", "www.lab.test", "/"), "/"))
			e.Setenv("HTTPSPORT", strconv.Itoa(lab.HTTPSPort))
			e.Setenv("HTTPPORT", strconv.Itoa(lab.HTTPPort))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"reqtrace": runReqtrace,
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 || neg {
					ts.Fatalf("usage: exitcode N")
				}
				if got := ts.Getenv("EXITCODE"); got != args[0] {
					ts.Fatalf("exit code %s, want %s", got, args[0])
				}
			},
		},
	})
}

// runReqtrace is the script command: cmd.Run with the script's
// environment, stdin empty, stdout and stderr the script's.
func runReqtrace(ts *testscript.TestScript, neg bool, args []string) {
	var out interface{ Write([]byte) (int, error) } = ts.Stdout()
	if ts.Getenv("STDOUT") == "full" {
		out = fullWriter{}
	}
	ios := &cmd.IO{In: strings.NewReader(""), Out: out, ErrOut: ts.Stderr(), Width: 100, Getenv: ts.Getenv}
	code := cmd.Run(context.Background(), ios, args)
	ts.Setenv("EXITCODE", strconv.Itoa(code))
	if neg != (code != 0) {
		ts.Fatalf("reqtrace %s: exit %d", strings.Join(args, " "), code)
	}
}

// fullWriter fails every write, as a full disk does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }
