package render

import (
	"strconv"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// retries lists the attempts --retry repeated before the one shown.
func (pr *Printer) retries() {
	rs := pr.res.Retries
	if len(rs) == 0 {
		return
	}
	pr.Title("Retries", Plural(len(rs), "attempt")+" repeated before this one")
	rows := make([][]string, len(rs))
	for i, r := range rs {
		rows[i] = []string{strconv.Itoa(r.Attempt), Safe(r.Reason), fmtDur(r.Wait)}
	}
	pr.table(Indent, []column{{head: "#", right: true}, {head: "FAILED WITH", fill: true}, {head: "WAITED", right: true}}, rows, nil)
}

// revalidation shows the conditional request --revalidate sent: the
// validators, the answer, its time and size against the full response.
func (pr *Printer) revalidation() {
	rv := pr.res.Revalidation
	if rv == nil {
		return
	}
	summary := []string{}
	if rv.Response != nil {
		summary = append(summary, pr.Pal.StatusBold(rv.Response.Status).Sprint(Safe(ResponseStatus(rv.Response))),
			fmtDur(rv.Timings.Total), Plural(int(rv.Response.BodyBytes), "body byte"))
	}
	if rv.Connect != nil && rv.Connect.Reused {
		summary = append(summary, "reused connection")
	}
	pr.Title("Revalidation", summary...)
	for _, h := range rv.Request.Headers {
		if n := h.Name; strings.EqualFold(n, "If-None-Match") || strings.EqualFold(n, "If-Modified-Since") {
			pr.header(trace.Header{Name: n, Value: h.Value}, Indent, pr.Width-len(Indent)-1)
		}
	}
	if rv.Err != nil {
		pr.ErrorBlock(rv.Err)
	}
}
