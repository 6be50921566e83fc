package cmd

import (
	"os"
	"strconv"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/reqtrace/reqtrace/trace"
)

// terminal reports whether f is a terminal, and its width in columns
// (COLUMNS, else 100, when the size cannot be read). x/term reads both on
// Unix and on Windows consoles.
func terminal(f *os.File) (bool, int) {
	width := 100
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 20 {
		width = n
	}
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return false, width
	}
	enableVT(f)
	if w, _, err := term.GetSize(fd); err == nil && w > 20 {
		width = w
	}
	return true, width
}

// addColorFlag puts the one --color flag on the root, for every command.
func addColorFlag(root *cobra.Command, ios *IO) {
	root.PersistentFlags().StringVar(&ios.color, "color", "auto", "`WHEN` to colour: auto, always or never (auto: when stdout is a terminal; NO_COLOR turns it off, CLICOLOR_FORCE on)")
	_ = root.RegisterFlagCompletionFunc("color", cobra.FixedCompletions([]cobra.Completion{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp))
}

// colorOn decides colour: --color always or never wins; under auto,
// NO_COLOR (any value) turns it off, CLICOLOR_FORCE (not 0) on even
// through a pipe, CLICOLOR=0 off, and otherwise stdout must be a
// terminal that is not TERM=dumb.
func colorOn(ios *IO) (bool, error) {
	switch ios.color {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
	default:
		return false, trace.BadInput("--color %q is not one of auto, always, never", ios.color)
	}
	switch {
	case ios.Getenv("NO_COLOR") != "":
		return false, nil
	case ios.Getenv("CLICOLOR_FORCE") != "" && ios.Getenv("CLICOLOR_FORCE") != "0":
		return true, nil
	case ios.Getenv("CLICOLOR") == "0":
		return false, nil
	}
	return ios.OutTTY && ios.Getenv("TERM") != "dumb", nil
}
