package cmd

import (
	"net/url"
	"os"
	"strconv"

	"github.com/mattn/go-isatty"
	"golang.org/x/sys/unix"
)

// terminal reports whether f is a terminal, and its width in columns
// (COLUMNS, else 100, when the size cannot be read).
func terminal(f *os.File) (bool, int) {
	width := 100
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 20 {
		width = n
	}
	fd := f.Fd()
	if !isatty.IsTerminal(fd) {
		return false, width
	}
	if ws, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ); err == nil && ws.Col > 20 {
		width = int(ws.Col)
	}
	return true, width
}

func urlUser(name, pass string) *url.Userinfo { return url.UserPassword(name, pass) }
