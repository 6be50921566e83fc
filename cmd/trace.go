package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/har"
	"github.com/reqtrace/reqtrace/render/writeout"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/assert"
	"github.com/reqtrace/reqtrace/trace/curlargs"
)

func newCmdTrace(ios *IO) *cobra.Command {
	opts := &traceFlags{}
	c := &cobra.Command{
		Use:   "trace [flags] <url>",
		Short: "Trace one HTTP request, phase by phase (the default command)",
		Long: `Trace resolves the URL's host with its own DNS client, connects (racing
IPv6 and IPv4 as browsers do), performs the TLS handshake, sends the
request and reads the response, timing every phase. It prints a waterfall,
the response's status and headers, the TLS and DNS facts, and what it all
means. Flags follow curl's names and meanings.`,
		Example: `  reqtrace trace https://example.com/
  reqtrace trace -X POST -d @body.json -H 'Content-Type: application/json' https://example.com/api
  reqtrace trace --resolve example.com:443:127.0.0.1 -k https://example.com/
  reqtrace trace --dns-servers 9.9.9.9 -4 --json https://example.com/`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, args []string) error {
			opts.changed(c)
			return runTrace(c.Context(), ios, opts, args[0])
		},
	}
	addTraceFlags(c, opts)
	return c
}

// changed records the flags whose presence means something even with an
// empty value (-b ” turns the cookie engine on, -w ” prints nothing).
func (f *traceFlags) changed(c *cobra.Command) {
	f.req.CookieSet = c.Flags().Changed("cookie")
	f.writeOutSet = c.Flags().Changed("write-out")
}

// runTrace checks the flags, runs the engine and renders the result. It
// knows nothing of cobra: tests call it with flags filled in.
func runTrace(ctx context.Context, ios *IO, f *traceFlags, rawURL string) error {
	style, err := f.style(ios)
	if err != nil {
		return err
	}
	checks, err := parseAsserts(f.asserts)
	if err != nil {
		return err
	}
	if err := f.checkCompare(); err != nil {
		return err
	}
	opts, closeOut, err := f.toOptions(ios, rawURL)
	if err != nil {
		return err
	}
	routeLibraryLog(ios, f.verbose && !f.silent)
	sp, err := f.traceContext(ios, opts)
	if err != nil {
		return err
	}
	defer sp.close(ios, f.silent)
	if w := opts.RetryWarning(); w != "" && !f.silent {
		fmt.Fprintln(ios.ErrOut, "reqtrace: warning: "+w)
	}
	if ios.ErrTTY && !f.silent && ios.Getenv("TERM") != "dumb" {
		m := startMeter(ios.ErrOut, ios.ErrWidth)
		defer m.stop()
		opts.Progress = m.on
		closeOut = stopFirst(m, closeOut)
	}
	if f.compare {
		return runCompare(ctx, ios, f, opts, style, sp)
	}
	if f.count > 1 {
		return runSeries(ctx, ios, f, opts, style, closeOut, checks, sp)
	}
	res := traced(ctx, opts)
	sp.export(res)
	if cerr := closeOut(f.exitOf(res) == ExitOK); cerr != nil && res.Err == nil { // curl -f leaves no -o file for an error status
		res.Err = &trace.Error{Phase: trace.PhaseReceive, Kind: trace.KindWrite, Message: "writing " + f.output + " failed: " + cerr.Error()}
	}
	if err := f.report(ios, res, style); err != nil {
		return err
	}
	if err := f.writeFiles([]*trace.Result{res}); err != nil {
		return err
	}
	if res.Err != nil {
		return outcome(ios, f, res)
	}
	if err := checkAsserts(ios, f, checks, []*trace.Result{res}); err != nil {
		return err
	}
	return outcome(ios, f, res)
}

// stopFirst erases the progress line when the transfer ends, before the
// report or any message is printed: closeOut is the first thing called
// after the engine returns.
func stopFirst(m *meter, closeOut func(bool) error) func(bool) error {
	return func(ok bool) error {
		m.stop()
		return closeOut(ok)
	}
}

// writeFiles writes what goes to files besides the body: --har FILE,
// -c FILE and -D FILE.
func (f *traceFlags) writeFiles(rs []*trace.Result) error {
	err := writeFile("--har", f.harFile, 0o666, func(w io.Writer) error {
		return har.Write(w, f.redacted(rs), har.Options{ShowSecrets: f.showSecrets})
	})
	if err != nil {
		return err
	}
	if f.cookieJar != "" && len(rs) > 0 {
		// the cookies are credentials: only the user may read the file
		err = writeFile("-c", f.cookieJar, 0o600, func(w io.Writer) error { return render.CookieJar(w, rs[len(rs)-1].Cookies) })
		if err != nil {
			return err
		}
	}
	if err := f.saveAltSvc(); err != nil {
		return err
	}
	shown := f.redacted(rs)
	err = writeFile("-D", f.dumpHeader, 0o666, func(w io.Writer) error { return render.DumpHeaders(w, shown...) })
	if err != nil || !f.req.Head || f.output == "" || len(rs) == 0 || rs[len(rs)-1].Err != nil {
		return err
	}
	// curl -I writes the head it received where the body would go.
	return writeFile("-o", f.output, 0o666, func(w io.Writer) error { return render.DumpHeaders(w, shown[len(shown)-1]) })
}

// redacted is rs with the secrets hidden, unless --show-secrets.
func (f *traceFlags) redacted(rs []*trace.Result) []*trace.Result {
	if f.showSecrets {
		return rs
	}
	shown := make([]*trace.Result, len(rs))
	for i, r := range rs {
		shown[i] = render.Redact(r)
	}
	return shown
}

// writeFile creates name ("" for none) with perm (before the umask) and
// fills it with write; a failure is curl's exit 23.
func writeFile(flag, name string, perm os.FileMode, write func(io.Writer) error) error {
	if name == "" {
		return nil
	}
	file, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err == nil {
		err = write(file)
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return &writeError{flag + " " + name, curlargs.UnwrapPathErr(err)}
	}
	return nil
}

// report writes one trace: JSON, the -w format, or the text report.
func (f *traceFlags) report(ios *IO, res *trace.Result, style render.Style) error {
	var err error
	shown := res
	if !f.showSecrets {
		shown = render.Redact(res)
	}
	switch {
	case f.json:
		err = render.JSON(ios.Out, shown)
	case f.writeOutSet:
		err = writeout.Write(ios.Out, ios.ErrOut, f.writeOut, shown, f.exitOf(res),
			writeout.Options{Output: writeout.OpenFile, ShowSecrets: f.showSecrets, Filename: f.output})
	default:
		err = render.Text(ios.Out, shown, style)
	}
	if err != nil {
		return &writeError{"stdout", err}
	}
	return nil
}

// exitOf is the exit code a finished trace earns.
func (f *traceFlags) exitOf(res *trace.Result) int {
	if res.Err != nil {
		return ExitCode(res.Err)
	}
	if n := len(res.Hops); f.fail && n > 0 && res.Hops[n-1].Response != nil && res.Hops[n-1].Response.Status >= 400 {
		return ExitHTTPError
	}
	return ExitOK
}

// runSeries runs the request -n times and reports each run and the
// statistics; Ctrl-C ends it early and still reports what ran.
func runSeries(ctx context.Context, ios *IO, f *traceFlags, opts *trace.Options, style render.Style, closeOut func(bool) error, checks []*assert.Check, sp *spans) error {
	interval, err := curlargs.Seconds("--interval", f.interval)
	if err != nil {
		return err
	}
	ser := repeated(ctx, opts, trace.RepeatOptions{Count: f.count, Interval: interval, Fresh: f.fresh})
	for _, r := range ser.Runs {
		sp.export(r)
	}
	_ = closeOut(slices.ContainsFunc(ser.Runs, func(r *trace.Result) bool { return r.Err == nil }))
	if !f.showSecrets {
		for i, r := range ser.Runs {
			ser.Runs[i] = render.Redact(r)
		}
	}
	switch {
	case f.json:
		err = render.SeriesJSON(ios.Out, ser)
	case f.writeOutSet: // curl writes -w once per transfer
		for _, r := range ser.Runs {
			if err = f.report(ios, r, style); err != nil {
				return err
			}
		}
	default:
		err = render.SeriesText(ios.Out, ser, style)
	}
	if err != nil {
		return &writeError{"stdout", err}
	}
	if err := f.writeFiles(ser.Runs); err != nil {
		return err
	}
	if ser.Interrupted {
		return &exitError{code: ExitInterrupted, msg: fmt.Sprintf("reqtrace: interrupted after %d of %d runs", len(ser.Runs), f.count)}
	}
	// Any failed run fails the series, with the last failure's code.
	if r := lastFailed(ser.Runs); r != nil {
		return outcome(ios, f, r)
	}
	if err := checkAsserts(ios, f, checks, ser.Runs); err != nil {
		return err
	}
	return outcome(ios, f, ser.Runs[len(ser.Runs)-1])
}

// outcome turns the result into the exit status. The report already holds
// the error; stderr repeats it in one line unless a person reads the text
// report on a terminal right above it.
func outcome(ios *IO, f *traceFlags, res *trace.Result) error {
	quiet := f.silent && !f.showError
	if res.Err != nil {
		if quiet || !f.json && ios.OutTTY {
			return &exitError{code: ExitCode(res.Err)}
		}
		return res.Err
	}
	if f.exitOf(res) == ExitHTTPError {
		st := res.Hops[len(res.Hops)-1].Response.Status
		if quiet {
			return &exitError{code: ExitHTTPError}
		}
		return &exitError{code: ExitHTTPError, msg: fmt.Sprintf("reqtrace: the server answered %d (--fail)", st)}
	}
	return nil
}
