package cmd

import (
	"errors"
	"io"

	"github.com/reqtrace/reqtrace/trace"
)

// Exit codes: curl's numbers, so that scripts written for curl keep working.
const (
	ExitOK              = 0
	ExitFailure         = 1
	ExitUsage           = 2 // bad usage or bad input (curl would say 2 or 3)
	ExitAssert          = 4 // an --assert check failed (hurl's number; curl's 4 is a feature not built in)
	ExitDNS             = 6
	ExitConnect         = 7
	ExitWeirdReply      = 8
	ExitHTTP2           = 16
	ExitHTTP3           = 95 // curl's CURLE_HTTP3
	ExitHTTPError       = 22 // status >= 400 with --fail
	ExitWrite           = 23
	ExitTimeout         = 28
	ExitTLSHandshake    = 35
	ExitTooManyRedirs   = 47
	ExitEmptyReply      = 52
	ExitBadEncoding     = 61
	ExitSend            = 55
	ExitReceive         = 56
	ExitCertificate     = 60
	ExitProxyHandshake  = 97  // curl: CURLE_PROXY, a SOCKS handshake failed
	ExitClientCert      = 98  // curl: client certificate required
	ExitInterrupted     = 130 // the shell's convention for Ctrl-C
	exitInternalFailure = 1
)

// exitFor maps an error kind to its exit code: the one place where the
// two meet.
var exitFor = map[string]int{
	trace.KindBadInput:         ExitUsage,
	trace.KindNXDomain:         ExitDNS,
	trace.KindServFail:         ExitDNS,
	trace.KindRefused:          ExitDNS,
	trace.KindNoAddress:        ExitDNS,
	trace.KindDNS:              ExitDNS,
	trace.KindCNAMELoop:        ExitDNS,
	trace.KindCNAMETooLong:     ExitDNS,
	trace.KindDNSTimeout:       ExitTimeout,
	trace.KindConnectTimeout:   ExitTimeout,
	trace.KindTimeout:          ExitTimeout,
	trace.KindConnRefused:      ExitConnect,
	trace.KindUnreachable:      ExitConnect,
	trace.KindConnect:          ExitConnect,
	trace.KindUnknownAuthority: ExitCertificate,
	trace.KindExpired:          ExitCertificate,
	trace.KindHostnameMismatch: ExitCertificate,
	trace.KindHandshake:        ExitTLSHandshake,
	trace.KindClientCert:       ExitClientCert,
	trace.KindTooManyRedirs:    ExitTooManyRedirs,
	trace.KindBadRedirect:      ExitTooManyRedirs,
	trace.KindEmptyReply:       ExitEmptyReply,
	trace.KindSend:             ExitSend,
	trace.KindReceive:          ExitReceive,
	trace.KindBadResponse:      ExitWeirdReply,
	trace.KindHTTP2:            ExitHTTP2,
	trace.KindHTTP3:            ExitHTTP3,
	trace.KindQUICTimeout:      ExitTimeout,
	trace.KindWrite:            ExitWrite,
	trace.KindBadEncoding:      ExitBadEncoding,
	trace.KindProxy:            ExitReceive, // curl: CONNECT tunnel failed
	trace.KindProxyAuth:        ExitReceive,
	trace.KindSOCKS:            ExitProxyHandshake,
	trace.KindCanceled:         ExitInterrupted,
}

// ExitCode returns the process exit code for an error returned by a
// command: the engine's kinds by exitFor, bad usage 2, a failed write 23,
// and anything else, unexpected, 1.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var te *trace.Error
	if errors.As(err, &te) {
		if code, ok := exitFor[te.Kind]; ok {
			return code
		}
		return ExitFailure
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	var we *writeError
	if errors.As(err, &we) {
		return ExitWrite
	}
	return ExitFailure
}

// usageError is bad usage caught before a command runs: an unknown flag
// or command, a missing or extra argument, flags that exclude each other.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// writeError is a failed write of the output, to stdout or a file: curl's
// "failure writing output", exit 23.
type writeError struct {
	what string // "stdout", "-o out.bin", "--har x.har"
	err  error
}

func (e *writeError) Error() string { return "writing " + e.what + " failed: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// outWriter is stdout as commands see it: it remembers the first failed
// write, so that whatever a command did with the error (some output is
// written with fmt.Fprintln and no check), the run ends with exit 23.
type outWriter struct {
	w   io.Writer
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
	}
	return n, err
}

// exitError ends a command with a code whose message was already shown
// (or that needs none, like --fail's).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
