package discover

import (
	"bytes"
	"io"
	"net/url"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// CSS reads a stylesheet and returns what Chromium would request for it
// once it applies to doc: @import rules (before any other rule), images
// of declarations whose rule can match an element of doc, and the web
// fonts of @font-face rules whose family a rule names (this call's or an
// earlier one's: a font declared in one sheet and used in another is
// returned by the call that completes the pair). base is the
// stylesheet's URL. A nil doc matches every rule and uses every font. It
// reads at most MaxBytes and returns at most MaxRefs refs.
func CSS(base *url.URL, r io.Reader, doc *Document) []Ref {
	return CSSMedia(base, r, doc, "")
}

// CSSMedia is CSS for a stylesheet whose media condition (Ref.Media) may
// not apply: Chromium still fetches such a sheet and its @imports, but
// none of its images or fonts.
func CSSMedia(base *url.URL, r io.Reader, doc *Document, media string) []Ref {
	b, _ := io.ReadAll(io.LimitReader(r, MaxBytes))
	c := newCSSParser(base, b, doc, false)
	if !MediaMatches(media) {
		c.frames = append(c.frames, frame{}) // nothing applies; @import is checked first
	}
	return c.run()
}

// imageProperties are the properties whose url()s Chromium fetches as
// images when the declaration applies to an element.
var imageProperties = map[string]bool{
	"background": true, "background-image": true,
	"border-image": true, "border-image-source": true,
	"mask": true, "mask-image": true, "-webkit-mask": true, "-webkit-mask-image": true,
	"-webkit-mask-box-image": true, "-webkit-mask-box-image-source": true,
	"list-style": true, "list-style-image": true,
	"content": true, "shape-outside": true,
}

type cssParser struct {
	base       *url.URL
	src        []byte
	doc        *Document
	inline     bool   // a style="" attribute: declarations only, they apply
	kind       string // Ref.Kind: InitCSS, or InitParser for inline CSS
	lineOffset int

	refs      []Ref
	frames    []frame
	ruleSeen  bool // a rule other than @charset/@import/@layer: @import is now invalid
	lineAt    int  // offset counted up to
	line      int
	face      *fontFace // the @font-face being read
	fontFaces []fontFace
	families  []string
	work      int // element comparisons so far, against maxMatchWork
}

// frame is one open block: a rule set or an at-rule.
type frame struct {
	applies  bool // its declarations apply to some element
	fontFace bool
}

func newCSSParser(base *url.URL, src []byte, doc *Document, inline bool) *cssParser {
	return &cssParser{base: base, src: src, doc: doc, inline: inline, kind: InitCSS, line: 1}
}

func (c *cssParser) run() []Ref {
	p := css.NewParser(parse.NewInputBytes(c.src), c.inline)
	// Every grammar consumes input; the bound is a fence against a parser
	// bug turning hostile input into a loop.
	for steps := 0; steps < 4*len(c.src)+16 && len(c.refs) < MaxRefs; steps++ {
		gt, _, data := p.Next()
		c.advance(p.Offset())
		switch gt {
		case css.ErrorGrammar:
			if p.Err() != nil && !p.HasParseError() {
				return c.finish()
			}
		case css.AtRuleGrammar:
			c.atRule(string(data), p.Values())
		case css.BeginAtRuleGrammar:
			c.beginAtRule(string(data), p.Values())
		case css.BeginRulesetGrammar:
			c.ruleSeen = true
			c.push(frame{applies: c.applies() && c.selectorMatches(p.Values())})
		case css.EndAtRuleGrammar, css.EndRulesetGrammar:
			c.pop()
		case css.DeclarationGrammar, css.CustomPropertyGrammar:
			if gt == css.DeclarationGrammar {
				c.declaration(string(data), p.Values())
			}
		}
	}
	return c.finish()
}

// advance counts the lines up to offset.
func (c *cssParser) advance(offset int) {
	if offset > len(c.src) {
		offset = len(c.src)
	}
	if offset > c.lineAt {
		c.line += bytes.Count(c.src[c.lineAt:offset], []byte{'\n'})
		c.lineAt = offset
	}
}

func (c *cssParser) applies() bool {
	if len(c.frames) == 0 {
		return true
	}
	return c.frames[len(c.frames)-1].applies
}

func (c *cssParser) push(f frame) { c.frames = append(c.frames, f) }

func (c *cssParser) pop() {
	if len(c.frames) == 0 {
		return
	}
	f := c.frames[len(c.frames)-1]
	c.frames = c.frames[:len(c.frames)-1]
	if f.fontFace && c.face != nil {
		if c.face.url != nil && c.face.family != "" {
			c.fontFaces = append(c.fontFaces, *c.face)
		}
		c.face = nil
	}
}

func (c *cssParser) atRule(name string, vals []css.Token) {
	switch name {
	case "@charset", "@layer", "@namespace":
		return
	case "@import":
		if c.ruleSeen || len(c.frames) > 0 && c.frames[0].applies || len(c.frames) > 1 {
			return // an @import after a rule is invalid, and not fetched
		}
		u, media := importTarget(vals)
		if u == "" {
			return
		}
		applies := MediaMatches(media)
		c.add(u, Ref{Type: TypeStylesheet, Priority: PriorityHighest, RenderBlocking: applies, Media: media})
		return
	}
	c.ruleSeen = true
}

func (c *cssParser) beginAtRule(name string, vals []css.Token) {
	c.ruleSeen = true
	parent := c.applies()
	switch strings.TrimPrefix(name, "@-webkit-") {
	case "@media", "media":
		c.push(frame{applies: parent && MediaMatches(tokensText(vals))})
	case "@supports", "@layer", "@container", "@scope", "@document", "@starting-style":
		c.push(frame{applies: parent})
	case "@font-face", "font-face":
		c.face = &fontFace{}
		c.push(frame{fontFace: true})
	default: // @keyframes, @page, @counter-style, @property, unknown
		c.push(frame{})
	}
}

func (c *cssParser) declaration(prop string, vals []css.Token) {
	if len(c.frames) > 0 && c.frames[len(c.frames)-1].fontFace {
		c.fontFaceDecl(prop, vals)
		return
	}
	if !c.applies() {
		return
	}
	switch prop {
	case "font-family":
		c.families = append(c.families, familyNames(vals)...)
		return
	case "font":
		c.families = append(c.families, familyNames(shorthandFamilies(vals))...)
		return
	}
	if !imageProperties[strings.TrimPrefix(prop, "-webkit-")] && !imageProperties[prop] {
		return
	}
	if (prop == "list-style" || prop == "list-style-image") && !c.matchesTag("li") {
		return // only a list item draws its marker
	}
	for _, u := range imageURLs(vals) {
		c.add(u, Ref{Type: TypeImage, Priority: PriorityLow})
	}
}

func (c *cssParser) matchesTag(tag string) bool {
	if c.doc == nil || c.inline {
		return true
	}
	return len(c.doc.index().byTag[tag]) > 0 || len(c.doc.elements) >= maxElements
}

func (c *cssParser) add(raw string, r Ref) {
	u := resolve(c.base, raw)
	if u == nil || len(c.refs) >= MaxRefs {
		return
	}
	r.URL, r.Kind, r.Line = u, c.kind, c.line+c.lineOffset
	c.refs = append(c.refs, r)
}

// finish adds the fonts this sheet completes (declared and used, here or
// in an earlier sheet of doc).
func (c *cssParser) finish() []Ref {
	for _, f := range c.fonts() {
		if len(c.refs) >= MaxRefs {
			break
		}
		c.refs = append(c.refs, f)
	}
	return c.refs
}

// importTarget reads @import's URL and its media list (after any layer()
// and supports()).
func importTarget(vals []css.Token) (u, media string) {
	i := 0
	for i < len(vals) && vals[i].TokenType == css.WhitespaceToken {
		i++
	}
	if i >= len(vals) {
		return "", ""
	}
	switch t := vals[i]; {
	case t.TokenType == css.URLToken:
		u = urlTokenValue(t.Data)
	case t.TokenType == css.StringToken:
		u = unquote(t.Data)
	case t.TokenType == css.FunctionToken && strings.EqualFold(string(t.Data), "url("):
		if i+1 < len(vals) && vals[i+1].TokenType == css.StringToken {
			u = unquote(vals[i+1].Data)
			i++
		}
		i++ // the ")"
	default:
		return "", ""
	}
	rest := vals[i+1:]
	for len(rest) > 0 {
		t := rest[0]
		switch {
		case t.TokenType == css.WhitespaceToken:
			rest = rest[1:]
			continue
		case t.TokenType == css.IdentToken && strings.EqualFold(string(t.Data), "layer"):
			rest = rest[1:]
			continue
		case t.TokenType == css.FunctionToken && (strings.EqualFold(string(t.Data), "layer(") || strings.EqualFold(string(t.Data), "supports(")):
			rest = skipFunction(rest)
			continue
		}
		break
	}
	return u, tokensText(rest)
}

// skipFunction drops a function token and its arguments.
func skipFunction(vals []css.Token) []css.Token {
	depth := 0
	for i, t := range vals {
		switch t.TokenType {
		case css.FunctionToken, css.LeftParenthesisToken:
			depth++
		case css.RightParenthesisToken:
			depth--
			if depth == 0 {
				return vals[i+1:]
			}
		}
	}
	return nil
}

func tokensText(vals []css.Token) string {
	var b strings.Builder
	for _, t := range vals {
		b.Write(t.Data)
	}
	return b.String()
}

// imageURLs finds the url()s of a declaration's value; of an image-set()
// only the candidate a 1× device picks.
func imageURLs(vals []css.Token) []string {
	var out []string
	for i := 0; i < len(vals); i++ {
		t := vals[i]
		switch {
		case t.TokenType == css.URLToken:
			out = append(out, urlTokenValue(t.Data))
		case t.TokenType == css.FunctionToken && strings.EqualFold(string(t.Data), "url("):
			if i+1 < len(vals) && vals[i+1].TokenType == css.StringToken {
				out = append(out, unquote(vals[i+1].Data))
			}
		case t.TokenType == css.FunctionToken && (strings.EqualFold(string(t.Data), "image-set(") || strings.EqualFold(string(t.Data), "-webkit-image-set(")):
			end := len(vals) - len(skipFunction(vals[i:]))
			if u := pickImageSet(vals[i+1 : max(i+1, end-1)]); u != "" {
				out = append(out, u)
			}
			i = end - 1
		}
		if len(out) > MaxRefs {
			break
		}
	}
	return out
}

// pickImageSet chooses from image-set()'s options as srcset's x
// candidates are chosen.
func pickImageSet(vals []css.Token) string {
	var opts []Candidate
	cur := Candidate{Density: 1}
	flush := func() {
		if cur.URL != "" {
			opts = append(opts, cur)
		}
		cur = Candidate{Density: 1}
	}
	for i := 0; i < len(vals); i++ {
		t := vals[i]
		switch t.TokenType {
		case css.StringToken:
			cur.URL = unquote(t.Data)
		case css.URLToken:
			cur.URL = urlTokenValue(t.Data)
		case css.DimensionToken:
			if r, ok := resolution(tok{t.TokenType, strings.ToLower(string(t.Data))}); ok {
				cur.Density = r
			}
		case css.CommaToken:
			flush()
		case css.FunctionToken: // type("image/avif") or a nested url("...")
			if strings.EqualFold(string(t.Data), "url(") && i+1 < len(vals) && vals[i+1].TokenType == css.StringToken {
				cur.URL = unquote(vals[i+1].Data)
			}
			if strings.EqualFold(string(t.Data), "type(") && i+1 < len(vals) && vals[i+1].TokenType == css.StringToken {
				if !typeSupported(TypeImage, unquote(vals[i+1].Data)) {
					cur.URL = "\x00unsupported"
				}
			}
			rest := skipFunction(vals[i:])
			i = len(vals) - len(rest) - 1
		}
	}
	flush()
	var b strings.Builder
	for i, o := range opts {
		if strings.HasPrefix(o.URL, "\x00") || strings.ContainsAny(o.URL, ", ") {
			continue
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(o.URL + " " + formatDensity(o.Density))
	}
	return PickCandidate(b.String(), "", "")
}

// urlTokenValue is the URL of a url(...) token, unquoted and unescaped.
func urlTokenValue(data []byte) string {
	s := string(data)
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, ")")
	s = strings.Trim(s, " \t\n\r\f")
	if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
		return unquote([]byte(s))
	}
	return unescape(s)
}

// unquote strips a CSS string's quotes and resolves its escapes.
func unquote(data []byte) string {
	s := string(data)
	if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
		q := s[0]
		s = s[1:]
		if len(s) > 0 && s[len(s)-1] == q {
			s = s[:len(s)-1]
		}
	}
	return unescape(s)
}

// unescape resolves CSS escapes: \XXXXXX hex (one optional whitespace
// after), \ before a newline (a line continuation in strings), \c.
func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i >= len(s) {
			b.WriteRune('\uFFFD')
			break
		}
		if s[i] == '\n' || s[i] == '\f' {
			continue
		}
		if s[i] == '\r' {
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			continue
		}
		j := i
		var r rune
		for j < len(s) && j-i < 6 && ishex(s[j]) {
			r = r*16 + rune(hexVal(s[j]))
			j++
		}
		if j == i {
			b.WriteByte(s[i])
			continue
		}
		if r == 0 || r > 0x10FFFF || r >= 0xD800 && r <= 0xDFFF {
			r = '\uFFFD'
		}
		b.WriteRune(r)
		if j < len(s) && isSpace(s[j]) {
			if s[j] == '\r' && j+1 < len(s) && s[j+1] == '\n' {
				j++
			}
			j++
		}
		i = j - 1
	}
	return b.String()
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
