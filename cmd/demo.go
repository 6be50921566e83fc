package cmd

import (
	"fmt"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/compare"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// demoStop is one stop of the tour: a lab URL and what it shows.
type demoStop struct {
	title      string
	scheme     string
	host       string
	path       string
	revalidate bool
	http       string // Options.HTTP: "3" for --http3
	compare    bool   // --compare-protocols
}

// The tour: every phase takes visible time, and one failure is explained.
var demoTour = []demoStop{
	{"a slow API over HTTPS: 30 ms DNS, 40 ms TLS, 120 ms server think time",
		"https", "dnsdelay-30.tlsdelay-40.api.lab.test", "/wait/120", false, "", false},
	{"the same API over HTTP/3: one QUIC handshake (UDP) stands for TCP's and TLS's",
		"https", "dnsdelay-30.tlsdelay-40.api.lab.test", "/wait/120", false, "3", false},
	{"HTTP/1.1, HTTP/2 and HTTP/3 side by side, each on a new connection with a full handshake",
		"https", "www.lab.test", "/bytes/20000", false, "", true},
	{"plain HTTP through a CNAME chain, with a body that drips for 80 ms",
		"http", "chain.lab.test", "/drip?bytes=20000&ms=80", false, "", false},
	{"an HTML page: what its caching, cookies and security headers mean (and a 304 revalidation)",
		"https", "www.lab.test", "/page", true, "", false},
	{"a certificate that expired: what failed, and how to fix it",
		"https", "expired.lab.test", "/", false, "", false},
}

func newCmdDemo(ios *IO) *cobra.Command {
	var verbose bool
	c := &cobra.Command{
		Use:   "demo",
		Short: "Trace a few URLs of a built-in lab (no network needed)",
		Long: `Demo starts an in-process lab on 127.0.0.1 -- a DNS server for lab.test,
HTTP and HTTPS servers and their own certificate authority, with injected
delays -- and traces a few of its URLs, so that every phase shows real time
and one failure is explained. It needs no network and always exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			style, err := (&traceFlags{verbose: verbose}).style(ios)
			if err != nil {
				return err
			}
			return runDemo(c, ios, style)
		},
	}
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "also show request headers, the certificate chain and DNS queries")
	return c
}

func runDemo(c *cobra.Command, ios *IO, style render.Style) error {
	lab, err := tracetest.Start()
	if err != nil {
		return &exitError{code: ExitFailure, msg: "reqtrace: cannot start the demo lab: " + err.Error()}
	}
	defer lab.Close()
	title := color.New(color.Bold)
	if style.Color {
		title.EnableColor()
	} else {
		title.DisableColor()
	}
	for i, stop := range demoTour {
		u, err := trace.ParseURL(lab.URL(stop.scheme, stop.host, stop.path))
		if err != nil {
			return err
		}
		opts := LabOptions(lab)
		opts.URL, opts.Revalidate, opts.HTTP = u, stop.revalidate, stop.http
		fmt.Fprintf(ios.Out, "%s\n", title.Sprintf("── demo %d/%d: %s", i+1, len(demoTour)+1, stop.title))
		fmt.Fprintf(ios.Out, "   $ reqtrace %s%s\n\n", stop.flag(), u)
		if err := demoTrace(c, ios, opts, stop.compare, style); err != nil {
			return err
		}
		fmt.Fprintln(ios.Out)
	}
	if err := demoPage(c, ios, lab, title, style); err != nil {
		return err
	}
	fmt.Fprintln(ios.Out, "Every phase above is real: the lab's DNS server, TLS handshakes and server delays ran on 127.0.0.1.")
	fmt.Fprintln(ios.Out, "Try it on your own URL: reqtrace https://example.com/   (and reqtrace --help)")
	return nil
}

// flag is the stop's command-line flag, as the user would type it.
func (s demoStop) flag() string {
	switch {
	case s.revalidate:
		return "--revalidate "
	case s.compare:
		return "--compare-protocols "
	case s.http == "3":
		return "--http3 "
	}
	return ""
}

// demoTrace runs one stop: a trace, or the protocol comparison.
func demoTrace(c *cobra.Command, ios *IO, opts *trace.Options, comparing bool, style render.Style) error {
	if comparing {
		cmp := trace.Compare(c.Context(), opts, trace.CompareOptions{OnRun: func(_ string, _ int, r *trace.Result) { annotated(r) }})
		return compare.Text(ios.Out, cmp, style)
	}
	return render.Text(ios.Out, render.Redact(traced(c.Context(), opts)), style)
}

// LabOptions returns engine options that use the lab's DNS server, hosts
// file and certificate authority instead of the system's.
func LabOptions(lab *tracetest.Lab) *trace.Options {
	return &trace.Options{
		DNSServers: []string{lab.DNSAddr},
		ResolvConf: lab.ResolvConf,
		HostsFile:  lab.HostsFile,
		CACert:     lab.CAPEM,
	}
}

// demoPage loads a lab page as a browser would, after the tour's traces.
func demoPage(c *cobra.Command, ios *IO, lab *tracetest.Lab, title *color.Color, style render.Style) error {
	u, err := trace.ParseURL(lab.PageURL(tracetest.PagePath))
	if err != nil {
		return err
	}
	opts := LabOptions(lab)
	opts.URL, opts.Compressed = u, true
	fmt.Fprintf(ios.Out, "%s\n", title.Sprintf("── demo %d/%d: a whole page load, every subresource as a browser fetches it", len(demoTour)+1, len(demoTour)+1))
	fmt.Fprintf(ios.Out, "   $ reqtrace page %s\n\n", u)
	res := page.Load(c.Context(), &page.Options{Trace: *opts})
	if err := renderPage(ios.Out, res, &pageFlags{}, &traceFlags{}, style); err != nil {
		return err
	}
	fmt.Fprintln(ios.Out)
	return nil
}
