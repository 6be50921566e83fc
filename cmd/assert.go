package cmd

import (
	"fmt"
	"strings"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/assert"
	"github.com/reqtrace/reqtrace/trace/page"
)

// parseAsserts parses every --assert before a request is sent, so that a
// typo is bad usage (exit 2) and nothing goes out.
func parseAsserts(exprs []string) ([]*assert.Check, error) {
	return parseWith(exprs, assert.Parse)
}

// parsePageAsserts is parseAsserts for reqtrace page, which knows the
// page.* fields too.
func parsePageAsserts(exprs []string) ([]*assert.Check, error) {
	return parseWith(exprs, assert.ParsePage)
}

func parseWith(exprs []string, parse func(string) (*assert.Check, error)) ([]*assert.Check, error) {
	var checks []*assert.Check
	for _, e := range exprs {
		c, err := parse(e)
		if err != nil {
			return nil, &exitError{code: ExitUsage, msg: "reqtrace: " + render.Safe(err.Error())}
		}
		checks = append(checks, c)
	}
	return checks, nil
}

// checkAsserts evaluates the checks over the runs and fails with exit 4
// when one does not hold, naming each failed check and the values it read
// (stderr, even with --json: the document on stdout stays the trace's).
func checkAsserts(ios *IO, f *traceFlags, checks []*assert.Check, runs []*trace.Result) error {
	return failedAsserts(f, checks, func(c *assert.Check) assert.Outcome { return c.Eval(runs) }, len(runs))
}

// checkPageAsserts is checkAsserts over a page load.
func checkPageAsserts(f *traceFlags, checks []*assert.Check, res *page.Result) error {
	return failedAsserts(f, checks, func(c *assert.Check) assert.Outcome { return c.EvalPage(res) }, 1)
}

func failedAsserts(f *traceFlags, checks []*assert.Check, eval func(*assert.Check) assert.Outcome, runs int) error {
	var failed []string
	for _, c := range checks {
		o := eval(c)
		if o.Passed {
			continue
		}
		line := "assertion failed: " + o.Expr
		if o.Run > 0 {
			line += fmt.Sprintf(" (run %d of %d)", o.Run, runs)
		}
		if len(o.Actual) > 0 {
			line += ": " + strings.Join(o.Actual, ", ")
		}
		failed = append(failed, "reqtrace: "+render.Safe(line))
	}
	if len(failed) == 0 {
		return nil
	}
	if f.silent && !f.showError {
		return &exitError{code: ExitAssert}
	}
	return &exitError{code: ExitAssert, msg: strings.Join(failed, "\n")}
}
