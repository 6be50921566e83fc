package render

import (
	"strconv"
	"strings"

	"github.com/fatih/color"

	"github.com/reqtrace/reqtrace/trace"
)

// Notes say what the response means (package trace/annotate). Each shows
// next to what it concerns: status notes under the status line, header
// notes under the last line of their header, the rest in a Notes block.

// notesFor returns the notes whose subject is s, case-insensitively.
func notesFor(ns []trace.Note, s string) []trace.Note {
	var out []trace.Note
	for _, n := range ns {
		if strings.EqualFold(n.Subject, s) {
			out = append(out, n)
		}
	}
	return out
}

// noteMark is the level's sign and colour.
func (pr *Printer) noteMark(level string) (string, *color.Color) {
	switch level {
	case trace.LevelGood:
		return "✓", pr.Pal.OK
	case trace.LevelWarn:
		return "⚠", pr.Pal.Warn
	case trace.LevelBad:
		return "✗", pr.Pal.Bad
	}
	return "·", pr.Pal.Redirect
}

// notes prints notes under lead: one line each, cut to the width, or
// wrapped whole with -v.
func (pr *Printer) notes(ns []trace.Note, lead string) {
	room := pr.Width - len(lead) - 3
	for _, n := range ns {
		mark, c := pr.noteMark(n.Level)
		msg := Safe(n.Message)
		if !pr.St.Verbose {
			short := Cut(msg, room)
			pr.notesCut = pr.notesCut || short != msg
			pr.Line(lead + c.Sprint(mark) + " " + short)
			continue
		}
		for i, l := range Wrap(msg, room) {
			if i == 0 {
				pr.Line(lead + c.Sprint(mark) + " " + l)
			} else {
				pr.Line(lead + "  " + l)
			}
		}
	}
}

// statusNotes shows the notes about the status code (annotation is part of
// producing a Result, so every response has at least its meaning).
func (pr *Printer) statusNotes(h *trace.Hop) {
	pr.notes(notesFor(h.Notes, strconv.Itoa(h.Response.Status)), Indent)
}

// headerNotes returns, for each header line, the notes to print after it:
// all notes about a field go after its last line.
func headerNotes(hs []trace.Header, ns []trace.Note) map[int][]trace.Note {
	last := map[string]int{}
	for i, h := range hs {
		last[strings.ToLower(h.Name)] = i
	}
	out := map[int][]trace.Note{}
	for name, i := range last {
		if found := notesFor(ns, name); len(found) > 0 {
			out[i] = found
		}
	}
	return out
}

// otherNotes are the notes tied to neither the status nor a response
// header: credentials sent, the security score, and the like.
func otherNotes(h *trace.Hop) []trace.Note {
	var out []trace.Note
	for _, n := range h.Notes {
		if h.Response != nil && n.Subject == strconv.Itoa(h.Response.Status) {
			continue
		}
		if h.Response != nil && indexHeaderFold(h.Response.Headers, n.Subject) >= 0 {
			continue
		}
		out = append(out, n)
	}
	return out
}

func indexHeaderFold(hs []trace.Header, name string) int {
	for i, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return i
		}
	}
	return -1
}

// notesBlock prints the other notes, each with its subject.
func (pr *Printer) notesBlock(h *trace.Hop) {
	ns := otherNotes(h)
	if len(ns) == 0 {
		return
	}
	pr.Title("Notes")
	for _, n := range ns {
		n.Message = n.Subject + ": " + n.Message
		pr.notes([]trace.Note{n}, Indent)
	}
}
