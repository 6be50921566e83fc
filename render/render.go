// Package render turns a trace.Result into what people and programs read:
// an annotated text report for terminals (Text), the versioned JSON document
// of the public contract (JSON) and the one-line error for stderr (ErrorLine).
//
// The other documents have a package each, built on the shared pieces
// here (Safe and the escaping, the secret redaction, the Printer and its
// Palette, the format helpers, the Wire* objects of the JSON document):
// render/writeout (curl's -w), render/har (--har), render/corsreport (cors).
//
// render never touches the network, the environment or color.NoColor: cmd
// decides colour and width once and passes them in a Style.
package render

import (
	"errors"

	"github.com/fatih/color"

	"github.com/reqtrace/reqtrace/trace"
)

// Style is how the text report should look. cmd fills it in from the flags
// and the terminal; the zero value is plain text, 100 columns wide.
type Style struct {
	Color   bool // ANSI colour on/off (decided by cmd)
	Width   int  // terminal width in columns; 0 means 100
	Verbose bool // -v: request headers, whole certificate chain, DNS queries, body preview
	Include bool // -i: the body itself, as much as was kept
}

// ErrNilResult is what every writer returns for a nil Result.
var ErrNilResult = errors.New("render: nil *trace.Result")

// defaultWidth is used when Style.Width is 0; minWidth keeps the layout
// arithmetic sane on absurdly narrow terminals (output then just wraps).
const (
	defaultWidth = 100
	minWidth     = 50
)

func (st Style) LineWidth() int {
	switch {
	case st.Width <= 0:
		return defaultWidth
	case st.Width < minWidth:
		return minWidth
	}
	return st.Width
}

// palette holds one *color.Color per role. Each is switched on or off
// explicitly so the result never depends on color.NoColor or NO_COLOR,
// which fatih/color reads from the process (see library-notes §2).
type Palette struct {
	Title, Dim, Name, OK, Warn, Bad, Redirect *color.Color
	Phase                                     map[string]*color.Color
	// bold variants of the status colours, for the status line itself
	BoldOK, BoldRedirect, BoldWarn *color.Color
}

func NewPalette(on bool) *Palette {
	mk := func(a ...color.Attribute) *color.Color {
		c := color.New(a...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return &Palette{
		Title:    mk(color.Bold),
		Dim:      mk(color.Faint),
		Name:     mk(color.FgCyan),
		OK:       mk(color.FgGreen),
		Warn:     mk(color.FgYellow),
		Bad:      mk(color.FgRed, color.Bold),
		Redirect: mk(color.FgCyan),

		BoldOK:       mk(color.FgGreen, color.Bold),
		BoldRedirect: mk(color.FgCyan, color.Bold),
		BoldWarn:     mk(color.FgYellow, color.Bold),
		// DevTools-like hues, so the waterfall reads like the Timing tab.
		Phase: map[string]*color.Color{
			trace.PhaseDNS:     mk(color.FgCyan),
			trace.PhaseConnect: mk(color.FgYellow),
			trace.PhaseProxy:   mk(color.FgHiYellow),
			trace.PhaseTLS:     mk(color.FgMagenta),
			trace.PhaseQUIC:    mk(color.FgMagenta),
			trace.PhaseSend:    mk(color.FgWhite),
			trace.PhaseWait:    mk(color.FgGreen),
			trace.PhaseReceive: mk(color.FgBlue),
		},
	}
}

// status picks the colour of a status code by class.
func (p *Palette) status(code int) *color.Color {
	switch {
	case code >= 500:
		return p.Bad
	case code >= 400:
		return p.Warn
	case code >= 300:
		return p.Redirect
	case code >= 200:
		return p.OK
	}
	return p.Dim
}

// statusBold is status in bold, for the status line.
func (p *Palette) StatusBold(code int) *color.Color {
	switch c := p.status(code); c {
	case p.OK:
		return p.BoldOK
	case p.Redirect:
		return p.BoldRedirect
	case p.Warn:
		return p.BoldWarn
	default:
		return c
	}
}

// ErrorLine is the one message cmd prints on stderr for a failed trace:
// "reqtrace: <message>" and, when there is one, an indented hint line.
func ErrorLine(err *trace.Error) string {
	if err == nil {
		return ""
	}
	line := "reqtrace: " + Safe(err.Message)
	if err.Hint != "" {
		line += "\n  hint: " + Safe(err.Hint)
	}
	return line
}
