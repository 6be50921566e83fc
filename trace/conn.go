package trace

import (
	"net"
	"sync"
	"time"
)

// clock measures a hop on the monotonic clock: every time in a Result is
// an offset from the hop's start.
type clock struct{ start time.Time }

func newClock() *clock { return &clock{start: time.Now()} }

// since is the time elapsed since the hop started.
func (c *clock) since() time.Duration { return time.Since(c.start) }

// maxReadMarks bounds the read log to the most recent reads: a head's
// first byte is looked up as soon as it has arrived (see readFinalHead).
const maxReadMarks = 256

// readMark says that by time at, total bytes had been read.
type readMark struct {
	total int64
	at    time.Duration
}

// stampConn wraps a connection to timestamp the bytes on the wire as they
// arrive. These are the truest phase boundaries there are, closer than
// what any client-library hook reports.
type stampConn struct {
	net.Conn
	clock *clock

	mu    sync.Mutex
	read  int64
	marks []readMark
}

func newStampConn(c net.Conn, clk *clock) *stampConn {
	return &stampConn{Conn: c, clock: clk}
}

func (c *stampConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		at := c.clock.since()
		c.read += int64(n)
		if len(c.marks) == maxReadMarks { // keep the most recent reads
			c.marks = c.marks[1:]
		}
		c.marks = append(c.marks, readMark{c.read, at})
		c.mu.Unlock()
	}
	return n, err
}

// startHop points the timestamps at a new hop's clock and clears the read
// log, when a connection is reused.
func (c *stampConn) startHop(clk *clock) {
	c.mu.Lock()
	c.clock, c.marks = clk, c.marks[:0]
	c.mu.Unlock()
}

// arrival returns when the byte at offset off (counting from 0) was read,
// and false if the log does not reach it.
func (c *stampConn) arrival(off int64) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.marks {
		if m.total > off {
			return m.at, true
		}
	}
	return 0, false
}

func (c *stampConn) bytesRead() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.read
}
