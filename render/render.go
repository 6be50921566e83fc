// Package render turns a trace.Result into what people and programs read:
// an annotated text report for terminals (Text), the versioned JSON document
// of the public contract (JSON) and the one-line error for stderr (ErrorLine).
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

var ErrNilResult = errors.New("render: nil *trace.Result")

// defaultWidth is used when Style.Width is 0; minWidth keeps the layout
// arithmetic sane on absurdly narrow terminals (output then just wraps).
const (
	defaultWidth = 100
	minWidth     = 50
)

func (st Style) width() int {
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
type palette struct {
	title, dim, name, ok, warn, bad, redirect *color.Color
	phase                                     map[string]*color.Color
	// bold variants of the status colours, for the status line itself
	boldOK, boldRedirect, boldWarn *color.Color
}

func newPalette(on bool) *palette {
	mk := func(a ...color.Attribute) *color.Color {
		c := color.New(a...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return &palette{
		title:    mk(color.Bold),
		dim:      mk(color.Faint),
		name:     mk(color.FgCyan),
		ok:       mk(color.FgGreen),
		warn:     mk(color.FgYellow),
		bad:      mk(color.FgRed, color.Bold),
		redirect: mk(color.FgCyan),

		boldOK:       mk(color.FgGreen, color.Bold),
		boldRedirect: mk(color.FgCyan, color.Bold),
		boldWarn:     mk(color.FgYellow, color.Bold),
		// DevTools-like hues, so the waterfall reads like the Timing tab.
		phase: map[string]*color.Color{
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
func (p *palette) status(code int) *color.Color {
	switch {
	case code >= 500:
		return p.bad
	case code >= 400:
		return p.warn
	case code >= 300:
		return p.redirect
	case code >= 200:
		return p.ok
	}
	return p.dim
}

// statusBold is status in bold, for the status line.
func (p *palette) statusBold(code int) *color.Color {
	switch c := p.status(code); c {
	case p.ok:
		return p.boldOK
	case p.redirect:
		return p.boldRedirect
	case p.warn:
		return p.boldWarn
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
