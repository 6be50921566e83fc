package discover

import (
	"net/url"
	"strings"
	"testing"
)

var fuzzBase, _ = url.Parse("https://www.lab.test/dir/page.html")

// checkRefs: bounded, and every URL absolute.
func checkRefs(t *testing.T, refs []Ref) {
	t.Helper()
	if len(refs) > MaxRefs {
		t.Fatalf("%d refs, over MaxRefs", len(refs))
	}
	for _, r := range refs {
		if r.URL == nil || !r.URL.IsAbs() {
			t.Fatalf("ref URL %v is not absolute", r.URL)
		}
		if IsHTTP(r.URL) && r.URL.Host == "" {
			t.Fatalf("http ref %v has no host", r.URL)
		}
	}
}

var hostileHTML = []string{
	`<img src="/a.png"><link rel=stylesheet href="s.css">`,
	strings.Repeat("<div>", 100000) + `<img src=deep.png>`,
	strings.Repeat(`<img src="/i.png?`+"x"+`">`, 20000),
	`<img src="` + strings.Repeat("a", 1<<20) + `">`,
	"<img src=\"\x00\x01 /a\tb\nc\\d.png#f \x7f\">",
	`<base href="javascript:alert(1)"><img src="data:image/png;base64,AAAA"><script src="blob:x"></script>`,
	`<picture><source srcset=",,,, 1x 2x, a 0x"><img srcset="a 1w 2w, b -1x"></picture>`,
	`<style>` + strings.Repeat("@media screen{", 50000) + `.a{background:url(x)}</style><div class=a>`,
	`<template><template><img src=t></template></template><img src=u>`,
	`<video><source type="video/webm" src=v><audio src=a preload=none></video>`,
	`<svg><image href=s.png /><style>.x{background:url(y)}</style></svg>`,
	`<div style="background:url(` + strings.Repeat("(", 10000) + `)">`,
}

func FuzzHTML(f *testing.F) {
	for _, s := range hostileHTML {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, _ := HTML(fuzzBase, strings.NewReader(s))
		checkRefs(t, d.Refs)
		for _, sheet := range []string{"a { background: url(b) }", "@font-face{font-family:x;src:url(f)} *{font-family:x}"} {
			checkRefs(t, CSS(fuzzBase, strings.NewReader(sheet), d))
		}
	})
}

var hostileCSS = []string{
	`@import "a.css"; @import url(b.css) print; .x { background: url( "c\"d.png" ) }`,
	strings.Repeat("{", 100000),
	strings.Repeat("a{b:url(x)}", 20000),
	strings.Repeat("@media all{", 100000),
	`@font-face{font-family:F;src:local(x),url(a.eot) format("embedded-opentype"),url(b.woff2) format(woff2)}body{font:12px/1 F}`,
	"a{background:url(\\0 \\110000 \\d800 \x00\n)}",
	`a{background:image-set("a.png" 1x, url(b.png) 2x, "c.avif" type("image/avif") 1x)}`,
	`a{background:url(` + strings.Repeat("x", 1<<20) + `)}`,
	`.a:not(.b:not(.c:not(.d))) ::before ~ > + {background:url(z)}`,
	"@import url(javascript:alert(1)); a{background:url(data:,x)}",
}

func FuzzCSS(f *testing.F) {
	for _, s := range hostileCSS {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkRefs(t, CSS(fuzzBase, strings.NewReader(s), nil))
		d, _ := HTML(fuzzBase, strings.NewReader(`<div class=a id=b>text</div>`))
		checkRefs(t, CSS(fuzzBase, strings.NewReader(s), d))
		checkRefs(t, CSSMedia(fuzzBase, strings.NewReader(s), d, s))
	})
}

func FuzzLinkHeader(f *testing.F) {
	for _, s := range []string{
		`</a.css>; rel=preload; as=style, <https://cdn/x.js>; rel="modulepreload"`,
		`<a>; rel=preload; as=image; imagesrcset="a 1x, b 2x"; imagesizes=100vw`,
		`<"quoted>; rel=preload; as=font; type="font/woff2"; crossorigin, garbage, <`,
		strings.Repeat(`</x>; rel=preload; as=script,`, 30000),
		`<` + strings.Repeat("a", 1<<20),
		"<\x00\t\n>; rel=preload; as=fetch; title*=UTF-8''%e2%82%ac; rel=preconnect",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkRefs(t, LinkHeader(fuzzBase, s, InitLinkHeader))
		for _, u := range Preconnects(fuzzBase, s) {
			if !u.IsAbs() {
				t.Fatalf("preconnect %v not absolute", u)
			}
		}
	})
}

func FuzzSrcset(f *testing.F) {
	for _, s := range []string{
		"a.png 1x, b.png 2x", "a 100w, b 200w", "a,b,c", ",,,", "a 1x 2x", "data:image/png;base64,AA==,b 2x",
		"a (1x, 2x), b", strings.Repeat("x 1x,", 100000), "a 1e309x, b NaNx, c 0x, d -0w",
	} {
		f.Add(s, "(max-width: 600px) 50vw, 300px")
	}
	f.Fuzz(func(t *testing.T, srcset, sizes string) {
		if n := len(ParseSrcset(srcset)); n > maxCandidates {
			t.Fatalf("%d candidates", n)
		}
		picked := PickCandidate(srcset, sizes, "fallback.png")
		if picked != "" && resolve(fuzzBase, picked) != nil && !resolve(fuzzBase, picked).IsAbs() {
			t.Fatal("not absolute")
		}
		_ = SourceSize(sizes)
	})
}
