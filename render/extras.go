package render

import (
	"strconv"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// retries lists the attempts --retry repeated before the one shown.
func (pr *printer) retries() {
	rs := pr.res.Retries
	if len(rs) == 0 {
		return
	}
	pr.title("Retries", plural(len(rs), "attempt")+" repeated before this one")
	rows := make([][]string, len(rs))
	for i, r := range rs {
		rows[i] = []string{strconv.Itoa(r.Attempt), Safe(r.Reason), fmtDur(r.Wait)}
	}
	pr.table(indent, []column{{head: "#", right: true}, {head: "FAILED WITH", fill: true}, {head: "WAITED", right: true}}, rows, nil)
}

// revalidation shows the conditional request --revalidate sent: the
// validators, the answer, its time and size against the full response.
func (pr *printer) revalidation() {
	rv := pr.res.Revalidation
	if rv == nil {
		return
	}
	summary := []string{}
	if rv.Response != nil {
		summary = append(summary, pr.p.statusBold(rv.Response.Status).Sprint(Safe(responseStatus(rv.Response))),
			fmtDur(rv.Timings.Total), plural(int(rv.Response.BodyBytes), "body byte"))
	}
	if rv.Connect != nil && rv.Connect.Reused {
		summary = append(summary, "reused connection")
	}
	pr.title("Revalidation", summary...)
	for _, h := range rv.Request.Headers {
		if n := h.Name; strings.EqualFold(n, "If-None-Match") || strings.EqualFold(n, "If-Modified-Since") {
			pr.header(trace.Header{Name: n, Value: h.Value}, indent, pr.width-len(indent)-1)
		}
	}
	if rv.Err != nil {
		pr.errorBlock(rv.Err)
	}
}
