//go:build !unix

package trace

// msgTrunc: elsewhere (Windows) no flag tells of a datagram cut to the
// buffer; the read of one fails (WSAEMSGSIZE), and the lookup with it.
const msgTrunc = 0
