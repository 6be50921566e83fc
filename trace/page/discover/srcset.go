package discover

import (
	"slices"
	"strconv"
	"strings"
)

// Candidate is one image candidate of a srcset attribute.
type Candidate struct {
	URL     string  // as written, not yet resolved
	Density float64 // x descriptor; 0 when the candidate has a w descriptor
	Width   int     // w descriptor, 0 when absent
}

// ParseSrcset parses a srcset attribute as the HTML standard's "parse a
// srcset attribute" does: candidates separated by commas, each a URL and
// optional descriptors; a candidate with invalid descriptors is dropped.
// It returns at most 1000 candidates.
func ParseSrcset(s string) []Candidate {
	var out []Candidate
	i := 0
	for i < len(s) && len(out) < maxCandidates {
		for i < len(s) && (isSpace(s[i]) || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		u := s[start:i]
		var descs []string
		if strings.HasSuffix(u, ",") {
			u = strings.TrimRight(u, ",")
		} else {
			descs, i = descriptors(s, i)
		}
		if c, ok := candidate(u, descs); ok {
			out = append(out, c)
		}
	}
	return out
}

// descriptors tokenizes descriptors from s[i:] up to the comma that ends
// the candidate (a comma inside parentheses does not).
func descriptors(s string, i int) ([]string, int) {
	var descs []string
	var cur strings.Builder
	inParens := false
	flush := func() {
		if cur.Len() > 0 {
			descs = append(descs, cur.String())
			cur.Reset()
		}
	}
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case inParens:
			if c == ')' {
				inParens = false
			}
			cur.WriteByte(c)
		case isSpace(c):
			flush()
		case c == ',':
			flush()
			return descs, i + 1
		case c == '(':
			inParens = true
			cur.WriteByte(c)
		default:
			cur.WriteByte(c)
		}
		if len(descs) > 8 {
			descs = append(descs, "invalid")
		}
	}
	flush()
	return descs, i
}

// candidate checks the descriptors: at most one of w and x, h only with w.
func candidate(u string, descs []string) (Candidate, bool) {
	if u == "" {
		return Candidate{}, false
	}
	c := Candidate{URL: u}
	var hasW, hasX, hasH bool
	for _, d := range descs {
		if len(d) < 2 {
			return c, false
		}
		num, unit := d[:len(d)-1], d[len(d)-1]
		switch unit {
		case 'w':
			n, err := strconv.Atoi(num)
			if hasW || hasX || err != nil || n <= 0 || num[0] == '+' {
				return c, false
			}
			c.Width, hasW = n, true
		case 'x':
			f, err := strconv.ParseFloat(num, 64)
			if hasW || hasX || hasH || err != nil || f < 0 || num[0] == '+' || strings.ContainsAny(num, "xXpP_") {
				return c, false
			}
			c.Density, hasX = f, true
		case 'h':
			n, err := strconv.Atoi(num)
			if hasH || hasX || err != nil || n <= 0 {
				return c, false
			}
			hasH = true
		default:
			return c, false
		}
	}
	if hasH && !hasW {
		return c, false
	}
	if !hasW && !hasX {
		c.Density = 1
	}
	return c, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// PickCandidate returns the URL a 1× device picks from srcset, with src as
// the 1x fallback (when srcset has no 1x and no w candidate) and sizes the
// sizes attribute (for w descriptors; default 100vw), as Chromium does:
// candidates sorted by density, the first at 1x or more wins, else the
// densest. "" when there is no candidate.
func PickCandidate(srcset, sizes, src string) string {
	cands := ParseSrcset(srcset)
	hasW, has1x := false, false
	for _, c := range cands {
		hasW = hasW || c.Width > 0
		has1x = has1x || c.Width == 0 && c.Density == 1
	}
	if len(cands) > 0 && !hasW && !has1x && strings.TrimSpace(src) != "" {
		cands = append(cands, Candidate{URL: src, Density: 1})
	}
	if len(cands) == 0 {
		return strings.TrimSpace(src)
	}
	if hasW {
		size := SourceSize(sizes)
		kept := cands[:0]
		for _, c := range cands {
			if c.Width == 0 {
				continue // mixing x and w: the x candidates are dropped
			}
			c.Density = float64(c.Width) / size
			kept = append(kept, c)
		}
		cands = kept
	}
	slices.SortStableFunc(cands, func(a, b Candidate) int {
		switch {
		case a.Density < b.Density:
			return -1
		case a.Density > b.Density:
			return 1
		}
		return 0
	})
	for _, c := range cands {
		if c.Density >= 1 {
			return c.URL
		}
	}
	return cands[len(cands)-1].URL
}

// SourceSize evaluates a sizes attribute against the viewport: the first
// entry whose media condition matches (or that has none) gives the size
// in CSS pixels; an invalid entry is skipped; the default is 100vw.
func SourceSize(sizes string) float64 {
	toks := mediaTokens(sizes)
	for _, entry := range splitComma(toks) {
		if len(entry) == 0 {
			continue
		}
		size := entry[len(entry)-1:]
		cond := entry[:len(entry)-1]
		if size[0].s == "auto" {
			continue // sizes=auto needs layout; Chromium then uses the width
		}
		px, ok := lengthPx(size)
		if !ok || px < 0 {
			continue
		}
		if len(cond) > 0 && !queryMatches(cond) {
			continue
		}
		if px == 0 {
			px = 1e-9 // a zero size makes every candidate dense enough
		}
		return px
	}
	return ViewportWidth
}
