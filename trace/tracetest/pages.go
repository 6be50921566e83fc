package tracetest

// pages are the lab's HTML pages by path; {www}, {cdn} and {h1} become
// host:port. No page has a script that adds requests.
var pages = map[string]string{
	PagePath: `<!doctype html>
<html><head>
<meta charset="utf-8"><title>reqtrace lab page</title>
<link rel="preconnect" href="https://{cdn}">
<link rel="stylesheet" href="/site/css/main.css">
<link rel="stylesheet" href="/site/css/hint.css">
<link rel="stylesheet" href="https://{cdn}/site/css/cdn.css?cache=immutable">
<link rel="stylesheet" href="/site/css/print.css" media="print">
<link rel="preload" href="/site/font/preloaded.woff2" as="font" type="font/woff2" crossorigin>
<script src="/site/js/head.js?ms=40"></script>
<script src="https://{cdn}/site/js/lib.js?cache=immutable"></script>
<script src="/site/js/defer.js" defer></script>
<script src="/site/js/async.js?cache=no-store" async></script>
<script type="module" src="/site/js/module.js"></script>
<script src="/site/js/old.js?to=/site/js/moved.js"></script>
</head>
<body>
<h1 class="title">The reqtrace lab page</h1>
<div class="hero">Every subresource here is one a browser fetches.</div>
<img src="/site/img/preload.png?w=64&h=64" width="64" height="64" alt="">
<img src="/site/img/missing.png?status=404" width="10" height="10" alt="">
<img src="/site/img/big.png?w=1600&h=1200&cache=short" width="160" height="120" alt="oversize">
<img src="/site/img/logo.png?w=120&h=40&cache=immutable" width="120" height="40" alt="">
<img src="/site/img/slow.png?ms=150" width="16" height="16" alt="">
<img src="https://{cdn}/site/img/c1.png?cache=immutable" alt="">
<img src="https://{cdn}/site/img/c2.png?cache=immutable" alt="">
<img src="https://{cdn}/site/img/c3.png?cache=immutable" alt="">
<img src="https://{cdn}/site/img/c4.png?cache=immutable&ms=50" alt="">
<img src="https://{cdn}/site/img/c5.png?cache=immutable" alt="">
<img src="https://{cdn}/site/img/c6.png?cache=immutable" alt="">
<img src="https://{cdn}/site/img/c7.png?cache=immutable" alt="">
<img src="https://{cdn}/site/img/c8.png?cache=immutable" alt="">
<img src="https://{h1}/site/img/h1.png?ms=80" alt="">
<img src="https://{h1}/site/img/h2.png?ms=80" alt="">
<img src="https://{h1}/site/img/h3.png?ms=80" alt="">
<img src="https://{h1}/site/img/h4.png?ms=80" alt="">
<img src="https://{h1}/site/img/h5.png?ms=80" alt="">
<img src="https://{h1}/site/img/h6.png?ms=80" alt="">
<img src="https://{h1}/site/img/h7.png?ms=80" alt="">
<img src="https://{h1}/site/img/h8.png?ms=80" alt="">
<img src="https://{h1}/site/img/h9.png?ms=80" alt="">
<img src="https://{h1}/site/img/h10.png?ms=80" alt="">
<script src="https://{h1}/site/js/h1.js?cache=none"></script>
<p class="note">Text in the web font, and a list:</p>
<ul><li>one</li><li>two</li></ul>
<noscript><img src="/site/img/noscript.png" alt=""></noscript>
<template><img src="/site/img/template.png" alt=""></template>
</body></html>
`,
	IframePagePath: `<!doctype html><title>iframe</title>
<p>An iframe, one level deep:</p>
<iframe src="/site/frame.html" width="300" height="150"></iframe>
`,
	"/site/frame.html": `<!doctype html><title>frame</title>
<link rel="stylesheet" href="/site/css/frame.css">
<p class="framed">inside the frame</p>
<img src="/site/img/framed.png" alt="">
`,
	SrcsetPagePath: `<!doctype html><title>srcset</title>
<p>srcset candidates:</p>
<img src="/site/img/x-fallback.png" srcset="/site/img/x1.png 1x, /site/img/x2.png 2x" alt="">
<img srcset="/site/img/w320.png 320w, /site/img/w640.png 640w, /site/img/w1280.png 1280w" sizes="(max-width: 600px) 320px, 50vw" alt="">
<img srcset="/site/img/w400.png 400w, /site/img/w800.png 800w, /site/img/w1600.png 1600w" alt="">
<img src="/site/img/only2x-fallback.png" srcset="/site/img/only2x.png 2x" alt="">
<img srcset="/site/img/half.png 0.5x, /site/img/onehalf.png 1.5x" alt="">
`,
	PicturePagePath: `<!doctype html><title>picture</title>
<p>picture sources:</p>
<picture>
<source type="image/x-unknown" srcset="/site/img/p-unknown.png">
<source media="(min-width: 2000px)" srcset="/site/img/p-wide.png">
<source media="(min-width: 600px)" srcset="/site/img/p-mid.png 1x, /site/img/p-mid2.png 2x">
<img src="/site/img/p-fallback.png" alt="">
</picture>
<picture>
<source type="image/webp" srcset="/site/img/p2.webp.png">
<img src="/site/img/p2-fallback.png" alt="">
</picture>
`,
	LazyPagePath: `<!doctype html><title>lazy</title>
<p>A lazy image in the viewport is fetched:</p>
<img src="/site/img/lazy-top.png" loading="lazy" width="16" height="16" alt="">
`,
}

// stylesheets are the lab's CSS by path.
var stylesheets = map[string]string{
	"/site/css/main.css": `@charset "utf-8";
@import url("/site/css/reset.css");
@import "/site/css/print-only.css" print;
@font-face { font-family: "Lab Sans"; src: url(/site/font/labsans.eot) format("embedded-opentype"), url(/site/font/labsans.woff2) format("woff2"); }
@font-face { font-family: "Unused Face"; src: url(/site/font/unused.woff2) format("woff2"); }
body { font-family: "Lab Sans", sans-serif; }
.hero { background-image: url(/site/img/hero.png?w=400&h=100); }
.nowhere { background: url(/site/img/unused-bg.png); }
@media print { .hero { background-image: url(/site/img/print-bg.png); } }
@media (min-width: 600px) { .title { background: url('/site/img/wide-bg.png') no-repeat; } }
a:hover { background-image: url(/site/img/hover.png); }
ul li { list-style-image: url(/site/img/bullet.png); }
`,
	"/site/css/reset.css":      "* { margin: 0 } h1 { font-family: 'Lab Heading'; }\n@font-face { font-family: 'Lab Heading'; src: local('Nope'), url(\"/site/font/heading.woff2\") format('woff2'); }\n",
	"/site/css/print-only.css": "body { color: black }\n",
	"/site/css/hint.css":       ".note { background: url(/site/img/note-bg.png) }\n",
	"/site/css/print.css":      "body { background: url(/site/img/print-page.png) }\n",
	"/site/css/cdn.css":        ".hero { border-image: url(https://{cdn}/site/img/border.png?cache=immutable) 30 round; }\n",
	"/site/css/frame.css":      ".framed { background: url(/site/img/frame-bg.png) }\n",
}
