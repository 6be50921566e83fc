package annotate

import "github.com/reqtrace/reqtrace/trace"

// framingNotes warns about a response that carries both framings: a
// Transfer-Encoding and a Content-Length. RFC 9112 section 6.3 says the
// Transfer-Encoding wins (reqtrace reads it so), but a proxy or cache that
// reads the Content-Length instead splits the stream elsewhere, and the
// rest of the body becomes the next response: response smuggling.
func framingNotes(x *exchange) []trace.Note {
	if !x.resp.has("Transfer-Encoding") || !x.resp.has("Content-Length") {
		return nil
	}
	return []trace.Note{note("framing.te-and-cl", trace.NoteSecurity, trace.LevelWarn, "Transfer-Encoding",
		"The response has both Transfer-Encoding and Content-Length. reqtrace followed Transfer-Encoding, as RFC 9112 section 6.3 says, "+
			"but a proxy or cache that reads Content-Length instead splits the stream elsewhere: that is how request and response smuggling work. "+
			"The server must send only one of them (RFC 9112 forbids the Content-Length with Transfer-Encoding).")}
}
