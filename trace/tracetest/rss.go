package tracetest

import (
	"os"
	"strconv"
	"strings"
)

// PeakRSS reads a running process's peak resident set size (VmHWM) from
// /proc, in bytes; 0 when it cannot. The memory tests and the benchmark
// sample it while reqtrace runs.
func PeakRSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n << 10
		}
	}
	return 0
}
