package cmd

import (
	"os"

	"golang.org/x/sys/windows"
)

// enableVT asks the Windows console to read ANSI escape codes (Windows 10
// and later), as the colours and the progress line use them.
func enableVT(f *os.File) {
	h := windows.Handle(f.Fd())
	var mode uint32
	if windows.GetConsoleMode(h, &mode) == nil {
		_ = windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING)
	}
}
