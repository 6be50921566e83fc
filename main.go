// Command reqtrace traces one HTTP request/response cycle: every phase
// timed, every header and status explained. See README.md.
package main

import (
	"os"
	"runtime/debug"

	"github.com/reqtrace/reqtrace/cmd"
)

// memoryLimit is the Go heap size past which the collector works harder
// and returns freed memory at once. reqtrace keeps little alive (bodies
// stream), but a hostile server can make it decode much that is garbage
// a moment later (HPACK-amplified header blocks on streams it never
// opened, which x/net decodes to keep its table in step), and on a busy
// machine a collector short of CPU lets the heap grow with that garbage.
// A soft limit: nothing fails above it. GOMEMLIMIT overrides it.
const memoryLimit = 24 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(cmd.Main())
}
