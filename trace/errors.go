package trace

import "fmt"

// Error is a failure tied to the phase it happened in, with a machine
// readable kind, a one-line message and a hint on what to do about it.
type Error struct {
	Phase   string // one of the Phase* constants
	Kind    string // one of the Kind* constants
	Message string
	Hint    string
	Err     error // the underlying error, for errors.Is/As; never shown raw
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// Error kinds. The names are part of the JSON contract.
const (
	// input
	KindBadInput = "bad_input"

	// dns
	KindNXDomain   = "nxdomain"
	KindServFail   = "servfail"
	KindRefused    = "refused"
	KindDNSTimeout = "dns_timeout"
	KindNoAddress  = "no_address"
	KindDNS        = "dns_error"
	// a CNAME chain that comes back on itself, or longer than 16 CNAMEs
	KindCNAMELoop    = "cname_loop"
	KindCNAMETooLong = "cname_too_long"

	// connect
	KindConnectTimeout = "connect_timeout"
	KindConnRefused    = "connection_refused"
	KindUnreachable    = "unreachable"
	KindConnect        = "connect_error"

	// tls
	KindUnknownAuthority = "unknown_authority"
	KindExpired          = "expired"
	KindHostnameMismatch = "hostname_mismatch"
	KindHandshake        = "handshake"
	KindClientCert       = "client_certificate"

	// http
	KindTimeout       = "timeout"
	KindSend          = "send_error"
	KindEmptyReply    = "empty_reply"
	KindBadResponse   = "bad_response"
	KindReceive       = "receive_error"
	KindHTTP2         = "http2_error"
	KindHTTP3         = "http3_error"  // HTTP/3 over an established QUIC connection (curl's 95)
	KindQUICTimeout   = "quic_timeout" // no QUIC answer: UDP filtered, or no HTTP/3 there
	KindWrite         = "write_error"
	KindBadEncoding   = "bad_content_encoding"
	KindProxy         = "proxy_error"
	KindProxyAuth     = "proxy_auth"
	KindSOCKS         = "socks_error" // a SOCKS5 handshake failed (curl's 97)
	KindTooManyRedirs = "too_many_redirects"
	KindBadRedirect   = "bad_redirect"
	KindCanceled      = "canceled"
)

// BadInput returns an input error: one line naming the problem and the fix.
func BadInput(format string, args ...any) *Error {
	return &Error{Phase: PhaseInput, Kind: KindBadInput, Message: fmt.Sprintf(format, args...)}
}

// VerifyReason is what the certificate check found (TLS.Verify): why the
// chain did not verify, or VerifyOK. reqtrace checks the chain itself, so
// it is known with -k too. The names are part of the JSON contract.
type VerifyReason string

// Certificate check outcomes. When a chain has several faults the one
// reported is the one OpenSSL (and so curl) reports first: trust, then the
// CA rules, then the dates; the host name is checked last.
const (
	VerifyOK VerifyReason = "ok"
	// the chain does not lead to a trusted root
	VerifyUnknownAuthority    VerifyReason = "unknown_authority"    // issued by a CA that is not trusted (and not sent)
	VerifyMissingIntermediate VerifyReason = "missing_intermediate" // the server left out the intermediate its leaf names
	VerifySelfSigned          VerifyReason = "self_signed"          // the leaf signed itself
	VerifyUntrustedRoot       VerifyReason = "untrusted_root"       // the chain sent ends at a root that is not trusted
	// a CA in the chain broke its rules
	VerifyNotCA           VerifyReason = "not_ca"           // a certificate that may not sign others did
	VerifyPathLength      VerifyReason = "path_length"      // more intermediates than a CA allows
	VerifyKeyUsage        VerifyReason = "key_usage"        // not issued for TLS servers
	VerifyNameConstraints VerifyReason = "name_constraints" // a CA signed a name it may not
	// dates and names
	VerifyExpired          VerifyReason = "expired"
	VerifyNotYetValid      VerifyReason = "not_yet_valid"
	VerifyHostnameMismatch VerifyReason = "hostname_mismatch"
	VerifyNoCertificate    VerifyReason = "no_certificate" // the server sent none
	VerifyOther            VerifyReason = "other"
)
