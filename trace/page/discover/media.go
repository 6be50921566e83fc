package discover

import (
	"strconv"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// The device discovery assumes: headless Chromium's default window, at 1×.
// Media queries, sizes and srcset are evaluated against it.
const (
	ViewportWidth  = 780 // CSS pixels: the 800 px window less its scrollbar
	ViewportHeight = 437
	fontSizePx     = 16 // 1em and 1rem in media queries and sizes
)

// MediaMatches reports whether a media query list (a media="" attribute,
// an @media or @import condition) applies to the viewport above, on a
// screen, with no hover-capable pointer, light colour scheme and no
// reduced-motion preference (headless Chromium's answers). An empty list
// matches; a query it cannot read does not (as the spec treats an invalid
// query: "not all").
func MediaMatches(list string) bool {
	toks := mediaTokens(list)
	if len(toks) == 0 {
		return true
	}
	for _, q := range splitComma(toks) {
		if queryMatches(q) {
			return true
		}
	}
	return false
}

type tok struct {
	t css.TokenType
	s string // lower case
}

// mediaTokens lexes s, dropping whitespace and comments; it stops at 1000
// tokens (a longer query is not real).
func mediaTokens(s string) []tok {
	l := css.NewLexer(parse.NewInputString(s))
	var out []tok
	for len(out) < 1000 {
		tt, data := l.Next()
		if tt == css.ErrorToken {
			break
		}
		if tt == css.WhitespaceToken || tt == css.CommentToken {
			continue
		}
		out = append(out, tok{tt, strings.ToLower(string(data))})
	}
	return out
}

func splitComma(toks []tok) [][]tok {
	var out [][]tok
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.t == css.LeftParenthesisToken || t.t == css.FunctionToken:
			depth++
		case t.t == css.RightParenthesisToken && depth > 0:
			depth--
		case t.t == css.CommaToken && depth == 0:
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// queryMatches evaluates one query: [not|only] type [and (feature)]...,
// or (feature) [and|or (feature)]...
func queryMatches(q []tok) bool {
	if len(q) == 0 {
		return false
	}
	negate := false
	if q[0].t == css.IdentToken && (q[0].s == "not" || q[0].s == "only") {
		negate = q[0].s == "not"
		q = q[1:]
	}
	result := true
	first := true
	if len(q) > 0 && q[0].t == css.IdentToken {
		first = false // a media type: "and (feature)" may follow
		switch q[0].s {
		case "all", "screen":
		case "print", "speech", "tv", "projection", "handheld", "braille", "embossed", "aural", "tty":
			result = false
		default:
			return false
		}
		q = q[1:]
	}
	or := false
	for len(q) > 0 {
		if !first {
			if q[0].t != css.IdentToken || q[0].s != "and" && q[0].s != "or" {
				return false
			}
			or = q[0].s == "or"
			q = q[1:]
		}
		end := closeParen(q)
		if end < 0 {
			return false
		}
		v, ok := conditionMatches(q[1:end])
		if !ok {
			return false
		}
		if or {
			result = result || v
		} else {
			result = result && v
		}
		q = q[end+1:]
		first = false
	}
	return result != negate
}

// closeParen returns the index of the ")" closing q[0] == "(", or -1.
func closeParen(q []tok) int {
	if len(q) == 0 || q[0].t != css.LeftParenthesisToken {
		return -1
	}
	depth := 0
	for i, t := range q {
		switch t.t {
		case css.LeftParenthesisToken, css.FunctionToken:
			depth++
		case css.RightParenthesisToken:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// conditionMatches evaluates what is inside one pair of parentheses: a
// feature ("min-width: 600px", "hover"), a range ("width >= 600px"), or
// a nested condition. ok is false when it cannot be read.
func conditionMatches(c []tok) (v, ok bool) {
	if len(c) == 0 {
		return false, false
	}
	if c[0].t == css.LeftParenthesisToken || c[0].s == "not" {
		return queryMatches(c), true
	}
	if c[0].t != css.IdentToken {
		return rangeMatches(c)
	}
	name := c[0].s
	if len(c) == 1 {
		return booleanFeature(name)
	}
	if c[1].t != css.ColonToken {
		return rangeMatches(c)
	}
	return featureMatches(name, c[2:])
}

func booleanFeature(name string) (bool, bool) {
	switch name {
	case "color", "width", "height", "grid", "update", "monochrome":
		return name != "grid" && name != "monochrome", true
	case "hover", "pointer", "any-hover", "any-pointer", "prefers-reduced-motion", "inverted-colors", "prefers-reduced-transparency":
		return false, true
	}
	return false, false
}

// featureMatches evaluates "name: value".
func featureMatches(name string, val []tok) (bool, bool) {
	if len(val) == 0 {
		return false, false
	}
	prefix, feature := "", name
	if p, f, ok := strings.Cut(name, "-"); ok && (p == "min" || p == "max") {
		prefix, feature = p, f
	}
	cmp := func(have, want float64) bool {
		switch prefix {
		case "min":
			return have >= want
		case "max":
			return have <= want
		}
		return have == want
	}
	switch feature {
	case "width", "height", "device-width", "device-height":
		want, ok := lengthPx(val)
		if !ok {
			return false, false
		}
		have := float64(ViewportWidth)
		if strings.HasSuffix(feature, "height") {
			have = ViewportHeight
		}
		return cmp(have, want), true
	case "aspect-ratio", "device-aspect-ratio":
		if len(val) == 3 && val[0].t == css.NumberToken && val[2].t == css.NumberToken {
			a, _ := strconv.ParseFloat(val[0].s, 64)
			b, _ := strconv.ParseFloat(val[2].s, 64)
			if b > 0 {
				return cmp(float64(ViewportWidth)/ViewportHeight, a/b), true
			}
		}
		return false, false
	case "resolution", "device-pixel-ratio":
		r, ok := resolution(val[0])
		if !ok {
			return false, false
		}
		return cmp(1, r), true
	case "color":
		return cmp(8, atof(val[0].s)), true
	}
	if prefix != "" {
		return false, false
	}
	want := val[0].s
	switch name {
	case "orientation":
		return want == "landscape", true
	case "prefers-color-scheme":
		return want == "light", true
	case "prefers-reduced-motion", "prefers-reduced-data", "prefers-reduced-transparency":
		return want == "no-preference", true
	case "prefers-contrast", "forced-colors", "inverted-colors":
		return want == "no-preference" || want == "none", true
	case "hover", "any-hover", "pointer", "any-pointer":
		return want == "none", true
	case "scan":
		return want == "progressive", true
	case "display-mode":
		return want == "browser", true
	case "scripting":
		return want == "enabled", true
	}
	return false, false
}

// rangeMatches evaluates "width >= 600px" and "400px < width < 800px".
func rangeMatches(c []tok) (bool, bool) {
	var parts [][]tok
	var ops []string
	start := 0
	for i := 0; i < len(c); i++ {
		if c[i].t == css.DelimToken && (c[i].s == "<" || c[i].s == ">" || c[i].s == "=") {
			op := c[i].s
			parts = append(parts, c[start:i])
			if i+1 < len(c) && c[i+1].t == css.DelimToken && c[i+1].s == "=" {
				op += "="
				i++
			}
			ops = append(ops, op)
			start = i + 1
		}
	}
	parts = append(parts, c[start:])
	if len(ops) == 0 || len(ops) > 2 {
		return false, false
	}
	vals := make([]float64, len(parts))
	for i, p := range parts {
		if len(p) == 0 {
			return false, false
		}
		if len(p) == 1 && p[0].t == css.IdentToken {
			switch p[0].s {
			case "width", "device-width":
				vals[i] = ViewportWidth
			case "height", "device-height":
				vals[i] = ViewportHeight
			case "resolution":
				vals[i] = 1
			default:
				return false, false
			}
			continue
		}
		if r, ok := resolution(p[0]); ok && len(p) == 1 && p[0].t == css.DimensionToken && strings.HasSuffix(p[0].s, "x") {
			vals[i] = r
			continue
		}
		v, ok := lengthPx(p)
		if !ok {
			return false, false
		}
		vals[i] = v
	}
	for i, op := range ops {
		a, b := vals[i], vals[i+1]
		var r bool
		switch op {
		case "<":
			r = a < b
		case "<=":
			r = a <= b
		case ">":
			r = a > b
		case ">=":
			r = a >= b
		case "=":
			r = a == b
		default:
			return false, false
		}
		if !r {
			return false, true
		}
	}
	return true, true
}

// lengthPx reads a length of a media query or sizes: px, em, rem, vw, vh,
// vmin, vmax, and 0.
func lengthPx(val []tok) (float64, bool) {
	if len(val) != 1 {
		return 0, false
	}
	t := val[0]
	if t.t == css.NumberToken {
		v := atof(t.s)
		return v, v == 0
	}
	if t.t != css.DimensionToken {
		return 0, false
	}
	num, unit := splitDimension(t.s)
	v := atof(num)
	switch unit {
	case "px":
		return v, true
	case "em", "rem":
		return v * fontSizePx, true
	case "vw":
		return v * ViewportWidth / 100, true
	case "vh":
		return v * ViewportHeight / 100, true
	case "vmin":
		return v * min(ViewportWidth, ViewportHeight) / 100, true
	case "vmax":
		return v * max(ViewportWidth, ViewportHeight) / 100, true
	case "cm":
		return v * 96 / 2.54, true
	case "in":
		return v * 96, true
	case "pt":
		return v * 96 / 72, true
	}
	return 0, false
}

// resolution reads 1dppx, 2x, 96dpi in dppx.
func resolution(t tok) (float64, bool) {
	if t.t != css.DimensionToken {
		return 0, false
	}
	num, unit := splitDimension(t.s)
	v := atof(num)
	switch unit {
	case "x", "dppx":
		return v, true
	case "dpi":
		return v / 96, true
	case "dpcm":
		return v * 2.54 / 96, true
	}
	return 0, false
}

func splitDimension(s string) (num, unit string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '+' || s[i] == '-' ||
		(s[i] == 'e' || s[i] == 'E') && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '-' || s[i+1] == '+')) {
		i++
	}
	return s[:i], s[i:]
}

func atof(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return v
}
