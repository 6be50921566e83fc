package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render/explain"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/knowledge"
)

func newCmdExplain(ios *IO) *cobra.Command {
	var jsonOut, verbose, list bool
	c := &cobra.Command{
		Use:   "explain <topic> | --list [kind]",
		Short: "Explain a status code, status class, header or method (offline)",
		Long: `Explain prints what a status code, a status class, a header or a method
means, who sends it and when, how to fix the problem it signals, and the
spec that defines it. Topics are case-insensitive; everything is built in,
so it works offline.`,
		Example: `  reqtrace explain 404
  reqtrace explain 4xx
  reqtrace explain cache-control
  reqtrace explain PATCH --json
  reqtrace explain --list header`,
		Args: func(c *cobra.Command, args []string) error {
			if list {
				return cobra.MaximumNArgs(1)(c, args)
			}
			return cobra.ExactArgs(1)(c, args)
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return knowledge.Topics(""), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			style, err := (&traceFlags{verbose: verbose}).style(ios)
			if err != nil {
				return err
			}
			if list {
				kind := "all"
				if len(args) == 1 {
					kind = strings.ToLower(args[0])
				}
				return explainList(ios, kind, jsonOut)
			}
			t, ok := knowledge.Find(args[0])
			if !ok {
				return unknownTopic(args[0])
			}
			if jsonOut {
				return explain.JSON(ios.Out, t)
			}
			return explain.Text(ios.Out, t, style)
		},
	}
	f := c.Flags()
	f.BoolVar(&jsonOut, "json", false, "print one JSON document (schema reqtrace.explain/v1)")
	f.BoolVar(&list, "list", false, "list the topics, or those of one kind: --list [status|class|header|method]")
	f.BoolVarP(&verbose, "verbose", "v", false, "show everything known, e.g. every directive in full")
	return c
}

func explainList(ios *IO, kind string, jsonOut bool) error {
	switch kind {
	case "all":
		kind = ""
	case knowledge.TopicStatus, knowledge.TopicClass, knowledge.TopicHeader, knowledge.TopicMethod:
	default:
		return trace.BadInput("explain --list %q: want status, class, header or method", kind)
	}
	if jsonOut {
		return explain.ListJSON(ios.Out, kind)
	}
	return explain.List(ios.Out, kind)
}

// unknownTopic names the closest topics, so a typo costs one more try.
func unknownTopic(topic string) error {
	msg := fmt.Sprintf("no topic %q: try a status code (404), a class (4xx), a header (cache-control) or a method (PATCH)", topic)
	if near := knowledge.Closest(topic, 3); len(near) > 0 {
		msg = fmt.Sprintf("no topic %q: did you mean %s? (reqtrace explain --list shows all)", topic, strings.Join(near, ", "))
	}
	return trace.BadInput("%s", msg)
}
