// Package explain writes what `reqtrace explain` knows about a status,
// class, method or header: the text and the reqtrace.explain/v1 JSON.
package explain

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace/knowledge"
)

// Schema names the explain JSON document (see CONTRACT.md).
const Schema = "reqtrace.explain/v1"

// Text writes a short, scannable explanation of t: the title, the
// summary, the details, the fix, related facts, and the spec last.
func Text(w io.Writer, t knowledge.Topic, st render.Style) error {
	pr := render.NewPrinter(w, st)
	e := explanationOf(t)
	pr.Line(pr.Pal.Title.Sprint(e.title) + "  " + pr.Pal.Dim.Sprint(e.tag))
	pr.Para("", e.summary)
	if e.details != "" {
		pr.Blank()
		pr.Para("", e.details)
	}
	pr.Blank()
	for _, f := range e.facts {
		pr.Para(f[0], f[1])
	}
	if len(e.directives) > 0 {
		pr.Line(render.Indent + pr.Pal.Name.Sprint("directives"))
		for _, d := range e.directives {
			pr.Line(render.Indent + "  " + pr.Pal.Title.Sprint(d[0]))
			for _, l := range render.Wrap(d[1], pr.Width-len(render.Indent)-6) {
				pr.Line(render.Indent + "      " + l)
			}
		}
	}
	pr.Para("spec", e.spec)
	return pr.Err
}

// explanation is a topic flattened for printing.
type explanation struct {
	title, tag, summary, details, spec string
	facts                              [][2]string
	directives                         [][2]string
}

func explanationOf(t knowledge.Topic) explanation {
	switch {
	case t.Status != nil:
		return statusExplanation(t.Status)
	case t.Kind == knowledge.TopicStatus && t.Class != nil:
		c := t.Class
		return explanation{
			title: strconv.Itoa(t.Code), tag: fmt.Sprintf("%dxx %s · not in any registry", c.Class, c.Name),
			summary: fmt.Sprintf("No registry defines %d; clients treat it as %dxx: %s", t.Code, c.Class, c.Summary),
			details: c.Details, facts: [][2]string{{"fix", c.Fix}}, spec: c.Spec,
		}
	case t.Class != nil:
		c := t.Class
		return explanation{title: fmt.Sprintf("%dxx %s", c.Class, c.Name), tag: "status class",
			summary: c.Summary, details: c.Details, facts: [][2]string{{"fix", c.Fix}}, spec: c.Spec}
	case t.Method != nil:
		return methodExplanation(t.Method)
	case t.Header != nil:
		return headerExplanation(t.Header)
	}
	return explanation{title: "?", summary: "nothing is known about this topic"}
}

func statusExplanation(s *knowledge.Status) explanation {
	class, _ := knowledge.ClassOf(s.Code)
	tag := fmt.Sprintf("%dxx %s · %s", class.Class, class.Name, s.State)
	if s.Vendor != "" {
		tag += " (" + s.Vendor + ")"
	}
	e := explanation{title: fmt.Sprintf("%d %s", s.Code, s.Reason), tag: tag,
		summary: s.Summary, details: s.Details, spec: s.Spec}
	if len(s.Aliases) > 0 {
		e.facts = append(e.facts, [2]string{"also called", strings.Join(s.Aliases, "; ")})
	}
	e.facts = append(e.facts, [2]string{"fix client", s.FixClient}, [2]string{"fix server", s.FixServer})
	if len(s.Headers) > 0 {
		e.facts = append(e.facts, [2]string{"headers", strings.Join(s.Headers, ", ")})
	}
	e.facts = append(e.facts, [2]string{"caching", yesNo(s.Cacheable, "cacheable by default", "not cacheable unless the response says so")},
		[2]string{"retry", s.Retry})
	if len(s.SeeAlso) > 0 {
		e.facts = append(e.facts, [2]string{"see also", strings.Join(s.SeeAlso, ", ")})
	}
	return e
}

func methodExplanation(m *knowledge.Method) explanation {
	props := []string{
		yesNo(m.Safe, "safe", "not safe"),
		yesNo(m.Idempotent, "idempotent", "not idempotent"),
		yesNo(m.Cacheable, "cacheable", "not cacheable"),
	}
	body := []string{yesNo(m.RequestBody, "request has a body", "request has no body"),
		yesNo(m.ResponseBody, "response has a body", "response has no body")}
	browser := []string{yesNo(m.CORSSafelisted, "CORS-safelisted (no preflight)", "needs a CORS preflight"),
		yesNo(m.HTMLForm, "HTML forms can send it", "HTML forms cannot send it")}
	tag := "method"
	if !m.Registered {
		tag += " · not registered"
	}
	return explanation{title: m.Name, tag: tag, summary: m.Summary, details: m.Details, spec: m.Spec,
		facts: [][2]string{{"semantics", strings.Join(props, " · ")}, {"bodies", strings.Join(body, " · ")}, {"browsers", strings.Join(browser, " · ")}}}
}

func headerExplanation(h *knowledge.Header) explanation {
	tag := h.Kind + " header · " + h.Category
	if h.Deprecated {
		tag += " · deprecated"
	}
	e := explanation{title: h.Name, tag: tag, summary: h.Summary, details: h.Details, spec: h.Spec}
	if len(h.Aliases) > 0 {
		e.facts = append(e.facts, [2]string{"also", strings.Join(h.Aliases, ", ")})
	}
	if len(h.SeeAlso) > 0 {
		e.facts = append(e.facts, [2]string{"see also", strings.Join(h.SeeAlso, ", ")})
	}
	for _, d := range h.Directives {
		name := d.Name
		if d.In != "" && d.In != knowledge.KindBoth {
			name += " (" + d.In + ")"
		}
		e.directives = append(e.directives, [2]string{name, d.Summary})
	}
	return e
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// wireExplain is the explain JSON document: the contract's fields, then
// compatible extensions (omitted when empty).
type wireExplain struct {
	Schema     string  `json:"schema"`
	Kind       string  `json:"kind"`
	Code       *int    `json:"code"`
	Name       string  `json:"name"`
	Reason     *string `json:"reason"`
	Registered bool    `json:"registered"`
	Spec       string  `json:"spec"`
	Summary    string  `json:"summary"`
	Details    string  `json:"details"`
	Fix        string  `json:"fix"`
	// methods only (contract)
	Safe       *bool `json:"safe,omitempty"`
	Idempotent *bool `json:"idempotent,omitempty"`
	Cacheable  *bool `json:"cacheable,omitempty"`
	// extensions
	State          string          `json:"state,omitempty"`
	Vendor         string          `json:"vendor,omitempty"`
	Aliases        []string        `json:"aliases,omitempty"`
	FixClient      string          `json:"fix_client,omitempty"`
	FixServer      string          `json:"fix_server,omitempty"`
	Headers        []string        `json:"headers,omitempty"`
	CacheableByDef *bool           `json:"cacheable_by_default,omitempty"`
	Retry          string          `json:"retry,omitempty"`
	Class          *int            `json:"class,omitempty"`
	Category       string          `json:"category,omitempty"`
	HeaderKind     string          `json:"header_kind,omitempty"`
	Deprecated     bool            `json:"deprecated,omitempty"`
	Directives     []wireDirective `json:"directives,omitempty"`
	RequestBody    *bool           `json:"request_body,omitempty"`
	ResponseBody   *bool           `json:"response_body,omitempty"`
	CORSSafelisted *bool           `json:"cors_safelisted,omitempty"`
	HTMLForm       *bool           `json:"html_form,omitempty"`
	SeeAlso        []string        `json:"see_also,omitempty"`
}

type wireDirective struct {
	Name    string `json:"name"`
	Summary string `json:"summary"`
	Spec    string `json:"spec,omitempty"`
	In      string `json:"in,omitempty"`
}

// JSON writes the explain document for t (schema reqtrace.explain/v1).
func JSON(w io.Writer, t knowledge.Topic) error {
	return render.WriteJSON(w, explainWire(t))
}

func explainWire(t knowledge.Topic) wireExplain {
	x := wireExplain{Schema: Schema, Kind: t.Kind}
	switch {
	case t.Status != nil:
		s := t.Status
		class := s.Code / 100
		x.Code, x.Name, x.Reason, x.Class = &s.Code, strconv.Itoa(s.Code), &s.Reason, &class
		x.Registered = s.State != knowledge.StateUnofficial
		x.Spec, x.Summary, x.Details = s.Spec, s.Summary, s.Details
		x.Fix = joinFix(s.FixClient, s.FixServer)
		x.State, x.Vendor, x.Aliases, x.FixClient, x.FixServer = s.State, s.Vendor, s.Aliases, s.FixClient, s.FixServer
		x.Headers, x.CacheableByDef, x.Retry, x.SeeAlso = s.Headers, &s.Cacheable, s.Retry, s.SeeAlso
	case t.Class != nil:
		c := t.Class
		x.Class, x.Spec, x.Details, x.Fix = &c.Class, c.Spec, c.Details, c.Fix
		x.Name, x.Summary = fmt.Sprintf("%dxx", c.Class), c.Summary
		if t.Kind == knowledge.TopicStatus { // a code no registry defines
			x.Code, x.Name = &t.Code, strconv.Itoa(t.Code)
			x.Summary = fmt.Sprintf("No registry defines %d; clients treat it as %dxx: %s", t.Code, c.Class, c.Summary)
		}
	case t.Method != nil:
		m := t.Method
		x.Name, x.Registered, x.Spec, x.Summary, x.Details = m.Name, m.Registered, m.Spec, m.Summary, m.Details
		x.Safe, x.Idempotent, x.Cacheable = &m.Safe, &m.Idempotent, &m.Cacheable
		x.RequestBody, x.ResponseBody, x.CORSSafelisted, x.HTMLForm = &m.RequestBody, &m.ResponseBody, &m.CORSSafelisted, &m.HTMLForm
	case t.Header != nil:
		h := t.Header
		x.Name, x.Registered, x.Spec, x.Summary, x.Details = h.Name, true, h.Spec, h.Summary, h.Details
		x.Category, x.HeaderKind, x.Deprecated, x.Aliases, x.SeeAlso = h.Category, h.Kind, h.Deprecated, h.Aliases, h.SeeAlso
		for _, d := range h.Directives {
			x.Directives = append(x.Directives, wireDirective{d.Name, d.Summary, d.Spec, d.In})
		}
	}
	return x
}

func joinFix(client, server string) string {
	var parts []string
	if client != "" {
		parts = append(parts, "Client: "+client)
	}
	if server != "" {
		parts = append(parts, "Server: "+server)
	}
	return strings.Join(parts, " ")
}

// List writes the topics of a kind ("" for all), grouped.
func List(w io.Writer, kind string) error {
	pr := render.NewPrinter(w, render.Style{}) // plain, the default width
	for _, k := range []string{knowledge.TopicStatus, knowledge.TopicClass, knowledge.TopicMethod, knowledge.TopicHeader} {
		if kind != "" && kind != k {
			continue
		}
		topics := knowledge.Topics(k)
		pr.Printf("%s (%d)\n", k, len(topics))
		for _, line := range render.Pack(topics, "  ", pr.Width-len(render.Indent)) {
			pr.Printf("%s%s\n", render.Indent, line)
		}
	}
	return pr.Err
}

// ListJSON writes {"schema": ..., "topics": {kind: [names]}}.
func ListJSON(w io.Writer, kind string) error {
	out := map[string]any{"schema": "reqtrace.explain-list/v1"}
	topics := map[string][]string{}
	for _, k := range []string{knowledge.TopicStatus, knowledge.TopicClass, knowledge.TopicMethod, knowledge.TopicHeader} {
		if kind == "" || kind == k {
			topics[k] = knowledge.Topics(k)
		}
	}
	out["topics"] = topics
	return render.WriteJSON(w, out)
}
