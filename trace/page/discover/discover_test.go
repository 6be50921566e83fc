package discover

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// show is a ref in one line: type priority [flags] line url.
func show(r Ref) string {
	flags := ""
	if r.RenderBlocking {
		flags += " blocking"
	}
	if r.Async {
		flags += " async"
	}
	if r.Lazy {
		flags += " lazy"
	}
	if r.DisplayWidth+r.DisplayHeight > 0 {
		flags += fmt.Sprintf(" %dx%d", r.DisplayWidth, r.DisplayHeight)
	}
	if r.Media != "" {
		flags += " media=" + r.Media
	}
	return fmt.Sprintf("%s %s %s%s L%d %s", r.Type, r.Priority, r.Kind, flags, r.Line, r.URL)
}

func showAll(refs []Ref) []string {
	var out []string
	for _, r := range refs {
		out = append(out, show(r))
	}
	return out
}

func assertRefs(t *testing.T, got []Ref, want ...string) {
	t.Helper()
	g := showAll(got)
	if !slices.Equal(g, want) {
		t.Errorf("refs:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestHTMLRefs(t *testing.T) {
	base := mustURL("https://www.lab.test/dir/page.html")
	doc := `<!doctype html><head>
<link rel=stylesheet href=a.css>
<link rel=stylesheet href=p.css media=print>
<script src=/s.js></script>
<script src=d.js defer></script>
<script type=module src=m.js></script>
<script type=text/template src=t.js></script>
<link rel=preload as=font href=f.woff2 crossorigin>
<link rel=preconnect href=https://cdn.lab.test/x>
</head><body>
<img src=big.png width=200 height=100>
<img src=small.png width=10 height=10 loading=lazy>
<img srcset="a1.png 1x, a2.png 2x" src=fallback.png>
<script src=late.js></script>
<noscript><img src=no.png></noscript>
<template><img src=tpl.png></template>
<video poster=poster.png preload=none src=v.webm></video>
<iframe src=frame.html></iframe>
<img src="data:image/gif;base64,R0lGOD">
<div class=x style="background:url(inline.png)">text</div>
<style>.x { background-image: url(styled.png) } .y { background-image: url(unused.png) }</style>
</body>`
	d, err := HTML(base, strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	const p = "https://www.lab.test/dir/"
	assertRefs(t, d.Refs,
		"stylesheet highest parser blocking L2 "+p+"a.css",
		"stylesheet lowest parser media=print L3 "+p+"p.css",
		"script high parser blocking L4 https://www.lab.test/s.js",
		"script low parser L5 "+p+"d.js",
		"script high parser L6 "+p+"m.js",
		"font high parser async L8 "+p+"f.woff2",
		"image medium parser 200x100 L11 "+p+"big.png",
		"image low parser lazy 10x10 L12 "+p+"small.png",
		"image medium parser L13 "+p+"a1.png",
		"script medium parser L14 "+p+"late.js",
		"image medium parser L17 "+p+"poster.png",
		"iframe highest parser L18 "+p+"frame.html",
		"image medium parser L19 data:image/gif;base64,R0lGOD",
		"image low parser L20 "+p+"inline.png",
		"image low parser L21 "+p+"styled.png",
	)
	if len(d.Preconnect) != 1 || d.Preconnect[0].String() != "https://cdn.lab.test" {
		t.Errorf("preconnect %v", d.Preconnect)
	}
	if d.Truncated {
		t.Error("truncated")
	}
}

func TestHTMLBase(t *testing.T) {
	d, _ := HTML(mustURL("https://www.lab.test/a/b.html"), strings.NewReader(
		`<img src=before.png><base href="https://cdn.lab.test/c/"><base href="/ignored/"><img src=after.png>`))
	assertRefs(t, d.Refs,
		"image medium parser L1 https://www.lab.test/a/before.png",
		"image medium parser L1 https://cdn.lab.test/c/after.png")
	if d.Base.String() != "https://cdn.lab.test/c/" {
		t.Errorf("base %v", d.Base)
	}
}

func TestResolve(t *testing.T) {
	base := mustURL("https://www.lab.test/d/p.html")
	for _, c := range []struct{ in, want string }{
		{"  a.png \x01", "https://www.lab.test/d/a.png"},
		{"a\tb\nc\r.png", "https://www.lab.test/d/abc.png"},
		{`\x\y.png`, "https://www.lab.test/x/y.png"},
		{"sp ace.png?q=a b", "https://www.lab.test/d/sp%20ace.png?q=a%20b"},
		{"f.png#frag", "https://www.lab.test/d/f.png"},
		{"//CDN.lab.test/x", "https://cdn.lab.test/x"},
		{"é.png", "https://www.lab.test/d/%C3%A9.png"},
		{"100%.png", "https://www.lab.test/d/100%25.png"},
		{"javascript:alert(1)", "javascript:alert(1)"},
		{"data:,x y", "data:,x%20y"},
		{"", ""},
		{"   ", ""},
		{"http://", ""},
	} {
		got := ""
		if u := resolve(base, c.in); u != nil {
			got = u.String()
		}
		if got != c.want {
			t.Errorf("resolve(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPickCandidate(t *testing.T) {
	for _, c := range []struct{ srcset, sizes, src, want string }{
		{"a 1x, b 2x", "", "s", "a"},
		{"b 2x", "", "s", "s"},
		{"h 0.5x, o 1.5x", "", "", "o"},
		{"h 0.5x", "", "", "h"},
		{"w320 320w, w640 640w, w1280 1280w", "(max-width: 600px) 320px, 50vw", "", "w640"},
		{"w400 400w, w800 800w, w1600 1600w", "", "", "w800"},
		{"w400 400w, w800 800w", "(min-width: 700px) 300px, 100vw", "", "w400"},
		{"", "", " s ", "s"},
		{"bad 1q, ok 1x", "", "", "ok"},
		{"a 1x 2x", "", "s", "s"},
	} {
		if got := PickCandidate(c.srcset, c.sizes, c.src); got != c.want {
			t.Errorf("PickCandidate(%q, %q, %q) = %q, want %q", c.srcset, c.sizes, c.src, got, c.want)
		}
	}
}

func TestMediaMatches(t *testing.T) {
	for q, want := range map[string]bool{
		"": true, "all": true, "screen": true, "print": false, "not print": true,
		"screen and (min-width: 600px)": true, "(max-width: 600px)": false,
		"(min-width: 100px) and (max-width: 800px)": true, "print, (min-width: 1px)": true,
		"(width >= 780px)": true, "(400px < width < 700px)": false, "(orientation: landscape)": true,
		"(prefers-color-scheme: dark)": false, "(hover: hover)": false, "(min-resolution: 2dppx)": false,
		"(unknown-feature: 1)": false, "screen and": false, "((min-width: 1px))": true,
	} {
		if got := MediaMatches(q); got != want {
			t.Errorf("MediaMatches(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestCSSRefs(t *testing.T) {
	base := mustURL("https://www.lab.test/css/main.css")
	d, _ := HTML(mustURL("https://www.lab.test/"), strings.NewReader(
		`<body><h1 id=top class="hero big">Title</h1><ul><li>x</ul></body>`))
	sheet := `@charset "utf-8";
@import url("reset.css");
@import 'print.css' print;
@font-face { font-family: "Lab Sans"; src: url(a.eot) format("embedded-opentype"), url(a.woff2) format("woff2"); }
@font-face { font-family: Unused; src: url(u.woff2); }
h1.hero { font-family: "Lab Sans", serif; background: url(hero.png) }
.absent { background: url(absent.png) }
#top::before { content: ""; background-image: url('before.png') }
a:hover { background-image: url(hover.png) }
li { list-style: url(dot.png) }
@media print { h1 { background: url(print.png) } }
@media (min-width: 600px) { .big { border-image: url("wide.png") 30 } }
.hero { background-image: image-set("x1.png" 1x, "x2.png" 2x) }
@import "late.css";
`
	assertRefs(t, CSS(base, strings.NewReader(sheet), d),
		"stylesheet highest css blocking L2 https://www.lab.test/css/reset.css",
		"stylesheet highest css media=print L3 https://www.lab.test/css/print.css",
		"image low css L6 https://www.lab.test/css/hero.png",
		"image low css L8 https://www.lab.test/css/before.png",
		"image low css L10 https://www.lab.test/css/dot.png",
		"image low css L12 https://www.lab.test/css/wide.png",
		"image low css L13 https://www.lab.test/css/x1.png",
		"font highest css L4 https://www.lab.test/css/a.woff2",
	)
	// The same sheet under media=print: fetched, its @imports too, but
	// nothing else applies.
	assertRefs(t, CSSMedia(base, strings.NewReader(sheet), d, "print"),
		"stylesheet highest css blocking L2 https://www.lab.test/css/reset.css",
		"stylesheet highest css media=print L3 https://www.lab.test/css/print.css",
	)
}

func TestFontAcrossSheets(t *testing.T) {
	d, _ := HTML(mustURL("https://www.lab.test/"), strings.NewReader(`<p class=t>text</p>`))
	base := mustURL("https://www.lab.test/a.css")
	if refs := CSS(base, strings.NewReader(`@font-face{font-family:Later;src:url(l.woff2)}`), d); len(refs) != 0 {
		t.Errorf("a font no rule uses yet: %v", showAll(refs))
	}
	assertRefs(t, CSS(mustURL("https://www.lab.test/b/b.css"), strings.NewReader(`.t{font: 12px Later}`), d),
		"font highest css L1 https://www.lab.test/l.woff2")
	if refs := CSS(base, strings.NewReader(`.t{font-family:Later}`), d); len(refs) != 0 {
		t.Errorf("a font is returned once: %v", showAll(refs))
	}
}

func TestLinkHeader(t *testing.T) {
	base := mustURL("https://www.lab.test/page")
	v := `</a.css>; rel=preload; as=style, <https://cdn.lab.test/m.js>; rel="modulepreload",
 </i.png>; rel=preload; as=image; imagesrcset="i1.png 1x, i2.png 2x", </v.webm>; rel=preload; as=video,
 </p.png>; rel=preload; as=image; media=print, <https://cdn.lab.test>; rel=preconnect, </f.woff2>; rel="preload"; as="font"; type="font/woff2"; crossorigin`
	assertRefs(t, LinkHeader(base, v, InitEarlyHints),
		"stylesheet highest early-hints async L0 https://www.lab.test/a.css",
		"script high early-hints async L0 https://cdn.lab.test/m.js",
		"image low early-hints async L0 https://www.lab.test/i1.png",
		"font high early-hints async L0 https://www.lab.test/f.woff2",
	)
	pc := Preconnects(base, v)
	if len(pc) != 1 || pc[0].String() != "https://cdn.lab.test" {
		t.Errorf("preconnects %v", pc)
	}
}

func TestBounds(t *testing.T) {
	base := mustURL("https://www.lab.test/")
	d, _ := HTML(base, strings.NewReader(strings.Repeat(`<img src=a.png>`, 3*MaxRefs)))
	if len(d.Refs) != MaxRefs || !d.Truncated {
		t.Errorf("%d refs, truncated %v; want %d, true", len(d.Refs), d.Truncated, MaxRefs)
	}
	deep := strings.Repeat("<div>", 100000) + "<img src=deep.png>" + strings.Repeat("</div>", 100000)
	d, _ = HTML(base, strings.NewReader(deep))
	if len(d.Refs) != 1 {
		t.Errorf("deep nesting: %d refs", len(d.Refs))
	}
	if refs := CSS(base, strings.NewReader(strings.Repeat("a{background:url(x.png)}", 3*MaxRefs)), nil); len(refs) != MaxRefs {
		t.Errorf("CSS: %d refs, want %d", len(refs), MaxRefs)
	}
	if refs := CSS(base, strings.NewReader(strings.Repeat("@media all{", 100000)+"a{background:url(x.png)}"), nil); len(refs) != 1 {
		t.Errorf("deep @media: %d refs", len(refs))
	}
}

// TestSelectorWorkBounded: many rules against many elements none of them
// matches stays fast (the index and the work budget).
func TestSelectorWorkBounded(t *testing.T) {
	var doc strings.Builder
	for i := 0; i < 50000; i++ {
		if i%2 == 0 {
			doc.WriteString(`<p class=a>x</p>`)
		} else {
			doc.WriteString(`<p class=b>x</p>`)
		}
	}
	d, _ := HTML(mustURL("https://www.lab.test/"), strings.NewReader(doc.String()))
	sheet := strings.Repeat(".a.b{background:url(x.png)}", 50000)
	start := time.Now()
	refs := CSS(mustURL("https://www.lab.test/"), strings.NewReader(sheet), d)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %v", took)
	}
	if len(refs) > MaxRefs {
		t.Errorf("%d refs", len(refs))
	}
}
