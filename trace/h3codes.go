package trace

import "strconv"

// h3Codes are the HTTP/3 error codes a server may reset a stream or
// close a connection with: RFC 9114 section 8.1, QPACK's (RFC 9204
// section 6) and H3_DATAGRAM_ERROR (RFC 9297), each with what it means.
var h3Codes = map[uint64][2]string{
	0x33:  {"H3_DATAGRAM_ERROR", "a malformed HTTP datagram"},
	0x100: {"H3_NO_ERROR", "no error: the stream or connection is simply not needed any more"},
	0x101: {"H3_GENERAL_PROTOCOL_ERROR", "the peer broke the protocol without a more specific code"},
	0x102: {"H3_INTERNAL_ERROR", "an internal error in the server's HTTP stack"},
	0x103: {"H3_STREAM_CREATION_ERROR", "the peer created a stream it was not allowed to"},
	0x104: {"H3_CLOSED_CRITICAL_STREAM", "a stream the connection needs was closed or reset"},
	0x105: {"H3_FRAME_UNEXPECTED", "a frame not allowed in its place"},
	0x106: {"H3_FRAME_ERROR", "a frame that breaks its layout"},
	0x107: {"H3_EXCESSIVE_LOAD", "the peer is generating too much load"},
	0x108: {"H3_ID_ERROR", "a stream or push ID used wrongly"},
	0x109: {"H3_SETTINGS_ERROR", "an error in a SETTINGS frame"},
	0x10a: {"H3_MISSING_SETTINGS", "no SETTINGS frame at the start of the control stream"},
	0x10b: {"H3_REQUEST_REJECTED", "the server refused the request before processing any of it: safe to retry"},
	0x10c: {"H3_REQUEST_CANCELLED", "the request or its response was cancelled"},
	0x10d: {"H3_REQUEST_INCOMPLETE", "the client's stream ended before the request was whole"},
	0x10e: {"H3_MESSAGE_ERROR", "a malformed HTTP message"},
	0x10f: {"H3_CONNECT_ERROR", "the CONNECT request's TCP connection was reset or broke"},
	0x110: {"H3_VERSION_FALLBACK", "the server asks for the request to be retried over HTTP/1.1"},
	0x200: {"QPACK_DECOMPRESSION_FAILED", "the field section could not be decompressed"},
	0x201: {"QPACK_ENCODER_STREAM_ERROR", "an error on the QPACK encoder stream"},
	0x202: {"QPACK_DECODER_STREAM_ERROR", "an error on the QPACK decoder stream"},
}

// H3ErrorText names an HTTP/3 error code as a stream reset or connection
// close carries it: "0x102 H3_INTERNAL_ERROR, an internal error in the
// server's HTTP stack". Codes of the form 0x1f*N+0x21 are reserved for
// greasing (RFC 9114 section 8.1) and mean nothing; others are unknown.
func H3ErrorText(code uint64) string {
	hex := "0x" + strconv.FormatUint(code, 16)
	if c, ok := h3Codes[code]; ok {
		return hex + " " + c[0] + ", " + c[1]
	}
	if code >= 0x21 && (code-0x21)%0x1f == 0 {
		return hex + ", a reserved code sent to exercise error handling, with no meaning"
	}
	return hex + ", not an HTTP/3 error code reqtrace knows"
}
