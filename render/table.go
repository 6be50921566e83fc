package render

import (
	"strings"

	"github.com/fatih/color"
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
// escape sequences). Columns are padded to their widest cell and joined by
// the gutter; numbers align right; nothing trails a line.
func (pr *printer) table(lead string, cols []column, rows [][]string, paint func(row, col int) *color.Color) {
	cols, rows, keep := pr.fitTable(lead, cols, rows)
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = textWidth(c.head)
		for _, row := range rows {
			widths[i] = max(widths[i], textWidth(row[i]))
		}
	}
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = pr.p.dim.Sprint(c.head)
	}
	pr.line(lead + tableRow(cols, widths, head))
	for r, row := range rows {
		cells := make([]string, len(row))
		for c, s := range row {
			if paint != nil {
				if col := paint(r, keep[c]); col != nil {
					s = col.Sprint(s)
				}
			}
			cells[c] = s
		}
		pr.line(lead + tableRow(cols, widths, cells))
	}
}

// tableRow pads each cell to its column's width (cells may be coloured:
// the width counts what shows) and joins them with the gutter.
func tableRow(cols []column, widths []int, cells []string) string {
	var b strings.Builder
	for i, s := range cells {
		pad := strings.Repeat(" ", max(widths[i]-textWidth(s), 0))
		if cols[i].right {
			b.WriteString(pad + s)
		} else {
			b.WriteString(s + pad)
		}
		b.WriteString(gutter)
	}
	return strings.TrimRight(b.String(), " ")
}

// fitTable makes the table fit the width. It cuts any column wider than a
// third of the line (a hostile DNS name must not push the rest off-screen),
// then the fill columns, then leaves out optional columns. It returns the
// columns and rows kept and, for each kept column, its original index.
func (pr *printer) fitTable(lead string, cols []column, rows [][]string) ([]column, [][]string, []int) {
	out := make([][]string, len(rows))
	for r, row := range rows {
		out[r] = append([]string(nil), row...)
	}
	colMax := max((pr.width-len(lead))/3, 12)
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = textWidth(c.head)
	}
	for _, row := range out {
		for i, s := range row {
			if !cols[i].fill && textWidth(s) > colMax {
				row[i] = cut(s, colMax)
			}
			widths[i] = max(widths[i], textWidth(row[i]))
		}
	}
	over := len(lead) + len(gutter)*(len(cols)-1) - (pr.width - 1)
	for _, w := range widths {
		over += w
	}
	for i := len(cols) - 1; i >= 0 && over > 0; i-- {
		if !cols[i].fill {
			continue
		}
		room := max(widths[i]-over, textWidth(cols[i].head), 8)
		over -= widths[i] - room
		widths[i] = min(widths[i], room)
		for _, row := range out {
			row[i] = cut(row[i], widths[i])
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
func (pr *printer) fail(err error) {
	if pr.err == nil {
		pr.err = err
	}
}
