package corslab

// PageHTML is the origin page. runFetch(spec) calls fetch() with the
// spec's URL and init, from the page itself or, with spec.sandbox, from a
// sandboxed iframe (whose origin is opaque: it sends Origin: null), and
// resolves to {ok, status, headers, error}: headers are the names script
// can read. With a plan set (batch.go) the page runs it when loaded.
const PageHTML = `<!doctype html>
<meta charset="utf-8">
<title>reqtrace CORS lab</title>
<script>
const fetchAndReport = ` + fetchJS + `;
` + runFetchJS + `
` + batchJS + `
</script>
<body></body>
`

// fetchJS runs one fetch() and describes the outcome.
const fetchJS = `async function (spec) {
  const init = {method: spec.method, headers: spec.headers, mode: "cors", credentials: spec.credentials};
  if (spec.body !== null) init.body = spec.body;
  try {
    const r = await fetch(spec.url, init);
    await r.text();
    return {ok: true, status: r.status, headers: [...r.headers.keys()], error: ""};
  } catch (e) {
    return {ok: false, status: 0, headers: [], error: String(e)};
  }
}`

// runFetchJS runs one spec from the page or a sandboxed iframe.
const runFetchJS = `function runFetch(spec) {
  if (!spec.sandbox) return fetchAndReport(spec);
  return new Promise(resolve => {
    const frame = document.createElement("iframe");
    frame.sandbox = "allow-scripts";
    const id = Math.random().toString(36).slice(2);
    window.addEventListener("message", function onMessage(ev) {
      if (!ev.data || ev.data.id !== id) return;
      window.removeEventListener("message", onMessage);
      frame.remove();
      resolve(ev.data.result);
    });
    frame.srcdoc = "<script>const fetchAndReport = " + fetchAndReport.toString() + ";" +
      "fetchAndReport(" + JSON.stringify(spec) + ").then(r => parent.postMessage({id: " + JSON.stringify(id) + ", result: r}, '*'));<\/script>";
    document.body.appendChild(frame);
  });
}`
