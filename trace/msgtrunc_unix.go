//go:build unix

package trace

import "syscall"

// msgTrunc is the flag recvmsg sets on a datagram cut to the buffer.
const msgTrunc = syscall.MSG_TRUNC
