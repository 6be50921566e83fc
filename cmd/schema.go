package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/render/schema"
	"github.com/reqtrace/reqtrace/trace"
)

func newCmdSchema(ios *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "schema [name]",
		Short: "Print the JSON Schema of a --json document (trace, series, compare, cors, explain, explain-list, jwt, page)",
		Long: `Schema prints the JSON Schema (draft 2020-12) of one of reqtrace's JSON
documents, as kept in the repository (render/schema); without a name it
lists them. trace is 'trace --json', series 'trace -n N --json', compare
'trace --compare-protocols --json'.`,
		Example: `  reqtrace schema trace > trace.schema.json
  reqtrace schema`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return schema.Names(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				_, err := ios.Out.Write([]byte(strings.Join(schema.Names(), "\n") + "\n"))
				return err
			}
			b, ok := schema.Get(args[0])
			if !ok {
				return trace.BadInput("no schema %q: want one of %s", args[0], strings.Join(schema.Names(), ", "))
			}
			_, err := ios.Out.Write(b)
			return err
		},
	}
}
