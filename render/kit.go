package render

import (
	"io"
	"time"

	"github.com/fatih/color"
)

// The text helpers the renderers in render's sub-packages (render/page)
// share with the trace report, so every report measures, cuts, colours
// and tabulates the same way.

// Palette is the text reports' colours, each switched on or off
// explicitly (never from color.NoColor or the environment).
type Palette struct {
	Title, Dim, Name, OK, Warn, Bad, Redirect *color.Color
	// Phase colours the waterfall's phases by trace.Phase* name,
	// DevTools' hues.
	Phase map[string]*color.Color
	p     *palette
}

// NewPalette returns the colours, on or off.
func NewPalette(on bool) Palette {
	p := newPalette(on)
	return Palette{Title: p.title, Dim: p.dim, Name: p.name, OK: p.ok, Warn: p.warn, Bad: p.bad, Redirect: p.redirect, Phase: p.phase, p: p}
}

// Status is a status code's colour by class.
func (p Palette) Status(code int) *color.Color { return p.p.status(code) }

// Level is a note level's sign and colour: ✓ good, · info, ⚠ warn, ✗ bad.
func (p Palette) Level(level string) (string, *color.Color) {
	return (&printer{p: p.p}).noteMark(level)
}

// Columns is st's terminal width, defaulted and floored as the trace
// report's.
func (st Style) Columns() int { return st.width() }

// TextWidth is the number of terminal columns s takes, ANSI codes excluded.
func TextWidth(s string) int { return textWidth(s) }

// Cut shortens plain text to at most w columns, ending in "…" when cut.
func Cut(s string, w int) string { return cut(s, w) }

// Wrap breaks plain text into lines of at most w columns.
func Wrap(s string, w int) []string { return wrap(s, w) }

// PadRight and PadLeft pad s (which may hold ANSI codes) to w columns.
func PadRight(s string, w int) string { return padRight(s, w) }
func PadLeft(s string, w int) string  { return padLeft(s, w) }

// FmtDur prints a duration compactly at a steady width: "5.102 ms",
// "412.3 ms", "1.20 s".
func FmtDur(d time.Duration) string { return fmtDur(d) }

// FmtInt groups digits by thousands.
func FmtInt(n int64) string { return fmtInt(n) }

// Column is one column of Table.
type Column struct {
	Head     string
	Right    bool // right-align: numbers and durations
	Fill     bool // cut first when the table is too wide
	Optional bool // left out when cutting is not enough
}

// Table writes a borderless table under dimmed headers, indented by lead
// and fitted to width, as the trace report's tables. Cells are plain text;
// paint, if not nil, colours a cell after it has been fitted.
func Table(w io.Writer, st Style, lead string, cols []Column, rows [][]string, paint func(row, col int) *color.Color) error {
	pr := &printer{w: w, st: st, width: st.width(), p: newPalette(st.Color)}
	cs := make([]column, len(cols))
	for i, c := range cols {
		cs[i] = column{head: c.Head, right: c.Right, fill: c.Fill, optional: c.Optional}
	}
	pr.table(lead, cs, rows, paint)
	return pr.err
}
