package discover

import (
	"strings"

	"github.com/tdewolff/parse/v2/css"
)

// selectorMatches reports whether a rule's selector list can match an
// element of the document. Deliberately simple: only the subject (the
// last compound selector) of each complex selector is checked, by its
// type, #id and .classes; attribute selectors and pseudo-classes are taken
// to match, except user-action ones (:hover, :focus, ...), which match
// nothing at load; a pseudo-element matches nothing. Combinators and
// ancestors are not checked, so it errs towards fetching.
func (c *cssParser) selectorMatches(vals []css.Token) bool {
	if c.doc == nil || c.inline || len(c.doc.elements) >= maxElements {
		return true
	}
	for _, sel := range splitTokens(vals, css.CommaToken) {
		if c.complexMatches(sel) {
			return true
		}
	}
	return false
}

// compound is the simple selectors of one compound selector.
type compound struct {
	tag, id string
	classes []string
	never   bool // a pseudo-element or a user-action pseudo-class
}

func (c *cssParser) complexMatches(sel []css.Token) bool {
	comp, ok := subject(sel)
	if !ok || comp.never {
		return false
	}
	idx := c.doc.index()
	// Only the elements under the rarest of the compound's keys can match.
	cands, all := idx.all, true
	narrow := func(list []int) {
		if all || len(list) < len(cands) {
			cands, all = list, false
		}
	}
	if comp.id != "" {
		narrow(idx.byID[comp.id])
	}
	for _, cl := range comp.classes {
		narrow(idx.byClass[cl])
	}
	if comp.tag != "" {
		narrow(idx.byTag[comp.tag])
	}
	if all {
		return len(cands) > 0 // "*", or only pseudo-classes and attributes
	}
	for _, i := range cands {
		// A budget on the work of one sheet: past it, every selector is
		// taken to match (more fetches, never a stall).
		if c.work++; c.work > maxMatchWork {
			return true
		}
		if comp.matches(c.doc.elements[i]) {
			return true
		}
	}
	return false
}

// maxMatchWork bounds the element comparisons of one stylesheet.
const maxMatchWork = 10_000_000

// elementIndex finds elements by tag, id and class.
type elementIndex struct {
	all                  []int
	byTag, byID, byClass map[string][]int
}

// index builds the document's element index once.
func (d *Document) index() *elementIndex {
	d.indexOnce.Do(func() {
		x := &elementIndex{byTag: map[string][]int{}, byID: map[string][]int{}, byClass: map[string][]int{}}
		for i, e := range d.elements {
			x.all = append(x.all, i)
			x.byTag[e.tag] = append(x.byTag[e.tag], i)
			if e.id != "" {
				x.byID[e.id] = append(x.byID[e.id], i)
			}
			for _, cl := range e.classes {
				x.byClass[cl] = append(x.byClass[cl], i)
			}
		}
		d.idx = x
	})
	return d.idx
}

// subject parses the last compound selector of sel.
func subject(sel []css.Token) (compound, bool) {
	start := 0
	depth := 0
	for i, t := range sel {
		switch {
		case t.TokenType == css.FunctionToken || t.TokenType == css.LeftBracketToken || t.TokenType == css.LeftParenthesisToken:
			depth++
		case t.TokenType == css.RightParenthesisToken || t.TokenType == css.RightBracketToken:
			depth--
		case depth == 0 && (t.TokenType == css.WhitespaceToken || t.TokenType == css.DelimToken && (t.Data[0] == '>' || t.Data[0] == '+' || t.Data[0] == '~')):
			start = i + 1
		}
	}
	var comp compound
	toks := sel[start:]
	if len(toks) == 0 {
		return comp, false
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.TokenType {
		case css.IdentToken:
			if i == 0 {
				comp.tag = strings.ToLower(unescape(string(t.Data)))
			}
		case css.HashToken:
			comp.id = unescape(string(t.Data[1:]))
		case css.DelimToken:
			switch t.Data[0] {
			case '.':
				if i+1 < len(toks) && toks[i+1].TokenType == css.IdentToken {
					comp.classes = append(comp.classes, unescape(string(toks[i+1].Data)))
					i++
				}
			case '&', '*':
			}
		case css.ColonToken:
			if i+1 < len(toks) && toks[i+1].TokenType == css.ColonToken {
				// ::before and ::after are taken to have content (Chromium
				// draws them, backgrounds and all, when they do); other
				// pseudo-elements match nothing at load.
				if i+2 < len(toks) && (string(toks[i+2].Data) == "before" || string(toks[i+2].Data) == "after") {
					i += 2
					continue
				}
				comp.never = true
				return comp, true
			}
			if i+1 < len(toks) {
				name := strings.ToLower(strings.TrimSuffix(string(toks[i+1].Data), "("))
				switch name {
				case "hover", "focus", "focus-within", "focus-visible", "active", "visited", "target",
					"checked", "first-line", "first-letter", "selection", "placeholder":
					comp.never = true
					return comp, true
				}
				if toks[i+1].TokenType == css.FunctionToken {
					rest := skipFunction(toks[i+1:])
					i = len(toks) - len(rest) - 1
				} else {
					i++
				}
			}
		case css.LeftBracketToken:
			for i < len(toks) && toks[i].TokenType != css.RightBracketToken {
				i++
			}
		}
	}
	return comp, true
}

func (s compound) matches(e element) bool {
	if s.tag != "" && s.tag != e.tag {
		return false
	}
	if s.id != "" && s.id != e.id {
		return false
	}
	for _, want := range s.classes {
		found := false
		for _, have := range e.classes {
			if have == want {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
