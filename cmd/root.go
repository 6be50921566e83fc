// Package cmd holds reqtrace's cobra commands. Commands are thin: they
// parse flags into trace.Options, call the engine and hand the Result to
// render. Nothing here touches the network.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
)

// IO is where a command reads and writes; tests swap in buffers.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and Width describe Out when it is a terminal; ErrTTY and
	// ErrWidth, ErrOut (the live progress line is drawn there).
	OutTTY   bool
	Width    int
	ErrTTY   bool
	ErrWidth int
	Getenv   func(string) string
	color    string // --color, the root's persistent flag
}

// SystemIO is the process's own standard streams.
func SystemIO() *IO {
	tty, width := terminal(os.Stdout)
	errTTY, errWidth := terminal(os.Stderr)
	return &IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, OutTTY: tty, Width: width,
		ErrTTY: errTTY, ErrWidth: errWidth, Getenv: os.Getenv}
}

// Main runs reqtrace with the process's arguments and returns the exit code.
func Main() (code int) {
	ios := SystemIO()
	defer func() {
		// Never a stack trace: a bug ends with one line and exit 1.
		if r := recover(); r != nil {
			fmt.Fprintf(ios.ErrOut, "reqtrace: internal error: %v (please report it)\n", r)
			code = exitInternalFailure
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, ios, os.Args[1:])
}

// Run executes one command line and returns its exit code; errors are
// printed once, here.
func Run(ctx context.Context, ios *IO, args []string) int {
	routeLibraryLog(ios, false)
	out := &outWriter{w: ios.Out}
	wrapped := *ios
	wrapped.Out = out
	ios = &wrapped
	root := NewCmdRoot(ios)
	started := false // a command's RunE was reached: flags and arguments were valid
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		// cobra checks flag groups after this hook: check them first, so
		// that every usage error is known as one.
		if err := c.ValidateRequiredFlags(); err != nil {
			return &usageError{err}
		}
		if err := c.ValidateFlagGroups(); err != nil {
			return &usageError{errors.New(plainGroupError(err))}
		}
		started = true
		return nil
	}
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	err := root.ExecuteContext(ctx)
	if err != nil && !started {
		err = &usageError{err} // cobra's own checks: flags, arguments, commands
	}
	if out.err != nil { // the output is lost, whatever else happened
		err = &writeError{"stdout", out.err}
	}
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if !errors.As(err, &ee) || ee.msg != "" {
		fmt.Fprintln(ios.ErrOut, errorLine(err))
	}
	return ExitCode(err)
}

// errorLine is the one-line message for err, with its hint on a second line.
func errorLine(err error) string {
	var te *trace.Error
	if errors.As(err, &te) {
		return render.ErrorLine(te)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.msg // already worded, "reqtrace: " included
	}
	return "reqtrace: " + render.Safe(err.Error())
}

// plainFlagError words pflag's parse errors without Go's internals:
// `invalid argument "abc" for "-m, --max-time" flag: strconv.ParseFloat:
// parsing "abc": invalid syntax` becomes `... flag: not a number`.
func plainFlagError(err error) string {
	msg := err.Error()
	head, tail, ok := strings.Cut(msg, " flag: strconv.")
	if !ok {
		return msg
	}
	switch {
	case strings.Contains(tail, "value out of range"):
		return head + " flag: the number is too large"
	case strings.HasPrefix(tail, "ParseBool"):
		return head + " flag: not true or false"
	}
	return head + " flag: not a number"
}

// plainGroupError words cobra's flag-group error: "if any flags in the
// group [ipv4 ipv6] are set none of the others can be; [ipv4 ipv6] were
// all set" becomes "--ipv4 and --ipv6 cannot be used together".
func plainGroupError(err error) string {
	msg := err.Error()
	_, set, ok := strings.Cut(msg, "; [")
	names, ok2 := strings.CutSuffix(set, "] were all set")
	if !ok || !ok2 {
		return msg
	}
	flags := strings.Fields(names)
	for i, f := range flags {
		flags[i] = "--" + f
	}
	return strings.Join(flags, " and ") + " cannot be used together: choose one"
}

// NewCmdRoot builds the command tree. `reqtrace URL` is `reqtrace trace URL`.
func NewCmdRoot(ios *IO) *cobra.Command {
	opts := &traceFlags{}
	root := &cobra.Command{
		Use:   "reqtrace [flags] <url>",
		Short: "Trace an HTTP request: every phase timed, every header explained",
		Long: `reqtrace makes one HTTP request/response cycle visible. It resolves DNS
itself, connects, times the TCP and TLS handshakes, sends the request and
prints where the time went, what the server said, and what it means.

'reqtrace <url>' is short for 'reqtrace trace <url>'. Run 'reqtrace demo'
for a tour that needs no network.`,
		Example: `  reqtrace https://example.com/
  reqtrace -v --http1.1 https://example.com/api -H 'Accept: application/json'
  reqtrace --json https://example.com/ | jq .hops[0].timings_ms
  reqtrace demo`,
		Version: trace.Version,
		Args: func(c *cobra.Command, args []string) error {
			// a mistyped command is not a URL: "reqtrace explian 404"
			if len(args) > 0 && !strings.ContainsAny(args[0], ".:/[") {
				if s := c.SuggestionsFor(args[0]); len(s) > 0 {
					return fmt.Errorf("unknown command %q: did you mean %q? (give a URL to trace it)", args[0], s[0])
				}
			}
			return cobra.MaximumNArgs(1)(c, args)
		},
		SilenceUsage:               true,
		SilenceErrors:              true,
		SuggestionsMinimumDistance: 2,
		ValidArgsFunction:          cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			opts.changed(c)
			return runTrace(c.Context(), ios, opts, args[0])
		},
	}
	root.SetVersionTemplate(versionLine() + "\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%s (see %s --help)", suggestFlag(c, plainFlagError(err)), c.CommandPath())
	})
	root.SetUsageFunc(func(c *cobra.Command) error { return usage(c, ios.Width) })
	addTraceFlags(root, opts)
	addColorFlag(root, ios)
	root.AddCommand(newCmdTrace(ios), newCmdExplain(ios), newCmdCors(ios), newCmdHAR(ios), newCmdJWT(ios), newCmdDemo(ios), newCmdVersion(ios), newCmdSchema(ios), newCmdProbe(ios), newCmdPage(ios))
	return root
}
