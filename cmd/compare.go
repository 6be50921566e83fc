package cmd

import (
	"context"
	"fmt"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/compare"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/curlargs"
)

// checkCompare refuses the flags --compare-protocols cannot honour: one
// report of three protocols has no single body, head or -w line, and
// the protocol flags would contradict it (cobra already refuses those
// given together with it).
func (f *traceFlags) checkCompare() error {
	if !f.compare {
		return nil
	}
	for _, c := range []struct {
		set  bool
		flag string
	}{
		{f.writeOutSet, "-w"}, {len(f.asserts) > 0, "--assert"}, {f.output != "" || f.remoteName, "-o/-O"},
		{f.dumpHeader != "", "-D"}, {f.req.Revalidate, "--revalidate"}, {f.req.UnixSocket != "", "--unix-socket"},
	} {
		if c.set {
			return trace.BadInput("%s cannot be used with --compare-protocols: it compares three traces; run one protocol with --http1.1, --http2 or --http3-only for it", c.flag)
		}
	}
	return nil
}

// runCompare traces the URL over each protocol, -n rounds, and reports
// them side by side. The exit status is the first failed protocol's, so a
// script sees that the comparison is incomplete.
func runCompare(ctx context.Context, ios *IO, f *traceFlags, opts *trace.Options, style render.Style, sp *spans) error {
	if opts.URL.Scheme != "https" {
		return trace.BadInput("--compare-protocols needs an https:// URL: HTTP/2 and HTTP/3 as browsers speak them run over TLS")
	}
	if px, _ := opts.Proxy.For(opts.URL); px != nil {
		return trace.BadInput("--compare-protocols cannot go through a proxy: QUIC (HTTP/3) runs over UDP, which -x and the proxy environment do not carry; add --noproxy '*'")
	}
	interval, err := curlargs.Seconds("--interval", f.interval)
	if err != nil {
		return err
	}
	c := trace.Compare(ctx, opts, trace.CompareOptions{Rounds: f.count, Interval: interval,
		OnRun: func(_ string, _ int, r *trace.Result) { annotated(r); sp.export(r) }})
	var all []*trace.Result
	shown := *c // the report's copy, with secrets hidden; the files redact their own
	shown.Protocols = make([]trace.ProtocolRuns, len(c.Protocols))
	for i, p := range c.Protocols {
		all = append(all, p.Runs...)
		shown.Protocols[i] = p
		shown.Protocols[i].Runs = f.redacted(p.Runs)
	}
	if f.json {
		err = compare.JSON(ios.Out, &shown)
	} else {
		err = compare.Text(ios.Out, &shown, style)
	}
	if err != nil {
		return &writeError{"stdout", err}
	}
	if err := f.writeFiles(all); err != nil {
		return err
	}
	if c.Interrupted {
		return &exitError{code: ExitInterrupted, msg: fmt.Sprintf("reqtrace: interrupted after %d of %d rounds", c.Rounds, max(f.count, 1))}
	}
	for i := range c.Protocols {
		if r := lastFailed(c.Protocols[i].Runs); r != nil {
			return outcome(ios, f, r)
		}
	}
	return outcome(ios, f, c.Protocols[len(c.Protocols)-1].Runs[c.Rounds-1])
}

// lastFailed is the last run of runs that failed, nil if none did.
func lastFailed(runs []*trace.Result) *trace.Result {
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].Err != nil {
			return runs[i]
		}
	}
	return nil
}
