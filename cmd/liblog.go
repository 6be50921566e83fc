package cmd

import (
	"fmt"
	"io"
	"log"
	"strings"
	"sync"

	"github.com/reqtrace/reqtrace/render"
)

// routeLibraryLog decides where the standard logger's lines go. x/net's
// HTTP/2 client logs some protocol errors with it, straight to stderr,
// dated and unnamed, quoting what the server sent. The trace reports the
// same failure as a classified error, so by default the lines are dropped;
// with -v they are shown as reqtrace warnings, made safe for the terminal.
func routeLibraryLog(ios *IO, show bool) {
	log.SetFlags(0)
	log.SetPrefix("")
	if !show {
		log.SetOutput(io.Discard)
		return
	}
	log.SetOutput(&warningLines{w: ios.ErrOut})
}

// warningLines writes each line it is given as a reqtrace warning.
type warningLines struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *warningLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for line := range strings.SplitSeq(strings.TrimRight(string(p), "\n"), "\n") {
		line = strings.TrimPrefix(line, "http2: ")
		fmt.Fprintln(l.w, "reqtrace: warning: http2 client: "+render.Safe(line))
	}
	return len(p), nil
}
