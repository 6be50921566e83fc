//go:build linux || darwin || freebsd || netbsd || openbsd

package trace

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// peekSocket looks at the socket's receive queue without waiting and
// without taking anything off it (MSG_PEEK|MSG_DONTWAIT).
func peekSocket(sc syscall.Conn) socketState {
	rc, err := sc.SyscallConn()
	if err != nil {
		return socketUnknown
	}
	state := socketUnknown
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		switch {
		case rerr == unix.EAGAIN || rerr == unix.EWOULDBLOCK:
			state = socketIdle
		case rerr != nil, n == 0:
			state = socketClosed // reset, or the peer's FIN
		default:
			state = socketPending
		}
		return true // done: never wait for readiness
	})
	if err != nil {
		return socketUnknown
	}
	return state
}
