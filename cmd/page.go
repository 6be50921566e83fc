package cmd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/har"
	pagerender "github.com/reqtrace/reqtrace/render/page"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/curlargs"
	"github.com/reqtrace/reqtrace/trace/page"
)

// pageTraceFlags are the trace flags that mean the same for a page load:
// how to reach the servers and what every request carries.
var pageTraceFlags = []string{
	"header", "user-agent", "cookie", "compressed", "user",
	"insecure", "cacert", "cert", "key", "resolve", "dns-servers", "connect-to",
	"proxy", "proxy-user", "noproxy",
	"ipv4", "ipv6", "http1.1", "http2", "http3", "http3-only", "max-time", "connect-timeout",
	"silent", "show-error", "verbose", "show-secrets", "assert",
}

var pageUsage = map[string]string{
	"header":     "`HEADER` every request of the page carries, \"Name: value\" (repeatable)",
	"cookie":     "`COOKIES` to send to the page's own origin, \"name=value; n2=v2\"",
	"user":       "`USER:PASS` for the page's own origin (never sent to other origins)",
	"compressed": "ask for compressed bodies and decode them, as a browser does (--compressed=false for raw bytes)",
	"max-time":   "`SECONDS` each request of the page may take at most (default 60)",
	"assert":     "`EXPR` that must hold, or exit 4 (repeatable): 'page.load < 2s', 'page.requests <= 80', 'finding(\"uncompressed\") == 0', 'status == 200' (the document's)",
}

type pageFlags struct {
	maxRequests          int
	sameSite, repeatView bool
	json                 bool
	harFile, dir         string
}

func newCmdPage(ios *IO) *cobra.Command {
	tf, pf := &traceFlags{}, &pageFlags{}
	c := &cobra.Command{
		Use:   "page [flags] <url>",
		Short: "Trace a whole page load as a browser makes it: every subresource, on a waterfall",
		Long: `Page fetches the document, then the subresources a browser would fetch for
it, without running scripts: stylesheets, scripts, images (srcset as a 1x
viewport picks), fonts and backgrounds once the CSS arrives, @import,
media posters and sources, iframes (one level), Link: rel=preload headers
and 103 Early Hints. Every URL is fetched once, over connections shared as
Chrome shares them: at most 6 per HTTP/1.1 origin, one multiplexed HTTP/2
connection per origin, DNS once per host. Links to other pages are never
followed. Each request is traced and annotated as 'reqtrace trace' does.

--repeat-view loads the page a second time with the HTTP cache the first
load built (RFC 9111 freshness; stale entries are revalidated with their
ETag or Last-Modified), showing what a returning visitor pays.

Exit status: the document's, as 'reqtrace trace' gives it (curl's codes);
a failed subresource is reported but does not change it.`,
		Example: `  reqtrace page https://example.com/
  reqtrace page --repeat-view https://example.com/
  reqtrace page --same-site --max-requests 50 --har page.har https://example.com/
  reqtrace page --json https://example.com/ | jq .totals`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, args []string) error {
			tf.json = pf.json
			return runPage(c, ios, tf, pf, args[0])
		},
	}
	f := c.Flags()
	f.SortFlags = false
	f.IntVar(&pf.maxRequests, "max-requests", page.DefaultMaxRequests, "`N` requests at most, the document included")
	f.BoolVar(&pf.sameSite, "same-site", false, "fetch only subresources on the page's site (its registrable domain)")
	f.BoolVar(&pf.repeatView, "repeat-view", false, "load the page again with the cache the first load built")
	f.BoolVar(&pf.json, "json", false, "print one JSON document (schema reqtrace.page/v1) instead of text")
	f.StringVar(&pf.harFile, "har", "", "`FILE` to write the whole page load to as HAR 1.2 (one page, every entry)")
	f.StringVarP(&pf.dir, "output-dir", "o", "", "`DIR` to save every body in, as DIR/host/path")
	shareFlags(c, tf, pageTraceFlags, pageUsage, map[string]string{"compressed": "true"})
	c.MarkFlagsMutuallyExclusive("ipv4", "ipv6")
	c.MarkFlagsMutuallyExclusive("http1.1", "http2", "http3", "http3-only")
	groupFlags(c, "Page")
	return c
}

// runPage loads the page, renders it and exits with the document's code.
func runPage(c *cobra.Command, ios *IO, tf *traceFlags, pf *pageFlags, rawURL string) error {
	style, err := tf.style(ios)
	if err != nil {
		return err
	}
	if pf.maxRequests < 1 {
		return trace.BadInput("--max-requests %d: give at least 1 (the document)", pf.maxRequests)
	}
	checks, err := parsePageAsserts(tf.asserts)
	if err != nil {
		return err
	}
	opts, _, err := tf.toOptions(ios, rawURL)
	if err != nil {
		return err
	}
	po := &page.Options{Trace: *opts, MaxRequests: pf.maxRequests, SameSite: pf.sameSite, RepeatView: pf.repeatView}
	if pf.dir != "" {
		if po.SaveDir, err = saveDir(pf.dir); err != nil {
			return err
		}
	}
	routeLibraryLog(ios, tf.verbose && !tf.silent)
	res := page.Load(c.Context(), po)
	if err := renderPage(ios.Out, res, pf, tf, style); err != nil {
		return &writeError{"stdout", err}
	}
	if err := writePageHAR(pf.harFile, res, tf.showSecrets); err != nil {
		return err
	}
	if n := failedSubresources(res); n > 0 && !tf.silent && res.Err == nil {
		fmt.Fprintf(ios.ErrOut, "reqtrace: %d of %d subresources failed (the exit status is the document's)\n", n, len(res.Requests)-1)
	}
	if res.Err == nil {
		if err := checkPageAsserts(tf, checks, res); err != nil {
			return err
		}
	}
	return outcome(ios, tf, &trace.Result{Err: res.Err})
}

// saveDir makes -o DIR's directory; a file of that name is an error.
func saveDir(dir string) (string, error) {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return "", trace.BadInput("-o %s is a file: page saves every body, so give a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", &writeError{"-o " + dir, curlargs.UnwrapPathErr(err)}
	}
	return filepath.Abs(dir)
}

// failedSubresources counts the subresources that got no answer or an
// error status.
func failedSubresources(res *page.Result) int {
	n := 0
	if len(res.Requests) < 2 {
		return 0
	}
	for _, r := range res.Requests[1:] {
		if r.Trace == nil {
			continue
		}
		last := r.Trace.Hops[len(r.Trace.Hops)-1]
		if r.Trace.Err != nil || last.Response != nil && last.Response.Status >= 400 {
			n++
		}
	}
	return n
}

// renderPage writes the report (render/page), its secrets masked unless
// --show-secrets.
func renderPage(w io.Writer, res *page.Result, pf *pageFlags, tf *traceFlags, style render.Style) error {
	if !tf.showSecrets {
		res = redactedPage(res)
	}
	if pf.json {
		return pagerender.JSON(w, res)
	}
	return pagerender.Text(w, res, pagerender.Options{Color: style.Color, Width: style.Width, Verbose: style.Verbose})
}

// redactedPage is res with every request's trace redacted as trace's is.
func redactedPage(res *page.Result) *page.Result {
	if res == nil {
		return nil
	}
	out := *res
	out.Requests = slices.Clone(res.Requests)
	for i := range out.Requests {
		out.Requests[i].Trace = render.Redact(out.Requests[i].Trace)
	}
	out.Repeat = redactedPage(res.Repeat)
	return &out
}

// writePageHAR writes --har FILE: the whole first load as one HAR page.
func writePageHAR(name string, res *page.Result, showSecrets bool) error {
	return writeFile("--har", name, 0o666, func(w io.Writer) error {
		return pagerender.HAR(w, res, har.Options{ShowSecrets: showSecrets})
	})
}
