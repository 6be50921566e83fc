package page

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"github.com/reqtrace/reqtrace/trace/page/discover"
)

// The three ways a page names its subresources. They call package
// discover; the engine never reads markup itself.

// htmlRefs lists what a document (or an iframe's) names.
func htmlRefs(base *url.URL, body []byte) []discover.Ref {
	return interimHTML(base, body)
}

// cssRefs lists what a stylesheet names: @import, fonts, backgrounds.
func cssRefs(base *url.URL, body []byte) []discover.Ref {
	return nil
}

// linkRefs lists the preloads of Link header values (a response's, or a
// 103 Early Hints').
func linkRefs(base *url.URL, values []string, kind string) []discover.Ref {
	return nil
}

// interimHTML stands in for discover.HTML until it lands.
func interimHTML(base *url.URL, body []byte) []discover.Ref {
	var refs []discover.Ref
	z := html.NewTokenizer(bytes.NewReader(body))
	add := func(raw, typ, prio string, blocking bool) {
		u, err := base.Parse(strings.TrimSpace(raw))
		if err == nil && raw != "" {
			refs = append(refs, discover.Ref{URL: u, Type: typ, Kind: discover.InitParser, Priority: prio, RenderBlocking: blocking})
		}
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return refs
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		t := z.Token()
		attr := func(k string) string {
			for _, a := range t.Attr {
				if a.Key == k {
					return a.Val
				}
			}
			return ""
		}
		switch t.Data {
		case "link":
			if attr("rel") == "stylesheet" {
				add(attr("href"), discover.TypeStylesheet, discover.PriorityHighest, true)
			}
		case "script":
			add(attr("src"), discover.TypeScript, discover.PriorityHigh, false)
		case "img":
			add(attr("src"), discover.TypeImage, discover.PriorityLow, false)
		case "iframe":
			add(attr("src"), discover.TypeIframe, discover.PriorityLowest, false)
		}
	}
}
