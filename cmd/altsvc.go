package cmd

import (
	"errors"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
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
	c.Flags().StringVar(&o.altSvc, "alt-svc", "", "`FILE` of Alt-Svc entries (curl's format), read before the trace, updated by each https:// response and written back after: an origin that offered h3 is reached over HTTP/3 from then on: on the next hop of -L or run of -n, and in later invocations")
}

// loadAltSvc reads --alt-svc's file (a missing one is an empty cache, as
// for curl), hands the engine its h3 alternatives and has it update the
// cache after every response, as curl's in-memory cache is: a later hop
// of -L or run of -n to an origin that offered h3 goes over HTTP/3.
func (f *traceFlags) loadAltSvc(o *trace.Options) error {
	if f.altSvc == "" {
		return nil
	}
	if f.altSvc == "-" {
		return trace.BadInput("--alt-svc - is not supported: the cache is read and written back; give a file name")
	}
	cache, err := readAltSvc(f.altSvc)
	if err != nil {
		return err
	}
	f.altSvcCache = cache
	c := &liveAltSvc{cache: cache}
	o.H3Alternative = c.h3
	o.OnResponse = c.learn
	return nil
}

func readAltSvc(name string) (*altsvc.Cache, error) {
	file, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return &altsvc.Cache{}, nil
	}
	if err != nil {
		return nil, trace.BadInput("--alt-svc %s: %v", name, curlargs.UnwrapPathErr(err))
	}
	defer file.Close()
	cache, err := altsvc.Parse(io.LimitReader(file, maxAltSvcFile), time.Now())
	if err != nil {
		return nil, trace.BadInput("--alt-svc %s: %v", name, curlargs.UnwrapPathErr(err))
	}
	return cache, nil
}

// liveAltSvc is the cache while the engine runs: it reads it at each
// hop and adds to it at each response, from its goroutines (a page load
// runs several at once).
type liveAltSvc struct {
	mu    sync.Mutex
	cache *altsvc.Cache
}

func (c *liveAltSvc) h3(host string, port int) (string, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.cache.H3(host, port, time.Now())
	return e.DstHost, e.DstPort, ok
}

// learn takes the Alt-Svc headers of an https:// response: curl ignores
// them on http://, as browsers do.
func (c *liveAltSvc) learn(u *url.URL, r *trace.Response) {
	if u.Scheme != "https" {
		return
	}
	var values []string
	for _, hd := range r.Headers {
		if equalFoldASCII(hd.Name, "alt-svc") {
			values = append(values, hd.Value)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cache.Update(altsvc.SourceALPN(r.Proto), strings.ToLower(u.Hostname()), trace.Port(u), values, time.Now())
}

// saveAltSvc writes the file back, once the engine is done, when the
// responses changed the cache.
func (f *traceFlags) saveAltSvc() error {
	c := f.altSvcCache
	if c == nil || !c.Changed {
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
