package page

import (
	"context"

	"github.com/reqtrace/reqtrace/trace"
)

// fetcher sends one request (and its redirects) over connections it
// shares between calls: trace.Pool, which keeps six HTTP/1.1 connections
// and one HTTP/2 connection per origin and resolves each host once.
// Tests may stand another in.
type fetcher interface {
	Do(ctx context.Context, o *trace.Options) *trace.Result
	Close()
}

// newFetcher opens the pool one page load shares.
var newFetcher = func(o *trace.Options) (fetcher, error) {
	return trace.NewPool(o)
}
