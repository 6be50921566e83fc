package assert

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
)

// kind is a value's type; expressions are checked for it when parsed.
type kind int

const (
	kAbsent kind = iota // the field has no value in this run (tls on http://)
	kBool
	kNum
	kDur
	kStr
)

func (k kind) String() string {
	return [...]string{"missing value", "check", "number", "duration", "string"}[k]
}

type value struct {
	k kind
	b bool
	n float64
	d time.Duration
	s string
}

func num(n float64) value       { return value{k: kNum, n: n} }
func dur(d time.Duration) value { return value{k: kDur, d: d} }
func str(s string) value        { return value{k: kStr, s: s} }
func boolean(b bool) value      { return value{k: kBool, b: b} }
func absent() value             { return value{} }

func (v value) present() bool      { return v.k != kAbsent }
func (v value) ordered() bool      { return v.k == kNum || v.k == kDur }
func (v value) truth() bool        { return v.k == kBool && v.b }
func (v value) equal(w value) bool { return v == w }

// number is an ordered value as a float, durations in nanoseconds.
func (v value) number() float64 {
	if v.k == kDur {
		return float64(v.d)
	}
	return v.n
}

// text is the value as the failure message shows it.
func (v value) text() string {
	switch v.k {
	case kBool:
		return strconv.FormatBool(v.b)
	case kNum:
		return strconv.FormatFloat(v.n, 'f', -1, 64)
	case kDur:
		return formatDuration(v.d)
	case kStr:
		return strconv.Quote(v.s)
	}
	return "missing"
}

// formatDuration shows milliseconds to the microsecond, as the report does.
func formatDuration(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', -1, 64) + "ms"
}

// node is a parsed expression.
type node interface {
	typ() kind
	// eval evaluates the node over the runs; run is the run a per-run
	// node reads (aggregates read them all).
	eval(runs []subject, run int) value
	// perRun reports whether the node reads one run (so a check over -n
	// runs holds only if it holds for each).
	perRun() bool
	String() string
}

type literal struct {
	v    value
	text string
}

func (l *literal) typ() kind                 { return l.v.k }
func (l *literal) eval([]subject, int) value { return l.v }
func (l *literal) perRun() bool              { return false }
func (l *literal) String() string            { return l.text }

type fieldNode struct {
	path string
	k    kind
	read func(subject) value
}

func (n *fieldNode) typ() kind { return n.k }
func (n *fieldNode) eval(runs []subject, run int) value {
	if run < 0 || run >= len(runs) {
		return absent()
	}
	return n.read(runs[run])
}
func (n *fieldNode) perRun() bool   { return true }
func (n *fieldNode) String() string { return n.path }

type headerNode struct{ name string }

func (n *headerNode) typ() kind { return kStr }
func (n *headerNode) eval(runs []subject, run int) value {
	if run < 0 || run >= len(runs) {
		return absent()
	}
	if runs[run].trace == nil {
		return absent()
	}
	resp := final(runs[run].trace).Response
	if resp == nil {
		return absent()
	}
	var vals []string
	for _, h := range resp.Headers {
		if strings.EqualFold(h.Name, n.name) {
			vals = append(vals, h.Value)
		}
	}
	if vals == nil {
		return absent()
	}
	return str(strings.Join(vals, ", "))
}
func (n *headerNode) perRun() bool   { return true }
func (n *headerNode) String() string { return "header(" + strconv.Quote(n.name) + ")" }

// aggregate is p50/p90/p95/p99/min/max/mean/median over the runs in which
// the field has a value.
type aggregate struct {
	fn  string
	arg *fieldNode
}

func (a *aggregate) typ() kind { return a.arg.typ() }
func (a *aggregate) eval(runs []subject, _ int) value {
	var xs []float64
	for i := range runs {
		if v := a.arg.eval(runs, i); v.ordered() {
			xs = append(xs, v.number())
		}
	}
	if len(xs) == 0 {
		return absent()
	}
	slices.Sort(xs)
	var x float64
	switch a.fn {
	case "min":
		x = xs[0]
	case "max":
		x = xs[len(xs)-1]
	case "mean":
		for _, v := range xs {
			x += v
		}
		x /= float64(len(xs))
	default:
		x = percentile(xs, aggregates[a.fn])
	}
	if a.typ() == kDur {
		return dur(time.Duration(math.Round(x)))
	}
	return num(x)
}
func (a *aggregate) perRun() bool   { return false }
func (a *aggregate) String() string { return a.fn + "(" + a.arg.path + ")" }

// percentile is the nearest-rank percentile of sorted xs, as the -n
// statistics compute it.
func percentile(xs []float64, p float64) float64 {
	i := int(math.Ceil(p/100*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

var aggregates = map[string]float64{"p50": 50, "median": 50, "p90": 90, "p95": 95, "p99": 99, "min": 0, "max": 100, "mean": -1}

func newCall(p *parser, name token, args []node) (node, error) {
	if _, ok := pageFunctions[name.text]; ok && p.page {
		return newPageCall(p, name, args)
	}
	if name.text == "header" {
		if len(args) != 1 {
			return nil, p.errAt(name, `header takes one name: header("cache-control")`)
		}
		l, ok := args[0].(*literal)
		if !ok || l.v.k != kStr {
			return nil, p.errAt(name, `header takes a quoted name: header("cache-control")`)
		}
		return &headerNode{name: l.v.s}, nil
	}
	if _, ok := aggregates[name.text]; !ok {
		known := "header, p50, p90, p95, p99, median, min, max and mean"
		if p.page {
			known = strings.Join(pageFunctionNames(), ", ") + ", " + known
		} else if _, ok := pageFunctions[name.text]; ok {
			return nil, p.errAt(name, name.text+" is a function of reqtrace page, which loads the whole page")
		}
		return nil, p.errAt(name, "no function "+strconv.Quote(name.text)+": there are "+known)
	}
	if len(args) != 1 {
		return nil, p.errAt(name, name.text+" takes one field: "+name.text+"(timings.total)")
	}
	f, ok := args[0].(*fieldNode)
	if !ok || (f.typ() != kNum && f.typ() != kDur) {
		return nil, p.errAt(name, name.text+" takes a field that is a number or a duration, e.g. "+name.text+"(timings.total)")
	}
	return &aggregate{fn: name.text, arg: f}, nil
}

type compare struct {
	op          string
	left, right node
	re          *regexp.Regexp
}

func newCompare(p *parser, t token, op string, left, right node) (node, error) {
	lt, rt := left.typ(), right.typ()
	c := &compare{op: op, left: left, right: right}
	switch op {
	case "contains", "startswith", "endswith", "matches":
		if lt != kStr || rt != kStr {
			return nil, p.errAt(t, fmt.Sprintf("%s compares strings; %s is a %s and %s a %s", op, left, lt, right, rt))
		}
		if op == "matches" {
			l, ok := right.(*literal)
			if !ok {
				return nil, p.errAt(t, `matches takes a quoted regular expression: header("server") matches "^nginx"`)
			}
			re, err := regexp.Compile(l.v.s)
			if err != nil {
				return nil, p.errAt(t, "the regular expression does not compile: "+err.Error())
			}
			c.re = re
		}
		return c, nil
	}
	if lt != rt {
		hint := ""
		if lt == kDur && rt == kNum || lt == kNum && rt == kDur {
			hint = ": give the number a unit, as in 200ms"
		}
		return nil, p.errAt(t, fmt.Sprintf("%s is a %s and %s is a %s%s", left, lt, right, rt, hint))
	}
	if (op != "==" && op != "!=") && lt != kNum && lt != kDur {
		return nil, p.errAt(t, fmt.Sprintf("%s orders numbers and durations, and %s is a %s: use == or !=", op, left, lt))
	}
	return c, nil
}

func (c *compare) typ() kind      { return kBool }
func (c *compare) perRun() bool   { return c.left.perRun() || c.right.perRun() }
func (c *compare) String() string { return c.left.String() + " " + c.op + " " + c.right.String() }
func (c *compare) eval(runs []subject, run int) value {
	l, r := c.left.eval(runs, run), c.right.eval(runs, run)
	if !l.present() || !r.present() {
		return boolean(false)
	}
	switch c.op {
	case "==":
		return boolean(l.equal(r))
	case "!=":
		return boolean(!l.equal(r))
	case "<":
		return boolean(l.number() < r.number())
	case "<=":
		return boolean(l.number() <= r.number())
	case ">":
		return boolean(l.number() > r.number())
	case ">=":
		return boolean(l.number() >= r.number())
	case "contains":
		return boolean(strings.Contains(strings.ToLower(l.s), strings.ToLower(r.s)))
	case "startswith":
		return boolean(strings.HasPrefix(strings.ToLower(l.s), strings.ToLower(r.s)))
	case "endswith":
		return boolean(strings.HasSuffix(strings.ToLower(l.s), strings.ToLower(r.s)))
	case "matches":
		return boolean(c.re.MatchString(l.s))
	}
	return boolean(false)
}

type logicNode struct {
	and         bool
	left, right node
}

func (n *logicNode) typ() kind    { return kBool }
func (n *logicNode) perRun() bool { return n.left.perRun() || n.right.perRun() }
func (n *logicNode) String() string {
	if n.and {
		return "(" + n.left.String() + " and " + n.right.String() + ")"
	}
	return "(" + n.left.String() + " or " + n.right.String() + ")"
}
func (n *logicNode) eval(runs []subject, run int) value {
	l := n.left.eval(runs, run).truth()
	if n.and && !l || !n.and && l {
		return boolean(l)
	}
	return boolean(n.right.eval(runs, run).truth())
}

type notNode struct{ n node }

func (n *notNode) typ() kind      { return kBool }
func (n *notNode) perRun() bool   { return n.n.perRun() }
func (n *notNode) String() string { return "not " + n.n.String() }
func (n *notNode) eval(runs []subject, run int) value {
	return boolean(!n.n.eval(runs, run).truth())
}

// Outcome is what one check found.
type Outcome struct {
	Expr   string `json:"expr"`
	Passed bool   `json:"passed"`
	// Actual lists the values the check read, as "name = value", for the
	// message that says why it failed.
	Actual []string `json:"actual"`
	// Run is the 1-based run of -n that failed it; 0 when the check is over
	// all runs (an aggregate) or there was one run.
	Run int `json:"run,omitempty"`
}

// Eval runs the check over the runs of a trace (one, or -n of them). A
// check that reads one run holds when it holds for every run; the first
// run where it does not is the one reported.
func (c *Check) Eval(results []*trace.Result) Outcome {
	runs := make([]subject, len(results))
	for i, r := range results {
		runs[i] = subject{trace: r}
	}
	return c.eval(runs)
}

// EvalPage runs a check of ParsePage over a page load: page fields read
// the page, the others its document's trace.
func (c *Check) EvalPage(p *page.Result) Outcome {
	s := subject{page: p}
	if len(p.Requests) > 0 {
		s.trace = p.Requests[0].Trace
	}
	return c.eval([]subject{s})
}

// subject is what one run gives a check to read: a trace, and in page
// mode the page whose document that trace fetched.
type subject struct {
	trace *trace.Result
	page  *page.Result
}

func (c *Check) eval(runs []subject) Outcome {
	o := Outcome{Expr: c.Expr, Passed: true}
	if len(runs) == 0 {
		return Outcome{Expr: c.Expr}
	}
	if !c.root.perRun() {
		o.Passed = c.root.eval(runs, 0).truth()
		o.Actual = actuals(c.root, runs, 0)
		return o
	}
	for i := range runs {
		if !c.root.eval(runs, i).truth() {
			o.Passed = false
			o.Actual = actuals(c.root, runs, i)
			if len(runs) > 1 {
				o.Run = i + 1
			}
			return o
		}
	}
	o.Actual = actuals(c.root, runs, len(runs)-1)
	return o
}

// actuals lists each field, header or aggregate the check reads, once,
// with its value in run.
func actuals(n node, runs []subject, run int) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(node)
	walk = func(n node) {
		switch x := n.(type) {
		case *fieldNode, *headerNode, *aggregate, *pageCall:
			if s := x.String(); !seen[s] {
				seen[s] = true
				out = append(out, s+" = "+x.eval(runs, run).text())
			}
		case *compare:
			walk(x.left)
			walk(x.right)
		case *logicNode:
			walk(x.left)
			walk(x.right)
		case *notNode:
			walk(x.n)
		}
	}
	walk(n)
	return out
}

// final is the last hop, the response a check is about.
func final(r *trace.Result) *trace.Hop {
	if len(r.Hops) == 0 {
		return &trace.Hop{}
	}
	return &r.Hops[len(r.Hops)-1]
}
