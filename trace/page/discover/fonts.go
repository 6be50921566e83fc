package discover

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/tdewolff/parse/v2/css"
)

// fontFace is one @font-face: its family and the source Chromium would
// fetch first.
type fontFace struct {
	family string // lower case
	url    *url.URL
	line   int
	kind   string
}

// fontState is what a Document knows of web fonts across its sheets:
// which families rules name, which faces wait for a use.
type fontState struct {
	used    map[string]bool
	pending []fontFace
	fetched map[string]bool // by URL: a face is returned once
}

func (c *cssParser) fontFaceDecl(prop string, vals []css.Token) {
	switch prop {
	case "font-family":
		if names := familyNames(vals); len(names) > 0 {
			c.face.family = names[0]
		}
	case "src":
		if c.face.url != nil {
			return
		}
		if raw := fontSource(vals); raw != "" {
			if u := resolve(c.base, raw); u != nil {
				c.face.url, c.face.line, c.face.kind = u, c.line+c.lineOffset, c.kind
			}
		}
	}
}

// fontSource returns the first url() of a src descriptor whose format()
// Chromium supports; local() sources are taken to be absent.
func fontSource(vals []css.Token) string {
	for _, entry := range splitTokens(vals, css.CommaToken) {
		u, ok := "", true
		for i := 0; i < len(entry); i++ {
			t := entry[i]
			name := strings.ToLower(string(t.Data))
			switch {
			case t.TokenType == css.URLToken:
				u = urlTokenValue(t.Data)
			case t.TokenType == css.FunctionToken && name == "url(":
				if i+1 < len(entry) && entry[i+1].TokenType == css.StringToken {
					u = unquote(entry[i+1].Data)
				}
			case t.TokenType == css.FunctionToken && name == "format(":
				ok = ok && fontFormatSupported(entry[i+1:])
			case t.TokenType == css.FunctionToken && name == "tech(":
				ok = ok && fontTechSupported(entry[i+1:])
			}
		}
		if u != "" && ok {
			return u
		}
	}
	return ""
}

// fontFormatSupported reads format()'s first argument.
func fontFormatSupported(args []css.Token) bool {
	for _, t := range args {
		switch t.TokenType {
		case css.StringToken, css.IdentToken:
			switch strings.ToLower(unquote(t.Data)) {
			case "woff2", "woff", "truetype", "opentype", "collection",
				"woff2-variations", "woff-variations", "truetype-variations", "opentype-variations":
				return true
			}
			return false
		case css.RightParenthesisToken:
			return false
		}
	}
	return false
}

func fontTechSupported(args []css.Token) bool {
	for _, t := range args {
		switch t.TokenType {
		case css.IdentToken:
			switch strings.ToLower(string(t.Data)) {
			case "variations", "color-colrv0", "color-colrv1", "color-cbdt", "color-sbix", "features-opentype", "palettes", "incremental":
			default:
				return false
			}
		case css.RightParenthesisToken:
			return true
		}
	}
	return true
}

func splitTokens(vals []css.Token, sep css.TokenType) [][]css.Token {
	var out [][]css.Token
	start, depth := 0, 0
	for i, t := range vals {
		switch t.TokenType {
		case css.FunctionToken, css.LeftParenthesisToken:
			depth++
		case css.RightParenthesisToken:
			depth--
		case sep:
			if depth == 0 {
				out = append(out, vals[start:i])
				start = i + 1
			}
		}
	}
	return append(out, vals[start:])
}

// familyNames reads a font-family list: strings, or runs of identifiers
// joined by a space, lower case. Generic families are left out.
func familyNames(vals []css.Token) []string {
	var out []string
	for _, entry := range splitTokens(vals, css.CommaToken) {
		var words []string
		for _, t := range entry {
			switch t.TokenType {
			case css.StringToken:
				words = append(words, unquote(t.Data))
			case css.IdentToken:
				words = append(words, unescape(string(t.Data)))
			}
		}
		name := strings.ToLower(strings.Join(words, " "))
		switch name {
		case "", "serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "inherit", "initial", "unset":
			continue
		}
		out = append(out, name)
		if len(out) > 100 {
			break
		}
	}
	return out
}

// shorthandFamilies returns the family list of a font shorthand: what
// follows the size (and /line-height).
func shorthandFamilies(vals []css.Token) []css.Token {
	last := -1
	for i, t := range vals {
		switch t.TokenType {
		case css.DimensionToken, css.PercentageToken, css.NumberToken:
			last = i
		case css.IdentToken:
			switch strings.ToLower(string(t.Data)) {
			case "xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large", "larger", "smaller", "normal":
				last = i
			}
		case css.CommaToken, css.StringToken:
			if last >= 0 {
				return vals[last+1:]
			}
		}
	}
	return vals[last+1:]
}

// fonts records this sheet's faces and families in the document and
// returns the faces now both declared and used.
func (c *cssParser) fonts() []Ref {
	var out []Ref
	emit := func(f fontFace) {
		out = append(out, Ref{URL: f.url, Type: TypeFont, Kind: f.kind, Line: f.line, Priority: PriorityHighest})
	}
	if c.doc == nil {
		for _, f := range c.fontFaces {
			emit(f)
		}
		return out
	}
	d := c.doc
	d.mu.Lock()
	defer d.mu.Unlock()
	fs := &d.fonts
	if fs.used == nil {
		fs.used, fs.fetched = map[string]bool{}, map[string]bool{}
	}
	if d.hasText {
		for _, f := range c.families {
			if len(fs.used) < MaxRefs {
				fs.used[f] = true
			}
		}
	}
	if len(fs.pending)+len(c.fontFaces) <= MaxRefs {
		fs.pending = append(fs.pending, c.fontFaces...)
	}
	kept := fs.pending[:0]
	for _, f := range fs.pending {
		key := f.url.String()
		switch {
		case fs.fetched[key]:
		case fs.used[f.family]:
			fs.fetched[key] = true
			emit(f)
		default:
			kept = append(kept, f)
		}
	}
	fs.pending = kept
	return out
}

func formatDensity(d float64) string {
	return strconv.FormatFloat(d, 'f', -1, 64) + "x"
}
