// record.mjs records testdata/chromium.har: headless Chromium loads a small
// page from servers started here, on 127.0.0.1, and chrome-har (the HAR
// builder of sitespeed.io's browsertime) turns the DevTools protocol events
// into a HAR 1.2 log. chrome-har leaves out requests that failed (the
// unresolvable image); testdata/devtools.har, written by hand in the layout
// of Chrome DevTools' "Export HAR", covers those.
//
//	npm install --prefix /tmp/harrec chrome-har chrome-remote-interface
//	HAR_RECORDER_DIR=/tmp/harrec node trace/har/testdata/record/record.mjs > trace/har/testdata/chromium.har
//
// CHROMIUM names the browser binary (default: chromium). TestRecordChromium
// in ../../har_test.go runs this script when both are at hand.
//
// The page (http://www.har.test:PORT/) pulls in a stylesheet, a script, a
// cross-origin script over HTTPS (h2, TLS), an image behind a 301, a 404,
// an image from a host that does not resolve, and a POST fetch() whose
// answer carries Server-Timing and Set-Cookie. Host names are mapped to
// 127.0.0.1 with --host-resolver-rules, so nothing leaves the machine.
import http from 'node:http';
import http2 from 'node:http2';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

if (!process.env.HAR_RECORDER_DIR) {
  console.error('record.mjs: set HAR_RECORDER_DIR to the folder npm installed chrome-har and chrome-remote-interface into');
  process.exit(2);
}
const require = createRequire(join(process.env.HAR_RECORDER_DIR, 'node_modules', 'record.js'));
const CDP = require('chrome-remote-interface');
const { harFromMessages } = await import(require.resolve('chrome-har'));

const sleep = ms => new Promise(r => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'harrec-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
  '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
  '-subj', '/CN=cdn.har.test', '-addext', 'subjectAltName=DNS:cdn.har.test'], { stdio: 'ignore' });

let httpsPort;
const page = () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>reqtrace HAR sample</title>
<link rel="stylesheet" href="/style.css">
<script src="/app.js" defer></script>
<script src="https://cdn.har.test:${httpsPort}/lib.js" defer></script>
</head><body><h1>reqtrace HAR sample</h1>
<img src="/old-logo.png" alt="logo"><img src="http://nx.har.test/pixel.gif" alt="">
<script src="/missing.js"></script>
</body></html>
`;
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const plain = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  switch (url.pathname) {
    case '/':
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Set-Cookie': 'sid=s3cr3t; Path=/; HttpOnly; SameSite=Lax', 'Cache-Control': 'no-cache' });
      return res.end(page());
    case '/style.css':
      res.writeHead(200, { 'Content-Type': 'text/css', 'Cache-Control': 'public, max-age=3600' });
      return res.end('body { font-family: sans-serif; }\nh1 { color: #345; }\n');
    case '/app.js':
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      return res.end(`fetch('/api/data?v=1&lang=en', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({hello: 'world'})})
  .then(r => r.json()).then(j => { document.title += ' ' + j.ok; });
`);
    case '/old-logo.png':
      res.writeHead(301, { Location: '/logo.png', 'Content-Length': '0' });
      return res.end();
    case '/logo.png':
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
      return res.end(png);
    case '/api/data': {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => setTimeout(() => {
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Server-Timing': 'db;dur=53.2;desc="Postgres", app;dur=21.7, cache;desc="miss"',
          'Set-Cookie': 'csrf=t0k3n; Path=/api; Secure; SameSite=Strict',
        });
        res.end(JSON.stringify({ ok: true, got: body.length }));
      }, 80));
      return;
    }
    default:
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('404 page not found\n');
  }
});
await new Promise(r => plain.listen(0, '127.0.0.1', r));
const httpPort = plain.address().port;

const secure = http2.createSecureServer({
  key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), allowHTTP1: true,
}, (req, res) => {
  res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*', 'cache-control': 'max-age=86400' });
  res.end('window.lib = {version: "1.0.0"};\n');
});
await new Promise(r => secure.listen(0, '127.0.0.1', r));
httpsPort = secure.address().port;

const chrome = spawn(process.env.CHROMIUM || 'chromium', [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--no-first-run', '--ignore-certificate-errors', `--user-data-dir=${join(dir, 'profile')}`,
  '--host-resolver-rules=MAP nx.har.test ~NOTFOUND, MAP *.har.test 127.0.0.1',
  '--remote-debugging-port=0', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'] });
const port = await new Promise((resolve, reject) => {
  let err = '';
  chrome.stderr.on('data', d => {
    err += d;
    const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err);
    if (m) resolve(Number(m[1]));
  });
  chrome.on('exit', c => reject(new Error('chromium exited ' + c + ': ' + err)));
});

const client = await CDP({ port });
const product = (await CDP.Version({ port })).Browser || "Chromium/unknown";
const events = [];
const { Page, Network } = client;
const wanted = ['Page.', 'Network.'];
client.on('event', m => { if (wanted.some(p => m.method.startsWith(p))) events.push({ method: m.method, params: m.params }); });
await Network.enable();
await Network.setCacheDisabled({ cacheDisabled: true });
await Page.enable();
await Page.navigate({ url: `http://www.har.test:${httpPort}/` });
await Page.loadEventFired();
await sleep(500); // let the fetch() finish
const exited = new Promise(r => chrome.once('exit', r));
await client.Browser.close().catch(() => chrome.kill());
await Promise.race([exited, sleep(5000)]);
chrome.kill('SIGKILL');
plain.close();
secure.close();
try {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
} catch {
  // a browser helper may still hold the profile; the temp dir can stay
}

const har = harFromMessages(events, { includeTextFromResponseBody: false });
har.log.creator.comment = 'recorded from Chromium by trace/har/testdata/record/record.mjs';
const [name, version] = product.split('/'); // "HeadlessChrome/156.0.8078.108"
har.log.browser = { name, version };
process.stdout.write(JSON.stringify(har, null, 2) + '\n');
process.exit(0);
