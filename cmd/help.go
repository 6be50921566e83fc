package cmd

// This file shapes --help: the trace flags under curl's categories (as in
// curl --help category), and "did you mean" for a mistyped flag.

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// groupKey is the flag annotation that names a flag's --help heading.
const groupKey = "reqtrace_group"

// flagGroups are the headings, in order, and the flags under each.
var flagGroups = []struct {
	title string
	names []string
}{
	{"Request", []string{"request", "header", "data", "data-binary", "data-raw", "data-urlencode", "form", "user",
		"user-agent", "head", "get", "upload-file", "range", "oauth2-bearer", "cookie", "cookie-jar", "referer", "compressed", "revalidate"}},
	{"Where (DNS, connect, proxy)", []string{"resolve", "dns-servers", "connect-to", "unix-socket", "ipv4", "ipv6",
		"proxy", "proxy-user", "noproxy"}},
	{"TLS and HTTP", []string{"insecure", "cacert", "cert", "key", "tlsv1.0", "tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3",
		"tls-max", "no-sessionid", "http1.1", "http2", "http2-prior-knowledge", "http3", "http3-only", "alt-svc",
		"compare-protocols"}},
	{"Time", []string{"max-time", "connect-timeout", "retry", "retry-delay", "retry-max-time"}},
	{"Redirects and runs", []string{"location", "location-trusted", "max-redirs", "count", "interval", "fresh"}},
	{"Output", []string{"output", "remote-name", "include", "silent", "show-error", "fail", "verbose", "json",
		"write-out", "dump-header", "har", "show-secrets"}},
	{"Checks and telemetry", []string{"assert", "otlp", "traceparent"}},
}

// groupTraceFlags labels the trace flags of c with their heading.
func groupTraceFlags(c *cobra.Command) {
	for _, g := range flagGroups {
		for _, name := range g.names {
			if f := c.Flags().Lookup(name); f != nil {
				_ = c.Flags().SetAnnotation(name, groupKey, []string{g.title})
			}
		}
	}
}

// groupFlags labels every flag of c not yet in a group with title.
func groupFlags(c *cobra.Command, title string) {
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[groupKey]; !ok {
			_ = c.Flags().SetAnnotation(f.Name, groupKey, []string{title})
		}
	})
}

// usage is cobra's usage text with the local flags under their headings;
// flags without one (-h, a command's own) come last, as "Flags".
func usage(c *cobra.Command, width int) error {
	w := c.OutOrStderr()
	fmt.Fprint(w, "Usage:")
	if c.Runnable() {
		fmt.Fprintf(w, "\n  %s", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s [command]", c.CommandPath())
	}
	if c.HasExample() {
		fmt.Fprintf(w, "\n\nExamples:\n%s", c.Example)
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprint(w, "\n\nCommands:")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(w, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	titles, sets := groupedFlags(c.LocalFlags())
	for i, fs := range sets {
		fmt.Fprintf(w, "\n\n%s:\n", titles[i])
		io.WriteString(w, strings.TrimRight(fs.FlagUsagesWrapped(width), " \n"))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprint(w, "\n\nGlobal Flags:\n")
		io.WriteString(w, strings.TrimRight(c.InheritedFlags().FlagUsagesWrapped(width), " \n"))
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n\nUse \"%s [command] --help\" for more information about a command.", c.CommandPath())
	}
	fmt.Fprintln(w)
	return nil
}

// groupedFlags splits flags by heading: a command's own headings first
// (CORS), then flagGroups' order, then the flags with none, as "Flags".
func groupedFlags(flags *pflag.FlagSet) ([]string, []*pflag.FlagSet) {
	var titles, own []string // own: a command's own headings, shown first
	for _, g := range flagGroups {
		titles = append(titles, g.title+" flags")
	}
	byTitle := map[string]*pflag.FlagSet{}
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		title := "Flags"
		if t := f.Annotations[groupKey]; len(t) == 1 {
			title = t[0] + " flags"
		}
		if !slices.Contains(titles, title) && !slices.Contains(own, title) && title != "Flags" {
			own = append(own, title)
		}
		if byTitle[title] == nil {
			byTitle[title] = pflag.NewFlagSet(title, pflag.ContinueOnError)
			byTitle[title].SortFlags = false
		}
		byTitle[title].AddFlag(f)
	})
	var outTitles []string
	var sets []*pflag.FlagSet
	for _, t := range slices.Concat(own, titles, []string{"Flags"}) {
		if fs := byTitle[t]; fs != nil {
			outTitles, sets = append(outTitles, t), append(sets, fs)
		}
	}
	return outTitles, sets
}

// suggestFlag adds "did you mean --location?" to pflag's unknown-flag
// error when a flag of c is one or two edits away.
func suggestFlag(c *cobra.Command, msg string) string {
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return msg
	}
	best, bestD := "", 3
	visit := func(f *pflag.Flag) {
		if d := editDistance(name, f.Name); d < bestD || d == bestD && f.Name < best {
			best, bestD = f.Name, d
		}
	}
	c.Flags().VisitAll(visit)
	c.InheritedFlags().VisitAll(visit)
	if best == "" || bestD > max(1, min(2, len(name)/3)) {
		return msg
	}
	return msg + ": did you mean --" + best + "?"
}

// editDistance is the Levenshtein distance between a and b, in bytes:
// flag names are ASCII.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
