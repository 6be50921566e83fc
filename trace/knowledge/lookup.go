package knowledge

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Indexes, built from the literal tables on first use, not at start-up:
// most runs of reqtrace never look a topic up by name.
var (
	statusIndex = sync.OnceValue(func() map[int]int {
		m := make(map[int]int, len(statuses))
		for i, s := range statuses {
			m[s.Code] = i
		}
		return m
	})
	methodIndex = sync.OnceValue(func() map[string]int {
		m := make(map[string]int, len(methods))
		for i, x := range methods {
			m[x.Name] = i
		}
		return m
	})
	// headerIndex maps normalised names and aliases to positions in headers.
	headerIndex = sync.OnceValue(func() map[string]int {
		m := make(map[string]int, 2*len(headers()))
		for i, h := range headers() {
			m[normHeader(h.Name)] = i
			for _, a := range h.Aliases {
				m[normHeader(a)] = i
			}
		}
		return m
	})
)

// normHeader turns user input into an index key: lower case, no surrounding
// blanks or trailing colon, underscores read as hyphens.
func normHeader(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ":")
	s = strings.ReplaceAll(s, "_", "-")
	return strings.ToLower(strings.TrimSpace(s))
}

// LookupStatus returns the entry for a status code: IANA-registered codes
// (including unused, obsolete and temporary ones) and unofficial vendor
// codes. For other codes in 100..599 use ClassOf.
func LookupStatus(code int) (Status, bool) {
	i, ok := statusIndex()[code]
	if !ok {
		return Status{}, false
	}
	return cloneStatus(statuses[i]), true
}

// ClassOf returns the class of any code from 100 to 599, registered or not.
func ClassOf(code int) (Class, bool) {
	if code < 100 || code > 599 {
		return Class{}, false
	}
	return classes[code/100-1], true
}

// Classes returns the five status classes, 1xx to 5xx.
func Classes() []Class {
	return slices.Clone(classes)
}

// LookupMethod returns the entry for a method name, ignoring case.
func LookupMethod(name string) (Method, bool) {
	i, ok := methodIndex()[strings.ToUpper(strings.TrimSpace(name))]
	if !ok {
		return Method{}, false
	}
	return methods[i], true
}

// LookupHeader returns the entry for a header field name or alias, ignoring
// case. A trailing colon and surrounding blanks are ignored, and
// underscores match hyphens ("cache_control" finds Cache-Control).
func LookupHeader(name string) (Header, bool) {
	i, ok := headerIndex()[normHeader(name)]
	if !ok {
		return Header{}, false
	}
	return cloneHeader(headers()[i]), true
}

// Statuses returns every status entry, sorted by code.
func Statuses() []Status {
	out := make([]Status, len(statuses))
	for i, s := range statuses {
		out[i] = cloneStatus(s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Methods returns every method entry, sorted by name.
func Methods() []Method {
	out := slices.Clone(methods)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Headers returns every header entry, sorted by name ignoring case.
func Headers() []Header {
	out := make([]Header, len(headers()))
	for i, h := range headers() {
		out[i] = cloneHeader(h)
	}
	sort.Slice(out, func(i, j int) bool {
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out
}

func cloneStatus(s Status) Status {
	s.Aliases = slices.Clone(s.Aliases)
	s.Headers = slices.Clone(s.Headers)
	s.SeeAlso = slices.Clone(s.SeeAlso)
	return s
}

func cloneHeader(h Header) Header {
	h.Aliases = slices.Clone(h.Aliases)
	h.Directives = slices.Clone(h.Directives)
	h.SeeAlso = slices.Clone(h.SeeAlso)
	return h
}

// candidate is one way Closest can reach a topic: the key compared against
// (normalised), the topic shown to the user, and a penalty in half steps
// for indirect matches (aliases, reason phrases, directive names), so that
// a near miss on a topic's own name ranks first.
type candidate struct {
	key, display string
	penalty      int
}

var candidates = sync.OnceValue(func() []candidate {
	var t []candidate
	for _, s := range statuses {
		c := strconv.Itoa(s.Code)
		t = append(t, candidate{c, c, 0})
		for _, phrase := range append([]string{s.Reason}, s.Aliases...) {
			t = append(t, candidate{strings.ToLower(phrase), c, 1})
		}
	}
	for _, c := range classes {
		n := strconv.Itoa(c.Class) + "xx"
		t = append(t, candidate{n, n, 0})
	}
	for _, m := range methods {
		t = append(t, candidate{strings.ToLower(m.Name), m.Name, 0})
	}
	for _, h := range headers() {
		t = append(t, candidate{normHeader(h.Name), h.Name, 0})
		for _, a := range h.Aliases {
			t = append(t, candidate{normHeader(a), h.Name, 1})
		}
		for _, d := range h.Directives {
			if k := strings.ToLower(strings.Trim(d.Name, `"`)); len(k) >= 3 {
				t = append(t, candidate{k, h.Name, 2})
			}
		}
	}
	return t
})

// Closest returns up to n known topics (status codes such as "404", classes
// such as "4xx", method names and canonical header names) that look most
// like topic, best first, for "did you mean" messages. Matching ignores
// case and uses edit distance (with transpositions, and a cheaper
// substitution for look-alike characters such as O/0 and l/1), plus prefix
// and substring matches (a prefix may itself be mistyped). Besides topic names it also compares header
// aliases, status reason phrases ("teapot" suggests "418") and directive
// names ("samesite" suggests "Set-Cookie"), always returning the topic
// itself. Topics too far away are not returned, so the result may be
// shorter than n or empty.
func Closest(topic string, n int) []string {
	q := normHeader(topic)
	if n <= 0 || q == "" {
		return nil
	}
	// Distances are in half steps: an ordinary edit costs 2.
	limit := 2 * max(1, len(q)/3)
	type hit struct {
		display string
		score   int
		lenDiff int
	}
	best := map[string]hit{}
	for _, t := range candidates() {
		score := editDistance(q, t.key)
		if len(q) >= 3 && strings.HasPrefix(t.key, q) {
			score = min(score, 1)
		} else if len(q) >= 4 && strings.Contains(t.key, q) {
			score = min(score, 3)
		}
		if len(q) >= 5 && len(t.key) > len(q) {
			// A mistyped prefix: "acces-control" for Access-Control-*.
			score = min(score, editDistance(q, t.key[:len(q)])+1)
		}
		score += t.penalty
		if score > limit {
			continue
		}
		h := hit{t.display, score, abs(len(t.key) - len(q))}
		if old, ok := best[t.display]; ok && (old.score < h.score || old.score == h.score && old.lenDiff <= h.lenDiff) {
			continue
		}
		best[t.display] = h
	}
	hits := make([]hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.score != b.score {
			return a.score < b.score
		}
		if a.lenDiff != b.lenDiff {
			return a.lenDiff < b.lenDiff
		}
		return strings.ToLower(a.display) < strings.ToLower(b.display)
	})
	out := make([]string, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.display)
	}
	return out
}

// lookAlike reports whether two characters are commonly confused when
// typing codes: O and 0, l/i and 1.
func lookAlike(a, b byte) bool {
	pair := func(x, y byte) bool { return a == x && b == y || a == y && b == x }
	return pair('o', '0') || pair('l', '1') || pair('i', '1')
}

// editDistance is the optimal-string-alignment distance between a and b in
// half steps: insertions, deletions, substitutions and adjacent
// transpositions cost 2, substituting a look-alike character costs 1.
func editDistance(a, b string) int {
	if a == b {
		return 0
	}
	la, lb := len(a), len(b)
	// Three rows: two back (for transpositions), previous and current.
	prev2 := make([]int, lb+1)
	prev := make([]int, lb+1)
	cur := make([]int, lb+1)
	for j := 0; j <= lb; j++ {
		prev[j] = 2 * j
	}
	for i := 1; i <= la; i++ {
		cur[0] = 2 * i
		for j := 1; j <= lb; j++ {
			sub := 2
			switch {
			case a[i-1] == b[j-1]:
				sub = 0
			case lookAlike(a[i-1], b[j-1]):
				sub = 1
			}
			d := min(prev[j]+2, cur[j-1]+2, prev[j-1]+sub)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+2)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
