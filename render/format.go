package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// fmtDur prints a duration compactly and at a steady width (8 columns at
// most below 1000 s): microseconds below 10 ms, four significant digits up
// to a second, then seconds with two decimals. "0.214 ms", "5.102 ms",
// "30.41 ms", "412.3 ms", "1.20 s".
func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 9.9995: // the rounding bounds keep "10.000 ms" from appearing
		return fmt.Sprintf("%.3f ms", ms)
	case ms < 99.995:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 999.95:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.2f s", ms/1000)
}

// fmtSeconds is curl -w's format: seconds with microsecond precision.
func fmtSeconds(d time.Duration) string {
	return fmt.Sprintf("%.6f", d.Seconds())
}

// fmtInt groups digits by thousands: 1234567 → "1,234,567".
func fmtInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// fmtShare is a phase's share of the total as a whole percentage; tiny but
// real shares say "<1%" rather than a misleading "0%".
func fmtShare(part, total time.Duration) string {
	if total <= 0 {
		return ""
	}
	p := float64(part) / float64(total) * 100
	if p > 0 && p < 0.5 {
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// plural returns "1 attempt" or "3 attempts".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// narrow pins East Asian ambiguous characters (─, …, ¹) to one column
// whatever the locale says, so layout and golden files do not vary.
var narrow = twwidth.Options{EastAsianWidth: false}

// textWidth is the number of terminal columns s takes, ANSI codes excluded.
func TextWidth(s string) int { return twwidth.WidthWithOptions(s, narrow) }

func runeWidth(r rune) int { return twwidth.WidthWithOptions(string(r), narrow) }

// cut shortens plain (uncoloured) text to at most w columns, ending in "…"
// when something was dropped.
func Cut(s string, w int) string {
	if TextWidth(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		rw := runeWidth(r)
		if used+rw > w-1 {
			break
		}
		b.WriteRune(r)
		used += rw
	}
	return b.String() + "…"
}

// wrap breaks plain text into lines of at most w columns, preferring to
// break after a space, comma or semicolon so header values stay readable.
func Wrap(s string, w int) []string { return WrapHanging(s, w, w) }

// wrapHanging is wrap with a different width for the first line, for
// values that start after a label and continue under a smaller indent.
func WrapHanging(s string, first, rest int) []string {
	var lines []string
	for w := max(first, 8); TextWidth(s) > w; w = max(rest, 8) {
		runes := []rune(s)
		used, end, soft := 0, 0, 0
		for i, r := range runes {
			rw := runeWidth(r)
			if used+rw > w {
				break
			}
			used += rw
			end = i + 1
			if r == ' ' || r == ',' || r == ';' {
				soft = i + 1
			}
		}
		if soft > end/2 { // a break point in the second half: use it
			end = soft
		}
		lines = append(lines, strings.TrimRight(string(runes[:end]), " "))
		s = strings.TrimLeft(string(runes[end:]), " ")
	}
	return append(lines, s)
}

// padRight pads s (which may hold ANSI codes) with spaces to w columns.
func PadRight(s string, w int) string {
	if n := w - TextWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// padLeft right-aligns s in w columns.
func padLeft(s string, w int) string {
	if n := w - TextWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// pack joins parts with sep into lines of at most room columns, never
// splitting a part. Parts may be coloured: widths ignore ANSI codes.
func Pack(parts []string, sep string, room int) []string {
	var lines []string
	cur := ""
	for _, p := range parts {
		if cur != "" && TextWidth(cur)+TextWidth(sep)+TextWidth(p) > room {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += sep
		}
		cur += p
	}
	return append(lines, cur)
}
