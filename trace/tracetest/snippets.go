package tracetest

// DifferencesPath is the page of discovery's deliberate differences from
// Chromium.
const DifferencesPath = "/site/s/differences.html"

// Snippet pages: one element kind each, so the Chromium judge rules on
// every discovery rule. Each names only assets under its own folder.
func init() {
	for path, body := range snippets {
		pages[path] = body
	}
	for path, css := range snippetCSS {
		stylesheets[path] = css
	}
}

var snippets = map[string]string{
	HintsPagePath: `<!doctype html><title>hints</title><p>Only the 103 names a preload.</p>
`,
	// DifferencesPath: where discovery deliberately differs from Chromium
	// (the README lists why); the judge checks each difference is still
	// there, on the side it is expected.
	DifferencesPath: `<!doctype html><head><title>differences</title>
<link rel="stylesheet" href="/site/s/diff/diff.css">
</head><body><p>text</p>
<div class="a">a</div><div class="b">b</div><div class="empty"></div>
<video><source src="/site/s/diff/first.webm" type="video/webm"><source src="/site/s/diff/fallback.webm" type="video/webm"></video>
<div style="height: 5000px"></div>
<img src="/site/s/diff/lazy-far.png" loading="lazy" alt="">
</body>
`,
	"/site/s/links.html": `<!doctype html><head><title>links</title>
<link rel="icon" href="/site/s/links/icon.png">
<link rel="manifest" href="/site/s/links/manifest.json">
<link rel="prefetch" href="/site/s/links/prefetch.js">
<link rel="alternate stylesheet" title="alt" href="/site/s/links/alternate.css">
<link rel="stylesheet" type="text/plain" href="/site/s/links/plain.css">
<link rel="stylesheet" href="/site/s/links/disabled.css" disabled>
<link rel="stylesheet" href="/site/s/links/ok.css">
<link rel="stylesheet" href="">
<link rel="preload" href="/site/s/links/video.webm" as="video">
<link rel="preload" href="/site/s/links/unknown.js" as="bogus">
<link rel="preload" href="/site/s/links/noas.js">
<link rel="preload" href="/site/s/links/script.js" as="script">
<link rel="preload" href="/site/s/links/style.css" as="style">
<link rel="preload" href="/site/s/links/fetch.json" as="fetch" crossorigin>
<link rel="preload" href="/site/s/links/img.png" as="image" imagesrcset="/site/s/links/img1x.png 1x, /site/s/links/img2x.png 2x">
<link rel="preload" href="/site/s/links/print.png" as="image" media="print">
<link rel="preload" href="/site/s/links/avif.png" as="image" type="image/x-unknown">
<link rel="modulepreload" href="/site/s/links/modpre.js">
<link rel="dns-prefetch" href="https://{cdn}">
</head><body><p>links</p></body>
`,
	"/site/s/scripts.html": `<!doctype html><head><title>scripts</title>
<script src="/site/s/scripts/classic.js"></script>
<script src="/site/s/scripts/nomodule.js" nomodule></script>
<script type="text/template" src="/site/s/scripts/template.js"></script>
<script type="text/javascript" src="/site/s/scripts/textjs.js"></script>
<script type="application/json" src="/site/s/scripts/json.js"></script>
<script type="module" async src="/site/s/scripts/modasync.js"></script>
<script type="module" src="/site/s/scripts/module.js"></script>
<script src="/site/s/scripts/defer.js" defer></script>
<script src="/site/s/scripts/async.js" async></script>
<script src=""></script>
</head><body><p>body</p>
<script src="/site/s/scripts/body.js"></script>
<img src="/site/s/scripts/img.png" alt="">
<script src="/site/s/scripts/late.js"></script>
</body>
`,
	"/site/s/media.html": `<!doctype html><title>media</title><p>media</p>
<video poster="/site/s/media/poster.png" src="/site/s/media/none.webm" preload="none"></video>
<video>
<source src="/site/s/media/unknown.xyz" type="video/x-unknown">
<source src="/site/s/media/v.webm" type="video/webm">
</video>
<audio src="/site/s/media/a.mp3"></audio>
<audio src="/site/s/media/a-none.mp3" preload="none"></audio>
`,
	"/site/s/misc.html": `<!doctype html><title>misc</title>
<body background="/site/s/misc/body-bg.png">
<p>misc</p>
<input type="image" src="/site/s/misc/input.png" alt="go">
<input type="text" src="/site/s/misc/not-image.png">
<svg width="20" height="20"><image href="/site/s/misc/svg.png" width="20" height="20"/></svg>
<table background="/site/s/misc/table-bg.png"><tr><td>cell</td></tr></table>
<iframe srcdoc="<p>inline</p>" src="/site/s/misc/ignored.html"></iframe>
<img src="data:image/png;base64,iVBORw0KGgo=" alt="">
<img src="" alt="">
<img src="  /site/s/misc/trimmed.png  " alt="">
<img src="/site/s/misc/tab
ne	wline.png" alt="">
<img src="/site/s/misc/sp ace.png" alt="">
<img src="\site\s\misc\backslash.png" alt="">
<img src="/site/s/misc/frag.png#part" alt="">
<img src="/site/s/misc/enc&amp;oded.png?a=1&amp;b=2" alt="">
</body>
`,
	"/site/s/base.html": `<!doctype html><head><title>base</title>
<link rel="stylesheet" href="before-base.css">
<base href="/site/s/base/sub/">
<link rel="stylesheet" href="after-base.css">
</head><body><p>base</p><img src="img.png" alt=""><img src="../up.png" alt=""></body>
`,
	"/site/s/styles.html": `<!doctype html><head><title>styles</title>
<style>
@import "/site/s/styles/imported.css";
.box { background-image: url("/site/s/styles/box.png"); }
.absent { background-image: url("/site/s/styles/absent.png"); }
#hero { background: url(/site/s/styles/hero.png) }
div.card > span.label { background: url(/site/s/styles/label.png) }
.box::before { content: ""; background: url(/site/s/styles/before.png) }
.set { background-image: image-set("/site/s/styles/set1.png" 1x, "/site/s/styles/set2.png" 2x); }
@media (max-width: 100px) { .box { background: url(/site/s/styles/narrow.png) } }
@media screen and (min-width: 500px) { @supports (display: grid) { .box { border-image-source: url(/site/s/styles/nested.png) } } }
</style>
<link rel="stylesheet" href="/site/s/styles/sheet.css">
</head><body>
<div class="box">box</div>
<div id="hero">hero</div>
<div class="card"><span class="label">label</span></div>
<div class="set">set</div>
<div style="background-image: url('/site/s/styles/attr.png')">attr</div>
<span style="color: red; background: url(/site/s/styles/attr2.png) no-repeat">attr2</span>
</body>
`,
}

var snippetCSS = map[string]string{
	"/site/s/diff/diff.css": `.a { background: url(/site/s/diff/overridden.png) }
.a { background: url(/site/s/diff/winner.png) }
.nope .b { background: url(/site/s/diff/wrong-ancestor.png) }
@font-face { font-family: Empty; src: url(/site/s/diff/empty.woff2) format("woff2"); }
.empty { font-family: Empty }
`,
	"/site/s/links/ok.css":        "p { color: blue }\n",
	"/site/s/styles/imported.css": "p { color: green }\n",
	"/site/s/styles/sheet.css": `.late { color: red }
@import url(/site/s/styles/too-late.css);
@font-face { font-family: Quoted; src: url(/site/s/styles/nofmt.woff2); }
@font-face { font-family: Svg; src: url(/site/s/styles/f.svg) format("svg"), url(/site/s/styles/f.woff) format("woff"); }
@font-face { font-family: Never; src: url(/site/s/styles/never.woff2); }
.box { font-family: Quoted, serif; }
#hero { font: italic bold 12px/30px Svg, serif; }
`,
}
