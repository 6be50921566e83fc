// Package assert checks a trace's Result against small expressions, so
// that a CI job fails when a URL gets slow or wrong:
//
//	status == 200
//	timings.wait < 200ms
//	tls.days_left > 14 and tls.version == "TLS 1.3"
//	header("cache-control") contains "max-age"
//	p95(timings.total) < 300ms          (over the runs of -n)
//
// Expressions are type-checked when parsed, before anything is sent, so a
// typo fails at once with the position and what was expected.
package assert

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// MaxLength bounds an expression, so a hostile argument cannot make the
// parser recurse or allocate without end.
const MaxLength = 4096

// maxDepth bounds nesting (parentheses, not).
const maxDepth = 64

// SyntaxError says what is wrong with an expression and where.
type SyntaxError struct {
	Expr string
	Pos  int // byte offset
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("--assert %q: %s (at column %d)", e.Expr, e.Msg, e.Pos+1)
}

// Check is one parsed, type-checked assertion.
type Check struct {
	Expr string
	root node
}

// Parse parses and type-checks one expression over a trace.
func Parse(expr string) (*Check, error) { return parse(expr, false) }

// ParsePage parses one expression over a page load (reqtrace page): the
// page.* fields and the requests, bytes and finding functions, and every
// field of a trace, read from the document's.
func ParsePage(expr string) (*Check, error) { return parse(expr, true) }

func parse(expr string, page bool) (*Check, error) {
	if len(expr) > MaxLength {
		return nil, &SyntaxError{Expr: expr[:40] + "…", Msg: fmt.Sprintf("longer than %d bytes", MaxLength)}
	}
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{expr: expr, toks: toks, page: page}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "unexpected "+t.describe()+"; join two checks with and / or")
	}
	if n.typ() != kBool {
		return nil, &SyntaxError{Expr: expr, Msg: "is a " + n.typ().String() + ", not a check: compare it, e.g. status == 200"}
	}
	return &Check{Expr: expr, root: n}, nil
}

// ---- lexer ----

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tNumber
	tDuration
	tString
	tOp // == != < <= > >=
	tLParen
	tRParen
	tComma
	tDot
	tNot // ! or not
	tAnd // && or and
	tOr  // || or or
)

type token struct {
	kind tokKind
	text string
	pos  int
	num  float64
	dur  time.Duration
}

func (t token) describe() string {
	if t.kind == tEOF {
		return "end of expression"
	}
	return strconv.Quote(t.text)
}

func lex(expr string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(expr) {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			toks = append(toks, token{kind: tLParen, text: "(", pos: i})
			i++
		case c == ')':
			toks = append(toks, token{kind: tRParen, text: ")", pos: i})
			i++
		case c == ',':
			toks = append(toks, token{kind: tComma, text: ",", pos: i})
			i++
		case c == '.':
			toks = append(toks, token{kind: tDot, text: ".", pos: i})
			i++
		case c == '"' || c == '\'':
			t, n, err := lexString(expr, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = n
		case c >= '0' && c <= '9':
			t, n, err := lexNumber(expr, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = n
		case strings.ContainsRune("=!<>&|", rune(c)):
			t, n, err := lexOperator(expr, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = n
		case c == '_' || c < 0x80 && unicode.IsLetter(rune(c)):
			j := i
			for j < len(expr) && (expr[j] == '_' || expr[j] < 0x80 && (unicode.IsLetter(rune(expr[j])) || unicode.IsDigit(rune(expr[j])))) {
				j++
			}
			word := expr[i:j]
			t := token{kind: tIdent, text: word, pos: i}
			switch word {
			case "and":
				t.kind = tAnd
			case "or":
				t.kind = tOr
			case "not":
				t.kind = tNot
			}
			toks = append(toks, t)
			i = j
		default:
			return nil, &SyntaxError{Expr: expr, Pos: i, Msg: fmt.Sprintf("unexpected character %q", rune(c))}
		}
	}
	return append(toks, token{kind: tEOF, pos: len(expr)}), nil
}

func lexString(expr string, start int) (token, int, error) {
	quote := expr[start]
	var b strings.Builder
	for i := start + 1; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == quote:
			return token{kind: tString, text: b.String(), pos: start}, i + 1, nil
		case c == '\\' && i+1 < len(expr):
			i++
			b.WriteByte(expr[i])
		default:
			b.WriteByte(c)
		}
	}
	return token{}, 0, &SyntaxError{Expr: expr, Pos: start, Msg: "string not closed: end it with " + string(quote)}
}

// lexNumber reads a number, with a duration unit when one follows
// (ns, us, µs, ms, s, m, h as Go's time.ParseDuration takes them).
func lexNumber(expr string, start int) (token, int, error) {
	i := start
	for i < len(expr) && (expr[i] >= '0' && expr[i] <= '9' || expr[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(expr[start:i], 64)
	if err != nil {
		return token{}, 0, &SyntaxError{Expr: expr, Pos: start, Msg: fmt.Sprintf("%q is not a number", expr[start:i])}
	}
	j := i
	for j < len(expr) && (expr[j] >= 'a' && expr[j] <= 'z' || strings.HasPrefix(expr[j:], "µ")) {
		if strings.HasPrefix(expr[j:], "µ") {
			j += len("µ")
			continue
		}
		j++
	}
	if j == i {
		return token{kind: tNumber, text: expr[start:i], pos: start, num: n}, i, nil
	}
	d, err := time.ParseDuration(expr[start:j])
	if err != nil {
		return token{}, 0, &SyntaxError{Expr: expr, Pos: start,
			Msg: fmt.Sprintf("%q is not a duration: write a number and one of ns, us, ms, s, m, h (200ms, 1.5s)", expr[start:j])}
	}
	return token{kind: tDuration, text: expr[start:j], pos: start, dur: d}, j, nil
}

func lexOperator(expr string, i int) (token, int, error) {
	two := ""
	if i+1 < len(expr) {
		two = expr[i : i+2]
	}
	switch two {
	case "==", "!=", "<=", ">=":
		return token{kind: tOp, text: two, pos: i}, i + 2, nil
	case "&&":
		return token{kind: tAnd, text: two, pos: i}, i + 2, nil
	case "||":
		return token{kind: tOr, text: two, pos: i}, i + 2, nil
	}
	switch expr[i] {
	case '<', '>':
		return token{kind: tOp, text: expr[i : i+1], pos: i}, i + 1, nil
	case '!':
		return token{kind: tNot, text: "!", pos: i}, i + 1, nil
	case '=':
		return token{}, 0, &SyntaxError{Expr: expr, Pos: i, Msg: "a single = : write == to compare"}
	}
	return token{}, 0, &SyntaxError{Expr: expr, Pos: i, Msg: fmt.Sprintf("unexpected %q", expr[i])}
}

// ---- parser ----

type parser struct {
	expr string
	toks []token
	i    int
	page bool // ParsePage: the page fields and functions are known too
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(t token, msg string) error {
	return &SyntaxError{Expr: p.expr, Pos: t.pos, Msg: msg}
}

func (p *parser) deeper(depth int) error {
	if depth > maxDepth {
		return p.errAt(p.peek(), fmt.Sprintf("nested deeper than %d", maxDepth))
	}
	return nil
}

func (p *parser) or(depth int) (node, error) {
	left, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tOr {
		op := p.next()
		right, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		if left, err = p.logical(op, left, right); err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *parser) and(depth int) (node, error) {
	left, err := p.not(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tAnd {
		op := p.next()
		right, err := p.not(depth)
		if err != nil {
			return nil, err
		}
		if left, err = p.logical(op, left, right); err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *parser) logical(op token, left, right node) (node, error) {
	for _, n := range []node{left, right} {
		if n.typ() != kBool {
			return nil, p.errAt(op, fmt.Sprintf("%s joins checks, and %s is a %s: compare it first", op.text, n, n.typ()))
		}
	}
	return &logicNode{and: op.kind == tAnd, left: left, right: right}, nil
}

func (p *parser) not(depth int) (node, error) {
	if err := p.deeper(depth); err != nil {
		return nil, err
	}
	if p.peek().kind == tNot {
		op := p.next()
		n, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		if n.typ() != kBool {
			return nil, p.errAt(op, fmt.Sprintf("not applies to a check, and %s is a %s", n, n.typ()))
		}
		return &notNode{n}, nil
	}
	return p.comparison(depth)
}

// comparison is value [op value]; the ops are the symbols and the words
// contains, startswith, endswith and matches.
func (p *parser) comparison(depth int) (node, error) {
	left, err := p.value(depth)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	op := ""
	switch {
	case t.kind == tOp:
		op = t.text
	case t.kind == tIdent && (t.text == "contains" || t.text == "startswith" || t.text == "endswith" || t.text == "matches"):
		op = t.text
	default:
		return left, nil
	}
	p.next()
	right, err := p.value(depth)
	if err != nil {
		return nil, err
	}
	return newCompare(p, t, op, left, right)
}

func (p *parser) value(depth int) (node, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		return &literal{v: num(t.num), text: t.text}, nil
	case tDuration:
		return &literal{v: dur(t.dur), text: t.text}, nil
	case tString:
		return &literal{v: str(t.text), text: strconv.Quote(t.text)}, nil
	case tLParen:
		if err := p.deeper(depth); err != nil {
			return nil, err
		}
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, p.errAt(c, "expected ) to close the ( at column "+strconv.Itoa(t.pos+1)+", found "+c.describe())
		}
		return n, nil
	case tIdent:
		switch t.text {
		case "true", "false":
			return &literal{v: boolean(t.text == "true"), text: t.text}, nil
		}
		if p.peek().kind == tLParen {
			return p.call(t, depth)
		}
		return p.field(t)
	}
	return nil, p.errAt(t, "expected a field, a number, a duration or a string, found "+t.describe())
}

// field reads a dotted path and looks it up.
func (p *parser) field(first token) (node, error) {
	path := first.text
	for p.peek().kind == tDot {
		p.next()
		t := p.next()
		if t.kind != tIdent {
			return nil, p.errAt(t, "expected a name after the dot in "+path+".")
		}
		path += "." + t.text
	}
	if f, ok := pageFields[path]; ok && p.page {
		return &fieldNode{path: path, k: f.k, read: f.read}, nil
	}
	f, ok := fields[path]
	if !ok {
		if _, page := pageFields[path]; page {
			return nil, p.errAt(first, path+" is a field of reqtrace page, which loads the whole page")
		}
		return nil, p.errAt(first, "no field "+strconv.Quote(path)+suggest(path, p.page))
	}
	return &fieldNode{path: path, k: f.k, read: f.read}, nil
}

func (p *parser) call(name token, depth int) (node, error) {
	p.next() // (
	var args []node
	for p.peek().kind != tRParen {
		if len(args) > 0 {
			if c := p.next(); c.kind != tComma {
				return nil, p.errAt(c, "expected , or ) in the arguments of "+name.text+"(")
			}
		}
		a, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
	}
	p.next() // )
	return newCall(p, name, args)
}
