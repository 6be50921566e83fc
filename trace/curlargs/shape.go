package curlargs

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/reqtrace/reqtrace/trace"
)

// shapeRequest applies the curl flags that reshape the request once the
// body is read: -T uploads a file with PUT, -G moves the -d data into the
// query, -r asks for a byte range, --oauth2-bearer sends a token.
func (a *Args) shapeRequest(env Env, o *trace.Options) error {
	if a.Upload != "" {
		if err := a.upload(env, o); err != nil {
			return err
		}
	}
	if a.Get {
		if o.Body != nil { // curl: "?" or "&" then the data, as -d joined it
			q := o.URL.RawQuery
			if q != "" {
				q += "&"
			}
			o.URL.RawQuery = q + string(o.Body)
		}
		o.Body, o.ContentType = nil, "" // no body: GET, or HEAD with -I
	}
	if a.Head && o.Body != nil {
		return trace.BadInput("-I sends HEAD, which carries no body: drop the data, or add -G to put it in the URL's query")
	}
	if a.Range != "" {
		if err := a.rangeHeader(env, o); err != nil {
			return err
		}
	}
	if a.Bearer != "" {
		o.Bearer = a.Bearer
	}
	return nil
}

// rangeHeader turns -r into a Range header, unless -H sets one (curl's
// rule too).
func (a *Args) rangeHeader(env Env, o *trace.Options) error {
	if onlyDigits(a.Range) { // curl appends the dash, and says so
		a.Range += "-"
		env.warn(fmt.Sprintf("a byte range needs a dash: -r %s asks from byte %s to the end", a.Range, strings.TrimSuffix(a.Range, "-")))
	}
	if !byteRanges().MatchString(a.Range) {
		return trace.BadInput("-r %q is not a byte range: write FIRST-LAST, FIRST- or -SUFFIX (e.g. 0-499), several joined by commas", a.Range)
	}
	if !hasHeader(o.Headers, "Range") {
		o.Headers = append(o.Headers, trace.HeaderEdit{Name: "Range", Value: "bytes=" + a.Range})
	}
	return nil
}

// byteRanges is the syntax -r accepts: RFC 9110's int-range and
// suffix-range, comma-separated.
var byteRanges = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+-\d*|-\d+)(,(\d+-\d*|-\d+))*$`) })

// upload reads -T FILE as the body of a PUT. As curl does, a URL that
// names no file (it ends in "/") gets the file's name appended.
func (a *Args) upload(env Env, o *trace.Options) error {
	body, err := ReadInput("-T", a.Upload, env.Stdin, MaxBody)
	if err != nil {
		return err
	}
	o.Body, o.ContentType, o.Upload = body, "", true // curl sends no Content-Type for -T; PUT unless -X
	if a.Upload != "-" && (o.URL.Path == "" || strings.HasSuffix(o.URL.Path, "/")) {
		// on the escaped path, so that an escape already in it (%2F) stays
		escaped := strings.TrimSuffix(o.URL.EscapedPath(), "/") + "/" + url.PathEscape(filepath.Base(a.Upload))
		o.URL.Path, _ = url.PathUnescape(escaped)
		o.URL.RawPath = escaped
	}
	return nil
}

func onlyDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

func hasHeader(es []trace.HeaderEdit, name string) bool {
	for _, e := range es {
		if strings.EqualFold(e.Name, name) {
			return true
		}
	}
	return false
}
