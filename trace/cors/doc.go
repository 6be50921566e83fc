// Package cors tells what a browser does with a cross-origin request, why,
// and how to fix it. It models fetch(URL, {method, headers, body, mode:
// "cors", credentials}) made by a page at an origin the way Chromium or
// Firefox does (checked against Chromium 156 and Firefox ESR 153 by the
// browser tests in this directory), same-origin requests included:
//
//   - request.go, forbidden.go: fetch()'s normalisation (the six method
//     names, forbidden headers dropped, repeated headers combined);
//   - safelist.go, preflight.go: whether a preflight is sent, with every
//     reason, and the preflight exactly as the browser sends it;
//   - check.go, evaluate.go, messages.go: the CORS check and the preflight's
//     checks in Chromium's order, with its console texts;
//   - fixes.go, diagnose.go: the header line that fixes each problem and
//     its usual cause;
//   - readable.go, warnings.go, space.go: the response headers script can
//     read, what does not block today (Vary, Max-Age, Local Network Access,
//     browser differences);
//   - run.go: the evaluation, sending requests with trace.Do (mixed
//     content and Local Network Access block before anything is sent);
//   - engine.go: the engines, the second engine's evaluation from the
//     first one's responses, and the browser-difference warning;
//   - weburl.go: the URL standard's parser, for the URL argument and
//     every Location;
//   - redirect.go: the actual request's redirects, followed hop by hop
//     (network errors first, the CORS check on each, Origin: null after
//     another origin, a new preflight where the browser sends one, the
//     20-redirect limit);
//   - scan.go, scan_probes.go: --scan, the probes of Corsy and CORScanner.
//
// Everything a server sends is untrusted: it is parsed defensively here
// and made safe for terminals by package render.
package cors
