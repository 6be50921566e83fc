//go:build !linux

package main

import (
	"fmt"
	"time"
)

// physics needs Linux's network namespaces and TUN devices.
func (b *bench) physics(n int, rtt time.Duration) {
	fmt.Printf("(f) Physics (a link delayed by %v): skipped, it needs Linux network namespaces and TUN devices\n\n", rtt)
}
