package cmd_test

import (
	"strings"
	"testing"
)

// Colour through a pipe: --color wins, then NO_COLOR, then CLICOLOR_FORCE
// and CLICOLOR; one persistent --color works before or after any command.
func TestColorEnvironment(t *testing.T) {
	for _, c := range []struct {
		env   []string
		args  []string
		color bool
	}{
		{nil, []string{"explain", "404"}, false},
		{[]string{"CLICOLOR_FORCE=1"}, []string{"explain", "404"}, true},
		{[]string{"CLICOLOR_FORCE=0"}, []string{"explain", "404"}, false},
		{[]string{"CLICOLOR_FORCE=1", "NO_COLOR=1"}, []string{"explain", "404"}, false},
		{[]string{"CLICOLOR_FORCE=1"}, []string{"explain", "--color", "never", "404"}, false},
		{[]string{"NO_COLOR=1"}, []string{"--color", "always", "explain", "404"}, true},
		{nil, []string{"explain", "404", "--color", "always"}, true},
		{[]string{"CLICOLOR_FORCE=1"}, []string{"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"}, true},
	} {
		o := reqtrace(t, c.env, c.args...)
		if o.code != 0 || strings.Contains(o.stdout, "\x1b[") != c.color {
			t.Errorf("%v %v: exit %d, colour %v, want %v (stderr %q)", c.env, c.args, o.code, !c.color, c.color, o.stderr)
		}
	}
	// one flag, not a copy per command: it shows under Global Flags
	if o := reqtrace(t, nil, "explain", "--help"); !strings.Contains(o.stdout, "Global Flags:") || strings.Count(o.stdout, "--color") != 1 {
		t.Errorf("explain --help should list --color once, as a global flag:\n%s", o.stdout)
	}
}
