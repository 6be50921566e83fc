package cmd

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/curlargs"
	"github.com/reqtrace/reqtrace/trace/har"
)

func newCmdHAR(ios *IO) *cobra.Command {
	f := &traceFlags{}
	c := &cobra.Command{
		Use:   "har <file.har>",
		Short: "Show a HAR file (e.g. from a browser's network panel) with reqtrace's waterfall and notes",
		Long: `Har reads a HAR 1.2 file -- exported from a browser's network panel, from
reqtrace --har, or from other tools -- and shows every entry the way a
trace is shown: the phases on a time axis, the headers in order, and what
they mean. "-" reads the file from stdin.`,
		Example: `  reqtrace har session.har
  reqtrace har --json session.har | jq '.hops[].timings_ms'`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			style, err := f.style(ios)
			if err != nil {
				return err
			}
			in := ios.In
			if args[0] != "-" {
				file, err := os.Open(args[0])
				if err != nil {
					return trace.BadInput("cannot read %s: %v", args[0], curlargs.UnwrapPathErr(err))
				}
				defer file.Close()
				in = file
			}
			results, err := fromHAR(in)
			var big *har.TooLargeError
			switch {
			case errors.As(err, &big):
				return trace.BadInput("har %s: %s is larger than %s, the most reqtrace reads: split the HAR, or export fewer requests", args[0], big.What, curlargs.SizeText(big.Limit))
			case err != nil:
				return trace.BadInput("%s is not a HAR file reqtrace can read: %v", args[0], err)
			}
			return f.reportAll(ios, results, style)
		},
	}
	fl := c.Flags()
	fl.BoolVar(&f.json, "json", false, "print the entries as reqtrace.trace/v1 documents (one per page, in a JSON array when there are several)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "also the request headers and more detail")
	fl.BoolVar(&f.showSecrets, "show-secrets", false, "show Authorization and cookie values (hidden by default)")
	return c
}

// harPreview is how much of each body `reqtrace har` keeps: what a trace
// keeps without -i (the text report shows none; --json's body_preview
// this much).
const harPreview = 1 << 10

// reportAll shows several results: text one after another, or JSON as one
// document (an array when there is more than one).
func (f *traceFlags) reportAll(ios *IO, rs []*trace.Result, style render.Style) error {
	if !f.showSecrets {
		for i, r := range rs {
			rs[i] = render.Redact(r)
		}
	}
	if f.json {
		if len(rs) == 1 {
			return render.JSON(ios.Out, rs[0])
		}
		return render.JSONList(ios.Out, rs)
	}
	for i, r := range rs {
		if i > 0 {
			ios.Out.Write([]byte("\n"))
		}
		if err := render.Text(ios.Out, r, style); err != nil {
			return err
		}
	}
	return nil
}
