// Command reqtrace traces one HTTP request/response cycle: every phase
// timed, every header and status explained. See README.md.
package main

import (
	"os"

	"github.com/reqtrace/reqtrace/cmd"
)

func main() { os.Exit(cmd.Main()) }
