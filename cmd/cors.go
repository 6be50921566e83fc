package cmd

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/corsreport"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/cors"
)

// corsFlags are the flags of `cors` besides the trace flags it shares.
type corsFlags struct {
	origin, browser           string
	credentials, actual, scan bool
	json                      bool
	maxRedirsSet              bool // --max-redirs given: the run stops there
}

// sharedTraceFlags are the trace flags that mean the same for cors: the
// request script makes (-X, -H, -d, -F) and how to reach the server.
var sharedTraceFlags = []string{
	"request", "header", "data", "data-binary", "data-raw", "form", "user", "head",
	"insecure", "cacert", "cert", "key", "resolve", "dns-servers", "connect-to",
	"proxy", "proxy-user", "noproxy",
	"ipv4", "ipv6", "http1.1", "http2", "max-time", "connect-timeout",
	"location", "max-redirs", "output", "fail",
	"user-agent", "verbose", "show-secrets",
}

// corsUsage rewords the shared flags whose meaning shifts under cors.
var corsUsage = map[string]string{
	"request":    "`METHOD` script passes to fetch() (default GET, or POST with -d)",
	"header":     "`HEADER` script sets, \"Name: value\" (repeatable; forbidden ones are dropped as the browser does)",
	"data":       "`DATA` as a string body (fetch labels it text/plain;charset=UTF-8); @file reads a file, @- stdin",
	"verbose":    "show every response header and, with --scan, every probe",
	"user":       "`USER:PASS` script sends as an Authorization: Basic header (fetch() refuses them in the URL)",
	"head":       "the method is HEAD (as -X HEAD)",
	"location":   "accepted for curl's sake: the browser always follows redirects (fetch's redirect: \"follow\"), checking each",
	"max-redirs": "`N` redirects to follow at most (the browser's limit); below 20 the run ends there with exit 47 and no verdict",
	"output":     "`FILE` to save the actual response's body in, even when the browser hides it from script (not the preflight's, not a redirect's)",
	"fail":       "exit 22 when the browser blocks the request or the response script gets has a status >= 400",
}

func newCmdCors(ios *IO) *cobra.Command {
	tf, cf := &traceFlags{}, &corsFlags{}
	c := &cobra.Command{
		Use:   "cors <url> --origin <origin>",
		Short: "Tell what a browser does with a cross-origin request, why, and how to fix it",
		Long: `Cors evaluates fetch(URL, {method, headers, body, mode: "cors", credentials})
made by a page at ORIGIN the way Chromium (or, with --browser firefox,
Firefox) does: whether a preflight is sent
and why, the preflight exactly as the browser sends it, each check the
browser applies (with its console message), the verdict, the response
headers script can read, and the header lines that fix it.

The preflight is sent when the browser would send one. The actual request
is sent when its method is GET or HEAD, or with --actual: an unsafe method
is never sent by default. Its redirects are followed as the browser
follows them, checking CORS on every hop (Origin: null after a hop to
another origin, a new preflight where one is due, at most 20). A
same-origin URL is fetched too: CORS applies from the first redirect that
leaves the origin. The URL and -H values are parsed as fetch() parses them.
Where Chromium and Firefox differ, a browser-difference warning says what
each does.

-d is a string body (fetch labels it text/plain;charset=UTF-8 unless
-H Content-Type says otherwise); -H Cookie stands for the browser's
cookies and is sent only with --credentials.

Exit status: 0 when the evaluation ran, allowed or blocked (the verdict is
in the output); with -f, 22 when blocked or the status script gets is 400
or more; 2 for bad input; curl's codes when the network failed (47 when
--max-redirs cut the chain).`,
		Example: `  reqtrace cors https://api.example.com/items --origin https://app.example.com
  reqtrace cors https://api.example.com/items --origin https://app.example.com -X PUT -H 'Content-Type: application/json' --actual -d '{}'
  reqtrace cors https://api.example.com/me --origin https://app.example.com --credentials -H 'Cookie: session=…'
  reqtrace cors https://api.example.com/ --origin https://app.example.com --scan --json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, args []string) error {
			tf.json = cf.json
			cf.maxRedirsSet = c.Flags().Changed("max-redirs")
			return runCors(c.Context(), ios, tf, cf, args[0])
		},
	}
	f := c.Flags()
	f.SortFlags = false
	f.StringVar(&cf.origin, "origin", "", "`ORIGIN` of the page making the request: scheme://host[:port], or null (required)")
	f.BoolVar(&cf.credentials, "credentials", false, "the request is made with credentials: \"include\" (cookies, HTTP auth)")
	f.BoolVar(&cf.actual, "actual", false, "also send the actual request when its method is not GET or HEAD (it may change data)")
	f.StringVar(&cf.browser, "browser", cors.Chromium, "`ENGINE` to answer as where browsers differ: chromium or firefox (the other is evaluated too, and differences are warned about)")
	f.BoolVar(&cf.scan, "scan", false, "also probe the server with the origins of CORS misconfiguration scanners")
	f.BoolVar(&cf.json, "json", false, "print one JSON document (schema reqtrace.cors/v1) instead of text")
	shareTraceFlags(c, tf)
	groupFlags(c, "CORS") // --origin and the others of its own
	return c
}

// shareTraceFlags adds the trace flags cors shares, as addTraceFlags
// defines them, so names, help and parsing stay the same.
func shareTraceFlags(c *cobra.Command, tf *traceFlags) {
	shareFlags(c, tf, sharedTraceFlags, corsUsage, map[string]string{"max-redirs": "20"}) // fetch's limit, not curl's -L default
	c.MarkFlagsMutuallyExclusive("data", "form")
}

// shareFlags adds the named trace flags to c, as addTraceFlags defines
// them, with usage reworded and defaults changed where the maps say.
func shareFlags(c *cobra.Command, tf *traceFlags, names []string, usage, defaults map[string]string) {
	all := &cobra.Command{}
	addTraceFlags(all, tf)
	for _, name := range names {
		if fl := all.Flags().Lookup(name); fl != nil {
			if u, ok := usage[name]; ok {
				fl.Usage = u // the flag is this command's own copy
			}
			if d, ok := defaults[name]; ok {
				_ = fl.Value.Set(d)
				fl.DefValue = d
			}
			c.Flags().AddFlag(fl)
		}
	}
	c.Flags().VisitAll(func(fl *pflag.Flag) {
		if fn, ok := all.GetFlagCompletionFunc(fl.Name); ok {
			_ = c.RegisterFlagCompletionFunc(fl.Name, fn)
		}
	})
	c.MarkFlagsMutuallyExclusive("ipv4", "ipv6")
	c.MarkFlagsMutuallyExclusive("http1.1", "http2")
}

// runCors evaluates the request, renders the report and turns a network
// failure into curl's exit code. A blocked verdict is a result, not a
// failure: it exits 0. It knows nothing of cobra.
func runCors(ctx context.Context, ios *IO, tf *traceFlags, cf *corsFlags, rawURL string) error {
	style, err := tf.style(ios)
	if err != nil {
		return err
	}
	if strings.TrimSpace(cf.origin) == "" {
		return trace.BadInput("--origin is required: give the origin of the page that makes the request, e.g. --origin https://app.example.com")
	}
	browser, err := cors.ParseBrowser(cf.browser)
	if err != nil {
		return err
	}
	// The URL and the headers are what script passes to fetch(): parsed
	// with fetch()'s rules, not curl's.
	u, err := cors.ParseFetchURL(rawURL)
	if err != nil {
		return err
	}
	var headers []trace.HeaderEdit
	for _, h := range tf.req.Headers {
		e, err := cors.ParseFetchHeader(h)
		if err != nil {
			return err
		}
		headers = append(headers, e)
	}
	saved := tf.req.Headers
	tf.req.Headers = nil
	opts, closeOut, err := tf.toOptions(ios, u.String())
	tf.req.Headers = saved
	if err != nil {
		return err
	}
	opts.URL = u
	cfg := cors.Config{URL: opts.URL, Origin: cf.origin, Method: tf.req.Method, Headers: headers, Browser: browser,
		Body: opts.Body, Credentials: cf.credentials, Actual: cf.actual, Net: *opts,
		Output: opts.Output, OutputName: opts.OutputName}
	if cfg.Method == "" && tf.req.Head {
		cfg.Method = "HEAD"
	}
	if opts.User != nil { // what script would send for these credentials
		pass, _ := opts.User.Password()
		cfg.Headers = append(cfg.Headers, trace.HeaderEdit{Name: "Authorization",
			Value: "Basic " + base64.StdEncoding.EncodeToString([]byte(opts.User.Username()+":"+pass))})
	}
	if cf.maxRedirsSet {
		cfg.MaxRedirects = &tf.req.MaxRedirs
	}
	if strings.HasPrefix(opts.ContentType, "multipart/form-data") {
		cfg.BodyType = opts.ContentType // -F: a FormData body
	}
	rep, err := cors.Run(ctx, cfg)
	if err != nil {
		_ = closeOut(false)
		return err
	}
	got := rep.Err == nil && rep.Actual.Hop != nil && rep.Actual.Hop.Response != nil
	if cerr := closeOut(got); cerr != nil && rep.Err == nil {
		rep.Err = &trace.Error{Phase: trace.PhaseReceive, Kind: trace.KindWrite, Message: "writing " + tf.output + " failed: " + cerr.Error()}
	}
	if cf.scan && !rep.SameOrigin {
		scan, serr := cors.RunScan(ctx, cfg, trace.Do)
		rep.Scan = scan
		if serr != nil && rep.Err == nil {
			rep.Err = serr
		}
	}
	if !tf.showSecrets {
		rep = render.RedactCORS(rep)
	}
	if cf.json {
		err = corsreport.JSON(ios.Out, rep)
	} else {
		err = corsreport.Text(ios.Out, rep, style)
	}
	if err != nil {
		return &writeError{"stdout", err}
	}
	if rep.Err == nil && tf.fail {
		return corsFail(rep)
	}
	return outcome(ios, tf, &trace.Result{Err: rep.Err})
}

// corsFail is -f for cors: exit 22 when script cannot read the response,
// or can but its status is an error, as curl -f fails on >= 400.
func corsFail(rep *cors.Report) error {
	if rep.Verdict == cors.Blocked {
		return &exitError{code: ExitHTTPError, msg: "reqtrace: the browser blocks this request (--fail)"}
	}
	if h := rep.Actual.Hop; h != nil && h.Response != nil && h.Response.Status >= 400 {
		return &exitError{code: ExitHTTPError, msg: fmt.Sprintf("reqtrace: the server answered %d (--fail)", h.Response.Status)}
	}
	return nil
}
