package render

import (
	"io"
	"time"

	"github.com/fatih/color"
)

// More of the text report's pieces for the report packages (render/page),
// beside Printer, Palette and the format helpers they already share.

// Status is a status code's colour by class.
func (p *Palette) Status(code int) *color.Color { return p.status(code) }

// Level is a note level's sign and colour: ✓ good, · info, ⚠ warn, ✗ bad.
func (p *Palette) Level(level string) (string, *color.Color) {
	return (&Printer{Pal: p}).noteMark(level)
}

// PadLeft right-aligns s (which may hold ANSI codes) in w columns.
func PadLeft(s string, w int) string { return padLeft(s, w) }

// FmtDur prints a duration compactly at a steady width: "5.102 ms",
// "412.3 ms", "1.20 s".
func FmtDur(d time.Duration) string { return fmtDur(d) }

// Column is one column of Table.
type Column struct {
	Head     string
	Right    bool // right-align: numbers and durations
	Fill     bool // cut first when the table is too wide
	Optional bool // left out when cutting is not enough
}

// Table writes a borderless table under dimmed headers, indented by lead
// and fitted to st's width, as the trace report's tables. Cells are plain
// text; paint, if not nil, colours a cell after it has been fitted.
func Table(w io.Writer, st Style, lead string, cols []Column, rows [][]string, paint func(row, col int) *color.Color) error {
	pr := NewPrinter(w, st)
	pr.Table(lead, cols, rows, paint)
	return pr.Err
}

// Table is Table on the printer's writer, within its report.
func (pr *Printer) Table(lead string, cols []Column, rows [][]string, paint func(row, col int) *color.Color) {
	cs := make([]column, len(cols))
	for i, c := range cols {
		cs[i] = column{head: c.Head, right: c.Right, fill: c.Fill, optional: c.Optional}
	}
	pr.table(lead, cs, rows, paint)
}
