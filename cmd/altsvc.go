package cmd

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/altsvc"
	"github.com/reqtrace/reqtrace/trace/curlargs"
)

// maxAltSvcFile caps what --alt-svc reads (altsvc.Parse also caps lines
// and entries).
const maxAltSvcFile = 4 << 20

// addH3Flags registers the HTTP/3 flags: discovery and the comparison.
func addH3Flags(c *cobra.Command, o *traceFlags) {
	c.Flags().BoolVar(&o.compare, "compare-protocols", false, "trace the URL over HTTP/1.1, HTTP/2 and HTTP/3 in turn, each on a new connection, and show the phases side by side (-n N: N rounds)")
	c.Flags().StringVar(&o.altSvc, "alt-svc", "", "`FILE` of Alt-Svc entries (curl's format) to read before and write after the trace: an origin that offered h3 is reached over HTTP/3 next time")
}

// loadAltSvc reads --alt-svc's file (a missing one is an empty cache, as
// for curl) and hands the engine its h3 alternatives.
func (f *traceFlags) loadAltSvc(o *trace.Options) error {
	if f.altSvc == "" {
		return nil
	}
	if f.altSvc == "-" {
		return trace.BadInput("--alt-svc - is not supported: the cache is read and written back; give a file name")
	}
	f.altSvcCache = &altsvc.Cache{}
	file, err := os.Open(f.altSvc)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return trace.BadInput("--alt-svc %s: %v", f.altSvc, curlargs.UnwrapPathErr(err))
	}
	defer file.Close()
	cache, err := altsvc.Parse(io.LimitReader(file, maxAltSvcFile), time.Now())
	if err != nil {
		return trace.BadInput("--alt-svc %s: %v", f.altSvc, curlargs.UnwrapPathErr(err))
	}
	f.altSvcCache = cache
	o.H3Alternative = func(host string, port int) (string, int, bool) {
		e, ok := cache.H3(host, port, time.Now())
		return e.DstHost, e.DstPort, ok
	}
	return nil
}

// saveAltSvc learns the Alt-Svc headers of every https:// response of the
// runs and writes the file back when that changed it.
func (f *traceFlags) saveAltSvc(rs []*trace.Result) error {
	c := f.altSvcCache
	if c == nil {
		return nil
	}
	now := time.Now()
	for _, r := range rs {
		for _, h := range r.Hops {
			u, err := trace.ParseURL(h.URL)
			if err != nil || u.Scheme != "https" || h.Response == nil {
				continue
			}
			var values []string
			for _, hd := range h.Response.Headers {
				if equalFoldASCII(hd.Name, "alt-svc") {
					values = append(values, hd.Value)
				}
			}
			c.Update(altsvc.SourceALPN(h.Response.Proto), u.Hostname(), trace.Port(u), values, now)
		}
	}
	if !c.Changed {
		return nil
	}
	return writeFile("--alt-svc", f.altSvc, 0o666, c.Write)
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
