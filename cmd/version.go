package cmd

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/trace"
)

func versionLine() string {
	return fmt.Sprintf("reqtrace %s (%s %s/%s)", trace.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newCmdVersion(ios *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print reqtrace's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(ios.Out, versionLine())
			return err
		},
	}
}
