package render

import (
	"bytes"
	"strings"

	"github.com/fatih/color"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// column describes one table column. When the table would not fit the
// width, fill columns (a DNS value, an error message) are cut with "…",
// rightmost first, and if that is not enough the optional ones are left out.
type column struct {
	head     string
	right    bool // right-align: numbers and durations
	fill     bool
	optional bool
}

// gutter separates columns; tables are borderless, like kubectl's.
const gutter = "  "

// table prints rows under dimmed headers, indented by lead and cut to the
// terminal width. Cells are plain text; paint, if not nil, colours a cell
// after it has been measured and cut (cutting coloured text would split
// escape sequences).
func (pr *Printer) table(lead string, cols []column, rows [][]string, paint func(row, col int) *color.Color) {
	cols, rows, keep := pr.fitTable(lead, cols, rows)
	align := make([]tw.Align, len(cols))
	head := make([]any, len(cols))
	for i, c := range cols {
		align[i] = tw.AlignLeft
		if c.right {
			align[i] = tw.AlignRight
		}
		head[i] = pr.Pal.Dim.Sprint(c.head)
	}
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.SeparatorsNone,
				Lines:      tw.LinesNone,
			},
		})),
		tablewriter.WithEastAsian(tw.Off), // stable widths whatever the locale
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone), // we cut to fit ourselves
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: gutter, Overwrite: true}),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	t.Header(head...)
	for r, row := range rows {
		cells := make([]any, len(row))
		for c, s := range row {
			if paint != nil {
				if col := paint(r, keep[c]); col != nil {
					s = col.Sprint(s)
				}
			}
			cells[c] = s
		}
		if err := t.Append(cells...); err != nil {
			pr.fail(err)
			return
		}
	}
	if err := t.Render(); err != nil {
		pr.fail(err)
		return
	}
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		pr.Line(lead + trimPadding(l))
	}
}

// trimPadding drops the padding tablewriter leaves after the last cell,
// along with the reset it puts after that padding when cells are coloured.
// A reset right after text is the cell's own and stays.
func trimPadding(l string) string {
	const reset = "\x1b[0m"
	for {
		l = strings.TrimRight(l, " ")
		rest, ok := strings.CutSuffix(l, reset)
		if !ok || !strings.HasSuffix(rest, " ") {
			return l
		}
		l = rest
	}
}

// fitTable makes the table fit the width. It cuts any column wider than a
// third of the line (a hostile DNS name must not push the rest off-screen),
// then the fill columns, then leaves out optional columns. It returns the
// columns and rows kept and, for each kept column, its original index.
func (pr *Printer) fitTable(lead string, cols []column, rows [][]string) ([]column, [][]string, []int) {
	out := make([][]string, len(rows))
	for r, row := range rows {
		out[r] = append([]string(nil), row...)
	}
	colMax := max((pr.Width-len(lead))/3, 12)
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = TextWidth(c.head)
	}
	for _, row := range out {
		for i, s := range row {
			if !cols[i].fill && TextWidth(s) > colMax {
				row[i] = Cut(s, colMax)
			}
			widths[i] = max(widths[i], TextWidth(row[i]))
		}
	}
	over := len(lead) + len(gutter)*(len(cols)-1) - (pr.Width - 1)
	for _, w := range widths {
		over += w
	}
	for i := len(cols) - 1; i >= 0 && over > 0; i-- {
		if !cols[i].fill {
			continue
		}
		room := max(widths[i]-over, TextWidth(cols[i].head), 8)
		over -= widths[i] - room
		widths[i] = min(widths[i], room)
		for _, row := range out {
			row[i] = Cut(row[i], widths[i])
		}
	}
	keep := make([]int, 0, len(cols))
	for i := len(cols) - 1; i >= 0; i-- {
		if over > 0 && cols[i].optional {
			over -= widths[i] + len(gutter)
			continue
		}
		keep = append([]int{i}, keep...)
	}
	if len(keep) == len(cols) {
		return cols, out, keep
	}
	kc := make([]column, len(keep))
	for j, i := range keep {
		kc[j] = cols[i]
	}
	for r, row := range out {
		kr := make([]string, len(keep))
		for j, i := range keep {
			kr[j] = row[i]
		}
		out[r] = kr
	}
	return kc, out, keep
}

// fail records an error from a library call, like a failed write.
func (pr *Printer) fail(err error) {
	if pr.Err == nil {
		pr.Err = err
	}
}
