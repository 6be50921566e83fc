package har

import (
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// netError is what one of Chrome's net::ERR_* codes means in our terms.
type netError struct {
	phase, kind, message string
}

// netErrors maps the codes Chrome writes in response._error most often
// (net/base/net_error_list.h) to a phase and an error kind.
var netErrors = map[string]netError{
	"ERR_NAME_NOT_RESOLVED":           {trace.PhaseDNS, trace.KindDNS, "the browser could not resolve the host name"},
	"ERR_NAME_RESOLUTION_FAILED":      {trace.PhaseDNS, trace.KindDNS, "the browser's DNS lookup failed"},
	"ERR_DNS_TIMED_OUT":               {trace.PhaseDNS, trace.KindDNSTimeout, "the DNS lookup timed out"},
	"ERR_CONNECTION_REFUSED":          {trace.PhaseConnect, trace.KindConnRefused, "the server refused the connection"},
	"ERR_CONNECTION_TIMED_OUT":        {trace.PhaseConnect, trace.KindConnectTimeout, "the connection timed out"},
	"ERR_ADDRESS_UNREACHABLE":         {trace.PhaseConnect, trace.KindUnreachable, "the address is unreachable"},
	"ERR_INTERNET_DISCONNECTED":       {trace.PhaseConnect, trace.KindUnreachable, "the browser was offline"},
	"ERR_CONNECTION_FAILED":           {trace.PhaseConnect, trace.KindConnect, "the connection failed"},
	"ERR_CERT_DATE_INVALID":           {trace.PhaseTLS, trace.KindExpired, "the certificate has expired or is not valid yet"},
	"ERR_CERT_AUTHORITY_INVALID":      {trace.PhaseTLS, trace.KindUnknownAuthority, "the certificate is not signed by an authority the browser trusts"},
	"ERR_CERT_COMMON_NAME_INVALID":    {trace.PhaseTLS, trace.KindHostnameMismatch, "the certificate is not valid for this host name"},
	"ERR_SSL_PROTOCOL_ERROR":          {trace.PhaseTLS, trace.KindHandshake, "the TLS handshake failed"},
	"ERR_EMPTY_RESPONSE":              {trace.PhaseWait, trace.KindEmptyReply, "the server closed the connection without answering"},
	"ERR_TIMED_OUT":                   {trace.PhaseWait, trace.KindTimeout, "the request timed out"},
	"ERR_INVALID_HTTP_RESPONSE":       {trace.PhaseWait, trace.KindBadResponse, "the response was not valid HTTP"},
	"ERR_CONNECTION_RESET":            {trace.PhaseReceive, trace.KindReceive, "the connection was reset"},
	"ERR_CONNECTION_CLOSED":           {trace.PhaseReceive, trace.KindReceive, "the connection was closed"},
	"ERR_CONTENT_LENGTH_MISMATCH":     {trace.PhaseReceive, trace.KindReceive, "the body was shorter than its Content-Length"},
	"ERR_INCOMPLETE_CHUNKED_ENCODING": {trace.PhaseReceive, trace.KindReceive, "the chunked body ended early"},
	"ERR_HTTP2_PROTOCOL_ERROR":        {trace.PhaseReceive, trace.KindHTTP2, "HTTP/2 protocol error"},
	"ERR_ABORTED":                     {"", trace.KindCanceled, "the browser canceled the request"},
	"ERR_BLOCKED_BY_CLIENT":           {"", trace.KindCanceled, "the browser (an extension such as an ad blocker) blocked the request"},
	"ERR_BLOCKED_BY_RESPONSE":         {"", trace.KindCanceled, "the browser blocked the response (a CORP or COEP rule)"},
	"ERR_FAILED":                      {"", "", "the request failed (often CORS)"},
}

// browserError reads a browser's error text (Chrome's response._error) as
// an Error. Codes it does not know are placed by prefix, or after the last
// phase that took place.
func browserError(text string, h *trace.Hop) *trace.Error {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	code := strings.TrimPrefix(text, "net::")
	ne, ok := netErrors[code]
	if !ok {
		ne = netError{message: "the browser reported an error"}
		switch {
		case strings.HasPrefix(code, "ERR_NAME_"), strings.HasPrefix(code, "ERR_DNS_"):
			ne.phase, ne.kind = trace.PhaseDNS, trace.KindDNS
		case strings.HasPrefix(code, "ERR_CERT_"), strings.HasPrefix(code, "ERR_SSL_"):
			ne.phase, ne.kind = trace.PhaseTLS, trace.KindHandshake
		case strings.HasPrefix(code, "ERR_HTTP2_"):
			ne.phase, ne.kind = trace.PhaseReceive, trace.KindHTTP2
		}
	}
	if ne.phase == "" {
		ne.phase = nextPhase(h)
	}
	if ne.kind == "" {
		ne.kind = genericKind[ne.phase]
	}
	msg := ne.message
	if text != msg {
		msg += " (" + text + ")"
	}
	return &trace.Error{Phase: ne.phase, Kind: ne.kind, Message: msg}
}

var genericKind = map[string]string{
	trace.PhaseDNS:     trace.KindDNS,
	trace.PhaseConnect: trace.KindConnect,
	trace.PhaseTLS:     trace.KindHandshake,
	trace.PhaseSend:    trace.KindSend,
	trace.PhaseWait:    trace.KindReceive,
	trace.PhaseReceive: trace.KindReceive,
}

// nextPhase is where a request stopped: receiving once a response came,
// else the phase after the last one that took place.
func nextPhase(h *trace.Hop) string {
	if h.Response != nil {
		return trace.PhaseReceive
	}
	t := &h.Timings
	switch {
	case t.Wait != nil:
		return trace.PhaseWait
	case t.Send != nil:
		return trace.PhaseWait
	case t.TLS != nil, t.Connect != nil:
		return trace.PhaseSend
	case t.DNS != nil:
		return trace.PhaseConnect
	}
	return trace.PhaseConnect
}
