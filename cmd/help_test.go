package cmd_test

import (
	"regexp"
	"strings"
	"testing"
)

// --help groups the trace flags under curl's categories and names every
// value (no pflag type names such as "string" or "float").
func TestHelpGroupsAndValueNames(t *testing.T) {
	headings := []string{"Request flags:", "Where (DNS, connect, proxy) flags:", "TLS and HTTP flags:", "Time flags:",
		"Redirects and runs flags:", "Output flags:"}
	typeName := regexp.MustCompile(`(?m)^\s+(-\w, )?--[\w.-]+ (string|stringArray|float|int|float64|bool)\s`)
	for _, args := range [][]string{{"--help"}, {"trace", "--help"}, {"cors", "--help"}, {"explain", "--help"},
		{"jwt", "--help"}, {"har", "--help"}, {"demo", "--help"}, {"version", "--help"}} {
		o := reqtrace(t, nil, args...)
		if o.code != 0 {
			t.Fatalf("%v: exit %d %s", args, o.code, o.stderr)
		}
		if m := typeName.FindString(o.stdout); m != "" {
			t.Errorf("%v: a flag shows a type, not a value name: %q", args, m)
		}
		if args[0] != "--help" && args[0] != "trace" && args[0] != "cors" {
			continue
		}
		last := -1
		for _, h := range headings {
			i := strings.Index(o.stdout, "\n"+h+"\n")
			if i < last {
				t.Errorf("%v: heading %q missing or out of order", args, h)
			}
			last = i
		}
		// what is left under plain "Flags:" is --help, --version, --color
		_, rest, _ := strings.Cut(o.stdout, "\nFlags:\n")
		rest, _, _ = strings.Cut(rest, "\n\n")
		for _, line := range strings.Split(rest, "\n") {
			if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "-") && !regexp.MustCompile(`--(help|version|color)\b`).MatchString(line) {
				t.Errorf("%v: %q has no heading", args, line)
			}
		}
	}
	o := reqtrace(t, nil, "--help")
	for _, want := range []string{"-X, --request METHOD", "-m, --max-time SECONDS", "-H, --header HEADER", "-d, --data DATA", "--resolve HOST:PORT:ADDR[,ADDR]", "-w, --write-out FORMAT", "--color WHEN"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	if c := reqtrace(t, nil, "cors", "--help"); !strings.Contains(c.stdout, "\nCORS flags:\n      --origin ORIGIN") {
		t.Errorf("cors --help should start its flags with its own:\n%s", c.stdout)
	}
}

// A mistyped flag or command gets the closest one, exit 2.
func TestDidYouMean(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--locaton", "http://example.test/"}, "unknown flag: --locaton: did you mean --location?"},
		{[]string{"--max-tme", "1", "http://example.test/"}, "did you mean --max-time?"},
		{[]string{"cors", "--orign", "https://a.test", "http://example.test/"}, "did you mean --origin?"},
		{[]string{"explain", "--jsn", "404"}, "did you mean --json?"},
		{[]string{"explian", "404"}, `unknown command "explian": did you mean "explain"?`},
		{[]string{"demoo"}, `did you mean "demo"?`},
	} {
		o := reqtrace(t, nil, c.args...)
		if o.code != 2 || !strings.Contains(o.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, o.code, o.stderr, c.want)
		}
	}
	if o := reqtrace(t, nil, "--zzzzzz", "http://example.test/"); strings.Contains(o.stderr, "did you mean") {
		t.Errorf("nothing is close to --zzzzzz: %q", o.stderr)
	}
}
