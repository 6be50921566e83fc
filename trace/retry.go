package trace

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Retry records one attempt that failed transiently and was retried.
type Retry struct {
	Attempt int           // 1 for the first request
	Reason  string        // "HTTP 503", "timeout during waiting for ..."
	Wait    time.Duration // the pause before the next attempt
	Err     *Error        // the failure, when it was not an HTTP status
	Status  int           // the HTTP status, when it was one
}

// maxRetryWait caps the backoff and a server's Retry-After.
const maxRetryWait = 10 * time.Minute

// retryable says whether a finished attempt failed in a way curl's --retry
// retries: a timeout (a QUIC handshake's too: curl's exit 28 is its
// CURLE_OPERATION_TIMEDOUT), or HTTP 408, 429, 500, 502, 503 or 504.
func retryable(r *Result) (string, bool) {
	if r.Err != nil {
		switch r.Err.Kind {
		case KindTimeout, KindConnectTimeout, KindDNSTimeout, KindQUICTimeout:
			return r.Err.Message, true
		}
		return "", false
	}
	if n := len(r.Hops); n > 0 && r.Hops[n-1].Response != nil {
		switch st := r.Hops[n-1].Response.Status; st {
		case 408, 429, 500, 502, 503, 504:
			return "HTTP " + strconv.Itoa(st), true
		}
	}
	return "", false
}

// idempotent reports whether a method may be repeated safely (RFC 9110
// section 9.2.2); --retry never repeats the others.
func idempotent(method string) bool {
	switch method {
	case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// retryWait is how long to wait before attempt n+1: the server's
// Retry-After if it sent one, else --retry-delay, else 1 s doubling.
func retryWait(o *Options, r *Result, attempt int) time.Duration {
	if n := len(r.Hops); n > 0 && r.Hops[n-1].Response != nil {
		if ra := headerValue(r.Hops[n-1].Response.Headers, "Retry-After"); ra != "" {
			if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
				return min(time.Duration(secs)*time.Second, maxRetryWait)
			}
			if t, err := time.Parse(time.RFC1123, ra); err == nil {
				return min(max(time.Until(t), 0), maxRetryWait)
			}
		}
	}
	if o.RetryDelay > 0 {
		return o.RetryDelay
	}
	return min(time.Second<<min(attempt-1, 10), maxRetryWait)
}

// withRetries runs attempt until it succeeds, fails for good, or --retry
// attempts are used up, recording each retried failure in the last result.
func withRetries(ctx context.Context, o *Options, attempt func() *Result) *Result {
	start := time.Now()
	var retries []Retry
	for n := 1; ; n++ {
		r := attempt()
		reason, again := retryable(r)
		if !again || n > o.Retry || !idempotent(o.method()) || ctx.Err() != nil {
			r.Retries = retries
			return r
		}
		wait := retryWait(o, r, n)
		if o.RetryMaxTime > 0 && time.Since(start)+wait > o.RetryMaxTime {
			r.Retries = retries
			return r
		}
		rt := Retry{Attempt: n, Reason: reason, Wait: wait, Err: r.Err}
		if r.Err == nil {
			rt.Status = r.Hops[len(r.Hops)-1].Response.Status
		}
		retries = append(retries, rt)
		if !sleep(ctx, wait) {
			r.Retries = retries
			return r
		}
	}
}

// RetryWarning explains why --retry will not repeat this request, or "".
func (o *Options) RetryWarning() string {
	if o.Retry > 0 && !idempotent(o.method()) {
		return fmt.Sprintf("--retry does not repeat %s: it is not idempotent", o.method())
	}
	return ""
}
