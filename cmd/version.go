package cmd

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/trace"
)

// buildInfo is what the binary knows about its own build.
type buildInfo struct {
	module   string // the main module's version: v1.2.0, a pseudo-version, or "(devel)"
	revision string // the VCS commit, "" when the build was not stamped
	time     string // the commit's time, RFC 3339
	modified bool   // built from a tree with uncommitted changes
	goVer    string
}

// readBuildInfo reads the module version and the VCS stamp Go writes into
// every binary. A build with -buildvcs=false (CI sets it) or outside a
// checkout has no stamp: the revision is then unknown.
func readBuildInfo() buildInfo {
	b := buildInfo{module: "(devel)", goVer: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if v := info.Main.Version; v != "" {
		b.module = v
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.revision = s.Value
		case "vcs.time":
			b.time = s.Value
		case "vcs.modified":
			b.modified = s.Value == "true"
		}
	}
	return b
}

// short is the revision as git shows it: 12 hex digits.
func (b buildInfo) short() string {
	if len(b.revision) > 12 {
		return b.revision[:12]
	}
	return b.revision
}

// versionLine is --version's one line.
func versionLine() string {
	b := readBuildInfo()
	rev := "revision unknown"
	if b.revision != "" {
		rev = b.short()
		if b.modified {
			rev += ", modified"
		}
	}
	return fmt.Sprintf("reqtrace %s (%s; %s %s/%s)", trace.Version, rev, b.goVer, runtime.GOOS, runtime.GOARCH)
}

// writeVersion is `reqtrace version`: the one line, then each fact.
func writeVersion(w io.Writer) error {
	b := readBuildInfo()
	var sb strings.Builder
	fmt.Fprintln(&sb, versionLine())
	fmt.Fprintf(&sb, "  module    github.com/reqtrace/reqtrace %s\n", b.module)
	switch {
	case b.revision == "":
		fmt.Fprintln(&sb, "  revision  unknown (built without VCS stamping: -buildvcs=false, or not from a git checkout)")
	case b.modified:
		fmt.Fprintf(&sb, "  revision  %s (with uncommitted changes)\n", b.revision)
	default:
		fmt.Fprintf(&sb, "  revision  %s\n", b.revision)
	}
	if b.time != "" {
		fmt.Fprintf(&sb, "  committed %s\n", b.time)
	}
	fmt.Fprintf(&sb, "  go        %s %s/%s\n", b.goVer, runtime.GOOS, runtime.GOARCH)
	_, err := io.WriteString(w, sb.String())
	return err
}

func newCmdVersion(ios *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print reqtrace's version, the commit it was built from and the Go version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return writeVersion(ios.Out)
		},
	}
}
