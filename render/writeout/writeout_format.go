package writeout

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reqtrace/reqtrace/render"
)

// --- formatting

// woSeconds prints d as curl prints times: whole seconds, a dot and six
// digits of microseconds (rounded to the nearest).
func woSeconds(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	us := int64((d + 500*time.Nanosecond) / time.Microsecond)
	frac := strconv.FormatInt(us%1e6, 10)
	return strconv.FormatInt(us/1e6, 10) + "." + strings.Repeat("0", 6-len(frac)) + frac
}

// woSpeed is curl's trspeed: integer bytes per second over the time spent.
func woSpeed(size int64, spent time.Duration) int64 {
	const micro = int64(time.Second / time.Microsecond)
	us := int64((spent + 500*time.Nanosecond) / time.Microsecond)
	switch {
	case us < 1:
		if size > math.MaxInt64/micro {
			return math.MaxInt64
		}
		return size * micro
	case size < math.MaxInt64/micro:
		return size * micro / us
	case us >= micro:
		return size / (us / micro)
	}
	return math.MaxInt64
}

// woTrim trims what curl trims around a header value.
func woTrim(s string) string { return strings.Trim(s, " \t") }

// woSafe is Safe without the length cut (scripts read whole values; the
// output budget bounds them) and with tabs kept: control characters, C1,
// bidi overrides and bytes that are not UTF-8 become visible escapes.
func woSafe(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	render.EscapeInto(&b, s, '\t')
	return b.String()
}

// woJSONString writes s as a JSON string the way curl's jsonquoted does
// (lower-casing ASCII letters for header names), and also escapes what a
// terminal would act on (DEL, C1, format characters such as bidi
// overrides and zero widths, line separators) and
// turns bytes that are not UTF-8 into U+FFFD, so the document always
// parses and is safe to print.
func woJSONString(b *strings.Builder, s string, lower bool) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '\\':
				b.WriteString(`\\`)
			case '"':
				b.WriteString(`\"`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				switch {
				case c < 0x20 || c == 0x7f:
					render.WriteEscape(b, `\u`, rune(c), 4)
				case lower && 'A' <= c && c <= 'Z':
					b.WriteByte(c | 0x20)
				default:
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\ufffd`)
		case render.UnsafeRune(r):
			render.WriteJSONEscape(b, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
}

// --- %time{}

// woStrftime is C strftime in the C locale for t in UTC, with curl's %f
// (microseconds), %z (+0000) and %Z (UTC). Like curl it gives nothing when
// the result would not fit in 255 bytes. Unknown conversions stay as
// written.
func woStrftime(format string, t time.Time) string {
	const limit = 255
	t = t.UTC()
	var b strings.Builder
	pad := func(n, width int, fill byte) {
		s := strconv.Itoa(n)
		for k := len(s); k < width; k++ {
			b.WriteByte(fill)
		}
		b.WriteString(s)
	}
	hour12 := func() int {
		if h := t.Hour() % 12; h != 0 {
			return h
		}
		return 12
	}
	isoYear, isoWeek := t.ISOWeek()
	for i := 0; i < len(format); i++ {
		if b.Len() > limit {
			return ""
		}
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		switch format[i] {
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'c':
			b.WriteString(t.Format("Mon Jan _2 15:04:05 2006"))
		case 'C':
			pad(t.Year()/100, 2, '0')
		case 'd':
			pad(t.Day(), 2, '0')
		case 'D', 'x':
			b.WriteString(t.Format("01/02/06"))
		case 'e':
			pad(t.Day(), 2, ' ')
		case 'f':
			pad(t.Nanosecond()/1000, 6, '0')
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'g':
			pad(isoYear%100, 2, '0')
		case 'G':
			b.WriteString(strconv.Itoa(isoYear))
		case 'H':
			pad(t.Hour(), 2, '0')
		case 'I':
			pad(hour12(), 2, '0')
		case 'j':
			pad(t.YearDay(), 3, '0')
		case 'k':
			pad(t.Hour(), 2, ' ')
		case 'l':
			pad(hour12(), 2, ' ')
		case 'm':
			pad(int(t.Month()), 2, '0')
		case 'M':
			pad(t.Minute(), 2, '0')
		case 'n':
			b.WriteByte('\n')
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'P':
			b.WriteString(t.Format("pm"))
		case 'r':
			b.WriteString(t.Format("03:04:05 PM"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'S':
			pad(t.Second(), 2, '0')
		case 't':
			b.WriteByte('\t')
		case 'T', 'X':
			b.WriteString(t.Format("15:04:05"))
		case 'u':
			pad((int(t.Weekday())+6)%7+1, 1, '0')
		case 'U':
			pad((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
		case 'V':
			pad(isoWeek, 2, '0')
		case 'w':
			pad(int(t.Weekday()), 1, '0')
		case 'W':
			pad((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
		case 'y':
			pad(t.Year()%100, 2, '0')
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'z':
			b.WriteString("+0000")
		case 'Z':
			b.WriteString("UTC")
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	if b.Len() > limit {
		return ""
	}
	return b.String()
}
