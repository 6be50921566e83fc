package knowledge

import (
	"strconv"
	"strings"
)

// Topic kinds, as the explain JSON names them.
const (
	TopicStatus = "status"
	TopicClass  = "class"
	TopicHeader = "header"
	TopicMethod = "method"
)

// Topic is what `explain` found for a word: exactly one of Status, Class,
// Header or Method is set. A code no registry defines is explained by its
// class: Kind is TopicStatus, Code is set, Status is nil.
type Topic struct {
	Kind   string
	Code   int
	Status *Status
	Class  *Class
	Header *Header
	Method *Method
}

// Find resolves a topic: a status code ("404"), a class ("4xx"), a method
// ("PATCH") or a header ("cache-control"), ignoring case.
func Find(topic string) (Topic, bool) {
	t := strings.TrimSpace(topic)
	if code, err := strconv.Atoi(t); err == nil && len(t) == 3 {
		if s, ok := LookupStatus(code); ok {
			return Topic{Kind: TopicStatus, Code: code, Status: &s}, true
		}
		if c, ok := ClassOf(code); ok {
			return Topic{Kind: TopicStatus, Code: code, Class: &c}, true
		}
		return Topic{}, false
	}
	if len(t) == 3 && strings.EqualFold(t[1:], "xx") {
		if c, ok := ClassOf(int(t[0]-'0') * 100); ok {
			return Topic{Kind: TopicClass, Class: &c}, true
		}
	}
	// No method shares its name with a header (a test checks that).
	if m, ok := LookupMethod(t); ok {
		return Topic{Kind: TopicMethod, Method: &m}, true
	}
	if h, ok := LookupHeader(t); ok {
		return Topic{Kind: TopicHeader, Header: &h}, true
	}
	return Topic{}, false
}

// Topics lists every topic name of a kind ("" for all), for completion
// and `explain --list`.
func Topics(kind string) []string {
	var out []string
	if kind == "" || kind == TopicStatus {
		for _, s := range Statuses() {
			out = append(out, strconv.Itoa(s.Code))
		}
	}
	if kind == "" || kind == TopicClass {
		for _, c := range Classes() {
			out = append(out, strconv.Itoa(c.Class)+"xx")
		}
	}
	if kind == "" || kind == TopicMethod {
		for _, m := range Methods() {
			out = append(out, m.Name)
		}
	}
	if kind == "" || kind == TopicHeader {
		for _, h := range Headers() {
			out = append(out, h.Name)
		}
	}
	return out
}
