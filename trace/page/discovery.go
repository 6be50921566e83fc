package page

import (
	"bytes"
	"net/url"

	"github.com/reqtrace/reqtrace/trace/page/discover"
)

// The three ways a page names its subresources. They call package
// discover; the engine never reads markup itself.

// htmlRefs lists what a document (or an iframe's) names; the Document
// is what its stylesheets are matched against.
func htmlRefs(base *url.URL, body []byte) (*discover.Document, []discover.Ref) {
	doc, _ := discover.HTML(base, bytes.NewReader(body)) // a read error cannot come from a byte slice
	return doc, doc.Refs
}

// cssRefs lists what a stylesheet applied to doc under the media
// condition names: @import, and when the media matches the screen, the
// fonts doc uses and the backgrounds of rules that match.
func cssRefs(base *url.URL, body []byte, doc *discover.Document, media string) []discover.Ref {
	return discover.CSSMedia(base, bytes.NewReader(body), doc, media)
}

// linkRefs lists the preloads of Link header values (a response's, or a
// 103 Early Hints').
func linkRefs(base *url.URL, values []string, kind string) []discover.Ref {
	var refs []discover.Ref
	for _, v := range values {
		refs = append(refs, discover.LinkHeader(base, v, kind)...)
	}
	return refs
}
