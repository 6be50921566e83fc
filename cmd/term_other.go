//go:build !windows

package cmd

import "os"

// enableVT is needed on Windows only: Unix terminals read escape codes.
func enableVT(*os.File) {}
